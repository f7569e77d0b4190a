//! One LibreOfficeKit worker process as seen from the pool.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use crate::error::clip;
use crate::procgroup::GroupKiller;
use crate::protocol::{self, read_frame_async, write_frame_async};
use crate::scratch::ScratchDir;
use crate::WORKER_ARG;

/// Small document converted at start-up so the first real job does not pay
/// for loading Writer's import and export filters.
const WARM_UP_DOCX: &[u8] = include_bytes!("warmup.docx");
const STDERR_TAIL: usize = 4096;
const MEMORY_POLL: Duration = Duration::from_millis(200);

/// How to start a worker and where its LibreOffice lives.
#[derive(Debug, Clone)]
pub(crate) struct Launch {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub office_dir: PathBuf,
    pub scratch_root: PathBuf,
    pub start_timeout: Duration,
    pub warm_up: bool,
    /// `writer_pdf_Export` options, handed to the worker in its environment.
    pub pdf_filter_options: String,
}

/// Why a conversion on an instance did not produce a PDF.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// LibreOffice refused the document; the instance is still healthy.
    Rejected(String),
    /// The process died, hung or broke the protocol; it must be replaced.
    Lost(String),
    TimedOut,
    OverMemory(u64),
}

pub(crate) struct Instance {
    // Field order matters: the process group dies before its directory goes.
    group: GroupKiller,
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    stderr_tail: Arc<Mutex<String>>,
    pub(crate) pid: u32,
    pub(crate) conversions: u64,
    pub(crate) peak_rss: u64,
    _dir: ScratchDir,
}

impl Instance {
    pub(crate) async fn start(launch: &Launch) -> Result<Instance, String> {
        let dir = ScratchDir::create(&launch.scratch_root, "lok")
            .map_err(|e| format!("scratch dir: {e}"))?;
        let mut cmd = Command::new(&launch.program);
        cmd.args(&launch.args)
            .arg(WORKER_ARG)
            .arg(&launch.office_dir)
            .arg(dir.path().join("profile"))
            .arg(dir.path().join("work"))
            .env(crate::worker::IN_WORKER_ENV, "1")
            .env(crate::worker::PDF_OPTIONS_ENV, &launch.pdf_filter_options)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start worker {}: {e}", launch.program.display()))?;
        let group = GroupKiller::new(child.id());
        let pid = child.id().ok_or("worker exited at once")?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err("worker pipes missing".into());
        };
        let stderr_tail = Arc::new(Mutex::new(String::new()));
        tokio::spawn(keep_tail(stderr, stderr_tail.clone()));
        let mut inst = Instance {
            group,
            child,
            stdin,
            stdout: BufReader::new(stdout),
            stderr_tail,
            pid,
            conversions: 0,
            peak_rss: 0,
            _dir: dir,
        };
        let ready = tokio::time::timeout(launch.start_timeout, read_frame_async(&mut inst.stdout));
        match ready.await {
            Ok(Ok((protocol::READY, _))) => {}
            Ok(Ok((protocol::INIT_FAILED, msg))) => {
                return Err(format!("LibreOfficeKit: {}", String::from_utf8_lossy(&msg)))
            }
            Ok(Ok((tag, _))) => return Err(format!("worker sent unexpected frame {tag}")),
            Ok(Err(_)) => return Err(inst.death_note("worker exited during start-up").await),
            Err(_) => {
                return Err(format!(
                    "worker not ready within {:?}",
                    launch.start_timeout
                ))
            }
        }
        if launch.warm_up {
            match inst.convert(WARM_UP_DOCX, launch.start_timeout, None).await {
                Ok(_) => inst.conversions = 0,
                Err(e) => return Err(format!("warm-up conversion failed: {e:?}")),
            }
        }
        Ok(inst)
    }

    /// Convert on this instance. Any outcome but `Ok` and `Rejected` leaves
    /// the instance unusable: the caller must drop it.
    pub(crate) async fn convert(
        &mut self,
        docx: &[u8],
        timeout: Duration,
        memory_limit: Option<u64>,
    ) -> Result<Vec<u8>, Outcome> {
        let pid = self.pid;
        let exchange = async {
            write_frame_async(&mut self.stdin, protocol::CONVERT, docx).await?;
            read_frame_async(&mut self.stdout).await
        };
        let watch = watch_memory(pid, memory_limit);
        let result = tokio::time::timeout(timeout, async {
            tokio::select! {
                r = exchange => Ok(r),
                over = watch => Err(over),
            }
        })
        .await;
        self.note_rss();
        match result {
            Err(_) => Err(Outcome::TimedOut),
            Ok(Err(rss)) => Err(Outcome::OverMemory(rss)),
            Ok(Ok(Ok((protocol::PDF, pdf)))) => {
                self.conversions += 1;
                Ok(pdf)
            }
            Ok(Ok(Ok((protocol::REJECTED, msg)))) => {
                self.conversions += 1;
                Err(Outcome::Rejected(
                    String::from_utf8_lossy(&msg).into_owned(),
                ))
            }
            Ok(Ok(Ok((protocol::WORKER_ERROR, msg)))) => Err(Outcome::Lost(format!(
                "worker I/O: {}",
                String::from_utf8_lossy(&msg)
            ))),
            Ok(Ok(Ok((tag, _)))) => Err(Outcome::Lost(format!("unexpected frame {tag}"))),
            Ok(Ok(Err(_))) => Err(Outcome::Lost(self.death_note("worker died").await)),
        }
    }

    /// Current resident memory in bytes, if the process still exists.
    pub(crate) fn rss(&self) -> Option<u64> {
        read_status_kib(self.pid, "VmRSS:").map(|k| k * 1024)
    }

    fn note_rss(&mut self) {
        if let Some(hwm) = read_status_kib(self.pid, "VmHWM:") {
            self.peak_rss = self.peak_rss.max(hwm * 1024);
        }
    }

    pub(crate) fn kill(&mut self) {
        self.group.kill();
    }

    /// Exit status and the end of stderr, for the log and the error message.
    async fn death_note(&mut self, what: &str) -> String {
        let status = tokio::time::timeout(Duration::from_secs(2), self.child.wait()).await;
        let status = match status {
            Ok(Ok(s)) => s.to_string(),
            _ => "still running".into(),
        };
        let tail = self
            .stderr_tail
            .lock()
            .map(|t| t.clone())
            .unwrap_or_default();
        let tail = clip(tail.lines().last().unwrap_or(""), 300);
        format!("{what} ({status}); stderr: {tail}")
    }
}

/// Resolves only when the process is over `limit`; pending forever otherwise.
async fn watch_memory(pid: u32, limit: Option<u64>) -> u64 {
    let Some(limit) = limit else {
        return std::future::pending().await;
    };
    loop {
        tokio::time::sleep(MEMORY_POLL).await;
        if let Some(kib) = read_status_kib(pid, "VmRSS:") {
            if kib * 1024 > limit {
                return kib * 1024;
            }
        }
    }
}

pub(crate) fn read_status_kib(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Keep the last few KiB of the worker's stderr: LibreOffice's warnings are
/// useful when a worker dies, but are not worth a log line each.
async fn keep_tail(mut stderr: tokio::process::ChildStderr, tail: Arc<Mutex<String>>) {
    let mut buf = [0u8; 2048];
    while let Ok(n) = stderr.read(&mut buf).await {
        if n == 0 {
            break;
        }
        if let Ok(mut t) = tail.lock() {
            t.push_str(&String::from_utf8_lossy(&buf[..n]));
            if t.len() > STDERR_TAIL {
                let mut cut = t.len() - STDERR_TAIL;
                while !t.is_char_boundary(cut) {
                    cut += 1;
                }
                t.drain(..cut);
            }
        }
    }
}
