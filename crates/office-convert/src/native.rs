//! Pure-Rust conversion with docxide-pdf (cargo feature `native`).
//!
//! Not used by default: it must first pass the fidelity check on every
//! document (see README.md). It runs on a blocking thread, which cannot be
//! killed: on timeout the caller gets an error while the thread finishes on
//! its own, so a bound on concurrent conversions keeps that from piling up.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::{check_docx, ConvertError, Converter, Health};

pub struct NativeConverter {
    timeout: Duration,
    slots: Arc<Semaphore>,
}

impl NativeConverter {
    /// `concurrency` conversions at once at most; more are refused with
    /// `Overloaded` rather than queued without bound.
    pub fn new(timeout: Duration, concurrency: usize) -> Self {
        Self {
            timeout,
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }
}

#[async_trait::async_trait]
impl Converter for NativeConverter {
    async fn convert(&self, docx: Vec<u8>) -> Result<Vec<u8>, ConvertError> {
        check_docx(&docx)?;
        let permit = self
            .slots
            .clone()
            .try_acquire_owned()
            .map_err(|_| ConvertError::Overloaded)?;
        let work = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            docxide_pdf::convert_docx_bytes_to_pdf_bytes(&docx)
        });
        match tokio::time::timeout(self.timeout, work).await {
            Err(_) => Err(ConvertError::Timeout(self.timeout)),
            Ok(Err(join)) => Err(ConvertError::Crashed(format!(
                "native converter panicked: {join}"
            ))),
            Ok(Ok(Err(e))) => Err(ConvertError::Failed(format!("native converter: {e}"))),
            Ok(Ok(Ok(pdf))) => Ok(pdf),
        }
    }

    async fn health(&self) -> Health {
        Health {
            ok: true,
            detail: format!(
                "native docxide-pdf converter, {} of its slots free",
                self.slots.available_permits()
            ),
        }
    }

    fn name(&self) -> &str {
        "native"
    }
}
