//! The `webhook-service` command line: the service itself and the operator's tools.

mod commands;
mod output;
mod profiles;
mod queue;
mod resend;
mod template;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{Config, Source};
use crate::db::{Requeue, StatusQuery};
use output::Out;

/// An operator's command found no service database: exit status 2, like a configuration error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NoDatabase(pub String);

#[derive(Debug, Parser)]
#[command(
    name = "webhook-service",
    version,
    about = "LearnWorlds assessment submissions in, PDF reports out by email"
)]
pub struct Cli {
    /// Extra settings file (KEY=VALUE lines), read after the environment and `.env`.
    #[arg(long, global = true, env = "CONFIG_FILE")]
    pub config: Option<PathBuf>,
    /// Print the command's result as JSON on stdout (errors too, as {"error", "message"}).
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service (the default).
    Serve,
    /// Post a correctly signed sample webhook to a running service.
    SendTest {
        /// Where to post (default http://127.0.0.1:$PORT/webhook).
        #[arg(long)]
        url: Option<String>,
        /// The event to post (default: test_data.json, else the built-in sample).
        #[arg(long)]
        file: Option<PathBuf>,
        /// Post a real submission of the event's student and assessment that the service has
        /// not recorded yet, looked up (newest first) in the configured LearnWorlds API, so
        /// that its job can succeed; exit 1 when the API has none left.
        #[arg(long)]
        unique: bool,
    },
    /// Send a test email with the configured settings.
    EmailTest {
        #[arg(long)]
        to: String,
    },
    /// Work with the Word template.
    Template {
        #[command(subcommand)]
        command: TemplateCommand,
    },
    /// Job counts per state, the latest failures, unroutable submissions (and deliveries).
    /// Exit status 1 while a job is dead or a submission routes nowhere.
    Status {
        /// Rows per list.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Only the student whose email contains this (case does not matter).
        #[arg(long)]
        email: Option<String>,
        /// Only the assessment whose title contains this, or whose id it is.
        #[arg(long)]
        assessment: Option<String>,
        /// Also list the reports emailed, newest first.
        #[arg(long)]
        deliveries: bool,
    },
    /// Put dead jobs back in the queue with fresh attempts: all, those whose last error has
    /// one code (--code), or the ones named (--job, repeatable; exit 1 for an id that is not
    /// a dead job).
    Requeue {
        #[arg(long, conflicts_with = "code")]
        job: Vec<i64>,
        #[arg(long)]
        code: Option<String>,
    },
    /// Run jobs now: a queued job waiting out its back-off becomes due at once, a dead job is
    /// queued again (exit 1 for an id that is neither).
    Retry {
        #[arg(long, required = true)]
        job: Vec<i64>,
    },
    /// Email a delivered report again (a new message, recorded as a resend; the original
    /// delivery record is not changed).
    Resend {
        #[arg(long)]
        job: i64,
    },
    /// Work with the report profiles (docs/profiles.md).
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Queue the submissions recorded as unroutable (422) that route now.
    Reroute,
    /// Analyse a submission with a profile and print the report context as JSON.
    #[command(alias = "analyze")]
    Analyse {
        #[command(flatten)]
        args: profiles::AnalyseArgs,
    },
    /// Render a submission's real report (PDF, or .docx) without sending anything.
    Preview {
        #[command(flatten)]
        args: profiles::AnalyseArgs,
        /// Where to write it (`.pdf` or `.docx`).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Load every profile, route, bank and template from storage and report every problem
    /// (exit status 1 when there is one).
    Check,
}

#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Check a template: syntax, the variables and placeholders it uses, and those the report
    /// context (or --context) does not define. Exit code 1 on any problem.
    Validate {
        /// A .docx file (default: the configured template, from storage).
        file: Option<PathBuf>,
        /// A JSON context to check against instead of the report's documented context.
        #[arg(long)]
        context: Option<PathBuf>,
    },
    /// Write the documented report context with sample data (context.json + chart.png) to a
    /// folder, to try a template with `template render`.
    Sample {
        #[arg(long)]
        out_dir: PathBuf,
    },
    /// Fill a template with a JSON context (see docs/templates.md), optionally also as PDF.
    Render {
        #[arg(long)]
        template: PathBuf,
        #[arg(long)]
        context: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        pdf: Option<PathBuf>,
        /// Register docxtpl's test filters (my_filterA, my_filterB, iteritems); also enabled
        /// when a case.json beside the context asks for them (the conformance corpus).
        #[arg(long)]
        test_helpers: bool,
    },
}

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
        Command::Reroute => profiles::reroute(&config, out).await,
        Command::Analyse { args } => profiles::analyse(&config, &args).await,
        Command::Preview { args, out: file } => profiles::preview(&config, &args, &file, out).await,
    }
}
