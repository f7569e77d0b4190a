//! `validate FILE [--context ctx.json]`: what `webhook-service template validate` prints.
//! Exit status 1 when the template has errors, 2 on bad usage.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut file = None;
    let mut context = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--context" => context = args.next().map(PathBuf::from),
            _ if file.is_none() => file = Some(PathBuf::from(a)),
            other => {
                eprintln!("validate: unexpected argument {other}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(file) = file else {
        eprintln!("usage: validate FILE.docx [--context ctx.json]");
        return ExitCode::from(2);
    };
    let report = docx_template::cli::validate_files(&file, context.as_deref());
    print!("{report}");
    if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
