//! Reading the profiles file and the routing spreadsheet it names from storage.

use crate::files::{Storage, StorageError};
use crate::rules::routing::sheet::read_rows;
use crate::rules::ProfileSet;

/// Reads the file (and the spreadsheet it names) from storage; None when it does not exist.
pub async fn load_set(storage: &Storage, path: &str) -> Result<Option<ProfileSet>, StorageError> {
    let Some(bytes) = storage.get(path).await? else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let first = ProfileSet::parse(path, &text, None);
    let Some(sheet_path) = first.routing.spreadsheet.clone() else {
        return Ok(Some(first));
    };
    let rows = match storage.get(&sheet_path).await? {
        None => Err(format!("not found in {}", storage.describe())),
        Some(b) => read_rows(&sheet_path, &b).map_err(|e| e.to_string()),
    };
    Ok(Some(ProfileSet::parse(
        path,
        &text,
        Some((&sheet_path, rows)),
    )))
}
