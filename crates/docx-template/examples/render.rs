//! Render a template from files, the way `webhook-service template render` does:
//! `render --template T.docx --context ctx.json --out out.docx`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut template = None;
    let mut context = None;
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let slot = match a.as_str() {
            "--template" => &mut template,
            "--context" => &mut context,
            "--out" => &mut out,
            other => {
                eprintln!("render: unknown argument {other}");
                return ExitCode::from(2);
            }
        };
        *slot = args.next().map(PathBuf::from);
    }
    let (Some(template), Some(context), Some(out)) = (template, context, out) else {
        eprintln!("usage: render --template T.docx --context ctx.json --out out.docx");
        return ExitCode::from(2);
    };
    // The conformance corpus needs docxtpl's test filters; the service never registers them.
    let options = docx_template::TemplateOptions {
        jinja: docx_template::JinjaOptions {
            test_helpers: true,
            ..Default::default()
        },
        ..Default::default()
    };
    match docx_template::cli::render_files_with(&template, &context, &out, options) {
        Ok(summary) => {
            for name in &summary.unresolved {
                eprintln!("warning: placeholder <<{name}>> has no value and was left in place");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
