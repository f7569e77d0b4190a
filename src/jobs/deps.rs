//! What the stages work with: the database, storage, the LearnWorlds API, the profiles, the
//! PDF converter, the mail transport and the operator alerts.

use std::sync::Arc;

use crate::alerts::Alerter;
use crate::catalog::ProfileRegistry;
use crate::config::MailConfig;
use crate::db::Store;
use crate::files::Storage;
use crate::learnworlds::LearnWorlds;
use crate::mail::MailTransport;

use super::answers::AnswerBatches;

pub struct Deps {
    pub store: Store,
    pub storage: Storage,
    pub learnworlds: LearnWorlds,
    /// The batches of answers in flight, one per assessment.
    pub answers: AnswerBatches,
    /// Report types: routing, banks, rules, templates, emails, file names.
    pub profiles: Arc<ProfileRegistry>,
    pub converter: Arc<dyn office_convert::Converter>,
    pub mailer: Arc<dyn MailTransport>,
    pub mail: MailConfig,
    /// The operator's summaries (a dead job, a mail park).
    pub alerts: Arc<Alerter>,
}
