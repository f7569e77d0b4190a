//! Table tests of the shipped presets with hand-computed expectations, and of loading and
//! routing. Every bank here is written out in the test so the expected figures can be checked
//! by reading it.

mod diagnostics;
mod edges;
mod eje;
mod ensayo;
mod loading;
mod real_banks;
mod routing;
mod seed;

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::analyse::{analyse, Facts};
use super::bank::LoadedBank;
use super::profile::Profile;
use super::set::ProfileSet;
use super::tables::ConversionTable;
use crate::domain::context::{AssessmentInfo, ReportContext};
use crate::domain::submission::Answer;
use crate::rules::bank::Bank;

/// A preset as a `config/reports.toml` would use it, with `extra` keys over it.
pub fn preset(name: &str, extra: &str) -> Profile {
    let text = format!("[[profile]]\npreset = \"{name}\"\n{extra}\n");
    let set = ProfileSet::parse("reports.toml", &text, None);
    assert!(set.errors().is_empty(), "{:?}", set.errors());
    (*set.profile(name).expect("the preset loads")).clone()
}

pub fn bank(profile: &Profile, file: &str, text: &str) -> LoadedBank {
    LoadedBank::prepare(
        Bank::parse(file, text.as_bytes()).expect("bank parses"),
        &profile.spec.bank,
    )
    .expect("bank prepares")
}

pub fn answers(list: &[(&str, &str)]) -> Vec<Answer> {
    list.iter()
        .map(|(label, text)| Answer {
            label: label.to_string(),
            answer: text.to_string(),
            points: None,
            max_score: Some(1.0),
        })
        .collect()
}

/// `Pregunta 1`…`Pregunta n` answered from `given` (one letter per question, `-` for blank,
/// `?` for "No lo sé").
pub fn answered(given: &str) -> Vec<Answer> {
    let list: Vec<(String, String)> = given
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let text = match c {
                '-' => String::new(),
                '?' => "No lo sé".into(),
                c => c.to_string(),
            };
            (format!("Pregunta {}", i + 1), text)
        })
        .collect();
    let refs: Vec<(&str, &str)> = list.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    answers(&refs)
}

/// The sample student, taking a test de eje of the routing spreadsheet.
pub fn facts() -> Facts {
    let mut facts = super::sample::sample_facts();
    facts.assessment = AssessmentInfo {
        id: "69a20626a374a7e792002887".into(),
        title: "Test".into(),
        name: "M30M2-TEST DE EJE 1-DATA".into(),
        group: Some("M2".into()),
        kind: Some("test de eje".into()),
        number: Some(1),
        url: String::new(),
        course_id: None,
        submitted_on: "29/05/2024".into(),
        subject: Some("Matemática M2".into()),
        display_title: String::new(),
    };
    facts
}

pub fn run(profile: &Profile, bank: &LoadedBank, answers: &[Answer]) -> ReportContext {
    run_with(profile, bank, answers, &BTreeMap::new())
}

pub fn run_with(
    profile: &Profile,
    bank: &LoadedBank,
    answers: &[Answer],
    tables: &BTreeMap<String, ConversionTable>,
) -> ReportContext {
    analyse(profile, bank, answers, facts(), tables).expect("analysis succeeds")
}

/// `(name, status)` of a grouping's groups.
pub fn statuses(ctx: &ReportContext, grouping: &str) -> Vec<(String, String)> {
    json(ctx)["groupings"][grouping]
        .as_array()
        .expect("a list")
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap_or_default().to_string(),
                g["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

pub fn level(ctx: &ReportContext) -> (String, String) {
    (
        ctx.level.clone().expect("a level"),
        ctx.level_internal.clone().expect("an internal level"),
    )
}

/// The shared fixtures: `SHARED_DIR`, else `../shared` beside the repository.
pub fn fixture(rel: &str) -> PathBuf {
    std::env::var_os("SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
        .join("fixtures")
        .join(rel)
}

/// The context as templates see it, to index into by name.
fn json(ctx: &crate::domain::context::ReportContext) -> serde_json::Value {
    serde_json::to_value(ctx).expect("a context serialises")
}
