//! The facts of a submission that are not answers — who, what, when — as the report shows them.

use super::analyse::Facts;
use crate::domain::context::{subject_of, AssessmentInfo, Student, SubmissionInfo};
use crate::domain::event::SubmissionEvent;
use crate::domain::route::RouteTarget;
use crate::domain::submission::Submission;

pub fn facts(event: &SubmissionEvent, route: &RouteTarget, submission: &Submission) -> Facts {
    let email = event.email.clone().or_else(|| submission.email.clone());
    Facts {
        student: Student {
            id: event.user_id.clone(),
            // LearnWorlds' user record names the student best; the webhook's username and the
            // email only stand in for it.
            name: submission
                .display_name
                .clone()
                .or_else(|| event.username.clone())
                .or_else(|| email.clone())
                .unwrap_or_else(|| "estudiante".into()),
            username: event.username.clone(),
            email,
        },
        assessment: AssessmentInfo {
            id: event.assessment_id.clone(),
            title: event.assessment_title.clone(),
            name: route
                .assessment_name
                .clone()
                .unwrap_or_else(|| event.assessment_title.clone()),
            group: route.group.clone(),
            kind: route.kind.clone(),
            number: route.number,
            url: event.assessment_url.clone(),
            course_id: event.course_id.clone(),
            submitted_on: submission
                .submitted_at
                .and_then(|t| chrono::DateTime::from_timestamp(t as i64, 0))
                .map(|t| t.format("%d/%m/%Y").to_string())
                .unwrap_or_default(),
            subject: route.group.as_deref().map(subject_of),
            display_title: String::new(),
        },
        school: event.school_name.clone(),
        submission: SubmissionInfo {
            id: Some(submission.id.clone()),
            timestamp: submission.submitted_at,
        },
    }
}
