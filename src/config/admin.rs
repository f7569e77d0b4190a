//! The operator dashboard (`/admin`): the school's time zone and how its session cookie is set.

use super::{ConfigError, Source};

#[derive(Debug, Clone)]
pub struct DashboardConfig {
    /// `TIMEZONE`: the school's IANA time zone, for the dashboard's dates and its "today" and
    /// "this week" (default `America/Santiago`).
    pub timezone: chrono_tz::Tz,
    /// `ADMIN_COOKIE_SECURE`: mark the session cookie `Secure` (default true). Only for a
    /// dashboard reached over plain http on a machine's own address may it be `false`: a
    /// browser sends a `Secure` cookie over https only (except to `localhost`).
    pub cookie_secure: bool,
}

impl DashboardConfig {
    pub(super) fn from_source(src: &Source) -> Result<Self, ConfigError> {
        let zone = src
            .get("TIMEZONE")
            .filter(|z| !z.is_empty())
            .unwrap_or_else(|| "America/Santiago".into());
        let timezone = zone.parse().map_err(|_| ConfigError::Invalid {
            var: "TIMEZONE",
            reason: format!("'{zone}' is not an IANA time zone (like America/Santiago)"),
        })?;
        Ok(Self {
            timezone,
            cookie_secure: src.flag("ADMIN_COOKIE_SECURE", true)?,
        })
    }
}
