//! The school's real banks (typos, trailing spaces, blank columns, pilot marks, placeholder
//! rows) load and analyse through their presets, with the fixture student's answers.

use serde_json::Value;

use super::json;
use super::*;
use crate::domain::submission::submission;
use crate::domain::submission::Submission;

fn camila_newest() -> Submission {
    let responses: Value =
        serde_json::from_slice(&std::fs::read(fixture("api/assessment_responses.json")).unwrap())
            .unwrap();
    submission(&responses["data"][0]).unwrap()
}

fn real_bank(profile: &Profile, name: &str) -> LoadedBank {
    let path = fixture(&format!("banks/{name}"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    LoadedBank::prepare(Bank::parse(name, &bytes).unwrap(), &profile.spec.bank).unwrap()
}

#[test]
fn every_real_bank_loads_and_analyses_with_its_preset() {
    let paes: Vec<[f64; 2]> = (0..=60)
        .map(|n| [n as f64, 100.0 + 15.0 * n as f64])
        .collect();
    let tables = BTreeMap::from([(
        "puntaje".to_string(),
        ConversionTable::from_rows("sample", &paes).unwrap(),
    )]);
    let cases = [
        (
            "M30M-TEST DE EJE 1-DATA.xlsx",
            "test_de_eje",
            45,
            "unidades",
            5,
        ),
        (
            "M30M2-TEST DE EJE 1-DATA.xlsx",
            "test_de_eje",
            18,
            "unidades",
            3,
        ),
        (
            "H30M-TEST DE EJE 1-DATA.xlsx",
            "test_de_eje",
            30,
            "unidades",
            4,
        ),
        (
            "M30M2-EXAMEN DE EJE 1-DATA.xlsx",
            "examen_de_eje",
            25,
            "unidades",
            3,
        ),
        ("M30M2-ENSAYO 1-DATA.xlsx", "ensayo", 55, "ejes", 1),
    ];
    let sub = camila_newest();
    for (file, profile, questions, grouping, groups) in cases {
        let p = preset(profile, "");
        let b = real_bank(&p, file);
        assert_eq!(b.bank.questions.len(), questions, "{file}");
        let ctx = run_with(&p, &b, &sub.answers, &tables);
        assert_eq!(json(&ctx)["count"][grouping]["total"], groups, "{file}");
        assert_eq!(
            ctx.score.missing_answers,
            questions.saturating_sub(53),
            "{file}"
        );
        assert_eq!(
            ctx.score.unmatched_answers,
            53 - questions.min(53),
            "{file}"
        );
    }
}

#[test]
fn the_m30m2_test_de_eje_gives_the_hand_computed_plan() {
    let p = preset("test_de_eje", "");
    let b = real_bank(&p, "M30M2-TEST DE EJE 1-DATA.xlsx");
    let ctx = run(&p, &b, &camila_newest().answers);
    assert_eq!(
        statuses(&ctx, "lecciones"),
        pairs(&[
            ("Intersés simle y compuesto", "□"),
            ("Trabajadores y créditos", "□"),
            ("Defición de log", "□"),
            ("Propiedades logaritmos", "□"),
            ("Logaritmos en contexto", "✓"),
            ("Números reales", "□"),
        ])
    );
    assert_eq!(ctx.score.correct, 9);
    // 5 pending lessons + 3 × 0.5 + 3 × 2 + 2.
    assert_eq!(ctx.derived["horas"], 14.5);
}

#[test]
fn the_m30m2_examen_de_eje_gives_the_hand_computed_states() {
    let p = preset("examen_de_eje", "");
    let b = real_bank(&p, "M30M2-EXAMEN DE EJE 1-DATA.xlsx");
    let ctx = run(&p, &b, &camila_newest().answers);
    // 2/7, 5/8 and 6/10.
    assert_eq!(
        statuses(&ctx, "unidades"),
        pairs(&[
            ("Matemática financiera", "Riesgo"),
            ("Logaritmos", "En desarrollo"),
            ("Números reales", "En desarrollo"),
        ])
    );
}

#[test]
fn the_real_ensayo_bank_marks_its_five_pilot_questions() {
    let p = preset("ensayo", "");
    let b = real_bank(&p, "M30M2-ENSAYO 1-DATA.xlsx");
    let pilots: Vec<usize> = b
        .pilot
        .iter()
        .enumerate()
        .filter(|(_, p)| **p)
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(pilots, vec![2, 21, 32, 43, 53]);
}
