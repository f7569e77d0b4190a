//! The configuration sections, each read from its own variables.

use std::time::Duration;

use url::Url;

use super::{seconds, ConfigError, Secret, Source};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureMode {
    /// LearnWorlds' documented scheme: the header carries the pre-shared secret itself.
    Plain,
    /// `v1=hex(HMAC-SHA256(secret, body))`, for senders other than LearnWorlds.
    HmacSha256,
}

#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// `WEBHOOK_SECRET` (alias `LEARNWORLDS_WEBHOOK_SECRET`): comma-separated, so a new secret
    /// can be added before the old one is removed.
    pub secrets: Vec<Secret>,
    /// `WEBHOOK_SIGNATURE_MODE`: `plain` (default) or `hmac-sha256`.
    pub mode: SignatureMode,
    /// `WEBHOOK_REQUIRE_SIGNATURE` (default true). When false, a request without the header is
    /// accepted only if `WEBHOOK_URL_TOKEN` is set and matches.
    pub require_signature: bool,
    /// `WEBHOOK_URL_TOKEN`: optional second factor, posted to `/webhook/<token>`.
    pub url_token: Option<Secret>,
    /// `ALLOW_UNSIGNED_WEBHOOKS` (default false): local development without any secret.
    pub allow_unsigned: bool,
}

/// A short secret can be guessed by trying; one with whitespace can never match a header (the
/// header value is trimmed), so it would refuse every webhook.
fn check_strength(var: &'static str, secrets: &[Secret]) -> Result<(), ConfigError> {
    for (i, secret) in secrets.iter().enumerate() {
        let which = if secrets.len() > 1 {
            format!("secret {} of the list", i + 1)
        } else {
            "the secret".into()
        };
        let problem = if secret.expose().chars().any(char::is_whitespace) {
            "contains whitespace, so no signature header can ever match it"
        } else if secret.expose().chars().count() < MIN_SECRET_CHARS {
            "is shorter than 16 characters"
        } else {
            continue;
        };
        return Err(ConfigError::Invalid {
            var,
            reason: format!(
                "{which} {problem}; use the signature LearnWorlds shows, or set ALLOW_WEAK_SECRET=true for local development only"
            ),
        });
    }
    Ok(())
}

const MIN_SECRET_CHARS: usize = 16;

impl WebhookConfig {
    pub(super) fn from_source(src: &Source) -> Result<Self, ConfigError> {
        let var = if src.get("WEBHOOK_SECRET").is_some() {
            "WEBHOOK_SECRET"
        } else {
            "LEARNWORLDS_WEBHOOK_SECRET"
        };
        let raw = src.get(var);
        let secrets: Vec<Secret> = raw
            .iter()
            .flat_map(|s| s.split(','))
            .map(|s| s.trim().trim_start_matches("v1="))
            .filter(|s| !s.is_empty())
            .map(Secret::new)
            .collect();
        if !src.flag("ALLOW_WEAK_SECRET", false)? {
            check_strength(var, &secrets)?;
        }
        let mode = match src
            .get("WEBHOOK_SIGNATURE_MODE")
            .map(|s| s.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("plain") => SignatureMode::Plain,
            Some("hmac-sha256") | Some("hmac") => SignatureMode::HmacSha256,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    var: "WEBHOOK_SIGNATURE_MODE",
                    reason: format!("'{other}' is not one of plain, hmac-sha256"),
                })
            }
        };
        let allow_unsigned = src.flag("ALLOW_UNSIGNED_WEBHOOKS", false)?;
        let url_token = src.get("WEBHOOK_URL_TOKEN").map(Secret::new);
        if let Some(token) = &url_token {
            if token.expose().len() < 16 {
                return Err(ConfigError::Invalid {
                    var: "WEBHOOK_URL_TOKEN",
                    reason: "must be at least 16 characters to be unguessable".into(),
                });
            }
        }
        if secrets.is_empty() && url_token.is_none() && !allow_unsigned {
            return Err(ConfigError::Missing {
                var: "WEBHOOK_SECRET",
                when: "(the signature shown under LearnWorlds Settings > Developers > Webhooks); \
                       set ALLOW_UNSIGNED_WEBHOOKS=true only for local development",
            });
        }
        let require_signature = src.flag("WEBHOOK_REQUIRE_SIGNATURE", !secrets.is_empty())?;
        if require_signature && secrets.is_empty() {
            return Err(ConfigError::Missing {
                var: "WEBHOOK_SECRET",
                when: "when WEBHOOK_REQUIRE_SIGNATURE=true",
            });
        }
        Ok(Self {
            secrets,
            mode,
            require_signature,
            url_token,
            allow_unsigned,
        })
    }
}

#[derive(Debug, Clone)]
pub enum LearnWorldsAuth {
    /// `ACCESS_TOKEN`: a long-lived token pasted by the school.
    Static(Secret),
    /// `CLIENT_SECRET`: tokens minted with the client-credentials grant and renewed before expiry.
    ClientCredentials(Secret),
}

#[derive(Debug, Clone)]
pub struct LearnWorldsApi {
    /// `LEARNWORLDS_API_URL` (default `https://$SCHOOL_DOMAIN/admin/api`).
    pub base_url: Url,
    /// `CLIENT_ID`: sent as `Lw-Client` on every request.
    pub client_id: String,
    pub auth: LearnWorldsAuth,
}

#[derive(Debug, Clone)]
pub struct LearnWorldsConfig {
    /// None when no LearnWorlds variable is set: events are still recorded and queued, and are
    /// processed once the API is configured.
    pub api: Option<LearnWorldsApi>,
    /// `LW_RATE_LIMIT` requests per `LW_RATE_WINDOW_SECONDS` for the whole school: every
    /// instance on one database shares it (30 / 10).
    pub rate_limit: u32,
    pub rate_window: Duration,
    /// `LW_VISIBILITY_RETRIES` × `LW_VISIBILITY_DELAY_SECONDS`: how long to wait for a just-submitted
    /// submission to appear in the API before the job is retried later (5 × 2 s).
    pub visibility_retries: u32,
    pub visibility_delay: Duration,
    /// `LW_MAX_429_RETRIES`: consecutive 429 answers tolerated per request (default 6).
    pub max_429_retries: u32,
    /// `LW_BATCH_USERS`: the most students whose answers one call fetches, when several jobs of
    /// one assessment wait (1–200, default 200; 1 fetches every student alone).
    pub batch_users: usize,
    /// `HTTP_TIMEOUT_SECONDS`: timeout of every outbound HTTP call (default 30).
    pub timeout: Duration,
}

impl LearnWorldsConfig {
    pub(super) fn from_source(src: &Source) -> Result<Self, ConfigError> {
        let domain = src.get("SCHOOL_DOMAIN");
        let explicit = src.get("LEARNWORLDS_API_URL");
        let client_id = src.get("CLIENT_ID");
        let auth = match (src.get("ACCESS_TOKEN"), src.get("CLIENT_SECRET")) {
            (Some(t), _) => Some(LearnWorldsAuth::Static(Secret::new(t))),
            (None, Some(s)) => Some(LearnWorldsAuth::ClientCredentials(Secret::new(s))),
            (None, None) => None,
        };
        let any_set =
            domain.is_some() || explicit.is_some() || client_id.is_some() || auth.is_some();
        let api = if !any_set {
            None
        } else {
            let raw_url = match (explicit, domain) {
                (Some(u), _) => u,
                (None, Some(d)) => {
                    let host = d
                        .trim_start_matches("https://")
                        .trim_start_matches("http://");
                    format!("https://{}/admin/api", host.trim_end_matches('/'))
                }
                (None, None) => {
                    return Err(ConfigError::Missing {
                        var: "SCHOOL_DOMAIN",
                        when: "(or LEARNWORLDS_API_URL) when the LearnWorlds API is configured",
                    })
                }
            };
            let base_url =
                Url::parse(raw_url.trim_end_matches('/')).map_err(|e| ConfigError::Invalid {
                    var: "LEARNWORLDS_API_URL",
                    reason: format!("'{raw_url}' is not a URL: {e}"),
                })?;
            Some(LearnWorldsApi {
                base_url,
                client_id: client_id.ok_or(ConfigError::Missing {
                    var: "CLIENT_ID",
                    when: "when the LearnWorlds API is configured",
                })?,
                auth: auth.ok_or(ConfigError::Missing {
                    var: "ACCESS_TOKEN",
                    when: "(or CLIENT_SECRET) when the LearnWorlds API is configured",
                })?,
            })
        };
        let rate_limit: u32 = src.parse("LW_RATE_LIMIT", 30)?;
        if rate_limit == 0 {
            return Err(ConfigError::Invalid {
                var: "LW_RATE_LIMIT",
                reason: "must be at least 1".into(),
            });
        }
        let batch_users: usize = src.parse("LW_BATCH_USERS", 200)?;
        if !(1..=200).contains(&batch_users) {
            return Err(ConfigError::Invalid {
                var: "LW_BATCH_USERS",
                reason: "must be between 1 and 200 (the API's largest page)".into(),
            });
        }
        Ok(Self {
            api,
            rate_limit,
            batch_users,
            rate_window: seconds(src, "LW_RATE_WINDOW_SECONDS", 10.0)?,
            visibility_retries: src.parse("LW_VISIBILITY_RETRIES", 5)?,
            visibility_delay: seconds(src, "LW_VISIBILITY_DELAY_SECONDS", 2.0)?,
            max_429_retries: src.parse("LW_MAX_429_RETRIES", 6)?,
            timeout: seconds(src, "HTTP_TIMEOUT_SECONDS", 30.0)?,
        })
    }
}
