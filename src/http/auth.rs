//! Webhook authentication as LearnWorlds documents it: the `Learnworlds-Webhook-Signature`
//! header carries `v1=<the pre-shared signature>`, compared in constant time. Optional: a token
//! in the URL as a second factor, and an HMAC mode for other senders.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::{SignatureMode, WebhookConfig};

pub const SIGNATURE_HEADER: &str = "learnworlds-webhook-signature";

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("the Learnworlds-Webhook-Signature header is missing")]
    MissingSignature,
    #[error("the Learnworlds-Webhook-Signature header does not match any configured secret")]
    BadSignature,
    #[error("the webhook URL token is missing or wrong")]
    BadUrlToken,
}

impl AuthError {
    pub fn code(self) -> &'static str {
        match self {
            Self::MissingSignature => "missing_signature",
            Self::BadSignature => "invalid_signature",
            Self::BadUrlToken => "invalid_url_token",
        }
    }
}

pub fn verify(
    cfg: &WebhookConfig,
    signature_header: Option<&[u8]>,
    url_token: Option<&str>,
    body: &[u8],
) -> Result<(), AuthError> {
    if let Some(expected) = &cfg.url_token {
        let given = url_token.unwrap_or_default();
        if !equal(given.as_bytes(), expected.expose().as_bytes()) {
            return Err(AuthError::BadUrlToken);
        }
    }
    if cfg.secrets.is_empty() {
        // Only reachable with ALLOW_UNSIGNED_WEBHOOKS or a URL token alone (config validated it).
        return Ok(());
    }
    let Some(header) = signature_header.filter(|h| !h.is_empty()) else {
        return if cfg.require_signature {
            Err(AuthError::MissingSignature)
        } else {
            Ok(())
        };
    };
    let header = String::from_utf8_lossy(header);
    let body_mac: Vec<Vec<u8>> = match cfg.mode {
        SignatureMode::Plain => Vec::new(),
        SignatureMode::HmacSha256 => cfg
            .secrets
            .iter()
            .map(|s| hmac_hex(s.expose(), body))
            .collect(),
    };
    // Several `v1=` values may be sent during a rotation; any match is enough. Every candidate
    // is compared against every secret so timing does not reveal which one matched.
    let mut ok = false;
    for candidate in header
        .split([',', ' '])
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        let candidate = candidate.strip_prefix("v1=").unwrap_or(candidate);
        match cfg.mode {
            SignatureMode::Plain => {
                for secret in &cfg.secrets {
                    ok |= equal(candidate.as_bytes(), secret.expose().as_bytes());
                }
            }
            SignatureMode::HmacSha256 => {
                let candidate = candidate.to_ascii_lowercase();
                for mac in &body_mac {
                    ok |= equal(candidate.as_bytes(), mac);
                }
            }
        }
    }
    if ok {
        Ok(())
    } else {
        Err(AuthError::BadSignature)
    }
}

/// Constant-time equality that also hides the length of the secret: both sides are hashed to
/// fixed-size digests first.
fn equal(a: &[u8], b: &[u8]) -> bool {
    Sha256::digest(a).ct_eq(&Sha256::digest(b)).into()
}

pub fn hmac_hex(secret: &str, body: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes()).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn cfg(secrets: &[&str], mode: SignatureMode) -> WebhookConfig {
        WebhookConfig {
            secrets: secrets.iter().map(|s| Secret::new(*s)).collect(),
            mode,
            require_signature: true,
            url_token: None,
            allow_unsigned: false,
        }
    }

    #[test]
    fn plain_signature_matches_any_configured_secret() {
        let c = cfg(&["old-secret", "new-secret"], SignatureMode::Plain);
        assert_eq!(verify(&c, Some(b"v1=new-secret"), None, b"{}"), Ok(()));
        assert_eq!(verify(&c, Some(b"v1=old-secret"), None, b"{}"), Ok(()));
        assert_eq!(
            verify(&c, Some(b"v1=new-secre"), None, b"{}"),
            Err(AuthError::BadSignature)
        );
        assert_eq!(
            verify(&c, None, None, b"{}"),
            Err(AuthError::MissingSignature)
        );
    }

    #[test]
    fn hmac_mode_checks_the_body() {
        let c = cfg(&["k"], SignatureMode::HmacSha256);
        let sig = format!("v1={}", String::from_utf8(hmac_hex("k", b"body")).unwrap());
        assert_eq!(verify(&c, Some(sig.as_bytes()), None, b"body"), Ok(()));
        assert_eq!(
            verify(&c, Some(sig.as_bytes()), None, b"other"),
            Err(AuthError::BadSignature)
        );
        assert_eq!(
            verify(&c, Some(b"v1=k"), None, b"body"),
            Err(AuthError::BadSignature)
        );
    }

    #[test]
    fn url_token_is_checked_before_the_header() {
        let mut c = cfg(&["s"], SignatureMode::Plain);
        c.url_token = Some(Secret::new("0123456789abcdef0123"));
        assert_eq!(
            verify(&c, Some(b"v1=s"), None, b""),
            Err(AuthError::BadUrlToken)
        );
        assert_eq!(
            verify(&c, Some(b"v1=s"), Some("0123456789abcdef0123"), b""),
            Ok(())
        );
        c.require_signature = false;
        assert_eq!(verify(&c, None, Some("0123456789abcdef0123"), b""), Ok(()));
    }
}
