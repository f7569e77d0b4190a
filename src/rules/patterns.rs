//! `{variable}` patterns of file names: banks, conversion tables, stored reports, attachments.

use std::collections::BTreeMap;

use crate::domain::context::{AssessmentInfo, ReportContext, Student, SubmissionInfo};
use crate::domain::names::{sanitize_segment, slug};

/// Every variable a pattern may use (docs/profiles.md explains each).
pub const VARIABLES: &[&str] = &[
    "report_type",
    "assessment_name",
    "assessment_title",
    "assessment_id",
    "group",
    "type",
    "number",
    "email",
    "user_id",
    "username",
    "student",
    "course",
    "submission_id",
    "submitted_at",
    "date",
    "title",
];

/// Variables whose value comes from the report being made.
#[derive(Debug, Clone, Default)]
pub struct Vars(BTreeMap<&'static str, String>);

impl Vars {
    pub fn set(&mut self, name: &'static str, value: impl Into<String>) {
        self.0.insert(name, value.into());
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The variables of an analysed report.
    pub fn from_context(ctx: &ReportContext) -> Self {
        Self::new(
            &ctx.report.kind,
            &ctx.assessment,
            &ctx.student,
            &ctx.submission,
        )
    }

    pub fn new(
        report_type: &str,
        a: &AssessmentInfo,
        student: &Student,
        submission: &SubmissionInfo,
    ) -> Self {
        let mut v = Vars::default();
        v.set("report_type", report_type);
        v.set("assessment_name", &a.name);
        v.set("assessment_title", &a.title);
        v.set(
            "title",
            if a.display_title.is_empty() {
                &a.title
            } else {
                &a.display_title
            },
        );
        v.set("assessment_id", &a.id);
        v.set("group", a.group.clone().unwrap_or_default());
        v.set("type", a.kind.clone().unwrap_or_default());
        v.set(
            "number",
            a.number.map(|n| n.to_string()).unwrap_or_default(),
        );
        v.set("email", student.email.clone().unwrap_or_default());
        v.set("user_id", &student.id);
        v.set("username", student.username.clone().unwrap_or_default());
        v.set("student", &student.name);
        v.set(
            "course",
            a.course_id.clone().unwrap_or_else(|| slug(&a.title)),
        );
        v.set("submission_id", submission.id.clone().unwrap_or_default());
        // Deterministic for a submission, so a retried store stage overwrites the same object.
        let when = submission
            .timestamp
            .and_then(|t| chrono::DateTime::from_timestamp(t as i64, 0))
            .unwrap_or_else(chrono::Utc::now);
        v.set("submitted_at", when.format("%Y%m%d_%H%M%S").to_string());
        v.set("date", when.format("%Y-%m-%d").to_string());
        v
    }
}

/// Names of the `{variables}` of a pattern that do not exist.
pub fn unknown_variables(pattern: &str, extra: &[&str]) -> Vec<String> {
    names(pattern)
        .into_iter()
        .filter(|n| !VARIABLES.contains(&n.as_str()) && !extra.contains(&n.as_str()))
        .collect()
}

fn names(pattern: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start + 1..start + len].trim().to_string());
        rest = &rest[start + len + 1..];
    }
    out
}

/// Fills a pattern; each value goes through `clean` (the pattern's own `/` stay folders).
pub fn expand(pattern: &str, vars: &Vars, clean: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        let name = rest[start + 1..start + len].trim();
        out.push_str(&clean(vars.get(name).unwrap_or_default()));
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// For stored reports: letters, digits, `.`, `-`, `_`; spaces and anything unsafe become `_`.
pub fn file_safe(value: &str) -> String {
    sanitize_segment(value).replace(' ', "_")
}

/// For bank and table names, which keep the assessment's spelling: only separators go.
pub fn name_safe(value: &str) -> String {
    value.trim().replace(['/', '\\'], "_")
}

/// For attachment names, as a student reads them: letters (accents too), digits, spaces and
/// `- . , ( )`; a middle dot becomes a dash and anything else (path separators, `@`, quotes,
/// control characters) a space. Mail clients show such names through RFC 2231.
pub fn readable_name(value: &str) -> String {
    let readable: String = value
        .chars()
        .map(|c| match c {
            c if c.is_alphanumeric() => c,
            ' ' | '-' | '.' | ',' | '(' | ')' => c,
            '·' | '–' | '—' => '-',
            _ => ' ',
        })
        .collect();
    let readable = readable.split_whitespace().collect::<Vec<_>>().join(" ");
    readable
        .trim_matches('.')
        .chars()
        .take(100)
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        let mut v = Vars::default();
        v.set("report_type", "test_de_eje");
        v.set("assessment_name", "M30M2-TEST DE EJE 1-DATA");
        v.set("email", "camila.rojas@example.com");
        v.set("course", "../../templates");
        v
    }

    #[test]
    fn the_default_file_name_replaces_unsafe_characters() {
        assert_eq!(
            expand(
                "informe_{report_type}_{assessment_name}_{email}.pdf",
                &vars(),
                file_safe
            ),
            "informe_test_de_eje_M30M2-TEST_DE_EJE_1-DATA_camila.rojas_example.com.pdf"
        );
    }

    #[test]
    fn values_cannot_climb_out_of_the_folder() {
        let folder = expand("data/webhook_reports/{course}", &vars(), file_safe);
        assert!(
            folder.starts_with("data/webhook_reports/_.._templates~") && !folder.contains("/.."),
            "{folder}"
        );
    }

    #[test]
    fn unknown_variables_are_listed() {
        assert_eq!(
            unknown_variables("{folder}/{emial}_{email}", &["folder"]),
            vec!["emial".to_string()]
        );
    }

    #[test]
    fn attachment_names_read_as_the_title_without_unsafe_characters() {
        assert_eq!(
            readable_name("Test de eje 1 · Matemática M2"),
            "Test de eje 1 - Matemática M2"
        );
        assert_eq!(readable_name("a/b\\c\"d"), "a b c d");
        assert_eq!(readable_name("../x"), "x");
    }
}
