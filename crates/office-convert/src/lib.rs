//! Word to PDF conversion.
