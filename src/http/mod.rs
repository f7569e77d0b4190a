//! The HTTP face of the service: intake (`POST /webhook`), health, readiness, the service
//! description and the operator's status view, on one router over the application's state.

pub mod admin;
pub mod auth;
pub mod guard;
pub mod intake;
pub mod limits;
mod memory;
pub mod metrics;
pub mod probes;
pub mod server;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::{DefaultOnFailure, TraceLayer};
use tracing::Level;

use crate::catalog::ProfileRegistry;
use crate::config::Config;
use crate::db::{IntakeWriter, Store};
use crate::jobs::Queue;

/// What every handler reads: built once by `Application::build`.
pub struct AppContext {
    pub config: Config,
    pub store: Store,
    pub intake: IntakeWriter,
    pub queue: Arc<Queue>,
    /// Report types; intake routes with them.
    pub profiles: Arc<ProfileRegistry>,
    /// Webhook slots, rate limits and the refusal log (see `guard`).
    pub guards: guard::Guards,
    /// The mail server's readiness, asked at most once a minute.
    pub smtp_probe: Arc<probes::SmtpProbe>,
    /// The operator dashboard's failed-login counts.
    pub dashboard: admin::Dashboard,
}

/// The routes. Served by `server::serve`, which caps connections, times out slow headers and
/// gives each request its client's address; intake authenticates before it takes one of the
/// `WEBHOOK_MAX_IN_FLIGHT` slots (503 `overloaded` beyond them) or reads the body.
pub fn router(ctx: Arc<AppContext>) -> Router {
    Router::new()
        .route("/webhook", post(intake::webhook))
        .route("/webhook/{token}", post(intake::webhook_with_token))
        .route("/", get(admin::index))
        .route("/healthz", get(admin::healthz))
        .route("/readyz", get(admin::readyz))
        .route("/admin/status", get(admin::status))
        .route("/metrics", get(metrics::scrape))
        .merge(admin::dashboard())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                // A 503 is an answer (not ready yet, overloaded, database down), already
                // explained by the handler's own lines: WARN, never ERROR.
                .on_failure(DefaultOnFailure::new().level(Level::WARN)),
        )
        // Outside the trace layer, so the span sees the id; echoed in the answer.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(RandomRequestId))
        .with_state(ctx)
}

/// A fresh id for a request that brings none (`X-Request-Id`).
#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let id = format!("{:016x}", rand::random::<u64>());
        axum::http::HeaderValue::from_str(&id)
            .ok()
            .map(RequestId::new)
    }
}

/// The request's span — at INFO, so every line logged while handling the request carries its
/// `request_id` — without the URL token second factor (it is a secret) and without the query
/// string.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let path = request.uri().path();
    let path = if path.starts_with("/webhook/") {
        "/webhook/{token}"
    } else {
        path
    };
    // A client-chosen id is kept short and printable.
    let request_id: String = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(64)
        .collect();
    tracing::info_span!("http", request_id = %request_id, method = %request.method(), path = %path)
}
