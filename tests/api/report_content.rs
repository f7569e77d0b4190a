//! What the student reads in the shipped reports, rendered through `preview` for the sample
//! student: one level's advice, an activities table that adds up to its total, titles as a
//! student calls the assessment, and figures in Chilean Spanish throughout.

use crate::helpers::{fixture, pdf_text};
use crate::visual::{preview, storage};

fn report(profile: &str, assessment: &str, bank: &str) -> String {
    let data = storage();
    let pdf = data.path().join("report.pdf");
    preview(
        data.path(),
        profile,
        assessment,
        &fixture(&format!("banks/{bank}")),
        &pdf,
    );
    pdf_text(&std::fs::read(&pdf).unwrap())
}

/// "5 h", "1,5 h" → hours (pdftotext may drop the narrow space: "5h").
fn hours(cell: &str) -> Option<f64> {
    cell.trim()
        .strip_suffix('h')?
        .trim()
        .replace('.', "")
        .replace(',', ".")
        .parse()
        .ok()
}

#[tokio::test]
async fn the_seed_report_gives_the_advice_of_the_students_level_only() {
    let text = report(
        "seed_diagnostic",
        "Test de diagnóstico M1",
        "Test de diagnóstico M1_questions.csv",
    );
    let advice: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("Con tu nivel"))
        .collect();
    assert_eq!(advice.len(), 1, "{text}");
    let level = crate::expected::expected_for("6650c1d2e3f4a5b6c7d8e9f0").level;
    assert!(advice[0].contains(level), "{text}");
}

#[tokio::test]
async fn the_study_plan_lists_every_activity_its_total_counts() {
    let text = report(
        "test_de_eje",
        "M30M2-TEST DE EJE 1-DATA",
        "M30M2-TEST DE EJE 1-DATA.xlsx",
    );
    let listed: f64 = text
        .lines()
        .skip_while(|l| !l.trim().starts_with("Actividades"))
        .take_while(|l| !l.contains("Total estimado"))
        .filter_map(|l| {
            l.split("  ")
                .filter(|c| !c.is_empty())
                .last()
                .and_then(hours)
        })
        .sum();
    assert!(
        text.contains("Total estimado: 14,5 horas"),
        "the hand-computed total of the real bank: {text}"
    );
    assert_eq!(listed, 14.5, "the table adds up to its total:\n{text}");
    assert!(text.contains("Test de eje 1 · Matemática M2"), "{text}");
    assert!(!text.contains("M30M2-TEST DE EJE 1-DATA"), "{text}");
}

#[tokio::test]
async fn the_examen_report_is_the_schools_design_with_figures_in_chilean_spanish() {
    let text = report(
        "examen_de_eje",
        "M30M2-EXAMEN DE EJE 1-DATA",
        "M30M2-EXAMEN DE EJE 1-DATA.xlsx",
    );
    for expected in [
        "Reporte Examen de Eje",
        "Qué mide este examen",
        "Examen de eje 1 · Matemática M2",
        "Hola Camila Rojas",
    ] {
        assert!(text.contains(expected), "{expected}:\n{text}");
    }
    // No spec text of the draft is left, and no figure with a decimal point.
    for spec in [
        "NOMBRE UNIDAD",
        "{Sólido",
        "{RS,RD,RR}",
        "(PORCENTAJE",
        "Contraportada",
    ] {
        assert!(!text.contains(spec), "{spec}:\n{text}");
    }
    let point = regex::Regex::new(r"\d\.\d+ ?%").unwrap();
    assert!(!point.is_match(&text), "{text}");
    assert!(
        regex::Regex::new(r"\d+(,\d)? %").unwrap().is_match(&text),
        "{text}"
    );
}
