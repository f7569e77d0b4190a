//! The actions, each confirmed and recorded with who and when: requeue the dead jobs of one
//! error code, retry now, resend a delivered report (a new email; the delivery record stays
//! as it was), reroute the submissions that routed nowhere.

use super::*;
use crate::helpers::{automation_body, spawn_app_with, Setup};
use webhook_service::jobs::Outcome;

#[tokio::test]
async fn requeue_retry_and_resend_from_the_dashboard_are_recorded_with_who_and_when() {
    let app = dashboard_app(Setup {
        smtp_down: true,
        vars: vec![("JOB_MAX_ATTEMPTS", "1".into())],
        ..Default::default()
    })
    .await;
    assert_eq!(app.post_signed(automation_body()).await.status(), 202);
    assert_eq!(app.process_one().await, Some(Outcome::Dead));
    let session = Session::login(&app).await;
    let (_, overview) = session.page("/admin").await;
    assert!(
        overview.contains("smtp_unavailable")
            && overview.contains("/admin/requeue?code=smtp_unavailable"),
        "{overview}"
    );

    // Requeue by code: the confirmation first, then the action.
    let (status, confirm) = session.page("/admin/requeue?code=smtp_unavailable").await;
    assert_eq!(status, 200);
    assert!(confirm.contains("¿Seguro?"), "{confirm}");
    let (status, html) = session
        .submit("/admin/requeue", &[("code", "smtp_unavailable")])
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Hecho"), "{html}");
    assert_eq!(
        app.process_one().await,
        Some(Outcome::Dead),
        "still no mail server"
    );

    // Retry now, once the mail server is back.
    app.smtp.start_on_port();
    let (status, html) = session.submit("/admin/jobs/1/retry", &[]).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(app.process_one().await, Some(Outcome::Done));
    assert_eq!(app.smtp.received().len(), 1);
    let before = app.ctx.store.status(5).await.unwrap();
    assert_eq!(before.emails_sent, 1);

    // A second retry of a delivered job does not apply.
    let (status, html) = session.submit("/admin/jobs/1/retry", &[]).await;
    assert_eq!(status, 409, "{html}");

    // Resend, by a script with the Bearer token (no CSRF token needed: no cookie).
    let r = client()
        .post(format!("{}/admin/jobs/1/resend", app.address))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "{}", r.text().await.unwrap());
    let received = app.smtp.received();
    assert_eq!(received.len(), 2, "a new email");
    assert_eq!(received[1].to, vec!["camila.rojas@example.com".to_string()]);
    let after = app.ctx.store.status(5).await.unwrap();
    assert_eq!(after.emails_sent, 1, "the original delivery untouched");
    assert_eq!(after.resends_sent, 1);
    assert_eq!(
        actions_on(&app, 1).await,
        [
            ("requeue".to_string(), "admin:session".to_string()),
            ("retry".into(), "admin:session".into()),
            ("resend".into(), "admin:bearer".into()),
        ]
    );
    // The submission page shows it all.
    let (_, page) = session.page("/admin/submissions/1").await;
    for part in [
        "ev-received",
        "ev-attempt",
        "ev-emailed",
        "ev-resend",
        "ev-action",
        "smtp_unavailable",
        "/admin/jobs/1/report.pdf",
        "camila.rojas@example.com",
    ] {
        assert!(page.contains(part), "{part} in {page}");
    }
    let pdf = client()
        .get(format!("{}/admin/jobs/1/report.pdf", app.address))
        .header("cookie", &session.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    assert_eq!(
        &bytes[..],
        &crate::mail::parse(&received[0].raw).pdf().bytes[..],
        "the PDF the student got"
    );
}

#[tokio::test]
async fn rerouting_from_the_dashboard_queues_what_now_routes_and_records_it() {
    let app = spawn_app_with(Setup {
        files: crate::profiles::profile_files(),
        vars: vec![("ADMIN_TOKEN", TOKEN.into())],
        ..Default::default()
    })
    .await;
    assert_eq!(app.post_signed(automation_body()).await.status(), 422);
    let session = Session::login(&app).await;
    let (_, list) = session.page("/admin/submissions?state=unroutable").await;
    assert!(
        list.contains("no_route") && list.contains("Ningún tipo de informe"),
        "{list}"
    );
    let (_, overview) = session.page("/admin").await;
    assert!(overview.contains("reroute-link"), "{overview}");

    let fixed = format!(
        "{}\n[[profile]]\npreset = \"seed_diagnostic\"\nfallback = true\n",
        crate::profiles::REPORTS_TOML
    );
    std::fs::write(app.data("config/reports.toml"), fixed).unwrap();
    let (status, html) = session.submit("/admin/reroute", &[]).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(app.count("jobs").await, 1, "{html}");
    let (_, list) = session.page("/admin/submissions?state=unroutable").await;
    assert!(list.contains("0 resultados"), "{list}");
    assert_eq!(
        actions_on(&app, 1).await,
        [("reroute".to_string(), "admin:session".to_string())]
    );
    assert_eq!(app.drain().await, 1);
    assert_eq!(app.smtp.received().len(), 1, "the student got the report");
}
