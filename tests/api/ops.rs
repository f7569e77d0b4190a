//! What the operator and the platform watch: `/metrics`, the informative checks of `/readyz`,
//! and the per-client rate limits of `/webhook` (with `TRUSTED_PROXIES`).

use std::net::{IpAddr, Ipv4Addr};

use serde_json::Value;
use webhook_service::jobs::Outcome;

use crate::helpers::{automation_body, spawn_app_with, Setup, TestApp, SECRET};

/// The value of one sample line (`name{labels} value`) of a Prometheus text.
fn sample(text: &str, name_and_labels: &str) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(name_and_labels)?.trim().parse().ok())
}

#[tokio::test]
async fn metrics_after_a_delivery_count_the_webhook_the_stages_the_email_and_the_api_calls() {
    let app = spawn_app_with(Setup {
        vars: vec![("ADMIN_TOKEN", "metrics-token-0123456789".into())],
        ..Default::default()
    })
    .await;
    assert_eq!(app.post_signed(automation_body()).await.status(), 202);
    assert_eq!(app.process_one().await, Some(Outcome::Done));

    let url = format!("{}/metrics", app.address);
    let refused = app.http.get(&url).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 401, "behind ADMIN_TOKEN");
    let r = app
        .http
        .get(&url)
        .bearer_auth("metrics-token-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = r.text().await.unwrap();
    // Counters are the process's (other tests run beside this one): at least this delivery.
    for counter in [
        "webhooks_total{outcome=\"queued\"}",
        "emails_sent_total",
        "learnworlds_api_calls_total{status=\"200\"}",
        "jobs_finished_total{outcome=\"done\"}",
    ] {
        let n = sample(&text, counter).unwrap_or_else(|| panic!("no {counter} in\n{text}"));
        assert!(n >= 1.0, "{counter} = {n}");
    }
    for stage in [
        "fetch", "analyse", "render", "convert", "store", "email", "record",
    ] {
        let count = format!("job_stage_duration_seconds_count{{stage=\"{stage}\",outcome=\"ok\"}}");
        assert!(
            sample(&text, &count).is_some_and(|n| n >= 1.0),
            "no histogram for {stage}: {text}"
        );
    }
    assert!(
        text.contains(
            "job_stage_duration_seconds_bucket{stage=\"convert\",outcome=\"ok\",le=\"0.5\"}"
        ),
        "a histogram with buckets, not a summary"
    );
    // Gauges are read from this application's database at the scrape.
    assert_eq!(sample(&text, "jobs{state=\"done\"}"), Some(1.0), "{text}");
    assert_eq!(sample(&text, "jobs{state=\"dead\"}"), Some(0.0));
    assert_eq!(sample(&text, "queue_oldest_waiting_seconds"), Some(0.0));
    assert_eq!(sample(&text, "converter_up"), Some(1.0));
    // The pool's own figures (the shared pool converted this report, at least).
    assert!(
        sample(&text, "converter_conversions_total").is_some_and(|n| n >= 1.0),
        "{text}"
    );
    let alive = ["idle", "busy"]
        .iter()
        .filter_map(|s| sample(&text, &format!("converter_instances{{state=\"{s}\"}}")))
        .sum::<f64>();
    assert!(alive >= 1.0, "{text}");
    assert!(text.contains("# HELP webhooks_total"), "described: {text}");
}

#[tokio::test]
async fn readiness_reports_smtp_and_the_queue_without_failing_for_them() {
    let app = spawn_app_with(Setup {
        smtp_down: true,
        vars: vec![("JOB_MAX_ATTEMPTS", "1".into())],
        ..Default::default()
    })
    .await;
    assert_eq!(app.post_signed(automation_body()).await.status(), 202);
    assert_eq!(app.process_one().await, Some(Outcome::Dead));
    assert_eq!(app.post_signed(second_submission()).await.status(), 202);

    let ready = |app: &TestApp| {
        let url = format!("{}/readyz", app.address);
        let http = app.http.clone();
        async move {
            let r = http.get(url).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = ready(&app).await;
    assert_eq!(
        status, 200,
        "SMTP down and a dead job still take webhooks: {body}"
    );
    let smtp = &body["checks"]["smtp"];
    assert_eq!(smtp["ok"], false, "{body}");
    assert_eq!(smtp["affects_readiness"], false);
    let queue = &body["checks"]["queue"];
    assert_eq!(queue["dead_jobs"], 1, "{body}");
    assert_eq!(queue["ok"], false);
    assert_eq!(queue["oldest_waiting"]["job_id"], 2, "{body}");

    // The mail server comes back: the cached answer stands until its minute is over (one
    // connection a minute at most, however often the platform probes).
    app.smtp.start_on_port();
    let (_, again) = ready(&app).await;
    assert_eq!(again["checks"]["smtp"]["checked_at"], smtp["checked_at"]);
    assert_eq!(again["checks"]["smtp"]["ok"], false);
}

#[tokio::test]
async fn readiness_says_smtp_answers_when_it_does() {
    let app = spawn_app_with(Setup::default()).await;
    let body: Value = app
        .http
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let smtp = &body["checks"]["smtp"];
    assert_eq!(smtp["ok"], true, "{body}");
    assert!(smtp["detail"].as_str().unwrap().contains("EHLO"), "{body}");
    assert!(app.smtp.received().is_empty(), "a probe sends nothing");
}

#[tokio::test]
async fn a_mail_server_that_never_answers_does_not_hold_up_readiness() {
    // Accepts connections (the kernel's backlog) and never says a word.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let app = spawn_app_with(Setup {
        vars: vec![("SMTP_PORT", port.to_string())],
        ..Default::default()
    })
    .await;
    let r = app
        .http
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.unwrap();
    let smtp = &body["checks"]["smtp"];
    assert_eq!(smtp["ok"], false, "{body}");
    assert!(
        smtp["detail"]
            .as_str()
            .unwrap()
            .contains("has not answered"),
        "answered from the probe still waiting, not after SMTP_TIMEOUT_SECONDS: {body}"
    );
    drop(silent);
}

fn second_submission() -> String {
    let mut event: Value = serde_json::from_str(&automation_body()).unwrap();
    event["submission"]["id"] = "664fa0a1b2c3d4e5f6a7b8c1".into();
    event.to_string()
}

/// A webhook from `client`, as the trusted proxy on 127.0.0.1 forwards it.
async fn forwarded(app: &TestApp, client: &str, signature: &str) -> reqwest::Response {
    app.http
        .post(format!("{}/webhook", app.address))
        .header("Learnworlds-Webhook-Signature", signature)
        .header("X-Forwarded-For", client)
        .body(automation_body())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_client_sending_bad_signatures_gets_429_while_a_signed_client_elsewhere_is_served() {
    let app = spawn_app_with(Setup {
        vars: vec![("TRUSTED_PROXIES", "127.0.0.1".into())],
        ..Default::default()
    })
    .await;
    let attacker = "203.0.113.5";
    for _ in 0..5 {
        let r = forwarded(&app, attacker, "v1=guess-guess-guess").await;
        assert_eq!(r.status().as_u16(), 401);
    }
    let r = forwarded(&app, attacker, "v1=guess-guess-guess").await;
    assert_eq!(r.status().as_u16(), 429, "the sixth try within a minute");
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=12).contains(&wait), "one more try every 12 s: {wait}");
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "too_many_auth_failures"
    );
    // Not even checked now, so the right secret does not tell the attacker anything.
    let r = forwarded(&app, attacker, &format!("v1={SECRET}")).await;
    assert_eq!(r.status().as_u16(), 429);

    // Another client behind the same proxy is unaffected.
    let r = forwarded(&app, "198.51.100.7", &format!("v1={SECRET}")).await;
    assert_eq!(r.status().as_u16(), 202);

    // A client that is not a trusted proxy cannot pick its address with the header: its
    // own address (127.0.0.2) runs out, not the one it names.
    let direct = reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
        .build()
        .unwrap();
    let mut codes = Vec::new();
    for i in 0..6 {
        let r = direct
            .post(format!("{}/webhook", app.address))
            .header("Learnworlds-Webhook-Signature", "v1=guess-guess-guess")
            .header("X-Forwarded-For", format!("192.0.2.{i}"))
            .body(automation_body())
            .send()
            .await
            .unwrap();
        codes.push(r.status().as_u16());
    }
    assert_eq!(codes, [401, 401, 401, 401, 401, 429]);
}

#[tokio::test]
async fn webhooks_beyond_the_per_client_limit_get_429_with_retry_after() {
    let app = spawn_app_with(Setup {
        vars: vec![("WEBHOOK_RATE_LIMIT_PER_MINUTE", "3".into())],
        ..Default::default()
    })
    .await;
    let mut codes = Vec::new();
    for _ in 0..3 {
        codes.push(app.post_signed(automation_body()).await.status().as_u16());
    }
    assert_eq!(codes, [202, 200, 200], "queued, then duplicates");
    let r = app.post_signed(automation_body()).await;
    assert_eq!(r.status().as_u16(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&wait), "a token every 20 s: {wait}");
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "rate_limited");
    assert_eq!(app.count("events").await, 1);
}

#[tokio::test]
async fn without_an_admin_token_metrics_are_open_and_the_status_view_is_not() {
    let app = spawn_app_with(Setup::default()).await;
    let get = |path: &str| app.http.get(format!("{}{path}", app.address)).send();
    let metrics = get("/metrics").await.unwrap();
    assert_eq!(metrics.status().as_u16(), 200);
    assert!(metrics
        .text()
        .await
        .unwrap()
        .contains("jobs{state=\"queued\"} 0"));
    assert_eq!(get("/admin/status").await.unwrap().status().as_u16(), 404);
}
