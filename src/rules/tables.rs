//! Score conversion tables (ensayo: correct answers → PAES score): inline rows or a
//! two-column CSV/XLSX file; the exact row, else the closest lower one.

use super::ProfileError;

#[derive(Debug, Clone, PartialEq)]
pub struct ConversionTable {
    /// Where the rows come from, for messages.
    pub source: String,
    /// `(raw, converted)`, ascending by raw.
    pub rows: Vec<(f64, f64)>,
}

impl ConversionTable {
    pub fn from_rows(source: &str, rows: &[[f64; 2]]) -> Result<Self, ProfileError> {
        let numbered: Vec<(usize, f64, f64)> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (i + 1, r[0], r[1]))
            .collect();
        Self::checked(source, numbered)
    }

    /// A file's rows: the first row may be a header; every other row must hold two numbers.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<Self, ProfileError> {
        let rows = if file.to_ascii_lowercase().ends_with(".xlsx") {
            crate::rules::bank::xlsx_rows(file, bytes)?
        } else {
            crate::rules::bank::csv_rows(file, bytes)?
        };
        let bad = |row: usize, column: &str, reason: String| ProfileError::Table {
            file: file.to_string(),
            row,
            column: column.to_string(),
            reason,
        };
        let mut numbered = Vec::new();
        let mut first = true;
        for (i, row) in rows.iter().enumerate() {
            let cell = |c: usize| row.get(c).map(|v| v.trim()).unwrap_or_default();
            if cell(0).is_empty() && cell(1).is_empty() {
                continue;
            }
            let raw = cell(0).replace(',', ".").parse::<f64>();
            let converted = cell(1).replace(',', ".").parse::<f64>();
            match (raw, converted) {
                (Ok(r), Ok(c)) => numbered.push((i + 1, r, c)),
                _ if first => {}
                (Err(_), _) => {
                    return Err(bad(i + 1, "A", format!("'{}' is not a number", cell(0))))
                }
                (_, Err(_)) => {
                    return Err(bad(i + 1, "B", format!("'{}' is not a number", cell(1))))
                }
            }
            first = false;
        }
        Self::checked(file, numbered)
    }

    fn checked(source: &str, mut rows: Vec<(usize, f64, f64)>) -> Result<Self, ProfileError> {
        if rows.is_empty() {
            return Err(ProfileError::Table {
                file: source.to_string(),
                row: 0,
                column: "A".into(),
                reason: "the table has no rows".into(),
            });
        }
        rows.sort_by(|a, b| a.1.total_cmp(&b.1));
        if let Some(w) = rows.windows(2).find(|w| w[0].1 == w[1].1) {
            return Err(ProfileError::Table {
                file: source.to_string(),
                row: w[1].0,
                column: "A".into(),
                reason: format!("{} is already converted by row {}", w[1].1, w[0].0),
            });
        }
        Ok(Self {
            source: source.to_string(),
            rows: rows.into_iter().map(|(_, r, c)| (r, c)).collect(),
        })
    }

    /// The exact row, else the closest lower one; below the first row there is no score.
    pub fn convert(&self, raw: f64) -> Option<f64> {
        self.rows
            .iter()
            .rev()
            .find(|(r, _)| *r <= raw + 1e-9)
            .map(|(_, c)| *c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_row_wins_else_the_closest_lower_row() {
        let t =
            ConversionTable::from_rows("t", &[[10.0, 500.0], [0.0, 100.0], [20.0, 800.0]]).unwrap();
        assert_eq!(t.convert(10.0), Some(500.0));
        assert_eq!(t.convert(19.0), Some(500.0));
        assert_eq!(t.convert(65.0), Some(800.0));
        assert_eq!(t.convert(-1.0), None);
    }

    #[test]
    fn a_file_may_have_a_header_and_decimal_commas() {
        let t = ConversionTable::parse("t.csv", "correctas;puntaje\n0;100\n1;150,5\n".as_bytes())
            .unwrap();
        assert_eq!(t.rows, vec![(0.0, 100.0), (1.0, 150.5)]);
    }

    #[test]
    fn a_bad_cell_names_file_row_and_column() {
        let err = ConversionTable::parse("t.csv", b"correctas,puntaje\n0,100\n1,mucho\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("t.csv") && err.contains("row 3") && err.contains("column B"),
            "{err}"
        );
        let err = ConversionTable::from_rows("inline", &[[1.0, 2.0], [1.0, 3.0]]).unwrap_err();
        assert!(err.to_string().contains("already converted"), "{err}");
    }
}
