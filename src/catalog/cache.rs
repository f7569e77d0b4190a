//! Files read from storage, kept for a minute so that the operator can replace any of them
//! without a restart while a burst of jobs does not read each one thousands of times.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::rules::ProfileError;

const FILE_TTL: Duration = Duration::from_secs(60);

pub struct Cache<T> {
    entries: tokio::sync::Mutex<HashMap<String, (Instant, Arc<T>)>>,
}

impl<T> Cache<T> {
    pub fn new() -> Self {
        Self {
            entries: tokio::sync::Mutex::new(HashMap::new()),
        }
    }

    pub async fn get_or_load<F, Fut>(&self, key: &str, load: F) -> Result<Arc<T>, ProfileError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, ProfileError>>,
    {
        if let Some((at, v)) = self.entries.lock().await.get(key) {
            if at.elapsed() < FILE_TTL {
                return Ok(v.clone());
            }
        }
        // Loaded without the lock: a slow bucket must not stall every other job.
        let value = Arc::new(load().await?);
        self.entries
            .lock()
            .await
            .insert(key.to_string(), (Instant::now(), value.clone()));
        Ok(value)
    }

    pub async fn forget(&self, key: &str) {
        self.entries.lock().await.remove(key);
    }
}
