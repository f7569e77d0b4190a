//! The `webhook-service` command line: the service itself and the operator's tools.

mod commands;
mod profiles;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;

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
        /// Give the event a fresh submission id, so it is not taken for a duplicate.
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
    /// Job counts per state and the latest failures.
    Status {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Put dead jobs back in the queue (all, or one with --job).
    Requeue {
        #[arg(long)]
        job: Option<i64>,
    },
    /// Work with the report profiles (docs/profiles.md).
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Queue the submissions recorded as unroutable (422) that route now.
    Reroute,
    /// Analyse a submission with a profile and print the report context as JSON.
    Analyze {
        #[command(flatten)]
        args: profiles::AnalyzeArgs,
    },
    /// Render a submission's real report (PDF, or .docx) without sending anything.
    Preview {
        #[command(flatten)]
        args: profiles::AnalyzeArgs,
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
    /// List the template's placeholders and report the ones the service cannot fill.
    Validate {
        /// A .docx file (default: the configured template, from storage).
        file: Option<PathBuf>,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
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
    match runtime.block_on(run(cli.command.unwrap_or(Command::Serve), config)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve => {
            crate::Application::build(config)
                .await?
                .run_until_stopped()
                .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::SendTest { url, file, unique } => {
            commands::send_test(&config, url, file, unique).await
        }
        Command::EmailTest { to } => commands::email_test(&config, &to).await,
        Command::Template {
            command: TemplateCommand::Validate { file },
        } => commands::template_validate(&config, file).await,
        Command::Status { json } => commands::status(&config, json).await,
        Command::Requeue { job } => commands::requeue(&config, job).await,
        Command::Config {
            command: ConfigCommand::Check,
        } => profiles::config_check(&config).await,
        Command::Reroute => profiles::reroute(&config).await,
        Command::Analyze { args } => profiles::analyze(&config, &args).await,
        Command::Preview { args, out } => profiles::preview(&config, &args, &out).await,
    }
}
