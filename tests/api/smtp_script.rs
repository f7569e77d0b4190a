//! A mail server whose answers a test writes: the reply to RCPT and to the end of the message
//! (or silence), so that real replies of Gmail and others reach the service over a real SMTP
//! session. It counts connections and keeps the messages it answered `250` to.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Clone)]
pub struct Script {
    /// Sent after accepting the connection; None: the server accepts and never says a word.
    pub greeting: Option<String>,
    /// The reply to each RCPT TO.
    pub rcpt: String,
    /// The reply to the message's final dot; None: silence after the message.
    pub end_of_data: Option<String>,
}

impl Default for Script {
    fn default() -> Self {
        Self {
            greeting: Some("220 scripted ESMTP".into()),
            rcpt: "250 2.1.5 OK".into(),
            end_of_data: Some("250 2.0.0 OK queued".into()),
        }
    }
}

#[derive(Clone)]
pub struct ScriptedSmtp {
    pub port: u16,
    pub script: Arc<Mutex<Script>>,
    pub connections: Arc<AtomicUsize>,
    /// Messages answered with a 2xx.
    pub accepted: Arc<Mutex<Vec<String>>>,
    /// Messages that reached their final dot, whatever the answer.
    pub delivered_data: Arc<AtomicUsize>,
}

impl ScriptedSmtp {
    pub async fn start(script: Script) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let server = Self {
            port: listener.local_addr().expect("addr").port(),
            script: Arc::new(Mutex::new(script)),
            connections: Arc::default(),
            accepted: Arc::default(),
            delivered_data: Arc::default(),
        };
        let me = server.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                me.connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(me.clone().session(socket));
            }
        });
        server
    }

    pub fn set(&self, change: impl FnOnce(&mut Script)) {
        change(&mut self.script.lock().expect("lock"));
    }

    fn script(&self) -> Script {
        self.script.lock().expect("lock").clone()
    }

    async fn session(self, socket: tokio::net::TcpStream) {
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        let Some(greeting) = self.script().greeting else {
            // Hold the connection open and say nothing until the client gives up.
            while let Ok(Some(_)) = lines.next_line().await {}
            return;
        };
        if !say(&mut write, &greeting).await {
            return;
        }
        let mut message = String::new();
        let mut in_data = false;
        while let Ok(Some(line)) = lines.next_line().await {
            if in_data {
                if line != "." {
                    message.push_str(&line);
                    message.push('\n');
                    continue;
                }
                in_data = false;
                self.delivered_data.fetch_add(1, Ordering::SeqCst);
                let Some(reply) = self.script().end_of_data else {
                    while let Ok(Some(_)) = lines.next_line().await {}
                    return;
                };
                if reply.starts_with('2') {
                    self.accepted
                        .lock()
                        .expect("lock")
                        .push(std::mem::take(&mut message));
                }
                message.clear();
                if !say(&mut write, &reply).await {
                    return;
                }
                continue;
            }
            let verb = line
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            let reply = match verb.as_str() {
                "EHLO" | "HELO" => "250 scripted".to_string(),
                "RCPT" => self.script().rcpt,
                "DATA" => {
                    in_data = true;
                    "354 go ahead".to_string()
                }
                "QUIT" => {
                    say(&mut write, "221 bye").await;
                    return;
                }
                _ => "250 OK".to_string(),
            };
            if !say(&mut write, &reply).await {
                return;
            }
        }
    }
}

async fn say(w: &mut tokio::net::tcp::OwnedWriteHalf, text: &str) -> bool {
    w.write_all(format!("{text}\r\n").as_bytes()).await.is_ok()
}
