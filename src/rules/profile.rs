//! A profile read from the file (preset merged in) and checked as a whole, so that every
//! mistake surfaces when the file is loaded rather than when a student submits.

use std::collections::BTreeSet;

use super::expr::{check_expression, check_template};
use super::patterns::unknown_variables;
use super::spec::ProfileSpec;
use crate::domain::context::RESERVED;

#[derive(Debug, Clone)]
pub struct Profile {
    pub spec: ProfileSpec,
    /// Where it was defined: `config/reports.toml, profile 2` or `preset seed_diagnostic`.
    pub source: String,
}

impl Profile {
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    pub fn title(&self) -> &str {
        self.spec.title.as_deref().unwrap_or(&self.spec.name)
    }

    /// Every top-level name the Word template may read.
    pub fn context_names(&self) -> BTreeSet<String> {
        let mut names: BTreeSet<String> = RESERVED.iter().map(|s| s.to_string()).collect();
        names.extend(self.spec.placeholders.keys().cloned());
        names
    }

    /// Whether `<<name>>` is one of this profile's legacy placeholders.
    pub fn fills_placeholder(&self, name: &str) -> bool {
        self.spec.placeholders.contains_key(name)
            || self.spec.numbered_placeholders.iter().any(|n| {
                name.strip_prefix(n.prefix.as_str())
                    .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
            })
    }
}

fn identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Every problem of the profile, each naming the key at fault.
pub fn validate(spec: &ProfileSpec) -> Vec<String> {
    let mut errors = Vec::new();
    let mut err = |place: &str, msg: String| errors.push(format!("{place}: {msg}"));
    let name_ok = !spec.name.is_empty()
        && spec
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !name_ok {
        err(
            "name",
            format!(
                "'{}' must be lower-case letters, digits, '_' or '-' (it is used in file names)",
                spec.name
            ),
        );
    }
    if spec.template.trim().is_empty() {
        err("template", "is empty".into());
    }
    if spec.bank.path.trim().is_empty() {
        err("bank.path", "is empty".into());
    }
    for bad in unknown_variables(&spec.bank.path, &[]) {
        err("bank.path", format!("unknown variable {{{bad}}}"));
    }
    let mut groupings: Vec<&str> = Vec::new();
    for (i, g) in spec.groupings.iter().enumerate() {
        let place = format!("grouping[{i}] ({})", g.name);
        if !identifier(&g.name) || RESERVED.contains(&g.name.as_str()) {
            err(
                &place,
                "name must be a plain identifier (letters, digits, _), not a reserved context name"
                    .into(),
            );
        }
        if groupings.contains(&g.name.as_str()) {
            err(&place, "name is used by an earlier grouping".into());
        }
        if g.columns.is_empty() {
            err(&place, "columns is empty".into());
        }
        if let Some(parent) = &g.within {
            if !groupings.contains(&parent.as_str()) {
                err(
                    &place,
                    format!("within = '{parent}' is not a grouping declared before it"),
                );
            }
        }
        for (j, band) in g.bands.iter().enumerate() {
            let last = j + 1 == g.bands.len();
            if band.below.is_some() == last {
                err(&place, format!("band {}: every band but the last needs `below`, and the last must not have it", j + 1));
            }
            for key in band.text.keys() {
                if !identifier(key)
                    || [
                        "name",
                        "correct",
                        "total",
                        "percent",
                        "percent_text",
                        "passed",
                        "status",
                        "parent",
                    ]
                    .contains(&key.as_str())
                {
                    err(&place, format!("band {}: text key '{key}' must be an identifier other than the group's own fields", j + 1));
                }
            }
        }
        let belows: Vec<f64> = g.bands.iter().filter_map(|b| b.below).collect();
        if belows.windows(2).any(|w| w[0] >= w[1]) {
            err(&place, "band thresholds (`below`) must increase".into());
        }
        groupings.push(&g.name);
    }
    if spec.format.decimals > 6 {
        err(
            "format.decimals",
            format!("{} decimals: at most 6", spec.format.decimals),
        );
    }
    for (i, l) in spec.levels.iter().enumerate() {
        let last = i + 1 == spec.levels.len();
        if l.when.is_none() && !last {
            err(
                &format!("level[{i}]"),
                "only the last level may omit `when`".into(),
            );
        }
        if last && l.when.is_some() {
            err(
                &format!("level[{i}]"),
                "the last level must have no `when`, so that every student gets a level".into(),
            );
        }
        if let Some(when) = &l.when {
            if let Err(e) = check_expression(when) {
                err(&format!("level[{i}].when"), e);
            }
        }
    }
    let mut derived: BTreeSet<&str> = BTreeSet::new();
    for (i, c) in spec.conversions.iter().enumerate() {
        let place = format!("conversion[{i}] ({})", c.name);
        if !identifier(&c.name) || !derived.insert(&c.name) {
            err(&place, "name must be a unique identifier".into());
        }
        if c.rows.is_empty() == c.file.is_none() {
            err(&place, "give exactly one of `rows` and `file`".into());
        }
        if let Err(e) = check_expression(&c.input) {
            err(&format!("{place}.input"), e);
        }
        if let Some(file) = &c.file {
            for bad in unknown_variables(file, &[]) {
                err(
                    &format!("{place}.file"),
                    format!("unknown variable {{{bad}}}"),
                );
            }
        }
    }
    for (i, d) in spec.derived.iter().enumerate() {
        let place = format!("derived[{i}] ({})", d.name);
        if !identifier(&d.name) || !derived.insert(&d.name) {
            err(
                &place,
                "name must be a unique identifier (conversions share the namespace)".into(),
            );
        }
        if let Err(e) = check_expression(&d.expr) {
            err(&format!("{place}.expr"), e);
        }
    }
    for (name, value) in &spec.placeholders {
        if RESERVED.contains(&name.as_str()) || name.is_empty() || name.contains(['<', '>', ' ']) {
            err(
                &format!("placeholders.{name}"),
                "not usable as a <<placeholder>> name".into(),
            );
        }
        if let Err(e) = check_template(value) {
            err(&format!("placeholders.{name}"), e);
        }
    }
    for (i, n) in spec.numbered_placeholders.iter().enumerate() {
        let place = format!("numbered_placeholders[{i}]");
        if n.prefix.is_empty() || n.prefix.contains(['<', '>', ' ']) {
            err(
                &place,
                "prefix must be a non-empty name without spaces".into(),
            );
        }
        if !groupings.contains(&n.grouping.as_str()) {
            err(&place, format!("grouping '{}' does not exist", n.grouping));
        }
        if let Err(e) = check_template(&n.value) {
            err(&format!("{place}.value"), e);
        }
    }
    for (part, text) in [
        ("email.subject", &spec.email.subject),
        ("email.body", &spec.email.body),
    ] {
        if let Err(e) = check_template(text) {
            err(part, e);
        }
    }
    for (part, pattern, extra) in [
        ("email.attachment", &spec.email.attachment, &[][..]),
        ("output.folder", &spec.output.folder, &[][..]),
        ("output.file_name", &spec.output.file_name, &[][..]),
        (
            "output.processed_csv",
            &spec.output.processed_csv,
            &["folder"][..],
        ),
    ] {
        for bad in unknown_variables(pattern, extra) {
            err(part, format!("unknown variable {{{bad}}}"));
        }
    }
    if spec.output.file_name.contains('/') {
        err(
            "output.file_name",
            "must be a file name; put folders in output.folder".into(),
        );
    }
    errors
}
