//! Groupings: per value of a bank column (area, lesson, unit, difficulty…), correct / total,
//! percentage and status; nested groupings are computed inside each group of their parent.
//! Pilot questions never count.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::bank::LoadedBank;
use super::grading::Graded;
use super::spec::GroupingSpec;
use super::ProfileError;
use crate::domain::context::{percent, percent_text, GroupCount, GroupResult};
use crate::domain::text::{header_key, normalize};
use docx_template::es_cl::DEFAULT_DECIMALS;

#[derive(Debug, Default)]
pub struct Groupings {
    pub groups: IndexMap<String, Vec<GroupResult>>,
    pub pct: IndexMap<String, IndexMap<String, f64>>,
    pub count: IndexMap<String, GroupCount>,
    pub failed: IndexMap<String, Vec<String>>,
}

/// A group before it is turned into context: keyed by its normalised value, inside its
/// parent's normalised value.
struct Raw {
    parent: Option<String>,
    key: String,
    name: String,
    correct: usize,
    total: usize,
}

/// The column a grouping reads: the first candidate that has a value in the bank.
pub fn column_of(spec: &GroupingSpec, bank: &LoadedBank) -> Option<String> {
    spec.columns.iter().map(|c| header_key(c)).find(|c| {
        bank.bank
            .questions
            .iter()
            .any(|q| q.columns.get(c).is_some_and(|v| !v.trim().is_empty()))
    })
}

fn value_of(bank: &LoadedBank, i: usize, column: &str) -> Option<(String, String)> {
    let raw = bank.bank.questions[i].columns.get(column)?.trim();
    let key = normalize(raw);
    (!key.is_empty()).then(|| (key, raw.to_string()))
}

pub fn compute(
    profile: &str,
    specs: &[GroupingSpec],
    bank: &LoadedBank,
    graded: &Graded<'_>,
) -> Result<Groupings, ProfileError> {
    let mut columns: Vec<Option<String>> = Vec::with_capacity(specs.len());
    for spec in specs {
        let column = column_of(spec, bank);
        if column.is_none() && !spec.optional {
            return Err(ProfileError::NoGroupColumn {
                profile: profile.to_string(),
                grouping: spec.name.clone(),
                file: bank.bank.file.clone(),
                wanted: spec.columns.join(", "),
            });
        }
        columns.push(column);
    }
    let parent_index = |spec: &GroupingSpec| {
        spec.within
            .as_ref()
            .and_then(|p| specs.iter().position(|s| &s.name == p))
    };
    let counted: Vec<usize> = (0..bank.bank.questions.len())
        .filter(|&i| !graded.outcomes[i].pilot)
        .collect();
    let mut raws: Vec<Vec<Raw>> = Vec::with_capacity(specs.len());
    let mut out = Groupings::default();
    for (g, spec) in specs.iter().enumerate() {
        let mut list: Vec<Raw> = Vec::new();
        let mut index: HashMap<(Option<String>, String), usize> = HashMap::new();
        let mut flat: Vec<(String, String, usize, usize)> = Vec::new();
        if let Some(column) = &columns[g] {
            for &i in &counted {
                let Some((key, name)) = value_of(bank, i, column) else {
                    continue;
                };
                let correct = usize::from(graded.outcomes[i].correct);
                match flat.iter_mut().find(|f| f.0 == key) {
                    Some(f) => (f.2, f.3) = (f.2 + correct, f.3 + 1),
                    None => flat.push((key.clone(), name.clone(), correct, 1)),
                }
                let parent = match parent_index(spec) {
                    None => None,
                    Some(p) => match columns[p].as_deref().and_then(|c| value_of(bank, i, c)) {
                        Some((parent_key, _)) => Some(parent_key),
                        // Outside any parent group: it belongs to no nested group either.
                        None => continue,
                    },
                };
                let slot = *index
                    .entry((parent.clone(), key.clone()))
                    .or_insert_with(|| {
                        list.push(Raw {
                            parent,
                            key,
                            name,
                            correct: 0,
                            total: 0,
                        });
                        list.len() - 1
                    });
                list[slot].correct += correct;
                list[slot].total += 1;
            }
        }
        let mut pct = IndexMap::new();
        for (key, name, correct, total) in flat {
            let p = percent(correct, total);
            pct.insert(name.clone(), p);
            if key != name {
                pct.insert(key, p);
            }
        }
        out.pct.insert(spec.name.clone(), pct);
        raws.push(list);
    }
    // Children are built before their parents so that every level carries its nested lists.
    let mut built: Vec<Vec<GroupResult>> = vec![Vec::new(); specs.len()];
    for g in (0..specs.len()).rev() {
        let spec = &specs[g];
        let parent_names: HashMap<&str, &str> = match parent_index(spec) {
            Some(p) => raws[p]
                .iter()
                .map(|r| (r.key.as_str(), r.name.as_str()))
                .collect(),
            None => HashMap::new(),
        };
        let children: Vec<usize> = (g + 1..specs.len())
            .filter(|&c| specs[c].within.as_deref() == Some(spec.name.as_str()))
            .collect();
        let mut values = Vec::with_capacity(raws[g].len());
        let (mut passed_count, mut failed_names) = (0, Vec::new());
        for raw in &raws[g] {
            let result = group_result(spec, raw, &parent_names, &children, specs, &raws, &built);
            if result.passed {
                passed_count += 1;
            } else {
                failed_names.push(result.name.clone());
            }
            values.push(result);
        }
        let total = values.len();
        let count = GroupCount {
            total,
            passed: passed_count,
            failed: total - passed_count,
            percent_passed: percent(passed_count, total),
            percent_passed_text: percent_text(percent(passed_count, total), DEFAULT_DECIMALS),
        };
        out.count.insert(spec.name.clone(), count);
        out.failed.insert(spec.name.clone(), failed_names);
        built[g] = values;
    }
    for (spec, values) in specs.iter().zip(built) {
        out.groups.insert(spec.name.clone(), values);
    }
    // Keep the profile's order in every map (the loop above ran backwards).
    let order = |name: &String| specs.iter().position(|s| &s.name == name);
    out.count.sort_by_cached_key(|name, _| order(name));
    out.failed.sort_by_cached_key(|name, _| order(name));
    Ok(out)
}

fn group_result(
    spec: &GroupingSpec,
    raw: &Raw,
    parent_names: &HashMap<&str, &str>,
    children: &[usize],
    specs: &[GroupingSpec],
    raws: &[Vec<Raw>],
    built: &[Vec<GroupResult>],
) -> GroupResult {
    let p = percent(raw.correct, raw.total);
    let passed = raw.total > 0 && p >= spec.pass_at;
    let mut extra = Map::new();
    let status = if spec.bands.is_empty() {
        if passed { &spec.passed } else { &spec.failed }.clone()
    } else {
        let band = spec
            .bands
            .iter()
            .find(|b| b.below.is_none_or(|below| p < below))
            .unwrap_or(&spec.bands[spec.bands.len() - 1]);
        for (k, v) in &band.text {
            extra.insert(k.clone(), Value::from(v.clone()));
        }
        band.status.clone()
    };
    for &c in children {
        let nested: Vec<Value> = raws[c]
            .iter()
            .zip(&built[c])
            .filter(|(r, _)| r.parent.as_deref() == Some(raw.key.as_str()))
            .filter_map(|(_, v)| serde_json::to_value(v).ok())
            .collect();
        extra.insert(specs[c].name.clone(), Value::Array(nested));
    }
    GroupResult {
        name: raw.name.clone(),
        correct: raw.correct,
        total: raw.total,
        percent: p,
        percent_text: percent_text(p, DEFAULT_DECIMALS),
        passed,
        status,
        parent: raw
            .parent
            .as_deref()
            .and_then(|k| parent_names.get(k))
            .map(|n| n.to_string()),
        extra,
    }
}
