//! Safe object names from untrusted text (assessment titles, course ids, user ids).

use crate::domain::text::normalize;

/// Keeps letters (accents too), digits, spaces, `.`, `-` and `_`; anything else (path
/// separators, `..`, control characters, characters GCS advises against) becomes `_`.
pub fn sanitize_segment(s: &str) -> String {
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
        assert_eq!(sanitize_segment("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(sanitize_segment(".."), "_");
        assert_eq!(
            sanitize_segment("Test de diagnóstico M1"),
            "Test de diagnóstico M1"
        );
        assert_eq!(sanitize_segment("a/b\\c?d"), "a_b_c_d");
    }

    #[test]
    fn slugs_are_plain_ascii() {
        assert_eq!(slug("Test de diagnóstico M1"), "test-de-diagnostico-m1");
        assert_eq!(slug("¡¿!"), "_");
    }
}
