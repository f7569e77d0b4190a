//! Reloading the profiles file from storage.

use std::time::Duration;

use crate::catalog::{ProfileRegistry, ProfilesSettings};
use crate::files::{LocalDisk, Storage};

async fn registry(dir: &std::path::Path) -> ProfileRegistry {
    let storage = Storage::new(LocalDisk::new(dir).unwrap());
    let settings = ProfilesSettings {
        path: "config/reports.toml".into(),
        default_template: "templates/plantilla_test_diagnostico.docx".into(),
        reload_every: Duration::ZERO,
        chart_colors: Default::default(),
    };
    ProfileRegistry::load(storage, settings).await.unwrap()
}

fn write(dir: &std::path::Path, text: &str) {
    std::fs::create_dir_all(dir.join("config")).unwrap();
    std::fs::write(dir.join("config/reports.toml"), text).unwrap();
}

#[tokio::test]
async fn a_reload_brings_new_profiles_and_a_garbled_file_keeps_the_ones_in_force() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path()).await;
    assert_eq!(registry.current().profiles[0].name(), "seed_diagnostic");

    write(
        dir.path(),
        "[[profile]]\npreset = \"test_de_eje\"\n[[profile]]\npreset = \"ensayo\"\n",
    );
    registry.reload().await;
    let names: Vec<String> = registry
        .current()
        .profiles
        .iter()
        .map(|p| p.name().to_string())
        .collect();
    assert_eq!(names, vec!["test_de_eje", "ensayo"]);

    // Saved half-way: not TOML.
    write(dir.path(), "[[profile]]\npreset = \"test_de_eje\n");
    registry.reload().await;
    assert_eq!(registry.current().profiles.len(), 2);

    // A broken profile, in a readable file, replaces the set: the others keep serving.
    write(
        dir.path(),
        "[[profile]]\npreset = \"test_de_eje\"\n[[profile]]\npreset = \"ensayo\"\nretake = 1\n",
    );
    registry.reload().await;
    let set = registry.current();
    assert_eq!(set.profiles.len(), 1);
    assert_eq!(set.broken[0].name, "ensayo");
}
