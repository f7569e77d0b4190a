//! The live Word templates the operator replaced or rolled back from the dashboard, each
//! change a row with who, when, what was installed and where the replaced version was kept.

use serde::Serialize;
use sqlx::Row;

use super::{now_ms, Store, StoreError};
use crate::domain::job::TemplateChange;

/// One recorded change of a live template.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateChangeRow {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub template_path: String,
    pub installed_sha256: String,
    /// Where the version this change replaced was kept (none: there was no file before).
    pub previous_key: Option<String>,
    pub detail: String,
}

/// A change about to be recorded.
#[derive(Debug, Clone)]
pub struct NewTemplateChange<'a> {
    pub action: TemplateChange,
    pub actor: &'a str,
    pub template_path: &'a str,
    pub installed_sha256: &'a str,
    pub previous_key: Option<&'a str>,
    pub detail: &'a str,
}

impl Store {
    pub async fn record_template_change(
        &self,
        change: &NewTemplateChange<'_>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO template_changes \
             (at, actor, action, template_path, installed_sha256, previous_key, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(now_ms())
        .bind(change.actor)
        .bind(change.action.as_str())
        .bind(change.template_path)
        .bind(change.installed_sha256)
        .bind(change.previous_key)
        .bind(change.detail)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The latest changes, newest first.
    pub async fn template_changes(&self, limit: i64) -> Result<Vec<TemplateChangeRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, actor, action, template_path, installed_sha256, previous_key, \
             COALESCE(detail, '') AS detail FROM template_changes ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TemplateChangeRow {
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    template_path: r.try_get("template_path")?,
                    installed_sha256: r.try_get("installed_sha256")?,
                    previous_key: r.try_get("previous_key")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }
}
