//! The report context: one serde value that the Word template, the email templates, level
//! rules and derived figures all read. docs/profiles.md documents every field.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Top-level names the context always has; legacy placeholders may not reuse them.
pub const RESERVED: &[&str] = &[
    "report",
    "student",
    "assessment",
    "school",
    "submission",
    "score",
    "report_date",
    "level",
    "level_internal",
    "pd_percent",
    "pd_text",
    "correct",
    "total",
    "group_column",
    "groups",
    "groups_passed",
    "failed_groups",
    "groupings",
    "pct",
    "count",
    "failed",
    "questions",
    "derived",
    "chart",
    "format",
];

/// A superset of the seed diagnostic's context (docs/templates.md), so that a template written
/// for it works with any profile: its top-level figures describe the profile's first grouping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportContext {
    pub report: ReportInfo,
    pub student: Student,
    pub assessment: AssessmentInfo,
    /// The school's name from the webhook.
    pub school: Option<String>,
    pub submission: SubmissionInfo,
    pub score: Score,
    /// Day the report was made, dd/mm/yyyy.
    pub report_date: String,
    /// The level shown to the student (null without level rules).
    pub level: Option<String>,
    /// The level recorded for the school (M1's hidden Nivel 4).
    pub level_internal: Option<String>,
    /// Share of the first grouping's groups passed, 0–100, and as printed ("12,5 %").
    pub pd_percent: f64,
    pub pd_text: String,
    /// `score.correct`, `score.total`.
    pub correct: usize,
    pub total: usize,
    /// The first grouping's bank column, groups, passed count and failed names.
    pub group_column: String,
    pub groups: Vec<GroupResult>,
    pub groups_passed: usize,
    pub failed_groups: Vec<String>,
    /// Every grouping's groups in bank order (nested groupings inside their parents too), in
    /// the profile's order of groupings.
    pub groupings: IndexMap<String, Vec<GroupResult>>,
    /// Per grouping, value → % correct (by the bank's spelling and its normalised form).
    pub pct: IndexMap<String, IndexMap<String, f64>>,
    pub count: IndexMap<String, GroupCount>,
    /// Per grouping, the names of the groups not passed, in bank order.
    pub failed: IndexMap<String, Vec<String>>,
    pub questions: Vec<QuestionResult>,
    pub derived: Map<String, Value>,
    /// Locale and decimals of the figures (older stored contexts have none: the defaults).
    #[serde(default)]
    pub format: FormatInfo,
    /// Legacy `<<Name>>` values, as top-level strings (the template engine reads them there).
    #[serde(flatten)]
    pub placeholders: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportInfo {
    /// The profile's name.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Student {
    pub id: String,
    /// How the report addresses the student: username, else email, else "estudiante".
    pub name: String,
    pub username: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessmentInfo {
    pub id: String,
    pub title: String,
    /// The routing spreadsheet's name of the assessment, else its title.
    pub name: String,
    pub group: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub number: Option<u32>,
    pub url: String,
    pub course_id: Option<String>,
    /// Submission date (UTC), dd/mm/yyyy; empty when unknown.
    pub submitted_on: String,
    /// The subject of the group in words ("Matemática M2"), when the route names a group.
    #[serde(default)]
    pub subject: Option<String>,
    /// The assessment as a student would call it ("Test de eje 1 · Matemática M2"): the
    /// profile's `display_title`, else the report's title with the number and subject of the
    /// spreadsheet's name, else the webhook's title. Empty until the analyse stage sets it.
    #[serde(default)]
    pub display_title: String,
}

/// The subject of a routing group code: the school's groups in words, else the code itself.
pub fn subject_of(group: &str) -> String {
    match group.trim().to_ascii_uppercase().as_str() {
        "M1" => "Matemática M1".into(),
        "M2" => "Matemática M2".into(),
        "CL" => "Competencia Lectora".into(),
        "CIEN" => "Ciencias".into(),
        "HYST" => "Historia y Ciencias Sociales".into(),
        _ => group.trim().to_string(),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionInfo {
    pub id: Option<String>,
    /// Unix seconds.
    pub timestamp: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Pilot questions excluded.
    pub correct: usize,
    pub total: usize,
    pub percent: f64,
    /// `54.55%`.
    pub percent_text: String,
    /// Questions with a non-empty answer ("No lo sé" counts as answered, and wrong).
    pub answered: usize,
    pub blank: usize,
    /// Pilot questions included.
    pub correct_all: usize,
    pub total_all: usize,
    pub pilot_total: usize,
    pub pilot_correct: usize,
    /// Answers matching no bank question.
    pub unmatched_answers: usize,
    /// Bank questions the submission did not answer at all.
    pub missing_answers: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionResult {
    /// 1-based position in the bank.
    pub number: usize,
    pub label: String,
    /// The correct option as the bank writes it.
    pub key: String,
    /// The student's option as LearnWorlds sent it ("" when unanswered).
    pub answer: String,
    pub answered: bool,
    pub correct: bool,
    pub pilot: bool,
    /// Every bank column of the question, by normalised header.
    pub columns: Map<String, Value>,
}

/// One group of a grouping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupResult {
    pub name: String,
    pub correct: usize,
    pub total: usize,
    pub percent: f64,
    pub percent_text: String,
    pub passed: bool,
    pub status: String,
    /// The group it is nested in (`within`), by name.
    pub parent: Option<String>,
    /// Band texts (recommendations…) and nested groupings' lists.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `count.<grouping>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupCount {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    /// Share of groups passed, 0–100.
    pub percent_passed: f64,
    pub percent_passed_text: String,
}

/// `correct / total` in percent; integral results are exact (1100 / 20 is exactly 55), which
/// keeps threshold comparisons honest at their edges.
pub fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// `12,5 %`: Chilean Spanish, at most `decimals` decimals (see `rules::format`).
pub fn percent_text(p: f64, decimals: u32) -> String {
    docx_template::es_cl::percent(p, decimals)
}

/// How figures are printed (the profile's `format`), for the template filters `num` and `pct`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormatInfo {
    pub locale: String,
    pub decimals: u32,
}

impl Default for FormatInfo {
    fn default() -> Self {
        Self {
            locale: "es-CL".into(),
            decimals: docx_template::es_cl::DEFAULT_DECIMALS,
        }
    }
}
