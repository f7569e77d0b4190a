//! Recorded events the operator may act on later (`webhook-service reroute`).

use sqlx::Row;

use super::{Store, StoreError};

impl Store {
    /// Events of one kind, oldest first, as `(id, payload)`.
    pub async fn events_of_kind(&self, kind: &str) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = sqlx::query("SELECT id, payload FROM events WHERE kind = $1 ORDER BY id")
            .bind(kind)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("payload")?)))
            .collect()
    }
}
