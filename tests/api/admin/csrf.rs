//! Every form that changes something refuses a POST without its CSRF token or with a wrong
//! one (403, nothing done); the forms are enumerated from the pages themselves, so a new form
//! without a token, or one missing from this list, fails here.

use std::collections::BTreeSet;

use super::*;
use crate::helpers::{automation_body, Setup};
use webhook_service::jobs::Outcome;

/// Every state-changing form of the dashboard (job ids as `{id}`).
const FORMS: [&str; 9] = [
    "/admin/login",
    "/admin/logout",
    "/admin/jobs/{id}/retry",
    "/admin/jobs/{id}/resend",
    "/admin/requeue",
    "/admin/reroute",
    "/admin/templates/preview",
    "/admin/templates/replace",
    "/admin/templates/rollback",
];

/// The POST forms of a page: (action, whether it carries a csrf field).
fn forms_of(html: &str) -> Vec<(String, bool)> {
    html.split("<form")
        .skip(1)
        .filter(|f| f.contains(r#"method="post""#))
        .map(|f| {
            let body = &f[..f.find("</form>").unwrap_or(f.len())];
            let action = body.split(r#"action=""#).nth(1).unwrap_or_default();
            let action = action[..action.find('"').unwrap_or(0)].to_string();
            (action, body.contains(r#"name="csrf" value=""#))
        })
        .collect()
}

fn generic(action: &str) -> String {
    action
        .split('/')
        .map(|p| {
            if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) {
                "{id}"
            } else {
                p
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_state_changing_form_refuses_a_post_without_or_with_a_wrong_csrf_token() {
    let app = dashboard_app(Setup {
        smtp_down: true,
        vars: vec![("JOB_MAX_ATTEMPTS", "1".into())],
        ..Default::default()
    })
    .await;
    assert_eq!(app.post_signed(automation_body()).await.status(), 202);
    assert_eq!(app.process_one().await, Some(Outcome::Dead));
    let session = Session::login(&app).await;

    // The forms the pages show, each with a token.
    let mut seen = BTreeSet::new();
    let login_page = client()
        .get(format!("{}/admin/login", app.address))
        .send()
        .await
        .unwrap();
    let mut pages = vec![login_page.text().await.unwrap()];
    for path in [
        "/admin",
        "/admin/submissions",
        "/admin/submissions/1",
        "/admin/jobs/1/retry",
        "/admin/jobs/1/resend",
        "/admin/requeue?code=smtp_unavailable",
        "/admin/reroute",
        "/admin/templates",
        "/admin/templates/replace?profile=seed_diagnostic&candidate=0",
        "/admin/templates/rollback?path=templates/plantilla_test_diagnostico.docx&version=x",
    ] {
        let (status, html) = session.page(path).await;
        assert_eq!(status, 200, "{path}");
        pages.push(html);
    }
    for html in &pages {
        for (action, has_token) in forms_of(html) {
            assert!(has_token, "the form to {action} carries no CSRF token");
            seen.insert(generic(&action));
        }
    }
    let expected: BTreeSet<String> = FORMS.iter().map(|f| f.to_string()).collect();
    assert_eq!(seen, expected, "the forms the pages show");
    assert_eq!(
        app.count("operator_actions").await,
        0,
        "showing a form does nothing"
    );

    for form in FORMS {
        let path = form.replace("{id}", "1");
        let fields: &[(&str, &str)] = &[("code", "smtp_unavailable"), ("token", TOKEN)];
        let (without, _) = session.post(&path, fields).await;
        assert_eq!(without, 403, "POST {path} without a token");
        let mut wrong = vec![("csrf", "0123456789abcdef")];
        wrong.extend_from_slice(fields);
        let (with_wrong, _) = session.post(&path, &wrong).await;
        assert_eq!(with_wrong, 403, "POST {path} with a wrong token");
        // Another session's token is wrong too.
        let other = Session::login(&app).await;
        let mut foreign = vec![("csrf", other.csrf.as_str())];
        foreign.extend_from_slice(fields);
        let (with_foreign, _) = session.post(&path, &foreign).await;
        assert_eq!(
            with_foreign, 403,
            "POST {path} with another session's token"
        );
    }
    assert_eq!(app.count("operator_actions").await, 0, "nothing was done");
    assert_eq!(app.count("resends").await, 0);
    assert_eq!(app.count("template_changes").await, 0);
    assert_eq!(app.process_one().await, None, "the dead job stayed dead");
    assert_eq!(session.page("/admin").await.0, 200, "still logged in");
}
