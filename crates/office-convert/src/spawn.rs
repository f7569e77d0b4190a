use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::process::Command;

use crate::error::clip;
use crate::locate::{find_program, INSTALL_HINT};
use crate::procgroup::{read_capped, GroupKiller};
use crate::scratch::{file_url, ScratchDir};
use crate::{check_docx, ConvertError, Converter, Health, PdfOptions};

/// Settings for [`SpawnConverter`].
#[derive(Debug, Clone)]
pub struct SpawnOptions {
    /// LibreOffice launcher; `None` finds `soffice`/`libreoffice` on PATH and
    /// in the usual install places.
    pub program: Option<PathBuf>,
    /// Longest one conversion may take before the process group is killed.
    pub timeout: Duration,
    /// Where per-call directories (input, output, profile) are made.
    pub scratch_dir: PathBuf,
    /// PDF flavour and tagging.
    pub pdf: PdfOptions,
}

impl Default for SpawnOptions {
    fn default() -> Self {
        Self {
            program: None,
            timeout: Duration::from_secs(60),
            scratch_dir: std::env::temp_dir().join("office-convert"),
            pdf: PdfOptions::default(),
        }
    }
}

/// Converts each document with its own `soffice --headless --convert-to pdf`.
///
/// Slow (a LibreOffice start per document) but needs nothing beyond the
/// LibreOffice packages, so it is the fallback when the pool cannot start.
#[derive(Debug)]
pub struct SpawnConverter {
    opts: SpawnOptions,
    warning: Option<String>,
}

impl SpawnConverter {
    pub fn new(opts: SpawnOptions) -> Self {
        Self {
            opts,
            warning: None,
        }
    }

    /// Same converter, but `health()` carries `warning` (e.g. why the pool
    /// is not in use) so that readiness probes show it.
    pub fn with_warning(opts: SpawnOptions, warning: String) -> Self {
        Self {
            opts,
            warning: Some(warning),
        }
    }

    pub fn options(&self) -> &SpawnOptions {
        &self.opts
    }
}

const STDERR_KEEP: usize = 8 * 1024;
const PIPE_DRAIN: Duration = Duration::from_secs(2);

#[async_trait::async_trait]
impl Converter for SpawnConverter {
    async fn convert(&self, docx: Vec<u8>) -> Result<Vec<u8>, ConvertError> {
        check_docx(&docx)?;
        let program = find_program(self.opts.program.as_deref())?;
        let dir = ScratchDir::create(&self.opts.scratch_dir, "spawn")?;
        let input = dir.path().join("document.docx");
        let outdir = dir.path().join("out");
        tokio::fs::write(&input, &docx).await?;
        drop(docx);

        let mut cmd = Command::new(&program);
        cmd.args([
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
        ])
        .arg(format!(
            "-env:UserInstallation={}",
            file_url(&dir.path().join("profile"))
        ))
        // Without a forced import filter, LibreOffice opens bytes it does
        // not recognise as plain text and "succeeds" with garbage.
        .arg("--infilter=MS Word 2007 XML")
        .arg("--convert-to")
        .arg(format!(
            "pdf:writer_pdf_Export:{}",
            self.opts.pdf.filter_options()
        ))
        .arg("--outdir")
        .arg(&outdir)
        .arg(&input)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
        let mut child = cmd.spawn().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
                ConvertError::NotInstalled(format!(
                    "cannot run {}: {e}; {INSTALL_HINT}",
                    program.display()
                ))
            }
            _ => ConvertError::Io(e),
        })?;
        // Dropping the guard (also when this future is cancelled) kills
        // soffice.bin and any helper it forked.
        let group = GroupKiller::new(child.id());
        let stdout = tokio::spawn(read_capped(child.stdout.take(), STDERR_KEEP));
        let stderr = tokio::spawn(read_capped(child.stderr.take(), STDERR_KEEP));

        let status = match tokio::time::timeout(self.opts.timeout, child.wait()).await {
            Ok(status) => status?,
            Err(_) => {
                group.kill();
                let _ = tokio::time::timeout(PIPE_DRAIN, child.wait()).await;
                return Err(ConvertError::Timeout(self.opts.timeout));
            }
        };
        // Stragglers would keep the pipes (and the profile) open.
        group.kill();
        let mut diagnostics = String::new();
        for task in [stdout, stderr] {
            if let Ok(Ok(text)) = tokio::time::timeout(PIPE_DRAIN, task).await {
                diagnostics.push_str(&text);
            }
        }

        match tokio::fs::read(outdir.join("document.pdf")).await {
            Ok(pdf) if pdf.starts_with(b"%PDF") => Ok(pdf),
            Ok(_) => Err(ConvertError::Failed(
                "LibreOffice wrote an output that is not a PDF".into(),
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(classify_failure(status, &diagnostics))
            }
            Err(e) => Err(ConvertError::Io(e)),
        }
    }

    async fn health(&self) -> Health {
        let program = match find_program(self.opts.program.as_deref()) {
            Ok(p) => p,
            Err(e) => return Health::down(e.to_string()),
        };
        if let Err(e) = ScratchDir::create(&self.opts.scratch_dir, "health") {
            return Health::down(format!(
                "scratch dir {} not writable: {e}",
                self.opts.scratch_dir.display()
            ));
        }
        let mut detail = format!("spawn-per-document via {}", program.display());
        if let Some(w) = &self.warning {
            detail = format!("{detail}; warning: {w}");
        }
        Health { ok: true, detail }
    }

    fn name(&self) -> &str {
        "spawn"
    }
}

/// No PDF appeared: tell a document LibreOffice rejects (permanent) from a
/// process that died (worth retrying).
fn classify_failure(status: ExitStatus, diagnostics: &str) -> ConvertError {
    use std::os::unix::process::ExitStatusExt;
    let relevant: String = diagnostics
        .lines()
        .filter(|l| !l.contains("javaldx"))
        .collect::<Vec<_>>()
        .join("; ");
    let relevant = clip(&relevant, 1024);
    if let Some(sig) = status.signal() {
        return ConvertError::Crashed(format!("soffice killed by signal {sig}: {relevant}"));
    }
    if relevant.contains("could not be loaded") {
        return ConvertError::Failed(format!(
            "LibreOffice could not load the document: {relevant}"
        ));
    }
    if !status.success() {
        return ConvertError::Crashed(format!("soffice exited with {status}: {relevant}"));
    }
    ConvertError::Failed(format!("LibreOffice produced no PDF: {relevant}"))
}
