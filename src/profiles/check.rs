//! `webhook-service config check`: every profile, route, bank, template and email as the
//! service will use them, with a dry run of each bank through its profile (all answers blank),
//! so that a broken rule shows up before a student submits.

use std::collections::BTreeSet;

use super::analyse::{analyse, Facts};
use super::banks::BANK_EXTENSIONS;
use super::context::{AssessmentInfo, School, Student, SubmissionInfo};
use super::job;
use super::patterns::Vars;
use super::profile::Profile;
use super::registry::ProfileRegistry;
use super::routing::RouteTarget;
use crate::learnworlds::Answer;

#[derive(Debug, Default)]
pub struct CheckReport {
    pub lines: Vec<String>,
    pub errors: usize,
}

impl CheckReport {
    fn info(&mut self, line: String) {
        self.lines.push(line);
    }

    fn error(&mut self, line: String) {
        self.errors += 1;
        self.lines.push(format!("ERROR {line}"));
    }
}

impl std::fmt::Display for CheckReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for l in &self.lines {
            writeln!(f, "{l}")?;
        }
        match self.errors {
            0 => writeln!(f, "no errors"),
            n => writeln!(f, "{n} error(s)"),
        }
    }
}

/// One assessment a bank is checked for.
struct Sample {
    name: String,
    title: String,
    route: RouteTarget,
}

pub async fn run(registry: &ProfileRegistry) -> CheckReport {
    let set = registry.current();
    let mut r = CheckReport::default();
    r.info(format!(
        "profiles: {} ({} usable, {} broken)",
        set.source,
        set.profiles.len(),
        set.broken.len()
    ));
    if let Some(sheet) = &set.routes.sheet {
        r.info(format!(
            "routing spreadsheet {}: {} row(s) accepted, {} rejected",
            sheet.file,
            sheet.accepted.len(),
            sheet.rejected.len()
        ));
        for a in &sheet.accepted {
            let t = &a.target;
            r.info(format!(
                "  row {}: '{}' ({}) -> {} [group {}, type {}, number {}]",
                a.row,
                a.name,
                a.id,
                t.profile,
                t.group.as_deref().unwrap_or("-"),
                t.kind.as_deref().unwrap_or("-"),
                t.number.map_or("-".into(), |n| n.to_string())
            ));
        }
        for n in &sheet.notes {
            r.info(format!("  note: {n}"));
        }
    }
    for e in set.errors() {
        r.error(e);
    }
    for profile in &set.profiles {
        r.info(format!(
            "profile {} ({}) from {}",
            profile.name(),
            profile.title(),
            profile.source
        ));
        check_template(registry, profile, &mut r).await;
        let samples = samples(registry, &set, profile).await;
        if samples.is_empty() {
            r.info(
                "  banks: none to check (they are found from the assessment title at run time)"
                    .into(),
            );
        }
        for s in samples {
            check_bank(registry, profile, s, &mut r).await;
        }
    }
    r
}

async fn check_template(registry: &ProfileRegistry, profile: &Profile, r: &mut CheckReport) {
    let path = &profile.spec.template;
    let template = match registry.template(path).await {
        Ok(t) => t,
        Err(e) => return r.error(format!("  {e}")),
    };
    if let Err(e) = template.check_syntax() {
        return r.error(format!("  template {path}: {e}"));
    }
    let known = profile.context_names();
    let variables = template.variables().unwrap_or_default();
    let unknown: Vec<&String> = variables.iter().filter(|v| !known.contains(*v)).collect();
    let placeholders = template.legacy_placeholders();
    let unfilled: Vec<String> = placeholders
        .iter()
        .filter(|p| !profile.fills_placeholder(&p.name))
        .map(|p| format!("<<{}>>", p.name))
        .collect();
    r.info(format!(
        "  template {path}: {} variable(s), {} <<placeholder>>(s)",
        variables.len(),
        placeholders.len()
    ));
    if !unknown.is_empty() {
        let names: Vec<&str> = unknown.iter().map(|s| s.as_str()).collect();
        r.error(format!(
            "  template {path} reads variables the report context does not have: {}",
            names.join(", ")
        ));
    }
    if !unfilled.is_empty() {
        r.error(format!(
            "  template {path} has placeholders the profile does not fill: {}",
            unfilled.join(", ")
        ));
    }
}

/// The assessments whose bank can be named now: spreadsheet rows and titles of the profile,
/// and, for a pattern with a single variable, every matching file in the bank folder.
async fn samples(
    registry: &ProfileRegistry,
    set: &super::ProfileSet,
    profile: &Profile,
) -> Vec<Sample> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let plain = |via: &str| RouteTarget {
        profile: profile.name().to_string(),
        assessment_name: None,
        group: None,
        kind: None,
        number: None,
        via: via.to_string(),
    };
    if let Some(sheet) = &set.routes.sheet {
        for a in sheet
            .accepted
            .iter()
            .filter(|a| a.target.profile == profile.name())
        {
            if seen.insert(a.name.clone()) {
                out.push(Sample {
                    name: a.name.clone(),
                    title: a.name.clone(),
                    route: a.target.clone(),
                });
            }
        }
    }
    for t in &profile.spec.route.titles {
        if seen.insert(t.clone()) {
            out.push(Sample {
                name: t.clone(),
                title: t.clone(),
                route: plain("title"),
            });
        }
    }
    let pattern = &profile.spec.bank.path;
    let (folder, file) = pattern.rsplit_once('/').unwrap_or(("", pattern));
    let vars = ["{assessment_title}", "{assessment_name}"];
    let single = vars
        .iter()
        .find(|v| file.matches('{').count() == 1 && file.contains(*v));
    if let (Some(var), true) = (single, out.is_empty() && !folder.contains('{')) {
        let (prefix, suffix) = file.split_once(var).unwrap_or_default();
        for key in registry.storage().list(folder).await.unwrap_or_default() {
            let name = key.rsplit('/').next().unwrap_or_default();
            let Some((stem, ext)) = name.rsplit_once('.') else {
                continue;
            };
            if !BANK_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()) {
                continue;
            }
            if let Some(value) = stem
                .strip_prefix(prefix)
                .and_then(|s| s.strip_suffix(suffix))
            {
                if seen.insert(value.to_string()) {
                    out.push(Sample {
                        name: value.to_string(),
                        title: value.to_string(),
                        route: plain("bank folder"),
                    });
                }
            }
        }
    }
    out
}

async fn check_bank(registry: &ProfileRegistry, profile: &Profile, s: Sample, r: &mut CheckReport) {
    let assessment = AssessmentInfo {
        id: "000000000000000000000000".into(),
        title: s.title.clone(),
        name: s
            .route
            .assessment_name
            .clone()
            .unwrap_or_else(|| s.name.clone()),
        group: s.route.group.clone(),
        kind: s.route.kind.clone(),
        number: s.route.number,
        url: String::new(),
        course_id: None,
    };
    let facts = Facts {
        student: Student {
            id: "000000000000000000000000".into(),
            name: "estudiante".into(),
            username: None,
            email: Some("estudiante@example.com".into()),
        },
        assessment,
        school: School { name: None },
        submission: SubmissionInfo {
            id: None,
            timestamp: None,
        },
    };
    let vars = Vars::new(
        profile.name(),
        &facts.assessment,
        &facts.student,
        &facts.submission,
    );
    let bank = match registry.bank(profile, &vars).await {
        Ok(b) => b,
        Err(e) => return r.error(format!("  '{}': {e}", s.name)),
    };
    let pilots = bank.pilot.iter().filter(|p| **p).count();
    let blank: Vec<Answer> = bank
        .bank
        .questions
        .iter()
        .map(|q| Answer {
            label: q.label.clone(),
            answer: String::new(),
            points: Some(0.0),
            max_score: Some(1.0),
        })
        .collect();
    let result = match registry.tables(profile, &vars).await {
        Ok(tables) => analyse(profile, &bank, &blank, facts, &tables),
        Err(e) => Err(e),
    };
    let ctx = match result {
        Ok(ctx) => ctx,
        Err(e) => return r.error(format!("  bank {}: {e}", bank.bank.file)),
    };
    let groups: Vec<String> = ctx
        .count
        .iter()
        .map(|(name, c)| format!("{name} {}", c["total"]))
        .collect();
    r.info(format!(
        "  bank {}: {} question(s){}; groups: {}",
        bank.bank.file,
        bank.bank.questions.len(),
        if pilots > 0 {
            format!(" ({pilots} pilot)")
        } else {
            String::new()
        },
        if groups.is_empty() {
            "none".into()
        } else {
            groups.join(", ")
        }
    ));
    let value = match serde_json::to_value(&ctx) {
        Ok(v) => v,
        Err(e) => return r.error(format!("  bank {}: {e}", bank.bank.file)),
    };
    if let Err(e) = job::email_parts(registry, &ctx, &value) {
        r.error(format!(
            "  email with bank {}: {}",
            bank.bank.file, e.message
        ));
    }
    if let Err(e) = registry.render(profile, &value).await {
        r.error(format!("  template with bank {}: {e}", bank.bank.file));
    }
}
