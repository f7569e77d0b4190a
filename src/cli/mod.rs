//! The `webhook-service` command line: the service itself and the operator's tools.

mod args;
mod commands;
mod output;
mod profiles;
mod queue;
mod reconcile;
mod reroute;
mod resend;
mod template;

use std::process::ExitCode;

use clap::Parser;

pub use args::{Cli, Command, ConfigCommand, TemplateCommand};

use crate::config::{Config, Source};
use crate::db::{Requeue, StatusQuery};
use output::Out;

/// An operator's command found no service database: exit status 2, like a configuration error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NoDatabase(pub String);

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Out::new(cli.json);
    let command = cli.command.unwrap_or(Command::Serve);
    if !matches!(command, Command::Serve) {
        restore_default_sigpipe();
    }
    let config = match load_config(&command, cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            json_error(out, "configuration", &e.to_string());
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    crate::telemetry::init(&config.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(command, config, out)) {
        Ok(code) => code,
        Err(e) if e.is::<NoDatabase>() => {
            json_error(out, "no_database", &e.to_string());
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            json_error(out, "failed", &format!("{e:#}"));
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// With `--json`, a failure is a JSON document on stdout too, so a script reads one format.
fn json_error(out: Out, code: &str, message: &str) {
    if out.json {
        let _ = out.json(&serde_json::json!({"error": code, "message": message}));
    }
}

/// Rust ignores SIGPIPE, so `webhook-service status | head` would end in a "broken pipe"
/// panic; the one-shot tools behave like other Unix tools instead. The server keeps ignoring
/// it: a client that hangs up must not stop the service.
fn restore_default_sigpipe() {
    // SAFETY: called before any thread is started; only changes this signal's disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Only the service and `send-test` deal with webhooks: the other tools must work on a machine
/// that has no webhook secret configured (an operator's laptop, the conformance corpus).
fn load_config(
    command: &Command,
    file: Option<&std::path::Path>,
) -> Result<Config, crate::config::ConfigError> {
    let mut source = Source::load(file)?;
    if !matches!(command, Command::Serve | Command::SendTest { .. }) {
        source.set_default("ALLOW_UNSIGNED_WEBHOOKS", "true");
    }
    Config::from_source(&source)
}

async fn run(command: Command, config: Config, out: Out) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve => {
            crate::Application::build(config)
                .await?
                .run_until_stopped()
                .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::SendTest { url, file, unique } => {
            commands::send_test(&config, url, file, unique, out).await
        }
        Command::EmailTest { to } => commands::email_test(&config, &to, out).await,
        Command::Template {
            command: TemplateCommand::Validate { file, context },
        } => template::validate(&config, file, context, out).await,
        Command::Template {
            command: TemplateCommand::Sample { out_dir },
        } => {
            std::fs::create_dir_all(&out_dir)?;
            let path = template::sample_context_file(&config, &out_dir)?;
            if out.json {
                out.json(
                    &serde_json::json!({"context": path, "chart": out_dir.join("chart.png")}),
                )?;
            } else {
                println!("wrote {} and its chart.png", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Template {
            command:
                TemplateCommand::Render {
                    template: t,
                    context,
                    out: rendered,
                    pdf,
                    test_helpers,
                },
        } => {
            let code = template::render(
                &config,
                &t,
                &context,
                &rendered,
                pdf.as_deref(),
                test_helpers,
            )
            .await?;
            if out.json {
                out.json(&serde_json::json!({"ok": code == ExitCode::SUCCESS, "docx": rendered, "pdf": pdf}))?;
            }
            Ok(code)
        }
        Command::Status {
            limit,
            email,
            assessment,
            deliveries,
        } => {
            let query = StatusQuery {
                limit,
                email,
                assessment,
                deliveries,
            };
            queue::status(&config, query, out).await
        }
        Command::Requeue { job, code } => {
            let which = match (job.is_empty(), code) {
                (false, _) => Requeue::Ids(job),
                (true, Some(code)) => Requeue::Code(code),
                (true, None) => Requeue::AllDead,
            };
            queue::requeue(&config, which, out).await
        }
        Command::Retry { job } => queue::retry(&config, &job, out).await,
        Command::Resend { job } => resend::resend(&config, job, out).await,
        Command::Config {
            command: ConfigCommand::Check,
        } => profiles::config_check(&config, out).await,
        Command::Reroute => reroute::reroute(&config, out).await,
        Command::Reconcile { args } => reconcile::reconcile(&config, &args, out).await,
        Command::UnparkMail => queue::unpark_mail(&config, out).await,
        Command::Analyse { args } => profiles::analyse(&config, &args).await,
        Command::Preview { args, out: file } => profiles::preview(&config, &args, &file, out).await,
    }
}
