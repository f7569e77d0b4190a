//! Reading the profiles file and the routing spreadsheet it names from storage, and the
//! start-up lines saying what was loaded.

use tracing::{error, info};

use std::time::Duration;

use crate::files::{Storage, StorageError};
use crate::report::ChartColors;
use crate::rules::routing::sheet::read_rows;
use crate::rules::ProfileSet;

#[derive(Debug, Clone)]
pub struct ProfilesSettings {
    /// `PROFILES_PATH`: the profiles file in storage.
    pub path: String,
    /// The seed diagnostic's template when there is no profiles file (`TEMPLATE_PATH`).
    pub default_template: String,
    /// `PROFILES_RELOAD_SECONDS`: how often the file is read again (0: only at start-up).
    pub reload_every: Duration,
    /// `CHART_COLOR_*`: the chart a template places with `{{ chart }}`.
    pub chart_colors: ChartColors,
}

impl ProfilesSettings {
    pub fn from_config(cfg: &crate::config::ReportConfig) -> Self {
        Self {
            path: cfg.profiles_path.clone(),
            default_template: cfg.template_path.clone(),
            reload_every: cfg.profiles_reload,
            chart_colors: cfg.chart_colors.clone(),
        }
    }
}

/// Reads the file (and the spreadsheet it names) from storage; None when it does not exist.
pub async fn load_set(storage: &Storage, path: &str) -> Result<Option<ProfileSet>, StorageError> {
    let Some(bytes) = storage.get(path).await? else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let first = ProfileSet::parse(path, &text, None);
    let Some(sheet_path) = first.routing.spreadsheet.clone() else {
        return Ok(Some(first));
    };
    let rows = match storage.get(&sheet_path).await? {
        None => Err(format!("not found in {}", storage.describe())),
        Some(b) => read_rows(&sheet_path, &b).map_err(|e| e.to_string()),
    };
    Ok(Some(ProfileSet::parse(
        path,
        &text,
        Some((&sheet_path, rows)),
    )))
}

pub(super) async fn read_set(
    storage: &Storage,
    settings: &ProfilesSettings,
) -> Result<ProfileSet, StorageError> {
    Ok(match load_set(storage, &settings.path).await? {
        Some(set) => set,
        None => ProfileSet::default_set(&settings.path, &settings.default_template),
    })
}

/// The start-up check: what is served, and everything that is not.
pub(super) fn log_set(set: &ProfileSet, with_problems: bool) {
    let names: Vec<&str> = set.profiles.iter().map(|p| p.name()).collect();
    let (ids, titles, fallback) = set.routes.routes_count();
    info!(
        source = %set.source,
        profiles = %names.join(", "),
        broken = set.broken.len(),
        routed_ids = ids,
        routed_titles = titles,
        fallback,
        "report profiles loaded (details: `webhook-service config check`)"
    );
    if with_problems {
        for problem in set.errors() {
            error!(problem = %problem, "report profile configuration problem");
        }
    }
}
