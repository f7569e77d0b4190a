//! A question bank prepared for a profile: blank cells filled down, pilot questions marked,
//! duplicate labels refused.

use std::collections::HashMap;

use super::{Bank, BankError};
use crate::domain::text::{header_key, normalize, QuestionKey};
use crate::rules::spec::BankSpec;
use crate::rules::ProfileError;

#[derive(Debug, Clone)]
pub struct LoadedBank {
    pub bank: Bank,
    /// Per question, in bank order.
    pub pilot: Vec<bool>,
}

impl LoadedBank {
    pub fn prepare(bank: Bank, spec: &BankSpec) -> Result<Self, ProfileError> {
        let mut bank = bank;
        for column in spec.fill_down.iter().map(|c| header_key(c)) {
            let mut above: Option<String> = None;
            for q in &mut bank.questions {
                match q.columns.get(&column).map(|v| v.trim().to_string()) {
                    Some(v) if !v.is_empty() => above = Some(v),
                    _ => {
                        if let Some(v) = &above {
                            q.columns.insert(column.clone(), v.clone());
                        }
                    }
                }
            }
        }
        let mut seen: HashMap<&QuestionKey, usize> = HashMap::new();
        for q in &bank.questions {
            if let Some(first) = seen.insert(&q.key, q.row) {
                return Err(ProfileError::Bank(BankError::BadCell {
                    file: bank.file.clone(),
                    row: q.row,
                    column: "question".into(),
                    reason: format!("'{}' repeats the question of row {first}", q.label),
                }));
            }
        }
        let pilot = match &spec.pilot_column {
            None => vec![false; bank.questions.len()],
            Some(column) => {
                let column = header_key(column);
                bank.questions
                    .iter()
                    .map(|q| q.columns.get(&column).is_some_and(|v| truthy(v)))
                    .collect()
            }
        };
        Ok(Self { bank, pilot })
    }
}

/// Pilot marks as the school types them: `1`, `1.0`, `x`, `sí`, `true`.
fn truthy(cell: &str) -> bool {
    let v = normalize(cell);
    matches!(
        v.as_str(),
        "1" | "1.0" | "x" | "si" | "s" | "yes" | "true" | "piloto"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::spec::MatchMode;

    fn spec(fill: &[&str], pilot: Option<&str>) -> BankSpec {
        BankSpec {
            path: String::new(),
            pilot_column: pilot.map(str::to_string),
            fill_down: fill.iter().map(|s| s.to_string()).collect(),
            matching: MatchMode::Auto,
        }
    }

    #[test]
    fn blank_cells_under_a_unit_take_the_unit_above() {
        let bank = Bank::parse(
            "b.csv",
            "pregunta,alternativa,Unidad,leccion\nPregunta 1,A,Álgebra,L1\nPregunta 2,B,,L2\nPregunta 3,A,Funciones,L3\n".as_bytes(),
        )
        .unwrap();
        let b = LoadedBank::prepare(bank, &spec(&["UNIDAD"], None)).unwrap();
        let units: Vec<&str> = b
            .bank
            .questions
            .iter()
            .map(|q| q.columns["unidad"].as_str())
            .collect();
        assert_eq!(units, vec!["Álgebra", "Álgebra", "Funciones"]);
    }

    #[test]
    fn pilot_cells_are_read_as_the_school_types_them() {
        let bank = Bank::parse(
            "b.csv",
            b"pregunta,alternativa,piloto\nPregunta 1,A,\nPregunta 2,B,1.0\nPregunta 3,A,x\nPregunta 4,A,0\n",
        )
        .unwrap();
        let b = LoadedBank::prepare(bank, &spec(&[], Some("Piloto"))).unwrap();
        assert_eq!(b.pilot, vec![false, true, true, false]);
    }

    #[test]
    fn a_repeated_question_names_both_rows() {
        let bank = Bank::parse(
            "b.csv",
            b"pregunta,alternativa\nPregunta 1,A\nPregunta 2,B\npregunta 1 ,C\n",
        )
        .unwrap();
        let err = LoadedBank::prepare(bank, &spec(&[], None))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("b.csv") && err.contains("row 4") && err.contains("row 2"),
            "{err}"
        );
    }
}
