//! What the binary writes for people and for Cloud Logging: JSON entries, plain text to a
//! pipe, colour on a terminal only.

use super::*;

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
    // Three wrong signatures: the first is logged at once, the other two are counted silently
    // and must not be lost when the service stops before the minute is over.
    for _ in 0..3 {
        let r = http
            .post(format!("http://127.0.0.1:{port}/webhook"))
            .header("Learnworlds-Webhook-Signature", "v1=wrong-signature-1")
            .body(automation_body())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401);
    }
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
    let mut refusals = Vec::new();
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
        if v["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("webhooks refused"))
        {
            refusals.push(v["refusals"].as_u64().expect("a count"));
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
    assert_eq!(
        refusals,
        [1, 2],
        "the first at once, the rest at shutdown: {all}"
    );

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
