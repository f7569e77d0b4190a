//! Rendering the dashboard's pages: minijinja templates compiled into the binary, with
//! HTML escaping of every value (the `.html` templates escape by default), in the
//! operator's language.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use minijinja::Environment;
use serde_json::{Map, Value};

use super::i18n::{Lang, LANG_COOKIE};
use super::session::set_cookie;
use crate::http::AppContext;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("login.html", include_str!("templates/login.html")),
    ("overview.html", include_str!("templates/overview.html")),
    (
        "submissions.html",
        include_str!("templates/submissions.html"),
    ),
    ("submission.html", include_str!("templates/submission.html")),
    ("confirm.html", include_str!("templates/confirm.html")),
    ("message.html", include_str!("templates/message.html")),
    ("templates.html", include_str!("templates/templates.html")),
    (
        "template_preview.html",
        include_str!("templates/template_preview.html"),
    ),
];

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // An absent value (a student without a name) shows as nothing, not as "none".
        env.set_formatter(|out, state, value| {
            if value.is_none() || value.is_undefined() {
                Ok(())
            } else {
                minijinja::escape_formatter(out, state, value)
            }
        });
        for (name, source) in TEMPLATES {
            // Compiled in and covered by the tests: a broken one fails every test of it.
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "dashboard template does not compile");
            }
        }
        env
    })
}

/// The operator's language, and whether this request chose it (`?lang=`, then remembered).
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    pub lang: Lang,
    chosen: Option<Lang>,
}

impl FromRequestParts<Arc<AppContext>> for Ui {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &Arc<AppContext>,
    ) -> Result<Self, Self::Rejection> {
        let query: HashMap<String, String> = Query::try_from_uri(&parts.uri)
            .map(|q: Query<HashMap<String, String>>| q.0)
            .unwrap_or_default();
        let lang_param = query.get("lang").map(String::as_str);
        Ok(Self {
            lang: Lang::detect(lang_param, &parts.headers),
            chosen: Lang::chosen(lang_param),
        })
    }
}

/// A page: `template` with `vars`, the texts of the language and the CSRF token (`csrf`).
pub fn render(
    ctx: &AppContext,
    ui: Ui,
    status: StatusCode,
    template: &str,
    csrf: Option<&str>,
    mut vars: Map<String, Value>,
) -> Response {
    vars.insert(
        "t".into(),
        serde_json::to_value(ui.lang.texts()).unwrap_or_default(),
    );
    vars.insert("lang".into(), ui.lang.code().into());
    vars.insert(
        "other_lang".into(),
        match ui.lang {
            Lang::Es => "en",
            Lang::En => "es",
        }
        .into(),
    );
    vars.insert("csrf".into(), csrf.unwrap_or_default().into());
    vars.insert("logged_in".into(), csrf.is_some().into());
    let html = environment()
        .get_template(template)
        .and_then(|t| t.render(minijinja::Value::from(minijinja::value::Serde(&vars))));
    let mut response = match html {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(template, error = %e, "dashboard page could not be rendered");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "page could not be rendered",
            )
                .into_response()
        }
    };
    if let Some(lang) = ui.chosen {
        let cookie = set_cookie(
            ctx,
            LANG_COOKIE,
            lang.code(),
            std::time::Duration::from_secs(365 * 86_400),
        );
        if let Ok(v) = cookie.parse() {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

/// A short page saying what happened (an action's result, a refusal).
pub fn message(
    ctx: &AppContext,
    ui: Ui,
    status: StatusCode,
    csrf: Option<&str>,
    title: &str,
    lines: Vec<String>,
    back: &str,
) -> Response {
    let mut vars = Map::new();
    vars.insert("title".into(), title.into());
    vars.insert("lines".into(), lines.into());
    vars.insert("back".into(), back.into());
    render(ctx, ui, status, "message.html", csrf, vars)
}
