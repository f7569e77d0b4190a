//! The seed diagnostic preset: the rules, placeholders, email and file names the service has
//! always used.

use serde_json::Value;

use super::*;
use crate::domain::event::SubmissionEvent;
use crate::domain::submission::submission;
use crate::rules::delivery::{email_for, output_keys_for};
use crate::rules::facts::facts as job_facts;
use crate::rules::routing::RouteTarget;

fn twenty_areas() -> String {
    let mut csv = "question_number,correct_answer,area\n".to_string();
    for i in 1..=20 {
        csv.push_str(&format!("{i},A,Área {i}\n"));
    }
    csv
}

#[test]
fn nivel_3_starts_at_exactly_55_percent_of_the_areas() {
    let p = preset("seed_diagnostic", "");
    let b = bank(&p, "b.csv", &twenty_areas());
    // 11 of 20 areas = 55 %.
    let ctx = run(&p, &b, &answered("AAAAAAAAAAABBBBBBBBB"));
    assert_eq!(level(&ctx), ("Nivel 3".into(), "Nivel 3".into()));
    assert_eq!(ctx.placeholders["PD%"], "55 %");
    assert_eq!(ctx.placeholders["T11"], "Aprobado");
    assert_eq!(ctx.placeholders["T12"], "Reprobado");
    assert_eq!(ctx.placeholders["T20"], "Reprobado");
    // 10 of 20 = 50 %.
    let ctx = run(&p, &b, &answered("AAAAAAAAAABBBBBBBBBB"));
    assert_eq!(level(&ctx).0, "Nivel 2");
    assert_eq!(ctx.placeholders["PD%"], "50 %");
}

#[test]
fn an_area_passes_only_when_all_its_answers_are_correct() {
    let p = preset("seed_diagnostic", "");
    let b = bank(
        &p,
        "b.csv",
        "question_number,correct_answer,area\n1,A,Números\n2,B,Números\n3,A,Álgebra\n4,B,Álgebra\n5,A,Geometría\n6,A,Geometría\n",
    );
    let given = answers(&[
        ("Pregunta 1", "a"),
        ("Pregunta 2 ", "B "),
        ("Pregunta 3", "No lo sé"),
        ("Pregunta 4", "B"),
        ("Pregunta 5", ""),
        // Pregunta 6 has no answer; Pregunta 9 is in no bank.
        ("Pregunta 9", "A"),
    ]);
    let ctx = run(&p, &b, &given);
    assert_eq!(
        statuses(&ctx, "areas"),
        pairs(&[
            ("Números", "Aprobado"),
            ("Álgebra", "Reprobado"),
            ("Geometría", "Reprobado")
        ])
    );
    assert_eq!(level(&ctx).0, "Nivel 2");
    let s = &ctx.score;
    assert_eq!((s.correct, s.total, s.answered, s.blank), (3, 6, 4, 2));
    assert_eq!((s.unmatched_answers, s.missing_answers), (1, 1));
    let expected: Vec<(&str, &str)> = vec![
        ("Nombre", "Camila Rojas"),
        ("Nivel", "Nivel 2"),
        ("PD%", "33,33 %"),
        ("T1", "Aprobado"),
        ("T2", "Reprobado"),
        ("T3", "Reprobado"),
    ];
    for (k, v) in expected {
        assert_eq!(ctx.placeholders[k], v, "{k}");
    }
    assert_eq!(ctx.placeholders.len(), 6);
}

fn fixture_event(course: Option<&str>) -> SubmissionEvent {
    SubmissionEvent {
        user_id: "64f1a2b3c4d5e6f7a8b9c0d1".into(),
        username: Some("camila.rojas".into()),
        email: Some("camila.rojas@example.com".into()),
        assessment_id: "65a1f0c2b3d4e5f6a7b8c9d0".into(),
        assessment_title: "Test de diagnóstico M1".into(),
        assessment_url: String::new(),
        course_id: course.map(str::to_string),
        submission_id: None,
        school_name: Some("Academia Ejemplo".into()),
    }
}

/// The seed preset's analysis of a submission, routed by the fallback as the service does.
fn analyse_submission(
    p: &Profile,
    b: &LoadedBank,
    event: &SubmissionEvent,
    sub: &crate::domain::submission::Submission,
) -> ReportContext {
    super::super::analyse(
        p,
        b,
        &sub.answers,
        job_facts(event, &fallback(), sub),
        &Default::default(),
    )
    .unwrap()
}

fn fallback() -> RouteTarget {
    RouteTarget {
        profile: "seed_diagnostic".into(),
        assessment_name: None,
        group: None,
        kind: None,
        number: None,
        via: "fallback".into(),
    }
}

/// The seed rule computed straight from the bank text, independently of the profile code:
/// (area, all its questions right) in bank order.
fn oracle(bank_csv: &str, sub: &crate::domain::submission::Submission) -> Vec<(String, bool)> {
    let answer = |n: &str| {
        sub.answers
            .iter()
            .find(|a| a.label.trim() == format!("Pregunta {n}"))
            .map(|a| a.answer.trim().to_string())
            .unwrap_or_default()
    };
    let mut areas: Vec<(String, bool)> = Vec::new();
    for line in bank_csv.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        let right = answer(cols[0]).eq_ignore_ascii_case(cols[1].trim());
        match areas.iter_mut().find(|(a, _)| a == cols[2]) {
            Some((_, all)) => *all &= right,
            None => areas.push((cols[2].to_string(), right)),
        }
    }
    areas
}

fn fixture_submissions() -> Vec<crate::domain::submission::Submission> {
    let responses: Value =
        serde_json::from_slice(&std::fs::read(fixture("api/assessment_responses.json")).unwrap())
            .unwrap();
    responses["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(submission)
        .collect()
}

/// On every submission of the shared fixture, the preset gives the seed's level and
/// placeholders, and every variable docs/templates.md documents.
#[test]
fn the_preset_reproduces_the_seed_diagnostic_on_the_fixture_submissions() {
    let p = preset("seed_diagnostic", "");
    let csv =
        std::fs::read_to_string(fixture("banks/Test de diagnóstico M1_questions.csv")).unwrap();
    let b = bank(&p, "bank.csv", &csv);
    let event = fixture_event(Some("diagnostico-m1"));
    let subs = fixture_submissions();
    assert_eq!(subs.len(), 3);
    for sub in subs {
        let areas = oracle(&csv, &sub);
        let passed = areas.iter().filter(|(_, ok)| *ok).count();
        let pd = passed as f64 * 100.0 / areas.len() as f64;
        let level = if pd >= 55.0 { "Nivel 3" } else { "Nivel 2" };
        let status = |ok: bool| if ok { "Aprobado" } else { "Reprobado" };
        let ctx = analyse_submission(&p, &b, &event, &sub);
        let mut placeholders = serde_json::Map::new();
        placeholders.insert("Nombre".into(), "camila.rojas".into());
        placeholders.insert("Nivel".into(), level.into());
        // es-CL, at most two decimals: 12,5 %.
        let pd_text = format!("{pd:.2}");
        let pd_text = pd_text.trim_end_matches('0').trim_end_matches('.');
        placeholders.insert(
            "PD%".into(),
            format!("{} %", pd_text.replace('.', ",")).into(),
        );
        for (i, (_, ok)) in areas.iter().enumerate() {
            placeholders.insert(format!("T{}", i + 1), status(*ok).into());
        }
        assert_eq!(ctx.placeholders, placeholders, "{}", sub.id);
        let expected = serde_json::json!({
            "student": {"id": "64f1a2b3c4d5e6f7a8b9c0d1", "name": "camila.rojas",
                        "username": "camila.rojas", "email": "camila.rojas@example.com"},
            "assessment": {"id": "65a1f0c2b3d4e5f6a7b8c9d0", "title": "Test de diagnóstico M1",
                           "course_id": "diagnostico-m1"},
            "school": "Academia Ejemplo",
            "level": level,
            "pd_text": format!("{} %", pd_text.replace('.', ",")),
            "group_column": "area",
            "groups_passed": passed,
            "total": 53,
            "groups": areas.iter().map(|(name, ok)| serde_json::json!({
                "name": name, "passed": ok, "status": status(*ok)})).collect::<Vec<_>>(),
            "failed_groups": areas.iter().filter(|(_, ok)| !ok).map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        });
        let actual = serde_json::to_value(&ctx).unwrap();
        assert_within(&expected, &actual, "context");
        for key in ["pd_percent", "correct", "report_date"] {
            assert!(actual.get(key).is_some(), "{key} is documented");
        }
        assert!(actual["assessment"]["submitted_on"]
            .as_str()
            .is_some_and(|d| d.len() == 10));
    }
}

#[test]
fn email_and_file_names_are_the_ones_the_service_always_used() {
    let p = preset("seed_diagnostic", "");
    let b = bank(
        &p,
        "b.csv",
        "question_number,correct_answer,area\n1,A,Números\n",
    );
    for course in [Some("diagnostico-m1"), None] {
        let event = fixture_event(course);
        let sub = crate::domain::submission::Submission {
            id: "6650c1d2e3f4a5b6c7d8e9f0".into(),
            user_id: None,
            email: None,
            submitted_at: Some(1717000000.12),
            answers: answered("A"),
            display_name: None,
        };
        let ctx = analyse_submission(&p, &b, &event, &sub);
        let (key, csv) = output_keys_for(&p, &ctx);
        let folder = match course {
            Some(c) => format!("data/webhook_reports/{c}"),
            None => "data/webhook_reports/test-de-diagnostico-m1".to_string(),
        };
        assert_eq!(
            key,
            format!("{folder}/64f1a2b3c4d5e6f7a8b9c0d1_Test_de_diagnóstico_M1_20240529_162640.pdf")
        );
        assert_eq!(csv, format!("{folder}/processed.csv"));
        let email = email_for(&p, &ctx).unwrap();
        assert_eq!(email.subject, "Tu informe de resultados - Diagnóstico");
        assert_eq!(
            email.attachment,
            "Informe de resultados - Test de diagnóstico M1.pdf"
        );
        assert_eq!(
            email.body,
            "Hola camila.rojas,\n\n\
             Gracias por completar la evaluación \"Test de diagnóstico M1\". Te adjuntamos tu informe de resultados en PDF: \
             allí encontrarás tu nivel y el estado de cada área evaluada.\n\n\
             Si tienes preguntas sobre tu informe, responde a este correo.\n\n\
             Saludos,\nAcademia Ejemplo\n"
        );
    }
}

#[test]
fn without_a_school_name_the_email_is_signed_by_the_academic_team() {
    let p = preset("seed_diagnostic", "");
    let b = bank(
        &p,
        "b.csv",
        "question_number,correct_answer,area\n1,A,Números\n",
    );
    let mut ctx = run(&p, &b, &answered("A"));
    ctx.school = None;
    let email = email_for(&p, &ctx).unwrap();
    assert!(
        email.body.ends_with("Saludos,\nEl equipo académico\n"),
        "{}",
        email.body
    );
}

/// Every value of `expected` is in `actual` at the same place (which may hold more).
fn assert_within(expected: &Value, actual: &Value, place: &str) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e {
                let found = a.get(k).unwrap_or_else(|| panic!("{place}.{k} is missing"));
                assert_within(v, found, &format!("{place}.{k}"));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            assert_eq!(e.len(), a.len(), "{place}");
            for (i, (e, a)) in e.iter().zip(a).enumerate() {
                assert_within(e, a, &format!("{place}[{i}]"));
            }
        }
        (e, a) => assert_eq!(e, a, "{place}"),
    }
}
