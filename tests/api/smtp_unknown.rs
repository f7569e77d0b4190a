//! A mail server that stores the message and drops the connection before its final `250`: the
//! outcome is unknown. The report is resent once with the same Message-ID, then the job waits
//! for the operator with a code that says why — never six blind copies.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use webhook_service::jobs::Outcome;

use crate::helpers::{automation_body, spawn_app_with, Setup};

/// Speaks just enough SMTP to take a message, keeps it, and hangs up instead of confirming.
async fn forgetful_server() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let stored = Arc::new(Mutex::new(Vec::new()));
    let keep = stored.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let keep = keep.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 forgetful ESMTP\r\n").await.ok();
                let mut message = String::new();
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            keep.lock().unwrap().push(message.clone());
                            return; // stored, then the connection drops: no final 250
                        }
                        message.push_str(&line);
                        message.push('\n');
                        continue;
                    }
                    let verb = line.split_whitespace().next().unwrap_or("").to_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 forgetful\r\n",
                        "DATA" => {
                            in_data = true;
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => b"221 bye\r\n",
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.ok();
                }
            });
        }
    });
    (port, stored)
}

fn message_id(raw: &str) -> String {
    raw.lines()
        .find_map(|l| l.strip_prefix("Message-ID: "))
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn an_unconfirmed_email_is_resent_once_with_the_same_message_id_then_waits_for_the_operator()
{
    let (port, stored) = forgetful_server().await;
    let app = spawn_app_with(Setup {
        vars: vec![("SMTP_PORT", port.to_string())],
        ..Default::default()
    })
    .await;
    assert_eq!(app.post_signed(automation_body()).await.status(), 202);
    assert_eq!(app.process_one().await, Some(Outcome::Retrying));
    let status = app.ctx.store.status(5).await.unwrap();
    assert_eq!(
        status.problems[0].error_code.as_deref(),
        Some("smtp_outcome_unknown")
    );
    app.retry_now().await;
    assert_eq!(app.process_one().await, Some(Outcome::Retrying));
    app.retry_now().await;
    assert_eq!(app.process_one().await, Some(Outcome::Dead));

    let copies = stored.lock().unwrap().clone();
    assert_eq!(copies.len(), 2, "one resend, no more");
    assert_eq!(message_id(&copies[0]), message_id(&copies[1]));
    assert!(!message_id(&copies[0]).is_empty());
    let status = app.ctx.store.status(5).await.unwrap();
    assert_eq!(
        status.problems[0].error_code.as_deref(),
        Some("email_outcome_unknown")
    );
    assert!(status.problems[0]
        .error
        .as_deref()
        .unwrap_or_default()
        .contains("may have received it"));
}
