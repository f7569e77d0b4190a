//! Memory back near idle after a flood of connections. Each open connection holds read and
//! write buffers; when thousands close together, glibc keeps the freed pages in its arenas
//! (measured on a release build: 18 MiB idle, still 68 MiB after a 4,500-connection
//! slow-client attack had ended),
//! so once open connections fall to an eighth of a high-water mark of at least
//! `FLOOD_CONNECTIONS`, the freed memory is handed back to the system once.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Below this many open connections at the peak there is too little to give back to bother.
const FLOOD_CONNECTIONS: usize = 512;

/// Open connections overall and their high-water mark since memory was last given back.
#[derive(Default)]
pub(super) struct Flood {
    open: AtomicUsize,
    high_water: AtomicUsize,
}

impl Flood {
    pub(super) fn opened(&self) {
        let now = self.open.fetch_add(1, Ordering::Relaxed) + 1;
        self.high_water.fetch_max(now, Ordering::Relaxed);
    }

    /// Returns whether this close ended a flood (true once per flood).
    pub(super) fn closed(&self) -> bool {
        let now = self.open.fetch_sub(1, Ordering::Relaxed).saturating_sub(1);
        let high = self.high_water.load(Ordering::Relaxed);
        if high < FLOOD_CONNECTIONS || now > high / 8 {
            return false;
        }
        self.high_water
            .compare_exchange(high, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    }
}

/// Gives the allocator's free pages back to the system, off the async threads (trimming a
/// large heap takes milliseconds).
pub(super) fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let trim = || {
            // SAFETY: malloc_trim only walks glibc's own free lists; it has no preconditions.
            unsafe { libc::malloc_trim(0) };
        };
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => drop(rt.spawn_blocking(trim)),
            Err(_) => trim(),
        }
        tracing::debug!("a flood of connections ended; freed memory given back to the system");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_ends_once_when_connections_fall_to_an_eighth_of_the_peak() {
        let flood = Flood::default();
        for _ in 0..1000 {
            flood.opened();
        }
        let ends: usize = (0..1000).map(|_| flood.closed() as usize).sum();
        assert_eq!(ends, 1, "one give-back per flood");
        for _ in 0..1000 {
            flood.opened();
        }
        let ends: usize = (0..1000).map(|_| flood.closed() as usize).sum();
        assert_eq!(ends, 1, "and again for the next flood");
    }

    #[test]
    fn ordinary_traffic_never_counts_as_a_flood() {
        let flood = Flood::default();
        for _ in 0..100 {
            flood.opened();
        }
        assert!((0..100).all(|_| !flood.closed()));
    }
}
