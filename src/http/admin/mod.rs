//! The operator's side of the service: the dashboard under `/admin` (a login with
//! `ADMIN_TOKEN`, the overview, the submissions, the actions; 404 everywhere while no token is
//! set), `GET /admin/status` for scripts, and health and readiness (`health`).

mod actions;
mod bulk;
mod csrf;
mod errors;
mod health;
mod i18n;
mod login;
mod overview;
mod page;
mod report;
mod session;
mod submissions;
mod template_install;
mod templates;

pub use health::{healthz, index, readyz};

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::db::StatusReport;
use crate::http::AppContext;

/// Who may see an operator endpoint when `ADMIN_TOKEN` is not set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// 404 without a token configured (the status view: students' names and errors).
    RequiresToken,
    /// Open without a token configured (metrics: counts only, for a scraper on the network).
    OpenWithoutToken,
}

/// None when the request may see an operator endpoint (`Authorization: Bearer
/// <ADMIN_TOKEN>`, compared in constant time), else the answer refusing it.
pub fn refusal(ctx: &AppContext, headers: &HeaderMap, access: Access) -> Option<Response> {
    let Some(expected) = &ctx.config.admin_token else {
        return match access {
            Access::OpenWithoutToken => None,
            Access::RequiresToken => Some(error(
                StatusCode::NOT_FOUND,
                "admin_disabled",
                "set ADMIN_TOKEN to enable the operator endpoints",
            )),
        };
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let given_hash = <sha2::Sha256 as sha2::Digest>::digest(given.as_bytes());
    let expected_hash = <sha2::Sha256 as sha2::Digest>::digest(expected.expose().as_bytes());
    if !bool::from(given_hash.ct_eq(&expected_hash)) {
        return Some(error(
            StatusCode::UNAUTHORIZED,
            "invalid_admin_token",
            "Authorization: Bearer <ADMIN_TOKEN> required",
        ));
    }
    None
}

/// `GET /admin/status`: the same report as `webhook-service status`, for a deployed service.
pub async fn status(State(ctx): State<Arc<AppContext>>, headers: HeaderMap) -> Response {
    if let Some(refused) = refusal(&ctx, &headers, Access::RequiresToken) {
        return refused;
    }
    match ctx.store.status(20).await {
        Ok(report) => Json::<StatusReport>(report).into_response(),
        Err(e) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            &e.to_string(),
        ),
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"error": code, "message": message}))).into_response()
}

/// The dashboard's state shared by every request: failed logins per client.
pub struct Dashboard {
    pub login_failures: crate::http::limits::RateLimiter,
}

impl Default for Dashboard {
    fn default() -> Self {
        Self {
            login_failures: crate::http::limits::RateLimiter::new(login::LOGIN_FAILURES_PER_MINUTE),
        }
    }
}

/// The dashboard's routes (every one 404 while `ADMIN_TOKEN` is not set).
pub fn dashboard() -> Router<Arc<AppContext>> {
    Router::new()
        .route("/admin", get(overview::page))
        .route("/admin/", get(overview::page))
        .route("/admin/login", get(login::form_page).post(login::login))
        .route("/admin/logout", axum::routing::post(login::logout))
        .route("/admin/submissions", get(submissions::list))
        .route("/admin/submissions/{event_id}", get(submissions::detail))
        .route("/admin/jobs/{id}", get(report::job))
        .route("/admin/jobs/{id}/report.pdf", get(report::pdf))
        .route(
            "/admin/jobs/{id}/retry",
            get(actions::retry_confirm).post(actions::retry),
        )
        .route(
            "/admin/jobs/{id}/resend",
            get(actions::resend_confirm).post(actions::resend),
        )
        .route(
            "/admin/requeue",
            get(bulk::requeue_confirm).post(bulk::requeue),
        )
        .route(
            "/admin/reroute",
            get(bulk::reroute_confirm).post(bulk::reroute),
        )
        .route("/admin/templates", get(templates::page))
        .route(
            "/admin/templates/preview",
            axum::routing::post(templates::preview).layer(axum::extract::DefaultBodyLimit::max(
                crate::catalog::template_candidates::MAX_TEMPLATE_BYTES + 64 * 1024,
            )),
        )
        .route(
            "/admin/templates/candidates/{file}",
            get(templates::candidate_pdf),
        )
        .route(
            "/admin/templates/replace",
            get(template_install::replace_confirm).post(template_install::replace),
        )
        .route(
            "/admin/templates/rollback",
            get(template_install::rollback_confirm).post(template_install::rollback),
        )
}

/// The database could not answer: a page saying so (503), not an error line per request.
fn unavailable(ctx: &AppContext, ui: page::Ui, op: &session::Operator, detail: &str) -> Response {
    tracing::warn!(error = detail, "dashboard: database unavailable");
    page::message(
        ctx,
        ui,
        StatusCode::SERVICE_UNAVAILABLE,
        op.csrf.as_deref(),
        "503",
        vec![detail.to_string()],
        "/admin",
    )
}
