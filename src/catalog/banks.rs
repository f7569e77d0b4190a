//! Finding a profile's question bank or conversion table in storage by its name pattern, the
//! way the school names files: with or without extension, case, accents or spaces.

use bytes::Bytes;

use crate::domain::text::normalize;
use crate::files::{Storage, StorageError};
use crate::rules::bank::{Bank, BankError, LoadedBank};
use crate::rules::spec::BankSpec;
use crate::rules::ProfileError;

/// Looks for `path` (a storage key, with or without extension) as written, then with each
/// extension, then among the folder's files compared without case, accents or spaces (names
/// typed in a spreadsheet or uploaded from another system differ in exactly those ways).
pub async fn find(
    storage: &Storage,
    path: &str,
    extensions: &[&str],
) -> Result<Result<(String, Bytes), Vec<String>>, StorageError> {
    let lower = path.to_ascii_lowercase();
    let has_extension = extensions.iter().any(|e| lower.ends_with(&format!(".{e}")));
    let candidates: Vec<String> = if has_extension {
        vec![path.to_string()]
    } else {
        extensions.iter().map(|e| format!("{path}.{e}")).collect()
    };
    for key in &candidates {
        if let Some(bytes) = storage.get(key).await? {
            return Ok(Ok((key.clone(), bytes)));
        }
    }
    let (folder, file) = path.rsplit_once('/').unwrap_or(("", path));
    let wanted = loose(&strip_extension(file, extensions));
    for key in storage.list(folder).await? {
        let name = key.rsplit('/').next().unwrap_or_default();
        let lower_name = name.to_ascii_lowercase();
        let matches_extension = extensions
            .iter()
            .any(|e| lower_name.ends_with(&format!(".{e}")));
        if matches_extension && loose(&strip_extension(name, extensions)) == wanted {
            if let Some(bytes) = storage.get(&key).await? {
                return Ok(Ok((key, bytes)));
            }
        }
    }
    Ok(Err(candidates))
}

/// Names compared without case, accents or any spaces: the spreadsheet's
/// `m30m2 - Examen de Eje 1 - DATA` is the bank `M30M2-EXAMEN DE EJE 1-DATA.xlsx`.
fn loose(name: &str) -> String {
    normalize(name).replace(' ', "")
}

fn strip_extension(name: &str, extensions: &[&str]) -> String {
    let lower = name.to_ascii_lowercase();
    for e in extensions {
        if lower.ends_with(&format!(".{e}")) {
            return name[..name.len() - e.len() - 1].to_string();
        }
    }
    name.to_string()
}

pub const BANK_EXTENSIONS: &[&str] = &["xlsx", "csv"];

/// The bank at `path` (already expanded), prepared for the profile.
pub async fn load(
    storage: &Storage,
    path: &str,
    spec: &BankSpec,
    title: &str,
) -> Result<LoadedBank, ProfileError> {
    let found = find(storage, path, BANK_EXTENSIONS).await.map_err(|e| {
        ProfileError::Bank(BankError::Storage {
            file: path.to_string(),
            reason: e.to_string(),
        })
    })?;
    match found {
        Ok((key, bytes)) => LoadedBank::prepare(Bank::parse(&key, &bytes)?, spec),
        Err(tried) => Err(ProfileError::Bank(BankError::NotFound {
            title: title.to_string(),
            tried: tried.join(" and "),
        })),
    }
}
