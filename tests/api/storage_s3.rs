//! `STORAGE_BACKEND=s3` against an in-test S3 API (fake_s3.rs): template, bank, report and
//! processed.csv live in the bucket; the conditional writes behind processed.csv hold on all
//! three backends (local disk, GCS, S3), and two instances appending to one S3 object lose no
//! row.

use bytes::Bytes;
use webhook_service::files::{
    Backend, GcsBackend, LocalDisk, PutCondition, PutOutcome, S3Backend, S3Settings, Storage,
};

use crate::fake_gcs::FakeGcs;
use crate::fake_s3::{FakeS3, ACCESS_KEY_ID, SECRET_ACCESS_KEY};
use crate::helpers::{automation_body, repo_root, spawn_app_with, Setup};
use crate::mail;

const BANK: &str = "data/responses/questions/Test de diagnóstico M1_questions.csv";
const TEMPLATE: &str = "templates/plantilla_test_diagnostico.docx";

fn s3_backend(s3: &FakeS3) -> impl Backend {
    let endpoint = s3.url();
    S3Backend::connect(&S3Settings {
        bucket: "school-reports",
        region: Some("eu-west-1"),
        endpoint: Some(&endpoint),
        access_key_id: Some(ACCESS_KEY_ID),
        secret_access_key: Some(SECRET_ACCESS_KEY),
    })
    .expect("S3 backend")
}

#[tokio::test]
async fn with_the_s3_backend_template_bank_report_and_processed_csv_live_in_the_bucket() {
    let s3 = FakeS3::start().await;
    s3.insert(TEMPLATE, std::fs::read(repo_root().join(TEMPLATE)).unwrap());
    s3.insert(BANK, std::fs::read(repo_root().join(BANK)).unwrap());
    let app = spawn_app_with(Setup {
        vars: vec![
            ("STORAGE_BACKEND", "s3".into()),
            ("S3_BUCKET", "school-reports".into()),
            ("S3_REGION", "eu-west-1".into()),
            ("S3_ENDPOINT", s3.url()),
            ("S3_ACCESS_KEY_ID", ACCESS_KEY_ID.into()),
            ("S3_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY.into()),
        ],
        ..Default::default()
    })
    .await;
    assert_eq!(app.post_signed(automation_body()).await.status(), 202);
    assert_eq!(app.drain().await, 1);
    let sent = mail::parse(&app.smtp.received()[0].raw);
    let report = "data/webhook_reports/diagnostico-m1/64f1a2b3c4d5e6f7a8b9c0d1_Test_de_diagnóstico_M1_20240529_162640.pdf";
    assert_eq!(
        s3.get(report).as_deref(),
        Some(&sent.pdf().bytes[..]),
        "keys: {:?}",
        s3.keys()
    );
    let csv = s3
        .get("data/webhook_reports/diagnostico-m1/processed.csv")
        .expect("processed.csv in the bucket");
    assert_eq!(String::from_utf8_lossy(&csv).lines().count(), 2);
    assert!(
        !app.data("data/webhook_reports").exists(),
        "nothing on local disk"
    );
}

/// Create-if-absent, then update-if-unchanged, on one backend: a writer holding a stale
/// version is refused.
async fn conditional_writes_hold(backend: &dyn Backend, name: &str) {
    let key = "c/processed.csv";
    let put = |bytes: &'static [u8], condition: PutCondition| async move {
        backend
            .put(key, Bytes::from_static(bytes), condition)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    assert!(
        matches!(
            put(b"h\n", PutCondition::IfAbsent).await,
            PutOutcome::Written
        ),
        "{name}"
    );
    assert!(
        matches!(
            put(b"x\n", PutCondition::IfAbsent).await,
            PutOutcome::Conflict
        ),
        "{name}: a second create is refused"
    );
    let (_, version) = backend.get(key).await.unwrap().expect("written");
    let v1 = version.unwrap_or_else(|| panic!("{name} gives a version"));
    assert!(
        matches!(
            put(b"h\na\n", PutCondition::IfVersion(v1.clone())).await,
            PutOutcome::Written
        ),
        "{name}"
    );
    assert!(
        matches!(
            put(b"h\nb\n", PutCondition::IfVersion(v1)).await,
            PutOutcome::Conflict
        ),
        "{name}: a stale version is refused"
    );
    let (bytes, _) = backend.get(key).await.unwrap().expect("still there");
    assert_eq!(
        &bytes[..],
        b"h\na\n",
        "{name}: the refused write changed nothing"
    );
}

#[tokio::test]
async fn the_conditional_writes_behind_processed_csv_hold_on_local_disk_gcs_and_s3() {
    let dir = tempfile::tempdir().unwrap();
    conditional_writes_hold(&LocalDisk::new(dir.path()).unwrap(), "local disk").await;

    let gcs = FakeGcs::start().await;
    let key_file = crate::storage::key_file_for(&gcs);
    let gcs_backend =
        GcsBackend::connect("b", Some(&key_file.path().display().to_string())).unwrap();
    conditional_writes_hold(&gcs_backend, "GCS").await;

    let s3 = FakeS3::start().await;
    conditional_writes_hold(&s3_backend(&s3), "S3").await;
    assert_eq!(s3.refused(), 2, "both refusals were the server's 412");
}

#[tokio::test]
async fn two_instances_appending_to_the_same_s3_csv_lose_no_row() {
    let s3 = FakeS3::start().await;
    // Two Storage values have separate in-process locks, like two Cloud Run instances.
    let instances = [Storage::new(s3_backend(&s3)), Storage::new(s3_backend(&s3))];
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
    let text = String::from_utf8(s3.get("c/processed.csv").unwrap().to_vec()).unwrap();
    assert_eq!(text.lines().count(), 17, "header + 16 rows:\n{text}");
}
