//! `spawn_app`: the real application on port 0 with a temporary data directory, a fresh
//! database of the backend `TEST_DATABASE` names (see `database.rs`), a fake LearnWorlds, a
//! real SMTP server and the test binary's shared LibreOffice pool (see `converter.rs`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::FutureExt;
use tempfile::TempDir;
use tokio_util::sync::CancellationToken;
use webhook_service::config::{Config, Source};
use webhook_service::http::AppContext;
use webhook_service::jobs::Outcome;
use webhook_service::startup::Overrides;
use webhook_service::Application;

use crate::converter::shared_converter;
use crate::database::TestDatabase;
use crate::fake_learnworlds::FakeLearnWorlds;
use crate::smtp::SmtpSink;

pub const SECRET: &str = "test-signature-5f1c";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The project's shared test data: SHARED_DIR (set by scripts/test.sh), else `../shared`
/// beside the repository.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared"))
}

pub fn fixture(rel: &str) -> PathBuf {
    shared_dir().join("fixtures").join(rel)
}

pub fn automation_body() -> String {
    std::fs::read_to_string(fixture("webhooks/automation_assessment_submitted.json"))
        .expect("fixture webhook")
}

pub struct TestApp {
    pub address: String,
    /// The application's database (`database.url` for the service's commands).
    pub database: TestDatabase,
    pub data_dir: TempDir,
    pub ctx: Arc<AppContext>,
    pub lw: FakeLearnWorlds,
    pub smtp: SmtpSink,
    pub http: reqwest::Client,
    stop: CancellationToken,
}

/// Options on top of the defaults every test gets.
#[derive(Default)]
pub struct Setup {
    pub vars: Vec<(&'static str, String)>,
    /// Leave the SMTP port closed (the server is started later with `smtp.start()`).
    pub smtp_down: bool,
    /// Files written under the data directory before the application starts (profiles,
    /// routing spreadsheet, banks).
    pub files: Vec<(String, Vec<u8>)>,
    /// Files removed from the data directory before the application starts (a missing bank).
    pub removed: Vec<&'static str>,
    /// A converter of the test's own instead of the shared pool.
    pub converter: Option<Arc<dyn office_convert::Converter>>,
    /// Reach PostgreSQL through this `host:port` (a proxy the test can cut) instead of directly.
    pub postgres_via: Option<String>,
}

impl Setup {
    /// A test that sets the converter's variables (CONVERTER, CONVERTER_*, SOFFICE_PATH,
    /// CONVERT_TIMEOUT_SECONDS, PDF_*) gets the converter the application starts from them, as
    /// in production; every other test gets the shared pool.
    fn configures_converter(&self) -> bool {
        self.vars.iter().any(|(k, _)| {
            k.starts_with("CONVERTER")
                || k.starts_with("PDF_")
                || *k == "SOFFICE_PATH"
                || *k == "CONVERT_TIMEOUT_SECONDS"
        })
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Setup::default()).await
}

pub async fn spawn_app_with(setup: Setup) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    copy_dir(
        &repo_root().join("templates"),
        &data_dir.path().join("templates"),
    );
    copy_dir(
        &repo_root().join("data/responses/questions"),
        &data_dir.path().join("data/responses/questions"),
    );
    for (rel, bytes) in &setup.files {
        let path = data_dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
        std::fs::write(path, bytes).expect("write test file");
    }
    for rel in &setup.removed {
        std::fs::remove_file(data_dir.path().join(rel)).expect("remove test file");
    }
    let lw = FakeLearnWorlds::start().await;
    let smtp = if setup.smtp_down {
        SmtpSink::reserve()
    } else {
        SmtpSink::start()
    };
    let database = TestDatabase::create(data_dir.path()).await;
    let converter = match setup.converter.clone() {
        Some(own) => Some(own),
        None => (!setup.configures_converter()).then(shared_converter),
    };
    let database_url = match &setup.postgres_via {
        Some(via) => database.url_via(via),
        None => database.url.clone(),
    };
    let mut source = Source::from_pairs([
        ("PORT", "0".to_string()),
        ("HOST", "127.0.0.1".to_string()),
        ("DATA_DIR", data_dir.path().display().to_string()),
        ("DATABASE_URL", database_url),
        ("WEBHOOK_SECRET", format!("old-secret-00000,{SECRET}")),
        ("LEARNWORLDS_API_URL", lw.base_url()),
        ("CLIENT_ID", "test-client".to_string()),
        ("ACCESS_TOKEN", crate::fake_learnworlds::TOKEN.to_string()),
        ("SMTP_SERVER", "127.0.0.1".to_string()),
        ("SMTP_PORT", smtp.port().to_string()),
        ("SMTP_SECURITY", "none".to_string()),
        ("SMTP_TIMEOUT_SECONDS", "5".to_string()),
        (
            "EMAIL_FROM",
            "Informes <informes@academia.example.com>".to_string(),
        ),
        ("WORKERS", "0".to_string()),
        // A test sweeps when it decides to (`webhook_service::sweep`).
        ("RECONCILE_INTERVAL", "off".to_string()),
        // Failed jobs wait a minute: a test decides when to retry with `retry_now`.
        ("RETRY_BASE_SECONDS", "60".to_string()),
        ("LW_RATE_WINDOW_SECONDS", "0.2".to_string()),
        ("LW_VISIBILITY_DELAY_SECONDS", "0.05".to_string()),
        // For the tests that start the application's own converter (`configures_converter`).
        ("CONVERT_TIMEOUT_SECONDS", "90".to_string()),
        // The test harness cannot act as a LibreOffice worker; the service binary can.
        (
            "CONVERTER_WORKER_PROGRAM",
            env!("CARGO_BIN_EXE_webhook-service").to_string(),
        ),
        ("CONVERTER_INSTANCES", "1".to_string()),
    ]);
    for (k, v) in setup.vars {
        source.set(k, v);
    }
    let config = Config::from_source(&source).expect("test configuration");
    if std::env::var_os("TEST_LOG").is_some() {
        webhook_service::telemetry::init(&config.log);
    }
    let app = Application::build_with(config, Overrides { converter })
        .await
        .expect("application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let ctx = app.context();
    let stop = CancellationToken::new();
    tokio::spawn(app.run_until(stop.clone()));
    TestApp {
        address,
        database,
        data_dir,
        ctx,
        lw,
        smtp,
        http: reqwest::Client::new(),
        stop,
    }
}

impl TestApp {
    pub async fn post_webhook(
        &self,
        body: impl Into<reqwest::Body>,
        signature: Option<&str>,
    ) -> reqwest::Response {
        let mut req = self
            .http
            .post(format!("{}/webhook", self.address))
            .header("Content-Type", "application/json");
        if let Some(sig) = signature {
            req = req.header("Learnworlds-Webhook-Signature", sig);
        }
        req.body(body).send().await.expect("request sent")
    }

    pub async fn post_signed(&self, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.post_webhook(body, Some(&format!("v1={SECRET}"))).await
    }

    /// Runs every due job to its end or its next retry, synchronously.
    pub async fn drain(&self) -> usize {
        self.ctx.queue.drain().await.expect("queue drains")
    }

    pub async fn process_one(&self) -> Option<Outcome> {
        self.ctx.queue.process_next().await.expect("queue readable")
    }

    /// Makes jobs waiting for a retry due now.
    pub async fn retry_now(&self) {
        self.ctx.store.make_due().await.expect("make due");
    }

    pub fn data(&self, rel: &str) -> PathBuf {
        self.data_dir.path().join(rel)
    }

    pub async fn count(&self, table: &str) -> i64 {
        self.ctx.store.count_rows(table).await.expect("count")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop.cancel();
        // Closing marks the connection pool closed at once (the rest of the future closes idle
        // connections): nothing reconnects while the database is dropped, after this.
        let _ = self.ctx.store.close().now_or_never();
    }
}

/// Waits for `done` to hold, polling; fails naming `what` after a deadline. The one way tests
/// wait for something that happens in the background.
pub async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    eventually_async(what, || std::future::ready(done())).await
}

/// `eventually` for a check that must await (an HTTP request).
pub async fn eventually_async<F: std::future::Future<Output = bool>>(
    what: &str,
    done: impl FnMut() -> F,
) {
    eventually_within(what, std::time::Duration::from_secs(30), done).await
}

/// `eventually_async` with a deadline of the caller's (work across processes that start
/// LibreOffice and wait out leases).
pub async fn eventually_within<F: std::future::Future<Output = bool>>(
    what: &str,
    within: std::time::Duration,
    mut done: impl FnMut() -> F,
) {
    let deadline = std::time::Instant::now() + within;
    while !done().await {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting until {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Text of a PDF, through poppler's pdftotext.
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().expect("utf8 path"), "-"])
        .output()
        .expect("pdftotext is installed (poppler-utils)");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// How many pictures a PDF holds (poppler's pdfimages).
pub fn pdf_image_count(pdf: &[u8]) -> usize {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let out = std::process::Command::new("pdfimages")
        .args(["-list", path.to_str().expect("utf8 path")])
        .output()
        .expect("pdfimages is installed (poppler-utils)");
    // Two header lines, then one line per image (soft masks included, hence "image" only).
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(2)
        .filter(|l| l.split_whitespace().nth(2) == Some("image"))
        .count()
}
