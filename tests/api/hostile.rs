//! Hostile clients on loopback: trickled bodies, signature headers stuffed with candidates. Every attack is bounded in connections
//! and time and stops by itself. Attackers connect from 127.0.0.2 (all of 127/8 is loopback
//! on Linux), the honest sender from 127.0.0.1, as two clients would from two addresses.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

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
