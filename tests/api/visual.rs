//! Visual regression of the shipped templates: each one is filled for the sample student
//! through the service's own `preview` (real profile, real bank, real chart), converted by
//! LibreOffice, and every page rasterised by pdftoppm (grey, 40 dpi) and compared with
//! `tests/visual/reference/<preset>-<page>.png`.
//!
//! A page fails when more than 1.5 % of its pixels differ by more than 64 grey levels, or when
//! the number of pages changes: a moved table or a reflowed page goes far past that, while
//! the date printed in the report (today) stays well under it. After an intended design change,
//! `UPDATE_VISUAL_REFERENCES=1 cargo test --test api visual` rewrites the references; the pages
//! of a failing run are kept under `target/visual/` to look at.

use std::path::{Path, PathBuf};

use crate::helpers::{fixture, repo_root};

/// Share of a page's pixels allowed to differ.
const MAX_DIFFERING: f64 = 0.015;
/// Grey levels (of 255) below which two pixels count as the same (anti-aliasing).
const TOLERANCE: u8 = 64;
const DPI: &str = "40";

/// Every preset whose template ships, with the assessment and bank it is shown with.
const CASES: &[(&str, &str, Bank)] = &[
    (
        "seed_diagnostic",
        "Test de diagnóstico M1",
        Bank::Fixture("Test de diagnóstico M1_questions.csv"),
    ),
    ("diagnostico_m1", "M30M-DIAGNÓSTICO-DATA", Bank::Diagnostic),
    (
        "test_de_eje",
        "M30M2-TEST DE EJE 1-DATA",
        Bank::Fixture("M30M2-TEST DE EJE 1-DATA.xlsx"),
    ),
    (
        "test_de_habilidad",
        "CL-TEST DE HABILIDAD 1-DATA",
        Bank::Skills,
    ),
    (
        "examen_de_eje",
        "M30M2-EXAMEN DE EJE 1-DATA",
        Bank::Fixture("M30M2-EXAMEN DE EJE 1-DATA.xlsx"),
    ),
    (
        "examen_de_habilidad",
        "CL-EXAMEN DE HABILIDAD 1-DATA",
        Bank::Skills,
    ),
    (
        "ensayo",
        "M30M2-ENSAYO 1-DATA",
        Bank::Fixture("M30M2-ENSAYO 1-DATA.xlsx"),
    ),
];

enum Bank {
    Fixture(&'static str),
    /// A subject diagnostic's bank: lessons and difficulties for the fixture's 53 answers.
    Diagnostic,
    /// A bank by skill and reading task.
    Skills,
}

const PROFILES: &str = r#"
[[profile]]
preset = "seed_diagnostic"
[[profile]]
preset = "diagnostico_m1"
[[profile]]
preset = "test_de_eje"
[[profile]]
preset = "test_de_habilidad"
[[profile]]
preset = "examen_de_eje"
[[profile]]
preset = "examen_de_habilidad"
[[profile]]
preset = "ensayo"
conversion = [{ name = "puntaje", input = "score.correct", rows = [[0, 100], [10, 350], [20, 500], [30, 650], [40, 800], [50, 1000]] }]
"#;

fn bank_file(bank: &Bank, dir: &Path) -> PathBuf {
    let keys = ["A", "B", "C", "D"];
    let (name, text) = match bank {
        Bank::Fixture(name) => return fixture(&format!("banks/{name}")),
        Bank::Diagnostic => {
            let lessons = ["Números", "Potencias", "Álgebra", "Funciones", "Geometría"];
            let rows: Vec<String> = (1..=53)
                .map(|i| {
                    format!(
                        "{i};{};{};{}",
                        keys[i % 2],
                        lessons[i % lessons.len()],
                        1 + i % 2
                    )
                })
                .collect();
            (
                "diagnostic.csv",
                format!(
                    "question_number;correct_alternative;lecture;question_difficulty\n{}\n",
                    rows.join("\n")
                ),
            )
        }
        Bank::Skills => {
            let skills = ["Localizar", "Interpretar", "Evaluar"];
            let tasks = ["Texto literario", "Texto informativo"];
            let rows: Vec<String> = (1..=53)
                .map(|i| {
                    format!(
                        "Pregunta {i},{},{},{}",
                        keys[i % 2],
                        skills[i % skills.len()],
                        tasks[i % tasks.len()]
                    )
                })
                .collect();
            (
                "skills.csv",
                format!(
                    "pregunta,alternativa,habilidad,tarea_lectora\n{}\n",
                    rows.join("\n")
                ),
            )
        }
    };
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write the bank");
    path
}

/// The storage a deployment would have: the shipped templates and a profiles file.
pub fn storage() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let templates = dir.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    for entry in std::fs::read_dir(repo_root().join("templates"))
        .unwrap()
        .flatten()
    {
        std::fs::copy(entry.path(), templates.join(entry.file_name())).unwrap();
    }
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    std::fs::write(dir.path().join("config/reports.toml"), PROFILES).unwrap();
    dir
}

pub fn preview(data: &Path, profile: &str, assessment: &str, bank: &Path, out: &Path) {
    let responses = fixture("api/assessment_responses.json");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_webhook-service"))
        .args(["preview", "--profile", profile, "--responses"])
        .arg(&responses)
        .args([
            "--user",
            "camila.rojas@example.com",
            "--assessment",
            assessment,
        ])
        // As LearnWorlds' user record names the fixture student (api/user.json).
        .args(["--student-name", "Camila Rojas", "--bank"])
        .arg(bank)
        .arg("--out")
        .arg(out)
        .env("DATA_DIR", data)
        .env("ALLOW_UNSIGNED_WEBHOOKS", "true")
        .env("RUST_LOG", "off")
        .output()
        .expect("the service binary runs");
    assert!(
        run.status.success(),
        "preview of {profile} failed:\n{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

/// The PDF's pages as grey PNGs, in order.
fn pages(pdf: &Path, dir: &Path, stem: &str) -> Vec<PathBuf> {
    let prefix = dir.join(stem);
    let run = std::process::Command::new("pdftoppm")
        .args(["-gray", "-png", "-r", DPI])
        .arg(pdf)
        .arg(&prefix)
        .output()
        .expect("pdftoppm (poppler-utils) runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{stem}-")) && n.ends_with(".png"))
        })
        .collect();
    // pdftoppm pads page numbers to the widest one: a plain sort keeps page order.
    out.sort();
    out
}

/// Share of pixels differing by more than the tolerance; a page of another size differs whole.
fn difference(a: &Path, b: &Path) -> f64 {
    let a = image::open(a).expect("page image").to_luma8();
    let b = image::open(b).expect("reference image").to_luma8();
    if a.dimensions() != b.dimensions() {
        return 1.0;
    }
    let differing = a
        .pixels()
        .zip(b.pixels())
        .filter(|(p, q)| p.0[0].abs_diff(q.0[0]) > TOLERANCE)
        .count();
    differing as f64 / (a.width() * a.height()) as f64
}

#[tokio::test]
async fn every_shipped_template_looks_like_its_reference_pages() {
    if std::env::var("TEST_DATABASE").is_ok_and(|d| d == "postgres") {
        // No database in it: the SQLite run of this binary already compared every page.
        return;
    }
    let update = std::env::var_os("UPDATE_VISUAL_REFERENCES").is_some();
    let reference = repo_root().join("tests/visual/reference");
    let kept = repo_root().join("target/visual");
    let data = storage();
    let work = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (profile, assessment, bank) in CASES {
        let bank = bank_file(bank, work.path());
        let pdf = work.path().join(format!("{profile}.pdf"));
        preview(data.path(), profile, assessment, &bank, &pdf);
        let rendered = pages(&pdf, work.path(), profile);
        assert!(!rendered.is_empty(), "{profile}: no page rendered");
        if update {
            std::fs::create_dir_all(&reference).unwrap();
            for old in std::fs::read_dir(&reference).unwrap().flatten() {
                let name = old.file_name().to_string_lossy().to_string();
                if name.starts_with(&format!("{profile}-")) {
                    std::fs::remove_file(old.path()).unwrap();
                }
            }
            for (i, page) in rendered.iter().enumerate() {
                std::fs::copy(page, reference.join(format!("{profile}-{}.png", i + 1))).unwrap();
            }
            continue;
        }
        let expected: Vec<PathBuf> = (1..)
            .map(|i| reference.join(format!("{profile}-{i}.png")))
            .take_while(|p| p.exists())
            .collect();
        let mut failed = expected.len() != rendered.len();
        if failed {
            failures.push(format!(
                "{profile}: {} page(s), the reference has {}",
                rendered.len(),
                expected.len()
            ));
        }
        for (i, (page, want)) in rendered.iter().zip(&expected).enumerate() {
            let d = difference(page, want);
            if d > MAX_DIFFERING {
                failed = true;
                failures.push(format!(
                    "{profile}, page {}: {:.1} % of the pixels differ (at most {:.1} %)",
                    i + 1,
                    d * 100.0,
                    MAX_DIFFERING * 100.0
                ));
            }
        }
        if failed {
            std::fs::create_dir_all(&kept).unwrap();
            for (i, page) in rendered.iter().enumerate() {
                std::fs::copy(page, kept.join(format!("{profile}-{}.png", i + 1))).unwrap();
            }
        }
    }
    assert!(
        failures.is_empty(),
        "the reports no longer look like tests/visual/reference (this run's pages are in \
         {}; after an intended design change run \
         `UPDATE_VISUAL_REFERENCES=1 cargo test --test api visual`):\n{}",
        kept.display(),
        failures.join("\n")
    );
}
