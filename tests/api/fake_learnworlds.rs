//! A local stand-in for the LearnWorlds API v2, serving the documented shapes from
//! `shared/fixtures/api`: bearer + Lw-Client checks, `users` filtering, pagination (a page
//! past the end repeats the last one), 429s, submissions that appear late, and delays.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde_json::{json, Value};

use crate::helpers::fixture;

pub const TOKEN: &str = "static-test-token";
pub const MINTED: &str = "tZGB6EHKfzMs9ecUFhPxDtXflQPKqHACIvcrd4Wx";

#[derive(Default)]
pub struct LwState {
    /// Submissions, newest first.
    pub submissions: Mutex<Vec<Value>>,
    /// Submissions of particular assessments (by unit id), served instead of `submissions`.
    pub by_unit: Mutex<std::collections::HashMap<String, Vec<Value>>>,
    /// Answer this many response requests with 429 first (`usize::MAX`: forever).
    pub fail_with_429: AtomicUsize,
    /// Answer this many response requests with 500 first.
    pub fail_with_500: AtomicUsize,
    /// LearnWorlds' own limit: more than this many requests in the last 10 s are answered 429
    /// (0: no limit).
    pub limit_per_10s: AtomicUsize,
    /// Leave submissions out of this many answers (not visible yet).
    pub hide_for: AtomicUsize,
    /// Server-side page size cap, to force pagination.
    pub page_size: AtomicUsize,
    pub delay_ms: AtomicUsize,
    pub response_requests: AtomicUsize,
    pub token_requests: AtomicUsize,
    /// Every request's arrival, for rate checks.
    pub arrivals: Mutex<Vec<std::time::Instant>>,
    /// How many students each response request named (0: every student).
    pub users_per_request: Mutex<Vec<usize>>,
    /// Students whose submissions are not listed (not visible yet).
    pub hidden_users: Mutex<std::collections::HashSet<String>>,
    /// User records served by `GET /v2/users/{id}` (`api/user.json` after
    /// [`FakeLearnWorlds::serve_users`]); any other id is a 404.
    pub users: Mutex<Vec<Value>>,
    pub user_requests: AtomicUsize,
}

#[derive(Clone)]
pub struct FakeLearnWorlds {
    pub state: Arc<LwState>,
    port: u16,
}

impl FakeLearnWorlds {
    pub async fn start() -> Self {
        let body: Value = serde_json::from_str(
            &std::fs::read_to_string(fixture("api/assessment_responses.json")).expect("fixture"),
        )
        .expect("fixture json");
        let state = Arc::new(LwState {
            submissions: Mutex::new(body["data"].as_array().expect("data").clone()),
            page_size: AtomicUsize::new(200),
            ..Default::default()
        });
        let router = Router::new()
            .route("/admin/api/oauth2/access_token", post(token))
            .route("/admin/api/v2/assessments/{unit}/responses", get(responses))
            .route("/admin/api/v2/users/{id}", get(user))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { state, port }
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/admin/api", self.port)
    }

    pub fn requests(&self) -> usize {
        self.state.response_requests.load(Ordering::SeqCst)
    }
}

impl FakeLearnWorlds {
    /// Serves the fixture student's user record (`api/user.json`: Camila Rojas).
    pub fn serve_users(&self) {
        let body: Value = serde_json::from_str(
            &std::fs::read_to_string(fixture("api/user.json")).expect("fixture"),
        )
        .expect("fixture json");
        self.state.users.lock().expect("lock").push(body);
    }
}

async fn user(
    State(st): State<Arc<LwState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    st.user_requests.fetch_add(1, Ordering::SeqCst);
    let authorised = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {TOKEN}") || v == format!("Bearer {MINTED}"));
    if !authorised {
        return error(StatusCode::UNAUTHORIZED, json!({"success": false}));
    }
    let users = st.users.lock().expect("lock").clone();
    match users
        .into_iter()
        .find(|u| u["id"] == id.as_str() || u["email"] == id.as_str())
    {
        Some(u) => Json(u).into_response(),
        None => error(StatusCode::NOT_FOUND, json!({"error": "User not found"})),
    }
}

fn error(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

async fn token(
    State(st): State<Arc<LwState>>,
    headers: HeaderMap,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Response {
    st.token_requests.fetch_add(1, Ordering::SeqCst);
    let data: Value = form
        .get("data")
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or(Value::Null);
    let ok = headers.get("lw-client").is_some_and(|v| v == "test-client")
        && data["client_id"] == "test-client"
        && data["client_secret"] == "test-client-secret"
        && data["grant_type"] == "client_credentials";
    if !ok {
        let denied: Value = serde_json::from_str(
            &std::fs::read_to_string(fixture("api/access_denied.json")).expect("fixture"),
        )
        .expect("json");
        return error(StatusCode::UNAUTHORIZED, denied);
    }
    let body: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("api/oauth_token.json")).expect("fixture"),
    )
    .expect("json");
    Json(body).into_response()
}

async fn responses(
    State(st): State<Arc<LwState>>,
    Path(unit): Path<String>,
    Query(q): Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    st.response_requests.fetch_add(1, Ordering::SeqCst);
    let over_limit = {
        let mut arrivals = st.arrivals.lock().expect("lock");
        let now = std::time::Instant::now();
        arrivals.push(now);
        let limit = st.limit_per_10s.load(Ordering::SeqCst);
        let recent = arrivals
            .iter()
            .rev()
            .take_while(|t| now - **t < Duration::from_secs(10))
            .count();
        limit > 0 && recent > limit
    };
    let delay = st.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay as u64)).await;
    }
    let authorised = headers.get("lw-client").is_some_and(|v| v == "test-client")
        && headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == format!("Bearer {TOKEN}") || v == format!("Bearer {MINTED}"));
    if !authorised {
        return error(
            StatusCode::UNAUTHORIZED,
            json!({"errors": [{"code": 401, "context": "unauthorized", "message": "Invalid access token"}], "success": false}),
        );
    }
    if st
        .fail_with_500
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"errors": [{"code": 500, "message": "Internal server error"}], "success": false}),
        );
    }
    if over_limit
        || st
            .fail_with_429
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| match n {
                usize::MAX => Some(n),
                n => n.checked_sub(1),
            })
            .is_ok()
    {
        let body: Value = serde_json::from_str(
            &std::fs::read_to_string(fixture("api/rate_limited_429.json")).expect("fixture"),
        )
        .expect("json");
        return error(StatusCode::TOO_MANY_REQUESTS, body);
    }
    if unit.len() != 24 {
        return error(
            StatusCode::NOT_FOUND,
            json!({"error": "Assessment not found"}),
        );
    }
    let hidden = st
        .hide_for
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    let users: Vec<String> = q
        .get("users")
        .map(|u| u.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    st.users_per_request.lock().expect("lock").push(users.len());
    let hidden_users = st.hidden_users.lock().expect("lock").clone();
    let all: Vec<Value> = if hidden {
        Vec::new()
    } else {
        let by_unit = st.by_unit.lock().expect("lock").get(&unit).cloned();
        by_unit
            .unwrap_or_else(|| st.submissions.lock().expect("lock").clone())
            .iter()
            .filter(|s| users.is_empty() || users.iter().any(|u| s["user_id"] == u.as_str()))
            .filter(|s| {
                !s["user_id"]
                    .as_str()
                    .is_some_and(|u| hidden_users.contains(u))
            })
            .cloned()
            .collect()
    };
    let asked: usize = q
        .get("items_per_page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let per_page = asked
        .clamp(1, 200)
        .min(st.page_size.load(Ordering::SeqCst).max(1));
    let total_pages = all.len().div_ceil(per_page).max(1);
    // LearnWorlds answers a page past the end with the last page again.
    let page: usize = q
        .get("page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .clamp(1, total_pages);
    let data: Vec<Value> = all
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .cloned()
        .collect();
    Json(json!({
        "data": data,
        "meta": {"page": page, "totalItems": all.len(), "totalPages": total_pages, "itemsPerPage": per_page}
    }))
    .into_response()
}

/// A cohort of `n` students of the fixture assessment, each with one submission (a copy of
/// Camila's newest, under new ids): served by the fake, and the webhook each one's submission
/// sends.
pub struct Cohort;

impl Cohort {
    pub fn user_id(i: usize) -> String {
        format!("{:024x}", 0xc0_0000_0000u64 + i as u64)
    }

    pub fn submission_id(i: usize) -> String {
        format!("{:024x}", 0x5b_0000_0000u64 + i as u64)
    }

    /// Serves the cohort's submissions (replacing the fixtures' students).
    pub fn serve(lw: &FakeLearnWorlds, n: usize) {
        let template = lw.state.submissions.lock().expect("lock")[0].clone();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs_f64();
        let mut subs = Vec::with_capacity(n);
        for i in (0..n).rev() {
            let mut s = template.clone();
            s["id"] = json!(Self::submission_id(i));
            s["user_id"] = json!(Self::user_id(i));
            s["email"] = json!(format!("student{i}@example.com"));
            // Submitted in the last minutes, one after another.
            s["submittedTimestamp"] = json!(now - 600.0 + i as f64 * 0.1);
            subs.push(s);
        }
        *lw.state.submissions.lock().expect("lock") = subs;
    }

    /// The webhook of student `i`.
    pub fn webhook(i: usize) -> String {
        let mut event: Value =
            serde_json::from_str(&crate::helpers::automation_body()).expect("fixture webhook");
        event["user"]["id"] = json!(Self::user_id(i));
        event["user"]["username"] = json!(format!("student{i}"));
        event["user"]["email"] = json!(format!("student{i}@example.com"));
        event["submission"]["id"] = json!(Self::submission_id(i));
        event.to_string()
    }
}
