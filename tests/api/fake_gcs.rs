//! An in-test Google Cloud Storage XML API, enough for object_store: PUT (with generation
//! preconditions), GET/HEAD, DELETE and list-type=2 listings.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;

#[derive(Clone, Default)]
pub struct FakeGcs {
    pub objects: Arc<Mutex<BTreeMap<String, (Bytes, u64)>>>,
    port: u16,
}

type Store = Arc<Mutex<BTreeMap<String, (Bytes, u64)>>>;

impl FakeGcs {
    pub async fn start() -> Self {
        let objects: Store = Arc::default();
        let router = Router::new()
            .route("/{bucket}", get(list))
            .route("/{bucket}/{*key}", any(object))
            .with_state(objects.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { objects, port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn insert(&self, key: &str, bytes: Vec<u8>) {
        self.objects
            .lock()
            .expect("lock")
            .insert(key.to_string(), (Bytes::from(bytes), 1));
    }

    pub fn get(&self, key: &str) -> Option<Bytes> {
        self.objects
            .lock()
            .expect("lock")
            .get(key)
            .map(|(b, _)| b.clone())
    }

    pub fn keys(&self) -> Vec<String> {
        self.objects.lock().expect("lock").keys().cloned().collect()
    }
}

fn object_headers(len: usize, generation: u64) -> [(&'static str, String); 4] {
    [
        ("content-length", len.to_string()),
        ("etag", format!("\"{generation}\"")),
        ("last-modified", "Mon, 30 Nov 2026 12:00:00 GMT".to_string()),
        ("x-goog-generation", generation.to_string()),
    ]
}

async fn object(
    State(store): State<Store>,
    Path((_bucket, key)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut objects = store.lock().expect("lock");
    match method {
        Method::PUT => {
            let current = objects.get(&key).map(|(_, g)| *g);
            if let Some(wanted) = headers
                .get("x-goog-if-generation-match")
                .and_then(|v| v.to_str().ok())
            {
                let matches = match wanted {
                    "0" => current.is_none(),
                    g => current.map(|c| c.to_string()) == Some(g.to_string()),
                };
                if !matches {
                    return (
                        StatusCode::PRECONDITION_FAILED,
                        "<Error><Code>PreconditionFailed</Code></Error>",
                    )
                        .into_response();
                }
            }
            let generation = current.unwrap_or(0) + 1;
            objects.insert(key, (body, generation));
            let mut h = HeaderMap::new();
            h.insert("etag", format!("\"{generation}\"").parse().expect("header"));
            h.insert(
                "x-goog-generation",
                generation.to_string().parse().expect("header"),
            );
            (StatusCode::OK, h).into_response()
        }
        Method::GET | Method::HEAD => match objects.get(&key) {
            None => (
                StatusCode::NOT_FOUND,
                "<Error><Code>NoSuchKey</Code></Error>",
            )
                .into_response(),
            Some((bytes, generation)) => {
                let mut h = HeaderMap::new();
                for (k, v) in object_headers(bytes.len(), *generation) {
                    h.insert(k, v.parse().expect("header"));
                }
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

async fn list(State(store): State<Store>, Query(q): Query<BTreeMap<String, String>>) -> Response {
    let prefix = q.get("prefix").cloned().unwrap_or_default();
    let delimiter = q.get("delimiter").cloned();
    let objects = store.lock().expect("lock");
    let mut contents = String::new();
    let mut prefixes = std::collections::BTreeSet::new();
    for (key, (bytes, generation)) in objects.iter().filter(|(k, _)| k.starts_with(&prefix)) {
        let rest = &key[prefix.len()..];
        if let Some(d) = &delimiter {
            if let Some(i) = rest.find(d.as_str()) {
                prefixes.insert(format!("{prefix}{}", &rest[..i + d.len()]));
                continue;
            }
        }
        contents.push_str(&format!(
            "<Contents><Key>{}</Key><Size>{}</Size><LastModified>2026-11-30T12:00:00.000Z</LastModified><ETag>\"{generation}\"</ETag></Contents>",
            xml_escape(key),
            bytes.len()
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
    let body =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult>{contents}{common}</ListBucketResult>");
    ([("content-type", "application/xml")], body).into_response()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
