//! The student's submission as the LearnWorlds API gives it: the fetch stage's output and the
//! analyse stage's input.

use serde::{Deserialize, Serialize};

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
