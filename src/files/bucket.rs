//! A bucket through object_store: Google Cloud Storage (XML API) or any S3-compatible store.
//! `processed.csv` is appended with conditional writes: GCS matches the object's generation
//! (`x-goog-if-generation-match`), S3 its ETag (`If-Match`); a new object is written only if
//! absent (`If-None-Match: *` on S3, generation 0 on GCS). A lost race is a 412, retried.
//!
//! GCS credentials: the key file in GOOGLE_APPLICATION_CREDENTIALS, else the metadata server
//! (Cloud Run's service account). S3: S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY, else the usual
//! AWS_* variables or the instance's role.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use object_store::aws::{AmazonS3Builder, S3ConditionalPut};
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, UpdateVersion};

use super::{Backend, PutCondition, PutOutcome, StorageError};

pub struct BucketBackend {
    inner: Arc<dyn ObjectStore>,
    describe: String,
    /// What a conditional write matches.
    versions: Versions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Versions {
    /// GCS: the generation number.
    Generation,
    /// S3: the ETag (its version ids exist only on versioned buckets).
    ETag,
}

/// A Google Cloud Storage bucket (`STORAGE_BACKEND=gcp`).
pub struct GcsBackend;

impl GcsBackend {
    pub fn connect(
        bucket: &str,
        credentials_file: Option<&str>,
    ) -> Result<BucketBackend, StorageError> {
        let mut builder = GoogleCloudStorageBuilder::from_env().with_bucket_name(bucket);
        if let Some(path) = credentials_file {
            builder = builder.with_service_account_path(path);
        }
        let inner = builder
            .build()
            .map_err(|e| StorageError::Config(format!("GCP_BUCKET_NAME={bucket}: {e}")))?;
        Ok(BucketBackend {
            inner: Arc::new(inner),
            describe: format!("Google Cloud Storage bucket {bucket}"),
            versions: Versions::Generation,
        })
    }
}

/// Where and how to reach an S3-compatible bucket (`STORAGE_BACKEND=s3`).
#[derive(Debug, Clone, Default)]
pub struct S3Settings<'a> {
    pub bucket: &'a str,
    pub region: Option<&'a str>,
    /// Another S3-compatible service (MinIO, R2, …); None: AWS.
    pub endpoint: Option<&'a str>,
    pub access_key_id: Option<&'a str>,
    pub secret_access_key: Option<&'a str>,
}

/// An S3-compatible bucket (`STORAGE_BACKEND=s3`).
pub struct S3Backend;

impl S3Backend {
    pub fn connect(s: &S3Settings<'_>) -> Result<BucketBackend, StorageError> {
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(s.bucket)
            .with_conditional_put(S3ConditionalPut::ETagMatch);
        if let Some(region) = s.region {
            builder = builder.with_region(region);
        }
        if let Some(endpoint) = s.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        if let (Some(id), Some(secret)) = (s.access_key_id, s.secret_access_key) {
            builder = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret);
        }
        let inner = builder
            .build()
            .map_err(|e| StorageError::Config(format!("S3_BUCKET={}: {e}", s.bucket)))?;
        let at = s.endpoint.map(|e| format!(" at {e}")).unwrap_or_default();
        Ok(BucketBackend {
            inner: Arc::new(inner),
            describe: format!("S3 bucket {}{at}", s.bucket),
            versions: Versions::ETag,
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
impl Backend for BucketBackend {
    async fn get(&self, key: &str) -> Result<Option<(Bytes, Option<String>)>, StorageError> {
        match self.inner.get(&path(key)?).await {
            Ok(result) => {
                let version = match self.versions {
                    Versions::Generation => result.meta.version.clone(),
                    Versions::ETag => None,
                }
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
            PutCondition::IfVersion(v) => PutMode::Update(match self.versions {
                Versions::Generation => UpdateVersion {
                    e_tag: None,
                    version: Some(v),
                },
                Versions::ETag => UpdateVersion {
                    e_tag: Some(v),
                    version: None,
                },
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
        self.describe.clone()
    }
}
