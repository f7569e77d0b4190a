//! Ensayo: pilot questions out of the score, the PAES conversion table.

use super::json;
use super::*;
use crate::rules::delivery::email_for;

const ENSAYO_BANK: &str = "pregunta,alternativa,piloto,eje,unidad,leccion,habilidad
Pregunta 1,A,,Números,U1,L1,Resolver
Pregunta 2,A,1,Números,U1,L1,Resolver
Pregunta 3,B,,Álgebra,U2,L2,Modelar
Pregunta 4,B,1.0,Álgebra,U2,L2,Modelar
Pregunta 5,A,,Álgebra,U2,L3,Modelar
";

const INLINE_TABLE: &str = "conversion = [{ name = \"puntaje\", input = \"score.correct\", rows = [[0, 100], [1, 300], [3, 600]] }]";

#[test]
fn pilot_questions_count_for_nothing_but_are_shown() {
    let p = preset("ensayo", INLINE_TABLE);
    let b = bank(&p, "ensayo.csv", ENSAYO_BANK);
    // P2 (pilot) right, P4 (pilot) wrong, P5 blank.
    let ctx = run(&p, &b, &answered("AABA-"));
    let s = &ctx.score;
    assert_eq!((s.correct, s.total), (2, 3));
    assert_eq!((s.correct_all, s.total_all), (3, 5));
    assert_eq!((s.pilot_correct, s.pilot_total), (1, 2));
    assert_eq!(json(&ctx)["pct"]["ejes"]["Números"], 100.0);
    assert_eq!(json(&ctx)["pct"]["ejes"]["Álgebra"], 50.0);
    assert!(ctx.questions[1].pilot && ctx.questions[1].correct);
    assert_eq!(ctx.questions[3].key, "B");
    assert_eq!(ctx.questions[3].answer, "A");
    assert_eq!(ctx.questions[4].columns["habilidad"], "Modelar");
}

#[test]
fn the_score_is_the_exact_row_else_the_closest_lower_one() {
    let p = preset("ensayo", INLINE_TABLE);
    let b = bank(&p, "ensayo.csv", ENSAYO_BANK);
    // 2 correct for the score: no row 2, so row 1.
    let ctx = run(&p, &b, &answered("AABA-"));
    assert_eq!(ctx.derived["puntaje"], 300);
    // 3 correct: row 3 exactly; pilots wrong do not matter.
    let ctx = run(&p, &b, &answered("ABBAA"));
    assert_eq!(ctx.derived["puntaje"], 600);
    let email = email_for(&p, &ctx).unwrap();
    assert_eq!(email.subject, "Resultados de tu Ensayo");
    assert!(email.body.contains("Tu puntaje es 600."), "{}", email.body);
    // Nothing right: row 0.
    let ctx = run(&p, &b, &answered("-----"));
    assert_eq!(ctx.derived["puntaje"], 100);
}

#[test]
fn the_shipped_preset_reads_its_table_from_a_file_of_the_assessments_name() {
    let p = preset("ensayo", "");
    assert_eq!(
        p.spec.conversions[0].file.as_deref(),
        Some("data/conversion/{assessment_name}")
    );
    let b = bank(&p, "ensayo.csv", ENSAYO_BANK);
    let table = ConversionTable::parse("t.csv", b"correctas;puntaje\n0;100\n2;450\n").unwrap();
    let tables = BTreeMap::from([("puntaje".to_string(), table)]);
    let ctx = run_with(&p, &b, &answered("AABA-"), &tables);
    assert_eq!(ctx.derived["puntaje"], 450);
}

#[test]
fn a_score_below_the_first_row_names_the_table() {
    let p = preset(
        "ensayo",
        "conversion = [{ name = \"puntaje\", input = \"score.correct\", rows = [[1, 150]] }]",
    );
    let b = bank(&p, "ensayo.csv", ENSAYO_BANK);
    let err = super::super::analyse(&p, &b, &answered("-----"), facts(), &{
        let mut t = BTreeMap::new();
        t.insert(
            "puntaje".to_string(),
            ConversionTable::from_rows("profile ensayo, conversion puntaje", &[[1.0, 150.0]])
                .unwrap(),
        );
        t
    })
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("below the first row of profile ensayo, conversion puntaje"),
        "{err}"
    );
}
