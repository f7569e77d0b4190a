//! SMTP through lettre's connection: STARTTLS on 587 (Gmail with an app password), TLS on 465,
//! or plain for a local relay.
//!
//! The session is driven command by command here rather than through lettre's transport, for
//! two reasons: lettre times only the TCP connect, so a server that accepts and then never
//! answers would hold a worker until its lease ran out; and the outcome of a failure depends on
//! where it happened — before the message was sent the server cannot have it (retry), while a
//! silence or a broken connection after it leaves the outcome unknown (the email stage resends
//! at most once, with the same Message-ID). One deadline, `SMTP_TIMEOUT_SECONDS` from the start
//! of the send, bounds every step; the whole send is also wrapped in a timeout, as a backstop.
//! A few idle connections are kept (after a NOOP check) so that a burst does not log in to
//! Gmail once per message.

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use tokio::time::Instant;

use super::reply::{classify_error, At, Phase};
use super::{Email, MailError, MailTransport};
use crate::config::{SmtpConfig, SmtpSecurity};

/// Idle connections kept, and for how long (Gmail closes idle sessions after a few minutes).
const IDLE_KEEP: usize = 4;
const IDLE_MAX: Duration = Duration::from_secs(60);

pub struct SmtpTransport {
    server: String,
    port: u16,
    security: SmtpSecurity,
    credentials: Option<Credentials>,
    timeout: Duration,
    hello: ClientId,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
    describe: String,
}

impl SmtpTransport {
    pub fn new(cfg: &SmtpConfig) -> Result<Self, MailError> {
        if cfg.security != SmtpSecurity::None {
            // Checked once here, so a bad server name fails at start-up.
            tls(&cfg.server)?;
        }
        Ok(Self {
            server: cfg.server.clone(),
            port: cfg.port,
            security: cfg.security,
            credentials: cfg
                .credentials
                .as_ref()
                .map(|(u, p)| Credentials::new(u.clone(), p.expose().to_string())),
            timeout: cfg.timeout,
            hello: ClientId::default(),
            idle: Mutex::default(),
            describe: format!("SMTP {}:{} ({:?})", cfg.server, cfg.port, cfg.security),
        })
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<(AsyncSmtpConnection, Instant)>> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn session(&self, email: &Email, deadline: Instant, at: &At) -> Result<(), MailError> {
        let mut conn = self.connection(deadline, at).await?;
        let result = self.transaction(&mut conn, email, deadline, at).await;
        match &result {
            Ok(()) => {
                let mut idle = self.idle();
                if idle.len() < IDLE_KEEP {
                    idle.push((conn, Instant::now()));
                }
            }
            // A silent server would not answer QUIT either.
            Err(MailError::Transient(_) | MailError::OutcomeUnknown(_)) => drop(conn),
            // A polite QUIT after a refusal, in the background: the answer is known already.
            Err(_) => {
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(Duration::from_secs(1), conn.abort()).await;
                });
            }
        }
        result
    }

    /// An idle connection that still answers, else a new one: connected, encrypted, logged in.
    async fn connection(
        &self,
        deadline: Instant,
        at: &At,
    ) -> Result<AsyncSmtpConnection, MailError> {
        at.set(Phase::Connect);
        loop {
            let Some((mut conn, since)) = self.idle().pop() else {
                break;
            };
            if since.elapsed() < IDLE_MAX
                && tokio::time::timeout_at(deadline, conn.test_connected())
                    .await
                    .unwrap_or(false)
            {
                return Ok(conn);
            }
        }
        let wrapper = match self.security {
            SmtpSecurity::Tls => Some(tls(&self.server)?),
            _ => None,
        };
        let remaining = deadline.saturating_duration_since(Instant::now());
        let mut conn = self
            .step(
                deadline,
                at,
                AsyncSmtpConnection::connect_tokio1(
                    (self.server.as_str(), self.port),
                    Some(remaining),
                    &self.hello,
                    wrapper,
                    None,
                ),
            )
            .await?;
        if self.security == SmtpSecurity::StartTls {
            if !conn.can_starttls() {
                return Err(MailError::Transient(format!(
                    "{} does not offer STARTTLS (SMTP_SECURITY=starttls)",
                    self.server
                )));
            }
            self.step(deadline, at, conn.starttls(tls(&self.server)?, &self.hello))
                .await?;
        }
        if let Some(credentials) = &self.credentials {
            at.set(Phase::Auth);
            self.step(deadline, at, conn.auth(DEFAULT_MECHANISMS, credentials))
                .await?;
        }
        Ok(conn)
    }

    async fn transaction(
        &self,
        conn: &mut AsyncSmtpConnection,
        email: &Email,
        deadline: Instant,
        at: &At,
    ) -> Result<(), MailError> {
        let envelope = email.message.envelope();
        let bytes = email.message.formatted();
        let mut options = Vec::new();
        let info = conn.server_info();
        if envelope.to().iter().any(|a| !a.to_string().is_ascii()) {
            if !info.supports_feature(Extension::SmtpUtfEight) {
                return Err(MailError::Rejected(
                    "the address is not ASCII and the server does not support SMTPUTF8".into(),
                ));
            }
            options.push(MailParameter::SmtpUtfEight);
        }
        if !bytes.is_ascii() && info.supports_feature(Extension::EightBitMime) {
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        at.set(Phase::Sender);
        self.step(
            deadline,
            at,
            conn.command(Mail::new(envelope.from().cloned(), options)),
        )
        .await?;
        at.set(Phase::Recipient);
        for to in envelope.to() {
            self.step(deadline, at, conn.command(Rcpt::new(to.clone(), vec![])))
                .await?;
        }
        at.set(Phase::Data);
        self.step(deadline, at, conn.command(Data)).await?;
        // From the first byte of the message on, a failure may follow the server storing it.
        at.set(Phase::Message);
        self.step(deadline, at, conn.message(&bytes)).await?;
        Ok(())
    }

    /// One step of the session, under the send's deadline.
    async fn step<T>(
        &self,
        deadline: Instant,
        at: &At,
        step: impl std::future::Future<Output = Result<T, lettre::transport::smtp::Error>>,
    ) -> Result<T, MailError> {
        match tokio::time::timeout_at(deadline, step).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(classify_error(&e, at.get())),
            Err(_) => Err(self.timed_out(at.get())),
        }
    }

    fn timed_out(&self, phase: Phase) -> MailError {
        let secs = self.timeout.as_secs_f64();
        match phase {
            Phase::Message => MailError::OutcomeUnknown(format!(
                "no answer within {secs} s (SMTP_TIMEOUT_SECONDS) after the message was sent"
            )),
            other => MailError::Transient(format!(
                "the mail server did not answer within {secs} s (SMTP_TIMEOUT_SECONDS) at {other:?}"
            )),
        }
    }
}

#[async_trait]
impl MailTransport for SmtpTransport {
    async fn send(&self, email: &Email) -> Result<(), MailError> {
        let at = At::default();
        let deadline = Instant::now() + self.timeout;
        let backstop = self.timeout + Duration::from_secs(1);
        match tokio::time::timeout(backstop, self.session(email, deadline, &at)).await {
            Ok(result) => result,
            Err(_) => Err(self.timed_out(at.get())),
        }
    }

    fn describe(&self) -> String {
        self.describe.clone()
    }

    /// Connects, says EHLO (and STARTTLS where configured), and quits; sends nothing.
    async fn check(&self) -> Result<String, MailError> {
        let at = At::default();
        let deadline = Instant::now() + self.timeout;
        let mut conn = self.connection(deadline, &at).await?;
        let _ = tokio::time::timeout_at(deadline, conn.quit()).await;
        Ok(format!("{}: connected, EHLO answered", self.describe))
    }
}

fn tls(server: &str) -> Result<TlsParameters, MailError> {
    TlsParameters::new(server.to_string())
        .map_err(|e| MailError::Build(format!("SMTP_SERVER TLS: {e}")))
}
