//! `POST /webhook`: authenticate, parse, route to a report profile, record durably, answer.
//! Nothing heavy happens here.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::json;
use tracing::{info, warn};

use super::auth;
use super::AppContext;
use crate::domain::event::{parse, Incoming, MalformedEvent};

use crate::db::{Inserted, NewEvent, StoreError};
use crate::rules::intake_record::intake_record;

/// Larger bodies are refused with 413 before they are read in full.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("the body is larger than {MAX_BODY_BYTES} bytes")]
    TooLarge,
    #[error("could not read the body: {0}")]
    BadBody(String),
    #[error(transparent)]
    Unauthorized(#[from] auth::AuthError),
    #[error("{}{reason}", field.as_ref().map(|f| format!("{f} ")).unwrap_or_default())]
    Malformed {
        field: Option<String>,
        reason: String,
    },
    #[error("the event could not be recorded: {0}")]
    Unavailable(#[from] StoreError),
}

impl From<MalformedEvent> for IntakeError {
    fn from(e: MalformedEvent) -> Self {
        Self::Malformed {
            field: e.field,
            reason: e.reason,
        }
    }
}

impl IntoResponse for IntakeError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            Self::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
            Self::BadBody(_) => (StatusCode::BAD_REQUEST, "unreadable_body"),
            Self::Unauthorized(e) => (StatusCode::UNAUTHORIZED, e.code()),
            Self::Malformed { field: None, .. } => (StatusCode::BAD_REQUEST, "invalid_json"),
            Self::Malformed { field: Some(_), .. } => (StatusCode::BAD_REQUEST, "invalid_field"),
            Self::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "database_unavailable"),
        };
        let field = match &self {
            Self::Malformed { field, .. } => field.clone(),
            _ => None,
        };
        let mut response = (
            status,
            Json(json!({"error": code, "field": field, "message": self.to_string()})),
        )
            .into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
        }
        response
    }
}

pub async fn webhook(
    State(ctx): State<Arc<AppContext>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, IntakeError> {
    receive(&ctx, None, &headers, body).await
}

pub async fn webhook_with_token(
    State(ctx): State<Arc<AppContext>>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, IntakeError> {
    receive(&ctx, Some(&token), &headers, body).await
}

async fn receive(
    ctx: &AppContext,
    url_token: Option<&str>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, IntakeError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(IntakeError::TooLarge);
    }
    let bytes = Limited::new(body, MAX_BODY_BYTES)
        .collect()
        .await
        .map_err(|e| {
            if e.is::<LengthLimitError>() {
                IntakeError::TooLarge
            } else {
                IntakeError::BadBody(e.to_string())
            }
        })?
        .to_bytes();
    let signature = headers.get(auth::SIGNATURE_HEADER).map(|v| v.as_bytes());
    if let Err(e) = auth::verify(&ctx.config.webhook, signature, url_token, &bytes) {
        warn!(reason = e.code(), "webhook refused");
        return Err(e.into());
    }
    let mut unroutable = None;
    let new_event = match parse(&bytes)? {
        Incoming::Submission(ev) => {
            let (new_event, why) = intake_record(&ctx.profiles.current(), ev)
                .map_err(|e| IntakeError::BadBody(e.to_string()))?;
            unroutable = why;
            new_event
        }
        Incoming::Other {
            kind,
            dedup_key,
            payload,
        } => NewEvent {
            dedup_key,
            kind,
            payload: payload.to_string(),
            create_job: false,
        },
    };
    let kind = new_event.kind.clone();
    let inserted = ctx.intake.submit(new_event).await?;
    if let Some(why) = unroutable {
        // Recorded (so it is never lost), but no profile can report it: say so to the sender.
        let event_id = match inserted {
            Inserted::Recorded { event_id } => Some(event_id),
            _ => None,
        };
        warn!(code = why.code, reason = %why.reason, "submission routes to no report profile");
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": why.code, "message": why.reason, "event_id": event_id})),
        )
            .into_response());
    }
    let response = match inserted {
        Inserted::Queued { job_id, .. } => {
            info!(job_id, "webhook accepted");
            (
                StatusCode::ACCEPTED,
                Json(json!({"status": "queued", "job_id": job_id})),
            )
        }
        Inserted::Duplicate => {
            info!(kind, "duplicate webhook ignored");
            (StatusCode::OK, Json(json!({"status": "duplicate"})))
        }
        Inserted::Recorded { event_id } => {
            info!(
                kind,
                event_id, "webhook recorded; no report is configured for this event type"
            );
            (
                StatusCode::OK,
                Json(
                    json!({"status": "ignored", "event_id": event_id, "reason": format!("no report is configured for {kind} events")}),
                ),
            )
        }
    };
    Ok(response.into_response())
}
