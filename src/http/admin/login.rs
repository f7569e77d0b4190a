//! Logging in with `ADMIN_TOKEN` (rate-limited per client address) and out.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::Map;

use super::actions::form;
use super::csrf;
use super::page::{render, Ui};
use super::session::{
    cookie, disabled, hash, random_token, set_cookie, token_matches, Operator, SESSION_COOKIE,
    SESSION_TTL,
};
use crate::http::limits::client_ip;
use crate::http::AppContext;

/// Failed logins a client address may make per minute (then 429 with `Retry-After`).
pub const LOGIN_FAILURES_PER_MINUTE: u32 = 5;

fn login_page(ctx: &AppContext, ui: Ui, status: StatusCode, failed: bool) -> Response {
    let token = random_token();
    let mut vars = Map::new();
    vars.insert("login_csrf".into(), token.clone().into());
    vars.insert("failed".into(), failed.into());
    let mut response = render(ctx, ui, status, "login.html", None, vars);
    let cookie = set_cookie(ctx, csrf::LOGIN_COOKIE, &token, Duration::from_secs(3600));
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

pub async fn form_page(State(ctx): State<Arc<AppContext>>, ui: Ui) -> Response {
    if ctx.config.admin_token.is_none() {
        return disabled();
    }
    login_page(&ctx, ui, StatusCode::OK, false)
}

pub async fn login(
    State(ctx): State<Arc<AppContext>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ui: Ui,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if ctx.config.admin_token.is_none() {
        return disabled();
    }
    let fields = form(&body);
    if let Err(refused) = csrf::check_login(&headers, fields.get(csrf::FIELD).map(String::as_str)) {
        return refused.into_response();
    }
    let client = client_ip(peer.ip(), &headers, &ctx.guards.trusted_proxies);
    let limiter = &ctx.dashboard.login_failures;
    if let Err(wait) = limiter.check(client, Instant::now()) {
        let mut response = (
            StatusCode::TOO_MANY_REQUESTS,
            "too many failed logins: wait",
        )
            .into_response();
        if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return response;
    }
    let given = fields.get("token").map(String::as_str).unwrap_or_default();
    if !token_matches(&ctx, given) {
        let _ = limiter.take(client, Instant::now());
        tracing::warn!(client = %client, "dashboard: failed login");
        return login_page(&ctx, ui, StatusCode::UNAUTHORIZED, true);
    }
    let session = random_token();
    let expires = crate::db::now_ms() + SESSION_TTL.as_millis() as i64;
    if let Err(e) = ctx
        .store
        .create_session(&hash(&session), &random_token(), expires)
        .await
    {
        tracing::warn!(error = %e, "dashboard: session not recorded");
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
    }
    tracing::info!(client = %client, "dashboard: operator logged in");
    let mut response = Redirect::to("/admin").into_response();
    for c in [
        set_cookie(&ctx, SESSION_COOKIE, &session, SESSION_TTL),
        set_cookie(&ctx, csrf::LOGIN_COOKIE, "", Duration::ZERO),
    ] {
        if let Ok(v) = HeaderValue::from_str(&c) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

pub async fn logout(
    State(ctx): State<Arc<AppContext>>,
    op: Operator,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refused) = csrf::check(&op, form(&body).get(csrf::FIELD).map(String::as_str)) {
        return refused.into_response();
    }
    if let Some(h) = op
        .session_hash
        .or_else(|| cookie(&headers, SESSION_COOKIE).map(|v| hash(&v)))
    {
        if let Err(e) = ctx.store.delete_session(&h).await {
            tracing::warn!(error = %e, "dashboard: session not deleted");
        }
    }
    let mut response = Redirect::to("/admin/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&set_cookie(&ctx, SESSION_COOKIE, "", Duration::ZERO)) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}
