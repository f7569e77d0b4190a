//! Readiness checks too costly to run on every probe: the SMTP server is asked (a connection
//! and EHLO, nothing sent) at most once per [`SMTP_PROBE_PERIOD`], and its answer is reused.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::mail::MailTransport;

/// How long one SMTP answer stands.
pub const SMTP_PROBE_PERIOD: Duration = Duration::from_secs(60);

/// An answer: when (monotonic, for its age; and the wall clock, to show), and what.
type Answered = (
    Instant,
    chrono::DateTime<chrono::Utc>,
    Result<String, String>,
);

/// The latest SMTP answer, and when it was had.
#[derive(Default)]
pub struct SmtpProbe {
    last: Mutex<Option<Answered>>,
    /// One probe at a time; concurrent readiness probes wait for its answer.
    probing: tokio::sync::Mutex<()>,
}

/// What `/readyz` shows of the mail server.
pub struct SmtpAnswer {
    pub result: Result<String, String>,
    pub checked_at: String,
}

impl SmtpProbe {
    pub async fn check(&self, mailer: &dyn MailTransport) -> SmtpAnswer {
        if let Some(answer) = self.fresh() {
            return answer;
        }
        let _one = self.probing.lock().await;
        if let Some(answer) = self.fresh() {
            return answer;
        }
        let result = mailer
            .check()
            .await
            .map_err(|e| format!("{}: {} ({})", mailer.describe(), e, e.code()));
        let now = chrono::Utc::now();
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((Instant::now(), now, result.clone()));
        SmtpAnswer {
            result,
            checked_at: now.to_rfc3339(),
        }
    }

    fn fresh(&self) -> Option<SmtpAnswer> {
        let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let (at, when, result) = last.as_ref()?;
        (at.elapsed() < SMTP_PROBE_PERIOD).then(|| SmtpAnswer {
            result: result.clone(),
            checked_at: when.to_rfc3339(),
        })
    }
}
