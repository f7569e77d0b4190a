use std::path::PathBuf;
use std::time::Duration;

use office_convert::{ConvertError, Converter, SpawnConverter, SpawnOptions};

use crate::common::*;

fn converter(test: &str, timeout: Duration) -> (SpawnConverter, PathBuf) {
    let dir = scratch(test);
    let conv = SpawnConverter::new(SpawnOptions {
        program: None,
        timeout,
        scratch_dir: dir.clone(),
        ..SpawnOptions::default()
    });
    (conv, dir)
}

/// Nothing of a call may remain in its scratch root once it returned.
fn assert_scratch_empty(dir: &PathBuf) {
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "scratch leftovers: {left:?}");
}

#[tokio::test]
async fn spawn_converts_fixture_to_pdf_with_its_text() {
    let (conv, dir) = converter("spawn-ok", Duration::from_secs(90));
    assert!(conv.health().await.ok, "{:?}", conv.health().await);
    let pdf = conv
        .convert(fixture("template examen.docx"))
        .await
        .expect("converts");
    assert!(pdf.starts_with(b"%PDF"));
    let text = pdf_text(&pdf);
    assert!(
        text.contains("Reporte Examen de Eje"),
        "text was: {text:.300}"
    );
    assert_scratch_empty(&dir);
}

#[tokio::test]
async fn spawn_rejects_corrupt_documents_without_hanging() {
    let (conv, dir) = converter("spawn-corrupt", Duration::from_secs(90));
    let not_zip = b"this is not a word document at all".to_vec();
    let err = conv.convert(not_zip).await.unwrap_err();
    assert!(matches!(err, ConvertError::Failed(_)), "{err:?}");
    assert!(!err.is_transient());

    // A zip header with garbage behind it reaches LibreOffice, which must
    // refuse it rather than import it as text.
    let mut truncated = fixture("template examen.docx");
    truncated.truncate(20_000);
    let res = tokio::time::timeout(Duration::from_secs(120), conv.convert(truncated)).await;
    let err = res.expect("no hang").unwrap_err();
    assert!(matches!(err, ConvertError::Failed(_)), "{err:?}");
    assert!(!err.is_transient());
    assert_scratch_empty(&dir);
}

#[tokio::test]
async fn spawn_reports_missing_program_as_not_installed() {
    let dir = scratch("spawn-missing");
    let conv = SpawnConverter::new(SpawnOptions {
        program: Some(PathBuf::from("/nonexistent/bin/soffice")),
        timeout: Duration::from_secs(5),
        scratch_dir: dir.clone(),
        ..SpawnOptions::default()
    });
    let err = conv
        .convert(fixture("template examen.docx"))
        .await
        .unwrap_err();
    assert!(matches!(err, ConvertError::NotInstalled(_)), "{err:?}");
    assert!(err
        .to_string()
        .contains("apt-get install libreoffice-writer-nogui"));
    let health = conv.health().await;
    assert!(!health.ok);
    assert!(
        health.detail.contains("libreoffice-writer-nogui"),
        "{health:?}"
    );
}

#[tokio::test]
async fn spawn_timeout_kills_every_process() {
    let (conv, dir) = converter("spawn-timeout-real", Duration::from_millis(300));
    let err = conv
        .convert(fixture("template examen.docx"))
        .await
        .unwrap_err();
    assert!(matches!(err, ConvertError::Timeout(_)), "{err:?}");
    assert!(err.is_transient());
    let needle = dir.to_string_lossy().into_owned();
    let gone = wait_until(Duration::from_secs(10), || {
        processes_mentioning(&needle).is_empty()
    })
    .await;
    assert!(gone, "left behind: {:?}", processes_mentioning(&needle));
    assert_scratch_empty(&dir);
}

/// soffice's launcher forks soffice.bin, which survives a kill of the launcher
/// alone; a stand-in that forks a long sleeper shows the whole group dies.
#[tokio::test]
async fn spawn_timeout_kills_grandchildren() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("spawn-hang-group");
    let fake = dir.join("bin").join("fake-soffice");
    std::fs::create_dir_all(fake.parent().unwrap()).unwrap();
    std::fs::write(
        &fake,
        "#!/bin/sh\nsh -c 'sleep 600; true' fake-office \"$@\" &\nwait\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let work = dir.join("work");
    let conv = SpawnConverter::new(SpawnOptions {
        program: Some(fake),
        timeout: Duration::from_millis(500),
        scratch_dir: work.clone(),
        ..SpawnOptions::default()
    });
    let err = conv
        .convert(fixture("template examen.docx"))
        .await
        .unwrap_err();
    assert!(matches!(err, ConvertError::Timeout(_)), "{err:?}");
    let needle = work.to_string_lossy().into_owned();
    let gone = wait_until(Duration::from_secs(5), || {
        processes_mentioning(&needle).is_empty()
    })
    .await;
    assert!(gone, "left behind: {:?}", processes_mentioning(&needle));
    assert_scratch_empty(&work);
}

#[tokio::test]
async fn spawn_runs_two_conversions_concurrently() {
    let (conv, dir) = converter("spawn-concurrent", Duration::from_secs(120));
    let docs = all_fixtures();
    assert!(docs.len() >= 2, "need two fixtures");
    let (ra, rb) = tokio::join!(
        conv.convert(docs[0].1.clone()),
        conv.convert(docs[1].1.clone())
    );
    for (name, res) in [(&docs[0].0, ra), (&docs[1].0, rb)] {
        let pdf = res.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(pdf_pages(&pdf) >= 1, "{name}");
        assert!(!pdf_text(&pdf).trim().is_empty(), "{name} has no text");
    }
    assert_scratch_empty(&dir);
}
