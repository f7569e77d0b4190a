//! Local disk under `DATA_DIR`, with atomic writes (temp file + rename) so a reader never sees a
//! half-written report. A file's version is the SHA-256 of its contents; a conditional write
//! (processed.csv) compares it under an exclusive lock on a `.<name>.lock` file beside it, so
//! processes sharing the folder never overwrite each other's rows.

use std::path::{Component, Path, PathBuf};

use async_trait::async_trait;
use bytes::Bytes;
use sha2::{Digest, Sha256};

use super::{Backend, PutCondition, PutOutcome, StorageError};

pub struct LocalDisk {
    root: PathBuf,
}

impl LocalDisk {
    pub fn new(root: &Path) -> Result<Self, StorageError> {
        std::fs::create_dir_all(root)
            .map_err(|e| StorageError::Config(format!("DATA_DIR {}: {e}", root.display())))?;
        let root = std::fs::canonicalize(root)
            .map_err(|e| StorageError::Config(format!("DATA_DIR {}: {e}", root.display())))?;
        Ok(Self { root })
    }

    /// Keys are relative paths; anything that could leave the root is refused.
    fn path(&self, key: &str) -> Result<PathBuf, StorageError> {
        let rel = Path::new(key);
        let safe = !key.is_empty() && rel.components().all(|c| matches!(c, Component::Normal(_)));
        if safe {
            Ok(self.root.join(rel))
        } else {
            Err(StorageError::InvalidKey { key: key.into() })
        }
    }
}

fn io_err(op: &'static str, key: &str, e: std::io::Error) -> StorageError {
    StorageError::Backend {
        op,
        key: key.into(),
        reason: e.to_string(),
    }
}

#[async_trait]
impl Backend for LocalDisk {
    async fn get(&self, key: &str) -> Result<Option<(Bytes, Option<String>)>, StorageError> {
        match tokio::fs::read(self.path(key)?).await {
            Ok(bytes) => {
                let version = version_of(&bytes);
                Ok(Some((Bytes::from(bytes), Some(version))))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err("reading", key, e)),
        }
    }

    async fn put(
        &self,
        key: &str,
        bytes: Bytes,
        condition: PutCondition,
    ) -> Result<PutOutcome, StorageError> {
        let path = self.path(key)?;
        let dir = path.parent().unwrap_or(&self.root).to_path_buf();
        tokio::task::spawn_blocking(move || put_file(&dir, &path, &bytes, &condition))
            .await
            .map_err(|e| io_err("writing", key, std::io::Error::other(e)))?
            .map_err(|e| io_err("writing", key, e))
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        let dir = self.path(prefix.trim_end_matches('/'))?;
        let mut entries = match tokio::fs::read_dir(&dir).await {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_err("listing", prefix, e)),
        };
        let mut keys = Vec::new();
        while let Some(entry) = entries
            .next_entry()
            .await
            .map_err(|e| io_err("listing", prefix, e))?
        {
            let is_file = entry.file_type().await.is_ok_and(|t| t.is_file());
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_file && !name.starts_with('.') {
                keys.push(format!("{}/{name}", prefix.trim_end_matches('/')));
            }
        }
        keys.sort();
        Ok(keys)
    }

    fn describe(&self) -> String {
        format!("local disk at {}", self.root.display())
    }
}

fn version_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Blocking: the lock, the comparison and the rename.
fn put_file(
    dir: &Path,
    path: &Path,
    bytes: &[u8],
    condition: &PutCondition,
) -> std::io::Result<PutOutcome> {
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Held until the end of this function (closing the file releases it).
    let _lock = if *condition == PutCondition::Always {
        None
    } else {
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(format!(".{name}.lock")))?;
        lock.lock()?;
        let current = match std::fs::read(path) {
            Ok(b) => Some(version_of(&b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        let holds = match condition {
            PutCondition::IfAbsent => current.is_none(),
            PutCondition::IfVersion(v) => current.as_deref() == Some(v.as_str()),
            PutCondition::Always => true,
        };
        if !holds {
            return Ok(PutOutcome::Conflict);
        }
        Some(lock)
    };
    let tmp = dir.join(format!(".{name}.{:016x}.tmp", rand::random::<u64>()));
    std::fs::write(&tmp, bytes)?;
    if let Err(e) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(PutOutcome::Written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keys_cannot_escape_the_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let disk = LocalDisk::new(dir.path()).unwrap();
        for key in ["../x", "/etc/passwd", "a/../../x", ""] {
            assert!(
                matches!(disk.get(key).await, Err(StorageError::InvalidKey { .. })),
                "{key}"
            );
        }
    }

    #[tokio::test]
    async fn accented_names_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let disk = LocalDisk::new(dir.path()).unwrap();
        let key = "data/responses/questions/Test de diagnóstico M1_questions.csv";
        disk.put(key, Bytes::from_static(b"x"), PutCondition::Always)
            .await
            .unwrap();
        assert_eq!(
            disk.get(key).await.unwrap().unwrap().0,
            Bytes::from_static(b"x")
        );
        assert_eq!(
            disk.list("data/responses/questions").await.unwrap(),
            vec![key.to_string()]
        );
        assert!(matches!(
            disk.put(key, Bytes::new(), PutCondition::IfAbsent)
                .await
                .unwrap(),
            PutOutcome::Conflict
        ));
    }

    #[tokio::test]
    async fn a_write_conditional_on_a_version_someone_replaced_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let disk = LocalDisk::new(dir.path()).unwrap();
        let key = "c/processed.csv";
        let put = |bytes: &'static [u8], c: PutCondition| {
            let disk = &disk;
            async move { disk.put(key, Bytes::from_static(bytes), c).await.unwrap() }
        };
        assert!(matches!(
            put(b"a", PutCondition::IfAbsent).await,
            PutOutcome::Written
        ));
        let v1 = disk.get(key).await.unwrap().unwrap().1.expect("a version");
        assert!(matches!(
            put(b"b", PutCondition::IfVersion(v1.clone())).await,
            PutOutcome::Written
        ));
        assert!(matches!(
            put(b"c", PutCondition::IfVersion(v1)).await,
            PutOutcome::Conflict
        ));
        assert_eq!(
            disk.get(key).await.unwrap().unwrap().0,
            Bytes::from_static(b"b")
        );
        assert!(
            disk.list("c").await.unwrap() == vec![key.to_string()],
            "no lock file listed"
        );
    }
}
