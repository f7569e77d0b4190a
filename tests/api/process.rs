//! The service binary as a process of its own (`webhook-service serve`), for the tests that
//! kill it (faults.rs) or run two of it on one database (instances.rs). It shares the
//! database, data directory, fake LearnWorlds and SMTP sink of an in-process [`TestApp`] whose
//! own workers are off, so the test can post webhooks to it and read the results from it.

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::fake_learnworlds::TOKEN;
use crate::helpers::{TestApp, SECRET};

/// A lease short enough for a test to wait out, and the timeouts it must cover (the service
/// refuses a lease shorter than a stage's longest wait).
pub const LEASE_SECONDS: u64 = 20;

pub struct Service {
    child: Child,
    pub port: u16,
    lines: Arc<Mutex<Vec<String>>>,
}

/// The variables of a service process working for `app`, plus `extra` (which win).
pub fn service_vars(
    app: &TestApp,
    extra: &[(&'static str, String)],
) -> Vec<(&'static str, String)> {
    let mut vars = vec![
        ("DATA_DIR", app.data_dir.path().display().to_string()),
        ("DATABASE_URL", app.database.url.clone()),
        ("WEBHOOK_SECRET", SECRET.to_string()),
        ("PORT", "0".into()),
        ("HOST", "127.0.0.1".into()),
        ("LOG_FORMAT", "json".into()),
        ("LEARNWORLDS_API_URL", app.lw.base_url()),
        ("CLIENT_ID", "test-client".into()),
        ("ACCESS_TOKEN", TOKEN.into()),
        ("SMTP_SERVER", "127.0.0.1".into()),
        ("SMTP_PORT", app.smtp.port().to_string()),
        ("SMTP_SECURITY", "none".into()),
        (
            "EMAIL_FROM",
            "Informes <informes@academia.example.com>".into(),
        ),
        ("WORKERS", "1".into()),
        ("RECONCILE_INTERVAL", "off".into()),
        ("CONVERTER_INSTANCES", "1".into()),
        ("JOB_LEASE_SECONDS", LEASE_SECONDS.to_string()),
        ("CONVERT_TIMEOUT_SECONDS", (LEASE_SECONDS / 2).to_string()),
        ("HTTP_TIMEOUT_SECONDS", "5".into()),
        ("SMTP_TIMEOUT_SECONDS", "5".into()),
        ("QUEUE_POLL_SECONDS", "0.2".into()),
        ("RETRY_BASE_SECONDS", "1".into()),
        ("LW_VISIBILITY_DELAY_SECONDS", "0.05".into()),
        ("SHUTDOWN_GRACE_SECONDS", "0.5".into()),
    ];
    for (k, v) in extra {
        vars.retain(|(have, _)| have != k);
        vars.push((k, v.clone()));
    }
    vars
}

impl Service {
    /// Starts `webhook-service serve` and waits for its start-up line (LibreOffice warm).
    pub async fn start(vars: &[(&'static str, String)]) -> Self {
        let dir = vars
            .iter()
            .find(|(k, _)| *k == "DATA_DIR")
            .map(|(_, v)| v.clone())
            .expect("DATA_DIR");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_webhook-service"));
        // A clean environment: no FAILPOINT or .env of the developer leaks in.
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", &dir)
            .current_dir(&dir)
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("the service starts");
        let stderr = child.stderr.take().expect("stderr");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (port_tx, port_rx) = mpsc::channel();
        let keep = lines.clone();
        let echo = std::env::var_os("TEST_LOG").is_some();
        // Read to the end, always: a full pipe would block the service.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if echo {
                    eprintln!("[service] {line}");
                }
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    if v["message"] == "webhook-service started" {
                        let _ = port_tx.send(v["port"].as_u64().unwrap_or_default() as u16);
                    }
                }
                keep.lock().expect("lock").push(line);
            }
        });
        let port =
            tokio::task::spawn_blocking(move || port_rx.recv_timeout(Duration::from_secs(120)))
                .await
                .expect("join")
                .unwrap_or_else(|_| panic!("the service did not start: {:?}", lines_of(&lines)));
        Self { child, port, lines }
    }

    pub fn address(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Posts a signed webhook; the status code.
    pub async fn post(&self, http: &reqwest::Client, body: String) -> u16 {
        http.post(format!("{}/webhook", self.address()))
            .header("Content-Type", "application/json")
            .header("Learnworlds-Webhook-Signature", format!("v1={SECRET}"))
            .body(body)
            .send()
            .await
            .expect("request sent")
            .status()
            .as_u16()
    }

    pub fn sigkill(&mut self) {
        let _ = self.child.kill();
    }

    /// Waits for the process to end by itself; fails after `within`.
    pub async fn exited_within(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the service is still running: {:?}",
                self.lines()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn lines(&self) -> Vec<String> {
        lines_of(&self.lines)
    }
}

/// Killed by SIGKILL: no handler ran, nothing was flushed.
pub fn assert_sigkilled(status: ExitStatus, lines: &[String]) {
    assert_eq!(
        status.signal(),
        Some(libc::SIGKILL),
        "{status:?}: {lines:?}"
    );
}

fn lines_of(lines: &Mutex<Vec<String>>) -> Vec<String> {
    lines.lock().expect("lock").clone()
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
