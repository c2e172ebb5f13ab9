//! Visit history: each account's rhythm carried from its last real visit.
//!
//! An account visited `v` times per 4 weeks is due every `28 / v` days (3 per
//! 4 weeks: every 9.33 days) after its last *done* visit, within a tolerance
//! of a quarter of that interval either side. A *missed* visit after the last
//! done one makes the account due at once; *cancelled* ones are ignored.
//! Accounts whose due date lies before the horizon are overdue: their first
//! visit is due on its first day, and the lateness is reported.

use chrono::NaiveDate;

/// What became of a planned visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitStatus {
    /// The rep made the visit.
    Done,
    /// The visit did not happen and is still owed.
    Missed,
    /// The visit was called off (it neither counts nor is owed).
    Cancelled,
}

/// One visit of the past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PastVisit {
    /// Index of the account in [`super::ScheduleRequest::accounts`].
    pub account: usize,
    /// Day of the visit.
    pub date: NaiveDate,
    /// What happened.
    pub status: VisitStatus,
}

/// When an account's visits fall due in a horizon, from its history.
#[derive(Debug, Clone, PartialEq)]
pub struct DueDates {
    /// Due dates inside the horizon, the first no earlier than its start.
    pub dates: Vec<NaiveDate>,
    /// Days each visit may move either way (a quarter of the interval, at least 1).
    pub tolerance_days: i64,
    /// Days the first visit is already late at the start of the horizon (0 if not).
    pub days_overdue: i64,
    /// The date the first visit was due (before clamping to the horizon).
    pub first_due: NaiveDate,
}

/// The due dates in `[start, start + days)` of an account with `per_4_weeks`
/// visits per 4 weeks and these past visits (any order, this account's
/// only), or `None` when the history holds no done or missed visit of it
/// (then the horizon's own rhythm applies).
///
/// ```
/// use chrono::NaiveDate;
/// use territory_routing::schedule::{due_dates, PastVisit, VisitStatus};
/// let d = |day| NaiveDate::from_ymd_opt(2027, 1, day).unwrap();
/// // Weekly, last done on Tuesday the 5th: due on the 12th, 19th and 26th.
/// let past = [PastVisit { account: 0, date: d(5), status: VisitStatus::Done }];
/// let due = due_dates(4.0, &past, d(11), 21).unwrap();
/// assert_eq!(due.dates, vec![d(12), d(19), d(26)]);
/// assert_eq!(due.days_overdue, 0);
/// ```
pub fn due_dates(
    per_4_weeks: f64,
    past: &[PastVisit],
    start: NaiveDate,
    days: u32,
) -> Option<DueDates> {
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
        .filter(|p| p.status == VisitStatus::Missed && last_done.is_none_or(|d| p.date > d))
        .map(|p| p.date)
        .min();
    let first_due = match (missed_since, last_done) {
        (Some(m), _) => m,
        (None, Some(d)) => d + chrono::Days::new(interval.round() as u64),
        (None, None) => return None,
    };
    let days_overdue = (start - first_due).num_days().max(0);
    let end = start + chrono::Days::new(days as u64);
    let first = first_due.max(start);
    let mut dates = Vec::new();
    let mut k = 0.0f64;
    loop {
        let date = first + chrono::Days::new((k * interval).round() as u64);
        if date >= end {
            break;
        }
        dates.push(date);
        k += 1.0;
    }
    Some(DueDates {
        dates,
        tolerance_days: ((interval / 4.0).floor() as i64).max(1),
        days_overdue,
        first_due,
    })
}

/// Days from the start of the horizon an overdue visit may wait: it comes
/// back within the week.
const OVERDUE_WITHIN_DAYS: i64 = 7;

/// Day patterns for due dates: one working day per date, each within the
/// tolerance of its date (and never before the first of `dates`' own
/// lower bound, the horizon), increasing; an overdue first visit on any
/// day of the horizon's first week, the next ones an interval on from it. Shifting every visit by the same
/// number of days keeps the spacing; the shifts are tried nearest first.
/// `calendar[d]` is the date of working day `d`, `allowed[d]` whether the
/// account may be visited on it.
pub fn due_patterns(calendar: &[NaiveDate], allowed: &[bool], due: &DueDates) -> Vec<Vec<usize>> {
    let tol = due.tolerance_days;
    // An overdue visit is due at once: on the first free day of its week or
    // a later one of that week (earliest first), the next ones an interval
    // on from it; others move within the tolerance either way.
    let overdue = due.days_overdue > 0;
    let shifts: Vec<i64> = if overdue {
        (0..OVERDUE_WITHIN_DAYS).collect()
    } else {
        std::iter::once(0)
            .chain((1..=tol).flat_map(|s| [-s, s]))
            .collect()
    };
    let mut out: Vec<Vec<usize>> = Vec::new();
    for shift in shifts {
        let mut days: Vec<usize> = Vec::with_capacity(due.dates.len());
        for (k, &date) in due.dates.iter().enumerate() {
            let want = date + chrono::Duration::days(shift);
            // Overdue: the first visit exactly on its shifted day, the next
            // ones within the tolerance of theirs.
            let (centre, reach) = match (overdue, k) {
                (true, 0) => (want, 0),
                (true, _) => (want, tol),
                (false, _) => (date, tol),
            };
            let pick = (0..calendar.len())
                .filter(|&d| allowed[d] && days.last().is_none_or(|&p| d > p))
                .filter(|&d| (calendar[d] - centre).num_days().abs() <= reach)
                .min_by_key(|&d| ((calendar[d] - want).num_days().abs(), d));
            match pick {
                Some(d) => days.push(d),
                None => break,
            }
        }
        if days.len() == due.dates.len() && !days.is_empty() && !out.contains(&days) {
            out.push(days);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, day).unwrap()
    }

    fn visit(day: u32, status: VisitStatus) -> PastVisit {
        PastVisit {
            account: 0,
            date: d(day),
            status,
        }
    }

    #[test]
    fn any_rate_keeps_its_interval_from_the_last_done_visit() {
        // 3 per 4 weeks: every 9.33 days from the 2nd: the 11th, then 9–10 days apart.
        let due = due_dates(3.0, &[visit(2, VisitStatus::Done)], d(4), 28).unwrap();
        assert_eq!(due.dates, vec![d(11), d(20), d(30)]);
        assert_eq!(due.tolerance_days, 2);
    }

    #[test]
    fn missed_visits_are_due_at_once_and_lateness_is_counted() {
        let past = [
            visit(1, VisitStatus::Done),
            visit(8, VisitStatus::Missed),
            visit(9, VisitStatus::Cancelled),
        ];
        let due = due_dates(4.0, &past, d(11), 7).unwrap();
        assert_eq!(due.dates, vec![d(11)]);
        assert_eq!(due.days_overdue, 3);
        // A later done visit settles the missed one.
        let past = [visit(8, VisitStatus::Missed), visit(9, VisitStatus::Done)];
        let due = due_dates(4.0, &past, d(11), 14).unwrap();
        assert_eq!(due.dates, vec![d(16), d(23)]);
        assert_eq!(
            due_dates(4.0, &[visit(3, VisitStatus::Cancelled)], d(11), 7),
            None
        );
    }

    #[test]
    fn patterns_move_within_the_tolerance_only() {
        // Mon–Fri of two weeks from Monday the 4th.
        let calendar: Vec<NaiveDate> = (4..=8).chain(11..=15).map(d).collect();
        let due = DueDates {
            dates: vec![d(6), d(13)],
            tolerance_days: 1,
            days_overdue: 0,
            first_due: d(6),
        };
        let mut allowed = vec![true; 10];
        let p = due_patterns(&calendar, &allowed, &due);
        assert_eq!(p[0], vec![2, 7]);
        assert!(p.contains(&vec![1, 6]) && p.contains(&vec![3, 8]));
        // Wednesday the 6th away: only the 5th or the 7th in week 1.
        allowed[2] = false;
        for days in due_patterns(&calendar, &allowed, &due) {
            assert!(days[0] == 1 || days[0] == 3, "{days:?}");
        }
    }
}
