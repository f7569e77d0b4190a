//! Distinct students for tests that need many: each gets a submission in the fake API (a copy
//! of Camila's) and a webhook naming it.

use serde_json::Value;

use crate::helpers::{automation_body, TestApp};

pub fn address(n: u32) -> String {
    format!("student{n}@example.com")
}

/// The webhook of student `n` (from 1), whose submission the fake API now serves.
pub fn student(app: &TestApp, n: u32) -> String {
    let user = format!("64f1a2b3c4d5e6f7a8{n:06x}");
    let submission = format!("6650c1d2e3f4a5b6c7{n:06x}");
    {
        let mut subs = app.lw.state.submissions.lock().expect("lock");
        let mut copy = subs
            .iter()
            .find(|s| s["id"] == "6650c1d2e3f4a5b6c7d8e9f0")
            .expect("Camila's submission in the fixture")
            .clone();
        copy["id"] = Value::String(submission.clone());
        copy["user_id"] = Value::String(user.clone());
        copy["email"] = Value::String(address(n));
        subs.insert(0, copy);
    }
    let mut body: Value = serde_json::from_str(&automation_body()).expect("fixture json");
    body["user"]["id"] = Value::String(user);
    body["user"]["email"] = Value::String(address(n));
    body["user"]["username"] = Value::String(format!("student{n}"));
    body["submission"]["id"] = Value::String(submission);
    body.to_string()
}
