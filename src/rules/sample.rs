//! A report context with sample data — the seed diagnostic on the shipped sample bank — to
//! check and try templates without a real submission (`webhook-service template …`).

use std::collections::BTreeMap;

use super::analyse::{analyse, Facts};
use super::bank::LoadedBank;
use super::set::ProfileSet;
use super::ProfileError;
use crate::domain::context::{AssessmentInfo, ReportContext, Student, SubmissionInfo};
use crate::domain::submission::Answer;
use crate::rules::bank::Bank;

const BANK_FILE: &str = "data/responses/questions/Test de diagnóstico M1_questions.csv";
const BANK: &str =
    include_str!("../../data/responses/questions/Test de diagnóstico M1_questions.csv");
/// Areas answered all right in the sample; in the others one answer is "No lo sé".
const PASSED: [&str; 4] = ["Álgebra", "Funciones", "Probabilidad", "Ecuaciones"];

pub fn sample_context() -> Result<ReportContext, ProfileError> {
    let set = ProfileSet::parse(
        "(built-in sample)",
        "[[profile]]\npreset = \"seed_diagnostic\"\n",
        None,
    );
    let profile = set.profile("seed_diagnostic")?;
    let bank = Bank::parse(BANK_FILE, BANK.as_bytes())?;
    let mut missed = Vec::<String>::new();
    let answers: Vec<Answer> = bank
        .questions
        .iter()
        .map(|q| {
            let area = q.columns.get("area").cloned().unwrap_or_default();
            let wrong = !PASSED.contains(&area.as_str()) && !missed.contains(&area);
            if wrong {
                missed.push(area);
            }
            Answer {
                label: format!("Pregunta {}", q.label),
                answer: if wrong {
                    "No lo sé".into()
                } else {
                    q.answer_text.clone()
                },
                points: Some(if wrong { 0.0 } else { 1.0 }),
                max_score: Some(1.0),
            }
        })
        .collect();
    let bank = LoadedBank::prepare(bank, &profile.spec.bank)?;
    analyse(&profile, &bank, &answers, sample_facts(), &BTreeMap::new())
}

/// The sample student (the fixtures' Camila) and diagnostic assessment.
pub fn sample_facts() -> Facts {
    Facts {
        student: Student {
            id: "64f1a2b3c4d5e6f7a8b9c0d1".into(),
            name: "Camila Rojas".into(),
            username: Some("camila.rojas".into()),
            email: Some("camila.rojas@example.com".into()),
        },
        assessment: AssessmentInfo {
            id: "65a1f0c2b3d4e5f6a7b8c9d0".into(),
            title: "Test de diagnóstico M1".into(),
            name: "Test de diagnóstico M1".into(),
            group: None,
            kind: None,
            number: None,
            url: "https://academia.example.com/path-player?courseid=diagnostico-m1&unit=65a1f0c2b3d4e5f6a7b8c9d0".into(),
            course_id: Some("diagnostico-m1".into()),
            submitted_on: "29/05/2024".into(),
            subject: None,
            display_title: String::new(),
        },
        school: Some("Academia Ejemplo".into()),
        submission: SubmissionInfo {
            id: Some("6650c1d2e3f4a5b6c7d8e9f0".into()),
            timestamp: Some(1_717_000_000.0),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_passes_four_of_eight_areas() {
        let ctx = sample_context().unwrap();
        assert_eq!(ctx.groups.len(), 8);
        assert_eq!(ctx.groups_passed, 4);
        assert_eq!(ctx.pd_text, "50 %");
        assert_eq!(ctx.level.as_deref(), Some("Nivel 2"));
        assert_eq!(ctx.placeholders["T2"], "Aprobado");
        assert_eq!(ctx.placeholders["T1"], "Reprobado");
    }
}
