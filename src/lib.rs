//! webhook-service: LearnWorlds assessment submissions in, graded PDF reports out by email.
//!
//! The path of one submission: [`intake`] (verify, record durably) → [`queue`] (durable jobs,
//! retries) → [`learnworlds`] (answers) → [`analysis`] (grading) → [`report`] (Word template,
//! PDF) → [`storage`] (local disk or GCS) → [`mail`].

pub mod admin;
pub mod analysis;
pub mod cli;
pub mod config;
pub mod intake;
pub mod learnworlds;
pub mod mail;
pub mod profiles;
pub mod queue;
pub mod report;
pub mod startup;
pub mod storage;
pub mod store;
pub mod telemetry;

pub use startup::Application;
