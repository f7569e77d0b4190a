//! The .docx zip package: bounded reading of the parts we render, and writing a new package
//! where untouched entries are copied byte-for-byte (still compressed) from the original.

use crate::error::TemplateError;
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::sync::Arc;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// Safety limits for hostile packages (zip bombs, absurd entry counts).
#[derive(Debug, Clone, Copy)]
pub struct PackageLimits {
    pub max_entries: usize,
    /// Largest uncompressed size of one part that we decompress.
    pub max_part_bytes: u64,
    /// Largest sum of uncompressed sizes of the parts we decompress.
    pub max_total_bytes: u64,
    /// Largest rendered document (sum of the parts we write).
    pub max_output_bytes: u64,
}

impl Default for PackageLimits {
    fn default() -> Self {
        PackageLimits {
            max_entries: 10_000,
            max_part_bytes: 64 << 20,
            max_total_bytes: 256 << 20,
            max_output_bytes: 512 << 20,
        }
    }
}

type Archive = ZipArchive<Cursor<Arc<[u8]>>>;

#[derive(Clone)]
pub struct Package {
    archive: Archive,
    names: Vec<String>,
    limits: PackageLimits,
}

impl std::fmt::Debug for Package {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Package")
            .field("names", &self.names)
            .finish()
    }
}

impl Package {
    pub fn open(bytes: &[u8], limits: PackageLimits) -> Result<Package, TemplateError> {
        let data: Arc<[u8]> = Arc::from(bytes);
        let archive =
            ZipArchive::new(Cursor::new(data)).map_err(|e| TemplateError::NotZip(e.to_string()))?;
        if archive.len() > limits.max_entries {
            return Err(TemplateError::limit(
                "number of zip entries",
                limits.max_entries as u64,
            ));
        }
        // Index order, which `write` relies on to pair names with raw entries.
        let names = (0..archive.len())
            .map(|i| match archive.name_for_index(i) {
                Some(name) => name.map(|n| n.into_owned()),
                None => Ok(String::new()),
            })
            .collect::<Result<_, _>>()
            .map_err(|e| TemplateError::NotZip(e.to_string()))?;
        Ok(Package {
            archive,
            names,
            limits,
        })
    }

    pub fn contains(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Decompress one entry, trusting neither the declared size nor the compression ratio.
    /// `budget` is the remaining allowance for all parts read from this package.
    pub fn read(&self, name: &str, budget: &mut u64) -> Result<Vec<u8>, TemplateError> {
        let mut archive = self.archive.clone();
        let file = archive
            .by_name(name)
            .map_err(|e| TemplateError::NotDocx(format!("cannot read part {name}: {e}")))?;
        let cap = self.limits.max_part_bytes.min(*budget);
        let mut buf = Vec::with_capacity(file.size().min(cap) as usize);
        file.take(cap + 1)
            .read_to_end(&mut buf)
            .map_err(|e| TemplateError::NotZip(format!("part {name}: {e}")))?;
        if buf.len() as u64 > cap {
            return Err(TemplateError::limit(
                format!("uncompressed size of part {name}"),
                cap,
            ));
        }
        *budget -= buf.len() as u64;
        Ok(buf)
    }

    pub fn read_string(&self, name: &str, budget: &mut u64) -> Result<String, TemplateError> {
        let bytes = self.read(name, budget)?;
        String::from_utf8(bytes)
            .map_err(|_| TemplateError::xml(name, "not UTF-8 (only UTF-8 parts are supported)"))
    }

    /// Write a package: entries in `replaced` get new content (and are added when the
    /// original lacks them), every other entry is copied raw.
    pub fn write(&self, replaced: &BTreeMap<String, Vec<u8>>) -> Result<Vec<u8>, TemplateError> {
        let total: u64 = replaced.values().map(|v| v.len() as u64).sum();
        if total > self.limits.max_output_bytes {
            return Err(TemplateError::limit(
                "size of the rendered document",
                self.limits.max_output_bytes,
            ));
        }
        let zerr = |e: zip::result::ZipError| TemplateError::NotZip(e.to_string());
        let mut archive = self.archive.clone();
        let mut out = ZipWriter::new(Cursor::new(Vec::with_capacity(
            archive.decompressed_size().unwrap_or(0).min(1 << 24) as usize / 3,
        )));
        // Level 1: rendering speed matters more than a few percent of file size. Small parts
        // and already-compressed media are stored: setting up a deflate compressor costs more
        // than it saves on a 2 KB header.
        let deflated = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(1));
        let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
        let opts = |name: &str, content: &[u8]| {
            let media = [".png", ".jpg", ".jpeg", ".gif"]
                .iter()
                .any(|e| name.to_ascii_lowercase().ends_with(e));
            if media || content.len() < 16 * 1024 {
                stored
            } else {
                deflated
            }
        };
        for i in 0..archive.len() {
            let name = &self.names[i];
            if let Some(content) = replaced.get(name) {
                out.start_file(name.as_str(), opts(name, content))
                    .map_err(zerr)?;
                out.write_all(content)
                    .map_err(|e| TemplateError::NotZip(e.to_string()))?;
            } else {
                let file = archive.by_index_raw(i).map_err(zerr)?;
                out.raw_copy_file(file).map_err(zerr)?;
            }
        }
        for (name, content) in replaced {
            if !self.contains(name) {
                out.start_file(name.as_str(), opts(name, content))
                    .map_err(zerr)?;
                out.write_all(content)
                    .map_err(|e| TemplateError::NotZip(e.to_string()))?;
            }
        }
        Ok(out.finish().map_err(zerr)?.into_inner())
    }
}
