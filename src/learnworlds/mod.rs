//! LearnWorlds REST API v2: the student's submission with its answers.

mod names;
mod rate_limit;
mod token;
pub mod types;

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

pub use rate_limit::{ApiBudget, Priority, RateLimiter};
pub use types::{Answer, Submission};

use crate::config::{LearnWorldsApi, LearnWorldsAuth, LearnWorldsConfig};

#[derive(Debug, thiserror::Error)]
pub enum LwError {
    #[error("LearnWorlds API is not configured (CLIENT_ID, ACCESS_TOKEN or CLIENT_SECRET, SCHOOL_DOMAIN)")]
    NotConfigured,
    #[error("LearnWorlds kept answering 429 Too Many Requests")]
    RateLimited,
    #[error("LearnWorlds refused our credentials: {0}")]
    Unauthorized(String),
    #[error("LearnWorlds has no such resource: {0}")]
    NotFound(String),
    #[error("submission {submission} of user {user} is not visible in the API yet")]
    NotVisibleYet { user: String, submission: String },
    #[error("network error talking to LearnWorlds: {0}")]
    Network(#[source] reqwest::Error),
    #[error("LearnWorlds answered HTTP {status}: {message}")]
    Http { status: u16, message: String },
    #[error("unexpected answer from LearnWorlds: {0}")]
    Decode(String),
    /// A call of [`Priority::Spare`] found no free slot: it is skipped, not queued.
    #[error("no LearnWorlds request to spare right now (reports in progress use the budget)")]
    NoSpareRequest,
}

impl LwError {
    /// Everything but a rejected request can succeed later: credentials get fixed, servers
    /// recover, submissions become visible.
    pub fn is_transient(&self) -> bool {
        !matches!(self, Self::Http { status, .. } if *status == 400 || *status == 422)
    }

    /// LearnWorlds itself is failing (a 5xx, out of reach, or 429 past our retries): every
    /// job fails alike until it recovers, through no fault of its own.
    pub fn is_outage(&self) -> bool {
        match self {
            Self::RateLimited | Self::Network(_) => true,
            Self::Http { status, .. } => *status >= 500,
            _ => false,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::NotConfigured => "learnworlds_not_configured",
            Self::RateLimited => "learnworlds_rate_limited",
            Self::Unauthorized(_) => "learnworlds_unauthorized",
            Self::NotFound(_) => "learnworlds_not_found",
            Self::NotVisibleYet { .. } => "submission_not_visible",
            Self::Network(_) => "learnworlds_network",
            Self::Http { status, .. } if *status >= 500 => "learnworlds_unavailable",
            Self::Http { .. } => "learnworlds_http",
            Self::Decode(_) => "learnworlds_bad_answer",
            Self::NoSpareRequest => "learnworlds_no_spare_request",
        }
    }
}

pub struct LearnWorlds {
    http: reqwest::Client,
    api: Option<LearnWorldsApi>,
    cfg: LearnWorldsConfig,
    budget: Arc<dyn ApiBudget>,
    tokens: token::TokenSource,
    names: names::NameCache,
}

/// The largest page the API serves (learnworlds.md §3): one call lists 200 submissions.
const PAGE_SIZE: u32 = 200;
const MAX_PAGES: u64 = 500;

impl LearnWorlds {
    /// A client counting its calls in a budget of its own (one process).
    pub fn new(cfg: &LearnWorldsConfig) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("webhook-service/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            api: cfg.api.clone(),
            budget: Arc::new(RateLimiter::new(cfg.rate_limit, cfg.rate_window)),
            cfg: cfg.clone(),
            tokens: token::TokenSource::new(),
            names: names::NameCache::default(),
        })
    }

    /// Counts the calls in `budget` instead (the one the school's instances share).
    pub fn with_budget(mut self, budget: Arc<dyn ApiBudget>) -> Self {
        self.budget = budget;
        self
    }

    pub fn is_configured(&self) -> bool {
        self.api.is_some()
    }

    pub fn config(&self) -> &LearnWorldsConfig {
        &self.cfg
    }

    /// The student's submission: the one the webhook named (waiting for it to become visible),
    /// or the newest when the webhook named none.
    pub async fn submission(
        &self,
        assessment_id: &str,
        user_id: &str,
        submission_id: Option<&str>,
    ) -> Result<Submission, LwError> {
        let mut attempt = 0;
        loop {
            let all = self
                .responses(assessment_id, &[user_id.to_string()], Priority::Job)
                .await?;
            if let Some(s) = pick(all, user_id, submission_id) {
                return Ok(s);
            }
            if attempt >= self.cfg.visibility_retries {
                return Err(not_visible(user_id, submission_id));
            }
            attempt += 1;
            tracing::debug!(
                assessment_id,
                attempt,
                "submission not visible yet, waiting"
            );
            tokio::time::sleep(self.cfg.visibility_delay).await;
        }
    }

    /// Every submission of these students (of every student when `users` is empty) for the
    /// assessment, across all pages.
    pub async fn responses(
        &self,
        assessment_id: &str,
        users: &[String],
        priority: Priority,
    ) -> Result<Vec<Submission>, LwError> {
        let mut all = self
            .list_responses(assessment_id, users, None, priority)
            .await?;
        // Asked for one student, the API's filter says whose an unattributed submission is.
        if let [only] = users {
            for s in all.iter_mut().filter(|s| s.user_id.is_none()) {
                s.user_id = Some(only.clone());
            }
        }
        Ok(all)
    }

    /// Every submission of the assessment submitted after `watermark` (Unix seconds), newest
    /// first: the pages are read until one reaches back to the watermark.
    pub async fn responses_since(
        &self,
        assessment_id: &str,
        watermark: Option<f64>,
        priority: Priority,
    ) -> Result<Vec<Submission>, LwError> {
        let all = self
            .list_responses(assessment_id, &[], watermark, priority)
            .await?;
        Ok(all
            .into_iter()
            .filter(|s| watermark.is_none_or(|w| s.submitted_at.is_none_or(|t| t > w)))
            .collect())
    }

    async fn list_responses(
        &self,
        assessment_id: &str,
        users: &[String],
        stop_at: Option<f64>,
        priority: Priority,
    ) -> Result<Vec<Submission>, LwError> {
        let path = format!("/v2/assessments/{assessment_id}/responses");
        let mut out = Vec::new();
        let mut page = 1u64;
        loop {
            let mut query = vec![
                ("page", page.to_string()),
                ("items_per_page", PAGE_SIZE.to_string()),
            ];
            if !users.is_empty() {
                query.push(("users", users.join(",")));
            }
            let body = self.get(&path, &query, priority).await?;
            let parsed = types::page(&body)
                .ok_or_else(|| LwError::Decode(format!("{path}: no data list")))?;
            let empty = parsed.items.is_empty();
            let before = out.len();
            out.extend(parsed.items.iter().filter_map(types::submission));
            // Newest first: a page reaching back to the watermark is the last one needed.
            let reached_watermark = stop_at.is_some_and(|w| {
                out[before..]
                    .iter()
                    .any(|s| s.submitted_at.is_some_and(|t| t <= w))
            });
            // A page past the end repeats the last one: stop at totalPages.
            if empty || reached_watermark || page >= parsed.total_pages || page >= MAX_PAGES {
                return Ok(out);
            }
            page += 1;
        }
    }

    async fn get(
        &self,
        path: &str,
        query: &[(&str, String)],
        priority: Priority,
    ) -> Result<Value, LwError> {
        let api = self.api.as_ref().ok_or(LwError::NotConfigured)?;
        let url = format!("{}{path}", api.base_url);
        let mut rate_limited = 0;
        let mut reauthenticated = false;
        loop {
            let token = self
                .tokens
                .get(&self.http, api, self.budget.as_ref())
                .await?;
            if priority == Priority::Spare {
                if !self.budget.try_acquire(priority).await {
                    return Err(LwError::NoSpareRequest);
                }
            } else {
                self.budget.acquire(priority).await;
            }
            let response = self
                .http
                .get(&url)
                .query(query)
                .header("Lw-Client", &api.client_id)
                .bearer_auth(token.expose())
                .header("Accept", "application/json")
                .send()
                .await
                .map_err(|e| {
                    // Spelled as in telemetry::metrics (a peer module).
                    metrics::counter!("learnworlds_api_calls_total", "status" => "network")
                        .increment(1);
                    LwError::Network(e)
                })?;
            let status = response.status();
            metrics::counter!("learnworlds_api_calls_total", "status" => status.as_u16().to_string())
                .increment(1);
            let body = response.text().await.map_err(LwError::Network)?;
            tracing::debug!(path, status = status.as_u16(), "LearnWorlds API call");
            match status {
                s if s.is_success() => {
                    return serde_json::from_str(&body)
                        .map_err(|_| LwError::Decode(format!("{path}: answer is not JSON")))
                }
                StatusCode::TOO_MANY_REQUESTS => {
                    metrics::counter!("learnworlds_rate_limited_total").increment(1);
                    rate_limited += 1;
                    if rate_limited > self.cfg.max_429_retries {
                        return Err(LwError::RateLimited);
                    }
                    let pause = self.budget.backoff(rate_limited);
                    tracing::warn!(
                        path,
                        attempt = rate_limited,
                        pause_ms = pause.as_millis() as u64,
                        "LearnWorlds answered 429, pausing all API calls"
                    );
                    self.budget.pause(pause).await;
                }
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                    // A minted token may have been revoked early: mint once more before giving up.
                    if matches!(api.auth, LearnWorldsAuth::ClientCredentials(_)) && !reauthenticated
                    {
                        reauthenticated = true;
                        self.tokens.invalidate().await;
                        continue;
                    }
                    return Err(LwError::Unauthorized(types::error_message(&body)));
                }
                StatusCode::NOT_FOUND => {
                    return Err(LwError::NotFound(format!(
                        "{path}: {}",
                        types::error_message(&body)
                    )))
                }
                s => {
                    return Err(LwError::Http {
                        status: s.as_u16(),
                        message: types::error_message(&body),
                    })
                }
            }
        }
    }
}

/// The student's submission among those listed: the one the webhook named, else the newest.
/// A submission without its student's id is nobody's (see [`LearnWorlds::responses`]).
pub fn pick(
    listed: impl IntoIterator<Item = Submission>,
    user_id: &str,
    submission_id: Option<&str>,
) -> Option<Submission> {
    let mut mine = listed
        .into_iter()
        .filter(|s| s.user_id.as_deref() == Some(user_id));
    match submission_id {
        Some(wanted) => mine.find(|s| s.id == wanted),
        None => mine.max_by(|a, b| {
            a.submitted_at
                .unwrap_or(0.0)
                .total_cmp(&b.submitted_at.unwrap_or(0.0))
        }),
    }
}

pub fn not_visible(user_id: &str, submission_id: Option<&str>) -> LwError {
    LwError::NotVisibleYet {
        user: user_id.to_string(),
        submission: submission_id.unwrap_or("(newest)").to_string(),
    }
}
