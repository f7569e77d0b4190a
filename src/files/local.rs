//! Local disk under `DATA_DIR`, with atomic writes (temp file + rename) so a reader never sees a
//! half-written report.

use std::path::{Component, Path, PathBuf};

use async_trait::async_trait;
use bytes::Bytes;

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
            Ok(bytes) => Ok(Some((Bytes::from(bytes), None))),
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
        if condition == PutCondition::IfAbsent
            && tokio::fs::try_exists(&path).await.unwrap_or(false)
        {
            return Ok(PutOutcome::Conflict);
        }
        let dir = path.parent().unwrap_or(&self.root);
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| io_err("writing", key, e))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.{:016x}.tmp", rand::random::<u64>()));
        tokio::fs::write(&tmp, &bytes)
            .await
            .map_err(|e| io_err("writing", key, e))?;
        if let Err(e) = tokio::fs::rename(&tmp, &path).await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(io_err("writing", key, e));
        }
        Ok(PutOutcome::Written)
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
}
