//! Operator alerts: a job going dead, a mail park, no delivery for a while as jobs fail, or
//! students the reconciliation sweep found without a report. Each event adds a line to the
//! next summary (kept in the database, so every instance adds to the same one); a summary goes
//! to `ADMIN_EMAIL` (through the configured mail transport) and/or `SLACK_WEBHOOK_URL` at most
//! once per `ALERT_MIN_INTERVAL_SECONDS`, whichever instance sends it. Lines name jobs, stages,
//! error codes and the provider's reply — never a student's answers, an address or a secret.

mod send;

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::{error, warn};

use crate::config::{AlertConfig, MailConfig};
use crate::db::{now_ms, Store, StoreError};
use crate::domain::alert::AlertKind;
use crate::mail::MailTransport;

#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the alert email could not be sent: {0}")]
    Email(String),
    #[error("the Slack webhook failed: {0}")]
    Slack(String),
}

impl AlertError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Store(_) => "database_unavailable",
            Self::Email(_) => "alert_email",
            Self::Slack(_) => "alert_slack",
        }
    }
}

pub struct Alerter {
    store: Store,
    cfg: AlertConfig,
    mail: MailConfig,
    mailer: Arc<dyn MailTransport>,
    http: reqwest::Client,
}

/// At most this much of a provider's reply goes into a line.
const REPLY_CHARS: usize = 200;

impl Alerter {
    pub fn new(
        store: Store,
        cfg: AlertConfig,
        mail: MailConfig,
        mailer: Arc<dyn MailTransport>,
    ) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout)
            .build()?;
        Ok(Self {
            store,
            cfg,
            mail,
            mailer,
            http,
        })
    }

    pub fn enabled(&self) -> bool {
        self.cfg.enabled()
    }

    /// A job gave up.
    pub async fn job_dead(self: &Arc<Self>, job_id: i64, stage: &str, code: &str, attempts: u32) {
        let line = format!(
            "job {job_id} is dead at stage {stage} after {attempts} attempt(s): {code} \
             (`webhook-service status`, then `webhook-service requeue --job {job_id}`)"
        );
        self.raise(AlertKind::JobDead, &format!("job_dead:{job_id}"), line)
            .await;
    }

    /// All mail is held until `until_ms` by the provider's reply `reason`.
    pub async fn mail_parked(self: &Arc<Self>, until_ms: i64, reason: &str) {
        let reason: String = reason.chars().take(REPLY_CHARS).collect();
        let line = format!("all mail is parked until {}: {reason}", rfc3339(until_ms));
        self.raise(AlertKind::MailParked, "mail_parked", line).await;
    }

    /// For the reconciliation sweep: it found `count` students of these assessments whose
    /// webhook never arrived, and queued their reports.
    pub async fn missed_students(self: &Arc<Self>, count: usize, assessment_ids: &[String]) {
        if count == 0 {
            return;
        }
        let mut ids: Vec<&str> = assessment_ids.iter().map(String::as_str).collect();
        ids.sort_unstable();
        ids.dedup();
        let line = format!(
            "the reconciliation sweep found {count} student(s) without a report and queued them \
             (assessment(s) {})",
            ids.join(", ")
        );
        let key = format!("missed_students:{}", now_ms());
        self.raise(AlertKind::MissedStudents, &key, line).await;
    }

    /// Records the line for the next summary, then tries to send one in the background.
    async fn raise(self: &Arc<Self>, kind: AlertKind, key: &str, line: String) {
        if !self.enabled() {
            return;
        }
        if let Err(e) = self.store.raise_alert(kind, key, &line).await {
            error!(kind = %kind, error = %e, "could not record an operator alert");
            return;
        }
        let me = self.clone();
        tokio::spawn(async move {
            if let Err(e) = me.flush(now_ms()).await {
                warn!(code = e.code(), error = %e, "operator alert not delivered");
            }
        });
    }

    /// Jobs have been failing for the last `ALERT_NO_DELIVERY_MINUTES` and nothing was
    /// delivered in them: raises the alert, and says so.
    pub async fn check_deliveries(self: &Arc<Self>, now: i64) -> Result<bool, StoreError> {
        let window = self.cfg.no_delivery_after.as_millis() as i64;
        if !self.enabled() {
            return Ok(false);
        }
        let (last_sent, failing) = self.store.delivery_health(now - window).await?;
        let stalled = failing > 0 && last_sent.is_none_or(|t| t < now - window);
        if stalled {
            let minutes = window / 60_000;
            let line = format!(
                "no report was delivered in the last {minutes} minute(s) while {failing} job(s) \
                 failed (`webhook-service status`)"
            );
            self.raise(AlertKind::NoDelivery, "no_delivery", line).await;
        }
        Ok(stalled)
    }

    /// Sends one summary of the waiting lines if the interval allows; true when one went out.
    pub async fn flush(&self, now: i64) -> Result<bool, AlertError> {
        let interval = self.cfg.min_interval.as_millis() as i64;
        let Some(lines) = self.store.take_alert_summary(now, interval).await? else {
            return Ok(false);
        };
        let text = send::summary(&lines);
        let subject = format!("webhook-service: {} alert(s) need attention", lines.len());
        let (mut delivered, mut failure) = (false, None);
        if let Some(to) = &self.cfg.admin_email {
            match send::email(&*self.mailer, &self.mail, to, &subject, &text).await {
                Ok(()) => delivered = true,
                Err(e) => failure = Some(e),
            }
        }
        if let Some(url) = &self.cfg.slack_webhook {
            match send::slack(&self.http, url, &text).await {
                Ok(()) => delivered = true,
                Err(e) => failure = Some(e),
            }
        }
        if !delivered {
            // Nobody got them: back in the queue for the next summary.
            for a in &lines {
                self.store.raise_alert(a.kind, &a.key, &a.line).await?;
            }
        }
        match failure {
            Some(e) => Err(e),
            None => Ok(true),
        }
    }

    /// Every minute (or sooner with a short interval): the delivery check, then whatever
    /// summary is due.
    pub async fn run(self: Arc<Self>, stop: CancellationToken) {
        if !self.enabled() {
            return;
        }
        let period = self
            .cfg
            .min_interval
            .clamp(Duration::from_secs(1), Duration::from_secs(60));
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(period) => {}
            }
            let now = now_ms();
            if let Err(e) = self.check_deliveries(now).await {
                warn!(error = %e, "could not check recent deliveries");
            }
            if let Err(e) = self.flush(now).await {
                warn!(code = e.code(), error = %e, "operator alert not delivered");
            }
        }
    }
}

pub(crate) fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}
