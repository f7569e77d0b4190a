//! Without SMTP, each message becomes an `.eml` file the operator can open in any mail client.

use std::path::PathBuf;

use super::{Email, MailError, MailTransport};
use async_trait::async_trait;

pub struct OutboxTransport {
    dir: PathBuf,
}

impl OutboxTransport {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }
}

#[async_trait]
impl MailTransport for OutboxTransport {
    async fn send(&self, email: &Email) -> Result<(), MailError> {
        let message = &email.message;
        tokio::fs::create_dir_all(&self.dir).await?;
        let id = message
            .headers()
            .get_raw("Message-ID")
            .map(|v| {
                v.chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect::<String>()
            })
            .unwrap_or_default();
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f");
        let name = format!("{stamp}-{id}.eml");
        // Write then rename, so a reader never sees half a message.
        let tmp = self.dir.join(format!(".{name}.tmp"));
        tokio::fs::write(&tmp, message.formatted()).await?;
        tokio::fs::rename(&tmp, self.dir.join(&name)).await?;
        Ok(())
    }

    fn describe(&self) -> String {
        format!(
            "outbox folder {} (no SMTP_SERVER or MAIL_TRANSPORT configured)",
            self.dir.display()
        )
    }
}
