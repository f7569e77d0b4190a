//! Reports in a Google Cloud Storage bucket (through an XML-API fake), and processed.csv under
//! concurrent appends.

use crate::fake_gcs::FakeGcs;
use crate::helpers::{automation_body, repo_root, spawn_app_with, Setup};
use crate::mail;
use webhook_service::files::{GcsBackend, LocalDisk, Storage};

const BANK: &str = "data/responses/questions/Test de diagnóstico M1_questions.csv";

#[tokio::test]
async fn with_the_gcp_backend_template_bank_and_report_live_in_the_bucket() {
    let gcs = FakeGcs::start().await;
    gcs.insert(
        "templates/plantilla_test_diagnostico.docx",
        std::fs::read(repo_root().join("templates/plantilla_test_diagnostico.docx")).unwrap(),
    );
    gcs.insert(BANK, std::fs::read(repo_root().join(BANK)).unwrap());
    let key_file = key_file_for(&gcs);
    let app = spawn_app_with(Setup {
        vars: vec![
            ("STORAGE_BACKEND", "gcp".into()),
            ("GCP_BUCKET_NAME", "school-reports".into()),
            ("GCP_PROJECT_ID", "school".into()),
            (
                "GOOGLE_APPLICATION_CREDENTIALS",
                key_file.path().display().to_string(),
            ),
        ],
        ..Default::default()
    })
    .await;
    assert_eq!(
        app.post_signed(automation_body()).await.status().as_u16(),
        202
    );
    assert_eq!(app.drain().await, 1);
    let sent = mail::parse(&app.smtp.received()[0].raw);
    let report =
        "data/webhook_reports/diagnostico-m1/64f1a2b3c4d5e6f7a8b9c0d1_Test_de_diagnóstico_M1_20240529_162640.pdf";
    assert_eq!(
        gcs.get(report).as_deref(),
        Some(&sent.pdf().bytes[..]),
        "keys: {:?}",
        gcs.keys()
    );
    let csv = gcs
        .get("data/webhook_reports/diagnostico-m1/processed.csv")
        .expect("processed.csv in the bucket");
    assert_eq!(String::from_utf8_lossy(&csv).lines().count(), 2);
    // Nothing was written to local disk.
    assert!(!app.data("data/webhook_reports").exists());
}

/// A service-account key file pointing object_store at the fake, without OAuth.
pub fn key_file_for(gcs: &FakeGcs) -> tempfile::NamedTempFile {
    let key_file = tempfile::NamedTempFile::new().unwrap();
    let key = serde_json::json!({
        "gcs_base_url": gcs.url(), "disable_oauth": true,
        "client_email": "", "private_key": "", "private_key_id": ""
    });
    std::fs::write(key_file.path(), key.to_string()).unwrap();
    key_file
}

#[tokio::test]
async fn two_instances_appending_to_the_same_bucket_csv_lose_no_row() {
    let gcs = FakeGcs::start().await;
    let key_file = key_file_for(&gcs);
    let path = key_file.path().display().to_string();
    // Two Storage values have separate in-process locks, like two Cloud Run instances.
    let instances = [
        Storage::new(GcsBackend::connect("b", Some(&path)).unwrap()),
        Storage::new(GcsBackend::connect("b", Some(&path)).unwrap()),
    ];
    let header = ["user_id", "email", "assessment", "file", "sent_at"];
    let mut tasks = Vec::new();
    for i in 0..16 {
        let s = instances[i % 2].clone();
        tasks.push(tokio::spawn(async move {
            let row = vec![
                format!("u{i}"),
                "e".into(),
                "a".into(),
                format!("f{i}"),
                "t".into(),
            ];
            s.append_csv_row("c/processed.csv", &header, &row, 3)
                .await
                .unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let text = String::from_utf8(gcs.get("c/processed.csv").unwrap().to_vec()).unwrap();
    assert_eq!(text.lines().count(), 17, "header + 16 rows:\n{text}");
}

#[tokio::test]
async fn concurrent_appends_to_processed_csv_keep_every_row_once() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(LocalDisk::new(dir.path()).unwrap());
    let header = ["user_id", "email", "assessment", "file", "sent_at"];
    let mut tasks = Vec::new();
    for i in 0..40 {
        let s = storage.clone();
        tasks.push(tokio::spawn(async move {
            let row = vec![
                format!("u{i}"),
                "e".into(),
                "a".into(),
                format!("f{}", i % 20),
                "t".into(),
            ];
            s.append_csv_row("c/processed.csv", &header, &row, 3)
                .await
                .unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let text = std::fs::read_to_string(dir.path().join("c/processed.csv")).unwrap();
    assert_eq!(
        text.lines().count(),
        21,
        "header + 20 distinct files:\n{text}"
    );
}
