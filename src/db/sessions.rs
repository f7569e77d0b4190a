//! The dashboard's login sessions (`admin_sessions`): kept in the database so every instance
//! knows them; only a hash of the cookie's value is stored.

use super::{now_ms, Store, StoreError};

impl Store {
    /// Records a session until `expires_at` (ms); expired ones are dropped meanwhile.
    pub async fn create_session(
        &self,
        token_hash: &str,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        sqlx::query("DELETE FROM admin_sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO admin_sessions (token_hash, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(csrf_token)
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The CSRF token of a live session, if the hash names one.
    pub async fn session_csrf(&self, token_hash: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT csrf_token FROM admin_sessions WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM admin_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
