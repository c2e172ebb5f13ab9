//! Part-time reps: capacity shapes the working week.
//!
//! A rep's `capacity` sizes the territory's workload; a rep at 0.5 whose
//! reps file still says Monday to Friday, 08:30-17:30, would otherwise be
//! planned over every one of those days and leave each half empty. When a
//! rep's week is longer than its capacity's share of a full-time week (the
//! longest week of the reps at capacity 1 or more, or the rep's own), the
//! week is cut to that share, in one of two ways:
//!
//! - [`PartTime::FewerDays`]: the rep works the number of whole days nearest
//!   to the share (never fewer than its accounts' weekly visits need), on
//!   the weekdays that keep its bookings and its accounts' accepted days,
//!   then spread most evenly over the week;
//! - [`PartTime::ShorterDays`]: every day ends earlier, but never before the
//!   end of a visit booked for one of the rep's accounts.
//!
//! A week the reps file already cut to the share (within 5%) is kept as it
//! is, and so is every week with [`PartTime::AsGiven`].

use chrono::NaiveDate;

use super::calendar::weekday;
use super::ScheduleRequest;
use territory::model::{Rep, Weekday};

/// How a part-time rep's week follows its capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PartTime {
    /// Fewer whole working days (the default: fewer trips out and back).
    #[default]
    FewerDays,
    /// The same days, each shorter.
    ShorterDays,
    /// The reps' days and hours as given.
    AsGiven,
}

/// A rep whose week was cut to its capacity.
#[derive(Debug, Clone, PartialEq)]
pub struct PartTimeWeek {
    /// Index of the rep.
    pub rep: usize,
    /// The rep's capacity.
    pub capacity: f64,
    /// Working days before and after.
    pub days_before: Vec<Weekday>,
    /// Working days planned.
    pub days: Vec<Weekday>,
    /// End of the working day before (minutes after midnight).
    pub end_before: u32,
    /// End of the working day planned.
    pub end: u32,
    /// Working minutes per week before.
    pub week_min_before: u32,
    /// Working minutes per week planned.
    pub week_min: u32,
}

/// A week longer than its share by more than this fraction is cut.
const SLACK: f64 = 0.05;

fn week_min(rep: &Rep) -> u32 {
    rep.days.len() as u32 * rep.end.saturating_sub(rep.start)
}

/// The reps of `request` with each part-time rep's week cut to its capacity
/// by `rule`, and what was cut.
///
/// ```
/// use territory_routing::chrono::NaiveDate;
/// use territory_routing::schedule::{shape_part_time, PartTime, ScheduleRequest};
/// use territory::{Location, Rep, Weekday, WorkloadModel};
///
/// let full = Rep::new("full", Some(Location::new(60.17, 24.94)));
/// let mut half = Rep::new("half", Some(Location::new(60.17, 24.95)));
/// half.capacity = 0.4;
/// let reps = vec![full, half];
/// let workload = WorkloadModel::default();
/// let monday = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
/// let request = ScheduleRequest::new(&[], &reps, &[], &workload, monday, 4);
/// let (shaped, cut) = shape_part_time(&request, PartTime::FewerDays);
/// assert_eq!(shaped[1].days, vec![Weekday::Mon, Weekday::Thu]);
/// assert_eq!(cut[0].week_min, 2 * 9 * 60);
/// ```
pub fn shape_part_time(
    request: &ScheduleRequest<'_>,
    rule: PartTime,
) -> (Vec<Rep>, Vec<PartTimeWeek>) {
    let mut reps = request.reps.to_vec();
    if rule == PartTime::AsGiven {
        return (reps, Vec::new());
    }
    let full_week = request
        .reps
        .iter()
        .filter(|r| r.capacity >= 1.0)
        .map(week_min)
        .max();
    let end = request.start + chrono::Days::new(request.weeks as u64 * 7);
    let mut cut = Vec::new();
    for (r, rep) in reps.iter_mut().enumerate() {
        let before = week_min(rep);
        let reference = full_week.unwrap_or(before) as f64;
        let target = rep.capacity * reference;
        let day_len = rep.end.saturating_sub(rep.start);
        if !(rep.capacity > 0.0 && rep.capacity < 1.0)
            || rep.days.is_empty()
            || day_len == 0
            || before as f64 <= target * (1.0 + SLACK)
        {
            continue;
        }
        let mine = |a: usize| request.owner.get(a).copied().flatten() == Some(r);
        let bookings: Vec<(NaiveDate, u32)> = request
            .appointments
            .iter()
            .filter(|b| mine(b.account) && b.date >= request.start && b.date < end)
            .map(|b| (b.date, b.start + b.duration_min))
            .collect();
        let (days_before, end_before) = (rep.days.clone(), rep.end);
        match rule {
            PartTime::FewerDays => {
                let accepted: Vec<&[Weekday]> = (0..request.accounts.len())
                    .filter(|&a| mine(a))
                    .map(|a| request.accounts[a].days.as_slice())
                    .filter(|d| !d.is_empty())
                    .collect();
                // Visits a week the busiest account needs, each on a day of its own.
                let weekly = (0..request.accounts.len())
                    .filter(|&a| mine(a))
                    .map(|a| (request.workload.visits(&request.accounts[a]) / 4.0).ceil())
                    .filter(|v| v.is_finite())
                    .fold(1.0f64, f64::max) as usize;
                let k = ((target / day_len as f64).round() as usize)
                    .max(weekly)
                    .clamp(1, rep.days.len());
                let booked: Vec<Weekday> = bookings.iter().map(|(d, _)| weekday(*d)).collect();
                rep.days = pick_days(&rep.days, k, &booked, &accepted);
            }
            PartTime::ShorterDays => {
                let length = (target / rep.days.len() as f64).round() as u32;
                let latest_booked = bookings.iter().map(|&(_, e)| e).max().unwrap_or(0);
                rep.end = (rep.start + length.max(1)).max(latest_booked.min(rep.end));
            }
            PartTime::AsGiven => {}
        }
        let after = week_min(rep);
        if after < before {
            cut.push(PartTimeWeek {
                rep: r,
                capacity: rep.capacity,
                days_before,
                days: rep.days.clone(),
                end_before,
                end: rep.end,
                week_min_before: before,
                week_min: after,
            });
        }
    }
    (reps, cut)
}

/// The `k` of `days` that keep the most bookings, then serve the most
/// accounts on a day they accept, then lie most evenly over the week (the
/// longest gap between two working days, around the week, shortest; then the
/// gaps' squares least), then come first in the week.
fn pick_days(
    days: &[Weekday],
    k: usize,
    booked: &[Weekday],
    accepted: &[&[Weekday]],
) -> Vec<Weekday> {
    let mut sorted = days.to_vec();
    sorted.sort_by_key(|d| index(*d));
    sorted.dedup();
    let n = sorted.len();
    // (rank, the days): the least rank wins.
    type Ranked = ((usize, usize, u32, u32), Vec<Weekday>);
    let mut best: Option<Ranked> = None;
    for mask in 0u32..(1 << n) {
        if mask.count_ones() as usize != k {
            continue;
        }
        let chosen: Vec<Weekday> = (0..n)
            .filter(|b| mask & (1 << b) != 0)
            .map(|b| sorted[b])
            .collect();
        let lost_bookings = booked.iter().filter(|d| !chosen.contains(d)).count();
        let unserved = accepted
            .iter()
            .filter(|acc| !acc.iter().any(|d| chosen.contains(d)))
            .count();
        let at: Vec<u32> = chosen.iter().map(|d| index(*d)).collect();
        let gaps: Vec<u32> = (0..at.len())
            .map(|i| (at[(i + 1) % at.len()] + 7 - at[i] - 1) % 7 + 1)
            .collect();
        let key = (
            lost_bookings,
            unserved,
            gaps.iter().copied().max().unwrap_or(0),
            gaps.iter().map(|g| g * g).sum::<u32>(),
        );
        // Masks run from the week's first days up, so the first best is the earliest.
        if best.as_ref().is_none_or(|(b, _)| key < *b) {
            best = Some((key, chosen));
        }
    }
    best.map_or_else(|| sorted.clone(), |(_, chosen)| chosen)
}

fn index(d: Weekday) -> u32 {
    Weekday::ALL.iter().position(|w| *w == d).unwrap_or(0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::calendar::works_on;
    use crate::schedule::{Appointment, Flex};
    use territory::model::{Account, Location};
    use territory::problem::WorkloadModel;

    fn monday() -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, 4).unwrap()
    }

    fn team(capacity: f64) -> Vec<Rep> {
        let mut half = Rep::new("half", Some(Location::new(60.17, 24.95)));
        half.capacity = capacity;
        vec![Rep::new("full", Some(Location::new(60.17, 24.94))), half]
    }

    #[test]
    fn fewer_days_keep_the_share_of_a_full_week_spread_over_it() {
        let reps = team(0.5);
        let w = WorkloadModel::default();
        let request = ScheduleRequest::new(&[], &reps, &[], &w, monday(), 4);
        let (shaped, cut) = shape_part_time(&request, PartTime::FewerDays);
        // 2.5 days round to 3, spread: Monday, Wednesday, Friday.
        assert_eq!(
            shaped[1].days,
            vec![Weekday::Mon, Weekday::Wed, Weekday::Fri]
        );
        assert_eq!(shaped[0], reps[0]);
        assert_eq!(cut.len(), 1);
        assert_eq!(
            (cut[0].week_min_before, cut[0].week_min),
            (5 * 540, 3 * 540)
        );
        let tuesday = monday().succ_opt().unwrap();
        assert!(works_on(&shaped[1], monday()) && !works_on(&shaped[1], tuesday));
    }

    #[test]
    fn bookings_and_accepted_days_choose_the_weekdays() {
        let reps = team(0.4);
        let w = WorkloadModel::default();
        let mut tuesday_only = Account::new("t", Location::new(60.17, 24.95)).with_visits(1.0);
        tuesday_only.days = vec![Weekday::Tue];
        let any = Account::new("a", Location::new(60.17, 24.95)).with_visits(1.0);
        let accounts = vec![tuesday_only, any];
        let owner = vec![Some(1), Some(1)];
        let booking = Appointment {
            account: 1,
            date: monday(),
            start: 600,
            duration_min: 60,
            flex: Flex::Fixed,
        };
        let mut request = ScheduleRequest::new(&accounts, &reps, &owner, &w, monday(), 4);
        request.appointments = std::slice::from_ref(&booking);
        let (shaped, _) = shape_part_time(&request, PartTime::FewerDays);
        assert_eq!(shaped[1].days, vec![Weekday::Mon, Weekday::Tue]);
    }

    #[test]
    fn accounts_visited_twice_a_week_keep_two_days() {
        let reps = team(0.2);
        let w = WorkloadModel::default();
        let accounts = vec![Account::new("a", Location::new(60.17, 24.95)).with_visits(8.0)];
        let owner = vec![Some(1)];
        let request = ScheduleRequest::new(&accounts, &reps, &owner, &w, monday(), 4);
        let (shaped, _) = shape_part_time(&request, PartTime::FewerDays);
        assert_eq!(shaped[1].days.len(), 2);
    }

    #[test]
    fn shorter_days_end_earlier_but_not_before_a_booking() {
        let reps = team(0.5);
        let w = WorkloadModel::default();
        let request = ScheduleRequest::new(&[], &reps, &[], &w, monday(), 4);
        let (shaped, _) = shape_part_time(&request, PartTime::ShorterDays);
        assert_eq!(shaped[1].days.len(), 5);
        assert_eq!(shaped[1].end, shaped[1].start + 270);
        let accounts = vec![Account::new("a", Location::new(60.17, 24.95))];
        let owner = vec![Some(1)];
        let late = Appointment {
            account: 0,
            date: monday(),
            start: 15 * 60,
            duration_min: 60,
            flex: Flex::Fixed,
        };
        let mut request = ScheduleRequest::new(&accounts, &reps, &owner, &w, monday(), 4);
        request.appointments = std::slice::from_ref(&late);
        let (shaped, _) = shape_part_time(&request, PartTime::ShorterDays);
        assert_eq!(shaped[1].end, 16 * 60);
    }

    #[test]
    fn weeks_already_cut_or_as_given_stay() {
        let mut reps = team(0.6);
        reps[1].days = vec![Weekday::Mon, Weekday::Tue, Weekday::Wed];
        let w = WorkloadModel::default();
        let request = ScheduleRequest::new(&[], &reps, &[], &w, monday(), 4);
        let (shaped, cut) = shape_part_time(&request, PartTime::FewerDays);
        assert_eq!(shaped, reps);
        assert!(cut.is_empty());
        let reps = team(0.5);
        let request = ScheduleRequest::new(&[], &reps, &[], &w, monday(), 4);
        assert_eq!(shape_part_time(&request, PartTime::AsGiven).0, reps);
    }
}
