//! The profiles file (`config/reports.toml`) parsed: presets merged, every profile validated on
//! its own so that one broken profile leaves the others serving.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Deserialize;

use super::presets;
use super::profile::{validate, Profile};
use super::routing::sheet::SheetRow;
use super::routing::{RouteOwner, RouteTable, RouteTarget, Unroutable};
use super::spec::{ProfileSpec, RouteSpec, RoutingSpec};
use super::ProfileError;
use crate::domain::event::SubmissionEvent;

#[derive(Debug, Clone)]
pub struct BrokenProfile {
    pub name: String,
    pub source: String,
    pub error: String,
    route: Option<Box<RouteSpec>>,
    fallback: bool,
}

/// The profiles in force.
#[derive(Debug, Clone)]
pub struct ProfileSet {
    /// `config/reports.toml`, or a note that the built-in default is used.
    pub source: String,
    pub profiles: Vec<Arc<Profile>>,
    pub broken: Vec<BrokenProfile>,
    pub routes: RouteTable,
    pub routing: RoutingSpec,
    /// Problems of the file itself (syntax, unknown keys, the spreadsheet).
    pub problems: Vec<String>,
    /// The file is not TOML at all: nothing in it can be used.
    pub unreadable: bool,
}

impl ProfileSet {
    /// No profiles file: the seed diagnostic, routing everything, with the configured template.
    pub fn default_set(path: &str, template: &str) -> Self {
        let text = format!(
            "[[profile]]\npreset = \"seed_diagnostic\"\nfallback = true\ntemplate = {}\n",
            toml::Value::String(template.to_string())
        );
        let mut set = Self::parse(&format!("built-in default ({path} not found)"), &text, None);
        set.source = format!("built-in seed diagnostic ({path} not found)");
        set
    }

    /// Parses the file; `sheet` is the routing spreadsheet, read by the caller.
    pub fn parse(
        file: &str,
        text: &str,
        sheet: Option<(&str, Result<Vec<SheetRow>, String>)>,
    ) -> Self {
        let mut problems = Vec::new();
        let mut profiles: Vec<Arc<Profile>> = Vec::new();
        let mut broken = Vec::new();
        let mut routing = RoutingSpec::default();
        let mut unreadable = false;
        match toml::from_str::<toml::Table>(text) {
            Err(e) => {
                unreadable = true;
                problems.push(format!("{file}: not valid TOML: {e}"))
            }
            Ok(mut table) => {
                if let Some(r) = table.remove("routing") {
                    match serde_path_to_error::deserialize::<_, RoutingSpec>(r) {
                        Ok(r) => routing = r,
                        Err(e) => problems.push(format!("{file}: [routing].{e}")),
                    }
                }
                let entries = match table.remove("profile") {
                    None => Vec::new(),
                    Some(toml::Value::Array(list)) => list,
                    Some(_) => {
                        problems.push(format!(
                            "{file}: `profile` must be a list of [[profile]] tables"
                        ));
                        Vec::new()
                    }
                };
                for key in table.keys() {
                    problems.push(format!("{file}: unknown top-level key `{key}` (expected [routing] and [[profile]])"));
                }
                let mut names = BTreeSet::new();
                for (i, entry) in entries.into_iter().enumerate() {
                    let source = format!("{file}, profile {}", i + 1);
                    match profile_from(entry, &source) {
                        Ok(p) if !names.insert(p.spec.name.clone()) => broken.push(BrokenProfile {
                            error: format!("name: '{}' is used by an earlier profile", p.spec.name),
                            name: p.spec.name.clone(),
                            source,
                            route: None,
                            fallback: false,
                        }),
                        Ok(p) => profiles.push(Arc::new(p)),
                        Err(b) => {
                            names.insert(b.name.clone());
                            broken.push(b)
                        }
                    }
                }
            }
        }
        let sheet = match sheet {
            None => None,
            Some((file, Ok(rows))) => Some((file, rows)),
            Some((file, Err(e))) => {
                problems.push(format!("routing spreadsheet {file}: {e}"));
                None
            }
        };
        let owners: Vec<RouteOwner<'_>> = profiles
            .iter()
            .map(|p| RouteOwner {
                profile: &p.spec.name,
                route: &p.spec.route,
                fallback: p.spec.fallback,
            })
            .chain(broken.iter().filter_map(|b| {
                b.route.as_ref().map(|r| RouteOwner {
                    profile: &b.name,
                    route: r,
                    fallback: b.fallback,
                })
            }))
            .collect();
        let routes = RouteTable::build(&owners, sheet, &routing.aliases());
        Self {
            source: file.to_string(),
            profiles,
            broken,
            routes,
            routing,
            problems,
            unreadable,
        }
    }

    pub fn profile(&self, name: &str) -> Result<Arc<Profile>, ProfileError> {
        if let Some(p) = self.profiles.iter().find(|p| p.spec.name == name) {
            return Ok(p.clone());
        }
        let reason = match self.broken.iter().find(|b| b.name == name) {
            Some(b) => format!("{}: {}", b.source, b.error),
            None => format!("no profile named '{name}' in {}", self.source),
        };
        Err(ProfileError::ProfileUnavailable {
            name: name.to_string(),
            reason,
        })
    }

    /// The assessments routed by id, which the reconciliation sweep lists even before their
    /// first webhook.
    pub fn routed_assessment_ids(&self) -> Vec<String> {
        self.routes.routed_ids()
    }

    pub fn route(&self, event: &SubmissionEvent) -> Result<RouteTarget, Unroutable> {
        self.routes
            .route(&event.assessment_id, &event.assessment_title)
    }

    /// Everything the operator must fix, one line each.
    pub fn errors(&self) -> Vec<String> {
        let mut out = self.problems.clone();
        out.extend(
            self.broken
                .iter()
                .map(|b| format!("profile {} ({}): {}", b.name, b.source, b.error)),
        );
        out.extend(self.routes.problems.iter().cloned());
        if let Some(sheet) = &self.routes.sheet {
            out.extend(sheet.rejected.iter().map(|r| {
                format!(
                    "routing spreadsheet {}, row {}: '{}' ({}): {}",
                    sheet.file, r.row, r.name, r.id, r.reason
                )
            }));
        }
        out
    }
}

fn merge(base: &mut toml::Table, overlay: toml::Table) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// A `[[profile]]` entry: its preset, its own keys over it, then validation.
fn profile_from(entry: toml::Value, source: &str) -> Result<Profile, BrokenProfile> {
    let broken = |name: String, error: String, table: Option<&toml::Table>| {
        #[derive(Deserialize)]
        struct Routing {
            #[serde(default)]
            route: Option<RouteSpec>,
            #[serde(default)]
            fallback: bool,
        }
        let routing = table.and_then(|t| {
            let mut only = toml::Table::new();
            for k in ["route", "fallback"] {
                if let Some(v) = t.get(k) {
                    only.insert(k.to_string(), v.clone());
                }
            }
            toml::Value::Table(only).try_into::<Routing>().ok()
        });
        BrokenProfile {
            name,
            source: source.to_string(),
            error,
            fallback: routing.as_ref().is_some_and(|r| r.fallback),
            route: routing.and_then(|r| r.route).map(Box::new),
        }
    };
    let toml::Value::Table(own) = entry else {
        return Err(broken(
            "?".into(),
            "a [[profile]] entry must be a table".into(),
            None,
        ));
    };
    let preset = own
        .get("preset")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let mut table = match &preset {
        None => toml::Table::new(),
        Some(p) => match presets::get(p) {
            Some(text) => toml::from_str(text).expect("shipped presets are valid TOML (tested)"),
            None => {
                let name = own
                    .get("name")
                    .and_then(|v| v.as_str())
                    .unwrap_or(p)
                    .to_string();
                let known = presets::names().join(", ");
                return Err(broken(
                    name,
                    format!("unknown preset '{p}' (known: {known})"),
                    Some(&own),
                ));
            }
        },
    };
    merge(&mut table, own);
    let name = table
        .get("name")
        .and_then(|v| v.as_str())
        .unwrap_or("?")
        .to_string();
    let spec: ProfileSpec = serde_path_to_error::deserialize(toml::Value::Table(table.clone()))
        .map_err(|e| broken(name.clone(), e.to_string(), Some(&table)))?;
    let errors = validate(&spec);
    if !errors.is_empty() {
        return Err(broken(name, errors.join("; "), Some(&table)));
    }
    Ok(Profile {
        source: match &preset {
            Some(p) => format!("{source} (preset {p})"),
            None => source.to_string(),
        },
        spec,
    })
}
