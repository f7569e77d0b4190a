//! What an SMTP server's negative reply means for the job. Submission servers (Gmail,
//! Microsoft 365, Yahoo, a Postfix relay) answer the same few situations with different words,
//! so the reply code alone is not enough: the enhanced status code (RFC 3463) and a few phrases
//! decide. The table test at the bottom holds real replies to their meaning.

use std::sync::atomic::{AtomicU8, Ordering};

use super::{MailError, ParkKind};

/// Where in the SMTP session the reply came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Greeting, EHLO, STARTTLS.
    Connect,
    Auth,
    /// MAIL FROM.
    Sender,
    /// RCPT TO: a refusal here concerns this recipient only.
    Recipient,
    /// The DATA command, before any of the message was sent.
    Data,
    /// The message and the server's final reply to it.
    Message,
}

/// Account-wide daily quota replies: nothing will be accepted until it frees up.
const QUOTA: &[&str] = &[
    "daily user sending limit",
    "daily smtp relay sending limit",
    "sending limit exceeded",
    "sending quota",
    "quota exceeded",
    "submissionquotaexceeded",
    "daily limit",
    "maximum credits exceeded",
];

/// Account- or connection-wide throttles: every instance should stop for a while rather than
/// retry each job on its own (which lengthens the throttle). Gmail's `454 4.7.0 Too many login
/// attempts` is one: it concerns the account, not the message, and every further login — ten
/// instances each retrying their jobs — extends it; so it parks (for the short throttle period,
/// without using attempts) instead of counting as a login failure. Gmail's other 454, "Cannot
/// authenticate due to temporary system problem", is an ordinary retry.
const THROTTLE: &[&str] = &[
    "too many login attempts",
    "try again later, closing connection",
    "rate limit",
    "unusual rate",
    "temporarily deferred",
    "unexpected volume",
    "throttl",
    "limit exceeded",
    "server busy",
    "too many connections",
    "too many messages",
];

/// This recipient's mailbox cannot take the message (unknown, disabled, full).
const RECIPIENT: &[&str] = &[
    "user unknown",
    "does not exist",
    "doesn't have",
    "no such user",
    "recipient not found",
    "recipientnotfound",
    "recipient address rejected",
    "mailbox unavailable",
    "mailbox not found",
    "invalid recipient",
    "account that you tried to reach",
];

/// The enhanced status code at the start of a reply's text (`5.4.5 Daily …`), if any.
fn enhanced(text: &str) -> Option<&str> {
    let first = text.split_whitespace().next()?;
    let mut parts = first.split('.');
    let ok = matches!(parts.next(), Some("2" | "4" | "5"))
        && parts.next().is_some_and(|p| p.parse::<u16>().is_ok())
        && parts.next().is_some_and(|p| p.parse::<u16>().is_ok())
        && parts.next().is_none();
    ok.then_some(first)
}

/// The meaning of a negative reply `code text` received in `phase`.
pub fn classify_reply(code: u16, text: &str, phase: Phase) -> MailError {
    let reply = format!("{code} {text}").trim().to_string();
    let lower = text.to_ascii_lowercase();
    let has = |phrases: &[&str]| phrases.iter().any(|p| lower.contains(p));
    let esc = enhanced(text).unwrap_or("");
    let permanent = (500..600).contains(&code);
    // Size first: "exceeded … limits" would otherwise read as a quota.
    if code == 552 && phase != Phase::Recipient && !esc.starts_with("5.2.2")
        || matches!(esc, "5.3.4" | "4.3.4" | "5.2.3")
        || lower.contains("message size exceeds")
        || lower.contains("message too large")
    {
        return MailError::TooLarge(reply);
    }
    // The recipient's own mailbox is over its quota: that is about this student, never the
    // account's sending quota.
    let mailbox_full = matches!(esc, "5.2.2" | "4.2.2");
    if !mailbox_full && has(QUOTA) {
        return MailError::Parked {
            kind: ParkKind::Quota,
            reply,
        };
    }
    if esc == "5.4.5" {
        return MailError::Parked {
            kind: ParkKind::Quota,
            reply,
        };
    }
    // A system problem that merely says "try again later" is an ordinary retry.
    let system_problem =
        lower.contains("temporary system problem") || lower.contains("temporary server error");
    if !permanent && !mailbox_full && !system_problem && (has(THROTTLE) || esc == "4.7.28") {
        return MailError::Parked {
            kind: ParkKind::Throttle,
            reply,
        };
    }
    let auth_code = matches!(code, 530 | 534 | 535 | 538)
        || (code == 454 && lower.contains("auth"))
        || matches!(esc, "5.7.8" | "5.7.9" | "5.7.57" | "5.7.139" | "5.7.3");
    if auth_code || (phase == Phase::Auth && !mailbox_full) {
        return MailError::Auth(reply);
    }
    let recipient_code = esc.starts_with("5.1.") || matches!(esc, "5.2.1" | "5.2.2");
    if permanent && (phase == Phase::Recipient || recipient_code || has(RECIPIENT)) {
        return MailError::RecipientRefused(reply);
    }
    if permanent {
        return MailError::Rejected(reply);
    }
    MailError::Transient(reply)
}

/// The phase a send is in, readable after its future was dropped by the backstop.
#[derive(Default)]
pub(super) struct At(AtomicU8);

impl At {
    const PHASES: [Phase; 6] = [
        Phase::Connect,
        Phase::Auth,
        Phase::Sender,
        Phase::Recipient,
        Phase::Data,
        Phase::Message,
    ];

    pub(super) fn set(&self, phase: Phase) {
        let i = Self::PHASES.iter().position(|p| *p == phase).unwrap_or(0);
        self.0.store(i as u8, Ordering::SeqCst);
    }

    pub(super) fn get(&self) -> Phase {
        Self::PHASES[usize::from(self.0.load(Ordering::SeqCst)).min(5)]
    }
}

/// A negative reply by what it says; any other failure by where it happened.
pub(super) fn classify_error(e: &lettre::transport::smtp::Error, phase: Phase) -> MailError {
    if let Some(code) = e.status() {
        let code: u16 = code.to_string().parse().unwrap_or(451);
        let text = std::error::Error::source(e)
            .map(|s| s.to_string())
            .unwrap_or_default();
        return classify_reply(code, &text, phase);
    }
    if phase == Phase::Message {
        MailError::OutcomeUnknown(e.to_string())
    } else {
        MailError::Transient(e.to_string())
    }
}

#[cfg(test)]
mod tests;
