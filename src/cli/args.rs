//! The command line's arguments (clap): the service and the operator's commands.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use super::profiles;

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
    /// Lift a mail park (after raising the provider's quota) and send the waiting emails now.
    UnparkMail,
    /// Find the students who completed an assessment but have no report (through the API) and
    /// queue them; the service does the same every RECONCILE_INTERVAL.
    Reconcile {
        #[command(flatten)]
        args: super::reconcile::ReconcileArgs,
    },
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
