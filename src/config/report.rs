//! The report document: template and PDF conversion.

use std::path::PathBuf;
use std::time::Duration;

use office_convert::{PdfFormat, PdfOptions};

use super::{seconds, ConfigError, Source};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConverterKind {
    /// Warm LibreOffice instances (LibreOfficeKit workers); falls back to `Spawn` when they
    /// cannot start.
    Pool,
    /// One `soffice --convert-to pdf` per document (slow: 1–2 s each).
    Spawn,
}

#[derive(Debug, Clone)]
pub struct ConverterConfig {
    /// `CONVERTER`: `pool` (default) or `spawn`.
    pub kind: ConverterKind,
    /// `CONVERTER_INSTANCES`: LibreOffice instances in the pool (default: number of CPUs).
    pub instances: usize,
    /// `CONVERTER_QUEUE`: conversions that may wait for an instance (default 64).
    pub queue: usize,
    /// `CONVERTER_RECYCLE_AFTER`: restart an instance after this many conversions (200; 0 never).
    pub recycle_after: u64,
    /// `CONVERTER_MEMORY_LIMIT_MB`: kill and replace an instance above this (default 1024).
    pub memory_limit_mb: u64,
    /// `CONVERTER_WORKER_PROGRAM`: the executable started as a pool worker (default: this
    /// program, which dispatches to the worker itself).
    pub worker_program: Option<PathBuf>,
}

impl ConverterConfig {
    pub(super) fn from_source(src: &Source) -> Result<Self, ConfigError> {
        let kind = match src
            .get("CONVERTER")
            .map(|s| s.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("pool") => ConverterKind::Pool,
            Some("spawn") => ConverterKind::Spawn,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    var: "CONVERTER",
                    reason: format!("'{other}' is not one of pool, spawn"),
                })
            }
        };
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        let instances: usize = src.parse("CONVERTER_INSTANCES", cpus)?;
        if !(1..=64).contains(&instances) {
            return Err(ConfigError::Invalid {
                var: "CONVERTER_INSTANCES",
                reason: format!("{instances} is outside 1..64"),
            });
        }
        Ok(Self {
            kind,
            instances,
            queue: src.parse("CONVERTER_QUEUE", 64)?,
            recycle_after: src.parse("CONVERTER_RECYCLE_AFTER", 200)?,
            memory_limit_mb: src.parse("CONVERTER_MEMORY_LIMIT_MB", 1024)?,
            worker_program: src.get("CONVERTER_WORKER_PROGRAM").map(PathBuf::from),
        })
    }
}

#[derive(Debug, Clone)]
pub struct ReportConfig {
    /// `TEMPLATE_PATH`: the Word template, relative to the storage root
    /// (default `templates/plantilla_test_diagnostico.docx`).
    pub template_path: String,
    /// `PROFILES_PATH`: the report profiles file in storage (default `config/reports.toml`;
    /// without it, the seed diagnostic reports every assessment). See docs/profiles.md.
    pub profiles_path: String,
    /// `PROFILES_RELOAD_SECONDS`: how often the profiles file is read again (default 60; 0:
    /// only at start-up).
    pub profiles_reload: Duration,
    /// `CONVERT_TIMEOUT_SECONDS`: longest a PDF conversion may take (default 120).
    pub convert_timeout: Duration,
    /// `SOFFICE_PATH`: LibreOffice's `soffice` (default: found on PATH).
    pub soffice: Option<PathBuf>,
    pub converter: ConverterConfig,
    /// `PDF_FORMAT`: `pdf` (default) or `pdfa` (PDF/A-2b, for the school's archive);
    /// `PDF_TAGGED`: write a tagged PDF, the structure screen readers follow (default true).
    pub pdf: PdfOptions,
    /// `CHART_COLOR_PASSED`, `CHART_COLOR_FAILED`, `CHART_COLOR_TEXT` (`RRGGBB`): the school's
    /// colours for the chart's bars and text (default 1F3A68, E07A1F, 333333).
    pub chart_colors: ChartColors,
}

impl ReportConfig {
    pub(super) fn from_source(src: &Source) -> Result<Self, ConfigError> {
        Ok(Self {
            template_path: src
                .get("TEMPLATE_PATH")
                .unwrap_or_else(|| "templates/plantilla_test_diagnostico.docx".into()),
            profiles_path: src
                .get("PROFILES_PATH")
                .unwrap_or_else(|| "config/reports.toml".into()),
            profiles_reload: seconds(src, "PROFILES_RELOAD_SECONDS", 60.0)?,
            convert_timeout: seconds(src, "CONVERT_TIMEOUT_SECONDS", 120.0)?,
            soffice: src.get("SOFFICE_PATH").map(PathBuf::from),
            converter: ConverterConfig::from_source(src)?,
            pdf: PdfOptions {
                format: src.parse("PDF_FORMAT", PdfFormat::Pdf)?,
                tagged: src.flag("PDF_TAGGED", true)?,
            },
            chart_colors: chart_colors(src)?,
        })
    }
}

fn chart_colors(src: &Source) -> Result<ChartColors, ConfigError> {
    let defaults = ChartColors::default();
    let color = |var: &'static str, default: [u8; 3]| match src.get(var) {
        None => Ok(default),
        Some(raw) => parse_color(&raw).ok_or(ConfigError::Invalid {
            var,
            reason: format!("'{raw}' is not a colour (use RRGGBB, e.g. 1F3A68)"),
        }),
    };
    Ok(ChartColors {
        passed: color("CHART_COLOR_PASSED", defaults.passed)?,
        failed: color("CHART_COLOR_FAILED", defaults.failed)?,
        text: color("CHART_COLOR_TEXT", defaults.text)?,
    })
}

/// Colours as `RRGGBB`, from `CHART_COLOR_PASSED`, `CHART_COLOR_FAILED`, `CHART_COLOR_TEXT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartColors {
    pub passed: [u8; 3],
    pub failed: [u8; 3],
    pub text: [u8; 3],
}

impl Default for ChartColors {
    fn default() -> Self {
        Self {
            passed: [0x1F, 0x3A, 0x68],
            failed: [0xE0, 0x7A, 0x1F],
            text: [0x33, 0x33, 0x33],
        }
    }
}

/// Parses `RRGGBB` or `#RRGGBB`.
pub fn parse_color(s: &str) -> Option<[u8; 3]> {
    let hex = s.trim().trim_start_matches('#');
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}
