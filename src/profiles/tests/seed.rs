//! The seed diagnostic preset: the rules, placeholders, email and file names the service has
//! always used.

use serde_json::Value;

use super::*;
use crate::analysis::{analyse as legacy_analyse, Rules};
use crate::intake::SubmissionEvent;
use crate::learnworlds::types::submission;
use crate::profiles::job::{email_for, facts as job_facts, output_keys_for};
use crate::profiles::routing::RouteTarget;
use crate::report;

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
    assert_eq!(ctx.placeholders["PD%"], "55.00%");
    assert_eq!(ctx.placeholders["T11"], "Aprobado");
    assert_eq!(ctx.placeholders["T12"], "Reprobado");
    assert_eq!(ctx.placeholders["T20"], "Reprobado");
    // 10 of 20 = 50 %.
    let ctx = run(&p, &b, &answered("AAAAAAAAAABBBBBBBBBB"));
    assert_eq!(level(&ctx).0, "Nivel 2");
    assert_eq!(ctx.placeholders["PD%"], "50.00%");
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
        ("Nombre", "camila.rojas"),
        ("Nivel", "Nivel 2"),
        ("PD%", "33.33%"),
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

/// The seed preset against the service's original implementation, on every submission of the
/// shared fixture.
#[test]
fn the_preset_agrees_with_the_original_seed_analysis_on_the_fixture_submissions() {
    let p = preset("seed_diagnostic", "");
    let file = fixture("banks/Test de diagnóstico M1_questions.csv");
    let raw = std::fs::read(&file).unwrap();
    let b = bank(&p, "bank.csv", std::str::from_utf8(&raw).unwrap());
    let responses: Value =
        serde_json::from_slice(&std::fs::read(fixture("api/assessment_responses.json")).unwrap())
            .unwrap();
    let event = fixture_event(Some("diagnostico-m1"));
    let subs: Vec<_> = responses["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(submission)
        .collect();
    assert_eq!(subs.len(), 3);
    for sub in subs {
        let legacy = legacy_analyse(&b.bank, &sub.answers, &Rules::seed_diagnostic()).unwrap();
        let ctx = super::super::analyse(
            &p,
            &b,
            &sub.answers,
            job_facts(&event, &fallback(), &sub),
            &Default::default(),
        )
        .unwrap();
        assert_eq!(
            ctx.level.as_deref(),
            Some(legacy.level.as_str()),
            "{}",
            sub.id
        );
        let mut expected = serde_json::Map::new();
        for (k, v) in report::legacy_values(&report::student_name(&event), &legacy) {
            expected.insert(k, Value::from(v));
        }
        assert_eq!(ctx.placeholders, expected, "{}", sub.id);
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
        let sub = crate::learnworlds::Submission {
            id: "6650c1d2e3f4a5b6c7d8e9f0".into(),
            user_id: None,
            email: None,
            submitted_at: Some(1717000000.12),
            answers: answered("A"),
        };
        let ctx = super::super::analyse(
            &p,
            &b,
            &sub.answers,
            job_facts(&event, &fallback(), &sub),
            &Default::default(),
        )
        .unwrap();
        let (key, csv) = output_keys_for(&p, &ctx);
        assert_eq!(key, report::report_key(&event, Some(1717000000.12)));
        assert_eq!(csv, report::processed_csv_key(&event));
        let email = email_for(&p, &ctx, &serde_json::to_value(&ctx).unwrap()).unwrap();
        assert_eq!(email.subject, "Tu informe de resultados - Diagnóstico");
        assert_eq!(
            email.attachment,
            "Informe de resultados - Test de diagnostico M1.pdf"
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
    assert_eq!(
        report::report_key(&fixture_event(Some("diagnostico-m1")), Some(1717000000.12)),
        "data/webhook_reports/diagnostico-m1/64f1a2b3c4d5e6f7a8b9c0d1_Test_de_diagnóstico_M1_20240529_162640.pdf"
    );
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
    let email = email_for(&p, &ctx, &serde_json::to_value(&ctx).unwrap()).unwrap();
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

/// A template written for the service's own diagnostic context (docs/templates.md) finds every
/// variable, with the same value, in the seed profile's context.
#[test]
fn the_context_holds_everything_the_diagnostic_template_context_documents() {
    let p = preset("seed_diagnostic", "");
    let raw = std::fs::read(fixture("banks/Test de diagnóstico M1_questions.csv")).unwrap();
    let b = bank(&p, "bank.csv", std::str::from_utf8(&raw).unwrap());
    let responses: Value =
        serde_json::from_slice(&std::fs::read(fixture("api/assessment_responses.json")).unwrap())
            .unwrap();
    let sub = submission(&responses["data"][0]).unwrap();
    let event = fixture_event(Some("diagnostico-m1"));
    let legacy = legacy_analyse(&b.bank, &sub.answers, &Rules::seed_diagnostic()).unwrap();
    let mut expected = serde_json::to_value(report::ReportContext::new(
        &event,
        sub.submitted_at,
        &legacy,
    ))
    .unwrap();
    // Both are "today"; left out so the test cannot fail at midnight.
    expected.as_object_mut().unwrap().remove("report_date");
    let ctx = super::super::analyse(
        &p,
        &b,
        &sub.answers,
        job_facts(&event, &fallback(), &sub),
        &Default::default(),
    )
    .unwrap();
    assert_within(&expected, &serde_json::to_value(&ctx).unwrap(), "context");
}
