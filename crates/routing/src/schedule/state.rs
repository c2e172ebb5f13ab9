//! What the search works on: each account's needs (its day patterns and what
//! leaving it out costs) and the state of a plan (routes, chosen patterns,
//! accounts left out), shared by the search and the moves between days.

use super::day::Visit;
use super::Reason;

/// Penalty per visit left out, far above any day's travel.
pub(super) const MISSED_VISIT: f64 = 1.0e5;

/// An account of the group and what it needs.
pub(super) struct Need {
    /// Global account index.
    pub(super) account: usize,
    /// Owner (global rep index).
    pub(super) rep: usize,
    /// Visits due, appointments included.
    pub(super) due: usize,
    /// Day patterns (slot lists) for the visits not covered by appointments.
    pub(super) patterns: Vec<Vec<usize>>,
    /// Why it cannot be scheduled at all, if known before the search.
    pub(super) blocked: Option<Reason>,
    /// What leaving a visit of the account out costs, in missed visits:
    /// more the longer it has gone without one (see [`super::stretch`]), so
    /// when the days are full the accounts most behind keep their visits.
    pub(super) missed_weight: f64,
    /// Per pattern, the cost of the earlier visits it moves (re-planning).
    pub(super) change: Vec<f64>,
    /// The cost when every earlier visit moves (the account left out).
    pub(super) change_all: f64,
    /// Patterns from this index on ignore the account's flexible bookings.
    pub(super) fallback_from: usize,
}

#[derive(Clone)]
pub(super) struct State {
    pub(super) routes: Vec<Vec<Visit>>,
    pub(super) cost: Vec<f64>,
    pub(super) chosen: Vec<Option<u32>>,
    pub(super) unassigned: Vec<usize>,
}

impl State {
    pub(super) fn objective(&self, needs: &[Need]) -> f64 {
        self.cost.iter().sum::<f64>()
            + self
                .unassigned
                .iter()
                .map(|&a| {
                    MISSED_VISIT * needs[a].patterns[0].len() as f64 * needs[a].missed_weight
                        + needs[a].change_all
                })
                .sum::<f64>()
            + self
                .chosen
                .iter()
                .zip(needs)
                .filter_map(|(c, n)| c.map(|p| n.change[p as usize]))
                .sum::<f64>()
    }
}
