use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The school's real Word drafts, shared by all worktrees of the service.
pub fn fixtures_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("OFFICE_CONVERT_FIXTURES") {
        return PathBuf::from(dir);
    }
    // The service's test script exports the shared test data folder.
    if let Some(dir) = std::env::var_os("SHARED_DIR") {
        return PathBuf::from(dir).join("fixtures/templates");
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/templates")
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

pub fn all_fixtures() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures dir readable")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "docx"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(
        !out.is_empty(),
        "no .docx fixtures in {}",
        fixtures_dir().display()
    );
    out
}

/// A fresh scratch root per test, so leftovers can be attributed.
pub fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("office-convert-it-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run_poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let dir = tempdir_for(tool);
    let path = dir.join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new(tool)
        .args(args)
        .arg(&path)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| panic!("{tool} (apt-get install poppler-utils): {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn tempdir_for(tool: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "office-convert-it-{}-{tool}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn pdf_text(pdf: &[u8]) -> String {
    run_poppler("pdftotext", &["-enc", "UTF-8"], pdf)
}

/// `pdfinfo` (with `-meta`: the XMP metadata stream instead).
pub fn pdf_info(pdf: &[u8], meta: bool) -> String {
    run_poppler("pdfinfo", if meta { &["-meta"][..] } else { &[][..] }, pdf)
}

/// `pdffonts`: (font name, embedded) for every font of the PDF.
pub fn pdf_fonts(pdf: &[u8]) -> Vec<(String, bool)> {
    run_poppler("pdffonts", &[], pdf)
        .lines()
        .skip(2)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            // The last five columns are emb, sub, uni and the object id (two numbers).
            let emb = cols.len().checked_sub(5).map(|i| cols[i])?;
            Some((cols[0].to_string(), emb == "yes"))
        })
        .collect()
}

pub fn pdf_pages(pdf: &[u8]) -> u32 {
    let info = run_poppler("pdfinfo", &[], pdf);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("pdfinfo prints Pages")
}

/// Processes whose command line mentions `needle` (e.g. a scratch dir, which
/// every LibreOffice we start carries in its profile argument).
pub fn processes_mentioning(needle: &str) -> Vec<u32> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            if String::from_utf8_lossy(&cmdline).contains(needle) {
                found.push(pid);
            }
        }
    }
    found
}

/// Poll `cond` until it holds or `limit` passes; tests never rely on a fixed
/// sleep being long enough.
pub async fn wait_until(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn alive(pid: u32) -> bool {
    // A killed worker may linger as a zombie until reaped; that is not alive.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            !s.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
        .unwrap_or(false)
}
