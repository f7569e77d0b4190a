//! Whether the database can take a write now: a probe that really writes (an UPDATE of a
//! one-row table, committed), its answer kept for a second; and, for SQLite, the identity of
//! the database file, so a file deleted or replaced under the running service is noticed
//! instead of writes going on to an unlinked inode no one will open again.

use std::io::ErrorKind;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{now_ms, Store, StoreError};

/// How long a probe's (or a failed intake write's) answer stands.
const PROBE_TTL: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
pub(super) struct Health {
    /// The SQLite file and its (device, inode) when the service opened it.
    file: Option<(PathBuf, u64, u64)>,
    last: Mutex<Option<(Instant, Result<(), String>)>>,
    /// One probe at a time; the others wait for its answer.
    probing: tokio::sync::Mutex<()>,
}

impl Health {
    pub(super) fn new(sqlite_file: Option<PathBuf>) -> Self {
        let file = sqlite_file.and_then(|path| {
            let meta = std::fs::metadata(&path).ok()?;
            Some((path, meta.dev(), meta.ino()))
        });
        Self {
            file,
            ..Default::default()
        }
    }

    /// Ok while the database file at its path is still the one the service opened.
    pub(super) fn check_file(&self) -> Result<(), StoreError> {
        let Some((path, dev, ino)) = &self.file else {
            return Ok(());
        };
        let what = match std::fs::metadata(path) {
            Ok(meta) if (meta.dev(), meta.ino()) == (*dev, *ino) => return Ok(()),
            Ok(_) => "was deleted or replaced".to_string(),
            Err(e) if e.kind() == ErrorKind::NotFound => "was deleted".to_string(),
            Err(e) => format!("cannot be examined ({e})"),
        };
        Err(StoreError::NotWritable(format!(
            "the database file {} {what} while the service was running; nothing written now \
             would be found again: restart the service",
            path.display()
        )))
    }

    /// A write failed: refuse at once for a while instead of trying again for every request.
    pub(super) fn record_failure(&self, e: &StoreError) {
        *self.last.lock().expect("health lock") = Some((Instant::now(), Err(e.to_string())));
    }

    /// A write committed: the database takes writes now.
    pub(super) fn record_success(&self) {
        *self.last.lock().expect("health lock") = Some((Instant::now(), Ok(())));
    }

    fn fresh(&self) -> Option<Result<(), StoreError>> {
        let last = self.last.lock().expect("health lock");
        let (at, result) = last.as_ref()?;
        (at.elapsed() < PROBE_TTL).then(|| result.clone().map_err(StoreError::NotWritable))
    }
}

impl Store {
    /// Ok only when the database can take a write now (readiness, and intake before it
    /// accepts anything): the file is the one opened at start-up and a write probe committed
    /// within the last second.
    pub async fn check_writable(&self) -> Result<(), StoreError> {
        self.health.check_file()?;
        if let Some(result) = self.health.fresh() {
            return result;
        }
        let _one_probe_at_a_time = self.health.probing.lock().await;
        if let Some(result) = self.health.fresh() {
            return result;
        }
        let result = self.probe_write().await.map_err(|e| e.to_string());
        *self.health.last.lock().expect("health lock") = Some((Instant::now(), result.clone()));
        result.map_err(StoreError::NotWritable)
    }

    async fn probe_write(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE write_probe SET n = n + 1, at = $1 WHERE id = 1")
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
