//! Files the service reads and writes — template, question banks, reports, processed.csv —
//! under the same relative paths on local disk and in a Google Cloud Storage bucket.

mod csv_log;
mod names;

use std::sync::Arc;

use bytes::Bytes;
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};

pub use names::{sanitize_segment, slug};

use crate::config::{Config, StorageConfig};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("storage is misconfigured: {0}")]
    Config(String),
    #[error("{op} {key} failed: {source}")]
    Backend {
        op: &'static str,
        key: String,
        #[source]
        source: object_store::Error,
    },
    #[error("{key} is not a valid CSV file: {reason}")]
    BadCsv { key: String, reason: String },
}

#[derive(Clone)]
pub struct Storage {
    inner: Arc<dyn ObjectStore>,
    description: String,
    csv_locks: Arc<csv_log::Locks>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

impl Storage {
    pub fn from_config(cfg: &Config) -> Result<Self, StorageError> {
        match &cfg.storage {
            StorageConfig::Local => {
                std::fs::create_dir_all(&cfg.data_dir)
                    .map_err(|e| StorageError::Config(format!("DATA_DIR {}: {e}", cfg.data_dir.display())))?;
                let fs = LocalFileSystem::new_with_prefix(&cfg.data_dir)
                    .map_err(|e| StorageError::Config(format!("DATA_DIR {}: {e}", cfg.data_dir.display())))?;
                let root = std::fs::canonicalize(&cfg.data_dir).unwrap_or_else(|_| cfg.data_dir.clone());
                Ok(Self::new(Arc::new(fs), format!("local disk at {}", root.display())))
            }
            StorageConfig::Gcs {
                bucket,
                credentials_file,
                ..
            } => {
                let mut builder = GoogleCloudStorageBuilder::from_env().with_bucket_name(bucket);
                if let Some(path) = credentials_file {
                    builder = builder.with_service_account_path(path);
                }
                let gcs = builder
                    .build()
                    .map_err(|e| StorageError::Config(format!("GCP_BUCKET_NAME {bucket}: {e}")))?;
                Ok(Self::new(Arc::new(gcs), format!("Google Cloud Storage bucket {bucket}")))
            }
        }
    }

    pub fn new(inner: Arc<dyn ObjectStore>, description: String) -> Self {
        Self {
            inner,
            description,
            csv_locks: Arc::default(),
        }
    }

    pub fn describe(&self) -> &str {
        &self.description
    }

    /// The object's bytes, or None when it does not exist.
    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, StorageError> {
        Ok(self.get_versioned(key).await?.map(|(bytes, _)| bytes))
    }

    pub(crate) async fn get_versioned(&self, key: &str) -> Result<Option<(Bytes, object_store::UpdateVersion)>, StorageError> {
        let err = |source| StorageError::Backend { op: "reading", key: key.into(), source };
        match self.inner.get(&Path::from(key)).await {
            Ok(result) => {
                let version = object_store::UpdateVersion {
                    e_tag: result.meta.e_tag.clone(),
                    version: result.meta.version.clone(),
                };
                Ok(Some((result.bytes().await.map_err(err)?, version)))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(err(e)),
        }
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StorageError> {
        self.inner
            .put(&Path::from(key), PutPayload::from_bytes(bytes))
            .await
            .map_err(|source| StorageError::Backend { op: "writing", key: key.into(), source })?;
        Ok(())
    }

    /// Keys directly under `prefix` (a folder).
    pub async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        let listing = self
            .inner
            .list_with_delimiter(Some(&Path::from(prefix)))
            .await
            .map_err(|source| StorageError::Backend { op: "listing", key: prefix.into(), source })?;
        Ok(listing.objects.into_iter().map(|m| m.location.to_string()).collect())
    }

    pub(crate) fn inner(&self) -> &Arc<dyn ObjectStore> {
        &self.inner
    }
}
