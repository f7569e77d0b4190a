//! Word (.docx) to PDF conversion through LibreOffice.
//!
//! [`Pool`] keeps LibreOfficeKit running in worker processes (the service's
//! own binary, dispatched through [`run_worker_if_requested`]);
//! [`SpawnConverter`] starts one `soffice` per document and is the fallback.
//! Every converter implements [`Converter`], so the service holds an
//! `Arc<dyn Converter>` from [`best_available`] and does not care which one
//! it got.

mod best;
mod error;
mod locate;
mod pdf;
mod pool;
mod procgroup;
mod protocol;
mod scratch;
mod spawn;
mod worker;

pub use best::best_available;
pub use error::ConvertError;
pub use pdf::{PdfFormat, PdfOptions};
pub use pool::{InstanceState, InstanceStats, Pool, PoolOptions, PoolStats, WorkerCommand};
pub use spawn::{SpawnConverter, SpawnOptions};
pub use worker::{run_worker_if_requested, worker_main, WORKER_ARG};

/// Readiness of a converter, for `/readyz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// A conversion can be attempted now.
    pub ok: bool,
    /// What is running, or why it is not; never document content.
    pub detail: String,
}

impl Health {
    pub(crate) fn down(detail: String) -> Self {
        Self { ok: false, detail }
    }
}

#[async_trait::async_trait]
pub trait Converter: Send + Sync + 'static {
    /// Convert a .docx document to PDF.
    async fn convert(&self, docx: Vec<u8>) -> Result<Vec<u8>, ConvertError>;
    /// Readiness: Ok when a conversion can be attempted now; the detail says
    /// why not (missing binary, pool dead…).
    async fn health(&self) -> Health;
    fn name(&self) -> &str;
    /// The pool's instances and counters (metrics); None for a converter that is not a pool.
    fn pool_stats(&self) -> Option<PoolStats> {
        None
    }
}

/// A .docx is a zip archive; anything else is rejected before LibreOffice
/// sees it, since LibreOffice would import unknown bytes as text.
pub(crate) fn check_docx(docx: &[u8]) -> Result<(), ConvertError> {
    if docx.starts_with(b"PK\x03\x04") {
        Ok(())
    } else {
        Err(ConvertError::Failed(
            "input is not a .docx document (not a zip archive)".into(),
        ))
    }
}
