//! Bank cells that hold their own column's name (`UNIDAD` under `unidad`): the placeholder
//! rows of a bank the school has not filled in yet, or a header pasted twice. They would print
//! in the report as if they were a unit's name, so the operator's tools warn about them.

use super::Bank;
use crate::domain::text::header_key;

/// One column whose cells repeat its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderEcho {
    /// The column, as a normalised header (`unidad`).
    pub column: String,
    /// The first such cell as typed (`UNIDAD`).
    pub value: String,
    /// 1-based rows in the file.
    pub rows: Vec<usize>,
}

impl Bank {
    /// Every column with cells equal to its own header (case, accents and spacing aside).
    pub fn header_echoes(&self) -> Vec<HeaderEcho> {
        let mut out: Vec<HeaderEcho> = Vec::new();
        for q in &self.questions {
            for (column, value) in &q.columns {
                if value.trim().is_empty() || header_key(value) != *column {
                    continue;
                }
                match out.iter_mut().find(|e| &e.column == column) {
                    Some(e) => e.rows.push(q.row),
                    None => out.push(HeaderEcho {
                        column: column.clone(),
                        value: value.trim().to_string(),
                        rows: vec![q.row],
                    }),
                }
            }
        }
        out
    }
}

impl std::fmt::Display for HeaderEcho {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rows = match self.rows.as_slice() {
            [one] => format!("row {one}"),
            [first, .., last] if last - first + 1 == self.rows.len() => {
                format!("rows {first}–{last}")
            }
            many => {
                let shown: Vec<String> = many.iter().take(5).map(|r| r.to_string()).collect();
                let more = if many.len() > 5 { ", …" } else { "" };
                format!("rows {}{more} ({} in all)", shown.join(", "), many.len())
            }
        };
        write!(
            f,
            "column {} holds its own name '{}' in {rows}: a placeholder the report would print as \
             data",
            self.column, self.value
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bank(csv: &str) -> Bank {
        Bank::parse("bank.csv", csv.as_bytes()).expect("bank parses")
    }

    #[test]
    fn placeholder_rows_are_found_per_column_with_their_rows() {
        let b = bank(
            "pregunta,alternativa,unidad,leccion\n\
             Pregunta 1,A,UNIDAD,LECCIÓN\n\
             Pregunta 2,B,UNIDAD,Lección 2\n\
             Pregunta 3,C,Números,Lección 3\n\
             Pregunta 4,D,unidad,Lección 4\n",
        );
        let echoes = b.header_echoes();
        assert_eq!(echoes.len(), 2, "{echoes:?}");
        assert_eq!(echoes[0].column, "leccion");
        assert_eq!(echoes[0].rows, vec![2]);
        assert_eq!(echoes[1].rows, vec![2, 3, 5]);
        assert_eq!(
            echoes[1].to_string(),
            "column unidad holds its own name 'UNIDAD' in rows 2, 3, 5 (3 in all): a placeholder \
             the report would print as data"
        );
    }

    #[test]
    fn a_filled_bank_has_none() {
        let b = bank("pregunta,alternativa,unidad\nPregunta 1,A,Álgebra\nPregunta 2,B,Unidades\n");
        assert!(b.header_echoes().is_empty());
    }
}
