//! CSRF protection of every form that changes something. A logged-in browser's forms carry
//! its session's token, compared in constant time on every POST; the login form, before any
//! session exists, carries a token that must equal its cookie's (double submit). A script
//! with the Bearer token needs none: nothing ambient authenticates it.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::session::{cookie, Operator, Via};

pub const FIELD: &str = "csrf";
pub const LOGIN_COOKIE: &str = "admin_login_csrf";

fn equal(a: &str, b: &str) -> bool {
    !a.is_empty() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A request refused for its CSRF token: answered 403.
#[derive(Debug)]
pub struct Refused;

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        (
            StatusCode::FORBIDDEN,
            "CSRF token missing or wrong: reload the page and try again",
        )
            .into_response()
    }
}

/// Ok when a state-changing request of `op` may go ahead.
pub fn check(op: &Operator, given: Option<&str>) -> Result<(), Refused> {
    match (op.via, op.csrf.as_deref(), given) {
        (Via::Bearer, ..) => Ok(()),
        (Via::Session, Some(expected), Some(given)) if equal(given, expected) => Ok(()),
        _ => Err(Refused),
    }
}

/// Ok when the login form's token matches its cookie.
pub fn check_login(headers: &HeaderMap, given: Option<&str>) -> Result<(), Refused> {
    match (cookie(headers, LOGIN_COOKIE), given) {
        (Some(expected), Some(given)) if equal(given, &expected) => Ok(()),
        _ => Err(Refused),
    }
}
