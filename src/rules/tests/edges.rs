//! Every preset against the same awkward submission: a label with a trailing space, "No lo sé",
//! a blank answer, a bank question left unanswered and an answer to no bank question.
//! Four questions, keys A B A B, two groups of two; only question 1 is right (25 %).

use serde_json::json;

use super::json;
use super::*;

/// "Pregunta 1 " right, "Pregunta 2" "No lo sé", "Pregunta 3" blank, "Pregunta 4" missing,
/// "Pregunta 99" in no bank.
fn awkward() -> Vec<Answer> {
    answers(&[
        ("Pregunta 1 ", "A"),
        ("Pregunta 2", "No lo sé"),
        ("Pregunta 3", ""),
        ("Pregunta 99", "A"),
    ])
}

type Check = fn(&ReportContext);

#[test]
fn every_preset_grades_the_awkward_submission_as_computed_by_hand() {
    let diag = |extra: &str, v: [&str; 2]| {
        format!(
            "question_number;correct_alternative;lecture{extra}\n1;A;L1{}\n2;B;L1{}\n3;A;L2{}\n4;B;L2{}\n",
            v[0], v[0], v[1], v[1]
        )
    };
    let newest = |columns: &str, v: [&str; 2]| {
        format!(
            "pregunta,alternativa,{columns}\nPregunta 1,A,{}\nPregunta 2,B,{}\nPregunta 3,A,{}\nPregunta 4,B,{}\n",
            v[0], v[0], v[1], v[1]
        )
    };
    let cases: Vec<(&str, &str, String, Check)> = vec![
        (
            "seed_diagnostic",
            "",
            "question_number,correct_answer,area\n1,A,X\n2,B,X\n3,A,Y\n4,B,Y\n".into(),
            |c| {
                assert_eq!(statuses(c, "areas"), pairs(&[("X", "Reprobado"), ("Y", "Reprobado")]));
                assert_eq!(level(c).0, "Nivel 2");
                assert_eq!(c.placeholders["PD%"], "0 %");
            },
        ),
        ("diagnostico_m1", "", diag(";question_difficulty", [";1", ";2"]), |c| {
            assert_eq!((json(c)["pct"]["dificultad"]["1"].clone(), json(c)["pct"]["dificultad"]["2"].clone()), (json!(50.0), json!(0.0)));
            assert_eq!(level(c).0, "Nivel 1");
            assert_eq!(json(c)["failed"]["lecciones"], json!(["L1", "L2"]));
        }),
        ("diagnostico_cl", "", diag(";skill", [";Interpretar", ";Evaluar"]), |c| {
            assert_eq!(json(c)["pct"]["habilidad"]["interpretar"], 50.0);
            assert_eq!(level(c).0, "Nivel 1");
        }),
        ("diagnostico_cien", "", diag(";materia", [";Biología", ";Física"]), |c| {
            assert_eq!(json(c)["count"]["lecciones"]["failed"], 2);
            assert_eq!(level(c).0, "Nivel 2");
        }),
        ("diagnostico_hyst", "", diag("", ["", ""]), |c| {
            assert_eq!(c.score.percent_text, "25 %");
            assert_eq!(level(c).0, "General");
        }),
        ("test_de_eje", "", newest("unidad,leccion", ["U1,L1", "U2,L2"]), |c| {
            assert_eq!(statuses(c, "unidades"), pairs(&[("U1", "□"), ("U2", "□")]));
            assert_eq!(statuses(c, "lecciones"), pairs(&[("L1", "□"), ("L2", "□")]));
            // 2 lessons + 2 unit tests × 0.5 + 2 guides × 2 + 2.
            assert_eq!(c.derived["horas_texto"], "9");
        }),
        ("examen_de_eje", "", newest("unidad", ["U1", "U2"]), |c| {
            assert_eq!(statuses(c, "unidades"), pairs(&[("U1", "En desarrollo"), ("U2", "Riesgo")]));
        }),
        ("test_de_habilidad", "", newest("habilidad,tarea_lectora", ["H1,T1", "H2,T2"]), |c| {
            assert_eq!(statuses(c, "tareas"), pairs(&[("T1", "□"), ("T2", "□")]));
            assert_eq!(c.derived["horas"], 9.0);
        }),
        ("examen_de_habilidad", "", newest("habilidad", ["H1", "H2"]), |c| {
            assert_eq!(statuses(c, "habilidades"), pairs(&[("H1", "En desarrollo"), ("H2", "Riesgo")]));
        }),
        (
            "ensayo",
            "conversion = [{ name = \"puntaje\", input = \"score.correct\", rows = [[0, 100], [1, 200], [2, 300]] }]",
            newest("piloto,eje", [",E1", ",E2"]),
            |c| {
                assert_eq!(c.derived["puntaje"], 200);
                assert_eq!(json(c)["pct"]["ejes"]["E1"], 50.0);
            },
        ),
    ];
    for (name, extra, csv, check) in cases {
        let p = preset(name, extra);
        let b = bank(&p, "bank.csv", &csv);
        let ctx = run(&p, &b, &awkward());
        let s = &ctx.score;
        assert_eq!(
            (
                s.correct,
                s.total,
                s.answered,
                s.blank,
                s.unmatched_answers,
                s.missing_answers
            ),
            (1, 4, 2, 2, 1, 1),
            "{name}"
        );
        let answered: Vec<&str> = ctx.questions.iter().map(|q| q.answer.as_str()).collect();
        assert_eq!(answered, vec!["A", "No lo sé", "", ""], "{name}");
        check(&ctx);
    }
}
