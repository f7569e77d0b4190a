//! What an operator alert is about. The database stores the `as_str` spelling, and the
//! migration's `CHECK` admits exactly these.

use std::fmt;
use std::str::FromStr;

use super::job::spelled_enum;

spelled_enum! {
    /// The events that page the operator (one summary per `ALERT_MIN_INTERVAL_SECONDS`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    pub enum AlertKind ("alert kind") {
        /// A job gave up: its student has no report until the operator acts.
        JobDead => "job_dead",
        /// The mail provider's quota or throttle holds every email.
        MailParked => "mail_parked",
        /// Jobs keep failing and nothing was delivered for a while.
        NoDelivery => "no_delivery",
        /// The reconciliation sweep found students whose webhook never arrived.
        MissedStudents => "missed_students",
    }
}
