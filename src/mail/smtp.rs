//! SMTP through lettre: STARTTLS on 587 (Gmail with an app password), TLS on 465, or plain for
//! a local relay.

use async_trait::async_trait;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{MailError, MailTransport};
use crate::config::{SmtpConfig, SmtpSecurity};

pub struct SmtpTransport {
    inner: AsyncSmtpTransport<Tokio1Executor>,
    describe: String,
}

impl SmtpTransport {
    pub fn new(cfg: &SmtpConfig) -> Result<Self, MailError> {
        let tls = || {
            TlsParameters::new(cfg.server.clone())
                .map_err(|e| MailError::Build(format!("SMTP_SERVER TLS: {e}")))
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&cfg.server)
            .port(cfg.port)
            .timeout(Some(cfg.timeout));
        builder = match cfg.security {
            SmtpSecurity::StartTls => builder.tls(Tls::Required(tls()?)),
            SmtpSecurity::Tls => builder.tls(Tls::Wrapper(tls()?)),
            SmtpSecurity::None => builder.tls(Tls::None),
        };
        if let Some((user, password)) = &cfg.credentials {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose().to_string(),
            ));
        }
        Ok(Self {
            inner: builder.build(),
            describe: format!("SMTP {}:{} ({:?})", cfg.server, cfg.port, cfg.security),
        })
    }
}

#[async_trait]
impl MailTransport for SmtpTransport {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        match self.inner.send(message.clone()).await {
            Ok(_) => Ok(()),
            Err(e) => Err(classify(&e)),
        }
    }

    fn describe(&self) -> String {
        self.describe.clone()
    }

    /// Connects, says EHLO (and STARTTLS where configured), and quits; sends nothing.
    async fn check(&self) -> Result<String, MailError> {
        match self.inner.test_connection().await {
            Ok(true) => Ok(format!("{}: connected, EHLO answered", self.describe)),
            Ok(false) => Err(MailError::Transient(
                "the server did not answer EHLO".into(),
            )),
            Err(e) => Err(classify(&e)),
        }
    }
}

fn classify(e: &lettre::transport::smtp::Error) -> MailError {
    let code = e.status().map(|c| c.to_string()).unwrap_or_default();
    let text = e.to_string();
    match code.as_str() {
        // Authentication problems are fixed by the operator, then the job can succeed.
        "530" | "534" | "535" | "454" => MailError::Auth(text),
        // Mailbox unavailable / not local / name not allowed / bad address syntax.
        "550" | "551" | "553" | "501" if e.is_permanent() => MailError::InvalidAddress(text),
        _ if e.is_permanent() => MailError::Rejected(text),
        // A 4xx answer, or no connection at all: the server has not taken the message.
        _ if e.is_transient()
            || e.is_tls()
            || e.is_client()
            || e.is_transport_shutdown()
            || never_connected(e) =>
        {
            MailError::Transient(text)
        }
        // The session broke (network error, timeout, unreadable reply) once it had started:
        // the message may be stored already.
        _ => MailError::OutcomeUnknown(text),
    }
}

/// lettre reports a failure to open the connection as its own kind, visible only in its text
/// (a test with a closed port holds this to it).
fn never_connected(e: &lettre::transport::smtp::Error) -> bool {
    e.to_string().starts_with("Connection error")
}
