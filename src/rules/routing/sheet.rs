//! The school's routing spreadsheet: `[assessment name, assessment id]` rows whose names follow
//! `[GROUP]-[TYPE N]-DATA` (`M30M2-TEST DE EJE 1-DATA`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;

use crate::domain::text::normalize;
use crate::rules::bank::BankError;

/// A non-blank row of the spreadsheet, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    /// 1-based, as the spreadsheet program shows it.
    pub row: usize,
    pub name: String,
    pub id: String,
}

/// What a name says, case-, accent- and space-tolerant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedName {
    /// After aliases, upper-case: `M2` for `M30M2`.
    pub group: String,
    /// Normalised: `test de eje`.
    pub kind: String,
    pub number: Option<u32>,
}

pub fn read_rows(file: &str, bytes: &[u8]) -> Result<Vec<SheetRow>, BankError> {
    let rows = if file.to_ascii_lowercase().ends_with(".xlsx") {
        crate::rules::bank::xlsx_rows(file, bytes)?
    } else {
        crate::rules::bank::csv_rows(file, bytes)?
    };
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(i, cells)| SheetRow {
            row: i + 1,
            name: cells
                .first()
                .map(|c| c.trim().to_string())
                .unwrap_or_default(),
            id: cells
                .get(1)
                .map(|c| c.trim().to_string())
                .unwrap_or_default(),
        })
        .filter(|r| !r.name.is_empty() || !r.id.is_empty())
        .collect())
}

/// `unit` ids are 24 hexadecimal characters; compared lower-case.
pub fn valid_id(id: &str) -> Option<String> {
    let id = id.trim();
    (id.len() == 24 && id.chars().all(|c| c.is_ascii_hexdigit())).then(|| id.to_ascii_lowercase())
}

fn grammar() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^([a-z0-9]+)\s*-\s*([a-z][a-z ]*?)\s*(\d+)?\s*-\s*data$")
            .expect("the routing grammar is a valid regex")
    })
}

/// Aliases are looked up by their normalised name.
pub fn parse_name(name: &str, aliases: &BTreeMap<String, String>) -> Option<ParsedName> {
    let n = normalize(name);
    let caps = grammar().captures(&n)?;
    let raw_group = caps[1].to_string();
    let group = aliases
        .iter()
        .find(|(from, _)| normalize(from) == raw_group)
        .map(|(_, to)| normalize(to))
        .unwrap_or(raw_group)
        .to_ascii_uppercase();
    Some(ParsedName {
        group,
        kind: caps[2].trim().to_string(),
        number: caps.get(3).and_then(|m| m.as_str().parse().ok()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aliases() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("M30M2".to_string(), "M2".to_string()),
            ("M30M".to_string(), "M1".to_string()),
        ])
    }

    #[test]
    fn names_are_read_whatever_their_case_accents_or_spacing() {
        let expected = ParsedName {
            group: "M2".into(),
            kind: "test de eje".into(),
            number: Some(1),
        };
        for name in [
            "M30M2-TEST DE EJE 1-DATA",
            " m30m2 - Test  de Eje 1 - data ",
            "M30M2-TEST DE EJE1-DATA",
        ] {
            assert_eq!(
                parse_name(name, &aliases()),
                Some(expected.clone()),
                "{name}"
            );
        }
        assert_eq!(
            parse_name("M30M-DIAGNÓSTICO-DATA", &aliases()),
            Some(ParsedName {
                group: "M1".into(),
                kind: "diagnostico".into(),
                number: None
            })
        );
        assert_eq!(
            parse_name("H30M-EXAMEN DE EJE 2-DATA", &aliases())
                .unwrap()
                .group,
            "H30M"
        );
    }

    #[test]
    fn names_outside_the_grammar_are_refused() {
        for name in [
            "Test de diagnóstico M1",
            "M30M2-TEST DE EJE 1",
            "-ENSAYO 1-DATA",
        ] {
            assert_eq!(parse_name(name, &aliases()), None, "{name}");
        }
    }

    #[test]
    fn ids_are_24_hexadecimal_characters() {
        assert_eq!(
            valid_id(" 69A20626a374a7e792002887 ").as_deref(),
            Some("69a20626a374a7e792002887")
        );
        assert_eq!(valid_id("69a20626a374a7e79200288"), None);
        assert_eq!(valid_id("69a20626a374a7e79200288z"), None);
    }

    #[test]
    fn the_schools_spreadsheet_is_read() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/fixtures/mapping/ids.xlsx");
        let path = std::env::var_os("SHARED_DIR")
            .map(|d| std::path::PathBuf::from(d).join("fixtures/mapping/ids.xlsx"))
            .unwrap_or(path);
        let rows = read_rows("ids.xlsx", &std::fs::read(path).unwrap()).unwrap();
        assert_eq!(
            rows,
            vec![SheetRow {
                row: 1,
                name: "M30M2-TEST DE EJE 1-DATA".into(),
                id: "69a20626a374a7e792002887".into()
            }]
        );
    }
}
