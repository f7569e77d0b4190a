//! The profile file's vocabulary, as written by the operator (docs/profiles.md describes every
//! key). Unknown keys are refused so that a typo is an error, not a silently ignored rule.

use std::collections::BTreeMap;

use serde::Deserialize;

pub use super::format::FormatSpec;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSpec {
    /// The report type: in dedup keys, file names and `report.type`. Lower-case, `_` and `-`.
    pub name: String,
    /// How the report type is called in Spanish ("Test de eje").
    #[serde(default)]
    pub title: Option<String>,
    /// The shipped preset this profile starts from (already merged when this is read).
    #[serde(default)]
    pub preset: Option<String>,
    #[serde(default)]
    pub retakes: Retakes,
    /// Routes every submission no other rule routes (the seed diagnostic's behaviour).
    #[serde(default)]
    pub fallback: bool,
    #[serde(default)]
    pub route: RouteSpec,
    pub bank: BankSpec,
    #[serde(default)]
    pub grading: GradingSpec,
    #[serde(default, rename = "grouping")]
    pub groupings: Vec<GroupingSpec>,
    #[serde(default, rename = "level")]
    pub levels: Vec<LevelSpec>,
    #[serde(default, rename = "conversion")]
    pub conversions: Vec<ConversionSpec>,
    #[serde(default)]
    pub derived: Vec<DerivedSpec>,
    /// How the assessment is called in the report, its email and attachment
    /// (`assessment.display_title`, `{title}`): a minijinja template over the context.
    #[serde(default)]
    pub display_title: Option<String>,
    /// The Word template, relative to the storage root.
    pub template: String,
    /// Legacy `<<Name>>` values: minijinja templates over the report context.
    #[serde(default)]
    pub placeholders: BTreeMap<String, String>,
    #[serde(default)]
    pub numbered_placeholders: Vec<NumberedSpec>,
    #[serde(default)]
    pub email: EmailSpec,
    #[serde(default)]
    pub output: OutputSpec,
    /// How figures are printed (`12,5 %`).
    #[serde(default)]
    pub format: FormatSpec,
}

/// Whether a retake (a new submission of the same assessment) gets a report of its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Retakes {
    /// One report per report type + assessment + student (the school's rule).
    #[default]
    SameReport,
    /// One report per submission (the seed diagnostic's historical behaviour).
    NewReport,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSpec {
    /// LearnWorlds assessment (unit) ids, 24 hexadecimal characters.
    #[serde(default)]
    pub ids: Vec<String>,
    /// Assessment titles, compared without case, accents or extra spaces.
    #[serde(default)]
    pub titles: Vec<String>,
    /// Rows of the routing spreadsheet whose `[GROUP]-[TYPE N]-DATA` name has this type.
    #[serde(default)]
    pub sheet: Vec<SheetRouteSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SheetRouteSpec {
    /// "TEST DE EJE", "DIAGNOSTICO"… (case, accents and spaces do not matter).
    #[serde(rename = "type")]
    pub kind: String,
    /// Only rows of these groups (after aliases); empty: any group.
    #[serde(default)]
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankSpec {
    /// Storage key of the bank with `{variables}`, with or without extension; without one,
    /// `.xlsx` then `.csv` are tried.
    pub path: String,
    /// A column whose truthy cells (1, x, sí, true) mark pilot questions, left out of scores.
    #[serde(default)]
    pub pilot_column: Option<String>,
    /// Columns whose blank cells repeat the value above (banks laid out like merged cells).
    #[serde(default)]
    pub fill_down: Vec<String>,
    #[serde(default, rename = "match")]
    pub matching: MatchMode,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchMode {
    /// By normalised label; by position when the bank only numbers its questions and the
    /// answers carry no numbered labels.
    #[default]
    Auto,
    Label,
    Position,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradingSpec {
    #[serde(default)]
    pub correct_by: CorrectBy,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectBy {
    /// The chosen option's normalised text equals the bank's key.
    #[default]
    Key,
    /// LearnWorlds' own grading: `points == blockMaxScore`.
    Points,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupingSpec {
    /// The key in the context: `groups.<name>`, `pct.<name>`, `count.<name>`, `failed.<name>`.
    pub name: String,
    /// Candidate bank columns; the first one the bank has is used.
    pub columns: Vec<String>,
    /// Computed separately inside each group of this other grouping (lessons within units).
    #[serde(default)]
    pub within: Option<String>,
    /// A group passes at this percentage or more (100: every question correct).
    #[serde(default = "hundred")]
    pub pass_at: f64,
    #[serde(default = "aprobado")]
    pub passed: String,
    #[serde(default = "reprobado")]
    pub failed: String,
    /// Statuses by percentage, in order; every band but the last has `below`.
    #[serde(default)]
    pub bands: Vec<BandSpec>,
    /// A bank without any of the columns is not an error: the grouping is just empty.
    #[serde(default)]
    pub optional: bool,
}

fn hundred() -> f64 {
    100.0
}
fn aprobado() -> String {
    "Aprobado".into()
}
fn reprobado() -> String {
    "Reprobado".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandSpec {
    /// The band applies when the percentage is strictly below this.
    #[serde(default)]
    pub below: Option<f64>,
    pub status: String,
    /// Extra texts copied into the group (a recommendation…).
    #[serde(default)]
    pub text: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelSpec {
    /// A minijinja expression over the context; absent on the last rule (otherwise).
    #[serde(default)]
    pub when: Option<String>,
    /// The level shown to the student.
    pub name: String,
    /// The level recorded internally when it differs (M1's hidden Nivel 4).
    #[serde(default)]
    pub internal: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DerivedSpec {
    pub name: String,
    /// A minijinja expression; its value goes to `derived.<name>`.
    pub expr: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConversionSpec {
    pub name: String,
    /// The expression converted (`score.correct`).
    pub input: String,
    /// `[raw, converted]` rows.
    #[serde(default)]
    pub rows: Vec<[f64; 2]>,
    /// Or a two-column CSV/XLSX table in storage (`{variables}` allowed).
    #[serde(default)]
    pub file: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberedSpec {
    /// `T` gives `<<T1>>`, `<<T2>>`… one per group, in bank order.
    pub prefix: String,
    pub grouping: String,
    /// A minijinja template with the group as `group` (default `{{ group.status }}`).
    #[serde(default = "group_status")]
    pub value: String,
}

fn group_status() -> String {
    "{{ group.status }}".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSpec {
    #[serde(default = "default_subject")]
    pub subject: String,
    #[serde(default = "default_body")]
    pub body: String,
    /// The attachment's name, a `{variable}` pattern (`Informe {title}.pdf`); empty: the
    /// stored file's name.
    #[serde(default = "default_attachment")]
    pub attachment: String,
}

impl Default for EmailSpec {
    fn default() -> Self {
        Self {
            subject: default_subject(),
            body: default_body(),
            attachment: default_attachment(),
        }
    }
}

fn default_subject() -> String {
    "Tu informe de resultados - {{ report.title }}".into()
}

fn default_attachment() -> String {
    "Informe {title}.pdf".into()
}

fn default_body() -> String {
    "Hola {{ student.name }},\n\n\
     Gracias por completar la evaluación \"{{ assessment.display_title }}\". Te adjuntamos tu informe \
     de resultados en PDF.\n\n\
     Si tienes preguntas sobre tu informe, responde a este correo.\n\n\
     Saludos,\n{{ school or \"El equipo académico\" }}\n"
        .into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    /// Folder of the stored PDF, a `{variable}` pattern.
    #[serde(default = "default_folder")]
    pub folder: String,
    #[serde(default = "default_file_name")]
    pub file_name: String,
    /// The delivery log; `{folder}` is the folder above.
    #[serde(default = "default_processed")]
    pub processed_csv: String,
}

impl Default for OutputSpec {
    fn default() -> Self {
        Self {
            folder: default_folder(),
            file_name: default_file_name(),
            processed_csv: default_processed(),
        }
    }
}

fn default_folder() -> String {
    "data/webhook_reports/{report_type}".into()
}
fn default_file_name() -> String {
    "informe_{report_type}_{assessment_name}_{email}.pdf".into()
}
fn default_processed() -> String {
    "{folder}/processed.csv".into()
}

/// The `[routing]` table of the file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingSpec {
    /// The school's `[assessment name, assessment id]` spreadsheet (XLSX or CSV) in storage.
    #[serde(default)]
    pub spreadsheet: Option<String>,
    /// Group aliases of the spreadsheet names; absent: M30M2 → M2, M30M → M1.
    #[serde(default)]
    pub aliases: Option<BTreeMap<String, String>>,
}

impl RoutingSpec {
    pub fn aliases(&self) -> BTreeMap<String, String> {
        self.aliases.clone().unwrap_or_else(|| {
            BTreeMap::from([
                ("M30M2".to_string(), "M2".to_string()),
                ("M30M".to_string(), "M1".to_string()),
            ])
        })
    }
}
