//! A Google Cloud Storage bucket through object_store (XML API). Credentials: the key file in
//! GOOGLE_APPLICATION_CREDENTIALS, else the metadata server (Cloud Run's service account).

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, UpdateVersion};

use super::{Backend, PutCondition, PutOutcome, StorageError};

pub struct GcsBackend {
    inner: Arc<dyn ObjectStore>,
    bucket: String,
}

impl GcsBackend {
    pub fn new(bucket: &str, credentials_file: Option<&str>) -> Result<Self, StorageError> {
        let mut builder = GoogleCloudStorageBuilder::from_env().with_bucket_name(bucket);
        if let Some(path) = credentials_file {
            builder = builder.with_service_account_path(path);
        }
        let inner = builder
            .build()
            .map_err(|e| StorageError::Config(format!("GCP_BUCKET_NAME={bucket}: {e}")))?;
        Ok(Self {
            inner: Arc::new(inner),
            bucket: bucket.into(),
        })
    }
}

/// Keys as they are: `Path::from` would percent-encode every accented letter of "diagnóstico".
fn path(key: &str) -> Result<Path, StorageError> {
    Path::parse(key).map_err(|_| StorageError::InvalidKey { key: key.into() })
}

fn err(op: &'static str, key: &str, e: object_store::Error) -> StorageError {
    StorageError::Backend {
        op,
        key: key.into(),
        reason: e.to_string(),
    }
}

#[async_trait]
impl Backend for GcsBackend {
    async fn get(&self, key: &str) -> Result<Option<(Bytes, Option<String>)>, StorageError> {
        match self.inner.get(&path(key)?).await {
            Ok(result) => {
                let version = result
                    .meta
                    .version
                    .clone()
                    .or_else(|| result.meta.e_tag.clone());
                Ok(Some((
                    result.bytes().await.map_err(|e| err("reading", key, e))?,
                    version,
                )))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(err("reading", key, e)),
        }
    }

    async fn put(
        &self,
        key: &str,
        bytes: Bytes,
        condition: PutCondition,
    ) -> Result<PutOutcome, StorageError> {
        let mode = match condition {
            PutCondition::Always => PutMode::Overwrite,
            PutCondition::IfAbsent => PutMode::Create,
            PutCondition::IfVersion(v) => PutMode::Update(UpdateVersion {
                e_tag: None,
                version: Some(v),
            }),
        };
        match self
            .inner
            .put_opts(
                &path(key)?,
                PutPayload::from_bytes(bytes),
                PutOptions::from(mode),
            )
            .await
        {
            Ok(_) => Ok(PutOutcome::Written),
            Err(
                object_store::Error::Precondition { .. }
                | object_store::Error::AlreadyExists { .. },
            ) => Ok(PutOutcome::Conflict),
            Err(e) => Err(err("writing", key, e)),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        let listing = self
            .inner
            .list_with_delimiter(Some(&path(prefix)?))
            .await
            .map_err(|e| err("listing", prefix, e))?;
        Ok(listing
            .objects
            .into_iter()
            .map(|m| m.location.to_string())
            .collect())
    }

    fn describe(&self) -> String {
        format!("Google Cloud Storage bucket {}", self.bucket)
    }
}
