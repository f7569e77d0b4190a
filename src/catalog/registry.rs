//! The profiles in force, reloaded from storage in the background, and the files they use
//! (banks, templates, conversion tables), each cached for a minute so that the operator can
//! replace any of them without a restart.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use docx_template::Template;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use super::banks;
use super::cache::Cache;
pub use super::profiles_file::ProfilesSettings;
use super::profiles_file::{log_set, read_set};
use crate::domain::context::{GroupResult, ReportContext};
use crate::files::{Storage, StorageError};
use crate::report::{chart_groups, fill_template, FillError};
use crate::rules::bank::LoadedBank;
use crate::rules::patterns::{expand, name_safe, Vars};
use crate::rules::profile::Profile;
use crate::rules::set::ProfileSet;
use crate::rules::tables::ConversionTable;
use crate::rules::ProfileError;

pub struct ProfileRegistry {
    storage: Storage,
    settings: ProfilesSettings,
    current: RwLock<Arc<ProfileSet>>,
    banks: Cache<LoadedBank>,
    templates: Cache<Template>,
    tables: Cache<ConversionTable>,
}

fn storage_error(place: &str, e: StorageError) -> ProfileError {
    ProfileError::Storage {
        place: place.to_string(),
        reason: e.to_string(),
    }
}

impl ProfileRegistry {
    /// Reads the profiles (a storage failure here is fatal: the service cannot know what to do).
    pub async fn load(storage: Storage, settings: ProfilesSettings) -> Result<Self, StorageError> {
        let set = read_set(&storage, &settings).await?;
        // Its problems are logged by the start-up `config check` (check::log).
        log_set(&set, false);
        Ok(Self {
            storage,
            settings,
            current: RwLock::new(Arc::new(set)),
            banks: Cache::new(),
            templates: Cache::new(),
            tables: Cache::new(),
        })
    }

    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    pub fn current(&self) -> Arc<ProfileSet> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Reads the file again; on a storage failure the profiles in force stay.
    pub async fn reload(&self) {
        match read_set(&self.storage, &self.settings).await {
            Ok(set) if set.unreadable && !self.current().unreadable => {
                // A half-saved or mistyped file must not stop every report type at once.
                for problem in set.errors() {
                    error!(problem = %problem, "the report profiles file cannot be read; the profiles in force stay");
                }
            }
            Ok(set) => {
                let before = self.current();
                if before.errors() != set.errors() || before.profiles.len() != set.profiles.len() {
                    info!(source = %set.source, "report profiles changed");
                    log_set(&set, true);
                }
                *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(set);
            }
            Err(e) => {
                warn!(error = %e, path = %self.settings.path, "cannot re-read the report profiles; the ones in force stay")
            }
        }
    }

    pub async fn refresh_loop(self: Arc<Self>, stop: CancellationToken) {
        if self.settings.reload_every.is_zero() {
            return;
        }
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(self.settings.reload_every) => self.reload().await,
            }
        }
    }

    pub async fn bank(
        &self,
        profile: &Profile,
        vars: &Vars,
    ) -> Result<Arc<LoadedBank>, ProfileError> {
        let spec = &profile.spec.bank;
        let path = expand(&spec.path, vars, name_safe);
        let key = format!("{path}|{:?}|{:?}", spec.fill_down, spec.pilot_column);
        let title = vars.get("assessment_title").unwrap_or_default().to_string();
        self.banks
            .get_or_load(&key, || banks::load(&self.storage, &path, spec, &title))
            .await
    }

    pub async fn template(&self, path: &str) -> Result<Arc<Template>, ProfileError> {
        self.templates
            .get_or_load(path, || async {
                let bytes = self
                    .storage
                    .get(path)
                    .await
                    .map_err(|e| storage_error(path, e))?
                    .ok_or_else(|| ProfileError::TemplateMissing {
                        path: path.to_string(),
                        storage: self.storage.describe(),
                    })?;
                Template::from_bytes(&bytes).map_err(|source| ProfileError::Template {
                    path: path.to_string(),
                    source: Box::new(source),
                })
            })
            .await
    }

    /// The profile's conversion tables, by conversion name.
    pub async fn tables(
        &self,
        profile: &Profile,
        vars: &Vars,
    ) -> Result<BTreeMap<String, ConversionTable>, ProfileError> {
        let mut out = BTreeMap::new();
        for c in &profile.spec.conversions {
            let table = match &c.file {
                None => ConversionTable::from_rows(
                    &format!("profile {}, conversion {}", profile.name(), c.name),
                    &c.rows,
                )?,
                Some(pattern) => {
                    let path = expand(pattern, vars, name_safe);
                    let loaded = self
                        .tables
                        .get_or_load(&path, || async {
                            match banks::find(&self.storage, &path, banks::BANK_EXTENSIONS)
                                .await
                                .map_err(|e| storage_error(&path, e))?
                            {
                                Ok((key, bytes)) => ConversionTable::parse(&key, &bytes),
                                Err(tried) => Err(ProfileError::TableMissing {
                                    name: c.name.clone(),
                                    tried: tried.join(" and "),
                                }),
                            }
                        })
                        .await?;
                    (*loaded).clone()
                }
            };
            out.insert(c.name.clone(), table);
        }
        Ok(out)
    }

    /// The job's report: the typed context serialised once, here, at the template's edge.
    pub async fn render_report(
        &self,
        profile: &Profile,
        ctx: &ReportContext,
    ) -> Result<Vec<u8>, ProfileError> {
        let value = serde_json::to_value(ctx).map_err(|e| ProfileError::Internal(e.to_string()))?;
        self.render(profile, &value).await
    }

    /// The filled Word document, with the chart of the first grouping at `{{ chart }}`. A
    /// `<<placeholder>>` left unfilled fails the job rather than reach a student.
    pub async fn render(
        &self,
        profile: &Profile,
        ctx: &serde_json::Value,
    ) -> Result<Vec<u8>, ProfileError> {
        let groups = chart_groups(ctx["groups"].as_array().map_or(&[], Vec::as_slice));
        self.fill(profile, ctx.clone(), groups).await
    }

    async fn fill(
        &self,
        profile: &Profile,
        ctx: serde_json::Value,
        chart: Vec<GroupResult>,
    ) -> Result<Vec<u8>, ProfileError> {
        let path = profile.spec.template.clone();
        let template = self.template(&path).await?;
        self.fill_with(profile, path, template, ctx, chart).await
    }

    /// The report filled into `template` instead of the profile's own: a candidate the
    /// operator is trying before it replaces the live one (`path` names it in errors).
    pub async fn render_candidate(
        &self,
        profile: &Profile,
        path: String,
        template: Arc<Template>,
        ctx: &ReportContext,
    ) -> Result<Vec<u8>, ProfileError> {
        let value = serde_json::to_value(ctx).map_err(|e| ProfileError::Internal(e.to_string()))?;
        let groups = chart_groups(value["groups"].as_array().map_or(&[], Vec::as_slice));
        self.fill_with(profile, path, template, value, groups).await
    }

    /// Drops a template from the cache, so that this instance uses a replaced file at once
    /// (the others within the cache's minute).
    pub async fn forget_template(&self, path: &str) {
        self.templates.forget(path).await;
    }

    async fn fill_with(
        &self,
        profile: &Profile,
        path: String,
        template: Arc<Template>,
        ctx: serde_json::Value,
        chart: Vec<GroupResult>,
    ) -> Result<Vec<u8>, ProfileError> {
        let colors = self.settings.chart_colors.clone();
        // Drawing and zipping are CPU work: keep them off the async workers.
        let rendered =
            tokio::task::spawn_blocking(move || fill_template(&template, &ctx, &chart, &colors))
                .await
                .map_err(|e| ProfileError::Internal(format!("render task failed: {e}")))?
                .map_err(|e| match e {
                    FillError::Template(source) => ProfileError::Template {
                        path: path.clone(),
                        source: Box::new(source),
                    },
                    FillError::Chart(e) => ProfileError::Chart(e.to_string()),
                })?;
        if !rendered.unresolved.is_empty() {
            return Err(ProfileError::UnknownPlaceholders {
                path,
                profile: profile.name().to_string(),
                names: rendered.unresolved,
            });
        }
        Ok(rendered.docx)
    }
}
