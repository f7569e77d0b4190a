//! The subject diagnostics (M1, CL, CIEN, HYST) at the edges of their thresholds.

use super::json;
use super::*;

/// `n` questions of `column_value` in the diagnostics' `;` format, numbered from `start`.
fn rows(start: usize, n: usize, lecture: &str, extra: &str) -> String {
    (start..start + n)
        .map(|i| format!("{i};A;{lecture};{extra}\n"))
        .collect()
}

/// `right` correct answers then wrong ones, over `n` questions.
fn marks(right: usize, n: usize) -> String {
    "A".repeat(right) + &"B".repeat(n - right)
}

#[test]
fn m1_levels_follow_difficulty_1_and_2_at_their_exact_thresholds() {
    let p = preset("diagnostico_m1", "");
    // 20 questions of difficulty 1 (5 % each), 10 of difficulty 2 (10 % each).
    let csv = format!(
        "question_number;correct_alternative;lecture;question_difficulty\n{}{}",
        rows(1, 20, "Números", "1"),
        rows(21, 10, "Álgebra", "2")
    );
    let b = bank(&p, "m1.csv", &csv);
    let cases = [
        // (d1 correct of 20, d2 correct of 10) -> (shown, internal)
        ((19, 9), ("Nivel 3", "Nivel 4")), // 95 % and 90 %: the hidden level
        ((19, 8), ("Nivel 3", "Nivel 3")), // 95 % and 80 %
        ((15, 7), ("Nivel 3", "Nivel 3")), // 75 % and 70 %
        ((15, 6), ("Nivel 2", "Nivel 2")), // 75 % and 60 %
        ((14, 10), ("Nivel 1", "Nivel 1")), // 70 % and 100 %
    ];
    for ((d1, d2), (shown, internal)) in cases {
        let ctx = run(&p, &b, &answered(&(marks(d1, 20) + &marks(d2, 10))));
        assert_eq!(
            level(&ctx),
            (shown.into(), internal.into()),
            "d1 {d1}/20, d2 {d2}/10"
        );
    }
}

#[test]
fn m1_lists_failed_lessons_in_bank_order() {
    let p = preset("diagnostico_m1", "");
    let csv = format!(
        "question_number;correct_alternative;lecture;question_difficulty\n{}{}{}",
        rows(1, 2, "Potencias", "1"),
        rows(3, 2, "Fracciones", "1"),
        rows(5, 2, "Ecuaciones", "2")
    );
    let b = bank(&p, "m1.csv", &csv);
    // Potencias 1/2, Fracciones 2/2, Ecuaciones: "No lo sé" and blank.
    let ctx = run(&p, &b, &answered("ABAA?-"));
    assert_eq!(
        json(&ctx)["failed"]["lecciones"],
        serde_json::json!(["Potencias", "Ecuaciones"])
    );
    assert_eq!(json(&ctx)["count"]["lecciones"]["failed"], 2);
    assert_eq!(json(&ctx)["pct"]["dificultad"]["1"], 75.0);
    assert_eq!(json(&ctx)["pct"]["dificultad"]["2"], 0.0);
    assert_eq!(level(&ctx).0, "Nivel 2");
}

#[test]
fn cl_levels_follow_interpretar_and_evaluar() {
    let p = preset("diagnostico_cl", "");
    // Interpretar: 5 questions (20 % each); Evaluar: 20 questions (5 % each).
    let csv = format!(
        "question_number;correct_alternative;lecture;skill\n{}{}",
        rows(1, 5, "Lectura 1", "Interpretar"),
        rows(6, 20, "Lectura 2", "Evaluar ")
    );
    let b = bank(&p, "cl.csv", &csv);
    let cases = [
        ((4, 17), "Nivel 3"), // 80 % and 85 %
        ((4, 16), "Nivel 2"), // 80 % and 80 %
        ((3, 20), "Nivel 1"), // 60 % and 100 %
    ];
    for ((i, e), expected) in cases {
        let ctx = run(&p, &b, &answered(&(marks(i, 5) + &marks(e, 20))));
        assert_eq!(level(&ctx).0, expected, "i {i}/5, e {e}/20");
    }
}

#[test]
fn cien_is_nivel_2_up_to_30_failed_lessons() {
    let p = preset("diagnostico_cien", "");
    let mut csv = "question_number;correct_alternative;lecture;materia\n".to_string();
    for i in 1..=31 {
        let materia = if i <= 15 { "Biología" } else { "Química" };
        csv.push_str(&format!("{i};A;Lección {i};{materia}\n"));
    }
    let b = bank(&p, "cien.csv", &csv);
    let ctx = run(&p, &b, &answered(&marks(1, 31)));
    assert_eq!(json(&ctx)["count"]["lecciones"]["failed"], 30);
    assert_eq!(level(&ctx).0, "Nivel 2");
    let ctx = run(&p, &b, &answered(&marks(0, 31)));
    assert_eq!(json(&ctx)["count"]["lecciones"]["failed"], 31);
    assert_eq!(level(&ctx).0, "Nivel 1");
    assert_eq!(
        statuses(&ctx, "materias"),
        pairs(&[("Biología", "Reprobado"), ("Química", "Reprobado")])
    );
}

#[test]
fn hyst_is_avanzado_from_80_percent() {
    let p = preset("diagnostico_hyst", "");
    let csv = format!(
        "question_number;correct_alternative;lecture\n{}{}",
        rows(1, 5, "Siglo XIX", "").replace(";\n", "\n"),
        rows(6, 5, "Siglo XX", "").replace(";\n", "\n")
    );
    let b = bank(&p, "hyst.csv", &csv);
    let ctx = run(&p, &b, &answered("AAAAAAAA?-"));
    assert_eq!(ctx.score.percent, 80.0);
    assert_eq!(level(&ctx).0, "Avanzado");
    let ctx = run(&p, &b, &answered("AAAAAAA?B-"));
    assert_eq!(level(&ctx).0, "General");
    assert_eq!(ctx.placeholders["MATERIA"], "Historia y Ciencias Sociales");
}

#[test]
fn a_bank_without_the_difficulty_column_stops_the_m1_level_with_the_rule_named() {
    let p = preset("diagnostico_m1", "");
    let b = bank(
        &p,
        "m1.csv",
        "question_number;correct_alternative;lecture;question_difficulty\n1;A;L;1\n",
    );
    let err = super::super::analyse(&p, &b, &answered("A"), facts(), &Default::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("level[0].when") && err.contains("diagnostico_m1"),
        "{err}"
    );
}
