//! Bearer tokens: the school's static ACCESS_TOKEN, or minted with client credentials and
//! renewed before they expire (LearnWorlds issues no refresh token).

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use super::{types, ApiBudget, LwError, Priority};
use crate::config::{LearnWorldsApi, LearnWorldsAuth, Secret};

pub struct TokenSource {
    cached: Mutex<Option<(Secret, Instant)>>,
}

impl TokenSource {
    pub fn new() -> Self {
        Self {
            cached: Mutex::new(None),
        }
    }

    pub async fn get(
        &self,
        http: &reqwest::Client,
        api: &LearnWorldsApi,
        budget: &dyn ApiBudget,
    ) -> Result<Secret, LwError> {
        let client_secret = match &api.auth {
            LearnWorldsAuth::Static(token) => return Ok(token.clone()),
            LearnWorldsAuth::ClientCredentials(secret) => secret,
        };
        // Holding the lock while minting makes concurrent workers wait for one token.
        let mut cached = self.cached.lock().await;
        if let Some((token, renew_at)) = cached.as_ref() {
            if Instant::now() < *renew_at {
                return Ok(token.clone());
            }
        }
        budget.acquire(Priority::Job).await;
        let data = serde_json::json!({
            "client_id": api.client_id,
            "client_secret": client_secret.expose(),
            "grant_type": "client_credentials",
        });
        let url = format!("{}/oauth2/access_token", api.base_url);
        let response = http
            .post(&url)
            .header("Lw-Client", &api.client_id)
            .form(&[("data", data.to_string())])
            .send()
            .await
            .map_err(LwError::Network)?;
        let status = response.status();
        let body = response.text().await.map_err(LwError::Network)?;
        if !status.is_success() {
            return Err(LwError::Unauthorized(format!(
                "minting a token failed with HTTP {status}: {}",
                types::error_message(&body)
            )));
        }
        let v: serde_json::Value = serde_json::from_str(&body)
            .map_err(|_| LwError::Decode("token answer is not JSON".into()))?;
        let token =
            crate::domain::text::text(&v["tokenData"]["access_token"]).ok_or_else(|| {
                LwError::Unauthorized(format!(
                    "no access_token in answer: {}",
                    types::error_message(&body)
                ))
            })?;
        let lifetime = types::number(&v["tokenData"]["expires_in"])
            .unwrap_or(3600.0)
            .max(1.0);
        // Renew with a tenth of the lifetime (at least a minute, if the lifetime allows) to spare.
        let margin = (lifetime / 10.0).max(60.0_f64.min(lifetime / 2.0));
        let renew_at = Instant::now() + Duration::from_secs_f64(lifetime - margin);
        let token = Secret::new(token);
        *cached = Some((token.clone(), renew_at));
        Ok(token)
    }

    /// Forgets a minted token the API rejected, so the next call mints a new one.
    pub async fn invalidate(&self) {
        *self.cached.lock().await = None;
    }
}
