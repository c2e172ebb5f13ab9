//! Timing of one rep-day: opening windows, appointments, working hours and
//! the lunch break.
//!
//! Travel legs are rounded up to whole minutes for the timeline (a rep's
//! calendar is kept in minutes), while the objective uses exact minutes.

use chrono::NaiveDate;

use super::{Lunch, Stop};
use crate::{Matrix, TravelCost};

const EPS: f64 = 1e-6;
const NO_APPOINTMENT: u32 = u32::MAX;

/// A visit on a route: an account, possibly as a booked appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Visit {
    pub acc: u32,
    pub appointment: u32,
}

impl Visit {
    pub fn regular(acc: usize) -> Self {
        Self {
            acc: acc as u32,
            appointment: NO_APPOINTMENT,
        }
    }

    pub fn booked(acc: usize, appointment: usize) -> Self {
        Self {
            acc: acc as u32,
            appointment: appointment as u32,
        }
    }

    pub fn is_appointment(self) -> bool {
        self.appointment != NO_APPOINTMENT
    }
}

/// Where and how long an account is visited.
#[derive(Debug, Clone)]
pub(super) struct Site {
    pub loc: usize,
    pub service: f64,
    /// Opening windows `(open, close)`; a visit lies wholly inside one.
    pub windows: Vec<(f64, f64)>,
}

/// One working day of one rep.
#[derive(Debug, Clone)]
pub(super) struct Slot {
    pub rep: usize,
    pub base: usize,
    pub date: NaiveDate,
    pub start: f64,
    pub end: f64,
}

/// A booked appointment's fixed start and length.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fixed {
    pub start: f64,
    pub duration: f64,
}

/// How a day turns out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Timing {
    pub depart: f64,
    pub back: f64,
    /// Break `(start, end)` and the number of visits before it.
    pub lunch: Option<(f64, f64, usize)>,
    pub travel: f64,
    pub cost: f64,
}

/// Travel data, sites and days of one rep (or office).
pub(super) struct Days {
    pub exact: Matrix,
    pub timed: Matrix,
    pub km: Matrix,
    pub sites: Vec<Site>,
    pub slots: Vec<Slot>,
    pub fixed: Vec<Fixed>,
    pub lunch: Option<Lunch>,
    pub balance_weight: f64,
}

impl Days {
    fn loc(&self, v: Visit) -> usize {
        self.sites[v.acc as usize].loc
    }

    /// Arrival, start and end of `v` when leaving `from` at `t`.
    fn visit_times(&self, t: f64, from: usize, v: Visit) -> Option<(f64, f64, f64)> {
        let site = &self.sites[v.acc as usize];
        let arrive = t + self.timed.cost(from, site.loc);
        if !arrive.is_finite() {
            return None;
        }
        if v.is_appointment() {
            let f = self.fixed[v.appointment as usize];
            return (arrive <= f.start + EPS).then_some((arrive, f.start, f.start + f.duration));
        }
        site.windows.iter().find_map(|&(open, close)| {
            let start = arrive.max(open);
            (start + site.service <= close + EPS).then_some((arrive, start, start + site.service))
        })
    }

    /// Whether `v` could follow the first `pos` visits of `route` on `slot`
    /// given `ready`, their finishing times without a break (from
    /// [`Days::ready_times`]). A break only delays, and a later arrival never
    /// opens a window, so `false` rules the position out.
    pub fn may_insert(
        &self,
        slot: usize,
        route: &[Visit],
        ready: &[f64],
        pos: usize,
        v: Visit,
    ) -> bool {
        let s = &self.slots[slot];
        let from = if pos == 0 {
            s.base
        } else {
            self.loc(route[pos - 1])
        };
        match self.visit_times(ready[pos], from, v) {
            Some((_, _, end)) => end + self.timed.cost(self.loc(v), s.base) <= s.end + EPS,
            None => false,
        }
    }

    /// Finishing time after each prefix of `route` (index 0: the day's start),
    /// without a break; stops at the first infeasible visit.
    pub fn ready_times(&self, slot: usize, route: &[Visit], ready: &mut Vec<f64>) {
        let s = &self.slots[slot];
        ready.clear();
        ready.push(s.start);
        let mut loc = s.base;
        for &v in route {
            match self.visit_times(*ready.last().expect("non-empty"), loc, v) {
                Some((_, _, end)) => ready.push(end),
                None => ready.push(f64::INFINITY),
            }
            loc = self.loc(v);
        }
    }

    /// The cheapest feasible timing of `route` on `slot`, or `None`.
    /// `ends` is scratch space.
    pub fn simulate(&self, slot: usize, route: &[Visit], ends: &mut Vec<f64>) -> Option<Timing> {
        ends.clear();
        ends.push(self.slots[slot].start);
        self.simulate_from(slot, route, ends)
    }

    /// As [`Days::simulate`], with `ends` already holding the finishing times
    /// of a prefix of `route` (index 0: the day's start), as
    /// [`Days::ready_times`] gives them: only the rest is replayed.
    pub fn simulate_from(
        &self,
        slot: usize,
        route: &[Visit],
        ends: &mut Vec<f64>,
    ) -> Option<Timing> {
        let s = &self.slots[slot];
        if route.is_empty() {
            return Some(Timing {
                depart: s.start,
                back: s.start,
                lunch: None,
                travel: 0.0,
                cost: 0.0,
            });
        }
        let known = ends.len() - 1;
        let mut loc = if known == 0 {
            s.base
        } else {
            self.loc(route[known - 1])
        };
        for (i, &v) in route.iter().enumerate().skip(known) {
            let (_, _, end) = self.visit_times(ends[i], loc, v)?;
            ends.push(end);
            loc = self.loc(v);
        }
        let mut travel = 0.0;
        let mut prev = s.base;
        for &v in route {
            travel += self.exact.cost(prev, self.loc(v));
            prev = self.loc(v);
        }
        travel += self.exact.cost(loc, s.base);
        let (_, first_start, _) = self.visit_times(s.start, s.base, route[0])?;
        let n = route.len();
        let back = ends[n] + self.timed.cost(loc, s.base);
        // NaN (an unreachable leg) fails too.
        if back.is_nan() || back > s.end + EPS {
            return None;
        }
        let first_leg = self.timed.cost(s.base, self.loc(route[0]));
        let depart = s.start.max(first_start - first_leg);
        let mut timing = Timing {
            depart,
            back,
            lunch: None,
            travel,
            cost: 0.0,
        };
        if let Some(l) = self.lunch {
            let (earliest, latest, duration) =
                (l.earliest as f64, l.latest as f64, l.duration as f64);
            // A break is due on days that span its window, for reps whose
            // hours contain the window; booked appointments covering it
            // take precedence over it.
            let due = back > earliest + EPS
                && depart < latest - duration - EPS
                && s.start <= earliest + EPS
                && s.end >= latest - EPS;
            if due {
                match self.with_lunch(slot, route, ends, earliest, latest, duration, travel) {
                    Some(t) => timing = t,
                    None if route.iter().any(|v| {
                        v.is_appointment() && {
                            let f = self.fixed[v.appointment as usize];
                            f.start < latest && f.start + f.duration > earliest
                        }
                    }) => {}
                    None => return None,
                }
            }
        }
        let work = timing.back - timing.depart - timing.lunch.map_or(0.0, |(a, b, _)| b - a);
        timing.cost = travel + self.balance_weight * work * work / (s.end - s.start).max(1.0);
        Some(timing)
    }

    /// Places the break after the visit that leaves the earliest return; breaks
    /// before the last visit ending by `earliest` are dominated (later visits
    /// can only be delayed more).
    #[allow(clippy::too_many_arguments)]
    fn with_lunch(
        &self,
        slot: usize,
        route: &[Visit],
        ends: &[f64],
        earliest: f64,
        latest: f64,
        duration: f64,
        travel: f64,
    ) -> Option<Timing> {
        let s = &self.slots[slot];
        let n = route.len();
        let p0 = (0..=n).rev().find(|&p| ends[p] <= earliest).unwrap_or(0);
        let mut best: Option<Timing> = None;
        for p in p0..=n {
            if ends[p] > latest - duration + EPS {
                break;
            }
            // At the base (p = 0) the break ends as close to the departure as
            // the window allows: the day starts with it. Elsewhere it starts as
            // soon as the visit before it ends.
            let lunch_start = if p == 0 {
                let (_, first, _) = self.visit_times(s.start, s.base, route[0])?;
                let leave = s
                    .start
                    .max(first - self.timed.cost(s.base, self.loc(route[0])));
                (leave - duration).max(earliest).max(s.start)
            } else {
                ends[p].max(earliest)
            };
            if lunch_start > latest - duration + EPS {
                continue;
            }
            let mut t = lunch_start + duration;
            let mut loc = if p == 0 {
                s.base
            } else {
                self.loc(route[p - 1])
            };
            let mut feasible = true;
            for (i, &v) in route.iter().enumerate().skip(p) {
                match self.visit_times(t, loc, v) {
                    Some((_, _, end)) => {
                        t = end;
                        loc = self.loc(v);
                        // The break's delay is absorbed by waiting for a
                        // window: from here on the day runs as without it.
                        if end <= ends[i + 1] {
                            t = ends[n];
                            loc = self.loc(route[n - 1]);
                            break;
                        }
                    }
                    None => {
                        feasible = false;
                        break;
                    }
                }
            }
            if !feasible {
                continue;
            }
            let back = t + self.timed.cost(loc, s.base);
            if back > s.end + EPS || best.is_some_and(|b| back >= b.back - EPS) {
                continue;
            }
            let absorbed = back <= ends[n] + self.timed.cost(self.loc(route[n - 1]), s.base) + EPS;
            let first_leg = self.timed.cost(s.base, self.loc(route[0]));
            let depart = if p == 0 {
                lunch_start
            } else {
                let (_, first, _) = self.visit_times(s.start, s.base, route[0])?;
                s.start.max(first - first_leg)
            };
            best = Some(Timing {
                depart,
                back,
                lunch: Some((lunch_start, lunch_start + duration, p)),
                travel,
                cost: 0.0,
            });
            if absorbed {
                // The break fits in waiting time: no later place returns earlier.
                break;
            }
        }
        best
    }

    /// Travel minutes of a route as the plan reports them: base → visits →
    /// base, each leg rounded up to whole minutes.
    pub fn timed_minutes(&self, slot: usize, route: &[Visit]) -> f64 {
        let base = self.slots[slot].base;
        let mut prev = base;
        let mut sum = 0.0;
        for &v in route {
            let loc = self.loc(v);
            sum += self.timed.cost(prev, loc);
            prev = loc;
        }
        sum + self.timed.cost(prev, base)
    }

    /// The stops of a feasible route, timed as `timing` says.
    pub fn stops(&self, slot: usize, route: &[Visit], timing: &Timing) -> Vec<Stop> {
        let s = &self.slots[slot];
        let mut out = Vec::with_capacity(route.len());
        let mut t = timing.depart;
        let mut loc = s.base;
        for (i, &v) in route.iter().enumerate() {
            if let Some((_, end, p)) = timing.lunch {
                if p == i {
                    t = t.max(end);
                }
            }
            let (arrival, start, departure) = self
                .visit_times(t, loc, v)
                .expect("a feasible route stays feasible when replayed");
            out.push(Stop {
                account: v.acc as usize,
                arrival,
                start,
                departure,
                travel_min: self.timed.cost(loc, self.loc(v)),
                travel_km: self.km.cost(loc, self.loc(v)),
                appointment: v.is_appointment(),
                previous: None,
            });
            t = departure;
            loc = self.loc(v);
        }
        out
    }
}
