//! The normalised form of an incoming webhook, whatever shape it arrived in.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::text::{is_bare_address, text};

/// A student submitted an assessment: the input of one report job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionEvent {
    pub user_id: String,
    pub username: Option<String>,
    pub email: Option<String>,
    /// The 24-hex unit id taken from `assessment.url`.
    pub assessment_id: String,
    pub assessment_title: String,
    pub assessment_url: String,
    /// `courseid` of `assessment.url`, when present.
    pub course_id: Option<String>,
    pub submission_id: Option<String>,
    pub school_name: Option<String>,
}

impl SubmissionEvent {
    /// LearnWorlds sends no delivery id: a redelivery or concurrent copy is recognised by content.
    pub fn dedup_key(&self) -> String {
        format!(
            "submitted:{}:{}:{}",
            self.assessment_id,
            self.user_id,
            self.submission_id.as_deref().unwrap_or("-")
        )
    }
}

/// Why a body is not an event: the field at fault (None: the body as a whole) and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{reason}", field.as_ref().map(|f| format!("{f} ")).unwrap_or_default())]
pub struct MalformedEvent {
    pub field: Option<String>,
    pub reason: String,
}

/// What the intake wants recorded.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Recognises redeliveries and concurrent copies of the same submission.
    pub dedup_key: String,
    pub kind: String,
    /// The normalised event (JSON), the job's input.
    pub payload: String,
    /// Whether the event needs a report (a job), or is only recorded.
    pub create_job: bool,
    /// Whose answers the job fetches, so that the jobs of one assessment waiting for their
    /// answers are fetched with one API call.
    pub answers_of: Option<AnswersOf>,
}

/// A student's answers to one assessment, as the API lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswersOf {
    pub assessment_id: String,
    pub user_id: String,
}

/// What a webhook asks of us.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    Submission(SubmissionEvent),
    /// A built-in LearnWorlds event no report is configured for: recorded, not processed.
    Other {
        kind: String,
        dedup_key: String,
        payload: Value,
    },
}

/// Parses the automation body the school wrote, or the native v2 envelope.
pub fn parse(body: &[u8]) -> Result<Incoming, MalformedEvent> {
    let value: Value = serde_json::from_slice(body).map_err(|e| MalformedEvent {
        field: None,
        reason: format!("body is not valid JSON: {e}"),
    })?;
    let Value::Object(root) = &value else {
        return Err(MalformedEvent {
            field: None,
            reason: "body must be a JSON object".into(),
        });
    };
    let is_envelope = root.contains_key("version")
        && root.contains_key("type")
        && root.get("data").is_some_and(Value::is_object);
    if !is_envelope {
        return submission(&value, "").map(Incoming::Submission);
    }
    let data = &value["data"];
    if data.get("assessment").is_some() {
        return submission(data, "data.").map(Incoming::Submission);
    }
    let kind = text(&value["type"]).unwrap_or_else(|| "unknown".into());
    let user = text(&data["user"]["id"]).unwrap_or_default();
    let subject = text(&data["course"]["id"]).unwrap_or_default();
    let when = match &data["completed_at"] {
        Value::Null => text(&data["created"]).unwrap_or_default(),
        other => text(other).unwrap_or_default(),
    };
    Ok(Incoming::Other {
        dedup_key: format!("{kind}:{user}:{subject}:{when}"),
        kind,
        payload: value.clone(),
    })
}

fn submission(v: &Value, prefix: &str) -> Result<SubmissionEvent, MalformedEvent> {
    let required = |path: &[&str]| -> Result<String, MalformedEvent> {
        let mut cur = v;
        for key in path {
            cur = &cur[*key];
        }
        text(cur).ok_or_else(|| MalformedEvent {
            field: Some(format!("{prefix}{}", path.join("."))),
            reason: "is missing or empty".into(),
        })
    };
    check_lengths(v, prefix)?;
    let url = required(&["assessment", "url"])?;
    let assessment_id = unit_id(&url).ok_or_else(|| MalformedEvent {
        field: Some(format!("{prefix}assessment.url")),
        reason: "has no assessment id (expected unit=<24 hexadecimal characters>)".into(),
    })?;
    Ok(SubmissionEvent {
        user_id: required(&["user", "id"])?,
        username: text(&v["user"]["username"]),
        email: email(v, prefix)?,
        assessment_title: required(&["assessment", "title"])?,
        course_id: course_id(&url),
        assessment_url: url,
        assessment_id,
        submission_id: text(&v["submission"]["id"]),
        school_name: text(&v["school"]["name"]),
    })
}

/// The longest value intake accepts per field, in characters (README, "Intake limits"). Real
/// values are far shorter; a longer one is an attack or a broken automation, and a 900 KB
/// username once held a converter for minutes.
pub const FIELD_LIMITS: [(&[&str], usize); 7] = [
    (&["user", "id"], 128),
    (&["user", "username"], 200),
    (&["user", "email"], 254),
    (&["assessment", "title"], 300),
    (&["assessment", "url"], 2048),
    (&["submission", "id"], 128),
    (&["school", "name"], 200),
];

fn check_lengths(v: &Value, prefix: &str) -> Result<(), MalformedEvent> {
    for (path, max) in FIELD_LIMITS {
        let mut cur = v;
        for key in path {
            cur = &cur[*key];
        }
        let length = text(cur).map_or(0, |s| s.chars().count());
        if length > max {
            return Err(MalformedEvent {
                field: Some(format!("{prefix}{}", path.join("."))),
                reason: format!("is {length} characters long; at most {max} are accepted"),
            });
        }
    }
    Ok(())
}

/// The student's address, when given: one bare address, or the event is refused.
fn email(v: &Value, prefix: &str) -> Result<Option<String>, MalformedEvent> {
    match text(&v["user"]["email"]) {
        Some(address) if !is_bare_address(&address) => Err(MalformedEvent {
            field: Some(format!("{prefix}user.email")),
            reason:
                "must be one plain address (name@domain), without a name, comment or second address"
                    .into(),
        }),
        other => Ok(other),
    }
}

/// `unit=([a-fA-F0-9]{24})` of the assessment URL, lower-cased.
pub fn unit_id(url: &str) -> Option<String> {
    let start = url.find("unit=")? + "unit=".len();
    let candidate: String = url[start..].chars().take(24).collect();
    (candidate.len() == 24 && candidate.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| candidate.to_ascii_lowercase())
}

fn course_id(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let value = parsed
        .query_pairs()
        .find(|(k, _)| k == "courseid")
        .map(|(_, v)| v.trim().to_string())?;
    (!value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_id_is_the_24_hex_characters_after_unit() {
        assert_eq!(
            unit_id("https://x/path-player?courseid=c&unit=65A1f0c2b3d4e5f6a7b8c9d0Unit")
                .as_deref(),
            Some("65a1f0c2b3d4e5f6a7b8c9d0")
        );
        assert_eq!(unit_id("https://x/path-player?unit=65a1f0c2"), None);
        assert_eq!(unit_id("https://x/path-player?courseid=c"), None);
    }

    #[test]
    fn unexpanded_variables_and_blank_strings_count_as_missing() {
        assert_eq!(text(&Value::String("{{submission.id}}".into())), None);
        assert_eq!(text(&Value::String("  ".into())), None);
        assert_eq!(text(&serde_json::json!(42)).as_deref(), Some("42"));
    }

    #[test]
    fn missing_user_id_names_the_field() {
        let body = br#"{"user":{},"assessment":{"title":"T","url":"https://x/?unit=65a1f0c2b3d4e5f6a7b8c9d0"}}"#;
        match parse(body) {
            Err(MalformedEvent { field, .. }) => {
                assert_eq!(field.as_deref(), Some("user.id"))
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_field_over_its_limit_is_refused_by_name() {
        let body = serde_json::json!({
            "user": {"id": "u1", "username": "x".repeat(201)},
            "assessment": {"title": "T", "url": "https://x/?unit=65a1f0c2b3d4e5f6a7b8c9d0"}
        });
        let err = parse(body.to_string().as_bytes()).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("user.username"));
        assert!(err.reason.contains("200"), "{}", err.reason);
    }
}
