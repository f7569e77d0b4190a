//! The banks `config check` can name, each run through its profile with blank answers.

use std::collections::BTreeSet;

use super::CheckReport;
use crate::catalog::banks::BANK_EXTENSIONS;
use crate::catalog::registry::ProfileRegistry;
use crate::domain::context::{AssessmentInfo, Student, SubmissionInfo};
use crate::domain::submission::Answer;
use crate::rules::analyse::{analyse, Facts};
use crate::rules::delivery::email_for;
use crate::rules::patterns::Vars;
use crate::rules::profile::Profile;
use crate::rules::routing::RouteTarget;
use crate::rules::ProfileSet;

/// One assessment a bank is checked for.
pub(crate) struct Sample {
    pub name: String,
    pub title: String,
    pub route: RouteTarget,
}

/// Which banks a profile can meet.
pub(crate) enum Reach {
    /// The banks its routes name.
    Banks(Vec<Sample>),
    /// Routed by id only: its banks are named by titles known when a student submits.
    AtRunTime,
    /// Nothing routes to it.
    Unreachable,
}

/// The assessments whose bank a profile's routes name now: its spreadsheet rows and titles;
/// for the fallback profile (which every assessment may reach), every bank its pattern finds
/// in the bank folder when the pattern has a single variable. Another profile's banks are
/// never tried against it.
pub(crate) async fn samples(
    registry: &ProfileRegistry,
    set: &ProfileSet,
    profile: &Profile,
) -> Reach {
    let out = routed_samples(registry, set, profile).await;
    if !out.is_empty() {
        Reach::Banks(out)
    } else if profile.spec.fallback || !profile.spec.route.ids.is_empty() {
        Reach::AtRunTime
    } else {
        Reach::Unreachable
    }
}

async fn routed_samples(
    registry: &ProfileRegistry,
    set: &ProfileSet,
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
    let fallback = profile.spec.fallback;
    if let (Some(var), true) = (single, fallback && out.is_empty() && !folder.contains('{')) {
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

pub(super) async fn check_bank(
    registry: &ProfileRegistry,
    profile: &Profile,
    s: Sample,
    r: &mut CheckReport,
) {
    let facts = facts_for(
        &s,
        Student {
            id: "000000000000000000000000".into(),
            name: "estudiante".into(),
            username: None,
            email: Some("estudiante@example.com".into()),
        },
    );
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
    for echo in bank.bank.header_echoes() {
        r.warn(format!("  bank {}: {echo}", bank.bank.file));
    }
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
        .map(|(name, c)| format!("{name} {}", c.total))
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
    if let Err(e) = email_for(profile, &ctx) {
        r.error(format!("  email with bank {}: {e}", bank.bank.file));
    }
    if let Err(e) = registry.render_report(profile, &ctx).await {
        r.error(format!("  template with bank {}: {e}", bank.bank.file));
    }
}

/// What a job would know of `student` submitting the assessment of `s`.
pub(crate) fn facts_for(s: &Sample, student: Student) -> Facts {
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
        submitted_on: String::new(),
        subject: s
            .route
            .group
            .as_deref()
            .map(crate::domain::context::subject_of),
        display_title: String::new(),
    };
    Facts {
        student,
        assessment,
        school: None,
        submission: SubmissionInfo {
            id: None,
            timestamp: None,
        },
    }
}
