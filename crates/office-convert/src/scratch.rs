use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A private directory under the scratch root, removed when dropped.
///
/// The name mixes pid, time and a process-wide counter so that concurrent
/// calls, and several service processes sharing one scratch root, never meet.
#[derive(Debug)]
pub(crate) struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    pub(crate) fn create(root: &Path, prefix: &str) -> std::io::Result<Self> {
        std::fs::create_dir_all(root)?;
        loop {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = root.join(format!("{prefix}-{}-{nanos:x}-{n}", std::process::id()));
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(Self { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.path) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(path = %self.path.display(), error = %e, "could not remove scratch dir");
            }
        }
    }
}

/// `file://` URL for LibreOffice's `-env:UserInstallation` and LOK calls.
///
/// Only characters that are unsafe in a URL path are escaped, so ordinary
/// paths stay readable in diagnostics.
pub(crate) fn file_url(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut url = String::from("file://");
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dirs_are_unique_and_removed() {
        let root = std::env::temp_dir().join("office-convert-scratch-test");
        let a = ScratchDir::create(&root, "t").unwrap();
        let b = ScratchDir::create(&root, "t").unwrap();
        assert_ne!(a.path(), b.path());
        let kept = a.path().to_path_buf();
        drop(a);
        assert!(!kept.exists());
    }

    #[test]
    fn url_escapes_spaces_and_non_ascii() {
        assert_eq!(
            file_url(Path::new("/tmp/a b/ñ")),
            "file:///tmp/a%20b/%C3%B1"
        );
    }
}
