use tokio::io::{AsyncRead, AsyncReadExt};

/// Kills a whole process group when dropped.
///
/// `soffice` is a shell script that starts `soffice.bin`, which may fork again;
/// killing only the direct child would leave the real office process running
/// with its profile locked. Every child we start leads its own group, so the
/// group id is the child's pid.
#[derive(Debug)]
pub(crate) struct GroupKiller {
    pgid: Option<i32>,
}

impl GroupKiller {
    pub(crate) fn new(pid: Option<u32>) -> Self {
        Self {
            pgid: pid.and_then(|p| i32::try_from(p).ok()).filter(|p| *p > 1),
        }
    }

    pub(crate) fn kill(&self) {
        if let Some(pgid) = self.pgid {
            // SAFETY: killpg only sends a signal; a group that is already gone
            // yields ESRCH, which is what we want to ignore.
            unsafe {
                libc::killpg(pgid, libc::SIGKILL);
            }
        }
    }
}

impl Drop for GroupKiller {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Read a child's output to the end but keep only its first `max` bytes, so a
/// runaway process cannot fill memory and cannot block on a full pipe.
pub(crate) async fn read_capped<R: AsyncRead + Unpin>(reader: Option<R>, max: usize) -> String {
    let Some(mut reader) = reader else {
        return String::new();
    };
    let mut kept = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match reader.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = max.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
    String::from_utf8_lossy(&kept).into_owned()
}
