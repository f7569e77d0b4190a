//! The school's rules, pure: report profiles (every report type, from configuration:
//! docs/profiles.md), routing, question banks, grading, groupings, levels and derived figures.
//! No I/O: `catalog` loads what these read.
//!
//! A profile says how assessments are routed to it, where its banks are, how answers are
//! graded and grouped, its levels and derived figures, its Word template, its email and its
//! file names. Shipped presets (`config/presets/`) reproduce the school's rules; the operator's
//! `config/reports.toml` (in storage) picks and adjusts them. Without that file the service
//! runs the seed diagnostic for every assessment, as it always did.

pub mod analyse;
pub mod bank;
pub mod delivery;
mod expr;
pub mod facts;
pub mod format;
pub mod grading;
pub mod groups;
pub mod intake_record;
pub mod patterns;
pub mod presets;
pub mod profile;
pub mod routing;
pub mod sample;
pub mod set;
pub mod spec;
pub mod tables;

#[cfg(test)]
mod tests;

pub use analyse::{analyse, Facts};
pub use profile::Profile;
pub use routing::{RouteTarget, Unroutable};
pub use set::ProfileSet;

use bank::BankError;

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error(transparent)]
    Bank(#[from] BankError),
    #[error("profile {profile}: question bank {file} has none of the columns of grouping '{grouping}' ({wanted})")]
    NoGroupColumn {
        profile: String,
        grouping: String,
        file: String,
        wanted: String,
    },
    #[error("profile {profile}, {place}: {message}")]
    Expression {
        profile: String,
        place: String,
        message: String,
    },
    #[error("conversion table {file}, row {row}, column {column}: {reason}")]
    Table {
        file: String,
        row: usize,
        column: String,
        reason: String,
    },
    #[error("conversion table for '{name}' not found (looked for {tried})")]
    TableMissing { name: String, tried: String },
    #[error("the submission has no answers")]
    NoAnswers,
    #[error("profile {name} cannot be used: {reason}")]
    ProfileUnavailable { name: String, reason: String },
    #[error("template {path} not found in {storage}")]
    TemplateMissing { path: String, storage: String },
    #[error("template {path}: {source}")]
    Template {
        path: String,
        #[source]
        source: Box<docx_template::TemplateError>,
    },
    #[error("template {path} has placeholders profile {profile} cannot fill: {}", names.iter().map(|n| format!("<<{n}>>")).collect::<Vec<_>>().join(", "))]
    UnknownPlaceholders {
        path: String,
        profile: String,
        names: Vec<String>,
    },
    #[error("the chart could not be drawn: {0}")]
    Chart(String),
    #[error("{place} could not be read from storage: {reason}")]
    Storage { place: String, reason: String },
    #[error("stored report context cannot be read: {0}")]
    Internal(String),
}

impl ProfileError {
    /// Stable codes for the job record and the operator.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Bank(BankError::NotFound { .. }) => "bank_missing",
            Self::Bank(BankError::Storage { .. }) | Self::Storage { .. } => "storage_unavailable",
            Self::Bank(_) | Self::NoGroupColumn { .. } => "bank_invalid",
            Self::Expression { .. } => "profile_expression",
            Self::Table { .. } => "conversion_table_invalid",
            Self::TableMissing { .. } => "conversion_table_missing",
            Self::NoAnswers => "submission_empty",
            Self::ProfileUnavailable { .. } => "profile_invalid",
            Self::TemplateMissing { .. } => "template_missing",
            Self::Template { .. } => "template_invalid",
            Self::UnknownPlaceholders { .. } => "template_unknown_placeholder",
            Self::Chart(_) => "chart_failed",
            Self::Internal(_) => "job_record_corrupt",
        }
    }

    /// Only an empty submission can never succeed; everything else is the operator's to fix
    /// (a bank, a template, a profile), and the job recovers once it is fixed.
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::NoAnswers | Self::Internal(_))
    }
}
