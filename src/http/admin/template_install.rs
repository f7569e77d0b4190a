//! Replacing a live Word template with a previewed upload, and rolling back to a kept
//! version: each a confirmation page and a POST with the session's CSRF token; the replaced
//! file is kept and the change recorded (`catalog::template_install`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::actions::{confirm, done, form};
use super::csrf;
use super::page::Ui;
use super::session::Operator;
use crate::catalog::template_candidates::TemplateChangeError;
use crate::catalog::template_install::{install_candidate, roll_back};
use crate::http::AppContext;

const BACK: &str = "/admin/templates";

/// The profiles (other than `except`) whose live template is `path`.
fn users_of(ctx: &AppContext, path: &str) -> Vec<String> {
    ctx.profiles
        .current()
        .profiles
        .iter()
        .filter(|p| p.spec.template == path)
        .map(|p| p.name().to_string())
        .collect()
}

fn result_lines(
    ui: Ui,
    path: &str,
    r: Result<Option<String>, TemplateChangeError>,
) -> (bool, Vec<String>) {
    match r {
        Ok(previous) => (
            true,
            vec![
                format!("{}: {path}", ui.lang.text("tpl_path")),
                format!(
                    "{}: {}",
                    ui.lang.text("tpl_kept"),
                    previous.as_deref().unwrap_or(ui.lang.text("none"))
                ),
                ui.lang.text("tpl_other_instances").to_string(),
            ],
        ),
        Err(e) => (false, vec![format!("{e} ({})", e.code())]),
    }
}

/// `GET /admin/templates/replace?profile=&candidate=`.
pub async fn replace_confirm(
    State(ctx): State<Arc<AppContext>>,
    op: Operator,
    ui: Ui,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let profile = q.get("profile").cloned().unwrap_or_default();
    let candidate = q.get("candidate").cloned().unwrap_or_default();
    let Ok(p) = ctx.profiles.current().profile(&profile) else {
        return super::report::not_found(&ctx, ui, &op);
    };
    let explanation = format!(
        "{} {}: {}. {}",
        ui.lang.text("confirm_replace"),
        p.spec.template,
        users_of(&ctx, &p.spec.template).join(", "),
        ui.lang.text("tpl_keeps_previous"),
    );
    confirm(
        &ctx,
        ui,
        &op,
        ui.lang.text("tpl_replace"),
        &explanation,
        "/admin/templates/replace".into(),
        json!({"profile": profile, "candidate": candidate}),
        BACK,
    )
}

/// `POST /admin/templates/replace` (`csrf`, `profile`, `candidate`).
pub async fn replace(
    State(ctx): State<Arc<AppContext>>,
    op: Operator,
    ui: Ui,
    body: Bytes,
) -> Response {
    let fields = form(&body);
    if let Err(refused) = csrf::check(&op, fields.get(csrf::FIELD).map(String::as_str)) {
        return refused.into_response();
    }
    let name = fields.get("profile").cloned().unwrap_or_default();
    let Ok(profile) = ctx.profiles.current().profile(&name) else {
        return super::report::not_found(&ctx, ui, &op);
    };
    let sha = fields.get("candidate").cloned().unwrap_or_default();
    let r = install_candidate(&ctx.profiles, &ctx.store, &profile, &sha, op.actor()).await;
    let (ok, lines) = result_lines(ui, &profile.spec.template, r);
    done(&ctx, ui, &op, ok, lines, BACK)
}

/// `GET /admin/templates/rollback?path=&version=`.
pub async fn rollback_confirm(
    State(ctx): State<Arc<AppContext>>,
    op: Operator,
    ui: Ui,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let path = q.get("path").cloned().unwrap_or_default();
    let version = q.get("version").cloned().unwrap_or_default();
    let explanation = format!(
        "{} {path}: {}. {}",
        ui.lang.text("confirm_rollback"),
        users_of(&ctx, &path).join(", "),
        ui.lang.text("tpl_keeps_previous"),
    );
    confirm(
        &ctx,
        ui,
        &op,
        ui.lang.text("tpl_rollback"),
        &explanation,
        "/admin/templates/rollback".into(),
        json!({"path": path, "version": version}),
        BACK,
    )
}

/// `POST /admin/templates/rollback` (`csrf`, `path`, `version`).
pub async fn rollback(
    State(ctx): State<Arc<AppContext>>,
    op: Operator,
    ui: Ui,
    body: Bytes,
) -> Response {
    let fields = form(&body);
    if let Err(refused) = csrf::check(&op, fields.get(csrf::FIELD).map(String::as_str)) {
        return refused.into_response();
    }
    let path = fields.get("path").cloned().unwrap_or_default();
    // Only a template some profile uses: the form cannot write anywhere else in storage.
    if users_of(&ctx, &path).is_empty() {
        return super::report::not_found(&ctx, ui, &op);
    }
    let version = fields.get("version").cloned().unwrap_or_default();
    let r = roll_back(&ctx.profiles, &ctx.store, &path, &version, op.actor()).await;
    let (ok, lines) = result_lines(ui, &path, r);
    done(&ctx, ui, &op, ok, lines, BACK)
}
