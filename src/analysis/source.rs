//! Finding an assessment's bank in storage: `data/responses/questions/{title}_questions.csv`
//! (or `.xlsx`), tolerant of accents, case and spacing in the file name.

use super::bank::{Bank, BankError};
use super::normalize::normalize;
use crate::storage::Storage;

pub const BANK_DIR: &str = "data/responses/questions";

pub async fn load_bank(storage: &Storage, title: &str) -> Result<Bank, BankError> {
    let storage_err = |file: &str, e: crate::storage::StorageError| BankError::Storage {
        file: file.to_string(),
        reason: e.to_string(),
    };
    let base = title.replace(['/', '\\'], "_");
    let candidates = [
        format!("{BANK_DIR}/{base}_questions.csv"),
        format!("{BANK_DIR}/{base}_questions.xlsx"),
    ];
    for key in &candidates {
        if let Some(bytes) = storage.get(key).await.map_err(|e| storage_err(key, e))? {
            return Bank::parse(key, &bytes);
        }
    }
    // Files uploaded from another system may spell the title with other accents or case
    // (NFD names from macOS, "diagnostico" without the accent).
    let wanted = normalize(&base);
    let listing = storage
        .list(BANK_DIR)
        .await
        .map_err(|e| storage_err(BANK_DIR, e))?;
    for key in listing {
        let name = key.rsplit('/').next().unwrap_or_default();
        let stem = name
            .strip_suffix("_questions.csv")
            .or_else(|| name.strip_suffix("_questions.xlsx"))
            .or_else(|| name.strip_suffix("_questions.CSV"))
            .or_else(|| name.strip_suffix("_questions.XLSX"));
        if stem.is_some_and(|s| normalize(s) == wanted) {
            if let Some(bytes) = storage.get(&key).await.map_err(|e| storage_err(&key, e))? {
                return Bank::parse(&key, &bytes);
            }
        }
    }
    Err(BankError::NotFound {
        title: title.to_string(),
        tried: candidates.join(" and "),
    })
}
