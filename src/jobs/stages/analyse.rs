//! analyse: the answers graded against the profile's question bank into the report context.

use tracing::warn;

use super::Next;
use crate::db::StageOutput;
use crate::domain::job::JobStage;
use crate::jobs::{Deps, JobRecord, StageError};
use crate::rules::facts::facts;
use crate::rules::patterns::Vars;
use crate::rules::{analyse, ProfileError};

pub async fn run(deps: &Deps, job: &mut JobRecord) -> Result<Next, StageError> {
    let profile = deps.profiles.current().profile(&job.route.profile)?;
    let submission = job.submission()?;
    let facts = facts(&job.event, &job.route, submission);
    let vars = Vars::new(
        profile.name(),
        &facts.assessment,
        &facts.student,
        &facts.submission,
    );
    let bank = deps.profiles.bank(&profile, &vars).await?;
    let tables = deps.profiles.tables(&profile, &vars).await?;
    let ctx = analyse(&profile, &bank, &submission.answers, facts, &tables)?;
    if ctx.score.unmatched_answers > 0 || ctx.score.missing_answers > 0 {
        warn!(
            profile = profile.name(),
            bank = %bank.bank.file,
            unmatched_answers = ctx.score.unmatched_answers,
            missing_answers = ctx.score.missing_answers,
            "answers and question bank do not line up"
        );
    }
    let json = serde_json::to_string(&ctx).map_err(|e| ProfileError::Internal(e.to_string()))?;
    deps.store
        .advance(&job.lease, JobStage::Render, StageOutput::Analysis(&json))
        .await?;
    job.context = Some(ctx);
    Ok(Next::Stage(JobStage::Render))
}
