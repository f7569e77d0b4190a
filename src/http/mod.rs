//! The HTTP face of the service: intake (`POST /webhook`), health, readiness, the service
//! description and the operator's status view, on one router over the application's state.

pub mod admin;
pub mod auth;
pub mod guard;
pub mod intake;
pub mod server;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use tower_http::trace::TraceLayer;

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
    /// Webhook slots and the refusal log (see `guard`).
    pub guards: guard::Guards,
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
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(ctx)
}

/// The request's span without the URL token second factor (it is a secret) and without the
/// query string.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let path = request.uri().path();
    let path = if path.starts_with("/webhook/") {
        "/webhook/{token}"
    } else {
        path
    };
    tracing::debug_span!("http", method = %request.method(), path = %path)
}
