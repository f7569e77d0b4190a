//! docxtpl-compatible Jinja templates inside Word XML.

pub mod compile;
pub mod engine;
pub mod env;
pub mod preserve;
pub mod pyrepr;
pub mod structural;
pub mod tags;
pub mod wsmerge;
