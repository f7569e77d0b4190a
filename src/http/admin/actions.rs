//! The operator's actions, each in two steps — a GET showing what will happen and a POST
//! (with the session's CSRF token) doing it — and each recorded with who and when in
//! `operator_actions` by the layer below: retry now and resend here, requeue a code and
//! reroute in `bulk`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map};

use super::csrf;
use super::errors::plain;
use super::page::{message, render, Ui};
use super::session::Operator;
use crate::db::ActionOutcome;
use crate::http::AppContext;
use crate::jobs::resend::resend as resend_job;

/// A POST's form fields (parsed here, so that a body of any type is answered 403 when its
/// token is missing, never 415).
pub fn form(body: &Bytes) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

#[allow(clippy::too_many_arguments)]
pub(super) fn confirm(
    ctx: &AppContext,
    ui: Ui,
    op: &Operator,
    title: &str,
    explanation: &str,
    action: String,
    fields: serde_json::Value,
    back: &str,
) -> Response {
    let mut vars = Map::new();
    vars.insert("action_title".into(), title.into());
    vars.insert("explanation".into(), explanation.into());
    vars.insert("action".into(), action.into());
    vars.insert("fields".into(), fields);
    vars.insert("back".into(), back.into());
    render(
        ctx,
        ui,
        StatusCode::OK,
        "confirm.html",
        op.csrf.as_deref(),
        vars,
    )
}

pub(super) fn done(
    ctx: &AppContext,
    ui: Ui,
    op: &Operator,
    ok: bool,
    lines: Vec<String>,
    back: &str,
) -> Response {
    let (status, title) = if ok {
        (StatusCode::OK, ui.lang.text("done"))
    } else {
        (StatusCode::CONFLICT, ui.lang.text("not_applicable"))
    };
    message(ctx, ui, status, op.csrf.as_deref(), title, lines, back)
}

pub(super) fn outcome_line(ui: Ui, job_id: i64, o: &ActionOutcome) -> String {
    let job = ui.lang.text("job");
    match o {
        ActionOutcome::Done { was } => format!("{job} {job_id}: {} ({was})", ui.lang.text("done")),
        ActionOutcome::NotApplicable { state } => {
            format!(
                "{job} {job_id}: {} ({state})",
                ui.lang.text("not_applicable")
            )
        }
        ActionOutcome::Unknown => format!("{job} {job_id}: {}", ui.lang.text("not_found")),
    }
}

/// The confirmation page of an action on one job (`/admin/jobs/{id}/{action}`).
fn confirm_job_action(
    ctx: &Arc<AppContext>,
    ui: Ui,
    op: &Operator,
    id: i64,
    action: &'static str,
    question: &'static str,
) -> Response {
    let back = format!("/admin/jobs/{id}");
    confirm(
        ctx,
        ui,
        op,
        ui.lang.text(action),
        ui.lang.text(question),
        format!("/admin/jobs/{id}/{action}"),
        json!({}),
        &back,
    )
}

pub async fn retry_confirm(
    State(ctx): State<Arc<AppContext>>,
    op: Operator,
    ui: Ui,
    Path(id): Path<i64>,
) -> Response {
    confirm_job_action(&ctx, ui, &op, id, "retry", "confirm_retry")
}

pub async fn retry(
    State(ctx): State<Arc<AppContext>>,
    op: Operator,
    ui: Ui,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    if let Err(refused) = csrf::check(&op, form(&body).get(csrf::FIELD).map(String::as_str)) {
        return refused.into_response();
    }
    let back = format!("/admin/jobs/{id}");
    match ctx.store.retry_now(id, op.actor()).await {
        Ok(o) => {
            ctx.queue.wake();
            let ok = matches!(o, ActionOutcome::Done { .. });
            done(&ctx, ui, &op, ok, vec![outcome_line(ui, id, &o)], &back)
        }
        Err(e) => super::unavailable(&ctx, ui, &op, &e.to_string()),
    }
}

pub async fn resend_confirm(
    State(ctx): State<Arc<AppContext>>,
    op: Operator,
    ui: Ui,
    Path(id): Path<i64>,
) -> Response {
    confirm_job_action(&ctx, ui, &op, id, "resend", "confirm_resend")
}

pub async fn resend(
    State(ctx): State<Arc<AppContext>>,
    op: Operator,
    ui: Ui,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    if let Err(refused) = csrf::check(&op, form(&body).get(csrf::FIELD).map(String::as_str)) {
        return refused.into_response();
    }
    let back = format!("/admin/jobs/{id}");
    let deps = ctx.queue.deps();
    let result = resend_job(
        &deps.store,
        &deps.storage,
        &deps.profiles,
        &deps.mail,
        deps.mailer.as_ref(),
        id,
        op.actor(),
    )
    .await;
    match result {
        Ok(r) => {
            let line = match &r.sent {
                Ok(()) => format!(
                    "{}: {} → {}",
                    ui.lang.text("ev_resend"),
                    ui.lang.text("done"),
                    r.to
                ),
                Err(e) => format!(
                    "{}: {} ({})",
                    ui.lang.text("ev_resend"),
                    plain(ui.lang, e.code()),
                    e.code()
                ),
            };
            done(&ctx, ui, &op, r.sent.is_ok(), vec![line], &back)
        }
        Err(e) => done(
            &ctx,
            ui,
            &op,
            false,
            vec![
                format!("{} ({})", plain(ui.lang, e.code()), e.code()),
                e.to_string(),
            ],
            &back,
        ),
    }
}
