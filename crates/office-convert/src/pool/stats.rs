/// What an instance slot is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceState {
    Starting,
    Idle,
    Busy,
    /// Its last start failed; it is retried with back-off.
    Down,
}

/// One instance slot, for `/readyz`, tests and benchmarks.
#[derive(Debug, Clone)]
pub struct InstanceStats {
    pub state: InstanceState,
    pub pid: Option<u32>,
    /// Conversions done by the current process.
    pub conversions: u64,
    /// Processes started successfully in this slot so far.
    pub generation: u64,
    pub failures: u64,
    /// Highest resident memory (VmHWM) seen for any process of this slot.
    pub peak_rss_bytes: u64,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PoolStats {
    pub instances: Vec<InstanceStats>,
    pub queued: usize,
    pub completed: u64,
    /// Conversions re-run after their instance was lost.
    pub retried: u64,
    /// Instances killed after a crash, hang or memory overrun.
    pub replaced: u64,
    /// Instances replaced after `recycle_after` conversions or memory growth.
    pub recycled: u64,
}
