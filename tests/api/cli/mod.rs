//! The `webhook-service` binary itself: start-up errors, JSON logs, SIGTERM, and the operator's
//! commands. Each run gets a clean environment and a temporary working folder, so no `.env` of
//! the developer leaks in.

mod logs;
mod operator;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use webhook_service::db::Store;

use crate::database::TestDatabase;
use crate::fake_learnworlds::{FakeLearnWorlds, TOKEN};
use crate::helpers::{
    automation_body, copy_dir, repo_root, spawn_app, spawn_app_with, Setup, TestApp, SECRET,
};
use webhook_service::jobs::Outcome;

fn command(dir: &Path, vars: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_webhook-service"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .current_dir(dir);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd
}

pub fn run(dir: &Path, vars: &[(&str, String)], args: &[&str]) -> Output {
    command(dir, vars).args(args).output().expect("binary runs")
}

pub fn base_vars(dir: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("DATA_DIR", dir.display().to_string()),
        ("WEBHOOK_SECRET", SECRET.to_string()),
        ("PORT", "0".to_string()),
        ("HOST", "127.0.0.1".to_string()),
    ]
}

#[test]
fn a_missing_secret_stops_start_up_with_a_message_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &[("DATA_DIR", dir.path().display().to_string())],
        &["serve"],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("WEBHOOK_SECRET") && stderr.contains("ALLOW_UNSIGNED_WEBHOOKS"),
        "{stderr}"
    );

    // The tools run without a webhook secret; a bad setting still stops them.
    let mut vars = vec![("DATA_DIR", dir.path().display().to_string())];
    vars.push(("SMTP_PORT", "not-a-port".into()));
    vars.push(("SMTP_SERVER", "smtp.example.com".into()));
    vars.push(("EMAIL_FROM", "a@example.com".into()));
    let stderr = String::from_utf8_lossy(&run(dir.path(), &vars, &["status"]).stderr).into_owned();
    assert!(
        stderr.contains("SMTP_PORT") && stderr.contains("not-a-port"),
        "{stderr}"
    );
}

/// Reads stderr lines until one satisfies `want`, or fails after a deadline.
fn wait_for_line(reader: &mut impl BufRead, want: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut line = String::new();
    while Instant::now() < deadline {
        line.clear();
        if reader.read_line(&mut line).expect("read stderr") == 0 {
            panic!("the service exited before logging the expected line");
        }
        let v: Value = serde_json::from_str(line.trim())
            .unwrap_or_else(|_| panic!("not a JSON log line: {line}"));
        if want(&v) {
            return v;
        }
    }
    panic!("no matching log line within 60 s");
}

fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn sigterm_returns_an_unfinished_job_to_the_queue_and_logs_json_for_cloud_logging() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &repo_root().join("templates"),
        &dir.path().join("templates"),
    );
    let lw = FakeLearnWorlds::start().await;
    // The API answers slowly, so the job is still running when SIGTERM arrives.
    lw.state
        .delay_ms
        .store(20_000, std::sync::atomic::Ordering::SeqCst);
    let database = TestDatabase::create(dir.path()).await;
    let mut vars = base_vars(dir.path());
    vars.extend([
        ("DATABASE_URL", database.url.clone()),
        ("LOG_FORMAT", "json".into()),
        ("WORKERS", "1".into()),
        ("CONVERTER", "spawn".into()),
        ("SHUTDOWN_GRACE_SECONDS", "0.5".into()),
        ("LEARNWORLDS_API_URL", lw.base_url()),
        ("CLIENT_ID", "test-client".into()),
        ("ACCESS_TOKEN", TOKEN.into()),
    ]);
    let mut child = command(dir.path(), &vars)
        .arg("serve")
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let started = wait_for_line(&mut stderr, |v| v["message"] == "webhook-service started");
    assert_eq!(started["severity"], "INFO");
    let port = started["port"].as_u64().expect("port logged");

    let r = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/webhook"))
        .header("Learnworlds-Webhook-Signature", format!("v1={SECRET}"))
        .body(automation_body())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202);
    let deadline = Instant::now() + Duration::from_secs(30);
    while lw.requests() == 0 {
        assert!(Instant::now() < deadline, "the worker never called the API");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    sigterm(&child);
    let returned = wait_for_line(&mut stderr, |v| {
        v["message"]
            .as_str()
            .is_some_and(|m| m.contains("returned to the queue"))
    });
    assert_eq!(returned["severity"], "WARNING");
    wait_for_line(&mut stderr, |v| v["message"] == "stopped");
    assert!(child.wait().unwrap().success());

    let store = Store::connect(&database.url).await.unwrap();
    let status = store.status(5).await.unwrap();
    store.close().await;
    assert_eq!(status.jobs["queued"], 1, "{status:?}");
    assert_eq!(status.jobs["running"], 0);
    assert_eq!(status.emails_sent, 0);
}

/// The variables an operator's command needs to reach `app`'s database, storage and mail.
fn app_vars(app: &TestApp) -> Vec<(&'static str, String)> {
    let dir = app.data_dir.path();
    let mut vars = base_vars(dir);
    vars.extend([
        ("PORT", app.address.rsplit(':').next().unwrap().to_string()),
        ("DATABASE_URL", app.database.url.clone()),
        ("SMTP_SERVER", "127.0.0.1".into()),
        ("SMTP_PORT", app.smtp.port().to_string()),
        ("SMTP_SECURITY", "none".into()),
        ("EMAIL_FROM", "informes@academia.example.com".into()),
        ("LEARNWORLDS_API_URL", app.lw.base_url()),
        ("CLIENT_ID", "test-client".into()),
        ("ACCESS_TOKEN", TOKEN.into()),
    ]);
    vars
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}

/// Output for a pipe is plain: no ANSI escape anywhere.
fn assert_plain(out: &Output) {
    for stream in [&out.stdout, &out.stderr] {
        assert!(
            !stream.contains(&0x1b),
            "colour escapes in non-terminal output: {}",
            String::from_utf8_lossy(stream)
        );
    }
}

#[test]
fn template_validate_fails_on_a_placeholder_the_service_cannot_fill() {
    let dir = tempfile::tempdir().unwrap();
    let template =
        std::fs::read(repo_root().join("templates/plantilla_test_diagnostico.docx")).unwrap();
    // Same length, so the zip stays valid: <<Nivel>> becomes <<Nivex>>.
    let broken = replace_in_docx(&template, "&lt;&lt;Nivel&gt;&gt;", "&lt;&lt;Nivex&gt;&gt;");
    std::fs::write(dir.path().join("t.docx"), broken).unwrap();
    let out = run(
        dir.path(),
        &base_vars(dir.path()),
        &["template", "validate", "t.docx"],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("<<Nivex>>") && text.contains("UNKNOWN"),
        "{text}"
    );
}

fn replace_in_docx(docx: &[u8], from: &str, to: &str) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().into_owned();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        if name == "word/document.xml" {
            let xml = String::from_utf8(bytes).unwrap();
            assert!(xml.contains(from), "the template has {from}");
            bytes = xml.replace(from, to).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}
