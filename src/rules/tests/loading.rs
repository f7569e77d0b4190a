//! Reading the profiles file: presets, overrides, and mistakes named by their key.

use super::*;
use crate::rules::presets;

#[test]
fn every_shipped_preset_loads_under_its_own_name() {
    for name in presets::names() {
        let p = preset(name, "");
        assert_eq!(p.name(), name);
        assert!(p.source.contains(&format!("preset {name}")));
    }
}

#[test]
fn without_a_profiles_file_the_seed_diagnostic_reports_every_assessment() {
    let set = ProfileSet::default_set("config/reports.toml", "templates/otra.docx");
    assert!(set.errors().is_empty(), "{:?}", set.errors());
    let p = set.profile("seed_diagnostic").unwrap();
    assert_eq!(p.spec.template, "templates/otra.docx");
    let routed = set
        .routes
        .route("65a1f0c2b3d4e5f6a7b8c9d0", "Cualquier evaluación")
        .unwrap();
    assert_eq!(routed.profile, "seed_diagnostic");
    assert!(set.source.contains("config/reports.toml not found"));
}

#[test]
fn a_broken_profile_is_listed_and_the_others_keep_serving() {
    let text = r#"
[[profile]]
preset = "test_de_eje"

[[profile]]
preset = "examen_de_eje"
retake = "new_report"
route = { titles = ["Examen de eje 1"] }
"#;
    let set = ProfileSet::parse("config/reports.toml", text, None);
    assert!(set.profile("test_de_eje").is_ok());
    let err = set.profile("examen_de_eje").unwrap_err().to_string();
    assert!(
        err.contains("retake") && err.contains("config/reports.toml, profile 2"),
        "{err}"
    );
    assert_eq!(set.errors().len(), 1, "{:?}", set.errors());
    // Its submissions are still routed to it, and wait for the fix in the queue.
    let routed = set
        .routes
        .route("65a1f0c2b3d4e5f6a7b8c9d0", "examen de eje 1")
        .unwrap();
    assert_eq!(routed.profile, "examen_de_eje");
}

#[test]
fn mistakes_are_reported_with_the_key_at_fault() {
    let cases = [
        ("[[profile.level]]\nwhen = \"score.percent >= \"\nname = \"A\"", "level[0]"),
        ("[[profile.level]]\nwhen = \"score.percent >= 1\"\nname = \"A\"", "the last level must have no `when`"),
        ("grouping = [{ name = \"lecciones\", columns = [\"leccion\"], within = \"unidades\" }]", "within = 'unidades'"),
        ("placeholders = { score = \"x\" }", "placeholders.score"),
        ("output = { file_name = \"{correo}.pdf\" }", "output.file_name: unknown variable {correo}"),
        ("bank = { path = \"x\", pilot = \"piloto\" }", "bank"),
        ("name = \"Test De Eje\"", "name: 'Test De Eje'"),
        ("grouping = [{ name = \"u\", columns = [\"unidad\"], bands = [{ below = 80, status = \"a\" }, { below = 50, status = \"b\" }, { status = \"c\" }] }]", "must increase"),
    ];
    for (extra, expected) in cases {
        let text = format!("[[profile]]\npreset = \"test_de_eje\"\n{extra}\n");
        let set = ProfileSet::parse("reports.toml", &text, None);
        let errors = set.errors().join("\n");
        assert!(errors.contains(expected), "{extra}\n→ {errors}");
    }
}

#[test]
fn file_level_mistakes_are_listed() {
    let set = ProfileSet::parse("reports.toml", "[[profile]\npreset = 1", None);
    assert!(
        set.errors()[0].contains("not valid TOML"),
        "{:?}",
        set.errors()
    );
    let set = ProfileSet::parse(
        "reports.toml",
        "[[profile]]\npreset = \"tests_de_eje\"\n[extra]\n",
        None,
    );
    let errors = set.errors().join("\n");
    assert!(
        errors.contains("unknown preset 'tests_de_eje' (known: seed_diagnostic"),
        "{errors}"
    );
    assert!(errors.contains("unknown top-level key `extra`"), "{errors}");
    let set = ProfileSet::parse(
        "reports.toml",
        "[[profile]]\npreset = \"ensayo\"\n[[profile]]\npreset = \"ensayo\"\n",
        None,
    );
    assert!(
        set.errors()[0].contains("used by an earlier profile"),
        "{:?}",
        set.errors()
    );
}

#[test]
fn a_profile_may_be_written_without_a_preset() {
    let text = r#"
[[profile]]
name = "quiz"
template = "templates/quiz.docx"
bank = { path = "data/banks/{assessment_name}" }
grouping = [{ name = "temas", columns = ["tema"], pass_at = 60, passed = "Logrado", failed = "Por lograr" }]
level = [{ when = "score.percent >= 60", name = "Bien" }, { name = "A reforzar" }]
"#;
    let set = ProfileSet::parse("reports.toml", text, None);
    assert!(set.errors().is_empty(), "{:?}", set.errors());
    let p = set.profile("quiz").unwrap();
    let b = bank(
        &p,
        "q.csv",
        "pregunta,alternativa,tema\nPregunta 1,A,Uno\nPregunta 2,B,Uno\nPregunta 3,C,Dos\n",
    );
    let ctx = run(&p, &b, &answered("AXC"));
    assert_eq!(
        statuses(&ctx, "temas"),
        pairs(&[("Uno", "Por lograr"), ("Dos", "Logrado")])
    );
    assert_eq!(level(&ctx).0, "Bien");
    // The defaults of docs/profiles.md.
    assert_eq!(
        p.spec.output.file_name,
        "informe_{report_type}_{assessment_name}_{email}.pdf"
    );
    assert_eq!(p.spec.retakes, crate::rules::spec::Retakes::SameReport);
}

#[test]
fn every_profile_example_of_the_documentation_loads() {
    let docs = include_str!("../../../docs/profiles.md");
    let blocks: Vec<&str> = docs
        .split("```toml\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .filter(|b| b.contains("[[profile]]"))
        .collect();
    assert!(blocks.len() >= 8, "{} examples", blocks.len());
    for block in blocks {
        let set = ProfileSet::parse("docs/profiles.md", block, None);
        assert!(set.errors().is_empty(), "{block}\n→ {:?}", set.errors());
        assert!(!set.profiles.is_empty(), "{block}");
    }
}
