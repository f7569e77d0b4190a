//! Students' names from LearnWorlds' user records, kept for the process: a name changes rarely
//! and a student's next report may come minutes later, so one call serves them all.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

#[cfg(test)]
mod tests {
    use super::*;

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
