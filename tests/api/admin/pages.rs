//! What the operator reads: the overview's counts, the submissions searched by student,
//! assessment, state and date, each failure in plain Spanish with its code; English on
//! request; dates in TIMEZONE.

use super::*;
use crate::helpers::{automation_body, Setup};
use webhook_service::jobs::Outcome;

const BANK: &str = "data/responses/questions/Test de diagnóstico M1_questions.csv";

#[tokio::test]
async fn the_overview_counts_today_and_the_list_finds_a_failed_student_with_a_plain_reason() {
    let app = dashboard_app(Setup {
        removed: vec![BANK],
        ..Default::default()
    })
    .await;
    assert_eq!(app.post_signed(automation_body()).await.status(), 202);
    assert_eq!(app.process_one().await, Some(Outcome::Retrying));
    let session = Session::login(&app).await;

    let (status, overview) = session.page("/admin").await;
    assert_eq!(status, 200);
    let today = &overview[overview.find(r#"id="period-today""#).unwrap()..];
    for (class, n) in [
        ("n-received", 1),
        ("n-delivered", 0),
        ("n-failed", 1),
        ("n-dead", 0),
    ] {
        let at = today.find(class).unwrap_or_else(|| panic!("{class}"));
        let cell = &today[at..];
        let value = &cell[cell.find('>').unwrap() + 1..cell.find('<').unwrap()];
        assert_eq!(value, n.to_string(), "{class}");
    }
    assert!(overview.contains("deliveries-chart"), "the chart");
    assert!(overview.contains(r#"id="oldest""#) && overview.contains("/admin/jobs/1"));

    for query in [
        "student=camila",
        "student=CAMILA.ROJAS@example.com",
        "student=camila.rojas",
        "assessment=diagn%C3%B3stico",
        "state=failing",
    ] {
        let (_, list) = session.page(&format!("/admin/submissions?{query}")).await;
        assert!(list.contains("1 resultados"), "{query}: {list}");
        assert!(
            !list.contains(r#"value="None""#) && !list.contains(r#"value="none""#),
            "an empty field shows as empty: {list}"
        );
        assert!(
            list.contains("Falta el banco de preguntas") && list.contains("bank_missing"),
            "{query}: {list}"
        );
    }
    for query in [
        "student=diego",
        "state=delivered",
        "assessment=ensayo",
        "from=2999-01-01",
        "to=2000-01-01",
    ] {
        let (_, list) = session.page(&format!("/admin/submissions?{query}")).await;
        assert!(list.contains("0 resultados"), "{query}: {list}");
    }
    // The bank is back: retried, the list says delivered.
    std::fs::copy(crate::helpers::repo_root().join(BANK), app.data(BANK)).unwrap();
    app.retry_now().await;
    assert_eq!(app.process_one().await, Some(Outcome::Done));
    let (_, list) = session.page("/admin/submissions?state=delivered").await;
    assert!(
        list.contains("1 resultados") && list.contains("Entregado"),
        "{list}"
    );
    let (_, page) = session.page("/admin/submissions/1").await;
    assert!(
        page.contains("ev-attempt") && page.contains("bank_missing"),
        "{page}"
    );
    // The email as the mail server received it, kept with the delivery (not rewritten).
    let sent = crate::mail::parse(&app.smtp.received()[0].raw);
    let escaped = |s: &str| s.replace('<', "&lt;").replace('>', "&gt;");
    assert!(
        page.contains(r#"id="email-body""#)
            && page.contains(&escaped(&sent.message_id))
            && page.contains(&sent.pdf().filename)
            && !page.contains("escrito de nuevo"),
        "the email as sent ({}): {page}",
        sent.message_id
    );
}

#[tokio::test]
async fn the_dashboard_speaks_english_on_request_and_remembers_it() {
    let app = dashboard_app(Setup::default()).await;
    let session = Session::login(&app).await;
    assert!(session.page("/admin").await.1.contains("Resumen"));
    let r = session
        .http
        .get(format!("{}/admin", app.address))
        .header("cookie", &session.cookie)
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("Overview"));
    let r = session
        .http
        .get(format!("{}/admin?lang=en", app.address))
        .header("cookie", &session.cookie)
        .send()
        .await
        .unwrap();
    let lang = cookie_value(&set_cookies(&r)["admin_lang"]);
    assert_eq!(lang, "en");
    assert!(r.text().await.unwrap().contains("This week"));
    let r = session
        .http
        .get(format!("{}/admin/submissions", app.address))
        .header("cookie", format!("{}; admin_lang=en", session.cookie))
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("Submissions"));
}

#[tokio::test]
async fn dates_are_shown_in_the_configured_time_zone() {
    let utc = dashboard_app(Setup {
        vars: vec![("TIMEZONE", "UTC".into())],
        ..Default::default()
    })
    .await;
    let tokyo = dashboard_app(Setup {
        vars: vec![("TIMEZONE", "Asia/Tokyo".into())],
        ..Default::default()
    })
    .await;
    let mut shown = Vec::new();
    for app in [&utc, &tokyo] {
        assert_eq!(app.post_signed(automation_body()).await.status(), 202);
        let session = Session::login(app).await;
        let (_, list) = session.page("/admin/submissions").await;
        let at = list.find(r#"class="open">"#).unwrap() + r#"class="open">"#.len();
        let time = chrono::NaiveDateTime::parse_from_str(&list[at..at + 16], "%Y-%m-%d %H:%M")
            .unwrap_or_else(|e| panic!("{e}: {}", &list[at..at + 16]));
        shown.push(time);
    }
    let hours = (shown[1] - shown[0]).num_minutes() as f64 / 60.0;
    assert!(
        (hours - 9.0).abs() < 0.1,
        "Tokyo is 9 h ahead of UTC: {shown:?}"
    );
}
