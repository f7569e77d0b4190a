//! Recognising Jinja tags in paragraph text and docxtpl's level prefixes (`{%p`, `{{r`, …).

use crate::runs::{Span, SpanKind};

/// Find every `{{ }}`, `{% %}` and `{# #}` in the text. `Err(position)` for a tag that is
/// never closed in the same paragraph.
pub fn find(text: &str) -> Result<Vec<Span>, usize> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < b.len() {
        let close: &[u8] = match (b[i], b[i + 1]) {
            (b'{', b'{') => b"}}",
            (b'{', b'%') => b"%}",
            (b'{', b'#') => b"#}",
            _ => {
                i += 1;
                continue;
            }
        };
        let body = &b[i + 2..];
        let Some(j) = body.windows(2).position(|w| w == close) else {
            return Err(i);
        };
        let end = i + 2 + j + 2;
        out.push(Span {
            start: i,
            end,
            kind: SpanKind::Tag(clean(&text[i..end])),
        });
        i = end;
    }
    Ok(out)
}

/// Word's autocorrect turns quotes typographic; inside a tag they mean ASCII quotes. Python's
/// Jinja also takes any Unicode space between tokens (Word puts U+00A0 and friends there),
/// while minijinja only takes ASCII ones, so those become plain spaces outside string literals.
pub fn clean(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in src.chars() {
        let c = match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            _ => c,
        };
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
                out.push(c);
            }
            None => {
                if c == '\'' || c == '"' {
                    quote = Some(c);
                }
                out.push(if c.is_whitespace() && !c.is_ascii() {
                    ' '
                } else {
                    c
                });
            }
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Paragraph,
    Row,
    Cell,
    Run,
}

/// `{%p if x %}` → (Paragraph, `{% if x %}`); `None` for an ordinary tag.
pub fn level(src: &str) -> Option<(Level, String)> {
    let open = src.get(..2)?;
    let rest = &src[2..];
    for (word, lvl) in [
        ("tr", Level::Row),
        ("tc", Level::Cell),
        ("p", Level::Paragraph),
        ("r", Level::Run),
    ] {
        if let Some(after) = rest.strip_prefix(word) {
            if after.starts_with(char::is_whitespace) {
                if lvl == Level::Run && open == "{#" {
                    return None;
                }
                return Some((lvl, format!("{open}{after}")));
            }
        }
    }
    None
}

/// For `{% name args %}` statements: the keyword and its arguments (whitespace-control
/// dashes removed).
pub fn statement(src: &str) -> Option<(&str, &str)> {
    let inner = src.strip_prefix("{%")?.strip_suffix("%}")?;
    let inner = inner.trim_start_matches('-').trim_end_matches('-').trim();
    let (kw, args) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
    Some((kw, args.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tags_and_reports_unclosed() {
        let spans = find("a {{ x }} b {%p if y %}{# c #} {_{ no }_}").expect("closed");
        let srcs: Vec<_> = spans
            .iter()
            .map(|s| match &s.kind {
                SpanKind::Tag(t) => t.as_str(),
                SpanKind::Legacy(_) => "",
            })
            .collect();
        assert_eq!(srcs, vec!["{{ x }}", "{%p if y %}", "{# c #}"]);
        assert_eq!(find("ok {{ x }} then {% if").map(|s| s.len()), Err(16));
    }

    #[test]
    fn levels_and_statements() {
        assert_eq!(
            level("{%tr for a in b %}"),
            Some((Level::Row, "{% for a in b %}".to_string()))
        );
        assert_eq!(level("{{r x }}"), Some((Level::Run, "{{ x }}".to_string())));
        assert_eq!(level("{{ r }}"), None);
        assert_eq!(level("{{ pages }}"), None);
        assert_eq!(level("{#r x #}"), None);
        assert_eq!(
            statement("{%- colspan n + 1 -%}"),
            Some(("colspan", "n + 1"))
        );
        assert_eq!(statement("{% vm %}"), Some(("vm", "")));
        assert_eq!(
            clean("{{ f(\u{2018}a\u{2019}, \u{201C}b\u{201D}) }}"),
            "{{ f('a', \"b\") }}"
        );
        assert_eq!(
            clean("{%-\u{a0}if\u{3000}x == 'a\u{a0}\\'\u{2003}' -%}"),
            "{%- if x == 'a\u{a0}\\'\u{2003}' -%}"
        );
    }
}
