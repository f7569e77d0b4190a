//! The parts of LearnWorlds API answers we use, read leniently: numbers may arrive as strings,
//! `user_id` may be `userId`, unknown fields are ignored.

use serde_json::Value;

pub use crate::domain::submission::{Answer, Submission};
use crate::domain::text::text;

/// A page of a list endpoint.
pub struct Page {
    pub items: Vec<Value>,
    pub total_pages: u64,
}

pub fn page(v: &Value) -> Option<Page> {
    let items = v.get("data")?.as_array()?.clone();
    let total_pages = number(&v["meta"]["totalPages"]).map_or(1, |n| n.max(1.0) as u64);
    Some(Page { items, total_pages })
}

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

/// The error text of a LearnWorlds error body, in either documented shape.
pub fn error_message(body: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let message = parsed.as_ref().and_then(|v| {
        v["errors"][0]["message"]
            .as_str()
            .or_else(|| v["error"].as_str())
            .or_else(|| v["message"].as_str())
            .map(str::to_string)
    });
    let mut m = message.unwrap_or_else(|| body.chars().take(200).collect());
    m.truncate(300);
    m
}
