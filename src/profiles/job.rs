//! What intake and the job stages ask of the profiles: routing and dedup at intake; analysis,
//! document, file names and email for the job. The job finds its profile again by the name
//! stored in its report context, so every stage of one job uses the same profile.

use serde::{Deserialize, Serialize};
use serde_json::json;
use tracing::warn;

use super::analyse::{analyse as run_analysis, Facts};
use super::context::{AssessmentInfo, ReportContext, Student, SubmissionInfo};
use super::expr;
use super::patterns::{ascii_readable, expand, file_safe, Vars};
use super::registry::ProfileRegistry;
use super::routing::RouteTarget;
use super::spec::Retakes;
use super::{Profile, ProfileError};
use crate::intake::SubmissionEvent;
use crate::learnworlds::Submission;
use crate::queue::JobError;
use crate::store::NewEvent;

/// The event as stored: the webhook's fields and the route intake chose.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoutedEvent {
    #[serde(flatten)]
    pub event: SubmissionEvent,
    #[serde(default)]
    pub route: Option<RouteTarget>,
}

/// The record intake writes for a submission, and why it routes nowhere if it does not.
pub fn intake_record(
    registry: &ProfileRegistry,
    event: SubmissionEvent,
) -> Result<(NewEvent, Option<super::Unroutable>), serde_json::Error> {
    let set = registry.current();
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
            let payload = serde_json::to_string(&RoutedEvent {
                event,
                route: Some(route),
            })?;
            Ok((
                NewEvent {
                    dedup_key,
                    kind: "assessment_submitted".into(),
                    payload,
                    create_job: true,
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
                },
                Some(why),
            ))
        }
    }
}

pub fn facts(event: &SubmissionEvent, route: &RouteTarget, submission: &Submission) -> Facts {
    let email = event.email.clone().or_else(|| submission.email.clone());
    Facts {
        student: Student {
            id: event.user_id.clone(),
            name: event
                .username
                .clone()
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
        },
        school: event.school_name.clone(),
        submission: SubmissionInfo {
            id: Some(submission.id.clone()),
            timestamp: submission.submitted_at,
        },
    }
}

/// The analyse stage: the report context, as JSON for the job record.
pub async fn analyse(
    registry: &ProfileRegistry,
    payload: &str,
    event: &SubmissionEvent,
    submission: &Submission,
) -> Result<String, JobError> {
    let stored: Option<RouteTarget> = serde_json::from_str::<RoutedEvent>(payload)
        .ok()
        .and_then(|r| r.route);
    let set = registry.current();
    let route = match stored {
        Some(r) => r,
        // Queued before profiles existed: route it now.
        None => set
            .route(event)
            .map_err(|u| JobError::permanent(u.code, u.reason))?,
    };
    let profile = set.profile(&route.profile)?;
    let facts = facts(event, &route, submission);
    let vars = Vars::new(
        profile.name(),
        &facts.assessment,
        &facts.student,
        &facts.submission,
    );
    let bank = registry.bank(&profile, &vars).await?;
    let tables = registry.tables(&profile, &vars).await?;
    let ctx = run_analysis(&profile, &bank, &submission.answers, facts, &tables)?;
    if ctx.score.unmatched_answers > 0 || ctx.score.missing_answers > 0 {
        warn!(
            profile = profile.name(),
            bank = %bank.bank.file,
            unmatched_answers = ctx.score.unmatched_answers,
            missing_answers = ctx.score.missing_answers,
            "answers and question bank do not line up"
        );
    }
    serde_json::to_string(&ctx).map_err(|e| ProfileError::Internal(e.to_string()).into())
}

/// The stored context; None when the job was analysed before profiles existed (its analysis
/// has another shape) and must be analysed again.
pub fn stored_context(json: Option<&str>) -> Option<(ReportContext, serde_json::Value)> {
    let value: serde_json::Value = serde_json::from_str(json?).ok()?;
    let ctx: ReportContext = serde_json::from_value(value.clone()).ok()?;
    Some((ctx, value))
}

pub async fn render(
    registry: &ProfileRegistry,
    ctx: &ReportContext,
    value: &serde_json::Value,
) -> Result<Vec<u8>, JobError> {
    let profile = registry.current().profile(&ctx.report.kind)?;
    Ok(registry.render(&profile, value).await?)
}

/// Where the PDF is stored, and its delivery log.
pub fn output_keys(
    registry: &ProfileRegistry,
    ctx: &ReportContext,
) -> Result<(String, String), JobError> {
    let profile = registry.current().profile(&ctx.report.kind)?;
    Ok(output_keys_for(&profile, ctx))
}

pub fn output_keys_for(profile: &Profile, ctx: &ReportContext) -> (String, String) {
    let out = &profile.spec.output;
    let vars = Vars::from_context(ctx);
    let folder = expand(&out.folder, &vars, file_safe);
    let folder = folder.trim_end_matches('/').to_string();
    let file = expand(&out.file_name, &vars, file_safe);
    let csv = out.processed_csv.replace("{folder}", &folder);
    (format!("{folder}/{file}"), expand(&csv, &vars, file_safe))
}

#[derive(Debug, Clone, PartialEq)]
pub struct EmailParts {
    pub subject: String,
    pub body: String,
    pub attachment: String,
}

pub fn email_parts(
    registry: &ProfileRegistry,
    ctx: &ReportContext,
    value: &serde_json::Value,
) -> Result<EmailParts, JobError> {
    let profile = registry.current().profile(&ctx.report.kind)?;
    Ok(email_for(&profile, ctx, value)?)
}

pub fn email_for(
    profile: &Profile,
    ctx: &ReportContext,
    value: &serde_json::Value,
) -> Result<EmailParts, ProfileError> {
    let email = &profile.spec.email;
    let jinja = minijinja::Value::from(minijinja::value::Serde(value));
    let fail = |part: &str, message: String| ProfileError::Expression {
        profile: profile.name().to_string(),
        place: format!("email.{part}"),
        message,
    };
    let subject = expr::render(&email.subject, &jinja).map_err(|e| fail("subject", e))?;
    let body = expr::render(&email.body, &jinja).map_err(|e| fail("body", e))?;
    let vars = Vars::from_context(ctx);
    let attachment = if email.attachment.trim().is_empty() {
        expand(&profile.spec.output.file_name, &vars, file_safe)
    } else {
        expand(&email.attachment, &vars, ascii_readable)
    };
    Ok(EmailParts {
        // A subject is one line, whatever the template's layout.
        subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
        body,
        attachment,
    })
}
