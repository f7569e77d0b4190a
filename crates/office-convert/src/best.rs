use std::sync::Arc;

use crate::{Converter, Pool, PoolOptions, SpawnConverter};

/// The fastest converter this machine can run: the LibreOfficeKit pool, or
/// when it cannot start, one `soffice` per document. The warning (also shown
/// by the fallback's `health()`, hence on `/readyz`) says why.
pub async fn best_available(opts: PoolOptions) -> (Arc<dyn Converter>, Option<String>) {
    let spawn_opts = opts.spawn_options();
    match Pool::start(opts).await {
        Ok(pool) => (Arc::new(pool), None),
        Err(e) => {
            let warning = format!(
                "LibreOffice pool unavailable ({e}); falling back to one soffice per document (slow)"
            );
            tracing::warn!("{warning}");
            let fallback = SpawnConverter::with_warning(spawn_opts, warning.clone());
            (Arc::new(fallback), Some(warning))
        }
    }
}
