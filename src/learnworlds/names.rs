//! Students' names from LearnWorlds' user records, kept for the process: a name changes rarely
//! and a student's next report may come minutes later, so one call serves them all.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{LearnWorlds, LwError, Priority};

/// Names are looked up again after this long (a student who fixed their name in LearnWorlds).
const FRESH_FOR: Duration = Duration::from_secs(6 * 3600);
/// Bound on the memory a flood of students can take; the map starts over when full.
const CAPACITY: usize = 50_000;

#[derive(Default)]
pub(super) struct NameCache(Mutex<HashMap<String, (Instant, Option<String>)>>);

impl NameCache {
    /// `Some(name)` when known and fresh (the name itself may be `None`: a record naming
    /// nobody), `None` when it must be fetched.
    pub fn get(&self, user_id: &str) -> Option<Option<String>> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(user_id)
            .filter(|(at, _)| at.elapsed() < FRESH_FOR)
            .map(|(_, name)| name.clone())
    }

    pub fn put(&self, user_id: &str, name: Option<String>) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= CAPACITY {
            map.clear();
        }
        map.insert(user_id.to_string(), (Instant::now(), name));
    }
}

impl LearnWorlds {
    /// How LearnWorlds names the student (`GET /v2/users/{id}`: first and last name, else
    /// username, else email), counted in the shared budget and remembered for the process, so
    /// a student's reports cost one call between them. The call only takes a request the
    /// budget can spare at once ([`Priority::Spare`]): in peak week 2,000 lookups would take
    /// the 30 requests / 10 s that batched answer fetches need, and a greeting by username is
    /// better than a report eleven minutes late; a skipped lookup is not remembered.
    pub async fn display_name(&self, user_id: &str) -> Result<Option<String>, LwError> {
        if let Some(name) = self.names.get(user_id) {
            return Ok(name);
        }
        // An id travels in the path: one segment, whatever it holds.
        let segment = url_segment(user_id);
        let body = self
            .get(&format!("/v2/users/{segment}"), &[], Priority::Spare)
            .await?;
        let name = crate::domain::submission::display_name(&body);
        self.names.put(user_id, name.clone());
        Ok(name)
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986), for a path segment.
fn url_segment(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_one_path_segment_whatever_it_holds() {
        assert_eq!(url_segment("64f1a2b3"), "64f1a2b3");
        assert_eq!(url_segment("a/../b c@d"), "a%2F..%2Fb%20c%40d");
    }

    #[test]
    fn a_name_is_remembered_until_the_cache_is_full() {
        let cache = NameCache::default();
        assert_eq!(cache.get("u1"), None);
        cache.put("u1", Some("Camila Rojas".into()));
        assert_eq!(cache.get("u1"), Some(Some("Camila Rojas".into())));
        for i in 0..CAPACITY {
            cache.put(&format!("x{i}"), None);
        }
        assert_eq!(cache.get("u1"), None, "bounded: the map started over");
    }
}
