//! `webhook-service template validate|render`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use docx_template::{cli, JinjaOptions, TemplateOptions};
use office_convert::{Converter, SpawnConverter, SpawnOptions};

use crate::config::Config;
use crate::files::Storage;
use crate::report::{bar_chart_png, chart_title, CHART_WIDTH_MM};
use crate::rules::sample::sample_context;

pub async fn validate(
    config: &Config,
    file: Option<PathBuf>,
    context: Option<PathBuf>,
    out: super::output::Out,
) -> anyhow::Result<ExitCode> {
    let scratch = tempfile::tempdir()?;
    let template = match file {
        Some(path) => path,
        None => {
            // The configured template lives in storage (maybe a bucket): check a local copy.
            let storage = Storage::from_config(config)?;
            let key = &config.report.template_path;
            let bytes = storage
                .get(key)
                .await?
                .with_context(|| format!("{key} not found in {}", storage.describe()))?;
            let path = scratch.path().join("template.docx");
            std::fs::write(&path, bytes)?;
            path
        }
    };
    let context = match context {
        Some(path) => path,
        None => sample_context_file(config, scratch.path())?,
    };
    let report = cli::validate_files(&template, Some(&context));
    let mut text = report.to_string();
    let unknown: Vec<String> = report
        .unresolved_legacy
        .iter()
        .map(|n| format!("<<{n}>>"))
        .collect();
    if !unknown.is_empty() {
        text.push_str(&format!(
            "UNKNOWN placeholders the report does not fill: {}\n",
            unknown.join(", ")
        ));
    }
    let problems =
        !report.is_ok() || !report.undefined.is_empty() || !report.unresolved_legacy.is_empty();
    if out.json {
        out.json(&serde_json::json!({
            "ok": !problems,
            "undefined": report.undefined,
            "unknown_placeholders": unknown,
            "report": text,
        }))?;
    } else {
        print!("{text}");
    }
    Ok(if problems {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The report context (the seed diagnostic on the sample bank) and a real chart, as a JSON file
/// the template engine can read (`$image` paths are relative to it).
pub fn sample_context_file(config: &Config, dir: &Path) -> anyhow::Result<PathBuf> {
    let sample = sample_context()?;
    let chart = bar_chart_png(
        &sample.groups,
        &config.report.chart_colors,
        &chart_title(&sample.group_column),
    )?;
    std::fs::write(dir.join("chart.png"), chart)?;
    let mut json = serde_json::to_value(&sample)?;
    json["chart"] =
        serde_json::json!({"$image": {"path": "chart.png", "width_mm": CHART_WIDTH_MM}});
    let path = dir.join("context.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&json)?)?;
    Ok(path)
}

pub async fn render(
    config: &Config,
    template: &Path,
    context: &Path,
    out: &Path,
    pdf: Option<&Path>,
    test_helpers: bool,
) -> anyhow::Result<ExitCode> {
    let options = TemplateOptions {
        jinja: JinjaOptions {
            test_helpers: test_helpers || case_requires_helpers(context),
            ..JinjaOptions::default()
        },
        ..TemplateOptions::default()
    };
    let summary = match cli::render_files_with(template, context, out, options) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    for name in &summary.unresolved {
        eprintln!("warning: placeholder <<{name}>> has no value and was left in place");
    }
    if let Some(pdf_path) = pdf {
        let converter = SpawnConverter::new(SpawnOptions {
            program: config.report.soffice.clone(),
            timeout: config.report.convert_timeout,
            scratch_dir: std::env::temp_dir().join("webhook-service"),
            pdf: config.report.pdf,
        });
        let docx = std::fs::read(out)?;
        let bytes = converter.convert(docx).await?;
        std::fs::write(pdf_path, bytes)
            .with_context(|| format!("writing {}", pdf_path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The conformance corpus declares the test-only filters a case needs in its case.json.
fn case_requires_helpers(context: &Path) -> bool {
    let Some(case) = context.parent().map(|d| d.join("case.json")) else {
        return false;
    };
    let Ok(text) = std::fs::read_to_string(case) else {
        return false;
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return false;
    };
    let listed = |k: &str| json[k].as_array().is_some_and(|a| !a.is_empty());
    listed("requires_filters") || listed("requires_globals")
}
