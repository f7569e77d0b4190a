//! Health, readiness and the service's description.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::http::AppContext;

pub async fn index() -> Json<Value> {
    Json(json!({
        "service": "webhook-service",
        "version": env!("CARGO_PKG_VERSION"),
        "description": "Turns LearnWorlds assessment submissions into PDF reports emailed to students",
        "endpoints": {
            "POST /webhook": "LearnWorlds webhook (header Learnworlds-Webhook-Signature: v1=<secret>)",
            "POST /webhook/{token}": "the same, with the URL token second factor",
            "GET /healthz": "liveness",
            "GET /readyz": "readiness: database, template, PDF converter, LearnWorlds API settings; SMTP and the queue for information",
            "GET /metrics": "Prometheus metrics (Authorization: Bearer $ADMIN_TOKEN when it is set)",
            "GET /admin": "the operator dashboard (log in with ADMIN_TOKEN; 404 without it)",
            "GET /admin/status": "job counts and recent failures (Authorization: Bearer $ADMIN_TOKEN)",
        }
    }))
}

pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// 200 only when a webhook received now could be turned into a report.
pub async fn readyz(State(ctx): State<Arc<AppContext>>) -> Response {
    let deps = ctx.queue.deps();
    let mut checks = serde_json::Map::new();
    let mut ok = true;
    let mut check = |name: &str, result: Result<String, String>| {
        ok &= result.is_ok();
        checks.insert(
            name.into(),
            match result {
                Ok(detail) => json!({"ok": true, "detail": detail}),
                Err(detail) => json!({"ok": false, "detail": detail}),
            },
        );
    };
    check(
        "database",
        ctx.store
            .check_writable()
            .await
            .map(|_| "reachable and writable".into())
            .map_err(|e| e.to_string()),
    );
    // Every usable profile's template; a broken profile is reported, not fatal: the others
    // keep serving.
    let set = ctx.profiles.current();
    let mut templates = Vec::new();
    let mut template_problems = Vec::new();
    for profile in &set.profiles {
        match ctx.profiles.template(&profile.spec.template).await {
            Ok(_) => templates.push(profile.spec.template.clone()),
            Err(e) => template_problems.push(e.to_string()),
        }
    }
    templates.sort();
    templates.dedup();
    check(
        "template",
        if template_problems.is_empty() {
            Ok(templates.join(", "))
        } else {
            Err(template_problems.join("; "))
        },
    );
    // Informative only: a broken profile must not take the healthy ones out of service.
    let errors = set.errors();
    let profiles_check = json!({
            "ok": errors.is_empty(),
            "detail": if errors.is_empty() {
                format!("{}: {} profile(s)", set.source, set.profiles.len())
            } else {
                errors.join("; ")
            },
    });
    let health = deps.converter.health().await;
    check(
        "pdf_converter",
        if health.ok {
            Ok(health.detail)
        } else {
            Err(health.detail)
        },
    );
    check(
        "learnworlds",
        if deps.learnworlds.is_configured() {
            Ok("configured".into())
        } else {
            Err(
                "not configured: set CLIENT_ID, ACCESS_TOKEN (or CLIENT_SECRET) and SCHOOL_DOMAIN"
                    .into(),
            )
        },
    );
    checks.insert("profiles".into(), profiles_check);
    // Informative too: a mail server that refuses now, or dead jobs, are the operator's to
    // fix; the service keeps taking webhooks (they wait in the queue) meanwhile.
    let smtp = ctx.smtp_probe.check(&ctx.queue).await;
    checks.insert(
        "smtp".into(),
        json!({
            "ok": smtp.result.is_ok(),
            "detail": smtp.result.as_ref().unwrap_or_else(|e| e),
            "checked_at": smtp.checked_at,
            "affects_readiness": false,
        }),
    );
    checks.insert(
        "queue".into(),
        match ctx.store.queue_health().await {
            Ok(h) => {
                let dead = h.jobs.get("dead").copied().unwrap_or(0);
                json!({
                    "ok": dead == 0,
                    "dead_jobs": dead,
                    "queued_jobs": h.jobs.get("queued").copied().unwrap_or(0),
                    "running_jobs": h.jobs.get("running").copied().unwrap_or(0),
                    "oldest_waiting": h.oldest_waiting,
                    "affects_readiness": false,
                })
            }
            Err(e) => json!({"ok": false, "detail": e.to_string(), "affects_readiness": false}),
        },
    );
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({"status": if ok { "ready" } else { "not_ready" }, "checks": checks});
    (status, Json(body)).into_response()
}
