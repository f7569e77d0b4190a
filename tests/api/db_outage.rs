//! PostgreSQL stopped and started again under a burst of webhooks: never a 2xx for an event
//! that was not committed, and intake recovers by itself. The database is reached through a TCP
//! proxy the test cuts (every connection dropped, new ones refused) and restores.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use webhook_service::db::Store;

use crate::database::{backend, Backend, TestDatabase};
use crate::fake_learnworlds::Cohort;
use crate::helpers::{eventually_async, spawn_app_with, Setup};

/// A TCP proxy to PostgreSQL that can be cut like a stopped server.
struct Cuttable {
    addr: String,
    up: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Cuttable {
    async fn to(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let up = Arc::new(AtomicBool::new(true));
        let links: Arc<Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let (up2, links2) = (up.clone(), links.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !up2.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let upstream = upstream.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                links2.lock().unwrap().push(link.abort_handle());
            }
        });
        Self { addr, up, links }
    }

    /// The server "stops": open connections break, new ones are refused.
    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn postgresql_stopped_mid_burst_gets_503s_never_a_false_202_and_intake_recovers_by_itself() {
    if backend() != Backend::Postgres {
        eprintln!("PostgreSQL only: a SQLite file cannot be stopped (see durability.rs)");
        return;
    }
    let proxy = Cuttable::to(TestDatabase::postgres_address()).await;
    let app = spawn_app_with(Setup {
        postgres_via: Some(proxy.addr.clone()),
        ..Default::default()
    })
    .await;
    let n = 45;
    let mut answers = Vec::new();
    for i in 0..n {
        if i == 15 {
            proxy.cut();
        }
        if i == 30 {
            proxy.restore();
        }
        let r = app.post_signed(Cohort::webhook(i)).await;
        answers.push(r.status().as_u16());
    }
    assert!(
        answers[15..30].iter().all(|s| *s == 503),
        "every webhook while the database is down gets 503: {answers:?}"
    );
    assert!(answers[..15].iter().all(|s| *s == 202), "{answers:?}");
    // Back without a restart: the pool reconnects.
    eventually_async("intake accepts webhooks again", || async {
        app.post_signed(Cohort::webhook(n)).await.status().as_u16() == 202
    })
    .await;
    // LearnWorlds redelivers what got 503; nothing is lost, nothing doubled.
    for (i, status) in answers.iter().enumerate() {
        if *status != 202 {
            let again = app.post_signed(Cohort::webhook(i)).await.status().as_u16();
            assert!(again == 202 || again == 200, "redelivery of {i}: {again}");
        }
    }
    // Every acknowledged event is in the database itself (read directly, not through the proxy).
    let direct = Store::connect(&app.database.url).await.unwrap();
    assert_eq!(direct.count_rows("events").await.unwrap(), n as i64 + 1);
    let accepted_then = answers.iter().filter(|s| **s == 202).count();
    assert!(accepted_then >= 15, "{answers:?}");
}
