//! Render a template many times in a loop (for profilers): `profile_render T.docx ctx.json N`.
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: profile_render T.docx ctx.json N");
        std::process::exit(2);
    }
    let run = || -> Result<(), docx_template::TemplateError> {
        let bytes = std::fs::read(&args[1]).map_err(|source| docx_template::TemplateError::Io {
            path: args[1].clone(),
            source,
        })?;
        let tpl = docx_template::Template::from_bytes(&bytes)?;
        let ctx = docx_template::Context::from_json_file(Path::new(&args[2]))?;
        let n: usize = args[3].parse().unwrap_or(1000);
        let start = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(tpl.render(&ctx)?);
        }
        eprintln!(
            "{:.3} ms per render",
            start.elapsed().as_secs_f64() * 1000.0 / n as f64
        );
        Ok(())
    };
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
