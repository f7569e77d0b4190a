//! Safe object names from untrusted text (assessment titles, course ids, user ids).

use crate::domain::text::normalize;

/// Keeps letters (accents too), digits, spaces, `.`, `-` and `_`; anything else (path
/// separators, `..`, control characters, characters GCS advises against) becomes `_`, and the
/// name is cut at 120 characters. Whenever that changed the text, `~` and a short hash of the
/// original follow, so that two different ids never share a stored name (`a/b\c` and `a_b_c`,
/// or two ids alike in their first 120 characters, would otherwise overwrite each other's
/// report).
pub fn sanitize_segment(s: &str) -> String {
    let cleaned = clean_segment(s);
    // `@` → `_` alone keeps the names reports always had for addresses
    // (`camila.rojas_example.com`): an address has exactly one `@` and LearnWorlds ids none, so
    // two students cannot differ by that character alone.
    if cleaned == s.trim().replace('@', "_") {
        cleaned
    } else {
        format!("{cleaned}~{}", short_hash(s))
    }
}

/// Eight hex digits of SHA-256: enough to keep apart the few names that clean to the same text.
fn short_hash(s: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(s.as_bytes())[..4])
}

fn clean_segment(s: &str) -> String {
    let cleaned: String = s
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim_matches(|c| c == '.' || c == ' ').to_string();
    let cleaned: String = cleaned.chars().take(120).collect();
    if cleaned.is_empty() {
        "_".into()
    } else {
        cleaned
    }
}

/// Lower-case ASCII words joined by `-`: "Test de diagnóstico M1" → "test-de-diagnostico-m1".
pub fn slug(s: &str) -> String {
    let words: Vec<String> = normalize(s)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    if words.is_empty() {
        "_".into()
    } else {
        words.join("-").chars().take(80).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_tricks_are_neutralised() {
        assert!(sanitize_segment("../../etc/passwd").starts_with("_.._etc_passwd~"));
        assert!(sanitize_segment("..").starts_with("_~"));
        assert_eq!(
            sanitize_segment("Test de diagnóstico M1"),
            "Test de diagnóstico M1"
        );
        assert!(sanitize_segment("a/b\\c?d").starts_with("a_b_c_d~"));
        assert!(!sanitize_segment("a/b").contains('/'));
    }

    #[test]
    fn different_ids_never_share_a_stored_name() {
        assert_ne!(sanitize_segment("a/b\\c"), sanitize_segment("a_b_c"));
        assert_eq!(
            sanitize_segment("a_b_c"),
            "a_b_c",
            "a clean id is kept as it is"
        );
        let long = "x".repeat(120);
        let (one, two) = (format!("{long}1"), format!("{long}2"));
        assert_ne!(sanitize_segment(&one), sanitize_segment(&two));
        assert!(sanitize_segment(&one).chars().count() <= 129);
        assert_eq!(sanitize_segment("a/b"), sanitize_segment("a/b"), "stable");
    }

    #[test]
    fn slugs_are_plain_ascii() {
        assert_eq!(slug("Test de diagnóstico M1"), "test-de-diagnostico-m1");
        assert_eq!(slug("¡¿!"), "_");
    }
}
