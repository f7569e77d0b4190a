//! The submissions: a searchable, paged list; one submission's page (its timeline, the PDF,
//! the email as sent); the PDF's download.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::TimeZone;
use serde_json::{json, Map, Value};

use super::errors::plain;
use super::i18n::{local_time, Lang};
use super::page::{render, Ui};
use super::report::not_found;
use super::session::Operator;
use crate::db::{SubmissionFilter, SubmissionRow, PAGE_SIZE};
use crate::domain::job::SubmissionState;
use crate::domain::sent_email::SentEmail;
use crate::http::AppContext;
use crate::jobs::resend::email_of;

fn state_label(lang: Lang, s: SubmissionState) -> &'static str {
    lang.state(s.as_str())
}

fn row_json(lang: Lang, tz: chrono_tz::Tz, r: &SubmissionRow) -> Value {
    json!({
        "event_id": r.event_id,
        "job_id": r.job_id,
        "received_at": local_time(tz, r.received_at),
        "name": r.name, "email": r.email, "assessment": r.assessment,
        "state": r.state.as_str(), "state_label": state_label(lang, r.state),
        "stage": r.stage.as_deref().map(|st| lang.stage(st)),
        "error_code": r.error_code,
        "plain": r.error_code.as_deref().map(|c| plain(lang, c)),
    })
}

/// Local midnight of a `YYYY-MM-DD` date (plus `days`), as ms.
fn day_start(tz: chrono_tz::Tz, date: &str, days: i64) -> Option<i64> {
    let d = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    let d = d + chrono::Duration::days(days);
    tz.from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|t| t.timestamp_millis())
}

pub async fn list(
    State(ctx): State<Arc<AppContext>>,
    op: Operator,
    ui: Ui,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let tz = ctx.config.dashboard.timezone;
    let get = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let filter = SubmissionFilter {
        student: get("student").map(str::to_string),
        assessment: get("assessment").map(str::to_string),
        state: get("state").and_then(|s| s.parse().ok()),
        from_ms: get("from").and_then(|d| day_start(tz, d, 0)),
        to_ms: get("to").and_then(|d| day_start(tz, d, 1)),
        page: get("page").and_then(|p| p.parse().ok()).unwrap_or(0),
    };
    let page = match ctx.store.submissions(&filter).await {
        Ok(p) => p,
        Err(e) => return super::unavailable(&ctx, ui, &op, &e.to_string()),
    };
    let pages = page.total.div_ceil(PAGE_SIZE);
    let query_for = |n: usize| {
        let mut pairs: Vec<(String, String)> = q
            .iter()
            .filter(|(k, _)| k.as_str() != "page" && k.as_str() != "lang")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        pairs.sort();
        pairs.push(("page".into(), n.to_string()));
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    };
    let mut vars = Map::new();
    vars.insert(
        "rows".into(),
        page.rows
            .iter()
            .map(|r| row_json(ui.lang, tz, r))
            .collect::<Vec<_>>()
            .into(),
    );
    vars.insert("total".into(), page.total.into());
    vars.insert("page".into(), filter.page.into());
    vars.insert("pages".into(), pages.into());
    vars.insert(
        "prev_query".into(),
        query_for(filter.page.saturating_sub(1)).into(),
    );
    vars.insert("next_query".into(), query_for(filter.page + 1).into());
    vars.insert(
        "states".into(),
        SubmissionState::ALL
            .iter()
            .map(|s| json!({"value": s.as_str(), "label": state_label(ui.lang, *s)}))
            .collect::<Vec<_>>()
            .into(),
    );
    vars.insert(
        "f".into(),
        json!({
            "student": get("student"), "assessment": get("assessment"), "state": get("state"),
            "from": get("from"), "to": get("to"),
        }),
    );
    render(
        &ctx,
        ui,
        StatusCode::OK,
        "submissions.html",
        op.csrf.as_deref(),
        vars,
    )
}

pub async fn detail(
    State(ctx): State<Arc<AppContext>>,
    op: Operator,
    ui: Ui,
    Path(event_id): Path<i64>,
) -> Response {
    let tz = ctx.config.dashboard.timezone;
    let lang = ui.lang;
    let d = match ctx.store.submission(event_id).await {
        Ok(Some(d)) => d,
        Ok(None) => return not_found(&ctx, ui, &op),
        Err(e) => return super::unavailable(&ctx, ui, &op, &e.to_string()),
    };
    let mut timeline: Vec<(i64, Value)> = Vec::new();
    let mut event = |at: i64, kind: &str, what: String, detail: String, code: Option<&str>| {
        timeline.push((
            at,
            json!({"at": local_time(tz, at), "kind": kind, "what": what, "detail": detail,
                "code": code}),
        ))
    };
    event(
        d.row.received_at,
        "received",
        lang.text("ev_received").into(),
        String::new(),
        None,
    );
    if let Some(at) = d.created_at {
        event(
            at,
            "queued",
            lang.text("ev_queued").into(),
            String::new(),
            None,
        );
    }
    for a in &d.attempts {
        event(
            a.at,
            "attempt",
            format!("{} {}", lang.text("ev_attempt"), lang.stage(&a.stage)),
            plain(lang, &a.error_code),
            Some(&a.error_code),
        );
    }
    if let Some(at) = d.email_sent_at {
        event(
            at,
            "emailed",
            lang.text("ev_emailed").into(),
            d.row.email.clone().unwrap_or_default(),
            None,
        );
    }
    for r in &d.resends {
        event(
            r.at,
            "resend",
            format!("{}: {}", lang.text("ev_resend"), lang.word(&r.what)),
            format!("{} ({} {})", r.detail, lang.text("by"), r.actor),
            None,
        );
    }
    for a in &d.actions {
        event(
            a.at,
            "action",
            format!("{}: {}", lang.text("ev_action"), lang.word(&a.what)),
            format!(
                "{} ({} {})",
                lang.action_detail(&a.detail),
                lang.text("by"),
                a.actor
            ),
            None,
        );
    }
    timeline.sort_by_key(|(at, _)| *at);
    let email = d
        .job
        .as_ref()
        .filter(|j| j.email_sent_at.is_some())
        .and_then(|j| {
            let kept = j.sent_email.as_deref();
            match kept.and_then(|s| serde_json::from_str::<SentEmail>(s).ok()) {
                Some(e) => Some(json!({
                    "to": e.to, "subject": e.subject, "body": e.body,
                    "attachment": e.attachment, "message_id": e.message_id, "as_sent": true,
                })),
                // Delivered before the email was kept: written again from the stored data.
                None => email_of(j, &ctx.profiles).ok().map(|e| {
                    json!({"to": e.to, "subject": e.parts.subject, "body": e.parts.body,
                       "attachment": e.parts.attachment, "as_sent": false})
                }),
            }
        });
    let state = d.row.state;
    let mut vars = Map::new();
    vars.insert("s".into(), row_json(lang, tz, &d.row));
    vars.insert(
        "timeline".into(),
        timeline
            .into_iter()
            .map(|(_, v)| v)
            .collect::<Vec<_>>()
            .into(),
    );
    vars.insert(
        "can_retry".into(),
        matches!(
            state,
            SubmissionState::Dead | SubmissionState::Failing | SubmissionState::Pending
        )
        .into(),
    );
    vars.insert("can_resend".into(), d.email_sent_at.is_some().into());
    vars.insert("report_key".into(), d.report_key.clone().into());
    vars.insert("email".into(), email.into());
    render(
        &ctx,
        ui,
        StatusCode::OK,
        "submission.html",
        op.csrf.as_deref(),
        vars,
    )
}
