//! Webhook authentication as LearnWorlds documents it: the `Learnworlds-Webhook-Signature`
//! header carries `v1=<the pre-shared signature>`, compared in constant time. Optional: a token
//! in the URL as a second factor, and an HMAC mode for other senders.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::{SignatureMode, WebhookConfig};

pub const SIGNATURE_HEADER: &str = "learnworlds-webhook-signature";

/// `v1=` values accepted in one header: enough for a rotation (old and new secret, with room
/// to spare), too few to try guesses in bulk.
pub const MAX_CANDIDATES: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("the Learnworlds-Webhook-Signature header is missing")]
    MissingSignature,
    #[error("the Learnworlds-Webhook-Signature header does not match any configured secret")]
    BadSignature,
    #[error("the Learnworlds-Webhook-Signature header carries more than {MAX_CANDIDATES} values")]
    TooManySignatures,
    #[error("the webhook URL token is missing or wrong")]
    BadUrlToken,
}

impl AuthError {
    pub fn code(self) -> &'static str {
        match self {
            Self::MissingSignature => "missing_signature",
            Self::BadSignature => "invalid_signature",
            Self::TooManySignatures => "too_many_signatures",
            Self::BadUrlToken => "invalid_url_token",
        }
    }
}

/// What the headers alone decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Authenticated: read the body.
    Authenticated,
    /// `hmac-sha256` mode: the signature covers the body; call [`verify_body`] once it is read.
    NeedsBody,
}

/// Everything that can be checked before the body is read: the URL token, the header's
/// presence and shape, and in `plain` mode the signature itself.
pub fn verify_headers(
    cfg: &WebhookConfig,
    signature_header: Option<&[u8]>,
    url_token: Option<&str>,
) -> Result<Verdict, AuthError> {
    if let Some(expected) = &cfg.url_token {
        let given = url_token.unwrap_or_default();
        if !equal(given.as_bytes(), expected.expose().as_bytes()) {
            return Err(AuthError::BadUrlToken);
        }
    }
    if cfg.secrets.is_empty() {
        // Only reachable with ALLOW_UNSIGNED_WEBHOOKS or a URL token alone (config validated it).
        return Ok(Verdict::Authenticated);
    }
    let Some(header) = signature_header.filter(|h| !h.is_empty()) else {
        return if cfg.require_signature {
            Err(AuthError::MissingSignature)
        } else {
            Ok(Verdict::Authenticated)
        };
    };
    let header = String::from_utf8_lossy(header);
    let candidates = candidates(&header)?;
    match cfg.mode {
        SignatureMode::HmacSha256 => Ok(Verdict::NeedsBody),
        SignatureMode::Plain => {
            // Every candidate is compared against every secret so timing does not reveal
            // which one matched.
            let mut ok = false;
            for candidate in &candidates {
                for secret in &cfg.secrets {
                    ok |= equal(candidate.as_bytes(), secret.expose().as_bytes());
                }
            }
            if ok {
                Ok(Verdict::Authenticated)
            } else {
                Err(AuthError::BadSignature)
            }
        }
    }
}

/// `hmac-sha256` mode, after [`verify_headers`] answered [`Verdict::NeedsBody`].
pub fn verify_body(
    cfg: &WebhookConfig,
    signature_header: Option<&[u8]>,
    body: &[u8],
) -> Result<(), AuthError> {
    let header = String::from_utf8_lossy(signature_header.unwrap_or_default());
    let candidates = candidates(&header)?;
    let mut ok = false;
    for secret in &cfg.secrets {
        let mac = hmac_hex(secret.expose(), body);
        for candidate in &candidates {
            ok |= equal(candidate.to_ascii_lowercase().as_bytes(), &mac);
        }
    }
    if ok {
        Ok(())
    } else {
        Err(AuthError::BadSignature)
    }
}

/// Both steps at once, for a body already in hand.
pub fn verify(
    cfg: &WebhookConfig,
    signature_header: Option<&[u8]>,
    url_token: Option<&str>,
    body: &[u8],
) -> Result<(), AuthError> {
    match verify_headers(cfg, signature_header, url_token)? {
        Verdict::Authenticated => Ok(()),
        Verdict::NeedsBody => verify_body(cfg, signature_header, body),
    }
}

/// The header's values (several `v1=` may be sent during a rotation), at most
/// [`MAX_CANDIDATES`].
fn candidates(header: &str) -> Result<Vec<&str>, AuthError> {
    let mut out = Vec::new();
    for candidate in header
        .split([',', ' '])
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        if out.len() == MAX_CANDIDATES {
            return Err(AuthError::TooManySignatures);
        }
        out.push(candidate.strip_prefix("v1=").unwrap_or(candidate));
    }
    Ok(out)
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

    #[test]
    fn more_than_five_candidates_are_refused_even_with_the_right_one() {
        for mode in [SignatureMode::Plain, SignatureMode::HmacSha256] {
            let c = cfg(&["s"], mode);
            let right = match mode {
                SignatureMode::Plain => "s".to_string(),
                SignatureMode::HmacSha256 => String::from_utf8(hmac_hex("s", b"b")).unwrap(),
            };
            let five = format!("v1=a,v1=b,v1=c,v1=d,v1={right}");
            assert_eq!(verify(&c, Some(five.as_bytes()), None, b"b"), Ok(()));
            let six = format!("v1=a,v1=b,v1=c,v1=d,v1=e,v1={right}");
            assert_eq!(
                verify(&c, Some(six.as_bytes()), None, b"b"),
                Err(AuthError::TooManySignatures)
            );
        }
    }

    #[test]
    fn plain_mode_decides_on_the_headers_and_hmac_mode_waits_for_the_body() {
        let c = cfg(&["s"], SignatureMode::Plain);
        assert_eq!(
            verify_headers(&c, Some(b"v1=s"), None),
            Ok(Verdict::Authenticated)
        );
        assert_eq!(
            verify_headers(&c, Some(b"v1=x"), None),
            Err(AuthError::BadSignature)
        );
        let c = cfg(&["s"], SignatureMode::HmacSha256);
        assert_eq!(
            verify_headers(&c, Some(b"v1=x"), None),
            Ok(Verdict::NeedsBody)
        );
        assert_eq!(
            verify_headers(&c, None, None),
            Err(AuthError::MissingSignature)
        );
    }
}
