//! Hostile clients on loopback: slow headers, trickled bodies, too many connections from one
//! address, signature headers stuffed with candidates. Every attack is bounded in connections
//! and time and stops by itself. Attackers connect from 127.0.0.2 (all of 127/8 is loopback
//! on Linux), the honest sender from 127.0.0.1, as two clients would from two addresses.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::task::JoinSet;

use crate::helpers::{automation_body, spawn_app_with, Setup, TestApp, SECRET};

const ATTACKER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);

fn setup() -> Setup {
    Setup {
        vars: vec![
            ("HTTP_HEADER_TIMEOUT_SECONDS", "1".into()),
            ("HTTP_BODY_TIMEOUT_SECONDS", "2".into()),
        ],
        ..Setup::default()
    }
}

async fn connect_from(app: &TestApp, from: Ipv4Addr) -> TcpStream {
    let port: u16 = app.address.rsplit(':').next().unwrap().parse().unwrap();
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::from((from, 0)))
        .expect("bind a loopback address");
    socket
        .connect(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .await
        .expect("connect")
}

/// Headers announcing a large body, then one byte every 100 ms; returns the status line the
/// server answered, or "" if it answered nothing within `patience`.
async fn trickle(mut stream: TcpStream, signature: String, patience: Duration) -> String {
    let head = format!(
        "POST /webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Learnworlds-Webhook-Signature: {signature}\r\nContent-Length: 1000000\r\n\r\n{{"
    );
    stream.write_all(head.as_bytes()).await.expect("headers");
    let deadline = Instant::now() + patience;
    let mut buf = vec![0u8; 4096];
    let mut got = Vec::new();
    while Instant::now() < deadline {
        tokio::select! {
            n = stream.read(&mut buf) => match n {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    got.extend_from_slice(&buf[..n]);
                    if got.windows(4).any(|w| w == b"\r\n\r\n") { break; }
                }
            },
            _ = tokio::time::sleep(Duration::from_millis(100)) => {
                if stream.write_all(b" ").await.is_err() { break; }
            }
        }
    }
    let text = String::from_utf8_lossy(&got);
    text.lines().next().unwrap_or_default().to_string()
}

/// True when the server closed (or answered and closed) the connection within `within`.
async fn closed_within(mut stream: TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

#[tokio::test]
async fn slow_clients_neither_starve_a_signed_webhook_nor_stay_connected() {
    let mut setup = setup();
    // This attack is about slow connections: the attacker's 100 wrong signatures must reach
    // the signature check (the failed-signature limit has its own test, in ops.rs).
    setup
        .vars
        .push(("WEBHOOK_AUTH_FAILURES_PER_MINUTE", "1000".into()));
    let app = spawn_app_with(setup).await;
    let started = Instant::now();
    let mut half_headers = Vec::new();
    for _ in 0..300 {
        let mut s = connect_from(&app, ATTACKER).await;
        s.write_all(b"POST /webhook HTTP/1.1\r\nHost: localhost\r\nContent-Ty")
            .await
            .unwrap();
        half_headers.push(s);
    }
    let mut unsigned = JoinSet::new();
    let mut signed = JoinSet::new();
    for i in 0..200 {
        let s = connect_from(&app, ATTACKER).await;
        if i % 2 == 0 {
            unsigned.spawn(trickle(s, "v1=guess".into(), Duration::from_secs(6)));
        } else {
            signed.spawn(trickle(s, format!("v1={SECRET}"), Duration::from_secs(6)));
        }
    }

    let sent = Instant::now();
    let r = tokio::time::timeout(Duration::from_secs(2), app.post_signed(automation_body()))
        .await
        .expect("a signed webhook is answered within 2 s during the attack");
    assert_eq!(r.status().as_u16(), 202, "{:?}", r.text().await);
    assert!(sent.elapsed() < Duration::from_secs(2));

    // Unauthenticated senders are refused on their headers, without waiting for their body.
    let answers = unsigned.join_all().await;
    assert!(
        answers.iter().all(|a| a.starts_with("HTTP/1.1 401")),
        "{:?}",
        &answers[..3]
    );
    // Authenticated but trickling: cut off by the body timeout (2 s here).
    let answers = signed.join_all().await;
    assert!(
        answers.iter().all(|a| a.starts_with("HTTP/1.1 408")),
        "{:?}",
        &answers[..3]
    );
    // Half-sent headers: closed by the server after the header timeout (1 s here).
    let left = Duration::from_secs(5).saturating_sub(started.elapsed());
    let mut closing = JoinSet::new();
    for s in half_headers {
        closing.spawn(closed_within(s, left.max(Duration::from_secs(1))));
    }
    let closed = closing.join_all().await;
    let open = closed.iter().filter(|c| !**c).count();
    assert_eq!(
        open, 0,
        "{open} of 300 half-sent-header connections still open"
    );
}

#[tokio::test]
async fn a_trickled_body_gets_408_body_timeout() {
    let app = spawn_app_with(setup()).await;
    let mut s = connect_from(&app, ATTACKER).await;
    let head = format!(
        "POST /webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Learnworlds-Webhook-Signature: v1={SECRET}\r\nContent-Length: 100\r\n\r\n{{"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut answer = String::new();
    let read = tokio::time::timeout(Duration::from_secs(5), s.read_to_string(&mut answer)).await;
    assert!(read.is_ok(), "no answer within 5 s: {answer:?}");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let body: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body["error"], "body_timeout");
}

#[tokio::test]
async fn connections_beyond_the_per_address_cap_are_refused_while_others_are_served() {
    let mut setup = setup();
    setup
        .vars
        .push(("HTTP_MAX_CONNECTIONS_PER_IP", "20".into()));
    setup
        .vars
        .push(("HTTP_HEADER_TIMEOUT_SECONDS", "30".into()));
    let app = spawn_app_with(setup).await;
    let mut idle = Vec::new();
    for _ in 0..20 {
        idle.push(connect_from(&app, ATTACKER).await);
    }
    let extra = connect_from(&app, ATTACKER).await;
    assert!(
        closed_within(extra, Duration::from_secs(2)).await,
        "the 21st connection from one address was kept open"
    );
    let r = app.post_signed(automation_body()).await;
    assert_eq!(r.status().as_u16(), 202);
    drop(idle);
}

#[tokio::test]
async fn a_signature_header_with_six_candidates_is_refused_even_when_the_right_one_is_last() {
    let app = spawn_app_with(Setup::default()).await;
    let six = format!("v1=a1,v1=a2,v1=a3,v1=a4,v1=a5,v1={SECRET}");
    let r = app.post_webhook(automation_body(), Some(&six)).await;
    assert_eq!(r.status().as_u16(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "too_many_signatures");
    assert_eq!(app.count("events").await, 0);

    let five = format!("v1=a1,v1=a2,v1=a3,v1=a4,v1={SECRET}");
    let r = app.post_webhook(automation_body(), Some(&five)).await;
    assert_eq!(r.status().as_u16(), 202);
}

#[tokio::test]
async fn hmac_mode_reads_the_body_within_its_limits_then_verifies() {
    let mut setup = setup();
    setup
        .vars
        .push(("WEBHOOK_SIGNATURE_MODE", "hmac-sha256".into()));
    let app = spawn_app_with(setup).await;
    let body = automation_body();
    let mac = webhook_service::http::auth::hmac_hex(SECRET, body.as_bytes());
    let good = format!("v1={}", String::from_utf8(mac).unwrap());
    let r = app.post_webhook(body.clone(), Some("v1=00ff")).await;
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "invalid_signature"
    );
    let r = app.post_webhook(body, Some(&good)).await;
    assert_eq!(r.status().as_u16(), 202, "{:?}", r.text().await);

    // The body is needed before the signature can be checked, so it is under the body timeout.
    let s = connect_from(&app, ATTACKER).await;
    let answer = trickle(s, good, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
}
