//! Where configuration values come from, and typed reads that name the variable on failure.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use super::ConfigError;

/// A snapshot of configuration variables: process environment over `.env` over an optional file.
#[derive(Debug, Clone, Default)]
pub struct Source {
    vars: HashMap<String, String>,
}

impl Source {
    /// Reads the process environment, then fills gaps from `.env` (current directory) and from
    /// `config_file` (same `KEY=VALUE` format). Earlier sources win, so an operator can always
    /// override a file with an environment variable.
    pub fn load(config_file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut vars: HashMap<String, String> = std::env::vars().collect();
        let mut fill = |path: &Path, required: bool| -> Result<(), ConfigError> {
            match dotenvy::from_path_iter(path) {
                Ok(iter) => {
                    for item in iter {
                        let (k, v) = item.map_err(|e| ConfigError::File {
                            path: path.display().to_string(),
                            reason: e.to_string(),
                        })?;
                        vars.entry(k).or_insert(v);
                    }
                    Ok(())
                }
                Err(e) if !required && e.not_found() => Ok(()),
                Err(e) => Err(ConfigError::File {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                }),
            }
        };
        fill(Path::new(".env"), false)?;
        if let Some(file) = config_file {
            fill(file, true)?;
        }
        Ok(Self { vars })
    }

    /// A source holding exactly these variables (tests, embedding).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.vars.insert(key.into(), value.into());
    }

    /// Sets `key` only where no source gave it a value.
    pub fn set_default(&mut self, key: &str, value: &str) {
        if self.get(key).is_none() {
            self.set(key, value);
        }
    }

    /// The trimmed value, with empty strings treated as unset (a blank line in `.env`
    /// should not count as a deliberate empty setting).
    pub fn get(&self, key: &str) -> Option<String> {
        self.vars
            .get(key)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    pub fn parse<T: FromStr>(&self, key: &'static str, default: T) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        match self.get(key) {
            None => Ok(default),
            Some(raw) => raw.parse().map_err(|e: T::Err| ConfigError::Invalid {
                var: key,
                reason: format!("'{raw}' is not valid: {e}"),
            }),
        }
    }

    pub fn flag(&self, key: &'static str, default: bool) -> Result<bool, ConfigError> {
        match self.get(key).map(|v| v.to_ascii_lowercase()) {
            None => Ok(default),
            Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(true),
            Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(false),
            Some(v) => Err(ConfigError::Invalid {
                var: key,
                reason: format!("'{v}' is not a boolean (use true or false)"),
            }),
        }
    }
}
