//! Who is asking: a browser with a session cookie (set by logging in with `ADMIN_TOKEN`), or a
//! script with `Authorization: Bearer <ADMIN_TOKEN>`. Everything under `/admin` is 404 while
//! no token is configured. Sessions live in the database (any instance knows them); the
//! cookie is HttpOnly, SameSite=Strict and Secure unless `ADMIN_COOKIE_SECURE=false`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::http::AppContext;

pub const SESSION_COOKIE: &str = "admin_session";
/// How long a login lasts.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Session,
    Bearer,
}

/// An authenticated operator.
#[derive(Debug, Clone)]
pub struct Operator {
    pub via: Via,
    /// The session's CSRF token (none for a script with the Bearer token: it carries no
    /// ambient credential a forged form could use).
    pub csrf: Option<String>,
    pub session_hash: Option<String>,
}

impl Operator {
    /// Who, as recorded in `operator_actions`.
    pub fn actor(&self) -> &'static str {
        match self.via {
            Via::Session => "admin:session",
            Via::Bearer => "admin:bearer",
        }
    }
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A fresh random token (256 bits, hex).
pub fn random_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// Whether `given` is the configured admin token, in constant time (both hashed first, so
/// the length does not show either).
pub fn token_matches(ctx: &AppContext, given: &str) -> bool {
    let Some(expected) = &ctx.config.admin_token else {
        return false;
    };
    let given = Sha256::digest(given.as_bytes());
    let expected = Sha256::digest(expected.expose().as_bytes());
    bool::from(given.ct_eq(&expected))
}

/// `Set-Cookie` for a cookie of the dashboard (`max_age` 0 removes it).
pub fn set_cookie(ctx: &AppContext, name: &str, value: &str, max_age: Duration) -> String {
    let secure = if ctx.config.dashboard.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{name}={value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        max_age.as_secs()
    )
}

/// The answer for anything under `/admin` while `ADMIN_TOKEN` is not set.
pub fn disabled() -> Response {
    (StatusCode::NOT_FOUND, "Not Found").into_response()
}

impl FromRequestParts<Arc<AppContext>> for Operator {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        ctx: &Arc<AppContext>,
    ) -> Result<Self, Self::Rejection> {
        if ctx.config.admin_token.is_none() {
            return Err(disabled());
        }
        if let Some(bearer) = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        {
            return if token_matches(ctx, bearer) {
                Ok(Self {
                    via: Via::Bearer,
                    csrf: None,
                    session_hash: None,
                })
            } else {
                Err((StatusCode::UNAUTHORIZED, "invalid admin token").into_response())
            };
        }
        if let Some(value) = cookie(&parts.headers, SESSION_COOKIE) {
            let h = hash(&value);
            match ctx.store.session_csrf(&h).await {
                Ok(Some(csrf)) => {
                    return Ok(Self {
                        via: Via::Session,
                        csrf: Some(csrf),
                        session_hash: Some(h),
                    })
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "dashboard: sessions unreadable");
                    return Err(
                        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
                    );
                }
            }
        }
        Err(if parts.method == axum::http::Method::GET {
            Redirect::to("/admin/login").into_response()
        } else {
            (StatusCode::UNAUTHORIZED, "log in first").into_response()
        })
    }
}
