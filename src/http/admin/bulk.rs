//! The actions on many submissions at once: requeue every dead job of one error code, and
//! reroute the unroutable submissions; confirmed and recorded like the others (`actions`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::actions::{confirm, done, form, outcome_line};
use super::csrf;
use super::errors::plain;
use super::page::Ui;
use super::session::Operator;
use crate::db::Requeue;
use crate::http::AppContext;
use crate::jobs::reroute::{reroute as reroute_all, Rerouted};

pub async fn requeue_confirm(
    State(ctx): State<Arc<AppContext>>,
    op: Operator,
    ui: Ui,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let code = q.get("code").cloned().unwrap_or_default();
    let explanation = format!(
        "{} {} ({code})",
        ui.lang.text("confirm_requeue"),
        plain(ui.lang, &code)
    );
    confirm(
        &ctx,
        ui,
        &op,
        ui.lang.text("requeue_code"),
        &explanation,
        "/admin/requeue".into(),
        json!({"code": code}),
        "/admin",
    )
}

pub async fn requeue(
    State(ctx): State<Arc<AppContext>>,
    op: Operator,
    ui: Ui,
    body: Bytes,
) -> Response {
    let fields = form(&body);
    if let Err(refused) = csrf::check(&op, fields.get(csrf::FIELD).map(String::as_str)) {
        return refused.into_response();
    }
    let code = fields.get("code").map(|c| c.trim()).unwrap_or_default();
    if code.is_empty() {
        return done(&ctx, ui, &op, false, vec!["code?".into()], "/admin");
    }
    match ctx
        .store
        .requeue(&Requeue::Code(code.to_string()), op.actor())
        .await
    {
        Ok(results) => {
            ctx.queue.wake();
            let lines = results
                .iter()
                .map(|(id, o)| outcome_line(ui, *id, o))
                .collect();
            done(&ctx, ui, &op, true, lines, "/admin")
        }
        Err(e) => super::unavailable(&ctx, ui, &op, &e.to_string()),
    }
}

pub async fn reroute_confirm(State(ctx): State<Arc<AppContext>>, op: Operator, ui: Ui) -> Response {
    confirm(
        &ctx,
        ui,
        &op,
        ui.lang.text("reroute"),
        ui.lang.text("confirm_reroute"),
        "/admin/reroute".into(),
        json!({}),
        "/admin",
    )
}

pub async fn reroute(
    State(ctx): State<Arc<AppContext>>,
    op: Operator,
    ui: Ui,
    body: Bytes,
) -> Response {
    if let Err(refused) = csrf::check(&op, form(&body).get(csrf::FIELD).map(String::as_str)) {
        return refused.into_response();
    }
    // The operator has just fixed the profiles or the routing sheet: read them now.
    ctx.profiles.reload().await;
    match reroute_all(&ctx.store, &ctx.profiles, op.actor()).await {
        Ok(results) => {
            ctx.queue.wake();
            let lines = results
                .iter()
                .map(|r| match &r.outcome {
                    Rerouted::Queued { job_id } => {
                        format!("{}: {} {job_id}", r.event_id, ui.lang.text("ev_queued"))
                    }
                    Rerouted::AlreadyQueued { .. } => {
                        format!("{}: {}", r.event_id, ui.lang.text("not_applicable"))
                    }
                    Rerouted::StillUnroutable { code, .. } => {
                        format!("{}: {} ({code})", r.event_id, plain(ui.lang, code))
                    }
                    Rerouted::Unreadable { message } => format!("{}: {message}", r.event_id),
                })
                .collect();
            done(
                &ctx,
                ui,
                &op,
                true,
                lines,
                "/admin/submissions?state=unroutable",
            )
        }
        Err(e) => super::unavailable(&ctx, ui, &op, &e.to_string()),
    }
}
