//! Test de eje, examen de eje and their skill counterparts.

use serde_json::json;

use super::json;
use super::*;

/// Units Números (3 questions, the unit left blank below its first row as in merged cells)
/// and Potencias (11); "Descomposición" is a lesson of both units.
const EJE_BANK: &str = "pregunta,alternativa,unidad,leccion
Pregunta 1,A,Números,Enteros
Pregunta 2 ,A,,Enteros
Pregunta 3,A,,Descomposición
Pregunta 4,A,Potencias,Descomposición
Pregunta 5,A,Potencias,Notación científica
Pregunta 6,A,Potencias,Notación científica
Pregunta 7,A,Potencias,Notación científica
Pregunta 8,A,Potencias,Notación científica
Pregunta 9,A,Potencias,Notación científica
Pregunta 10,A,Potencias,Notación científica
Pregunta 11,A,Potencias,Notación científica
Pregunta 12,A,Potencias,Notación científica
Pregunta 13,A,Potencias,Notación científica
Pregunta 14,A,Potencias,Notación científica
";

#[test]
fn test_de_eje_marks_lessons_within_units_and_estimates_hours() {
    let p = preset("test_de_eje", "");
    let b = bank(&p, "eje.csv", EJE_BANK);
    // Números all correct; Potencias: Descomposición wrong, Notación científica 7/10 = 70 %.
    let ctx = run(
        &p,
        &b,
        &answered("AAAB AAAAAAABBB".replace(' ', "").as_str()),
    );
    assert_eq!(
        statuses(&ctx, "unidades"),
        pairs(&[("Números", "No requerido"), ("Potencias", "□")])
    );
    let units = &json(&ctx)["groupings"]["unidades"];
    assert_eq!(units[0]["percent_text"], "100 %");
    assert_eq!(units[1]["percent_text"], "63,6 %");
    let nested = |u: usize| -> Vec<(String, String)> {
        units[u]["lecciones"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["name"].as_str().unwrap().into(),
                    l["status"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    assert_eq!(
        nested(0),
        pairs(&[("Enteros", "✓"), ("Descomposición", "✓")])
    );
    assert_eq!(
        nested(1),
        pairs(&[("Descomposición", "□"), ("Notación científica", "✓")])
    );
    assert_eq!(units[1]["lecciones"][0]["parent"], "Potencias");
    // The flat list has both "Descomposición" groups; pct is over all its questions.
    assert_eq!(
        json(&ctx)["count"]["lecciones"],
        json!({"total": 4, "passed": 3, "failed": 1, "percent_passed": 75.0, "percent_passed_text": "75 %"})
    );
    assert_eq!(json(&ctx)["pct"]["lecciones"]["Descomposición"], 50.0);
    // 1 pending lesson + 0.5 unit test + 2 guide + 2 final exam.
    assert_eq!(ctx.derived["horas"], 5.5);
    assert_eq!(ctx.derived["horas_texto"], "5,5");

    // 6/10 in Notación científica: two pending lessons.
    let ctx = run(&p, &b, &answered("AAABAAAAAABBBB"));
    assert_eq!(ctx.derived["horas"], 6.5);
    // Everything right: only the final exam.
    let ctx = run(&p, &b, &answered(&"A".repeat(14)));
    assert_eq!(ctx.derived["horas_texto"], "2");
    assert_eq!(json(&ctx)["count"]["unidades"]["failed"], 0);
}

#[test]
fn examen_de_eje_bands_include_their_lower_edge() {
    let p = preset("examen_de_eje", "");
    let mut csv = "pregunta,alternativa,unidad\n".to_string();
    let units = [
        "Matemática financiera",
        "Logaritmos",
        "Números reales",
        "Geometría",
    ];
    for (u, unit) in units.iter().enumerate() {
        for q in 1..=10 {
            csv.push_str(&format!("Pregunta {},A,{unit}\n", u * 10 + q));
        }
    }
    let b = bank(&p, "examen.csv", &csv);
    // 4/10, 5/10, 8/10, 7/10.
    let given = [(4, 10), (5, 10), (8, 10), (7, 10)]
        .iter()
        .map(|(r, n)| "A".repeat(*r) + &"?".repeat(n - r))
        .collect::<String>();
    let ctx = run(&p, &b, &answered(&given));
    assert_eq!(
        statuses(&ctx, "unidades"),
        pairs(&[
            ("Matemática financiera", "Riesgo"),
            ("Logaritmos", "En desarrollo"),
            ("Números reales", "Sólido"),
            ("Geometría", "En desarrollo"),
        ])
    );
    let list = &json(&ctx)["groupings"]["unidades"];
    assert!(list[0]["recomendacion"]
        .as_str()
        .unwrap()
        .starts_with("Prioriza"));
    assert!(list[2]["recomendacion"]
        .as_str()
        .unwrap()
        .contains("avanzar con confianza"));
    assert_eq!(
        json(&ctx)["failed"]["unidades"],
        json!(["Matemática financiera", "Logaritmos", "Geometría"])
    );
}

#[test]
fn test_de_habilidad_plans_reading_tasks_within_skills() {
    let p = preset("test_de_habilidad", "");
    let b = bank(
        &p,
        "hab.csv",
        "pregunta,alternativa,habilidad,tarea_lectora\nPregunta 1,A,Localizar,Datos explícitos\nPregunta 2,A,,Datos explícitos\nPregunta 3,B,Interpretar,Sentido global\nPregunta 4,C,Interpretar,Inferencias\n",
    );
    let ctx = run(&p, &b, &answered("AABD"));
    assert_eq!(
        statuses(&ctx, "habilidades"),
        pairs(&[("Localizar", "No requerido"), ("Interpretar", "□")])
    );
    assert_eq!(
        statuses(&ctx, "tareas"),
        pairs(&[
            ("Datos explícitos", "✓"),
            ("Sentido global", "✓"),
            ("Inferencias", "□")
        ])
    );
    // 1 pending task + 0.5 + 2 for the pending skill + 2.
    assert_eq!(ctx.derived["horas"], 5.5);
}

#[test]
fn examen_de_habilidad_bands_each_skill() {
    let p = preset("examen_de_habilidad", "");
    let b = bank(
        &p,
        "hab.csv",
        "pregunta,alternativa,habilidad\nPregunta 1,A,Localizar\nPregunta 2,A,Localizar\nPregunta 3,A,Evaluar\nPregunta 4,A,Evaluar\n",
    );
    let ctx = run(&p, &b, &answered("AA-A"));
    assert_eq!(
        statuses(&ctx, "habilidades"),
        pairs(&[("Localizar", "Sólido"), ("Evaluar", "En desarrollo")])
    );
}
