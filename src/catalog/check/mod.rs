//! `webhook-service config check`: every profile, route, bank, template and email as the
//! service will use them, with a dry run of each bank through its profile (all answers blank),
//! so that a broken rule shows up before a student submits.

use super::registry::ProfileRegistry;
use crate::rules::profile::Profile;

#[derive(Debug, Default)]
pub struct CheckReport {
    pub lines: Vec<String>,
    pub errors: usize,
    /// What a person would catch but the service cannot call wrong: spec text left in a
    /// template, a draft without tags, bank cells repeating their column's name.
    pub warnings: usize,
}

impl CheckReport {
    fn info(&mut self, line: String) {
        self.lines.push(line);
    }

    fn error(&mut self, line: String) {
        self.errors += 1;
        self.lines.push(format!("ERROR {line}"));
    }

    fn warn(&mut self, line: String) {
        self.warnings += 1;
        self.lines.push(format!("WARNING {line}"));
    }
}

impl std::fmt::Display for CheckReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for l in &self.lines {
            writeln!(f, "{l}")?;
        }
        match self.errors {
            0 => write!(f, "no errors")?,
            n => write!(f, "{n} error(s)")?,
        }
        match self.warnings {
            0 => writeln!(f),
            n => writeln!(f, ", {n} warning(s)"),
        }
    }
}

pub(crate) mod bank_runs;

/// The start-up run of the check: one log entry, ERROR with every problem when there is one,
/// else INFO (the full report, one line per route and bank, is `webhook-service config check`).
pub async fn log(registry: std::sync::Arc<ProfileRegistry>) {
    let report = run(&registry).await;
    // One log entry for the whole check (not one per report line), naming every problem.
    let problems: Vec<&str> = report
        .lines
        .iter()
        .filter_map(|l| l.strip_prefix("ERROR ").map(str::trim))
        .collect();
    let warnings: Vec<&str> = report
        .lines
        .iter()
        .filter_map(|l| l.strip_prefix("WARNING ").map(str::trim))
        .collect();
    let summary = report.lines.first().map(String::as_str).unwrap_or_default();
    if problems.is_empty() && warnings.is_empty() {
        tracing::info!(
            errors = 0,
            warnings = 0,
            summary,
            "config check passed (`webhook-service config check` prints the full report)"
        );
    } else if problems.is_empty() {
        tracing::warn!(
            errors = 0,
            warnings = report.warnings,
            summary,
            warning_list = %warnings.join("; "),
            "config check found warnings (`webhook-service config check` prints the full report)"
        );
    } else {
        tracing::error!(
            errors = report.errors,
            warnings = report.warnings,
            summary,
            problems = %problems.join("; "),
            warning_list = %warnings.join("; "),
            "config check found problems (`webhook-service config check` prints the full report)"
        );
    }
}

use bank_runs::{check_bank, samples, Reach};

pub async fn run(registry: &ProfileRegistry) -> CheckReport {
    let set = registry.current();
    let mut r = CheckReport::default();
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
    let file_errors = r.errors;
    for e in set.errors() {
        r.error(e);
    }
    let file_errors = r.errors - file_errors;
    let (mut with_errors, mut unreachable) = (0, 0);
    for profile in &set.profiles {
        let before = r.errors;
        r.info(format!(
            "profile {} ({}) from {}",
            profile.name(),
            profile.title(),
            profile.source
        ));
        check_template(registry, profile, &mut r).await;
        match samples(registry, &set, profile).await {
            Reach::Unreachable => {
                unreachable += 1;
                r.warn(format!(
                    "  profile {} is unreachable: no spreadsheet row, id or title routes to it \
                     and it is not the fallback (its banks were not checked)",
                    profile.name()
                ));
            }
            Reach::AtRunTime => r.info(
                "  banks: none to check (they are found from the assessment title at run time)"
                    .into(),
            ),
            Reach::Banks(samples) => {
                for s in samples {
                    check_bank(registry, profile, s, &mut r).await;
                }
            }
        }
        if r.errors > before {
            with_errors += 1;
        }
    }
    // The summary comes first but is written last, so that its counts are the report's own.
    let usable = set.profiles.len() - with_errors;
    r.lines.insert(
        0,
        format!(
            "profiles: {} ({} usable, {} with errors, {} broken, {} unreachable; {} error(s) \
             outside profiles)",
            set.source,
            usable,
            with_errors,
            set.broken.len(),
            unreachable,
            file_errors.saturating_sub(set.broken.len()),
        ),
    );
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
    for w in template.lint() {
        r.warn(format!("  template {path}: {w}"));
    }
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
