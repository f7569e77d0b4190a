//! What a report template can use: one value, documented in docs/templates.md, filled from the
//! event, the submission and the analysis. Jinja tags read its fields; legacy `<<Name>>`
//! markers read its top-level `Nombre`, `Nivel`, `PD%` and `T1`…`Tn`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::{Analysis, GroupResult};
use crate::intake::SubmissionEvent;

#[derive(Debug, Clone, Serialize)]
pub struct Student {
    pub id: String,
    /// Username, else email: how the report addresses the student.
    pub name: String,
    pub username: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub id: String,
    pub title: String,
    pub course_id: Option<String>,
    /// Submission time as `dd/mm/yyyy` (UTC), empty when unknown.
    pub submitted_on: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportContext {
    pub student: Student,
    pub assessment: Assessment,
    pub school: Option<String>,
    /// "Nivel 3" / "Nivel 2".
    pub level: String,
    /// Share of groups passed, 0–100, and as printed ("12.50%").
    pub pd_percent: f64,
    pub pd_text: String,
    /// Questions answered correctly, of all questions in the bank.
    pub correct: usize,
    pub total: usize,
    /// The bank column the groups come from (`area`).
    pub group_column: String,
    /// One entry per area, in bank order.
    pub groups: Vec<GroupResult>,
    pub groups_passed: usize,
    /// Names of the areas not passed, in bank order.
    pub failed_groups: Vec<String>,
    /// Day the report was made, `dd/mm/yyyy`.
    pub report_date: String,
    /// `Nombre`, `Nivel`, `PD%`, `T1`…`Tn` for legacy `<<Name>>` markers.
    #[serde(flatten)]
    pub legacy: BTreeMap<String, String>,
}

/// The student as the report and the email address them: username, else email.
pub fn student_name(event: &SubmissionEvent) -> String {
    event
        .username
        .clone()
        .or_else(|| event.email.clone())
        .unwrap_or_else(|| "estudiante".to_string())
}

fn date(unix_seconds: Option<f64>) -> Option<String> {
    let t = chrono::DateTime::from_timestamp(unix_seconds? as i64, 0)?;
    Some(t.format("%d/%m/%Y").to_string())
}

/// The seed's placeholders: `<<Nombre>>`, `<<Nivel>>`, `<<PD%>>` and `<<T1>>…<<Tn>>`.
pub fn legacy_values(name: &str, analysis: &Analysis) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    values.insert("Nombre".to_string(), name.to_string());
    values.insert("Nivel".to_string(), analysis.level.clone());
    values.insert("PD%".to_string(), analysis.pd_text.clone());
    for (i, group) in analysis.groups.iter().enumerate() {
        values.insert(format!("T{}", i + 1), group.status.clone());
    }
    values
}

/// Whether a legacy placeholder name is one the report fills (for `template validate`).
pub fn is_known_placeholder(name: &str) -> bool {
    matches!(name, "Nombre" | "Nivel" | "PD%")
        || name
            .strip_prefix('T')
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

impl ReportContext {
    pub fn new(event: &SubmissionEvent, submitted_at: Option<f64>, analysis: &Analysis) -> Self {
        let name = student_name(event);
        Self {
            legacy: legacy_values(&name, analysis),
            student: Student {
                id: event.user_id.clone(),
                name,
                username: event.username.clone(),
                email: event.email.clone(),
            },
            assessment: Assessment {
                id: event.assessment_id.clone(),
                title: event.assessment_title.clone(),
                course_id: event.course_id.clone(),
                submitted_on: date(submitted_at).unwrap_or_default(),
            },
            school: event.school_name.clone(),
            level: analysis.level.clone(),
            pd_percent: analysis.pd_percent,
            pd_text: analysis.pd_text.clone(),
            correct: analysis.correct,
            total: analysis.total,
            group_column: analysis.group_column.clone(),
            groups: analysis.groups.clone(),
            groups_passed: analysis.groups_passed,
            failed_groups: analysis
                .groups
                .iter()
                .filter(|g| !g.passed)
                .map(|g| g.name.clone())
                .collect(),
            report_date: chrono::Utc::now().format("%d/%m/%Y").to_string(),
        }
    }

    /// A plausible context (the sample bank's eight areas), to check templates against the
    /// documented schema without a real submission.
    pub fn sample() -> Self {
        let areas = [
            ("Números", 5, 7),
            ("Álgebra", 7, 7),
            ("Funciones", 6, 6),
            ("Geometría", 4, 7),
            ("Probabilidad", 7, 7),
            ("Estadística", 3, 6),
            ("Ecuaciones", 7, 7),
            ("Proporcionalidad", 2, 6),
        ];
        let groups: Vec<GroupResult> = areas
            .iter()
            .map(|(name, correct, total)| GroupResult {
                name: name.to_string(),
                correct: *correct,
                total: *total,
                percent: *correct as f64 * 100.0 / *total as f64,
                passed: correct == total,
                status: if correct == total {
                    "Aprobado"
                } else {
                    "Reprobado"
                }
                .to_string(),
            })
            .collect();
        let passed = groups.iter().filter(|g| g.passed).count();
        let analysis = Analysis {
            group_column: "area".into(),
            pd_percent: passed as f64 * 100.0 / groups.len() as f64,
            pd_text: format!("{:.2}%", passed as f64 * 100.0 / groups.len() as f64),
            level: "Nivel 2".into(),
            correct: groups.iter().map(|g| g.correct).sum(),
            total: groups.iter().map(|g| g.total).sum(),
            groups_passed: passed,
            unmatched_answers: 0,
            missing_answers: 0,
            groups,
        };
        let event = SubmissionEvent {
            user_id: "64f1a2b3c4d5e6f7a8b9c0d1".into(),
            username: Some("camila.rojas".into()),
            email: Some("camila.rojas@example.com".into()),
            assessment_id: "65a1f0c2b3d4e5f6a7b8c9d0".into(),
            assessment_title: "Test de diagnóstico M1".into(),
            assessment_url: String::new(),
            course_id: Some("diagnostico-m1".into()),
            submission_id: None,
            school_name: Some("Academia Ejemplo".into()),
        };
        Self::new(&event, Some(1_717_000_000.0), &analysis)
    }
}
