//! The job's typed state: where it is in its life (state), which stage runs next (stage), and the
//! documents kept between stages (artifacts). The database stores their `as_str` spellings,
//! and the migrations' `CHECK` constraints admit exactly these.

use std::fmt;
use std::str::FromStr;

/// An enum the database stores by its spelling: every variant in order (`ALL`), `as_str`,
/// `Display` and `FromStr` from one list, so that a spelling cannot drift between them.
macro_rules! spelled_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+
        }
    ) => {
        $(#[$meta])*
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            pub const ALL: [$name; [$($text),+].len()] = [$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| format!("unknown {} '{s}'", $what))
            }
        }
    };
}
pub(crate) use spelled_enum;

spelled_enum! {
    /// The stages of a report job, in order. A job records the next stage to run, so a retry
    /// resumes there and never repeats a stage that succeeded (in particular, the email).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    pub enum JobStage ("job stage") {
        Fetch => "fetch",
        Analyse => "analyse",
        Render => "render",
        Convert => "convert",
        Store => "store",
        Email => "email",
        /// Bookkeeping after the email (processed.csv); retrying it never resends the email.
        Record => "record",
        Done => "done",
    }
}

spelled_enum! {
    /// Where a job is in its life.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum JobState ("job state") {
        /// Waiting for a worker (new, or due again after a failure at `run_at`).
        Queued => "queued",
        /// Claimed by a worker that holds its lease.
        Running => "running",
        /// Emailed and recorded.
        Done => "done",
        /// Given up on; stays until the operator requeues it.
        Dead => "dead",
    }
}

spelled_enum! {
    /// A document kept between two stages of a running job, deleted when the job is done.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Artifact ("artifact") {
        /// The filled Word document (render → convert).
        Docx => "docx",
        /// The PDF (convert → store, email).
        Pdf => "pdf",
    }
}

spelled_enum! {
    /// What the operator did to a job or an event (recorded with who and when).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum OperatorAction ("operator action") {
        /// A queued job made due now, or a dead one queued again.
        Retry => "retry",
        /// A dead job queued again with fresh attempts.
        Requeue => "requeue",
        /// A delivered report emailed again.
        Resend => "resend",
        /// An unroutable submission queued once the routing was fixed.
        Reroute => "reroute",
    }
}

spelled_enum! {
    /// A change the operator made to a live Word template from the dashboard (recorded with
    /// who, when, and where the version it replaced was kept).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum TemplateChange ("template change") {
        /// A previewed upload became the live template.
        Replace => "replace",
        /// A kept earlier version became the live template again.
        Rollback => "rollback",
    }
}

spelled_enum! {
    /// Where a resend of a delivered report is.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum ResendState ("resend state") {
        /// Recorded, and being handed to the mail server (a crash leaves it so).
        Sending => "sending",
        /// The mail server took it.
        Sent => "sent",
        /// The mail server refused it, or it could not be built.
        Failed => "failed",
    }
}

spelled_enum! {
    /// Where a submission stands, as the operator sees it (the dashboard's filter).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum SubmissionState ("submission state") {
        /// Queued or running, no failure so far.
        Pending => "pending",
        /// Waiting to be retried after a failure.
        Failing => "failing",
        /// Emailed.
        Delivered => "delivered",
        /// Given up on: the operator's to fix and retry.
        Dead => "dead",
        /// Answered 422: no profile routes it (and not rerouted yet).
        Unroutable => "unroutable",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_and_stage_reads_back_from_its_spelling() {
        for state in JobState::ALL {
            assert_eq!(state.as_str().parse::<JobState>(), Ok(state));
        }
        for stage in JobStage::ALL {
            assert_eq!(stage.as_str().parse::<JobStage>(), Ok(stage));
        }
        assert!("sent".parse::<JobState>().is_err());
    }
}
