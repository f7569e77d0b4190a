//! `POST /webhook`: authenticate, parse, route to a report profile, record durably, answer.
//! Nothing heavy happens here.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::json;
use tracing::{info, warn};

use super::auth::Verdict;

use super::auth;
use super::limits::client_ip;
use super::AppContext;
use crate::domain::event::{parse, Incoming, MalformedEvent};

use crate::db::{Inserted, NewEvent, StoreError};
use crate::rules::intake_record::intake_record;
use crate::telemetry::metrics;

/// Larger bodies are refused with 413 before they are read in full.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("the body is larger than {MAX_BODY_BYTES} bytes")]
    TooLarge,
    #[error("could not read the body: {0}")]
    BadBody(String),
    #[error("the body did not arrive within {} s", .0.as_secs_f64())]
    BodyTimeout(Duration),
    #[error("too many webhooks at once, retry shortly")]
    Overloaded,
    /// `WEBHOOK_RATE_LIMIT_PER_MINUTE` of this client used up.
    #[error("too many webhooks from this address, retry in {} s", retry_after_s(*.0))]
    RateLimited(Duration),
    /// `WEBHOOK_AUTH_FAILURES_PER_MINUTE` of this client used up: nothing is checked now.
    #[error("too many refused signatures from this address, retry in {} s", retry_after_s(*.0))]
    TooManyAuthFailures(Duration),
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
            Self::BodyTimeout(_) => (StatusCode::REQUEST_TIMEOUT, "body_timeout"),
            Self::Overloaded => (StatusCode::SERVICE_UNAVAILABLE, "overloaded"),
            Self::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Self::TooManyAuthFailures(_) => {
                (StatusCode::TOO_MANY_REQUESTS, "too_many_auth_failures")
            }
            Self::Unauthorized(e) => (StatusCode::UNAUTHORIZED, e.code()),
            Self::Malformed { field: None, .. } => (StatusCode::BAD_REQUEST, "invalid_json"),
            Self::Malformed { field: Some(_), .. } => (StatusCode::BAD_REQUEST, "invalid_field"),
            Self::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "database_unavailable"),
        };
        metrics::webhook(code);
        let field = match &self {
            Self::Malformed { field, .. } => field.clone(),
            _ => None,
        };
        let mut response = (
            status,
            Json(json!({"error": code, "field": field, "message": self.to_string()})),
        )
            .into_response();
        let retry_after = match &self {
            Self::RateLimited(wait) | Self::TooManyAuthFailures(wait) => {
                Some(retry_after_s(*wait).to_string())
            }
            _ if status == StatusCode::SERVICE_UNAVAILABLE => Some("5".into()),
            _ => None,
        };
        if let Some(value) = retry_after.and_then(|v| header::HeaderValue::from_str(&v).ok()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// Whole seconds, at least 1, as `Retry-After` wants them.
fn retry_after_s(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

pub async fn webhook(
    State(ctx): State<Arc<AppContext>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, IntakeError> {
    receive(&ctx, client, None, &headers, body).await
}

pub async fn webhook_with_token(
    State(ctx): State<Arc<AppContext>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, IntakeError> {
    receive(&ctx, client, Some(&token), &headers, body).await
}

/// Authenticates on the headers first (LearnWorlds' `plain` scheme needs nothing else), so an
/// unauthenticated sender is answered 401 without its body being read and never takes one of
/// the `WEBHOOK_MAX_IN_FLIGHT` slots; only `hmac-sha256` mode reads the body (within the size
/// and time limits) before it can decide.
///
/// Before anything else, the client's rate limits: the client is the socket's peer, or behind
/// a proxy listed in `TRUSTED_PROXIES` the address that proxy forwarded (`limits`).
async fn receive(
    ctx: &AppContext,
    client: SocketAddr,
    url_token: Option<&str>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, IntakeError> {
    let webhook = &ctx.config.webhook;
    let guards = &ctx.guards;
    let client = client_ip(client.ip(), headers, &guards.trusted_proxies);
    let now = Instant::now();
    if let Err(wait) = guards.auth_failures.check(client, now) {
        guards.refusals.refused(client, "too_many_auth_failures");
        return Err(IntakeError::TooManyAuthFailures(wait));
    }
    if let Err(wait) = guards.webhooks.take(client, now) {
        guards.refusals.refused(client, "rate_limited");
        return Err(IntakeError::RateLimited(wait));
    }
    let signature = headers.get(auth::SIGNATURE_HEADER).map(|v| v.as_bytes());
    let refuse = |e: auth::AuthError| {
        // Spends one of the client's few refusals a minute (checked above).
        let _ = guards.auth_failures.take(client, Instant::now());
        guards.refusals.refused(client, e.code());
        IntakeError::from(e)
    };
    let verdict = auth::verify_headers(webhook, signature, url_token).map_err(refuse)?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(IntakeError::TooLarge);
    }
    let timeout = ctx.config.server.body_timeout;
    let (_slot, bytes) = match verdict {
        Verdict::Authenticated => {
            let slot = ctx.guards.slot().ok_or(IntakeError::Overloaded)?;
            (slot, read_body(body, timeout).await?)
        }
        Verdict::NeedsBody => {
            let bytes = read_body(body, timeout).await?;
            auth::verify_body(webhook, signature, &bytes).map_err(refuse)?;
            (ctx.guards.slot().ok_or(IntakeError::Overloaded)?, bytes)
        }
    };
    record(ctx, &bytes).await
}

/// The whole body, at most `MAX_BODY_BYTES`, within `timeout`.
async fn read_body(body: Body, timeout: Duration) -> Result<bytes::Bytes, IntakeError> {
    let read = Limited::new(body, MAX_BODY_BYTES).collect();
    let collected = tokio::time::timeout(timeout, read)
        .await
        .map_err(|_| IntakeError::BodyTimeout(timeout))?;
    Ok(collected
        .map_err(|e| {
            if e.is::<LengthLimitError>() {
                IntakeError::TooLarge
            } else {
                IntakeError::BadBody(e.to_string())
            }
        })?
        .to_bytes())
}

/// Parses, routes and durably records an authenticated webhook, and says what became of it.
async fn record(ctx: &AppContext, bytes: &[u8]) -> Result<Response, IntakeError> {
    let mut unroutable = None;
    let new_event = match parse(bytes)? {
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
            answers_of: None,
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
        metrics::webhook("unroutable");
        warn!(code = why.code, reason = %why.reason, "submission routes to no report profile");
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": why.code, "message": why.reason, "event_id": event_id})),
        )
            .into_response());
    }
    let response = match inserted {
        Inserted::Queued { job_id, .. } => {
            metrics::webhook("queued");
            info!(job_id, "webhook accepted");
            (
                StatusCode::ACCEPTED,
                Json(json!({"status": "queued", "job_id": job_id})),
            )
        }
        Inserted::Duplicate => {
            metrics::webhook("duplicate");
            info!(kind, "duplicate webhook ignored");
            (StatusCode::OK, Json(json!({"status": "duplicate"})))
        }
        Inserted::Recorded { event_id } => {
            metrics::webhook("ignored");
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
