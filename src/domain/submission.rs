//! The student's submission as the LearnWorlds API gives it: the fetch stage's output and the
//! analyse stage's input.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::text::text;

/// One submission of an assessment, as stored with the job (the answers never reach the logs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    pub id: String,
    pub user_id: Option<String>,
    pub email: Option<String>,
    /// Unix seconds.
    pub submitted_at: Option<f64>,
    pub answers: Vec<Answer>,
    /// The student's name as LearnWorlds' user record gives it (first and last name, else
    /// username, else email), looked up by the fetch stage; absent when the lookup failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// How a LearnWorlds user record (`GET /v2/users/{id}`) names the student: first and last
/// name when present, else the username, else the email.
pub fn display_name(user: &Value) -> Option<String> {
    let field =
        |k: &str| text(&user[k]).map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "));
    let full: Vec<String> = ["first_name", "last_name"]
        .iter()
        .filter_map(|k| field(k))
        .filter(|s| !s.is_empty())
        .collect();
    if !full.is_empty() {
        return Some(full.join(" "));
    }
    field("username")
        .filter(|s| !s.is_empty())
        .or_else(|| field("email").filter(|s| !s.is_empty()))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// The question label ("Pregunta N" in this school).
    pub label: String,
    /// The chosen option's text; empty when unanswered.
    pub answer: String,
    pub points: Option<f64>,
    pub max_score: Option<f64>,
}

/// A submission of a LearnWorlds responses answer, read leniently: numbers may arrive as
/// strings, `user_id` may be `userId`, unknown fields are ignored.
pub fn submission(v: &Value) -> Option<Submission> {
    let id = text(&v["id"])?;
    let answers = v["answers"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|a| Answer {
                    label: text(&a["description"]).unwrap_or_default(),
                    answer: text(&a["answer"]).unwrap_or_default(),
                    points: number(&a["points"]),
                    max_score: number(&a["blockMaxScore"]),
                })
                .collect()
        })
        .unwrap_or_default();
    Some(Submission {
        id,
        user_id: text(&v["user_id"]).or_else(|| text(&v["userId"])),
        email: text(&v["email"]),
        submitted_at: number(&v["submittedTimestamp"]).or_else(|| number(&v["created"])),
        answers,
        display_name: None,
    })
}

pub fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_display_name_is_the_full_name_else_the_username_else_the_email() {
        let user: Value = serde_json::json!({"first_name": " Camila ", "last_name": "Rojas",
            "username": "camila.rojas", "email": "c@example.com"});
        assert_eq!(display_name(&user).as_deref(), Some("Camila Rojas"));
        let user = serde_json::json!({"first_name": "", "last_name": null,
            "username": "camila.rojas", "email": "c@example.com"});
        assert_eq!(display_name(&user).as_deref(), Some("camila.rojas"));
        let user = serde_json::json!({"email": "c@example.com"});
        assert_eq!(display_name(&user).as_deref(), Some("c@example.com"));
        assert_eq!(display_name(&serde_json::json!({})), None);
    }
}
