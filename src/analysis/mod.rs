//! The answer key side of grading: question banks (CSV/XLSX) and the text normalisation shared
//! by labels, options and headers. How answers are graded and grouped is the report profile's
//! business (`crate::profiles`).

pub mod bank;
pub mod normalize;

use serde::{Deserialize, Serialize};

pub use bank::{Bank, BankError};

/// Result for one group (an area, a lesson…) as the chart draws it; the report context holds
/// more fields per group, this is the part every grouping has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupResult {
    pub name: String,
    pub correct: usize,
    pub total: usize,
    pub percent: f64,
    pub passed: bool,
    pub status: String,
}
