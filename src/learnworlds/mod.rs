//! LearnWorlds REST API v2: the student's submission with its answers.

mod rate_limit;
mod token;
pub mod types;

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

pub use rate_limit::RateLimiter;
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
}

impl LwError {
    /// Everything but a rejected request can succeed later: credentials get fixed, servers
    /// recover, submissions become visible.
    pub fn is_transient(&self) -> bool {
        !matches!(self, Self::Http { status, .. } if *status == 400 || *status == 422)
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::NotConfigured => "learnworlds_not_configured",
            Self::RateLimited => "learnworlds_rate_limited",
            Self::Unauthorized(_) => "learnworlds_unauthorized",
            Self::NotFound(_) => "learnworlds_not_found",
            Self::NotVisibleYet { .. } => "submission_not_visible",
            Self::Network(_) => "learnworlds_network",
            Self::Http { .. } => "learnworlds_http",
            Self::Decode(_) => "learnworlds_bad_answer",
        }
    }
}

pub struct LearnWorlds {
    http: reqwest::Client,
    api: Option<LearnWorldsApi>,
    cfg: LearnWorldsConfig,
    limiter: RateLimiter,
    tokens: token::TokenSource,
}

const PAGE_SIZE: u32 = 50;
const MAX_PAGES: u64 = 200;

impl LearnWorlds {
    pub fn new(cfg: &LearnWorldsConfig) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("webhook-service/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            api: cfg.api.clone(),
            limiter: RateLimiter::new(cfg.rate_limit, cfg.rate_window),
            cfg: cfg.clone(),
            tokens: token::TokenSource::new(),
        })
    }

    pub fn is_configured(&self) -> bool {
        self.api.is_some()
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
            let all = self.submissions(assessment_id, user_id).await?;
            let mine = all
                .into_iter()
                .filter(|s| s.user_id.as_deref().is_none_or(|u| u == user_id));
            let found = match submission_id {
                Some(wanted) => mine.into_iter().find(|s| s.id == wanted),
                None => mine.max_by(|a, b| {
                    a.submitted_at
                        .unwrap_or(0.0)
                        .total_cmp(&b.submitted_at.unwrap_or(0.0))
                }),
            };
            if let Some(s) = found {
                return Ok(s);
            }
            if attempt >= self.cfg.visibility_retries {
                return Err(LwError::NotVisibleYet {
                    user: user_id.to_string(),
                    submission: submission_id.unwrap_or("(newest)").to_string(),
                });
            }
            attempt += 1;
            tracing::debug!(
                assessment_id,
                user_id,
                attempt,
                "submission not visible yet, waiting"
            );
            tokio::time::sleep(self.cfg.visibility_delay).await;
        }
    }

    /// Every submission of the user for the assessment, across all pages.
    pub async fn submissions(
        &self,
        assessment_id: &str,
        user_id: &str,
    ) -> Result<Vec<Submission>, LwError> {
        let mut out = Vec::new();
        let mut page = 1u64;
        loop {
            let path = format!("/v2/assessments/{assessment_id}/responses");
            let query = [
                ("users", user_id.to_string()),
                ("page", page.to_string()),
                ("items_per_page", PAGE_SIZE.to_string()),
            ];
            let body = self.get(&path, &query).await?;
            let parsed = types::page(&body)
                .ok_or_else(|| LwError::Decode(format!("{path}: no data list")))?;
            let empty = parsed.items.is_empty();
            out.extend(parsed.items.iter().filter_map(types::submission));
            // A page past the end repeats the last one: stop at totalPages.
            if empty || page >= parsed.total_pages || page >= MAX_PAGES {
                return Ok(out);
            }
            page += 1;
        }
    }

    async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, LwError> {
        let api = self.api.as_ref().ok_or(LwError::NotConfigured)?;
        let url = format!("{}{path}", api.base_url);
        let mut rate_limited = 0;
        let mut reauthenticated = false;
        loop {
            let token = self.tokens.get(&self.http, api, &self.limiter).await?;
            self.limiter.acquire().await;
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
                    let pause = self.limiter.backoff(rate_limited);
                    tracing::warn!(
                        path,
                        attempt = rate_limited,
                        pause_ms = pause.as_millis() as u64,
                        "LearnWorlds answered 429, pausing all API calls"
                    );
                    self.limiter.pause(pause).await;
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
