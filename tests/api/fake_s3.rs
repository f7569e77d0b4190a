//! An in-test S3 API (path-style, as S3-compatible services serve it), enough for
//! object_store: PUT with `If-Match` / `If-None-Match: *` (412 when they do not hold), GET and
//! HEAD with ETags, DELETE, and ListObjectsV2 listings. Every request must be signed
//! (`AWS4-HMAC-SHA256`) with the test's access key id.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;

pub const ACCESS_KEY_ID: &str = "AKIATESTSCHOOL000001";
pub const SECRET_ACCESS_KEY: &str = "test-secret-access-key-0000000000000000";

#[derive(Default)]
struct Bucket {
    /// Key → (bytes, generation); the ETag is derived from the generation.
    objects: Mutex<BTreeMap<String, (Bytes, u64)>>,
    /// Conditional writes refused with 412.
    refused: AtomicUsize,
}

#[derive(Clone)]
pub struct FakeS3 {
    bucket: Arc<Bucket>,
    port: u16,
}

fn etag(generation: u64) -> String {
    format!("\"{generation:032x}\"")
}

impl FakeS3 {
    pub async fn start() -> Self {
        let bucket: Arc<Bucket> = Arc::default();
        let router = Router::new()
            .route("/{bucket}", get(list))
            .route("/{bucket}/{*key}", any(object))
            .with_state(bucket.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { bucket, port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn insert(&self, key: &str, bytes: Vec<u8>) {
        self.bucket
            .objects
            .lock()
            .expect("lock")
            .insert(key.to_string(), (Bytes::from(bytes), 1));
    }

    pub fn get(&self, key: &str) -> Option<Bytes> {
        let objects = self.bucket.objects.lock().expect("lock");
        objects.get(key).map(|(b, _)| b.clone())
    }

    pub fn keys(&self) -> Vec<String> {
        let objects = self.bucket.objects.lock().expect("lock");
        objects.keys().cloned().collect()
    }

    /// Conditional writes answered 412 so far.
    pub fn refused(&self) -> usize {
        self.bucket.refused.load(Ordering::SeqCst)
    }
}

fn signed(headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.starts_with("AWS4-HMAC-SHA256 ")
                && v.contains(&format!("Credential={ACCESS_KEY_ID}/"))
        })
}

fn s3_error(status: StatusCode, code: &str) -> Response {
    (
        status,
        [("content-type", "application/xml")],
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code></Error>"),
    )
        .into_response()
}

async fn object(
    State(bucket): State<Arc<Bucket>>,
    Path((_bucket, key)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !signed(&headers) {
        return s3_error(StatusCode::FORBIDDEN, "AccessDenied");
    }
    let mut objects = bucket.objects.lock().expect("lock");
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match method {
        Method::PUT => {
            let current = objects.get(&key).map(|(_, g)| *g);
            let if_match =
                header("if-match").map(|want| current.map(etag).as_deref() == Some(want));
            let if_none_match =
                header("if-none-match").map(|want| want == "*" && current.is_none());
            if if_match == Some(false) || if_none_match == Some(false) {
                bucket.refused.fetch_add(1, Ordering::SeqCst);
                return s3_error(StatusCode::PRECONDITION_FAILED, "PreconditionFailed");
            }
            let generation = current.unwrap_or(0) + 1;
            objects.insert(key, (body, generation));
            (StatusCode::OK, [("etag", etag(generation))]).into_response()
        }
        Method::GET | Method::HEAD => match objects.get(&key) {
            None => s3_error(StatusCode::NOT_FOUND, "NoSuchKey"),
            Some((bytes, generation)) => {
                let h = [
                    ("content-length", bytes.len().to_string()),
                    ("etag", etag(*generation)),
                    ("last-modified", "Mon, 30 Nov 2026 12:00:00 GMT".to_string()),
                ];
                if method == Method::HEAD {
                    (StatusCode::OK, h).into_response()
                } else {
                    (StatusCode::OK, h, bytes.clone()).into_response()
                }
            }
        },
        Method::DELETE => {
            objects.remove(&key);
            StatusCode::NO_CONTENT.into_response()
        }
        _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    }
}

async fn list(
    State(bucket): State<Arc<Bucket>>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    if !signed(&headers) {
        return s3_error(StatusCode::FORBIDDEN, "AccessDenied");
    }
    let prefix = q.get("prefix").cloned().unwrap_or_default();
    let delimiter = q.get("delimiter").cloned();
    let objects = bucket.objects.lock().expect("lock");
    let mut contents = String::new();
    let mut prefixes = std::collections::BTreeSet::new();
    for (key, (bytes, generation)) in objects.iter().filter(|(k, _)| k.starts_with(&prefix)) {
        let rest = &key[prefix.len()..];
        if let Some(i) = delimiter
            .as_deref()
            .and_then(|d| rest.find(d).map(|i| i + d.len()))
        {
            prefixes.insert(format!("{prefix}{}", &rest[..i]));
            continue;
        }
        contents.push_str(&format!(
            "<Contents><Key>{}</Key><Size>{}</Size><LastModified>2026-11-30T12:00:00.000Z</LastModified><ETag>{}</ETag></Contents>",
            xml_escape(key),
            bytes.len(),
            xml_escape(&etag(*generation))
        ));
    }
    let common: String = prefixes
        .iter()
        .map(|p| {
            format!(
                "<CommonPrefixes><Prefix>{}</Prefix></CommonPrefixes>",
                xml_escape(p)
            )
        })
        .collect();
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult><IsTruncated>false</IsTruncated>{contents}{common}</ListBucketResult>"
    );
    ([("content-type", "application/xml")], body).into_response()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
