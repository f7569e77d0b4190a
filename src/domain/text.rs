//! Text normalisation shared by question labels, answer options and column headers: real banks
//! contain "Pregunta 3 " with a trailing space, "LECCIÓN" in capitals and "No lo sé".

use serde_json::Value;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// NFKD, accents removed, lower-cased, surrounding and repeated whitespace removed.
pub fn normalize(s: &str) -> String {
    let folded: String = s
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A column header as a key: normalised, with spaces and dashes as `_`.
pub fn header_key(s: &str) -> String {
    normalize(s.trim_start_matches('\u{feff}')).replace([' ', '-'], "_")
}

/// How a question is identified: "Pregunta 12", "pregunta12" and "12" are all question 12.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum QuestionKey {
    Number(u32),
    Text(String),
}

pub fn question_key(label: &str) -> QuestionKey {
    let n = normalize(label);
    let digits = n.strip_prefix("pregunta").map(str::trim).unwrap_or(&n);
    let digits = digits.trim_end_matches('.');
    match digits.parse::<u32>() {
        Ok(num) if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) => {
            QuestionKey::Number(num)
        }
        _ => QuestionKey::Text(n),
    }
}

/// A usable string: numbers are accepted as text (LearnWorlds sends numbers as strings, but we
/// tolerate both), and an unexpanded `{{variable}}` counts as absent.
pub fn text(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let unexpanded = s.starts_with("{{") && s.ends_with("}}");
    (!s.is_empty() && !unexpanded).then_some(s)
}

/// Whether `s` is one bare address (RFC 5321 `Local-part "@" Domain`, dot-atom local part):
/// no display name, comment, group, quoting or second address can hide another recipient in
/// it. The mail library builds the `To` header from this and the student's name.
pub fn is_bare_address(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    let dot_atom = |part: &str, ok: &dyn Fn(char) -> bool| {
        !part.is_empty() && part.split('.').all(|w| !w.is_empty() && w.chars().all(ok))
    };
    let label = |c: char| c.is_ascii_alphanumeric() || c == '-';
    s.len() <= 254
        && local.len() <= 64
        && dot_atom(local, &atext)
        && domain.contains('.')
        && dot_atom(domain, &label)
        && domain
            .split('.')
            .all(|l| !l.starts_with('-') && !l.ends_with('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_compared_without_case_accents_or_extra_spaces() {
        assert_eq!(normalize("  Pregunta   3 "), "pregunta 3");
        assert_eq!(normalize("No lo SÉ"), "no lo se");
        assert_eq!(header_key("\u{feff}Question Number"), "question_number");
        assert_eq!(header_key("LECCIÓN"), "leccion");
    }

    #[test]
    fn numbered_labels_share_a_key() {
        assert_eq!(question_key("Pregunta 12 "), QuestionKey::Number(12));
        assert_eq!(question_key("12"), QuestionKey::Number(12));
        assert_eq!(question_key("pregunta12"), QuestionKey::Number(12));
        assert_eq!(
            question_key("¿Cuánto es 2+2?"),
            QuestionKey::Text("¿cuanto es 2+2?".into())
        );
    }

    #[test]
    fn only_one_bare_address_is_an_address() {
        for ok in [
            "camila.rojas@example.com",
            "a+b@x.cl",
            "o'brien@mail.example.org",
        ] {
            assert!(is_bare_address(ok), "{ok}");
        }
        for bad in [
            "\"student@x\" <attacker@evil.com>",
            "Camila <camila@example.com>",
            "camila@example.com, otro@example.com",
            "camila@example.com (comment)",
            "group: a@b.com;",
            "camila @example.com",
            "camila@localhost",
            "@example.com",
            "camila@example..com",
            "camila@-example.com",
        ] {
            assert!(!is_bare_address(bad), "{bad}");
        }
    }
}
