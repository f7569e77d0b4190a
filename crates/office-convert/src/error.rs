use std::time::Duration;

/// Why a conversion did not produce a PDF.
///
/// Callers decide whether to retry with [`ConvertError::is_transient`]; the
/// messages never contain document text, only paths, exit statuses and the
/// converter's own diagnostics.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    /// LibreOffice (or a piece the converter needs) is not on this machine.
    #[error("converter not installed: {0}")]
    NotInstalled(String),
    /// The conversion did not finish in time; the converter process was killed.
    #[error("conversion timed out after {0:?}")]
    Timeout(Duration),
    /// The converter process died or misbehaved while converting.
    #[error("converter crashed: {0}")]
    Crashed(String),
    /// The document could not be converted (not a Word document, corrupt…).
    #[error("conversion failed: {0}")]
    Failed(String),
    /// Too many conversions are waiting; try again later.
    #[error("converter overloaded: too many conversions waiting")]
    Overloaded,
    /// Scratch files could not be written or read.
    #[error("converter I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl ConvertError {
    /// Whether the same document may succeed if tried again later.
    ///
    /// A missing installation or a document LibreOffice rejects will fail the
    /// same way every time, so retrying them only wastes a worker.
    pub fn is_transient(&self) -> bool {
        match self {
            ConvertError::NotInstalled(_) | ConvertError::Failed(_) => false,
            ConvertError::Timeout(_)
            | ConvertError::Crashed(_)
            | ConvertError::Overloaded
            | ConvertError::Io(_) => true,
        }
    }
}

/// Keep diagnostics short: LibreOffice can be chatty and errors end up in logs
/// and HTTP bodies.
pub(crate) fn clip(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_classification() {
        assert!(!ConvertError::NotInstalled("x".into()).is_transient());
        assert!(!ConvertError::Failed("x".into()).is_transient());
        assert!(ConvertError::Timeout(Duration::from_secs(1)).is_transient());
        assert!(ConvertError::Crashed("x".into()).is_transient());
        assert!(ConvertError::Overloaded.is_transient());
    }

    #[test]
    fn clip_respects_char_boundaries() {
        assert_eq!(clip("  añb  ", 10), "añb");
        assert_eq!(clip("ñññ", 3), "ñ…");
    }
}
