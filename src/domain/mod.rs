//! The bottom layer: what a submission is at each step of its path — the incoming event, the
//! route intake chose, the student's answers, the report context, the job's state — with the
//! pure text helpers they share. No I/O, and no import from any other module of the crate.

pub mod alert;
pub mod context;
pub mod event;
pub mod job;
pub mod names;
pub mod route;
pub mod sent_email;
pub mod submission;
pub mod text;
