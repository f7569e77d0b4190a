//! Question banks: the school's answer key, one CSV (`,` or `;`) or XLSX file per assessment.

use std::collections::BTreeMap;
use std::io::Cursor;

pub mod echo;
pub mod prepare;

pub use echo::HeaderEcho;
pub use prepare::LoadedBank;

use crate::domain::text::{header_key, normalize, question_key, QuestionKey};

#[derive(Debug, thiserror::Error)]
pub enum BankError {
    #[error("question bank {file}: {reason}")]
    Unreadable { file: String, reason: String },
    #[error(
        "question bank {file}: no column for {wanted} (accepted names: {accepted}; found: {found})"
    )]
    MissingColumn {
        file: String,
        wanted: &'static str,
        accepted: String,
        found: String,
    },
    #[error("question bank {file}, row {row}, column {column}: {reason}")]
    BadCell {
        file: String,
        row: usize,
        column: String,
        reason: String,
    },
    #[error("question bank {file} has no questions")]
    Empty { file: String },
    #[error("no question bank for assessment '{title}' (looked for {tried})")]
    NotFound { title: String, tried: String },
    #[error("question bank {file} could not be read from storage: {reason}")]
    Storage { file: String, reason: String },
}

#[derive(Debug, Clone)]
pub struct Question {
    pub label: String,
    pub key: QuestionKey,
    /// The correct option, normalised.
    pub answer_key: String,
    /// The correct option as the bank writes it (trimmed), for showing it in reports.
    pub answer_text: String,
    /// Every column by normalised header, raw cell text (groupings such as `area`).
    pub columns: BTreeMap<String, String>,
    /// 1-based row in the file, for messages.
    pub row: usize,
}

#[derive(Debug, Clone)]
pub struct Bank {
    pub file: String,
    pub questions: Vec<Question>,
}

const LABEL_COLUMNS: &[&str] = &[
    "question_number",
    "pregunta",
    "numero_pregunta",
    "numero",
    "question",
    "n",
];
const KEY_COLUMNS: &[&str] = &[
    "correct_answer",
    "correct_alternative",
    "alternativa",
    "respuesta_correcta",
    "clave",
    "answer",
];

impl Bank {
    /// Reads a bank; the format is taken from the file name.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<Self, BankError> {
        let rows = if file.to_ascii_lowercase().ends_with(".xlsx") {
            xlsx_rows(file, bytes)?
        } else {
            csv_rows(file, bytes)?
        };
        Self::from_rows(file, rows)
    }

    /// Values of a column in bank order, first appearance only (areas, lessons…).
    pub fn groups(&self, column: &str) -> Vec<String> {
        let mut seen = Vec::<String>::new();
        for q in &self.questions {
            if let Some(v) = q
                .columns
                .get(column)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
            {
                if !seen.iter().any(|s| s == v) {
                    seen.push(v.to_string());
                }
            }
        }
        seen
    }

    fn from_rows(file: &str, rows: Vec<Vec<String>>) -> Result<Self, BankError> {
        let mut rows = rows
            .into_iter()
            .enumerate()
            .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()));
        let Some((_, header)) = rows.next() else {
            return Err(BankError::Empty { file: file.into() });
        };
        let headers: Vec<String> = header.iter().map(|h| header_key(h)).collect();
        let find = |wanted: &'static str, names: &[&str]| {
            names
                .iter()
                .find_map(|n| headers.iter().position(|h| h == n))
                .ok_or_else(|| BankError::MissingColumn {
                    file: file.into(),
                    wanted,
                    accepted: names.join(", "),
                    found: headers.join(", "),
                })
        };
        let label_col = find("the question", LABEL_COLUMNS)?;
        let key_col = find("the correct answer", KEY_COLUMNS)?;
        let mut questions = Vec::new();
        for (index, row) in rows {
            let cell = |i: usize| row.get(i).map(|c| c.trim().to_string()).unwrap_or_default();
            let label = cell(label_col);
            let answer = cell(key_col);
            let row_no = index + 1;
            if label.is_empty() {
                return Err(BankError::BadCell {
                    file: file.into(),
                    row: row_no,
                    column: header[label_col].trim().into(),
                    reason: "the question label is empty".into(),
                });
            }
            if answer.is_empty() {
                return Err(BankError::BadCell {
                    file: file.into(),
                    row: row_no,
                    column: header[key_col].trim().into(),
                    reason: format!("no correct answer for '{label}'"),
                });
            }
            let columns = headers
                .iter()
                .enumerate()
                .filter(|(_, h)| !h.is_empty())
                .map(|(i, h)| (h.clone(), cell(i)))
                .collect();
            questions.push(Question {
                key: question_key(&label),
                label,
                answer_key: normalize(&answer),
                answer_text: answer,
                columns,
                row: row_no,
            });
        }
        if questions.is_empty() {
            return Err(BankError::Empty { file: file.into() });
        }
        Ok(Self {
            file: file.into(),
            questions,
        })
    }
}

pub(crate) fn csv_rows(file: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>, BankError> {
    let text = std::str::from_utf8(bytes)
        .map(str::to_string)
        // Spreadsheet programs on Windows still export Latin-1.
        .unwrap_or_else(|_| bytes.iter().map(|&b| b as char).collect());
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| BankError::Unreadable {
            file: file.into(),
            reason: format!("row {}: {e}", i + 1),
        })?;
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

pub(crate) fn xlsx_rows(file: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>, BankError> {
    use calamine::{Reader, Xlsx};
    let unreadable = |reason: String| BankError::Unreadable {
        file: file.into(),
        reason,
    };
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| unreadable(format!("not a readable .xlsx: {e}")))?;
    let sheet = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| unreadable("the workbook has no sheet".into()))?;
    let range = book
        .worksheet_range(&sheet)
        .map_err(|e| unreadable(format!("sheet {sheet}: {e}")))?;
    Ok(range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    // Whole numbers typed in a cell come back as floats: "1", not "1.0".
                    calamine::Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolon_csv_with_bom_and_accented_headers_loads() {
        let csv =
            "\u{feff}Question_Number;Correct_Alternative;Lecture\n1;A;Lección 1\n2;b ;Lección 2\n";
        let bank = Bank::parse("x.csv", csv.as_bytes()).unwrap();
        assert_eq!(bank.questions.len(), 2);
        assert_eq!(bank.questions[1].answer_key, "b");
        assert_eq!(bank.groups("lecture"), vec!["Lección 1", "Lección 2"]);
    }

    #[test]
    fn a_missing_answer_names_file_row_and_column() {
        let err = Bank::parse(
            "b.csv",
            b"question_number,correct_answer,area\n1,A,X\n2,,X\n",
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("b.csv") && msg.contains("row 3") && msg.contains("correct_answer"),
            "{msg}"
        );
    }

    #[test]
    fn a_bank_without_an_answer_column_lists_what_it_found() {
        let err = Bank::parse("c.csv", b"pregunta,tema\n1,X\n").unwrap_err();
        assert!(err.to_string().contains("found: pregunta, tema"), "{err}");
    }
}
