//! Template preview: the profiles and their live Word templates (with the kept earlier
//! versions and the recorded changes), an upload form, and the check of an upload — its
//! problems and warnings and the report it makes for the sample student, as a PDF in the page
//! — before anything replaces what students receive (`template_install`).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::csrf;
use super::i18n::local_time;
use super::page::{message, render, Ui};
use super::session::Operator;
use crate::catalog::template_candidates::{
    candidate, check_candidate, keep_candidate, TemplateChangeError, MAX_TEMPLATE_BYTES,
};
use crate::catalog::template_install::versions;
use crate::http::AppContext;

/// `?name=value&…` with each value escaped.
pub(super) fn query(path: &str, pairs: &[(&str, &str)]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        q.append_pair(k, v);
    }
    format!("{path}?{}", q.finish())
}

/// When a kept version was made, from its name (`<UTC stamp>-<sha>.docx`).
fn version_label(tz: chrono_tz::Tz, key: &str) -> String {
    let name = key.rsplit('/').next().unwrap_or(key);
    let stamp = name.split('-').next().unwrap_or_default();
    chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%S%.3fZ")
        .map(|t| local_time(tz, t.and_utc().timestamp_millis()))
        .unwrap_or_else(|_| name.to_string())
}

/// `GET /admin/templates`.
pub async fn page(State(ctx): State<Arc<AppContext>>, op: Operator, ui: Ui) -> Response {
    let tz = ctx.config.dashboard.timezone;
    let set = ctx.profiles.current();
    let mut by_path: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let profiles: Vec<Value> = set
        .profiles
        .iter()
        .map(|p| {
            by_path
                .entry(p.spec.template.clone())
                .or_default()
                .push(p.name().to_string());
            json!({"name": p.name(), "title": p.title()})
        })
        .collect();
    let mut templates = Vec::new();
    let mut n = 0;
    for (path, names) in by_path {
        let kept = match versions(&ctx.profiles, &path).await {
            Ok(v) => v,
            Err(e) => return super::unavailable(&ctx, ui, &op, &e.to_string()),
        };
        let kept: Vec<Value> = kept
            .iter()
            .map(|key| {
                n += 1;
                json!({
                    "id": format!("rollback-{}", n - 1),
                    "label": version_label(tz, key),
                    "rollback": query("/admin/templates/rollback", &[("path", &path), ("version", key)]),
                })
            })
            .collect();
        templates.push(json!({"path": path, "profiles": names.join(", "), "versions": kept}));
    }
    let changes = match ctx.store.template_changes(20).await {
        Ok(c) => c,
        Err(e) => return super::unavailable(&ctx, ui, &op, &e.to_string()),
    };
    let changes: Vec<Value> = changes
        .iter()
        .map(|c| {
            json!({
                "at": local_time(tz, c.at), "actor": c.actor,
                "action": ui.lang.text(&format!("ch_{}", c.action)),
                "path": c.template_path, "sha": c.installed_sha256.get(..12),
                "previous": c.previous_key, "detail": c.detail,
            })
        })
        .collect();
    let mut vars = Map::new();
    vars.insert("profiles".into(), profiles.into());
    vars.insert("templates".into(), templates.into());
    vars.insert("changes".into(), changes.into());
    vars.insert("max_mb".into(), (MAX_TEMPLATE_BYTES / (1024 * 1024)).into());
    render(
        &ctx,
        ui,
        StatusCode::OK,
        "templates.html",
        op.csrf.as_deref(),
        vars,
    )
}

/// The fields of the upload form, and why it could not all be read (too large, cut off):
/// the token comes first in the form, so that such an upload is still told what went wrong.
#[derive(Default)]
struct Upload {
    csrf: Option<String>,
    profile: Option<String>,
    file: Option<Bytes>,
    unreadable: Option<(StatusCode, String)>,
}

async fn read_upload(req: Request, ctx: &Arc<AppContext>) -> Upload {
    let mut upload = Upload::default();
    let mut form = match Multipart::from_request(req, ctx).await {
        Ok(f) => f,
        Err(e) => {
            upload.unreadable = Some((e.status(), e.body_text()));
            return upload;
        }
    };
    let failed = |e: axum::extract::multipart::MultipartError| (e.status(), e.body_text());
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return upload,
            Err(e) => {
                upload.unreadable = Some(failed(e));
                return upload;
            }
        };
        let read = match field.name().unwrap_or_default() {
            "csrf" => field.text().await.map(|t| upload.csrf = Some(t)),
            "profile" => field.text().await.map(|t| upload.profile = Some(t)),
            "file" => field.bytes().await.map(|b| upload.file = Some(b)),
            _ => Ok(()),
        };
        if let Err(e) = read {
            upload.unreadable = Some(failed(e));
            return upload;
        }
    }
}

/// `POST /admin/templates/preview` (multipart: `csrf`, `profile`, `file`): checks the upload
/// and fills it for the sample student; 422 when it has problems. Nothing live changes.
pub async fn preview(
    State(ctx): State<Arc<AppContext>>,
    op: Operator,
    ui: Ui,
    req: Request,
) -> Response {
    let upload = read_upload(req, &ctx).await;
    if let Err(refused) = csrf::check(&op, upload.csrf.as_deref()) {
        return refused.into_response();
    }
    let back = "/admin/templates";
    let refuse = |status: StatusCode, line: String| {
        let title = ui.lang.text("not_applicable");
        message(
            &ctx,
            ui,
            status,
            op.csrf.as_deref(),
            title,
            vec![line],
            back,
        )
    };
    if let Some((status, why)) = upload.unreadable {
        return refuse(status, why);
    }
    let set = ctx.profiles.current();
    let Some(profile) = upload.profile.as_deref().and_then(|p| set.profile(p).ok()) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!("profile: {}", ui.lang.text("not_found")),
        );
    };
    let Some(file) = upload.file.filter(|f| !f.is_empty()) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!("file: {}", ui.lang.text("tpl_no_file")),
        );
    };
    let mut check = match check_candidate(&ctx.profiles, &profile, &file).await {
        Ok(c) => c,
        Err(e) => {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{e} ({})", e.code()),
            )
        }
    };
    let mut pdf = None;
    if let Some(docx) = check.docx.take() {
        match ctx.queue.deps().converter.convert(docx).await {
            Ok(bytes) => pdf = Some(Bytes::from(bytes)),
            Err(e) => check.problems.push(format!("PDF: {e}")),
        }
    }
    let has_pdf = pdf.is_some();
    let sha = match keep_candidate(&ctx.profiles, file, pdf).await {
        Ok(sha) => sha,
        Err(e) => return super::unavailable(&ctx, ui, &op, &e.to_string()),
    };
    let path = &profile.spec.template;
    let shared: Vec<&str> = set
        .profiles
        .iter()
        .filter(|p| &p.spec.template == path && p.name() != profile.name())
        .map(|p| p.name())
        .collect();
    let installable = check.problems.is_empty();
    let mut vars = Map::new();
    vars.insert("profile".into(), profile.name().into());
    vars.insert("path".into(), path.clone().into());
    vars.insert("shared".into(), shared.join(", ").into());
    vars.insert("sample".into(), check.sample.into());
    vars.insert("problems".into(), check.problems.into());
    vars.insert("warnings".into(), check.warnings.into());
    if has_pdf {
        vars.insert(
            "pdf".into(),
            format!("/admin/templates/candidates/{sha}.pdf").into(),
        );
    }
    if installable {
        let replace = query(
            "/admin/templates/replace",
            &[("profile", profile.name()), ("candidate", &sha)],
        );
        vars.insert("replace".into(), replace.into());
    }
    let status = if installable {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        &ctx,
        ui,
        status,
        "template_preview.html",
        op.csrf.as_deref(),
        vars,
    )
}

/// `GET /admin/templates/candidates/{sha}.pdf`: the sample report of a previewed upload.
pub async fn candidate_pdf(
    State(ctx): State<Arc<AppContext>>,
    op: Operator,
    ui: Ui,
    Path(file): Path<String>,
) -> Response {
    let sha = file.strip_suffix(".pdf").unwrap_or_default();
    match candidate(&ctx.profiles, sha, "pdf").await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/pdf"),
                (
                    header::CONTENT_DISPOSITION,
                    "inline; filename=\"preview.pdf\"",
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(TemplateChangeError::UnknownCandidate(_)) => super::report::not_found(&ctx, ui, &op),
        Err(e) => super::unavailable(&ctx, ui, &op, &e.to_string()),
    }
}
