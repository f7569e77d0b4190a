//! The database a test runs on, chosen by `TEST_DATABASE`: `sqlite` (the default, a file in
//! the test's temporary folder) or `postgres` (a fresh database per test on the server of
//! `TEST_POSTGRES_URL`, dropped when the test ends). scripts/test.sh runs this binary once
//! with each.

use std::path::Path;

use sqlx::Connection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn backend() -> Backend {
    match std::env::var("TEST_DATABASE").as_deref() {
        Err(_) | Ok("") | Ok("sqlite") => Backend::Sqlite,
        Ok("postgres") | Ok("postgresql") => Backend::Postgres,
        Ok(other) => panic!("TEST_DATABASE={other}: expected sqlite or postgres"),
    }
}

/// The server's maintenance database (default: the role scripts/postgres-for-tests.sh creates).
fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://webhook_test:webhook_test@127.0.0.1:5432/postgres".into())
}

/// A fresh, empty database; a PostgreSQL one is dropped with this value.
pub struct TestDatabase {
    pub url: String,
    /// The PostgreSQL database to drop.
    postgres: Option<String>,
}

impl TestDatabase {
    /// A database of the backend `TEST_DATABASE` names; a SQLite file goes in `dir` (and goes
    /// with it).
    pub async fn create(dir: &Path) -> Self {
        match backend() {
            Backend::Sqlite => Self::sqlite(dir),
            Backend::Postgres => Self::postgres().await,
        }
    }

    pub fn sqlite(dir: &Path) -> Self {
        Self {
            url: format!("sqlite://{}?mode=rwc", dir.join("service.db").display()),
            postgres: None,
        }
    }

    pub async fn postgres() -> Self {
        let admin = postgres_admin_url();
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .expect("PostgreSQL reachable (scripts/test.sh starts it)");
        let name = format!("webhook_test_{:016x}", rand::random::<u64>());
        // The name is ours: a fixed prefix and hex digits.
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create database");
        let _ = conn.close().await;
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
        Self {
            url: format!("{base}/{name}"),
            postgres: Some(name),
        }
    }
}

impl TestDatabase {
    /// The URL with its host and port replaced by `via` (`host:port`).
    pub fn url_via(&self, via: &str) -> String {
        let mut url = url::Url::parse(&self.url).expect("database URL");
        let (host, port) = via.rsplit_once(':').expect("host:port");
        url.set_host(Some(host)).expect("host");
        url.set_port(Some(port.parse().expect("port")))
            .expect("port");
        url.to_string()
    }

    /// Where PostgreSQL listens (`host:port` of `TEST_POSTGRES_URL`).
    pub fn postgres_address() -> String {
        let url = url::Url::parse(&postgres_admin_url()).expect("TEST_POSTGRES_URL");
        format!(
            "{}:{}",
            url.host_str().unwrap_or("127.0.0.1"),
            url.port().unwrap_or(5432)
        )
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(name) = self.postgres.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which must not be blocked on: the statement runs
        // on a thread and runtime of its own. FORCE ends the connections the application may
        // still hold (PostgreSQL 13+).
        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        let dropped = std::thread::spawn(move || -> anyhow::Result<()> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&postgres_admin_url()).await?;
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut conn)
                    .await?;
                conn.close().await?;
                Ok(())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("warning: test database {name} not dropped: {e}"),
            Err(_) => eprintln!("warning: test database {name} not dropped (thread panicked)"),
        }
    }
}
