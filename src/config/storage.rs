//! Where the service keeps its files: local disk, a GCS bucket or an S3-compatible bucket.

use url::Url;

use super::{ConfigError, Secret, Source};

#[derive(Debug, Clone)]
pub enum StorageConfig {
    /// `STORAGE_BACKEND=local`: files under `DATA_DIR`.
    Local,
    /// `STORAGE_BACKEND=gcp`: a Google Cloud Storage bucket.
    Gcs {
        /// `GCP_BUCKET_NAME` (required).
        bucket: String,
        /// `GCP_PROJECT_ID` (informational: the bucket name identifies the bucket).
        project_id: Option<String>,
        /// `GOOGLE_APPLICATION_CREDENTIALS`: a service-account key file; without it the
        /// metadata server (Cloud Run) provides credentials.
        credentials_file: Option<String>,
    },
    /// `STORAGE_BACKEND=s3`: an S3-compatible bucket (AWS, MinIO, R2, …).
    S3 {
        /// `S3_BUCKET` (required).
        bucket: String,
        /// `S3_REGION` (else `AWS_DEFAULT_REGION`, else us-east-1).
        region: Option<String>,
        /// `S3_ENDPOINT`: the service's URL when it is not AWS.
        endpoint: Option<String>,
        /// `S3_ACCESS_KEY_ID` and `S3_SECRET_ACCESS_KEY`, both or neither: without them the
        /// usual `AWS_*` variables or the instance's role provide credentials.
        access_key_id: Option<String>,
        secret_access_key: Option<Secret>,
    },
}

impl StorageConfig {
    pub(super) fn from_source(src: &Source) -> Result<Self, ConfigError> {
        match src
            .get("STORAGE_BACKEND")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("local") => Ok(Self::Local),
            Some("gcp") | Some("gcs") => Ok(Self::Gcs {
                bucket: src.get("GCP_BUCKET_NAME").ok_or(ConfigError::Missing {
                    var: "GCP_BUCKET_NAME",
                    when: "when STORAGE_BACKEND=gcp",
                })?,
                project_id: src.get("GCP_PROJECT_ID"),
                credentials_file: src.get("GOOGLE_APPLICATION_CREDENTIALS"),
            }),
            Some("s3") => {
                let access_key_id = src.get("S3_ACCESS_KEY_ID");
                let secret_access_key = src.get("S3_SECRET_ACCESS_KEY").map(Secret::new);
                if access_key_id.is_some() != secret_access_key.is_some() {
                    return Err(ConfigError::Invalid {
                        var: if access_key_id.is_some() {
                            "S3_SECRET_ACCESS_KEY"
                        } else {
                            "S3_ACCESS_KEY_ID"
                        },
                        reason: "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together".into(),
                    });
                }
                let endpoint = src.get("S3_ENDPOINT");
                if let Some(e) = &endpoint {
                    Url::parse(e).map_err(|err| ConfigError::Invalid {
                        var: "S3_ENDPOINT",
                        reason: format!("'{e}' is not a URL: {err}"),
                    })?;
                }
                Ok(Self::S3 {
                    bucket: src.get("S3_BUCKET").ok_or(ConfigError::Missing {
                        var: "S3_BUCKET",
                        when: "when STORAGE_BACKEND=s3",
                    })?,
                    region: src.get("S3_REGION"),
                    endpoint,
                    access_key_id,
                    secret_access_key,
                })
            }
            Some(other) => Err(ConfigError::Invalid {
                var: "STORAGE_BACKEND",
                reason: format!("'{other}' is not one of local, gcp, s3"),
            }),
        }
    }
}
