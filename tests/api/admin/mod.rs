//! The operator dashboard under `/admin`: login, sessions and the Bearer token, CSRF on every
//! form, the pages, the recorded actions, and a real browser going through them.

mod actions;
mod browser;
mod csrf;
mod login;
mod pages;
mod templates;

use std::collections::HashMap;

use crate::helpers::{spawn_app_with, Setup, TestApp};

pub const TOKEN: &str = "dashboard-token-4f8a1c2e";

pub async fn dashboard_app(mut setup: Setup) -> TestApp {
    setup.vars.push(("ADMIN_TOKEN", TOKEN.into()));
    spawn_app_with(setup).await
}

/// A client that follows no redirects: the tests look at each answer.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The cookies a response sets: name → the whole `Set-Cookie` line.
pub fn set_cookies(r: &reqwest::Response) -> HashMap<String, String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| Some((v.split('=').next()?.to_string(), v.to_string())))
        .collect()
}

/// The value of a `Set-Cookie` line.
pub fn cookie_value(line: &str) -> String {
    line.split(';')
        .next()
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_string())
        .unwrap_or_default()
}

/// A page's text with the escaped slashes of its attributes as typed (`&#x2f;` is `/`).
pub fn unescape(html: String) -> String {
    html.replace("&#x2f;", "/")
}

/// The value of the first hidden `csrf` field of a page.
pub fn csrf_of(html: &str) -> String {
    let at = html
        .find(r#"name="csrf" value=""#)
        .unwrap_or_else(|| panic!("no csrf field in {html}"));
    let rest = &html[at + r#"name="csrf" value=""#.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// A logged-in browser, as far as HTTP goes: its session cookie and its CSRF token.
pub struct Session {
    pub base: String,
    pub cookie: String,
    pub csrf: String,
    pub http: reqwest::Client,
}

impl Session {
    pub async fn login(app: &TestApp) -> Self {
        let http = client();
        let (login_cookie, login_csrf) = login_form(&http, &app.address).await;
        let r = http
            .post(format!("{}/admin/login", app.address))
            .header("cookie", format!("admin_login_csrf={login_cookie}"))
            .form(&[("csrf", login_csrf.as_str()), ("token", TOKEN)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303, "logged in");
        let session = cookie_value(&set_cookies(&r)["admin_session"]);
        let mut s = Self {
            base: app.address.clone(),
            cookie: format!("admin_session={session}"),
            csrf: String::new(),
            http,
        };
        s.csrf = csrf_of(&s.page("/admin").await.1);
        s
    }

    pub async fn page(&self, path: &str) -> (u16, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), unescape(r.text().await.unwrap()))
    }

    /// A form posted with the session's cookie and `fields` (add the CSRF token yourself).
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(fields)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), unescape(r.text().await.unwrap()))
    }

    /// A form posted with the session's own CSRF token.
    pub async fn submit(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(path, &all).await
    }
}

/// The login form's cookie and the token in its form.
pub async fn login_form(http: &reqwest::Client, base: &str) -> (String, String) {
    let r = http
        .get(format!("{base}/admin/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let cookie = cookie_value(&set_cookies(&r)["admin_login_csrf"]);
    let html = r.text().await.unwrap();
    (cookie, csrf_of(&html))
}

/// The operator actions recorded on a job: (action, actor), each with its moment.
pub async fn actions_on(app: &TestApp, job_id: i64) -> Vec<(String, String)> {
    app.ctx
        .store
        .actions_of_job(job_id)
        .await
        .unwrap()
        .into_iter()
        .map(|(at, actor, action, _)| {
            assert!(at > 0, "recorded when");
            (action, actor)
        })
        .collect()
}
