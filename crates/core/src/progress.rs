//! Progress reports from long computations (planning, routing, sizing).

/// Receives progress from long computations. The library never prints; a CLI
/// or an embedding application decides what to show.
pub trait Progress: Sync {
    /// A named phase starts (e.g. "balancing LP").
    fn phase(&self, name: &str);
    /// Finer detail within a phase.
    fn detail(&self, _message: &str) {}
    /// `done` of `total` steps of the current phase are finished (rounds,
    /// reps); a display may draw a bar.
    fn advance(&self, _done: usize, _total: usize) {}
}

/// Progress sink that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn phase(&self, _name: &str) {}
}
