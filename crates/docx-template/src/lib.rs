//! Word (.docx) template engine.
