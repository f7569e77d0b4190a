//! Never a 2xx without a durable write: a full disk and a database file deleted under the
//! running service are answered 503 (and `/readyz` says why), every 202 is still in the
//! database after a restart, and the service recovers by itself once space returns. SQLite
//! only (the database of these tests is a SQLite file whatever `TEST_DATABASE` says).

use std::cell::Cell;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;
use sqlx::Connection;
use tempfile::TempDir;

use crate::helpers::{automation_body, eventually_async, spawn_app_with, Setup, TestApp};

/// A tmpfs of a few MiB, unmounted when dropped.
struct SmallDisk {
    dir: TempDir,
}

impl SmallDisk {
    /// `None` when this process may not mount (not root).
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(Self { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file until the disk is full.
    fn fill(&self) -> PathBuf {
        let path = self.path().join("filler");
        let mut file = std::fs::File::create(&path).expect("filler");
        let chunk = vec![0u8; 16 * 1024];
        loop {
            if let Err(e) = file.write_all(&chunk).and_then(|_| file.flush()) {
                assert_eq!(e.raw_os_error(), Some(libc::ENOSPC), "{e}");
                return path;
            }
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazy: the closing pool may still hold the database open.
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("service.db").display())
}

async fn spawn_on(url: &str) -> TestApp {
    spawn_app_with(Setup {
        vars: vec![("DATABASE_URL", url.to_string())],
        ..Default::default()
    })
    .await
}

/// A webhook no earlier one duplicates (its own submission id).
async fn post_new(app: &TestApp) -> (u16, Value) {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let body = automation_body().replace("6650c1d2e3f4a5b6c7d8e9f0", &format!("{n:024x}"));
    let r = app.post_signed(body).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn readyz(app: &TestApp) -> (u16, Value) {
    let r = app
        .http
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// The jobs in the database file, read by a connection of its own (as after a restart).
async fn jobs_on_disk(url: &str) -> HashSet<i64> {
    let mut conn = sqlx::SqliteConnection::connect(url).await.expect("reopen");
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM jobs")
        .fetch_all(&mut conn)
        .await
        .expect("jobs readable");
    let _ = conn.close().await;
    ids.into_iter().collect()
}

#[tokio::test]
async fn a_full_disk_is_answered_503_every_202_survives_a_restart_and_space_returning_heals_it() {
    let Some(disk) = SmallDisk::mount("6m") else {
        eprintln!(
            "SKIPPED: cannot mount a tmpfs here (needs root); the full-disk test did not run"
        );
        return;
    };
    let url = sqlite_url(disk.path());
    let app = spawn_on(&url).await;
    let mut accepted = Vec::new();
    for _ in 0..5 {
        let (status, body) = post_new(&app).await;
        assert_eq!(status, 202, "{body}");
        accepted.push(body["job_id"].as_i64().unwrap());
    }

    let filler = disk.fill();
    let mut while_full = Vec::new();
    for _ in 0..30 {
        let (status, body) = post_new(&app).await;
        if status == 202 {
            accepted.push(body["job_id"].as_i64().unwrap());
        }
        while_full.push(status);
    }
    assert!(
        while_full.iter().all(|s| *s == 202 || *s == 503),
        "{while_full:?}"
    );
    assert!(
        while_full.iter().rev().take(10).all(|s| *s == 503),
        "once the disk is full, intake answers 503: {while_full:?}"
    );
    let (status, ready) = readyz(&app).await;
    assert_eq!(status, 503, "{ready}");
    assert_eq!(ready["checks"]["database"]["ok"], false, "{ready}");

    std::fs::remove_file(filler).unwrap();
    let recovered = Cell::new(None);
    let (app_ref, recovered_ref) = (&app, &recovered);
    eventually_async(
        "intake accepts webhooks again once space returns",
        move || async move {
            let (status, body) = post_new(app_ref).await;
            recovered_ref.set(body["job_id"].as_i64().filter(|_| status == 202));
            recovered_ref.get().is_some()
        },
    )
    .await;
    accepted.extend(recovered.get());
    for _ in 0..3 {
        let (status, body) = post_new(&app).await;
        assert_eq!(status, 202, "{body}");
        accepted.push(body["job_id"].as_i64().unwrap());
    }
    assert_eq!(readyz(&app).await.0, 200);

    drop(app);
    let on_disk = jobs_on_disk(&url).await;
    let lost: Vec<_> = accepted.iter().filter(|id| !on_disk.contains(id)).collect();
    assert!(
        lost.is_empty(),
        "answered 202 but not in the database: {lost:?}"
    );
}

#[tokio::test]
async fn a_database_file_deleted_under_the_running_service_is_answered_503_and_readyz_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let app = spawn_on(&url).await;
    assert_eq!(post_new(&app).await.0, 202);

    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.path().join(format!("service.db{suffix}")));
    }
    let (status, body) = post_new(&app).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "database_unavailable");
    let (status, ready) = readyz(&app).await;
    assert_eq!(status, 503, "{ready}");
    let database = &ready["checks"]["database"];
    assert_eq!(database["ok"], false, "{ready}");
    assert!(
        database["detail"].as_str().unwrap().contains("deleted"),
        "{ready}"
    );
    assert!(
        !dir.path().join("service.db").exists(),
        "no empty database is created in place of the deleted one"
    );
}
