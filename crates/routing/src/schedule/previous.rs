//! Re-planning from an earlier plan: frozen days and what changed.
//!
//! The first `freeze_days` working days of each rep keep the earlier plan's
//! visits exactly (rep, date, order, times), unless the rep is now away, a
//! booking on that day changed, or one of its accounts left the rep; then the
//! day is planned again and its changes are reported. Later days are
//! re-optimised with a cost per visit moved off its earlier day
//! ([`super::ScheduleOptions::change_cost`]), so the plan changes where it
//! gains. [`Schedule::changes`](super::Schedule::changes) lists every earlier
//! visit inside the horizon that moved to another day or rep, or was dropped.

use chrono::NaiveDate;

use super::{
    calendar, working_hours, Lunch, RepDay, Schedule, ScheduleOptions, ScheduleRequest, Stop,
};
use crate::{Matrix, TravelCost};

/// One visit of the earlier plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviousVisit {
    /// Account index, `None` when the account is no longer in the input.
    pub account: Option<usize>,
    /// Rep index, `None` when the rep is no longer in the input.
    pub rep: Option<usize>,
    /// Day of the visit.
    pub date: NaiveDate,
    /// Arrival, minutes after midnight.
    pub arrival: f64,
    /// Start of the visit.
    pub start: f64,
    /// End of the visit.
    pub departure: f64,
    /// Travel minutes from the previous stop (or the base).
    pub travel_min: f64,
    /// Travel kilometres from the previous stop (or the base).
    pub travel_km: f64,
    /// Whether it was a booked appointment.
    pub appointment: bool,
}

/// An earlier plan: its visits (by rep and date, in stop order) and the
/// dates it covered.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviousPlan {
    /// First day the earlier plan covered.
    pub start: NaiveDate,
    /// Day after the last one it covered.
    pub end: NaiveDate,
    /// Its visits, each day's in stop order.
    pub visits: Vec<PreviousVisit>,
}

impl PreviousPlan {
    /// Whether the earlier plan covered `date` (an empty day it covered
    /// stays empty when frozen).
    pub fn covers(&self, date: NaiveDate) -> bool {
        date >= self.start && date < self.end
    }
}

/// Why an earlier visit moved or was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeReason {
    /// The rep is away (holiday or absence) on the earlier day.
    RepAway,
    /// A booking of the account (or on the frozen day) was added, moved or removed.
    BookingChanged,
    /// The account now belongs to another rep.
    Reassigned,
    /// The account is no longer in the input.
    AccountRemoved,
    /// The rep is no longer in the input.
    RepRemoved,
    /// Fewer visits of the account are due now (e.g. the history shows a visit made earlier).
    NotDue,
    /// The account's visits could not all be placed.
    NoRoom,
    /// Re-optimised: the move saves more than it costs.
    Replanned,
}

impl ChangeReason {
    /// Stable machine-readable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::RepAway => "rep_away",
            Self::BookingChanged => "booking_changed",
            Self::Reassigned => "reassigned",
            Self::AccountRemoved => "account_removed",
            Self::RepRemoved => "rep_removed",
            Self::NotDue => "not_due",
            Self::NoRoom => "no_room",
            Self::Replanned => "replanned",
        }
    }
}

/// An earlier visit inside the horizon that did not stay where it was.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitChange {
    /// Index into [`PreviousPlan::visits`].
    pub previous: usize,
    /// Where it went: `(rep, date)`, or `None` when dropped.
    pub to: Option<(usize, NaiveDate)>,
    /// Why.
    pub reason: ChangeReason,
}

/// Working days of a rep frozen by a re-plan: the first `n` of `dates`
/// (the rep's working dates, in order) that the earlier plan covered.
pub(super) fn frozen_dates(plan: &PreviousPlan, dates: &[NaiveDate], n: u32) -> Vec<NaiveDate> {
    dates
        .iter()
        .take(n as usize)
        .copied()
        .filter(|&d| plan.covers(d))
        .collect()
}

/// Pairs each scheduled stop with the earlier visit it continues (same
/// account; same rep and date first, then nearest date) and lists the
/// earlier visits inside `[start, end)` that moved or were dropped.
///
/// `stops` are `(account, rep, date)` of every planned stop; the result's
/// first part gives, per stop, the index of its earlier visit.
pub(super) fn match_visits(
    plan: &PreviousPlan,
    stops: &[(usize, usize, NaiveDate)],
    start: NaiveDate,
    end: NaiveDate,
) -> (Vec<Option<usize>>, Vec<Option<usize>>) {
    let mut by_account: std::collections::BTreeMap<usize, (Vec<usize>, Vec<usize>)> =
        Default::default();
    for (k, v) in plan.visits.iter().enumerate() {
        if let (Some(a), true) = (v.account, v.date >= start && v.date < end) {
            by_account.entry(a).or_default().0.push(k);
        }
    }
    for (k, s) in stops.iter().enumerate() {
        by_account.entry(s.0).or_default().1.push(k);
    }
    let mut of_stop = vec![None; stops.len()];
    let mut of_previous = vec![None; plan.visits.len()];
    for (old, new) in by_account.values() {
        // Exact matches first, then the nearest dates (ties by order).
        let mut pairs: Vec<(i64, bool, usize, usize)> = Vec::new();
        for &p in old {
            for &s in new {
                let v = &plan.visits[p];
                let days = (stops[s].2 - v.date).num_days().abs();
                let same = v.rep == Some(stops[s].1) && days == 0;
                pairs.push((days, !same, p, s));
            }
        }
        pairs.sort_by_key(|&(days, other, p, s)| (other, days, p, s));
        for (_, _, p, s) in pairs {
            if of_previous[p].is_none() && of_stop[s].is_none() {
                of_previous[p] = Some(s);
                of_stop[s] = Some(p);
            }
        }
    }
    (of_stop, of_previous)
}

/// Pairs the schedule's stops with the earlier visits (filling
/// [`super::Stop::previous`]) and lists the changes with their reasons.
pub(super) fn compare(
    request: &ScheduleRequest<'_>,
    options: &ScheduleOptions,
    plan: &PreviousPlan,
    schedule: &mut Schedule,
) {
    let start = request.start;
    let end = start + chrono::Days::new(request.weeks as u64 * 7);
    let stops: Vec<(usize, usize, NaiveDate)> = schedule
        .days
        .iter()
        .flat_map(|d| d.stops.iter().map(move |s| (s.account, d.rep, d.date)))
        .collect();
    let (of_stop, of_previous) = match_visits(plan, &stops, start, end);
    let mut k = 0;
    for day in &mut schedule.days {
        for stop in &mut day.stops {
            stop.previous = of_stop[k];
            k += 1;
        }
    }
    let short: std::collections::HashSet<usize> = schedule
        .unscheduled
        .iter()
        .filter(|u| u.scheduled < u.due)
        .map(|u| u.account)
        .collect();
    for (p, v) in plan.visits.iter().enumerate() {
        if v.date < start || v.date >= end {
            continue;
        }
        let to = of_previous[p].map(|s| (stops[s].1, stops[s].2));
        if to.is_some_and(|(r, d)| Some(r) == v.rep && d == v.date) {
            continue;
        }
        let reason = match (v.account, v.rep) {
            (None, _) => ChangeReason::AccountRemoved,
            (_, None) => ChangeReason::RepRemoved,
            (Some(a), Some(r)) => {
                let owner = request.owner[a];
                let office = |x: usize| request.reps[x].office.as_deref();
                let same_office = options.share_office
                    && owner.is_some_and(|o| office(o).is_some() && office(o) == office(r));
                let rep = &request.reps[r];
                let away = calendar::works_on(rep, v.date)
                    && working_hours(r, rep, v.date, request.absences, request.holidays)
                        .is_none_or(|(from, to)| {
                            v.arrival - v.travel_min < from as f64 || v.departure > to as f64
                        });
                // A flexible booking holds anywhere in its freedom.
                let booked_now = |date: NaiveDate| {
                    request.appointments.iter().any(|ap| {
                        ap.account == a
                            && match ap.flex {
                                super::Flex::Fixed => ap.date == date && ap.start as f64 == v.start,
                                flex => flex.allows(ap.date, date),
                            }
                    })
                };
                let booking_elsewhere = request.appointments.iter().any(|ap| {
                    ap.account == a
                        && ap.date >= start
                        && ap.date < end
                        && !ap.flex.allows(ap.date, v.date)
                });
                if owner != Some(r) && !same_office {
                    ChangeReason::Reassigned
                } else if away {
                    ChangeReason::RepAway
                } else if (v.appointment && !booked_now(v.date)) || booking_elsewhere {
                    ChangeReason::BookingChanged
                } else if to.is_none() && short.contains(&a) {
                    ChangeReason::NoRoom
                } else if to.is_none() {
                    ChangeReason::NotDue
                } else {
                    ChangeReason::Replanned
                }
            }
        };
        schedule.changes.push(VisitChange {
            previous: p,
            to,
            reason,
        });
    }
}

/// A frozen day of one rep, to keep from the earlier plan if it still holds.
pub(super) struct FrozenDay<'r, 'a> {
    pub request: &'r ScheduleRequest<'a>,
    pub plan: &'r PreviousPlan,
    /// Rep (global index).
    pub rep: usize,
    /// The rep's base in the travel matrices.
    pub base: usize,
    pub date: NaiveDate,
    /// Today's working hours of the rep that day (`None` when away).
    pub hours: Option<(u32, u32)>,
}

impl FrozenDay<'_, '_> {
    /// The earlier day as it was, or `None` when it no longer holds: the rep
    /// is away or its hours are shorter than the day, an account left the
    /// rep (or the input), or the day's bookings changed.
    ///
    /// `local(a)` is the group position of account `a`, at matrix point
    /// `first_account + position`.
    pub fn keep(
        &self,
        km: &Matrix,
        timed: &Matrix,
        first_account: usize,
        local: &dyn Fn(usize) -> Option<usize>,
        lunch: Option<Lunch>,
    ) -> Option<RepDay> {
        let (from, to) = self.hours?;
        let mut stops = Vec::new();
        for (k, v) in self.plan.visits.iter().enumerate() {
            if v.rep != Some(self.rep) || v.date != self.date {
                continue;
            }
            let a = v.account?;
            if self.request.owner[a] != Some(self.rep) {
                return None;
            }
            local(a)?;
            stops.push(Stop {
                account: a,
                arrival: v.arrival,
                start: v.start,
                departure: v.departure,
                travel_min: v.travel_min,
                travel_km: v.travel_km,
                appointment: v.appointment,
                previous: Some(k),
            });
        }
        // The same bookings, at the same times and lengths.
        let mut then: Vec<(usize, u32, u32)> = stops
            .iter()
            .filter(|s| s.appointment)
            .map(|s| {
                (
                    s.account,
                    s.start.round() as u32,
                    (s.departure - s.start).round() as u32,
                )
            })
            .collect();
        let mine = |ap: &&super::Appointment| self.request.owner[ap.account] == Some(self.rep);
        let mut now: Vec<(usize, u32, u32)> = self
            .request
            .appointments
            .iter()
            .filter(mine)
            .filter(|ap| ap.flex == super::Flex::Fixed && ap.date == self.date)
            .map(|ap| (ap.account, ap.start, ap.duration_min))
            .collect();
        // A flexible booking the earlier plan placed on this day holds as
        // long as it keeps its length; one that must be on this day and is
        // not means the bookings changed.
        for ap in self.request.appointments.iter().filter(mine) {
            if ap.flex == super::Flex::Fixed || !ap.flex.allows(ap.date, self.date) {
                continue;
            }
            match then
                .iter()
                .position(|&(a, _, length)| a == ap.account && length == ap.duration_min)
            {
                Some(k) => {
                    then.swap_remove(k);
                }
                None if ap.flex == super::Flex::Day => return None,
                None => {}
            }
        }
        then.sort_unstable();
        now.sort_unstable();
        if then != now {
            return None;
        }
        let point = |a: usize| local(a).map(|i| first_account + i);
        let (depart, back, return_min, return_km) = match (stops.first(), stops.last()) {
            (Some(first), Some(last)) => {
                let p = point(last.account)?;
                let back_min = timed.cost(p, self.base);
                (
                    first.arrival - first.travel_min,
                    last.departure + back_min,
                    back_min,
                    km.cost(p, self.base),
                )
            }
            _ => (from as f64, from as f64, 0.0, 0.0),
        };
        if depart < from as f64 - 1e-6 || back > to as f64 + 1e-6 || !back.is_finite() {
            return None;
        }
        let mut back = back;
        let lunch = lunch.and_then(|l| {
            lunch_in_gaps(l, depart, &stops, back, return_min).or_else(|| {
                // Otherwise the break follows the last visit, as the search
                // places it, and the day ends later.
                let last = stops.last()?;
                let start = last.departure.max(l.earliest as f64);
                let end = start + l.duration as f64;
                (end <= l.latest as f64 + 1e-6).then(|| {
                    back = end + return_min;
                    (start, end)
                })
            })
        });
        if back > to as f64 + 1e-6 {
            return None;
        }
        // A break taken at the base before the first leg starts the day.
        let depart = lunch.map_or(depart, |(a, _)| depart.min(a));
        Some(RepDay {
            rep: self.rep,
            date: self.date,
            hours: (from, to),
            depart,
            back,
            stops,
            lunch,
            return_min,
            return_km,
        })
    }
}

/// Where the day's lunch break lies: the first idle gap (after a visit,
/// before travelling on) that holds it inside its window.
fn lunch_in_gaps(
    l: Lunch,
    depart: f64,
    stops: &[Stop],
    back: f64,
    return_min: f64,
) -> Option<(f64, f64)> {
    let (earliest, latest, length) = (l.earliest as f64, l.latest as f64, l.duration as f64);
    if stops.is_empty() || back <= earliest || depart - length >= latest - length {
        return None;
    }
    let mut gaps: Vec<(f64, f64)> = stops
        .windows(2)
        .map(|w| (w[0].departure, w[1].start - w[1].travel_min))
        .collect();
    if let Some(last) = stops.last() {
        gaps.push((last.departure, back - return_min));
    }
    // At the base before the first leg (the day then starts earlier).
    gaps.push((depart - length, depart));
    gaps.into_iter().find_map(|(a, b)| {
        let start = a.max(earliest);
        (start + length <= b.min(latest) + 1e-6).then_some((start, start + length))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, day).unwrap()
    }

    fn visit(account: usize, rep: usize, date: NaiveDate) -> PreviousVisit {
        PreviousVisit {
            account: Some(account),
            rep: Some(rep),
            date,
            arrival: 480.0,
            start: 480.0,
            departure: 510.0,
            travel_min: 10.0,
            travel_km: 8.0,
            appointment: false,
        }
    }

    #[test]
    fn exact_matches_win_then_nearest_dates() {
        let plan = PreviousPlan {
            start: d(4),
            end: d(18),
            visits: vec![
                visit(0, 0, d(5)),
                visit(0, 0, d(12)),
                visit(1, 0, d(6)),
                visit(2, 0, d(3)),
            ],
        };
        // Account 0 kept on the 12th, moved from the 5th to the 7th; account 1 dropped.
        let stops = [(0, 0, d(12)), (0, 0, d(7))];
        let (of_stop, of_previous) = match_visits(&plan, &stops, d(4), d(18));
        assert_eq!(of_stop, vec![Some(1), Some(0)]);
        assert_eq!(of_previous, vec![Some(1), Some(0), None, None]);
        let frozen = frozen_dates(&plan, &[d(3), d(4), d(5), d(6)], 3);
        assert_eq!(frozen, vec![d(4), d(5)]);
    }
}
