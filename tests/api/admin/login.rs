//! Who gets in: nobody while ADMIN_TOKEN is unset; a browser that logged in with the token
//! (a Secure, HttpOnly, SameSite=Strict session cookie, server-side, until logout); a script
//! with the Bearer token; failed logins limited per client address.

use super::*;
use crate::helpers::{spawn_app, Setup};

#[tokio::test]
async fn the_dashboard_answers_404_everywhere_while_no_admin_token_is_set() {
    let app = spawn_app().await;
    let http = client();
    for path in [
        "/admin",
        "/admin/login",
        "/admin/submissions",
        "/admin/submissions/1",
        "/admin/jobs/1/retry",
        "/admin/jobs/1/report.pdf",
        "/admin/requeue?code=bank_missing",
        "/admin/reroute",
    ] {
        let r = http
            .get(format!("{}{path}", app.address))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 404, "GET {path}");
    }
    for path in [
        "/admin/login",
        "/admin/logout",
        "/admin/jobs/1/retry",
        "/admin/jobs/1/resend",
        "/admin/requeue",
        "/admin/reroute",
    ] {
        let r = http
            .post(format!("{}{path}", app.address))
            .form(&[("token", "anything"), ("code", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 404, "POST {path}");
    }
}

#[tokio::test]
async fn logging_in_sets_a_strict_session_cookie_kept_in_the_database_until_logout() {
    let app = dashboard_app(Setup::default()).await;
    let http = client();
    let r = http
        .get(format!("{}/admin", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303, "not logged in: to the login form");
    assert_eq!(r.headers()["location"], "/admin/login");

    // The wrong token: the form again, no session.
    let (cookie, csrf) = login_form(&http, &app.address).await;
    let r = http
        .post(format!("{}/admin/login", app.address))
        .header("cookie", format!("admin_login_csrf={cookie}"))
        .form(&[("csrf", csrf.as_str()), ("token", "not-the-token")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert!(!set_cookies(&r).contains_key("admin_session"));
    assert!(r.text().await.unwrap().contains("Clave incorrecta"));

    let r = http
        .post(format!("{}/admin/login", app.address))
        .header("cookie", format!("admin_login_csrf={cookie}"))
        .form(&[("csrf", csrf.as_str()), ("token", TOKEN)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let line = set_cookies(&r)["admin_session"].clone();
    for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/admin"] {
        assert!(line.contains(flag), "{flag} in {line}");
    }
    let value = cookie_value(&line);
    assert!(!value.contains(TOKEN), "the cookie is not the token");
    assert_eq!(app.count("admin_sessions").await, 1, "kept server-side");

    let session = Session {
        base: app.address.clone(),
        cookie: format!("admin_session={value}"),
        csrf: String::new(),
        http: client(),
    };
    let (status, html) = session.page("/admin").await;
    assert_eq!(status, 200);
    assert!(html.contains("Resumen"), "{html}");
    let csrf = csrf_of(&html);
    let (status, _) = session.post("/admin/logout", &[("csrf", &csrf)]).await;
    assert_eq!(status, 303);
    assert_eq!(app.count("admin_sessions").await, 0);
    let (status, _) = session.page("/admin").await;
    assert_eq!(status, 303, "the old cookie no longer opens anything");
}

#[tokio::test]
async fn a_forged_session_cookie_opens_nothing() {
    let app = dashboard_app(Setup::default()).await;
    let session = Session {
        base: app.address.clone(),
        cookie: "admin_session=0000000000000000".into(),
        csrf: "0000".into(),
        http: client(),
    };
    assert_eq!(session.page("/admin/submissions").await.0, 303);
    assert_eq!(
        session.submit("/admin/reroute", &[]).await.0,
        401,
        "no session, no action"
    );
}

#[tokio::test]
async fn a_script_with_the_bearer_token_reads_pages_and_a_wrong_one_is_refused() {
    let app = dashboard_app(Setup::default()).await;
    let http = client();
    let r = http
        .get(format!("{}/admin/submissions", app.address))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let r = http
        .get(format!("{}/admin/submissions", app.address))
        .bearer_auth("dashboard-token-4f8a1c2f")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn failed_logins_are_limited_per_client_address_even_for_the_right_token() {
    let app = dashboard_app(Setup::default()).await;
    let http = client();
    let (cookie, csrf) = login_form(&http, &app.address).await;
    let attempt = |token: &'static str| {
        let (http, cookie, csrf, base) = (
            http.clone(),
            cookie.clone(),
            csrf.clone(),
            app.address.clone(),
        );
        async move {
            http.post(format!("{base}/admin/login"))
                .header("cookie", format!("admin_login_csrf={cookie}"))
                .form(&[("csrf", csrf.as_str()), ("token", token)])
                .send()
                .await
                .unwrap()
        }
    };
    for n in 0..5 {
        assert_eq!(attempt("guess").await.status().as_u16(), 401, "attempt {n}");
    }
    let r = attempt("guess").await;
    assert_eq!(r.status().as_u16(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let r = attempt(TOKEN).await;
    assert_eq!(
        r.status().as_u16(),
        429,
        "not even the right token is tried now"
    );
    assert_eq!(app.count("admin_sessions").await, 0);
}

#[tokio::test]
async fn with_admin_cookie_secure_false_the_cookie_is_not_marked_secure() {
    let app = dashboard_app(Setup {
        vars: vec![("ADMIN_COOKIE_SECURE", "false".into())],
        ..Default::default()
    })
    .await;
    let http = client();
    let (cookie, csrf) = login_form(&http, &app.address).await;
    let r = http
        .post(format!("{}/admin/login", app.address))
        .header("cookie", format!("admin_login_csrf={cookie}"))
        .form(&[("csrf", csrf.as_str()), ("token", TOKEN)])
        .send()
        .await
        .unwrap();
    let line = set_cookies(&r)["admin_session"].clone();
    assert!(
        !line.contains("Secure") && line.contains("HttpOnly"),
        "{line}"
    );
}
