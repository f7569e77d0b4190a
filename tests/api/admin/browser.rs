//! A real browser — Debian's headless Chromium over WebDriver (chromedriver) — through the
//! operator's errand: log in, find the student whose report failed (the question bank is
//! missing), fix the bank, retry, see it delivered, resend it. Screenshots of the overview and
//! of the submission page are left in target/screenshots/. Without chromedriver this test
//! fails (scripts/setup.sh --test installs it): it never skips.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use webhook_service::jobs::Outcome;

use super::*;
use crate::helpers::{automation_body, eventually_async, repo_root, Setup};

const BANK: &str = "data/responses/questions/Test de diagnóstico M1_questions.csv";

/// chromedriver on a free port, stopped with the test.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn chromedriver() -> Driver {
    let program = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    assert!(
        std::path::Path::new(&program).exists(),
        "{program} is missing: install chromium and chromium-driver (scripts/setup.sh --test)"
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(&program)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} does not start: {e}"));
    eventually_async("chromedriver listens", || async move {
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
    })
    .await;
    Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

async fn browser(driver: &Driver) -> Client {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let caps = json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=es"],
            // The school's operator: a Spanish browser.
            "prefs": {"intl.accept_languages": "es-CL,es"}
        }
    });
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps.as_object().unwrap().clone())
        .connect(&driver.url)
        .await
        .expect("a Chromium session")
}

fn screenshots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn text_of(c: &Client, css: &str) -> String {
    match c.wait().for_element(Locator::Css(css)).await {
        Ok(element) => element.text().await.unwrap(),
        Err(e) => panic!(
            "{css}: {e} on {}:\n{}",
            c.current_url().await.unwrap(),
            c.source().await.unwrap_or_default()
        ),
    }
}

async fn click(c: &Client, css: &str) {
    c.wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_real_browser_the_operator_finds_a_failed_report_retries_it_and_resends_it() {
    let driver = chromedriver().await;
    let app = dashboard_app(Setup {
        removed: vec![BANK],
        ..Default::default()
    })
    .await;
    assert_eq!(app.post_signed(automation_body()).await.status(), 202);
    assert_eq!(app.process_one().await, Some(Outcome::Retrying));

    let c = browser(&driver).await;
    c.goto(&format!("{}/admin", app.address)).await.unwrap();
    // Not logged in: the login form.
    c.wait()
        .for_element(Locator::Id("token"))
        .await
        .unwrap()
        .send_keys(TOKEN)
        .await
        .unwrap();
    click(&c, "#login-submit").await;
    assert_eq!(text_of(&c, "#period-today .n-failed").await, "1");
    let shots = screenshots();
    std::fs::write(shots.join("overview.png"), c.screenshot().await.unwrap()).unwrap();

    // Find her by name.
    click(&c, "#nav-submissions").await;
    c.wait()
        .for_element(Locator::Id("f-student"))
        .await
        .unwrap()
        .send_keys("camila")
        .await
        .unwrap();
    click(&c, "#search-submit").await;
    assert_eq!(
        text_of(&c, "#submissions .error-code").await,
        "bank_missing"
    );
    click(&c, "#submissions a.open").await;
    assert!(text_of(&c, "#timeline").await.contains("bank_missing"));

    // The bank is fixed; retry now, confirmed.
    std::fs::copy(repo_root().join(BANK), app.data(BANK)).unwrap();
    click(&c, "#retry").await;
    click(&c, "#confirm").await;
    assert_eq!(text_of(&c, "#message-title").await, "Hecho");
    assert_eq!(app.process_one().await, Some(Outcome::Done));
    assert_eq!(app.smtp.received().len(), 1);
    click(&c, "#back").await;
    assert_eq!(text_of(&c, "#state").await, "Entregado");
    assert!(text_of(&c, "#email")
        .await
        .contains("camila.rojas@example.com"));
    std::fs::write(shots.join("submission.png"), c.screenshot().await.unwrap()).unwrap();

    // Resend, confirmed: a second email, recorded.
    click(&c, "#resend").await;
    click(&c, "#confirm").await;
    assert_eq!(text_of(&c, "#message-title").await, "Hecho");
    assert_eq!(app.smtp.received().len(), 2);
    assert_eq!(
        actions_on(&app, 1).await,
        [
            ("retry".to_string(), "admin:session".to_string()),
            ("resend".into(), "admin:session".into())
        ]
    );
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_real_browser_the_operator_tries_the_schools_draft_as_a_template_and_installs_it() {
    let driver = chromedriver().await;
    let app = dashboard_app(Setup::default()).await;
    // Chromium takes only a canonical path for an upload.
    let draft = crate::helpers::fixture("templates/template examen.docx")
        .canonicalize()
        .unwrap();
    let c = browser(&driver).await;
    c.goto(&format!("{}/admin/templates", app.address))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("token"))
        .await
        .unwrap()
        .send_keys(TOKEN)
        .await
        .unwrap();
    click(&c, "#login-submit").await;
    click(&c, "#nav-templates").await;
    c.wait()
        .for_element(Locator::Id("template-file"))
        .await
        .unwrap()
        .send_keys(draft.to_str().unwrap())
        .await
        .unwrap();
    click(&c, "#template-preview").await;
    // It renders (no problem), and what a proof-reader would flag is on the page.
    assert!(!text_of(&c, "#no-problems").await.is_empty());
    assert!(!text_of(&c, ".warning").await.is_empty());
    let page = c.source().await.unwrap();
    assert!(
        page.contains("NOMBRE UNIDAD"),
        "the draft's spec text is flagged"
    );
    std::fs::write(
        screenshots().join("template-preview.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    click(&c, "#install-template").await;
    click(&c, "#confirm").await;
    assert_eq!(text_of(&c, "#message-title").await, "Hecho");
    assert_eq!(
        std::fs::read(app.data("templates/plantilla_test_diagnostico.docx")).unwrap(),
        std::fs::read(&draft).unwrap()
    );
    c.close().await.unwrap();
}
