//! The HTTP face of the service: intake (`POST /webhook`), health, readiness, the service
//! description and the operator's status view, on one router over the application's state.

pub mod admin;
pub mod auth;
pub mod intake;

use std::sync::Arc;

use axum::error_handling::HandleErrorLayer;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use tower::ServiceBuilder;
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
}

/// Webhooks being handled at once; beyond it the service answers 503 at once rather than
/// queue connections until LearnWorlds times out.
const MAX_IN_FLIGHT: usize = 4096;

pub fn router(ctx: Arc<AppContext>) -> Router {
    let webhook_limits = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(|_: tower::BoxError| async {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"error": "overloaded", "message": "too many webhooks at once, retry shortly"})),
            )
                .into_response()
        }))
        .load_shed()
        .concurrency_limit(MAX_IN_FLIGHT);
    Router::new()
        .route("/webhook", post(intake::webhook))
        .route("/webhook/{token}", post(intake::webhook_with_token))
        .layer(webhook_limits)
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
