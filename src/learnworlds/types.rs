//! The parts of LearnWorlds API answers we use, read leniently: numbers may arrive as strings,
//! `user_id` may be `userId`, unknown fields are ignored.

use serde_json::Value;

pub use crate::domain::submission::{number, submission, Answer, Submission};

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
