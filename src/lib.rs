//! webhook-service library.
