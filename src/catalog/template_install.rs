//! Making a previewed template live, and rolling back: the file in place is kept first, under
//! `template-versions/<path>/`, so that any change can be undone; each change is recorded in
//! `template_changes` with who made it.

use bytes::Bytes;
use docx_template::Template;

use super::registry::ProfileRegistry;
use super::template_candidates::{candidate, check_candidate, sha256_hex, TemplateChangeError};
use crate::db::{NewTemplateChange, Store};
use crate::domain::job::TemplateChange;
use crate::rules::profile::Profile;

const VERSIONS: &str = "template-versions";

/// The folder of the kept versions of the template at `path`.
fn versions_folder(path: &str) -> String {
    format!("{VERSIONS}/{}", path.trim_start_matches('/'))
}

/// The kept versions of the template at `path`, newest first.
pub async fn versions(
    registry: &ProfileRegistry,
    path: &str,
) -> Result<Vec<String>, TemplateChangeError> {
    let mut keys = registry.storage().list(&versions_folder(path)).await?;
    keys.retain(|k| k.ends_with(".docx"));
    keys.reverse();
    Ok(keys)
}

/// A change to make to the live template at `path`.
pub struct Install<'a> {
    pub action: TemplateChange,
    pub path: &'a str,
    pub actor: &'a str,
    pub detail: String,
}

/// Installs a previewed candidate that had no problems.
pub async fn install_candidate(
    registry: &ProfileRegistry,
    store: &Store,
    profile: &Profile,
    sha256: &str,
    actor: &str,
) -> Result<Option<String>, TemplateChangeError> {
    let bytes = candidate(registry, sha256, "docx").await?;
    // Checked again: a candidate is only a file in storage, whoever put it there.
    let check = check_candidate(registry, profile, &bytes).await?;
    if !check.problems.is_empty() {
        return Err(TemplateChangeError::NotInstallable(
            check.problems.join("; "),
        ));
    }
    let install = Install {
        action: TemplateChange::Replace,
        path: &profile.spec.template,
        actor,
        detail: format!("profile {}", profile.name()),
    };
    install_bytes(registry, store, &install, bytes).await
}

/// Puts a kept version of the template at `path` back in place.
pub async fn roll_back(
    registry: &ProfileRegistry,
    store: &Store,
    path: &str,
    version: &str,
    actor: &str,
) -> Result<Option<String>, TemplateChangeError> {
    let folder = format!("{}/", versions_folder(path));
    let name = version.strip_prefix(&folder).unwrap_or_default();
    if name.is_empty() || name.contains('/') || name.starts_with('.') || !name.ends_with(".docx") {
        return Err(TemplateChangeError::UnknownVersion(version.to_string()));
    }
    let bytes = registry
        .storage()
        .get(version)
        .await?
        .ok_or_else(|| TemplateChangeError::UnknownVersion(version.to_string()))?;
    if let Err(e) = Template::from_bytes(&bytes) {
        return Err(TemplateChangeError::NotInstallable(e.to_string()));
    }
    let install = Install {
        action: TemplateChange::Rollback,
        path,
        actor,
        detail: format!("restored {version}"),
    };
    install_bytes(registry, store, &install, bytes).await
}

/// Keeps the live file, writes the new one, makes this instance use it, records the change.
/// Returns where the replaced version was kept.
async fn install_bytes(
    registry: &ProfileRegistry,
    store: &Store,
    install: &Install<'_>,
    bytes: Bytes,
) -> Result<Option<String>, TemplateChangeError> {
    let storage = registry.storage();
    let previous = match storage.get(install.path).await? {
        Some(live) => {
            let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
            let key = format!(
                "{}/{stamp}-{}.docx",
                versions_folder(install.path),
                &sha256_hex(&live)[..12]
            );
            storage.put(&key, live).await?;
            Some(key)
        }
        None => None,
    };
    let sha = sha256_hex(&bytes);
    storage.put(install.path, bytes).await?;
    registry.forget_template(install.path).await;
    store
        .record_template_change(&NewTemplateChange {
            action: install.action,
            actor: install.actor,
            template_path: install.path,
            installed_sha256: &sha,
            previous_key: previous.as_deref(),
            detail: &install.detail,
        })
        .await?;
    tracing::info!(
        action = install.action.as_str(),
        path = install.path,
        sha256 = %sha,
        previous = previous.as_deref().unwrap_or("none"),
        "live template changed from the dashboard"
    );
    Ok(previous)
}
