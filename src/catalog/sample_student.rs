//! The sample student a template is tried with on the dashboard: Camila (the fixtures'
//! student) submitting an assessment the profile really serves, graded against its real bank
//! with two answers of three right, so that every level and status of the report shows. A
//! profile whose banks are only known when a student submits falls back to the built-in
//! diagnostic sample, and says so.

use super::check::bank_runs::{facts_for, samples, Reach};
use super::registry::ProfileRegistry;
use crate::domain::context::ReportContext;
use crate::domain::submission::Answer;
use crate::rules::analyse::analyse;
use crate::rules::patterns::Vars;
use crate::rules::profile::Profile;
use crate::rules::sample::{sample_context, sample_facts};
use crate::rules::ProfileError;

/// A sample report context and what it was built from (shown beside the preview).
pub struct SampleReport {
    pub context: ReportContext,
    /// The assessment and bank, or why the generic sample was used.
    pub source: String,
    /// True when the built-in diagnostic stood in: the profile's own tags may then be
    /// reported as undefined although a real submission fills them.
    pub generic: bool,
}

pub async fn sample_report(
    registry: &ProfileRegistry,
    profile: &Profile,
) -> Result<SampleReport, ProfileError> {
    let set = registry.current();
    let mut why = "no routed assessment names a bank for this profile".to_string();
    if let Reach::Banks(list) = samples(registry, &set, profile).await {
        for s in list {
            let name = s.name.clone();
            match graded(registry, profile, &s).await {
                Ok((context, bank)) => {
                    return Ok(SampleReport {
                        context,
                        source: format!("{name} (bank {bank})"),
                        generic: false,
                    })
                }
                Err(e) => why = format!("{name}: {e}"),
            }
        }
    }
    Ok(SampleReport {
        context: sample_context()?,
        source: format!("the built-in diagnostic sample ({why})"),
        generic: true,
    })
}

async fn graded(
    registry: &ProfileRegistry,
    profile: &Profile,
    s: &super::check::bank_runs::Sample,
) -> Result<(ReportContext, String), ProfileError> {
    let sample = sample_facts();
    let mut facts = facts_for(s, sample.student);
    facts.school = sample.school;
    facts.submission = sample.submission;
    facts.assessment.submitted_on = chrono::Utc::now().format("%d/%m/%Y").to_string();
    let vars = Vars::new(
        profile.name(),
        &facts.assessment,
        &facts.student,
        &facts.submission,
    );
    let bank = registry.bank(profile, &vars).await?;
    let answers: Vec<Answer> = bank
        .bank
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let right = i % 3 != 2;
            Answer {
                label: q.label.clone(),
                answer: if right {
                    q.answer_text.clone()
                } else {
                    String::new()
                },
                points: Some(if right { 1.0 } else { 0.0 }),
                max_score: Some(1.0),
            }
        })
        .collect();
    let tables = registry.tables(profile, &vars).await?;
    let file = bank.bank.file.clone();
    Ok((analyse(profile, &bank, &answers, facts, &tables)?, file))
}
