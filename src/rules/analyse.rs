//! A submission through a profile: grading, groupings, score, conversions, derived figures,
//! level and legacy placeholders, in that order (each step reads the ones before it).

use std::collections::BTreeMap;

use minijinja::Value as Jinja;
use serde_json::{Map, Value};

use super::bank::LoadedBank;
use super::expr;
use super::grading::{grade, Graded};
use super::groups;
use super::profile::Profile;
use super::tables::ConversionTable;
use super::ProfileError;
use crate::domain::context::*;
use crate::domain::submission::Answer;

/// Everything about the submission that is not answers: who, what, when.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub student: Student,
    pub assessment: AssessmentInfo,
    pub school: Option<String>,
    pub submission: SubmissionInfo,
}

pub fn analyse(
    profile: &Profile,
    bank: &LoadedBank,
    answers: &[Answer],
    facts: Facts,
    tables: &BTreeMap<String, ConversionTable>,
) -> Result<ReportContext, ProfileError> {
    if answers.is_empty() {
        return Err(ProfileError::NoAnswers);
    }
    let spec = &profile.spec;
    let graded = grade(bank, answers, spec.bank.matching, spec.grading.correct_by);
    let grouped = groups::compute(profile.name(), &spec.groupings, bank, &graded)?;
    let first = spec.groupings.first();
    let first_name = first.map(|g| g.name.as_str()).unwrap_or_default();
    let groups = grouped.groups.get(first_name).cloned().unwrap_or_default();
    let failed_groups = grouped.failed.get(first_name).cloned().unwrap_or_default();
    let groups_passed = groups.len() - failed_groups.len();
    let pd_percent = percent(groups_passed, groups.len());
    let score = score(&graded);
    let mut ctx = ReportContext {
        report: ReportInfo {
            kind: spec.name.clone(),
            title: profile.title().to_string(),
        },
        student: facts.student,
        assessment: facts.assessment,
        school: facts.school,
        submission: facts.submission,
        report_date: chrono::Utc::now().format("%d/%m/%Y").to_string(),
        level: None,
        level_internal: None,
        pd_percent,
        pd_text: percent_text(pd_percent, spec.format.decimals),
        correct: score.correct,
        total: score.total,
        group_column: first
            .and_then(|g| groups::column_of(g, bank))
            .unwrap_or_default(),
        groups,
        groups_passed,
        failed_groups,
        score,
        groupings: grouped.groups,
        pct: grouped.pct,
        count: grouped.count,
        failed: grouped.failed,
        questions: questions(bank, &graded),
        derived: Map::new(),
        format: FormatInfo::default(),
        placeholders: Map::new(),
    };
    // Before anything reads a figure's text: derived figures, levels and placeholders print
    // what the report prints.
    super::format::apply(&mut ctx, spec.format.decimals);
    ctx.assessment.display_title =
        display_title(profile, &ctx).map_err(|e| ProfileError::Expression {
            profile: spec.name.clone(),
            place: "display_title".into(),
            message: e,
        })?;
    let fail = |place: String, message: String| ProfileError::Expression {
        profile: spec.name.clone(),
        place,
        message,
    };
    for (i, c) in spec.conversions.iter().enumerate() {
        let place = format!("conversion[{i}] ({})", c.name);
        let input = expr::eval(&c.input, &Jinja::from(minijinja::value::Serde(&ctx)))
            .map_err(|e| fail(format!("{place}.input"), e))?;
        let raw = f64::try_from(input.clone())
            .map_err(|_| fail(format!("{place}.input"), format!("{input} is not a number")))?;
        let inline;
        let table = match tables.get(&c.name) {
            Some(t) => t,
            None if !c.rows.is_empty() => {
                let source = format!("profile {}, conversion {}", spec.name, c.name);
                inline = ConversionTable::from_rows(&source, &c.rows)?;
                &inline
            }
            None => return Err(fail(place, "its table file was not loaded".into())),
        };
        let converted = table.convert(raw).ok_or_else(|| {
            fail(
                place.clone(),
                format!("{raw} is below the first row of {}", table.source),
            )
        })?;
        ctx.derived.insert(c.name.clone(), number(converted));
    }
    for (i, d) in spec.derived.iter().enumerate() {
        let value = expr::eval(&d.expr, &Jinja::from(minijinja::value::Serde(&ctx)))
            .map_err(|e| fail(format!("derived[{i}] ({})", d.name), e))?;
        let value =
            serde_json::to_value(&value).map_err(|e| ProfileError::Internal(e.to_string()))?;
        ctx.derived.insert(d.name.clone(), value);
    }
    let jinja = Jinja::from(minijinja::value::Serde(&ctx));
    for (i, l) in spec.levels.iter().enumerate() {
        let applies = match &l.when {
            None => true,
            Some(when) => expr::eval(when, &jinja)
                .map_err(|e| fail(format!("level[{i}].when"), e))?
                .is_true(),
        };
        if applies {
            ctx.level = Some(l.name.clone());
            ctx.level_internal = Some(l.internal.clone().unwrap_or_else(|| l.name.clone()));
            break;
        }
    }
    let jinja = Jinja::from(minijinja::value::Serde(&ctx));
    let mut placeholders = Map::new();
    for (name, template) in &spec.placeholders {
        let text =
            expr::render(template, &jinja).map_err(|e| fail(format!("placeholders.{name}"), e))?;
        placeholders.insert(name.clone(), Value::from(text));
    }
    for (i, n) in spec.numbered_placeholders.iter().enumerate() {
        let list = ctx.groupings.get(&n.grouping).cloned().unwrap_or_default();
        for (j, group) in list.iter().enumerate() {
            let scope = minijinja::context! {
                group => Jinja::from(minijinja::value::Serde(group)),
                ..jinja.clone()
            };
            let text = expr::render(&n.value, &scope)
                .map_err(|e| fail(format!("numbered_placeholders[{i}].value"), e))?;
            placeholders.insert(format!("{}{}", n.prefix, j + 1), Value::from(text));
        }
    }
    ctx.placeholders = placeholders;
    Ok(ctx)
}

/// The assessment as a student calls it: the profile's template, else "Test de eje 1 ·
/// Matemática M2" from the spreadsheet's name, else the webhook's title.
fn display_title(profile: &Profile, ctx: &ReportContext) -> Result<String, String> {
    if let Some(template) = &profile.spec.display_title {
        let text = expr::render(template, &Jinja::from(minijinja::value::Serde(ctx)))?;
        return Ok(text.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    let a = &ctx.assessment;
    if a.group.is_none() && a.number.is_none() {
        return Ok(a.title.trim().to_string());
    }
    let mut title = profile.title().to_string();
    if let Some(n) = a.number {
        title.push_str(&format!(" {n}"));
    }
    if let Some(subject) = a.subject.as_deref().filter(|s| !s.is_empty()) {
        title.push_str(&format!(" · {subject}"));
    }
    Ok(title)
}

/// Whole numbers stay integers in the context, so templates print `700`, not `700.0`.
fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9e15 {
        Value::from(x as i64)
    } else {
        Value::from(x)
    }
}

fn score(graded: &Graded<'_>) -> Score {
    let counted = || graded.outcomes.iter().filter(|o| !o.pilot);
    let correct = counted().filter(|o| o.correct).count();
    let total = counted().count();
    let answered = counted().filter(|o| o.answered).count();
    let pilots = || graded.outcomes.iter().filter(|o| o.pilot);
    let p = percent(correct, total);
    Score {
        correct,
        total,
        percent: p,
        percent_text: percent_text(p, docx_template::es_cl::DEFAULT_DECIMALS),
        answered,
        blank: total - answered,
        correct_all: graded.outcomes.iter().filter(|o| o.correct).count(),
        total_all: graded.outcomes.len(),
        pilot_total: pilots().count(),
        pilot_correct: pilots().filter(|o| o.correct).count(),
        unmatched_answers: graded.unmatched_answers,
        missing_answers: graded.missing_answers,
    }
}

fn questions(bank: &LoadedBank, graded: &Graded<'_>) -> Vec<QuestionResult> {
    bank.bank
        .questions
        .iter()
        .zip(&graded.outcomes)
        .enumerate()
        .map(|(i, (q, o))| QuestionResult {
            number: i + 1,
            label: q.label.clone(),
            key: q.answer_text.clone(),
            answer: o.answer.map(|a| a.answer.clone()).unwrap_or_default(),
            answered: o.answered,
            correct: o.correct,
            pilot: o.pilot,
            columns: q
                .columns
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.trim())))
                .collect(),
        })
        .collect()
}
