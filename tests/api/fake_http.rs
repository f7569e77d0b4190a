//! Local stand-ins for the HTTP services mail and alerts go to: a Slack incoming webhook
//! (`POST {"text": …}`, answered `200 ok`) and SendGrid's v3 `POST /v3/mail/send` (answered
//! with the statuses a test queues, else `202`).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

#[derive(Clone, Default)]
pub struct FakeHttp {
    pub port: u16,
    /// Every request: its Authorization header and JSON body.
    pub requests: Arc<Mutex<Vec<(String, Value)>>>,
    /// Statuses (and error bodies) to answer next, in order.
    pub answers: Arc<Mutex<VecDeque<(u16, Value)>>>,
}

impl FakeHttp {
    pub async fn slack() -> Self {
        Self::start("/services/T000/B000/hook-secret-part", 200).await
    }

    pub async fn sendgrid() -> Self {
        Self::start("/v3/mail/send", 202).await
    }

    async fn start(path: &str, default_status: u16) -> Self {
        let fake = Self::default();
        let state = (fake.clone(), default_status);
        let router = Router::new().route(path, post(record)).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { port, ..fake }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn answer(&self, status: u16, body: Value) {
        self.answers.lock().expect("lock").push_back((status, body));
    }

    pub fn bodies(&self) -> Vec<Value> {
        self.requests
            .lock()
            .expect("lock")
            .iter()
            .map(|(_, b)| b.clone())
            .collect()
    }

    /// The texts of the Slack posts.
    pub fn texts(&self) -> Vec<String> {
        self.bodies()
            .iter()
            .map(|b| b["text"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

async fn record(
    State((fake, default_status)): State<(FakeHttp, u16)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    fake.requests.lock().expect("lock").push((auth, body));
    let (status, body) = fake
        .answers
        .lock()
        .expect("lock")
        .pop_front()
        .unwrap_or((default_status, json!({})));
    (StatusCode::from_u16(status).expect("status"), Json(body))
}
