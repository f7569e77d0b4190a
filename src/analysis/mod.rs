//! Grading a submission against the question bank and computing the report's figures.

pub mod bank;
mod grade;
pub mod normalize;
mod rules;
mod source;

use serde::{Deserialize, Serialize};

pub use bank::{Bank, BankError};
pub use grade::{grade, Graded, Grading};
pub use rules::Rules;
pub use source::{load_bank, BANK_DIR};

use crate::learnworlds::Answer;

#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error(transparent)]
    Bank(#[from] BankError),
    #[error("question bank {file} has none of the grouping columns {wanted}")]
    NoGroupColumn { file: String, wanted: String },
    #[error("the submission has no answers")]
    NoAnswers,
}

impl AnalysisError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Bank(BankError::NotFound { .. }) => "bank_missing",
            Self::Bank(BankError::Storage { .. }) => "storage_unavailable",
            Self::Bank(_) | Self::NoGroupColumn { .. } => "bank_invalid",
            Self::NoAnswers => "submission_empty",
        }
    }
}

/// Result for one grouping value (an area, a lesson…), in bank order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupResult {
    pub name: String,
    pub correct: usize,
    pub total: usize,
    pub percent: f64,
    pub passed: bool,
    /// "Aprobado" / "Reprobado".
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// The bank column the groups come from (`area` for the seed diagnostic).
    pub group_column: String,
    pub groups: Vec<GroupResult>,
    pub groups_passed: usize,
    /// Share of groups passed, 0–100.
    pub pd_percent: f64,
    /// `PD%` as printed: two decimals and `%`.
    pub pd_text: String,
    pub level: String,
    pub correct: usize,
    pub total: usize,
    pub unmatched_answers: usize,
    pub missing_answers: usize,
}

/// Grades and applies the rules.
pub fn analyse(bank: &Bank, answers: &[Answer], rules: &Rules) -> Result<Analysis, AnalysisError> {
    if answers.is_empty() {
        return Err(AnalysisError::NoAnswers);
    }
    let column = rules
        .group_columns
        .iter()
        .find(|c| {
            bank.questions
                .iter()
                .any(|q| q.columns.get(**c).is_some_and(|v| !v.trim().is_empty()))
        })
        .ok_or_else(|| AnalysisError::NoGroupColumn {
            file: bank.file.clone(),
            wanted: rules.group_columns.join(", "),
        })?;
    let grading = grade(bank, answers);
    let groups: Vec<GroupResult> = bank
        .groups(column)
        .into_iter()
        .map(|name| {
            let members: Vec<&Graded> = bank
                .questions
                .iter()
                .zip(&grading.per_question)
                .filter(|(q, _)| q.columns.get(*column).map(|v| v.trim()) == Some(name.as_str()))
                .map(|(_, g)| g)
                .collect();
            let correct = members.iter().filter(|g| g.correct).count();
            let total = members.len();
            let passed = rules.group_passes(correct, total);
            GroupResult {
                status: rules.status(passed).to_string(),
                percent: percent(correct, total),
                name,
                correct,
                total,
                passed,
            }
        })
        .collect();
    let groups_passed = groups.iter().filter(|g| g.passed).count();
    let pd_percent = percent(groups_passed, groups.len());
    Ok(Analysis {
        group_column: column.to_string(),
        level: rules.level(groups_passed, groups.len()).to_string(),
        pd_text: format!("{pd_percent:.2}%"),
        pd_percent,
        groups_passed,
        correct: grading.per_question.iter().filter(|g| g.correct).count(),
        total: grading.per_question.len(),
        unmatched_answers: grading.unmatched_answers,
        missing_answers: grading.missing_answers,
        groups,
    })
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}
