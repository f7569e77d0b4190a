//! Wiring: `Application::build(config)` connects everything and binds the listener, so tests run
//! the real application on port 0.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use office_convert::{Converter, PoolOptions, SpawnConverter, WorkerCommand};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::alerts::Alerter;
use crate::catalog::{ProfileRegistry, ProfilesSettings};
use crate::config::{Config, ConverterKind, MailTransportKind, ReportConfig};
use crate::db::{IntakeWriter, Store};
use crate::files::Storage;
use crate::http::guard::Guards;
use crate::http::{router, server, AppContext};
use crate::jobs::{AnswerBatches, Deps, Queue, SharedBudget};
use crate::learnworlds::LearnWorlds;
use crate::mail;
use crate::sweep::{self, SweepOptions};

/// Shared by the HTTP handlers.
pub struct Application {
    listener: TcpListener,
    router: Router,
    context: Arc<AppContext>,
}

/// What a caller (the tests) provides instead of what `build` would start from the
/// configuration.
#[derive(Default)]
pub struct Overrides {
    /// Used instead of starting the configured PDF converter.
    pub converter: Option<Arc<dyn Converter>>,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with(config, Overrides::default()).await
    }

    pub async fn build_with(config: Config, overrides: Overrides) -> anyhow::Result<Self> {
        let store = Store::connect(&config.database_url)
            .await
            .with_context(|| {
                format!(
                    "opening the database (DATABASE_URL={})",
                    redact_url(&config.database_url)
                )
            })?;
        let storage = Storage::from_config(&config)?;
        let budget = SharedBudget::new(
            store.clone(),
            config.learnworlds.rate_limit,
            config.learnworlds.rate_window,
        );
        let learnworlds = LearnWorlds::new(&config.learnworlds)
            .context("building the LearnWorlds HTTP client")?
            .with_budget(Arc::new(budget));
        let mailer: Arc<dyn mail::MailTransport> =
            Arc::from(mail::transport_from_config(&config).context("configuring email")?);
        let alerts = Arc::new(
            Alerter::new(
                store.clone(),
                config.alerts.clone(),
                config.mail.clone(),
                mailer.clone(),
            )
            .context("building the alerts HTTP client")?,
        );
        let profiles = Arc::new(
            ProfileRegistry::load(
                storage.clone(),
                ProfilesSettings::from_config(&config.report),
            )
            .await
            .with_context(|| {
                format!(
                    "reading the report profiles ({})",
                    config.report.profiles_path
                )
            })?,
        );
        let converter = match overrides.converter {
            Some(converter) => converter,
            None => start_converter(&config.report).await,
        };
        let deps = Arc::new(Deps {
            store: store.clone(),
            profiles: profiles.clone(),
            storage,
            learnworlds,
            answers: AnswerBatches::default(),
            converter,
            mailer,
            mail: config.mail.clone(),
            alerts,
        });
        let job_ready = Arc::new(Notify::new());
        let queue = Arc::new(Queue::new(deps, config.queue.clone(), job_ready.clone()));
        let intake = IntakeWriter::spawn(store.clone(), job_ready);
        let addr = SocketAddr::new(config.host, config.port);
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {addr} (PORT)"))?;
        crate::telemetry::metrics::install();
        let context = Arc::new(AppContext {
            guards: Guards::new(&config.server),
            smtp_probe: Default::default(),
            dashboard: Default::default(),
            config,
            store,
            intake,
            queue,
            profiles,
        });
        let router = router(context.clone());
        Ok(Self {
            listener,
            router,
            context,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_default()
    }

    pub fn context(&self) -> Arc<AppContext> {
        self.context.clone()
    }

    /// Serves and runs the workers until SIGTERM / Ctrl-C.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let stop = CancellationToken::new();
        let signal = stop.clone();
        tokio::spawn(async move {
            shutdown_signal().await;
            info!("shutdown requested: finishing in-flight work");
            signal.cancel();
        });
        self.run_until(stop).await
    }

    pub async fn run_until(self, stop: CancellationToken) -> anyhow::Result<()> {
        self.log_startup().await;
        let ctx = self.context.clone();
        tokio::spawn(ctx.profiles.clone().refresh_loop(stop.clone()));
        tokio::spawn(flush_refusals(ctx.clone(), stop.clone()));
        tokio::spawn(ctx.queue.deps().alerts.clone().run(stop.clone()));
        let workers = if ctx.queue.deps().learnworlds.is_configured() {
            tokio::spawn(
                ctx.queue
                    .clone()
                    .run_workers(stop.clone(), ctx.config.shutdown_grace),
            )
        } else {
            warn!("LearnWorlds API not configured (CLIENT_ID, ACCESS_TOKEN or CLIENT_SECRET, SCHOOL_DOMAIN): webhooks are recorded and queued, but no report is produced until it is configured and the service restarted");
            tokio::spawn(async {})
        };
        let sweeps = tokio::spawn(sweep_on_schedule(ctx.clone(), stop.clone()));
        server::serve(self.listener, self.router, &ctx.config.server, stop.clone()).await;
        sweeps.abort();
        ctx.guards.refusals.flush_all();
        workers.await.context("worker pool failed")?;
        ctx.store.close().await;
        info!("stopped");
        Ok(())
    }

    async fn log_startup(&self) {
        let ctx = &self.context;
        let p = ctx.queue.deps();
        info!(
            port = self.port(),
            version = env!("CARGO_PKG_VERSION"),
            database = ?ctx.store.backend(),
            storage = %p.storage.describe(),
            email = %p.mailer.describe(),
            workers = ctx.config.queue.workers,
            webhook_rate_limit_per_minute = ctx.config.server.rate_limit_per_minute,
            auth_failures_per_minute = ctx.config.server.auth_failures_per_minute,
            trusted_proxies = %describe_proxies(&ctx.config.server.trusted_proxies),
            "webhook-service started"
        );
        if ctx.config.mail.transport == MailTransportKind::Outbox {
            warn!(outbox = %ctx.config.outbox_dir().display(), "no SMTP_SERVER or MAIL_TRANSPORT configured: emails are written as .eml files to the outbox folder, not sent");
        }
        let alerts = &ctx.config.alerts;
        if alerts.enabled() {
            info!(
                admin_email = alerts.admin_email.is_some(),
                slack = alerts.slack_webhook.is_some(),
                min_interval_s = alerts.min_interval.as_secs(),
                "operator alerts are on"
            );
        } else {
            warn!("no ADMIN_EMAIL or SLACK_WEBHOOK_URL: dead jobs and mail parks alert nobody (see `webhook-service status`)");
        }
        if ctx.config.webhook.secrets.is_empty() && ctx.config.webhook.url_token.is_none() {
            warn!("ALLOW_UNSIGNED_WEBHOOKS=true: anyone who knows the URL can post webhooks");
        }
        // `config check`, in the background so that start-up is not slowed by every bank.
        tokio::spawn(crate::catalog::check::log(ctx.profiles.clone()));
        let health = p.converter.health().await;
        if !health.ok {
            warn!(detail = %health.detail, "the PDF converter is not usable");
        }
    }
}

/// The reconciliation sweep every `RECONCILE_INTERVAL`, by one instance at a time (the one
/// holding the sweep lease), the first a minute after start-up.
async fn sweep_on_schedule(ctx: Arc<AppContext>, stop: CancellationToken) {
    let Some(interval) = ctx.config.sweep.interval else {
        return;
    };
    let deps = ctx.queue.deps();
    if !deps.learnworlds.is_configured() {
        return;
    }
    let opts = SweepOptions {
        days: ctx.config.sweep.days,
        ..Default::default()
    };
    let holder: i64 = rand::random();
    let mut next = tokio::time::Instant::now() + interval.min(Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep_until(next) => {}
        }
        next += interval;
        let profiles = ctx.profiles.current();
        match sweep::sweep_if_leader(&ctx.store, &deps.learnworlds, &profiles, &opts, holder).await
        {
            Ok(Some(report)) => {
                let queued = report.totals().queued as usize;
                let ids: Vec<String> = report
                    .assessments
                    .iter()
                    .filter(|a| a.found.iter().any(|f| f.action.queues()))
                    .map(|a| a.assessment_id.clone())
                    .collect();
                deps.alerts.missed_students(queued, &ids).await;
            }
            Ok(None) => {}
            Err(e) => {
                warn!(code = "sweep_failed", error = %e, "the reconciliation sweep failed; it runs again at the next interval")
            }
        }
    }
}

/// `TRUSTED_PROXIES` as the start-up line shows it.
fn describe_proxies(p: &crate::config::TrustedProxies) -> String {
    let mut parts: Vec<String> = p.nets.iter().map(ToString::to_string).collect();
    if p.any_peer {
        parts.insert(0, "* (any peer, one hop)".into());
    }
    if parts.is_empty() {
        "none (the socket's peer is the client)".into()
    } else {
        parts.join(", ")
    }
}

/// Every few seconds, the refusals counted silently in a sampling window that has ended are
/// logged (`RefusalLog::flush`), so an attack's last minute is not lost (at shutdown,
/// `run_until` logs the rest).
async fn flush_refusals(ctx: Arc<AppContext>, stop: CancellationToken) {
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => ctx.guards.refusals.flush(),
        }
    }
}

/// The warm LibreOffice pool (started and warmed up here), or one `soffice` per document.
pub(crate) async fn start_converter(cfg: &ReportConfig) -> Arc<dyn Converter> {
    let c = &cfg.converter;
    let mut opts = PoolOptions {
        instances: c.instances,
        queue_capacity: c.queue,
        timeout: cfg.convert_timeout,
        recycle_after: c.recycle_after,
        memory_limit: Some(c.memory_limit_mb.saturating_mul(1024 * 1024)),
        office_program: cfg.soffice.clone(),
        scratch_dir: std::env::temp_dir().join("webhook-service"),
        pdf: cfg.pdf,
        ..PoolOptions::default()
    };
    if let Some(program) = &c.worker_program {
        opts.worker = WorkerCommand::new(program);
    }
    match c.kind {
        ConverterKind::Spawn => Arc::new(SpawnConverter::new(opts.spawn_options())),
        // best_available logs its own warning when it has to fall back.
        ConverterKind::Pool => office_convert::best_available(opts).await.0,
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// The URL without its password, for error messages. A URL the parser refuses (e.g. Cloud
/// SQL's `postgres://user:pass@/db?host=…`, "empty host") is redacted by hand: its error is
/// exactly the one that gets printed, and on Cloud Run the password is a Secret Manager value.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("****"));
            u.to_string()
        }
        Ok(_) => url.to_string(),
        Err(_) => redact_unparsed(url),
    }
}

fn redact_unparsed(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let rest = &url[scheme_end..];
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    match authority.rfind('@') {
        Some(at) => match authority[..at].find(':') {
            Some(colon) => format!(
                "{}{}:****{}",
                &url[..scheme_end],
                &authority[..colon],
                &rest[at..]
            ),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod redact_tests {
    use super::redact_url;

    #[test]
    fn a_password_never_reaches_an_error_message_even_in_a_url_the_parser_refuses() {
        assert_eq!(
            redact_url("postgres://app:s3cr3t@db:5432/x"),
            "postgres://app:****@db:5432/x"
        );
        let cloud_sql = "postgres://app:s3cr3t@/x?host=/cloudsql/p:r:i";
        assert_eq!(
            redact_url(cloud_sql),
            "postgres://app:****@/x?host=/cloudsql/p:r:i"
        );
        assert_eq!(
            redact_url("sqlite://./a.db?mode=rwc"),
            "sqlite://./a.db?mode=rwc"
        );
        assert!(!redact_url("postgres://a:p@ss@/x").contains("p@ss"));
    }
}
