//! The route intake chose for a submission, stored with its event so that every stage of the
//! job reports what intake decided.

use serde::{Deserialize, Serialize};

use super::event::SubmissionEvent;

/// Where an event goes; stored with the event so the job reports what intake decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteTarget {
    pub profile: String,
    /// The spreadsheet's name of the assessment (its bank has the same name).
    pub assessment_name: Option<String>,
    pub group: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub number: Option<u32>,
    /// How it was routed, for the operator: `id`, `title`, `spreadsheet row 3`, `fallback`.
    pub via: String,
}

/// The event of a job as stored: the webhook's fields and the route intake chose. Every job
/// has one: intake creates a job only for a routed submission.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoutedEvent {
    #[serde(flatten)]
    pub event: SubmissionEvent,
    pub route: RouteTarget,
}
