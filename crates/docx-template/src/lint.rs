//! What a person proof-reading a template would point out before it reaches students: a
//! Word draft with no tag at all, and spec text the author meant to replace with tags
//! (`{Sólido, En desarrollo, Riesgo}` alternatives, `NOMBRE UNIDAD 1` or
//! `(PORCENTAJE DOMINIO POR UNIDAD)` in capitals, codes like `X/NT`). Only text outside tags
//! is read; these are warnings, since a design may mean any of it.

use crate::error::Location;
use crate::jinja::tags;
use crate::runs::{self, Span};
use crate::template::Template;
use crate::{legacy, walk};

/// One finding of [`Template::lint`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    /// Where it first appears (`None` for the whole template).
    pub location: Option<Location>,
    /// The text found, as typed.
    pub text: String,
    /// How many paragraphs hold the same text.
    pub count: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningKind {
    /// No Jinja tag and no `<<placeholder>>` in any part.
    NoTags,
    /// `{A, B, C}`: alternatives to choose from.
    Alternatives,
    /// Two or more words in capitals (`NOMBRE UNIDAD 1`), or such words in parentheses.
    Capitals,
    /// Capital codes around a slash (`X/NT`, `NC/NT`).
    Codes,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(l) = &self.location {
            write!(f, "{l}: ")?;
        }
        let what = match self.kind {
            WarningKind::NoTags => {
                return f.write_str(
                    "the template has no tag ({{ … }}, {% … %}) and no <<placeholder>>: every \
                     student would receive it exactly as it is",
                )
            }
            WarningKind::Alternatives => "alternatives to choose from, not filled by a tag",
            WarningKind::Capitals if self.text.starts_with('(') => {
                "an instruction in parentheses and capitals, not filled by a tag"
            }
            WarningKind::Capitals => "words in capitals that look like a field to fill",
            WarningKind::Codes => "codes that look like a field to fill",
        };
        write!(f, "{what}: \"{}\"", self.text)?;
        if self.count > 1 {
            write!(f, " ({} times)", self.count)?;
        }
        Ok(())
    }
}

impl Template {
    /// Spec text left in the template and, for a draft, the absence of any tag.
    pub fn lint(&self) -> Vec<Warning> {
        let mut out: Vec<Warning> = Vec::new();
        let mut add = |kind, location: &Location, text: String| match out
            .iter_mut()
            .find(|w| w.kind == kind && w.text == text)
        {
            Some(w) => w.count += 1,
            None => out.push(Warning {
                kind,
                location: Some(location.clone()),
                text,
                count: 1,
            }),
        };
        for part in self.parts.iter().filter(|p| p.label != "core") {
            let mut doc = part.doc.clone();
            walk::paragraphs_mut(&mut doc.root, &mut |p, place| {
                let pt = runs::collect(p);
                let Ok(mut spans) = tags::find(&pt.text) else {
                    return;
                };
                spans.extend(legacy::spans_outside(&pt.text, &spans));
                spans.sort_by_key(|s| s.start);
                let location = Location {
                    part: part.label.clone(),
                    place: place.to_string(),
                    snippet: walk::snippet(&pt.text, 0, 60),
                };
                for segment in outside(&pt.text, &spans) {
                    for (kind, text) in findings(segment) {
                        add(kind, &location, text);
                    }
                }
            });
        }
        let untagged = self
            .engine()
            .is_ok_and(|e| e.parts.iter().all(|p| p.is_static));
        if untagged && self.legacy_placeholders().is_empty() {
            out.insert(
                0,
                Warning {
                    kind: WarningKind::NoTags,
                    location: None,
                    text: String::new(),
                    count: 1,
                },
            );
        }
        out
    }
}

/// The text between tags and markers.
fn outside<'a>(text: &'a str, spans: &[Span]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut at = 0;
    for s in spans {
        out.push(&text[at..s.start.max(at)]);
        at = at.max(s.end);
    }
    out.push(&text[at..]);
    out
}

fn findings(text: &str) -> Vec<(WarningKind, String)> {
    let mut out = Vec::new();
    // `{A, B}`: a brace pair without nested braces holding at least two comma-separated items.
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find(['{', '}']) {
            Some(close) if after[close..].starts_with('}') => {
                let inner = &after[..close];
                if inner.contains(',') && inner.split(',').all(|s| !s.trim().is_empty()) {
                    out.push((WarningKind::Alternatives, format!("{{{inner}}}")));
                }
                rest = &after[close + 1..];
            }
            Some(close) => rest = &after[close..],
            None => break,
        }
    }
    out.extend(capitals(text));
    for word in text.split_whitespace() {
        let w = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '/');
        let code =
            |s: &str| (1..=3).contains(&s.len()) && s.chars().all(|c| c.is_ascii_uppercase());
        if let Some((a, b)) = w.split_once('/') {
            if code(a) && code(b) {
                out.push((WarningKind::Codes, w.to_string()));
            }
        }
    }
    out
}

/// Runs of two or more words in capitals (numbers may follow them), with at least eight
/// letters, so acronyms such as `PAES` or `PD%` pass.
fn capitals(text: &str) -> Vec<(WarningKind, String)> {
    let is_caps = |w: &str| {
        let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
        letters.len() >= 2
            && letters.iter().all(|c| c.is_uppercase())
            && w.chars()
                .all(|c| c.is_alphabetic() || "()[]:;,.…-'\"".contains(c))
    };
    let is_number = |w: &str| w.chars().all(|c| c.is_ascii_digit());
    let mut out = Vec::new();
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut i = 0;
    while i < words.len() {
        let mut j = i;
        let mut caps = 0;
        while j < words.len() && (is_caps(words[j]) || (caps > 0 && is_number(words[j]))) {
            caps += usize::from(is_caps(words[j]));
            j += 1;
        }
        let run = words[i..j].join(" ");
        let letters = run.chars().filter(|c| c.is_alphabetic()).count();
        if caps >= 2 && letters >= 8 {
            let run = run.trim_end_matches([',', ';', ':', '.']);
            let text = if run.starts_with('(') && !run.ends_with(')') {
                format!("{run}…)")
            } else {
                run.to_string()
            };
            out.push((WarningKind::Capitals, text));
        }
        i = j.max(i + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(WarningKind, String)> {
        findings(text)
    }

    #[test]
    fn spec_text_of_the_school_drafts_is_found() {
        assert_eq!(
            kinds("{Sólido, En desarrollo, Riesgo}"),
            vec![(
                WarningKind::Alternatives,
                "{Sólido, En desarrollo, Riesgo}".into()
            )]
        );
        assert_eq!(
            kinds("{RS,RD,RR}"),
            vec![(WarningKind::Alternatives, "{RS,RD,RR}".into())]
        );
        assert_eq!(
            kinds("NOMBRE UNIDAD 1"),
            vec![(WarningKind::Capitals, "NOMBRE UNIDAD 1".into())]
        );
        assert_eq!(
            kinds("(PORCENTAJE DOMINIO POR UNIDAD)"),
            vec![(
                WarningKind::Capitals,
                "(PORCENTAJE DOMINIO POR UNIDAD)".into()
            )]
        );
        assert_eq!(
            kinds("Correctas totales (incluye piloto): X/NT"),
            vec![(WarningKind::Codes, "X/NT".into())]
        );
    }

    #[test]
    fn ordinary_report_text_is_left_alone() {
        for text in [
            "Este examen mide tu aplicación de los contenidos en formato PAES.",
            "PD% es tu porcentaje de dominio: respuestas correctas sobre el total.",
            "Estados (cómo interpretarlos)",
            "✓: dominada (70 % o más). □: pendiente, repásala en el curso.",
            "Si PDU% < a (30%) : Riesgo -> Recomendación riesgo (RR)",
            "PAES M1 · Test de eje 1",
            "{ sola }",
            "Correctas para puntaje (sin piloto): /",
        ] {
            assert_eq!(kinds(text), vec![], "{text}");
        }
    }
}
