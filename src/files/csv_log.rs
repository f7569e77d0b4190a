//! `processed.csv`: one row per delivered report, appended with read-modify-write. Writers in
//! this process take a per-file lock; writers in other instances are caught by a conditional
//! put on the object's version (GCS generations, S3 ETags, the local file's own), and the
//! append is retried.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::Mutex;

use super::{PutCondition, PutOutcome, Storage, StorageError};

#[derive(Default)]
pub(super) struct Locks(std::sync::Mutex<HashMap<String, Arc<Mutex<()>>>>);

impl Locks {
    fn for_key(&self, key: &str) -> Arc<Mutex<()>> {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(key.to_string()).or_default().clone()
    }
}

const MAX_CONFLICTS: usize = 10;

impl Storage {
    /// Appends `row` unless a row with the same value in column `unique_col` is already there
    /// (a retried job must not log its report twice). Creates the file with `header`.
    pub async fn append_csv_row(
        &self,
        key: &str,
        header: &[&str],
        row: &[String],
        unique_col: usize,
    ) -> Result<(), StorageError> {
        let bad = |reason: String| StorageError::BadCsv {
            key: key.into(),
            reason,
        };
        let lock = self.csv_locks.for_key(key);
        let _guard = lock.lock().await;
        for _ in 0..MAX_CONFLICTS {
            let (mut text, condition) = match self.backend.get(key).await? {
                Some((bytes, version)) => (
                    String::from_utf8(bytes.to_vec()).map_err(|_| bad("not UTF-8".into()))?,
                    version.map_or(PutCondition::Always, PutCondition::IfVersion),
                ),
                None => (
                    line(header.iter().copied()).map_err(bad)?,
                    PutCondition::IfAbsent,
                ),
            };
            if contains(&text, unique_col, &row[unique_col]).map_err(bad)? {
                return Ok(());
            }
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&line(row.iter().map(String::as_str)).map_err(bad)?);
            match self.backend.put(key, Bytes::from(text), condition).await? {
                PutOutcome::Written => return Ok(()),
                PutOutcome::Conflict => continue,
            }
        }
        Err(bad(format!(
            "gave up after {MAX_CONFLICTS} concurrent updates"
        )))
    }
}

fn line<'a>(cells: impl Iterator<Item = &'a str>) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(cells).map_err(|e| e.to_string())?;
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

fn contains(text: &str, col: usize, value: &str) -> Result<bool, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    for record in reader.records() {
        if record.map_err(|e| e.to_string())?.get(col) == Some(value) {
            return Ok(true);
        }
    }
    Ok(false)
}
