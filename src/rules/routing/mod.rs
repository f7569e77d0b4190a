//! Which profile reports an assessment: by id, by title, by the routing spreadsheet, or the
//! fallback profile. Every rule that cannot be used is listed, never dropped silently.

mod rows;
pub mod sheet;

use std::collections::{BTreeMap, HashMap};

use self::rows::sheet_routes;
pub use self::rows::{AcceptedRow, RejectedRow, SheetReport};
use self::sheet::{valid_id, SheetRow};
use super::spec::RouteSpec;
pub use crate::domain::route::RouteTarget;
use crate::domain::text::normalize;

/// Why an event routes nowhere: `code` is what intake answers with 422.
#[derive(Debug, Clone, PartialEq)]
pub struct Unroutable {
    pub code: &'static str,
    pub reason: String,
}

/// A profile's routing rules (a broken profile keeps its routes, so that its submissions
/// wait in the queue for the fix instead of being refused).
pub struct RouteOwner<'a> {
    pub profile: &'a str,
    pub route: &'a RouteSpec,
    pub fallback: bool,
}

#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    by_id: HashMap<String, RouteTarget>,
    by_title: HashMap<String, RouteTarget>,
    /// Ids a rule meant to route but could not: answered with the rule's problem.
    refused: HashMap<String, String>,
    fallback: Option<String>,
    pub sheet: Option<SheetReport>,
    /// Conflicts between profiles' own rules.
    pub problems: Vec<String>,
}

fn target(profile: &str, via: &str) -> RouteTarget {
    RouteTarget {
        profile: profile.to_string(),
        assessment_name: None,
        group: None,
        kind: None,
        number: None,
        via: via.to_string(),
    }
}

impl RouteTable {
    pub fn build(
        owners: &[RouteOwner<'_>],
        sheet: Option<(&str, Vec<SheetRow>)>,
        aliases: &BTreeMap<String, String>,
    ) -> Self {
        let mut t = RouteTable::default();
        for o in owners {
            for raw in &o.route.ids {
                let Some(id) = valid_id(raw) else {
                    t.problems.push(format!(
                        "profile {}: route id '{raw}' is not a 24-hexadecimal assessment id",
                        o.profile
                    ));
                    continue;
                };
                t.add_id(id, target(o.profile, "id"));
            }
            for title in &o.route.titles {
                let key = normalize(title);
                match t.by_title.get(&key) {
                    Some(other) if other.profile != o.profile => t.problems.push(format!(
                        "title '{title}' is routed to both {} and {}: it goes to {}",
                        other.profile, o.profile, other.profile
                    )),
                    _ => {
                        t.by_title.insert(key, target(o.profile, "title"));
                    }
                }
            }
            if o.fallback {
                match &t.fallback {
                    Some(first) => t.problems.push(format!(
                        "profiles {first} and {} are both `fallback`: {first} is used",
                        o.profile
                    )),
                    None => t.fallback = Some(o.profile.to_string()),
                }
            }
        }
        if let Some((file, rows)) = sheet {
            let report = sheet_routes(file, rows, owners, aliases);
            for row in &report.accepted {
                t.add_id(row.id.clone(), row.target.clone());
            }
            for row in &report.rejected {
                if let Some(id) = valid_id(&row.id) {
                    if !t.by_id.contains_key(&id) {
                        t.refused.entry(id).or_insert_with(|| {
                            format!(
                                "routing spreadsheet {file}, row {}: {}",
                                row.row, row.reason
                            )
                        });
                    }
                }
            }
            t.sheet = Some(report);
        }
        t
    }

    fn add_id(&mut self, id: String, target: RouteTarget) {
        match self.by_id.get(&id) {
            Some(other) if other.profile != target.profile => {
                let reason = format!(
                    "assessment id {id} is routed to both {} ({}) and {} ({})",
                    other.profile, other.via, target.profile, target.via
                );
                self.problems.push(reason.clone());
                self.by_id.remove(&id);
                self.refused.insert(id, reason);
            }
            Some(existing) => {
                // The spreadsheet knows the assessment's name (and so its bank): keep that.
                if existing.assessment_name.is_none() && target.assessment_name.is_some() {
                    self.by_id.insert(id, target);
                }
            }
            None if self.refused.contains_key(&id) => {}
            None => {
                self.by_id.insert(id, target);
            }
        }
    }

    /// By id, then title, then the fallback profile.
    pub fn route(&self, assessment_id: &str, title: &str) -> Result<RouteTarget, Unroutable> {
        let id = assessment_id.to_ascii_lowercase();
        if let Some(t) = self.by_id.get(&id) {
            return Ok(t.clone());
        }
        if let Some(reason) = self.refused.get(&id) {
            return Err(Unroutable {
                code: "route_rejected",
                reason: reason.clone(),
            });
        }
        if let Some(t) = self.by_title.get(&normalize(title)) {
            return Ok(t.clone());
        }
        if let Some(p) = &self.fallback {
            return Ok(target(p, "fallback"));
        }
        Err(Unroutable {
            code: "no_route",
            reason: format!(
                "assessment '{title}' ({assessment_id}) matches no report profile: add its id or title to a profile's [route], or a row to the routing spreadsheet"
            ),
        })
    }

    /// The assessments routed by id (a profile's rule or a spreadsheet row), sorted.
    pub fn routed_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.by_id.keys().cloned().collect();
        ids.sort();
        ids
    }

    pub fn routes_count(&self) -> (usize, usize, bool) {
        (
            self.by_id.len(),
            self.by_title.len(),
            self.fallback.is_some(),
        )
    }
}
