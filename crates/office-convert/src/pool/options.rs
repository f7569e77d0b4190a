use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::locate::{find_program, is_executable, INSTALL_HINT};
use crate::{ConvertError, PdfOptions, SpawnOptions};

/// Settings for [`crate::Pool`]. `Default` suits the service: one instance
/// per core, started and warmed before the pool reports ready.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// LibreOffice instances (worker processes). Default: CPU count.
    pub instances: usize,
    /// Conversions that may wait for an instance; one more is refused with
    /// `Overloaded`. Default 64.
    pub queue_capacity: usize,
    /// Longest one conversion attempt may take before its instance is
    /// killed. Default 60 s.
    pub timeout: Duration,
    /// Longest a conversion may wait in the queue before it is refused with
    /// `Overloaded`. Default 120 s.
    pub queue_timeout: Duration,
    /// Longest an instance may take to start and warm up. Default 60 s.
    pub start_timeout: Duration,
    /// Replace an instance after this many conversions, bounding leaks and
    /// fragmentation; 0 never recycles. Default 200.
    pub recycle_after: u64,
    /// Kill and replace an instance whose resident memory exceeds this many
    /// bytes (checked while converting and after each conversion). Default
    /// 1 GiB; `None` disables the check.
    pub memory_limit: Option<u64>,
    /// Convert a small built-in document when an instance starts. Default on.
    pub warm_up: bool,
    /// Further attempts, on a fresh instance, for a conversion whose instance
    /// crashed, hung or ran out of memory. Default 1.
    pub retries: u32,
    /// LibreOffice launcher used to find its program directory (and by the
    /// spawn fallback). `None` searches PATH and the usual places.
    pub office_program: Option<PathBuf>,
    /// LibreOffice's `program` directory holding `libmergedlo.so` or
    /// `libsofficeapp.so`. `None` derives it from `office_program`.
    pub office_dir: Option<PathBuf>,
    /// The executable run as a worker; it must call
    /// [`crate::run_worker_if_requested`] first thing in `main`.
    pub worker: WorkerCommand,
    /// Where instance profiles and per-call files live.
    pub scratch_dir: PathBuf,
    /// PDF flavour and tagging, for every instance (and the spawn fallback).
    pub pdf: PdfOptions,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            instances: std::thread::available_parallelism().map_or(1, |n| n.get()),
            queue_capacity: 64,
            timeout: Duration::from_secs(60),
            queue_timeout: Duration::from_secs(120),
            start_timeout: Duration::from_secs(60),
            recycle_after: 200,
            memory_limit: Some(1024 * 1024 * 1024),
            warm_up: true,
            retries: 1,
            office_program: None,
            office_dir: None,
            worker: WorkerCommand::current_exe(),
            scratch_dir: std::env::temp_dir().join("office-convert"),
            pdf: PdfOptions::default(),
        }
    }
}

impl PoolOptions {
    /// Options for the spawn-per-document fallback that match these.
    pub fn spawn_options(&self) -> SpawnOptions {
        SpawnOptions {
            program: self.office_program.clone(),
            timeout: self.timeout,
            scratch_dir: self.scratch_dir.clone(),
            pdf: self.pdf,
        }
    }

    /// The `program` directory LibreOfficeKit is loaded from.
    pub(crate) fn resolve_office_dir(&self) -> Result<PathBuf, ConvertError> {
        if let Some(dir) = &self.office_dir {
            return has_kit(dir).then(|| dir.clone()).ok_or_else(|| no_kit(dir));
        }
        let launcher = find_program(self.office_program.as_deref())?;
        // /usr/bin/soffice is a symlink into the real program directory.
        let real = std::fs::canonicalize(&launcher).unwrap_or(launcher);
        let dir = real.parent().map(Path::to_path_buf).unwrap_or_default();
        if has_kit(&dir) {
            return Ok(dir);
        }
        let usual = Path::new("/usr/lib/libreoffice/program");
        if has_kit(usual) {
            return Ok(usual.to_path_buf());
        }
        Err(no_kit(&dir))
    }
}

fn has_kit(dir: &Path) -> bool {
    ["libmergedlo.so", "libsofficeapp.so"]
        .iter()
        .any(|lib| std::fs::metadata(dir.join(lib)).is_ok_and(|m| m.len() > 100))
}

fn no_kit(dir: &Path) -> ConvertError {
    ConvertError::NotInstalled(format!(
        "no LibreOfficeKit library (libmergedlo.so or libsofficeapp.so) in {}; {INSTALL_HINT}",
        dir.display()
    ))
}

/// The executable started as a pool worker and the arguments that come
/// before [`crate::WORKER_ARG`].
#[derive(Debug, Clone)]
pub struct WorkerCommand {
    pub program: PathBuf,
    pub args: Vec<OsString>,
}

impl WorkerCommand {
    /// This very executable: the service dispatches to the worker from its
    /// own `main`, so only one binary ships.
    pub fn current_exe() -> Self {
        let program = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("/proc/self/exe"));
        Self::new(program)
    }

    pub fn new(program: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
            args: Vec::new(),
        }
    }

    pub(crate) fn check(&self) -> Result<(), ConvertError> {
        if is_executable(&self.program) {
            Ok(())
        } else {
            Err(ConvertError::NotInstalled(format!(
                "worker program {} is not executable",
                self.program.display()
            )))
        }
    }
}
