//! The email a job handed to the mail server, kept with its delivery record.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentEmail {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The PDF's file name as the student sees it.
    pub attachment: String,
    pub message_id: String,
}
