//! A job's page by its id, and its report's PDF as stored (and emailed).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::page::{message, Ui};
use super::session::Operator;
use crate::http::AppContext;

/// `GET /admin/jobs/{id}`: the submission page of a job.
pub async fn job(
    State(ctx): State<Arc<AppContext>>,
    op: Operator,
    ui: Ui,
    Path(job_id): Path<i64>,
) -> Response {
    match ctx.store.event_of_job(job_id).await {
        Ok(Some(event_id)) => {
            Redirect::to(&format!("/admin/submissions/{event_id}")).into_response()
        }
        Ok(None) => not_found(&ctx, ui, &op),
        Err(e) => super::unavailable(&ctx, ui, &op, &e.to_string()),
    }
}

/// `GET /admin/jobs/{id}/report.pdf`: the report as stored (and emailed).
pub async fn pdf(
    State(ctx): State<Arc<AppContext>>,
    op: Operator,
    ui: Ui,
    Path(job_id): Path<i64>,
) -> Response {
    let key = match ctx.store.delivered_job(job_id).await {
        Ok(Some(j)) => j.report_key,
        Ok(None) => None,
        Err(e) => return super::unavailable(&ctx, ui, &op, &e.to_string()),
    };
    let Some(key) = key else {
        return not_found(&ctx, ui, &op);
    };
    match ctx.queue.deps().storage.get(&key).await {
        Ok(Some(bytes)) => {
            let name = key
                .rsplit('/')
                .next()
                .unwrap_or("report.pdf")
                .replace(['"', '\\'], "_");
            (
                [
                    (header::CONTENT_TYPE, "application/pdf".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{}\"", name.escape_default()),
                    ),
                ],
                bytes,
            )
                .into_response()
        }
        Ok(None) => not_found(&ctx, ui, &op),
        Err(e) => super::unavailable(&ctx, ui, &op, &e.to_string()),
    }
}

pub fn not_found(ctx: &AppContext, ui: Ui, op: &Operator) -> Response {
    message(
        ctx,
        ui,
        StatusCode::NOT_FOUND,
        op.csrf.as_deref(),
        ui.lang.text("not_found"),
        Vec::new(),
        "/admin/submissions",
    )
}
