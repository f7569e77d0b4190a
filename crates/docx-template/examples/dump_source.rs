//! Print the Jinja source generated for each part of a template (debugging aid).
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dump_source T.docx");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    match docx_template::Template::from_bytes(&bytes).and_then(|t| t.debug_sources()) {
        Ok(sources) => {
            for (label, src) in sources {
                println!("=== {label}\n{src}");
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
