//! The routing spreadsheet's rows turned into routes, or refused with their reason.

use std::collections::BTreeMap;

use super::sheet::{parse_name, valid_id, SheetRow};
use super::{RouteOwner, RouteTarget};
use crate::domain::text::normalize;

#[derive(Debug, Clone, PartialEq)]
pub struct AcceptedRow {
    pub row: usize,
    pub name: String,
    pub id: String,
    pub target: RouteTarget,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RejectedRow {
    pub row: usize,
    pub name: String,
    pub id: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default)]
pub struct SheetReport {
    pub file: String,
    pub accepted: Vec<AcceptedRow>,
    pub rejected: Vec<RejectedRow>,
    /// Harmless oddities (a header row, an identical repeated row).
    pub notes: Vec<String>,
}

pub(super) fn sheet_routes(
    file: &str,
    rows: Vec<SheetRow>,
    owners: &[RouteOwner<'_>],
    aliases: &BTreeMap<String, String>,
) -> SheetReport {
    let mut report = SheetReport {
        file: file.to_string(),
        ..Default::default()
    };
    let mut candidates: Vec<AcceptedRow> = Vec::new();
    for (i, row) in rows.into_iter().enumerate() {
        let reject = |reason: String| RejectedRow {
            row: row.row,
            name: row.name.clone(),
            id: row.id.clone(),
            reason,
        };
        let id = valid_id(&row.id);
        let parsed = parse_name(&row.name, aliases);
        if i == 0 && id.is_none() && parsed.is_none() {
            report.notes.push(format!(
                "row {} read as a header: '{}', '{}'",
                row.row, row.name, row.id
            ));
            continue;
        }
        let Some(id) = id else {
            report.rejected.push(reject(format!(
                "invalid assessment id '{}' (expected 24 hexadecimal characters)",
                row.id
            )));
            continue;
        };
        let Some(parsed) = parsed else {
            report.rejected.push(reject(
                "the name does not follow [GROUP]-[TYPE N]-DATA".into(),
            ));
            continue;
        };
        let matching: Vec<&str> = owners
            .iter()
            .filter(|o| {
                o.route.sheet.iter().any(|s| {
                    normalize(&s.kind) == parsed.kind
                        && (s.groups.is_empty()
                            || s.groups
                                .iter()
                                .any(|g| normalize(g) == normalize(&parsed.group)))
                })
            })
            .map(|o| o.profile)
            .collect();
        match matching.as_slice() {
            [] => report.rejected.push(reject(format!(
                "unknown report type '{}' for group {} (no profile routes it)",
                parsed.kind, parsed.group
            ))),
            [profile] => candidates.push(AcceptedRow {
                row: row.row,
                name: row.name.clone(),
                id,
                target: RouteTarget {
                    profile: profile.to_string(),
                    assessment_name: Some(row.name.clone()),
                    group: Some(parsed.group),
                    kind: Some(parsed.kind),
                    number: parsed.number,
                    via: format!("spreadsheet row {}", row.row),
                },
            }),
            many => report.rejected.push(reject(format!(
                "ambiguous: profiles {} all route type '{}' for group {}",
                many.join(", "),
                parsed.kind,
                parsed.group
            ))),
        }
    }
    for row in &candidates {
        let same_id: Vec<&AcceptedRow> = candidates.iter().filter(|r| r.id == row.id).collect();
        let first = same_id[0];
        // The same assessment written twice (whatever the spacing) is harmless.
        let same = |r: &AcceptedRow| {
            let (a, b) = (&r.target, &first.target);
            (&a.profile, &a.group, &a.kind, a.number) == (&b.profile, &b.group, &b.kind, b.number)
        };
        if !same_id.iter().all(|r| same(r)) {
            let rows: Vec<String> = same_id.iter().map(|r| r.row.to_string()).collect();
            report.rejected.push(RejectedRow {
                row: row.row,
                name: row.name.clone(),
                id: row.id.clone(),
                reason: format!(
                    "conflicting duplicates: rows {} give id {} different assessments",
                    rows.join(", "),
                    row.id
                ),
            });
        } else if first.row != row.row {
            report
                .notes
                .push(format!("row {} repeats row {}", row.row, first.row));
        } else {
            report.accepted.push(row.clone());
        }
    }
    report.rejected.sort_by_key(|r| r.row);
    report
}
