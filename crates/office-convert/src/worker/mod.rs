//! The pool's worker process: LibreOfficeKit in a process of its own,
//! converting one document at a time on request over stdin/stdout.
//!
//! The service ships one binary: its `main` calls
//! [`run_worker_if_requested`] first, and the pool starts that same binary
//! with [`WORKER_ARG`].

mod lok;

use std::ffi::OsString;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::os::fd::FromRawFd;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::protocol::{self, read_frame, write_frame};
use crate::scratch::file_url;

/// Set in every worker's environment. A worker program that forgot to call
/// [`run_worker_if_requested`] would otherwise run its normal `main`, start a
/// pool of its own and multiply without end.
pub(crate) const IN_WORKER_ENV: &str = "OFFICE_CONVERT_IN_WORKER";

/// The `writer_pdf_Export` filter options (`PdfOptions::filter_options`) every conversion
/// of this worker uses; absent or empty means LibreOffice's defaults.
pub(crate) const PDF_OPTIONS_ENV: &str = "OFFICE_CONVERT_PDF_OPTIONS";

/// First argument that turns a process into a pool worker.
pub const WORKER_ARG: &str = "--office-convert-worker";

/// If this process was started as a pool worker, run the worker and exit;
/// otherwise return at once. Call it first thing in `main`, before argument
/// parsing or starting an async runtime.
pub fn run_worker_if_requested() {
    if std::env::args_os().nth(1).is_some_and(|a| a == WORKER_ARG) {
        std::process::exit(worker_main());
    }
}

/// Run the worker loop with this process's arguments
/// (`<exe> --office-convert-worker <program-dir> <profile-dir> <work-dir>`)
/// and return the exit code. Never returns on a clean shutdown: the process
/// leaves through `_exit` so LibreOffice's own teardown cannot hang it.
pub fn worker_main() -> i32 {
    let args: Vec<OsString> = std::env::args_os()
        .skip_while(|a| a != WORKER_ARG)
        .skip(1)
        .collect();
    let [program_dir, profile_dir, work_dir] = match <[OsString; 3]>::try_from(args) {
        Ok(a) => a,
        Err(_) => {
            eprintln!("usage: {WORKER_ARG} <libreoffice-program-dir> <profile-dir> <work-dir>");
            return 2;
        }
    };
    let Some(mut out) = take_protocol_stdout() else {
        eprintln!("office-convert worker: cannot set up its output channel");
        return 2;
    };
    exit_with_parent();
    let code = serve(
        Path::new(&program_dir),
        Path::new(&profile_dir),
        &PathBuf::from(work_dir),
        &mut out,
    );
    let _ = out.flush();
    // SAFETY: _exit ends the process without running LibreOffice's atexit
    // handlers, which can block for seconds or forever after a failure.
    unsafe { libc::_exit(code) }
}

/// Move the protocol onto a private descriptor and point fd 1 at stderr, so
/// anything LibreOffice prints cannot corrupt the frames.
fn take_protocol_stdout() -> Option<BufWriter<File>> {
    // SAFETY: plain descriptor calls on fds this process owns.
    unsafe {
        let private = libc::fcntl(1, libc::F_DUPFD_CLOEXEC, 3);
        if private < 0 || libc::dup2(2, 1) < 0 {
            return None;
        }
        Some(BufWriter::new(File::from_raw_fd(private)))
    }
}

/// A worker must not outlive the service, even while stuck inside
/// LibreOffice, so a watchdog thread exits once the parent is gone.
fn exit_with_parent() {
    let parent = std::os::unix::process::parent_id();
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(500));
        if std::os::unix::process::parent_id() != parent {
            // SAFETY: _exit is async-signal-safe and skips teardown.
            unsafe { libc::_exit(70) }
        }
    });
}

fn serve(program_dir: &Path, profile_dir: &Path, work_dir: &Path, out: &mut impl Write) -> i32 {
    let kit = match lok::Kit::init(program_dir, &file_url(profile_dir)) {
        Ok(kit) => kit,
        Err(msg) => {
            let _ = write_frame(out, protocol::INIT_FAILED, msg.as_bytes());
            return 3;
        }
    };
    if write_frame(out, protocol::READY, kit.version().as_bytes()).is_err() {
        return 4;
    }
    if let Err(e) = std::fs::create_dir_all(work_dir) {
        let _ = write_frame(
            out,
            protocol::INIT_FAILED,
            format!("work dir: {e}").as_bytes(),
        );
        return 3;
    }
    let input = work_dir.join("input.docx");
    let output = work_dir.join("output.pdf");
    let pdf_options = std::env::var(PDF_OPTIONS_ENV).unwrap_or_default();
    let mut stdin = BufReader::new(std::io::stdin().lock());
    loop {
        let (tag, payload) = match read_frame(&mut stdin) {
            Ok(Some(frame)) => frame,
            Ok(None) => return 0,
            Err(_) => return 5,
        };
        if tag != protocol::CONVERT {
            return 6;
        }
        let (tag, reply) = convert_one(&kit, &payload, &input, &output, &pdf_options);
        drop(payload);
        if write_frame(out, tag, &reply).is_err() {
            return 4;
        }
    }
}

fn convert_one(
    kit: &lok::Kit,
    docx: &[u8],
    input: &Path,
    output: &Path,
    pdf_options: &str,
) -> (u8, Vec<u8>) {
    let _ = std::fs::remove_file(output);
    if let Err(e) = std::fs::write(input, docx) {
        return (
            protocol::WORKER_ERROR,
            format!("write input: {e}").into_bytes(),
        );
    }
    let result = kit.to_pdf(&file_url(input), &file_url(output), pdf_options);
    let _ = std::fs::remove_file(input);
    let reply = match result {
        Ok(()) => match std::fs::read(output) {
            Ok(pdf) if pdf.starts_with(b"%PDF") => (protocol::PDF, pdf),
            Ok(_) => (
                protocol::REJECTED,
                b"export wrote something that is not a PDF".to_vec(),
            ),
            Err(e) => (
                protocol::WORKER_ERROR,
                format!("read output: {e}").into_bytes(),
            ),
        },
        Err(lok::Failure::Load(msg)) => (
            protocol::REJECTED,
            format!("LibreOffice could not load the document: {msg}").into_bytes(),
        ),
        Err(lok::Failure::Save(msg)) => (
            protocol::REJECTED,
            format!("LibreOffice could not export the document: {msg}").into_bytes(),
        ),
    };
    let _ = std::fs::remove_file(output);
    reply
}
