//! The `webhook-service` binary itself: start-up errors, JSON logs, SIGTERM, and the operator's
//! commands. Each run gets a clean environment and a temporary working folder, so no `.env` of
//! the developer leaks in.

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

fn run(dir: &Path, vars: &[(&str, String)], args: &[&str]) -> Output {
    command(dir, vars).args(args).output().expect("binary runs")
}

fn base_vars(dir: &Path) -> Vec<(&'static str, String)> {
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

// Multi-threaded: the commands run as blocking child processes while the app serves them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_commands_talk_to_a_running_service() {
    let app = spawn_app().await;
    let dir = app.data_dir.path();
    let vars = app_vars(&app);

    let out = run(dir, &vars, &["send-test"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout(&out).starts_with("202 "), "{out:?}");
    let out = run(dir, &vars, &["send-test"]);
    assert!(stdout(&out).contains("duplicate"));
    // --unique posts a real submission of the student the service has not seen: the older one.
    let out = run(dir, &vars, &["send-test", "--unique", "--json"]);
    assert!(
        out.status.success(),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    let answer = json_of(&out);
    assert_eq!(answer["status"], 202, "{answer}");
    assert_eq!(answer["submission_id"], "664fa0a1b2c3d4e5f6a7b8c1");
    // …and its job can succeed against the API: both reports are delivered.
    assert_eq!(app.drain().await, 2);
    assert_eq!(app.smtp.received().len(), 2);
    let out = run(dir, &vars, &["send-test", "--unique"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "no submission left: {}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("already recorded"),
        "{}",
        stdout(&out)
    );

    let out = run(dir, &vars, &["status"]);
    assert_eq!(out.status.code(), Some(0), "nothing dead: {}", stdout(&out));
    assert_plain(&out);
    let text = stdout(&out);
    assert!(
        text.contains("events received: 2") && text.contains("done     2"),
        "{text}"
    );
    let json = json_of(&run(
        dir,
        &vars,
        &["status", "--deliveries", "--json", "--limit", "1"],
    ));
    assert_eq!(json["jobs"]["done"], 2);
    let deliveries = json["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 1, "--limit 1: {json}");
    assert_eq!(deliveries[0]["email"], "camila.rojas@example.com");
    let none = json_of(&run(
        dir,
        &vars,
        &["status", "--deliveries", "--json", "--email", "diego"],
    ));
    assert_eq!(none["deliveries"], serde_json::json!([]), "{none}");
    let text = stdout(&run(
        dir,
        &vars,
        &["status", "--deliveries", "--assessment", "diagnóstico"],
    ));
    assert!(
        text.contains("emailed") && text.contains("camila.rojas@example.com"),
        "{text}"
    );

    let out = run(
        dir,
        &vars,
        &[
            "email-test",
            "--to",
            "operador@academia.example.com",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json_of(&out)["to"], "operador@academia.example.com");
    assert_eq!(
        app.smtp.received()[2].to,
        vec!["operador@academia.example.com".to_string()]
    );

    let out = run(dir, &vars, &["template", "validate"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("<<PD%>>"));
    let out = run(dir, &vars, &["template", "validate", "--json"]);
    assert_eq!(json_of(&out)["ok"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_job_fails_status_until_it_is_retried_and_a_delivered_report_can_be_resent() {
    let app = spawn_app_with(Setup {
        smtp_down: true,
        vars: vec![("JOB_MAX_ATTEMPTS", "2".into())],
        ..Default::default()
    })
    .await;
    let dir = app.data_dir.path();
    let vars = app_vars(&app);
    assert_eq!(app.post_signed(automation_body()).await.status(), 202);
    assert_eq!(app.process_one().await, Some(Outcome::Retrying));
    assert_eq!(app.process_one().await, None, "waiting out its back-off");

    // Retry now: due at once, whatever the back-off.
    let out = run(dir, &vars, &["retry", "--job", "1"]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("job 1: due now (was queued)"),
        "{}",
        stdout(&out)
    );
    assert_eq!(app.process_one().await, Some(Outcome::Dead));

    // A dead job: status says who and why, and exits 1 (cron).
    let out = run(dir, &vars, &["status"]);
    assert_eq!(out.status.code(), Some(1));
    assert_plain(&out);
    let text = stdout(&out);
    assert!(
        text.contains("job 1 [dead]")
            && text.contains("smtp_unavailable")
            && text.contains("camila.rojas@example.com"),
        "{text}"
    );
    let json = json_of(&run(dir, &vars, &["status", "--json"]));
    assert_eq!(json["dead_matching"], 1);
    assert_eq!(json["problems"][0]["job_id"], 1);
    let other = run(
        dir,
        &vars,
        &["status", "--email", "diego.munoz@example.com"],
    );
    assert_eq!(
        other.status.code(),
        Some(0),
        "no dead job of that student: {}",
        stdout(&other)
    );
    assert!(stdout(&other).contains("no failures"));

    // Unknown ids and jobs in the wrong state are reported, with exit 1.
    for args in [
        &["retry", "--job", "999"][..],
        &["requeue", "--job", "999"],
        &["resend", "--job", "999"],
    ] {
        let out = run(dir, &vars, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stdout(&out));
        assert!(
            stdout(&out).contains("no such job") || stdout(&out).contains("no job 999"),
            "{args:?}: {}",
            stdout(&out)
        );
    }
    let json = json_of(&run(dir, &vars, &["requeue", "--job", "999", "--json"]));
    assert_eq!(json["jobs"][0]["result"], "unknown", "{json}");
    let out = run(dir, &vars, &["resend", "--job", "1"]);
    assert_eq!(out.status.code(), Some(1), "not delivered yet");
    assert!(
        stdout(&out).contains("has not been emailed"),
        "{}",
        stdout(&out)
    );

    // The mail server is fixed; the operator requeues; the report is delivered once.
    app.smtp.start_on_port();
    let none = json_of(&run(
        dir,
        &vars,
        &["requeue", "--code", "bank_missing", "--json"],
    ));
    assert_eq!(
        none["jobs"],
        serde_json::json!([]),
        "no dead job of that code: {none}"
    );
    let json = json_of(&run(
        dir,
        &vars,
        &["requeue", "--code", "smtp_unavailable", "--json"],
    ));
    assert_eq!(json["ok"], true, "{json}");
    assert_eq!(json["jobs"][0]["job_id"], 1);
    assert_eq!(json["jobs"][0]["was"], "dead");
    let again = run(dir, &vars, &["requeue", "--job", "1"]);
    assert_eq!(again.status.code(), Some(1), "a queued job is not dead");
    assert_eq!(app.process_one().await, Some(Outcome::Done));
    assert_eq!(app.smtp.received().len(), 1);
    let before = json_of(&run(dir, &vars, &["status", "--deliveries", "--json"]));

    // Resend: a second email with its own Message-ID; the delivery record is untouched.
    let out = run(dir, &vars, &["resend", "--job", "1"]);
    assert!(
        out.status.success(),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    let received = app.smtp.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[1].to, vec!["camila.rojas@example.com".to_string()]);
    let id = |raw: &[u8]| crate::mail::parse(raw).message_id;
    assert_ne!(id(&received[0].raw), id(&received[1].raw));
    let after = json_of(&run(dir, &vars, &["status", "--deliveries", "--json"]));
    assert_eq!(
        after["deliveries"][0]["sent_at"],
        before["deliveries"][0]["sent_at"]
    );
    assert_eq!(after["emails_sent"], 1, "still one delivery");
    assert_eq!(after["resends_sent"], 1);
    assert_eq!(after["deliveries"][0]["resent"], 1);
    let actions: Vec<String> = app
        .ctx
        .store
        .actions_of_job(1)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, actor, action, _)| {
            assert!(actor.starts_with("cli:"), "{actor}");
            action
        })
        .collect();
    assert_eq!(actions, ["retry", "requeue", "resend"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unroutable_submissions_are_counted_and_listed_until_rerouted() {
    let app = crate::profiles::spawn().await;
    let dir = app.data_dir.path();
    let vars = app_vars(&app);
    assert_eq!(app.post_signed(automation_body()).await.status(), 422);
    let out = run(dir, &vars, &["status"]);
    assert_eq!(out.status.code(), Some(1), "a student without a report");
    let text = stdout(&out);
    assert!(
        text.contains("unroutable:      1")
            && text.contains("no_route")
            && text.contains("camila.rojas@example.com"),
        "{text}"
    );
    let json = json_of(&run(dir, &vars, &["status", "--json"]));
    assert_eq!(json["unroutable_waiting"], 1);
    assert_eq!(json["unroutable"][0]["code"], "no_route");

    let fixed = format!(
        "{}\n[[profile]]\npreset = \"seed_diagnostic\"\nfallback = true\n",
        crate::profiles::REPORTS_TOML
    );
    std::fs::write(app.data("config/reports.toml"), fixed).unwrap();
    let out = run(dir, &vars, &["reroute", "--json"]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert_eq!(json_of(&out)["queued"], 1);
    let json = json_of(&run(dir, &vars, &["status", "--json"]));
    assert_eq!(json["unroutable_waiting"], 0, "{json}");
    assert_eq!(json["jobs"]["queued"], 1);
}

#[tokio::test]
async fn operator_commands_refuse_a_database_that_does_not_exist_and_create_none() {
    let dir = tempfile::tempdir().unwrap();
    let mut vars = vec![("DATA_DIR", dir.path().display().to_string())];
    if crate::database::backend() == crate::database::Backend::Postgres {
        let real = TestDatabase::create(dir.path()).await;
        let missing = format!("{}_missing", real.url);
        vars.push(("DATABASE_URL", missing));
    }
    for args in [
        &["status"][..],
        &["status", "--deliveries"],
        &["requeue"],
        &["retry", "--job", "1"],
        &["resend", "--job", "1"],
        &["reroute"],
    ] {
        let out = run(dir.path(), &vars, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("DATABASE_URL") && stderr.contains("nothing was created"),
            "{args:?}: {stderr}"
        );
    }
    let json = json_of(&run(dir.path(), &vars, &["status", "--json"]));
    assert_eq!(json["error"], "no_database");
    if crate::database::backend() == crate::database::Backend::Sqlite {
        assert!(
            String::from_utf8_lossy(&run(dir.path(), &vars, &["status"]).stderr)
                .contains("DATA_DIR"),
            "the default location is named"
        );
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "the commands created {left:?}");

    // A database that exists but is not the service's (an empty one) is refused too, and
    // left without tables.
    let other = tempfile::tempdir().unwrap();
    let empty = match crate::database::backend() {
        crate::database::Backend::Sqlite => {
            std::fs::write(other.path().join("service.db"), b"").unwrap();
            TestDatabase::sqlite(other.path())
        }
        crate::database::Backend::Postgres => TestDatabase::postgres().await,
    };
    let vars = [("DATABASE_URL", empty.url.clone())];
    let out = run(other.path(), &vars, &["status"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("holds no webhook-service tables"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn json_logs_are_cloud_logging_entries_with_plain_fields_and_the_request_id() {
    let dir = tempfile::tempdir().unwrap();
    for rel in ["templates", "data/responses/questions"] {
        copy_dir(&repo_root().join(rel), &dir.path().join(rel));
    }
    // No LearnWorlds settings: readiness answers 503, which must not be an ERROR line.
    let database = TestDatabase::create(dir.path()).await;
    let mut vars = base_vars(dir.path());
    vars.extend([
        ("DATABASE_URL", database.url.clone()),
        ("LOG_FORMAT", "json".into()),
        ("WORKERS", "0".into()),
        ("CONVERTER", "spawn".into()),
    ]);
    let mut child = command(dir.path(), &vars)
        .arg("serve")
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut all = String::new();
    let port = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "exited: {all}");
        all.push_str(&line);
        let v: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        if v["message"] == "webhook-service started" {
            break v["port"].as_u64().expect("port logged");
        }
    };
    let http = reqwest::Client::new();
    let r = http
        .post(format!("http://127.0.0.1:{port}/webhook"))
        .header("Learnworlds-Webhook-Signature", format!("v1={SECRET}"))
        .header("X-Request-Id", "req-from-the-test-1")
        .body(automation_body())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202);
    assert_eq!(r.headers()["x-request-id"], "req-from-the-test-1");
    let ready = http
        .get(format!("http://127.0.0.1:{port}/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 503);
    // The start-up check runs in the background: wait for its entry before stopping.
    while !all.contains("\"config check") {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "exited: {all}");
        all.push_str(&line);
    }
    sigterm(&child);
    std::io::Read::read_to_string(&mut stderr, &mut all).unwrap();
    assert!(child.wait().unwrap().success());

    let mut accepted = None;
    let mut config_checks = 0;
    for line in all.lines() {
        assert!(
            !line.contains('\u{1b}') && !line.contains("\\u001b"),
            "ANSI escape in {line}"
        );
        let v: Value = serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        for key in ["severity", "message", "time"] {
            assert!(v[key].is_string(), "{key} missing: {line}");
        }
        assert!(
            chrono::DateTime::parse_from_rfc3339(v["time"].as_str().unwrap()).is_ok(),
            "{line}"
        );
        assert_ne!(v["severity"], "ERROR", "{line}");
        if v["path"] == "/readyz" || v["path"] == "/webhook" {
            assert!(
                v["request_id"].as_str().is_some_and(|id| !id.is_empty()),
                "{line}"
            );
        }
        if v["message"] == "webhook accepted" {
            accepted = Some(v.clone());
        }
        if v["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("config check"))
        {
            config_checks += 1;
        }
    }
    let accepted = accepted.expect("the webhook was logged");
    assert_eq!(accepted["request_id"], "req-from-the-test-1", "{accepted}");
    assert_eq!(
        accepted["path"], "/webhook",
        "span fields are fields: {accepted}"
    );
    assert!(accepted["job_id"].is_number(), "{accepted}");
    assert_eq!(config_checks, 1, "one entry for the start-up check: {all}");

    // Text logs written to a pipe (a file, a collector) carry no colour.
    let mut child = command(dir.path(), &vars)
        .arg("serve")
        .env("LOG_FORMAT", "text")
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let mut text = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    while !seen.contains("webhook-service started") {
        let mut line = String::new();
        assert!(
            text.read_line(&mut line).unwrap() > 0,
            "exited early: {seen}"
        );
        seen.push_str(&line);
    }
    sigterm(&child);
    let _ = child.wait();
    assert!(
        !seen.contains('\u{1b}'),
        "text logs to a pipe are coloured: {seen:?}"
    );
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

/// On a terminal (util-linux `script` gives the command one), `status` colours its verdict;
/// `NO_COLOR` turns that off.
#[tokio::test]
async fn status_is_coloured_on_a_terminal_unless_no_color_is_set() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(dir.path()).await;
    Store::connect(&database.url).await.unwrap().close().await;
    let on_a_terminal = |no_color: Option<&str>| {
        let mut cmd = command(
            dir.path(),
            &[
                ("DATABASE_URL", database.url.clone()),
                ("DATA_DIR", dir.path().display().to_string()),
            ],
        );
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        let line = format!("{} status", env!("CARGO_BIN_EXE_webhook-service"));
        let out = Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .env_clear()
            .envs(
                cmd.get_envs()
                    .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))),
            )
            .current_dir(dir.path())
            .output()
            .expect("util-linux script runs");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let coloured = on_a_terminal(None);
    assert!(
        coloured.contains("no failures") && coloured.contains("\u{1b}[32m"),
        "{coloured:?}"
    );
    let plain = on_a_terminal(Some("1"));
    assert!(
        plain.contains("no failures") && !plain.contains('\u{1b}'),
        "{plain:?}"
    );
}
