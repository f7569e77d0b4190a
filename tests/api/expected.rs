//! An independent oracle for the seed diagnostic, computed straight from the fixtures: what the
//! report of a submission must say.

use serde_json::Value;

use crate::helpers::fixture;

pub struct Expected {
    pub level: &'static str,
    pub pd_text: String,
    /// (area, "Aprobado" | "Reprobado") in bank order.
    pub areas: Vec<(String, &'static str)>,
}

pub fn responses() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(fixture("api/assessment_responses.json")).expect("fixture"),
    )
    .expect("json")
}

pub fn expected_for(submission_id: &str) -> Expected {
    let bank = std::fs::read_to_string(fixture("banks/Test de diagnóstico M1_questions.csv"))
        .expect("bank");
    let submission = responses()["data"]
        .as_array()
        .expect("data")
        .iter()
        .find(|s| s["id"] == submission_id)
        .cloned()
        .expect("submission in fixture");
    let answer_of = |n: &str| -> String {
        submission["answers"]
            .as_array()
            .expect("answers")
            .iter()
            .find(|a| a["description"].as_str().map(str::trim) == Some(&format!("Pregunta {n}")))
            .and_then(|a| a["answer"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    let mut areas: Vec<(String, bool)> = Vec::new();
    for line in bank.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        let correct = answer_of(cols[0])
            .trim()
            .eq_ignore_ascii_case(cols[1].trim());
        match areas.iter_mut().find(|(a, _)| a == cols[2]) {
            Some((_, all)) => *all &= correct,
            None => areas.push((cols[2].to_string(), correct)),
        }
    }
    let passed = areas.iter().filter(|(_, ok)| *ok).count();
    let pct = passed as f64 * 100.0 / areas.len() as f64;
    Expected {
        level: if pct >= 55.0 { "Nivel 3" } else { "Nivel 2" },
        // es-CL, at most two decimals: "12,5 %".
        pd_text: format!(
            "{} %",
            format!("{pct:.2}")
                .trim_end_matches('0')
                .trim_end_matches('.')
                .replace('.', ",")
        ),
        areas: areas
            .into_iter()
            .map(|(a, ok)| (a, if ok { "Aprobado" } else { "Reprobado" }))
            .collect(),
    }
}
