//! Files the service reads and writes — template, question banks, reports, processed.csv —
//! under the same relative paths on local disk, in a Google Cloud Storage bucket or in an
//! S3-compatible bucket.

mod bucket;
mod csv_log;
mod local;

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;

pub use crate::domain::names::{sanitize_segment, slug};
pub use bucket::{BucketBackend, GcsBackend, S3Backend, S3Settings};
pub use local::LocalDisk;

use crate::config::{Config, StorageConfig};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("storage is misconfigured: {0}")]
    Config(String),
    #[error("{op} {key} failed: {reason}")]
    Backend {
        op: &'static str,
        key: String,
        reason: String,
    },
    #[error("{key} is not a valid object name")]
    InvalidKey { key: String },
    #[error("{key} is not a valid CSV file: {reason}")]
    BadCsv { key: String, reason: String },
}

/// Only write if the object is as we last read it (None: only if it does not exist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutCondition {
    Always,
    IfAbsent,
    IfVersion(String),
}

#[derive(Debug)]
pub enum PutOutcome {
    Written,
    /// The object changed since it was read (another instance wrote it).
    Conflict,
}

/// What differs between local disk and a bucket.
#[async_trait]
pub trait Backend: Send + Sync {
    /// The object's bytes and version, or None when it does not exist.
    async fn get(&self, key: &str) -> Result<Option<(Bytes, Option<String>)>, StorageError>;
    async fn put(
        &self,
        key: &str,
        bytes: Bytes,
        condition: PutCondition,
    ) -> Result<PutOutcome, StorageError>;
    /// Keys of the objects directly in the folder `prefix`.
    async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError>;
    fn describe(&self) -> String;
}

#[derive(Clone)]
pub struct Storage {
    backend: Arc<dyn Backend>,
    csv_locks: Arc<csv_log::Locks>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.backend.describe())
    }
}

impl Storage {
    pub fn from_config(cfg: &Config) -> Result<Self, StorageError> {
        Ok(match &cfg.storage {
            StorageConfig::Local => Self::new(LocalDisk::new(&cfg.data_dir)?),
            StorageConfig::Gcs {
                bucket,
                credentials_file,
                ..
            } => Self::new(GcsBackend::connect(bucket, credentials_file.as_deref())?),
            StorageConfig::S3 {
                bucket,
                region,
                endpoint,
                access_key_id,
                secret_access_key,
            } => Self::new(S3Backend::connect(&S3Settings {
                bucket,
                region: region.as_deref(),
                endpoint: endpoint.as_deref(),
                access_key_id: access_key_id.as_deref(),
                secret_access_key: secret_access_key.as_ref().map(|s| s.expose()),
            })?),
        })
    }

    pub fn new(backend: impl Backend + 'static) -> Self {
        Self {
            backend: Arc::new(backend),
            csv_locks: Arc::default(),
        }
    }

    pub fn describe(&self) -> String {
        self.backend.describe()
    }

    /// The object's bytes, or None when it does not exist.
    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, StorageError> {
        Ok(self.backend.get(key).await?.map(|(bytes, _)| bytes))
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StorageError> {
        self.backend.put(key, bytes, PutCondition::Always).await?;
        Ok(())
    }

    pub async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        self.backend.list(prefix).await
    }
}
