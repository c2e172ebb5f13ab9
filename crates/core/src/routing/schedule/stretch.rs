//! Sharing a shortage of days across a rep's accounts by their intervals.
//!
//! When a rep's days cannot hold every due visit, some visits go. Weighing
//! every left-out visit alike lets the search drop those that fit worst
//! (the far accounts), and the same accounts go without week after week.
//! Instead a left-out visit costs more the further its account is through
//! its interval: `(1 + 2 r) / 3` missed visits, with `r` the time since its
//! last done visit over its interval (1 for an account without history, so
//! a plan without history weighs every visit as before). The visits that go
//! are then those of the accounts visited most recently for their rhythm,
//! and over the weeks every account's interval lengthens by about the same
//! factor: the intervals stretch in proportion. Each stretched rep is
//! reported with that factor (visits due over visits planned).

use chrono::NaiveDate;

use super::search::GroupResult;
use super::{PastVisit, Reason, VisitStatus};

/// How far through its interval an account may count: 2.5 intervals late
/// weighs as much as any later.
const MOST_BEHIND: f64 = 2.5;

/// Cost of leaving out one visit of an account, in missed visits, from its
/// visits per 4 weeks and its past visits, at the start of the horizon.
///
/// A missed visit after the last done one counts as at least a whole
/// interval behind (it is due at once).
pub(super) fn missed_weight(per_4_weeks: f64, past: &[PastVisit], start: NaiveDate) -> f64 {
    let behind = intervals_behind(per_4_weeks, past, start).unwrap_or(1.0);
    (1.0 + 2.0 * behind.clamp(0.0, MOST_BEHIND)) / 3.0
}

/// Time since the last done visit over the interval, `None` without history.
fn intervals_behind(per_4_weeks: f64, past: &[PastVisit], start: NaiveDate) -> Option<f64> {
    if !(per_4_weeks > 0.0 && per_4_weeks.is_finite()) {
        return None;
    }
    let interval = 28.0 / per_4_weeks;
    let last_done = past
        .iter()
        .filter(|p| p.status == VisitStatus::Done)
        .map(|p| p.date)
        .max();
    let missed_since = past
        .iter()
        .any(|p| p.status == VisitStatus::Missed && last_done.is_none_or(|d| p.date > d));
    let since = last_done.map(|d| (start - d).num_days() as f64 / interval);
    match (since, missed_since) {
        (Some(r), true) => Some(r.max(1.0)),
        (None, true) => Some(1.0),
        (r, false) => r,
    }
}

/// A rep whose days could not hold every due visit, so its accounts'
/// intervals stretch.
#[derive(Debug, Clone, PartialEq)]
pub struct Stretch {
    /// Rep index.
    pub rep: usize,
    /// Visits due over visits planned: the factor the rep's intervals
    /// lengthen by if the shortage lasts (1.25: a weekly account is seen
    /// about every 8.75 days).
    pub factor: f64,
    /// Visits due in the horizon.
    pub due: usize,
    /// Visits planned.
    pub scheduled: usize,
    /// Visits that found no room (their accounts are in `unscheduled`, reason `no_room`).
    pub short: usize,
    /// Accounts with a visit left out for want of room.
    pub accounts_short: usize,
}

/// The stretches of a solved group: one per rep with visits left out for
/// want of room and accounts with history (only they have an interval the
/// shortage is shared by).
pub(super) fn stretches(result: &GroupResult, with_history: &[usize]) -> Vec<Stretch> {
    result
        .due_per_rep
        .iter()
        .filter(|(r, _)| with_history.contains(r))
        .filter_map(|&(rep, due)| {
            let short_accounts: Vec<_> = result
                .unscheduled
                .iter()
                .filter(|u| u.rep == rep && u.reason == Reason::NoRoom && u.scheduled < u.due)
                .collect();
            let short: usize = short_accounts.iter().map(|u| u.due - u.scheduled).sum();
            if short == 0 {
                return None;
            }
            let scheduled: usize = result
                .days
                .iter()
                .filter(|d| d.rep == rep)
                .map(|d| d.stops.len())
                .sum();
            Some(Stretch {
                rep,
                factor: due as f64 / scheduled.max(1) as f64,
                due,
                scheduled,
                short,
                accounts_short: short_accounts.len(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, day).unwrap()
    }

    fn past(day: u32, status: VisitStatus) -> PastVisit {
        PastVisit {
            account: 0,
            date: d(day),
            status,
        }
    }

    #[test]
    fn accounts_further_through_their_interval_weigh_more() {
        let start = d(15);
        // Weekly, last seen 2 days ago, against monthly seen 14 days ago.
        let weekly = missed_weight(4.0, &[past(13, VisitStatus::Done)], start);
        let monthly = missed_weight(1.0, &[past(1, VisitStatus::Done)], start);
        assert!(weekly < monthly, "{weekly} {monthly}");
        assert!((monthly - 2.0 / 3.0).abs() < 1e-9);
        // Without history: exactly one missed visit, as before.
        assert_eq!(missed_weight(4.0, &[], start), 1.0);
        // A missed visit makes the account a whole interval behind at least.
        let missed = [past(13, VisitStatus::Done), past(14, VisitStatus::Missed)];
        assert_eq!(missed_weight(1.0, &missed, start), 1.0);
        // Far behind is capped.
        let late = missed_weight(4.0, &[past(1, VisitStatus::Done)], d(28));
        assert_eq!(late, (1.0 + 2.0 * MOST_BEHIND) / 3.0);
    }
}
