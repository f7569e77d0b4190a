//! Which jobs and submissions `status` lists, and the helpers its lists share.

use serde::Serialize;
use serde_json::Value;

/// Which jobs and submissions the lists show (counts are always of everything).
#[derive(Debug, Clone, Default, Serialize)]
pub struct StatusQuery {
    /// Rows per list.
    pub limit: usize,
    /// Part of the student's email (case does not matter).
    pub email: Option<String>,
    /// Part of the assessment's title, or its id.
    pub assessment: Option<String>,
    /// Also list the deliveries.
    pub deliveries: bool,
}

pub(super) fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339())
        .unwrap_or_default()
}

pub(super) fn field<'a>(event: &'a Value, name: &str) -> Option<&'a str> {
    event.get(name).and_then(Value::as_str)
}

impl StatusQuery {
    pub(super) fn filtered(&self) -> bool {
        self.email.is_some() || self.assessment.is_some()
    }

    /// Whether a stored event (a job's routed event, or an unroutable submission) matches.
    pub fn matches(&self, event: &Value) -> bool {
        let contains = |value: Option<&str>, part: &str| {
            value.is_some_and(|v| v.to_lowercase().contains(&part.to_lowercase()))
        };
        let email_ok = self
            .email
            .as_deref()
            .is_none_or(|e| contains(field(event, "email"), e.trim()));
        let assessment_ok = self.assessment.as_deref().is_none_or(|a| {
            let a = a.trim();
            contains(field(event, "assessment_title"), a)
                || field(event, "assessment_id").is_some_and(|id| id.eq_ignore_ascii_case(a))
        });
        email_ok && assessment_ok
    }

    /// SQL row limit: everything when rows are filtered afterwards.
    pub(super) fn sql_limit(&self) -> i64 {
        if self.filtered() {
            i64::MAX
        } else {
            self.limit as i64
        }
    }
}
