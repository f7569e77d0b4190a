//! `processed.csv`: one row per delivered report, appended with read-modify-write. Writers in
//! this process take a per-file lock; writers in other instances are caught by a conditional
//! put on backends that support it (GCS generations), and the append is retried.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use object_store::path::Path;
use object_store::{PutMode, PutOptions, PutPayload};
use tokio::sync::Mutex;

use super::{Storage, StorageError};

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
    pub async fn append_csv_row(&self, key: &str, header: &[&str], row: &[String], unique_col: usize) -> Result<(), StorageError> {
        let lock = self.csv_locks.for_key(key);
        let _guard = lock.lock().await;
        for _ in 0..MAX_CONFLICTS {
            let existing = self.get_versioned(key).await?;
            let (mut text, mode) = match &existing {
                Some((bytes, version)) => (
                    String::from_utf8(bytes.to_vec()).map_err(|_| StorageError::BadCsv {
                        key: key.into(),
                        reason: "not UTF-8".into(),
                    })?,
                    PutMode::Update(version.clone()),
                ),
                None => (line(header.iter().copied())?, PutMode::Create),
            };
            if contains(&text, key, unique_col, &row[unique_col])? {
                return Ok(());
            }
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&line(row.iter().map(String::as_str))?);
            match self.put_conditional(key, Bytes::from(text), mode).await {
                Ok(()) => return Ok(()),
                Err(Conflict::Yes) => continue,
                Err(Conflict::No(e)) => return Err(e),
            }
        }
        Err(StorageError::BadCsv {
            key: key.into(),
            reason: format!("gave up after {MAX_CONFLICTS} concurrent updates"),
        })
    }

    async fn put_conditional(&self, key: &str, bytes: Bytes, mode: PutMode) -> Result<(), Conflict> {
        let path = Path::from(key);
        let opts = PutOptions::from(mode);
        let payload = PutPayload::from_bytes(bytes.clone());
        match self.inner().put_opts(&path, payload, opts).await {
            Ok(_) => Ok(()),
            Err(object_store::Error::Precondition { .. } | object_store::Error::AlreadyExists { .. }) => Err(Conflict::Yes),
            // Local disk has no versions; the in-process lock already serialises writers.
            Err(object_store::Error::NotImplemented | object_store::Error::NotSupported { .. }) => {
                self.put(key, bytes).await.map_err(Conflict::No)
            }
            Err(source) => Err(Conflict::No(StorageError::Backend {
                op: "writing",
                key: key.into(),
                source,
            })),
        }
    }
}

enum Conflict {
    Yes,
    No(StorageError),
}

fn line<'a>(cells: impl Iterator<Item = &'a str>) -> Result<String, StorageError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(cells).map_err(|e| StorageError::BadCsv {
        key: String::new(),
        reason: e.to_string(),
    })?;
    let bytes = w.into_inner().map_err(|e| StorageError::BadCsv {
        key: String::new(),
        reason: e.to_string(),
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn contains(text: &str, key: &str, col: usize, value: &str) -> Result<bool, StorageError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    for record in reader.records() {
        let record = record.map_err(|e| StorageError::BadCsv {
            key: key.into(),
            reason: e.to_string(),
        })?;
        if record.get(col) == Some(value) {
            return Ok(true);
        }
    }
    Ok(false)
}
