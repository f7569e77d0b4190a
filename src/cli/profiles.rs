//! The operator's profile commands: `config check`, `analyse`, `preview`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use serde_json::json;

use crate::catalog::{check, ProfileRegistry, ProfilesSettings};
use crate::config::{Config, ConverterKind};
use crate::domain::context::ReportContext;
use crate::domain::event::SubmissionEvent;
use crate::domain::submission::Submission;
use crate::files::Storage;
use crate::learnworlds::types::submission;
use crate::rules::bank::{Bank, LoadedBank};
use crate::rules::delivery::email_for;
use crate::rules::facts::facts;
use crate::rules::patterns::Vars;
use crate::rules::routing::sheet::parse_name;
use crate::rules::{Profile, RouteTarget};

use super::output::Out;

/// What `analyse` and `preview` are asked to report.
#[derive(Debug, clap::Args)]
pub struct AnalyseArgs {
    /// The profile (report type) to apply.
    #[arg(long)]
    pub profile: String,
    /// A `GET /v2/assessments/{id}/responses` answer (or a list of submissions, or one).
    #[arg(long)]
    pub responses: PathBuf,
    /// The student's user id or email (default: the first submission, the newest).
    #[arg(long)]
    pub user: Option<String>,
    /// The assessment's name in the routing spreadsheet, or its title: it names the bank
    /// (default: the profile's title).
    #[arg(long)]
    pub assessment: Option<String>,
    /// A local bank file instead of the one the profile finds in storage.
    #[arg(long)]
    pub bank: Option<PathBuf>,
    /// The student's name as LearnWorlds' user record gives it (first and last name); without
    /// it the report greets by the username or email of the responses.
    #[arg(long)]
    pub student_name: Option<String>,
}

pub(super) async fn registry(config: &Config) -> anyhow::Result<ProfileRegistry> {
    let storage = Storage::from_config(config)?;
    ProfileRegistry::load(storage, ProfilesSettings::from_config(&config.report))
        .await
        .with_context(|| format!("reading {}", config.report.profiles_path))
}

pub async fn config_check(config: &Config, out: Out) -> anyhow::Result<ExitCode> {
    let registry = registry(config).await?;
    let report = check::run(&registry).await;
    if out.json {
        out.json(
            &json!({"ok": report.errors == 0, "errors": report.errors, "lines": report.lines}),
        )?;
    } else {
        print!("{report}");
    }
    Ok(if report.errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn pick_submission(path: &Path, user: Option<&str>) -> anyhow::Result<Submission> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let items = match &value {
        serde_json::Value::Array(list) => list.clone(),
        v if v.get("data").is_some_and(|d| d.is_array()) => {
            v["data"].as_array().cloned().unwrap_or_default()
        }
        v => vec![v.clone()],
    };
    let all: Vec<Submission> = items.iter().filter_map(submission).collect();
    if all.is_empty() {
        bail!(
            "{} holds no submission (expected LearnWorlds' responses answer)",
            path.display()
        );
    }
    match user {
        None => Ok(all[0].clone()),
        Some(u) => all
            .into_iter()
            .find(|s| s.user_id.as_deref() == Some(u) || s.email.as_deref() == Some(u))
            .with_context(|| format!("no submission of user {u} in {}", path.display())),
    }
}

async fn context(
    registry: &ProfileRegistry,
    args: &AnalyseArgs,
) -> anyhow::Result<(Arc<Profile>, ReportContext, Arc<LoadedBank>)> {
    let set = registry.current();
    let profile = set.profile(&args.profile)?;
    let mut sub = pick_submission(&args.responses, args.user.as_deref())?;
    sub.display_name = args.student_name.clone();
    let name = args
        .assessment
        .clone()
        .unwrap_or_else(|| profile.title().to_string());
    let parsed = parse_name(&name, &set.routing.aliases());
    let event = SubmissionEvent {
        user_id: sub
            .user_id
            .clone()
            .or(args.user.clone())
            .unwrap_or_default(),
        username: None,
        email: sub.email.clone(),
        assessment_id: String::new(),
        assessment_title: name.clone(),
        assessment_url: String::new(),
        course_id: None,
        submission_id: Some(sub.id.clone()),
        school_name: None,
    };
    let route = RouteTarget {
        profile: profile.name().to_string(),
        assessment_name: Some(name),
        group: parsed.as_ref().map(|p| p.group.clone()),
        kind: parsed.as_ref().map(|p| p.kind.clone()),
        number: parsed.and_then(|p| p.number),
        via: "command line".into(),
    };
    let facts = facts(&event, &route, &sub);
    let vars = Vars::new(
        profile.name(),
        &facts.assessment,
        &facts.student,
        &facts.submission,
    );
    let bank = match &args.bank {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            Arc::new(LoadedBank::prepare(
                Bank::parse(&path.display().to_string(), &bytes)?,
                &profile.spec.bank,
            )?)
        }
        None => registry.bank(&profile, &vars).await?,
    };
    let tables = registry.tables(&profile, &vars).await?;
    let ctx = crate::rules::analyse(&profile, &bank, &sub.answers, facts, &tables)?;
    Ok((profile, ctx, bank))
}

pub async fn analyse(config: &Config, args: &AnalyseArgs) -> anyhow::Result<ExitCode> {
    let registry = registry(config).await?;
    let (_, ctx, _) = context(&registry, args).await?;
    println!("{}", serde_json::to_string_pretty(&ctx)?);
    Ok(ExitCode::SUCCESS)
}

pub async fn preview(
    config: &Config,
    args: &AnalyseArgs,
    out: &Path,
    print: Out,
) -> anyhow::Result<ExitCode> {
    let registry = registry(config).await?;
    let (profile, ctx, bank) = context(&registry, args).await?;
    // What a proof-reader would flag, printed before the report is looked at.
    let path = &profile.spec.template;
    for w in registry.template(path).await?.lint() {
        println!("warning: template {path}: {w}");
    }
    for echo in bank.bank.header_echoes() {
        println!("warning: bank {}: {echo}", bank.bank.file);
    }
    let docx = registry.render_report(&profile, &ctx).await?;
    let bytes = if out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("docx"))
    {
        docx
    } else {
        // One document: a single soffice run is quicker than warming up the pool.
        let mut report = config.report.clone();
        report.converter.kind = ConverterKind::Spawn;
        let converter = crate::startup::start_converter(&report).await;
        converter.convert(docx).await?
    };
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    let parts = email_for(&profile, &ctx)?;
    if print.json {
        print.json(&json!({
            "report": out,
            "subject": parts.subject,
            "attachment": parts.attachment,
            "body": parts.body,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("report written to {} (nothing was sent)", out.display());
    println!("email subject: {}", parts.subject);
    println!("attachment:    {}", parts.attachment);
    println!("---\n{}", parts.body);
    Ok(ExitCode::SUCCESS)
}
