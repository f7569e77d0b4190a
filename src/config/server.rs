//! The HTTP server's limits: read timeouts, connection caps, webhooks handled at once.

use std::time::Duration;

use super::{seconds, ConfigError, Source};

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// `HTTP_HEADER_TIMEOUT_SECONDS`: a connection must deliver a request's headers within this
    /// (also how long an idle keep-alive connection stays open); else it is closed (default 10).
    pub header_timeout: Duration,
    /// `HTTP_BODY_TIMEOUT_SECONDS`: an authenticated webhook's body must arrive in full within
    /// this, else 408 `body_timeout` (default 30).
    pub body_timeout: Duration,
    /// `HTTP_MAX_CONNECTIONS`: open connections at once, all clients together; beyond it a new
    /// connection is answered 503 and closed (default 8192).
    pub max_connections: usize,
    /// `HTTP_MAX_CONNECTIONS_PER_IP`: open connections at once from one client address (the
    /// socket's peer address) (default 1024, above Cloud Run's maximum of 1000 concurrent
    /// requests per instance, whose proxy may be one peer address for every client).
    pub max_connections_per_ip: usize,
    /// `WEBHOOK_MAX_IN_FLIGHT`: authenticated webhooks handled at once; beyond it 503
    /// `overloaded` at once (default 4096). Unauthenticated requests never take one.
    pub max_in_flight: usize,
}

impl ServerConfig {
    pub(super) fn from_source(src: &Source) -> Result<Self, ConfigError> {
        let at_least_one = |var: &'static str, default: usize| -> Result<usize, ConfigError> {
            let n: usize = src.parse(var, default)?;
            if n == 0 {
                return Err(ConfigError::Invalid {
                    var,
                    reason: "must be at least 1".into(),
                });
            }
            Ok(n)
        };
        let positive = |var: &'static str, default: f64| -> Result<Duration, ConfigError> {
            let d = seconds(src, var, default)?;
            if d.is_zero() {
                return Err(ConfigError::Invalid {
                    var,
                    reason: "must be more than 0 seconds".into(),
                });
            }
            Ok(d)
        };
        Ok(Self {
            header_timeout: positive("HTTP_HEADER_TIMEOUT_SECONDS", 10.0)?,
            body_timeout: positive("HTTP_BODY_TIMEOUT_SECONDS", 30.0)?,
            max_connections: at_least_one("HTTP_MAX_CONNECTIONS", 8192)?,
            max_connections_per_ip: at_least_one("HTTP_MAX_CONNECTIONS_PER_IP", 1024)?,
            max_in_flight: at_least_one("WEBHOOK_MAX_IN_FLIGHT", 4096)?,
        })
    }
}
