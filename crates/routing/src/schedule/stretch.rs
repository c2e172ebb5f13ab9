//! Sharing a shortage of days across a rep's accounts by their rhythm.
//!
//! When a rep's days cannot hold every due visit, some visits go. Weighing
//! every left-out visit alike lets the search drop those that fit worst
//! (the far accounts), and the same accounts go without week after week.
//! Instead a left-out visit costs `late × r` missed visits: `late` is
//! 1 + the weeks the account is already overdue (up to 4), and `r` the time
//! since its last done visit over its interval, between 0.2 and 1 (1 for an
//! account without history, so a plan without history weighs every visit
//! as before). Overdue accounts keep their visits first; among the others,
//! the visits that go are those of the accounts seen most recently for their
//! rhythm, so the shortage lengthens every interval a little rather than a
//! few a lot. Each rep short of room is reported with the factor its
//! intervals stretch by while the shortage lasts (visits due over planned).

use chrono::NaiveDate;

use super::{PastVisit, Reason, RepDay, Unscheduled, VisitStatus};

/// Least share of its interval an account counts as behind, so one visited
/// yesterday still weighs a fifth of a visit.
const LEAST_BEHIND: f64 = 0.2;

/// Cost of leaving out one visit of an account, in missed visits, from its
/// visits per 4 weeks, its past visits and its days overdue at the start of
/// the horizon; `share` off gives the overdue part only.
///
/// A missed visit after the last done one counts as a whole interval behind
/// (it is due at once).
pub(super) fn missed_weight(
    per_4_weeks: f64,
    past: &[PastVisit],
    start: NaiveDate,
    days_overdue: i64,
    share: bool,
) -> f64 {
    let late = 1.0 + days_overdue.clamp(0, 28) as f64 / 7.0;
    if !share {
        return late;
    }
    let behind = intervals_behind(per_4_weeks, past, start).unwrap_or(1.0);
    late * behind.clamp(LEAST_BEHIND, 1.0)
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
pub(super) fn stretches(
    due_per_rep: &[(usize, usize)],
    unscheduled: &[Unscheduled],
    days: &[RepDay],
    with_history: &[usize],
) -> Vec<Stretch> {
    due_per_rep
        .iter()
        .filter(|(r, _)| with_history.contains(r))
        .filter_map(|&(rep, due)| {
            let short_accounts: Vec<_> = unscheduled
                .iter()
                .filter(|u| u.rep == rep && u.reason == Reason::NoRoom && u.scheduled < u.due)
                .collect();
            let short: usize = short_accounts.iter().map(|u| u.due - u.scheduled).sum();
            if short == 0 {
                return None;
            }
            let scheduled: usize = days
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
        let w = |rate, past: &[PastVisit], overdue| missed_weight(rate, past, start, overdue, true);
        // Weekly, last seen 2 days ago, against monthly seen 14 days ago.
        let weekly = w(4.0, &[past(13, VisitStatus::Done)], 0);
        let monthly = w(1.0, &[past(1, VisitStatus::Done)], 0);
        assert!((weekly - 2.0 / 7.0).abs() < 1e-9, "{weekly}");
        assert!((monthly - 0.5).abs() < 1e-9, "{monthly}");
        // Without history: exactly one missed visit, as before.
        assert_eq!(w(4.0, &[], 0), 1.0);
        // A missed visit: a whole interval behind, and the weeks late count.
        let missed = [past(13, VisitStatus::Done), past(14, VisitStatus::Missed)];
        assert_eq!(w(1.0, &missed, 1), 1.0 + 1.0 / 7.0);
        // Visited yesterday: a fifth.
        assert!((w(1.0, &[past(14, VisitStatus::Done)], 0) - LEAST_BEHIND).abs() < 1e-9);
        // Without sharing: the weeks late only.
        assert_eq!(
            missed_weight(4.0, &[past(13, VisitStatus::Done)], start, 14, false),
            3.0
        );
    }
}
