//! webhook-service: LearnWorlds assessment submissions in, graded PDF reports out by email.
//!
//! The path of one submission, bottom layer first (a module imports only from layers below
//! it; `scripts/check-layers.py` enforces it):
//!
//! * [`domain`] — what a submission is at each step: event, route, answers, report context,
//!   job state. No I/O.
//! * [`config`], [`rules`] — the typed configuration; the school's rules (profiles, routing,
//!   banks, grading, groupings, levels), pure.
//! * [`report`], [`db`], [`files`], [`learnworlds`], [`mail`], [`telemetry`] — the Word
//!   document and its chart; the database; local disk / GCS; the LearnWorlds API; email; logs.
//! * [`catalog`] — profiles, banks, tables and templates loaded from storage and cached.
//! * [`jobs`] — the durable queue, its workers and one file per stage: fetch → analyse →
//!   render → convert → store → email → record; [`sweep`] — the reconciliation sweep that
//!   finds students who completed an assessment but have no report.
//! * [`http`] — intake (`POST /webhook`), health and admin endpoints.
//! * [`startup`], [`cli`] — wiring the application; the operator's commands.

pub mod alerts;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod files;
pub mod http;
pub mod jobs;
pub mod learnworlds;
pub mod mail;
pub mod report;
pub mod rules;
pub mod startup;
pub mod sweep;
pub mod telemetry;

pub use startup::Application;
