//! What intake records for a submission: the route the profiles choose, and the dedup key that
//! profile's retake rule asks for.

use serde_json::json;

use super::spec::Retakes;
use super::ProfileSet;
use crate::domain::event::{AnswersOf, NewEvent, SubmissionEvent};
use crate::domain::route::RoutedEvent;

/// The record intake writes for a submission, and why it routes nowhere if it does not.
pub fn intake_record(
    set: &ProfileSet,
    event: SubmissionEvent,
) -> Result<(NewEvent, Option<super::Unroutable>), serde_json::Error> {
    match set.route(&event) {
        Ok(route) => {
            // A broken profile still routes (its job waits for the fix): the school's default
            // then decides the dedup key.
            let retakes = set
                .profile(&route.profile)
                .map(|p| p.spec.retakes)
                .unwrap_or_default();
            let dedup_key = match retakes {
                // The key submissions always had, so redeliveries of events received before
                // profiles existed are still recognised.
                Retakes::NewReport => event.dedup_key(),
                Retakes::SameReport => format!(
                    "report:{}:{}:{}",
                    route.profile, event.assessment_id, event.user_id
                ),
            };
            let answers_of = Some(AnswersOf {
                assessment_id: event.assessment_id.clone(),
                user_id: event.user_id.clone(),
            });
            let payload = serde_json::to_string(&RoutedEvent { event, route })?;
            Ok((
                NewEvent {
                    dedup_key,
                    kind: "assessment_submitted".into(),
                    payload,
                    create_job: true,
                    answers_of,
                },
                None,
            ))
        }
        Err(why) => {
            let mut payload = serde_json::to_value(&event)?;
            payload["unroutable"] = json!({"code": why.code, "reason": why.reason});
            Ok((
                NewEvent {
                    // Distinct from a routed submission's key: once the routing is fixed, a
                    // new delivery of the same submission is queued.
                    dedup_key: format!("unroutable:{}", event.dedup_key()),
                    kind: "assessment_unroutable".into(),
                    payload: payload.to_string(),
                    create_job: false,
                    answers_of: None,
                },
                Some(why),
            ))
        }
    }
}
