//! The durable job queue: workers claim jobs from the database under a fenced, heartbeat-renewed
//! lease and run them through one stage after another, each in its own file under `stages/`:
//! fetch → analyse → render → convert → store → email → record.

mod answers;
mod api_budget;
mod deps;
pub mod failpoint;
mod heartbeat;
mod pipeline;
mod record;
pub mod reroute;
pub mod resend;
mod retry;
mod stage_error;
pub mod stages;
mod worker;

pub use answers::AnswerBatches;
pub use api_budget::SharedBudget;
pub use deps::Deps;
pub use pipeline::run;
pub use record::JobRecord;
pub use retry::{backoff, outage_backoff};
pub use stage_error::{Disposition, StageError};
pub use stages::Next;
pub use worker::{Outcome, Queue};
