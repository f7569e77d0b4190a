//! Which PDF LibreOffice writes: plain or PDF/A-2b for archiving, tagged or not (the
//! structure tree screen readers follow), as options of its `writer_pdf_Export` filter.

use std::fmt;
use std::str::FromStr;

/// The PDF flavour, chosen by the service's `PDF_FORMAT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PdfFormat {
    /// LibreOffice's default PDF (1.6).
    #[default]
    Pdf,
    /// PDF/A-2b (ISO 19005-2, level B): fonts embedded, XMP metadata with `pdfaid:part` 2, no
    /// encryption or external content, so the file still opens the same in years.
    PdfA2b,
}

impl PdfFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            PdfFormat::Pdf => "pdf",
            PdfFormat::PdfA2b => "pdfa",
        }
    }
}

impl fmt::Display for PdfFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PdfFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pdf" => Ok(PdfFormat::Pdf),
            "pdfa" | "pdf/a" | "pdfa-2b" => Ok(PdfFormat::PdfA2b),
            other => Err(format!(
                "unknown PDF format {other:?} (expected pdf or pdfa)"
            )),
        }
    }
}

/// Export settings applied to every conversion of a converter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PdfOptions {
    pub format: PdfFormat,
    /// Write the document structure (headings, paragraphs, tables, figure alternative text)
    /// as a tagged PDF (`/MarkInfo`, `/StructTreeRoot`).
    pub tagged: bool,
}

impl PdfOptions {
    /// The filter options in the JSON form LibreOffice (7.4 and later) reads both after
    /// `--convert-to pdf:writer_pdf_Export:` and from LibreOfficeKit's `saveAs`. Every option
    /// is spelled out, so a profile's own PDF settings never leak in.
    pub fn filter_options(&self) -> String {
        let version = match self.format {
            PdfFormat::Pdf => 0,
            PdfFormat::PdfA2b => 2,
        };
        format!(
            r#"{{"SelectPdfVersion":{{"type":"long","value":"{version}"}},"UseTaggedPDF":{{"type":"boolean","value":"{}"}}}}"#,
            self.tagged
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_from_their_config_spelling() {
        assert_eq!("pdfa".parse(), Ok(PdfFormat::PdfA2b));
        assert_eq!(" PDF ".parse(), Ok(PdfFormat::Pdf));
        assert!("pdf/x".parse::<PdfFormat>().is_err());
        assert_eq!(PdfFormat::PdfA2b.to_string(), "pdfa");
    }

    #[test]
    fn filter_options_select_pdfa2_and_tagging() {
        let o = PdfOptions {
            format: PdfFormat::PdfA2b,
            tagged: true,
        };
        assert_eq!(
            o.filter_options(),
            r#"{"SelectPdfVersion":{"type":"long","value":"2"},"UseTaggedPDF":{"type":"boolean","value":"true"}}"#
        );
        assert!(PdfOptions::default()
            .filter_options()
            .contains(r#""value":"0"}"#));
    }
}
