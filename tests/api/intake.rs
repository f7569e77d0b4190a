//! `POST /webhook`: authentication, validation, limits, and the health endpoints.

use serde_json::Value;

use crate::helpers::{automation_body, fixture, spawn_app, spawn_app_with, Setup};

#[tokio::test]
async fn a_wrong_or_missing_signature_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    for (signature, code) in [
        (Some("v1=not-the-secret"), "invalid_signature"),
        (Some("test-signature-5f1"), "invalid_signature"),
        (None, "missing_signature"),
    ] {
        let r = app.post_webhook(automation_body(), signature).await;
        assert_eq!(r.status().as_u16(), 401, "{signature:?}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], code);
    }
    assert_eq!(app.count("events").await, 0);
    assert_eq!(app.count("jobs").await, 0);
}

#[tokio::test]
async fn every_configured_secret_is_accepted_during_a_rotation() {
    let app = spawn_app().await;
    let r = app
        .post_webhook(automation_body(), Some("v1=old-secret-00000"))
        .await;
    assert_eq!(r.status().as_u16(), 202);
}

#[tokio::test]
async fn malformed_json_is_a_400_that_says_so() {
    let app = spawn_app().await;
    let r = app.post_signed("{\"user\": ").await;
    assert_eq!(r.status().as_u16(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "invalid_json");
    assert!(body["message"].as_str().unwrap().contains("not valid JSON"));
    assert_eq!(app.count("events").await, 0);
}

#[tokio::test]
async fn a_missing_or_useless_assessment_url_is_a_400_naming_the_field() {
    let app = spawn_app().await;
    let mut event: Value = serde_json::from_str(&automation_body()).unwrap();
    event["assessment"].as_object_mut().unwrap().remove("url");
    let r = app.post_signed(event.to_string()).await;
    assert_eq!(r.status().as_u16(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["field"], "assessment.url");
    assert_eq!(body["error"], "invalid_field");

    event["assessment"]["url"] =
        Value::String("https://academia.example.com/course?unit=xyz".into());
    let r = app.post_signed(event.to_string()).await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["field"], "assessment.url");
    assert!(body["message"].as_str().unwrap().contains("unit="));

    let mut event: Value = serde_json::from_str(&automation_body()).unwrap();
    event["user"]["id"] = Value::String("{{user.id}}".into());
    let body: Value = app
        .post_signed(event.to_string())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["field"], "user.id");
    assert_eq!(app.count("events").await, 0);
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_refused_with_413() {
    let app = spawn_app().await;
    let big = format!("{{\"pad\": \"{}\"}}", "x".repeat(1024 * 1024));
    let r = app.post_signed(big.clone()).await;
    assert_eq!(r.status().as_u16(), 413);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "body_too_large");

    // Without a Content-Length the limit is enforced while reading.
    let chunks: Vec<Result<String, std::io::Error>> = big
        .as_bytes()
        .chunks(64 * 1024)
        .map(|c| Ok(String::from_utf8_lossy(c).into_owned()))
        .collect();
    let r = app
        .post_signed(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .await;
    assert_eq!(r.status().as_u16(), 413);
    assert_eq!(app.count("events").await, 0);
}

#[tokio::test]
async fn a_native_envelope_without_a_report_is_recorded_but_not_processed() {
    let app = spawn_app().await;
    let body = std::fs::read_to_string(fixture("webhooks/native_course_completed.json")).unwrap();
    let r = app.post_signed(body.clone()).await;
    assert_eq!(r.status().as_u16(), 200);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["status"], "ignored");
    assert!(answer["reason"]
        .as_str()
        .unwrap()
        .contains("courseCompleted"));
    assert_eq!(app.count("events").await, 1);
    assert_eq!(app.count("jobs").await, 0);
    assert_eq!(
        app.post_signed(body).await.json::<Value>().await.unwrap()["status"],
        "duplicate"
    );
}

#[tokio::test]
async fn a_native_envelope_carrying_an_assessment_is_queued() {
    let app = spawn_app().await;
    let inner: Value = serde_json::from_str(&automation_body()).unwrap();
    let envelope = serde_json::json!({"version": 2, "type": "assessmentSubmitted", "trigger": "x", "school_id": "s", "data": inner});
    let r = app.post_signed(envelope.to_string()).await;
    assert_eq!(r.status().as_u16(), 202);
}

#[tokio::test]
async fn when_the_database_is_unavailable_the_answer_is_503_never_2xx() {
    let app = spawn_app().await;
    app.ctx.store.close().await;
    let r = app.post_signed(automation_body()).await;
    assert_eq!(r.status().as_u16(), 503);
    assert_eq!(r.headers()["retry-after"], "5");
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "database_unavailable"
    );
}

#[tokio::test]
async fn health_readiness_and_index_describe_the_service() {
    let app = spawn_app().await;
    let health: Value = app
        .http
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health, serde_json::json!({"status": "ok"}));

    let ready = app
        .http
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 200);
    let ready: Value = ready.json().await.unwrap();
    for check in ["database", "template", "pdf_converter", "learnworlds"] {
        assert_eq!(ready["checks"][check]["ok"], true, "{check}: {ready}");
    }
    // The shared pool (it may not have started yet: it starts on the first conversion; see
    // the delivery test for its readiness once it runs), never the slow fallback.
    let converter = ready["checks"]["pdf_converter"]["detail"].as_str().unwrap();
    assert!(
        converter.starts_with("LibreOfficeKit pool") && !converter.contains("falling back"),
        "the warm pool runs in tests: {converter}"
    );

    let index: Value = app
        .http
        .get(&app.address)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(index["service"], "webhook-service");
    assert!(index["endpoints"]["POST /webhook"].is_string());
}

#[tokio::test]
async fn readiness_fails_and_names_the_check_when_the_template_is_missing() {
    let app = spawn_app_with(Setup {
        vars: vec![("TEMPLATE_PATH", "templates/missing.docx".into())],
        ..Default::default()
    })
    .await;
    let r = app
        .http
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 503);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["checks"]["template"]["ok"], false);
    assert!(body["checks"]["template"]["detail"]
        .as_str()
        .unwrap()
        .contains("templates/missing.docx"));
    assert_eq!(body["checks"]["database"]["ok"], true);
}

#[tokio::test]
async fn admin_status_needs_the_admin_token() {
    let app = spawn_app_with(Setup {
        vars: vec![("ADMIN_TOKEN", "an-admin-token-for-tests".into())],
        ..Default::default()
    })
    .await;
    let url = format!("{}/admin/status", app.address);
    assert_eq!(
        app.http.get(&url).send().await.unwrap().status().as_u16(),
        401
    );
    let r = app
        .http
        .get(&url)
        .bearer_auth("an-admin-token-for-tests")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["jobs"]["queued"], 0);
}

#[tokio::test]
async fn the_url_token_is_a_second_factor_the_operator_controls() {
    let token = "k9Yt2mQ7vR4xW8pL3nB6";
    let app = spawn_app_with(Setup {
        vars: vec![
            ("WEBHOOK_URL_TOKEN", token.into()),
            ("WEBHOOK_REQUIRE_SIGNATURE", "false".into()),
        ],
        ..Default::default()
    })
    .await;
    let post = |path: String, signature: Option<&'static str>| {
        let mut req = app
            .http
            .post(format!("{}{path}", app.address))
            .body(automation_body());
        if let Some(sig) = signature {
            req = req.header("Learnworlds-Webhook-Signature", sig);
        }
        req.send()
    };
    let r = post("/webhook".into(), Some("v1=test-signature-5f1c"))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "invalid_url_token"
    );
    let r = post("/webhook/wrong-token-0000000000".into(), None)
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // With the token, the header may be missing (automations that do not send it) but a wrong
    // header is still refused.
    let r = post(format!("/webhook/{token}"), Some("v1=wrong"))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let r = post(format!("/webhook/{token}"), None).await.unwrap();
    assert_eq!(r.status().as_u16(), 202);
}

#[tokio::test]
async fn an_email_field_hiding_a_second_recipient_is_a_400_and_nothing_is_stored() {
    let app = spawn_app().await;
    for address in [
        "\"student@x\" <attacker@evil.example>",
        "Camila <camila.rojas@example.com>",
        "camila.rojas@example.com, attacker@evil.example",
    ] {
        let mut event: Value = serde_json::from_str(&automation_body()).unwrap();
        event["user"]["email"] = Value::String(address.into());
        let r = app.post_signed(event.to_string()).await;
        assert_eq!(r.status().as_u16(), 400, "{address}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["field"], "user.email", "{address}");
    }
    assert_eq!(app.count("events").await, 0);
    assert_eq!(app.post_signed(automation_body()).await.status(), 202);
    assert_eq!(app.drain().await, 1);
    let sent = app.smtp.received();
    assert_eq!(sent[0].to, vec!["camila.rojas@example.com".to_string()]);
}
