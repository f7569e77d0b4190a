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
    })
}

pub fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}
