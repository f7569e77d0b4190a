//! The school's report types, shipped with the service (`config/presets/*.toml`). A profile
//! names one with `preset = "…"` and overrides only what differs.

/// (name, TOML text), in the order `config check` lists them.
pub const PRESETS: &[(&str, &str)] = &[
    (
        "seed_diagnostic",
        include_str!("../../config/presets/seed_diagnostic.toml"),
    ),
    (
        "diagnostico_m1",
        include_str!("../../config/presets/diagnostico_m1.toml"),
    ),
    (
        "diagnostico_cl",
        include_str!("../../config/presets/diagnostico_cl.toml"),
    ),
    (
        "diagnostico_cien",
        include_str!("../../config/presets/diagnostico_cien.toml"),
    ),
    (
        "diagnostico_hyst",
        include_str!("../../config/presets/diagnostico_hyst.toml"),
    ),
    (
        "test_de_eje",
        include_str!("../../config/presets/test_de_eje.toml"),
    ),
    (
        "examen_de_eje",
        include_str!("../../config/presets/examen_de_eje.toml"),
    ),
    (
        "test_de_habilidad",
        include_str!("../../config/presets/test_de_habilidad.toml"),
    ),
    (
        "examen_de_habilidad",
        include_str!("../../config/presets/examen_de_habilidad.toml"),
    ),
    ("ensayo", include_str!("../../config/presets/ensayo.toml")),
];

pub fn get(name: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

pub fn names() -> Vec<&'static str> {
    PRESETS.iter().map(|(n, _)| *n).collect()
}
