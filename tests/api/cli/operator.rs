//! The operator's commands against a service's database: send-test, status, retry, requeue,
//! resend, reroute, and the refusal to work on a database that does not exist.

use super::*;

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
