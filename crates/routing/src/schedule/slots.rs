//! Visit slots to offer on the phone: where a new visit fits into a plan at
//! the least added travel, with every planned visit kept.
//!
//! Each working day of each candidate rep is rebuilt from the plan (visits in
//! their order; bookings at their times; the others may shift inside their
//! opening windows), and the new visit is tried at every position. A
//! position counts when the whole day stays feasible: windows, bookings,
//! working hours (absences and holidays deducted) and the lunch break, by
//! the same timing rules as [`super::plan_visits`]. The best position of
//! each day is one offer; offers are ranked by the travel minutes they add.

use chrono::NaiveDate;

use super::calendar::{weekday, works_on};
use super::day::{Days, Fixed, Site, Slot, Visit};
use super::{working_hours, Absence, Holiday, Lunch, PreviousPlan, RepDay, ScheduleError, Stop};
use crate::travel::{haversine_km, TravelModel};
use crate::{Matrix, TravelCost};
use territory::model::{Account, Location, Rep};
use territory::problem::WorkloadModel;

/// Detour bands, in added travel minutes: below `green` is green, below
/// `amber` amber, the rest red.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetourBands {
    /// Upper bound of green.
    pub green: f64,
    /// Upper bound of amber.
    pub amber: f64,
}

impl Default for DetourBands {
    fn default() -> Self {
        Self {
            green: 15.0,
            amber: 45.0,
        }
    }
}

/// How costly an offer's detour is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    /// Under the green bound.
    Green,
    /// Under the amber bound.
    Amber,
    /// Anything more.
    Red,
}

impl Band {
    /// Stable machine-readable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Amber => "amber",
            Self::Red => "red",
        }
    }
}

/// Where to look for a slot.
#[derive(Debug, Clone, Copy)]
pub struct SlotRequest<'a> {
    /// Accounts; the one to visit is `account` (append a new prospect first).
    pub accounts: &'a [Account],
    /// Reps with base, working days and hours.
    pub reps: &'a [Rep],
    /// Defaults for service time by status.
    pub workload: &'a WorkloadModel,
    /// The plan to fit into (a routes folder read back).
    pub plan: &'a PreviousPlan,
    /// Index of the account to visit.
    pub account: usize,
    /// Length of the visit in minutes (default: the account's service time).
    pub duration_min: Option<u32>,
    /// First day to offer.
    pub from: NaiveDate,
    /// Last day to offer (inclusive).
    pub to: NaiveDate,
    /// Reps to offer, in order of preference ([`nearest_reps`] gives the
    /// account's own rep and then the nearest others).
    pub candidates: &'a [usize],
    /// Reps' days and part days away.
    pub absences: &'a [Absence],
    /// Public holidays.
    pub holidays: &'a [Holiday],
    /// The plan's lunch break, if it had one.
    pub lunch: Option<Lunch>,
    /// Offers to return at most.
    pub top: usize,
    /// Detour bands.
    pub bands: DetourBands,
}

/// One slot to offer.
#[derive(Debug, Clone, PartialEq)]
pub struct SlotOffer {
    /// Rep index.
    pub rep: usize,
    /// Day.
    pub date: NaiveDate,
    /// Start of the visit, minutes after midnight.
    pub start: u32,
    /// End of the visit.
    pub end: u32,
    /// Travel minutes the visit adds to the day (as the plan counts them:
    /// each leg rounded up to whole minutes).
    pub added_travel_min: f64,
    /// Band of the added travel.
    pub band: Band,
    /// The planned visit before it (account index), `None` from the base.
    pub after: Option<usize>,
    /// The planned visit after it, `None` when the rep goes back to base.
    pub before: Option<usize>,
    /// Where the new visit goes in the day's order (0: first).
    pub position: usize,
    /// Return to the base with the visit, minutes after midnight.
    pub back: f64,
    /// End of the rep's working day.
    pub day_end: u32,
}

/// Why no slot fits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoSlot {
    /// No candidate rep works a day of the range that the plan covers.
    NoWorkingDay,
    /// The account accepts none of the candidates' working days in the range.
    NoAcceptedDay,
    /// The visit plus the round trip from the base is longer than the day.
    DayTooShort,
    /// No opening window of the account leaves room on any day, even alone.
    NoWindowFits,
    /// Each day could hold the visit alone, but the planned visits leave no room.
    DaysFull,
    /// The plan already visits the account on every day the range offers.
    AlreadyVisited,
}

impl std::fmt::Display for NoSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::NoWorkingDay => {
                "no candidate rep works a day of the range that the plan covers"
            }
            Self::NoAcceptedDay => "the account accepts none of the reps' working days in the range",
            Self::DayTooShort => {
                "the visit plus the round trip from the base is longer than the working day"
            }
            Self::NoWindowFits => {
                "no opening window of the account leaves time to travel from the base and back within working hours"
            }
            Self::AlreadyVisited => {
                "the plan already visits the account on every day of the range it accepts"
            }
            Self::DaysFull => {
                "every day in the range is full: the planned visits leave no room for this one"
            }
        })
    }
}

/// The offers, best first, or why there are none.
#[derive(Debug, Clone, PartialEq)]
pub struct SlotAnswer {
    /// Offers, least added travel first (then earliest date, then the
    /// candidates' order).
    pub slots: Vec<SlotOffer>,
    /// Why nothing fits, when `slots` is empty.
    pub reason: Option<NoSlot>,
    /// Rep-days tried.
    pub days_tried: usize,
}

/// The account's own rep (the one whose plan visits it, else `owner`) and
/// then the others by straight-line distance from their base, `n` in all.
pub fn nearest_reps(
    reps: &[Rep],
    location: Location,
    owner: Option<usize>,
    n: usize,
) -> Vec<usize> {
    let mut others: Vec<(f64, usize)> = reps
        .iter()
        .enumerate()
        .filter(|(r, _)| Some(*r) != owner)
        .filter_map(|(r, rep)| rep.base.map(|b| (haversine_km(b, location), r)))
        .collect();
    others.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    owner
        .into_iter()
        .chain(others.into_iter().map(|(_, r)| r))
        .take(n)
        .collect()
}

/// One rep's planned days in a range, rebuilt for the day timing: its
/// working days (absences and holidays deducted) with the plan's visits in
/// order, and the account to place as a site of its own.
struct RepPlan {
    rep: usize,
    days: Days,
    /// Per day, the route of planned visits.
    routes: Vec<Vec<Visit>>,
    /// Per day, the plan's visit index of each route element.
    planned: Vec<Vec<usize>>,
    /// Account index of each site.
    sites_of: Vec<usize>,
    /// Per day, whether the plan already visits the account that day.
    visited: Vec<bool>,
    /// Site of the account to place.
    target_site: usize,
}

impl RepPlan {
    fn build(
        request: &SlotRequest<'_>,
        r: usize,
        (from, to): (NaiveDate, NaiveDate),
        service: f64,
        travel: &dyn TravelModel,
    ) -> Result<Self, ScheduleError> {
        let rep = &request.reps[r];
        let Some(base) = rep.base else {
            return Err(ScheduleError::NoBase {
                rep: rep.id.clone(),
            });
        };
        // The rep's days in range that the plan covers, with their hours.
        let mut dates = Vec::new();
        let mut date = from.max(request.plan.start);
        while date <= to && date < request.plan.end {
            if works_on(rep, date) {
                if let Some(hours) = working_hours(r, rep, date, request.absences, request.holidays)
                {
                    dates.push((date, hours));
                }
            }
            date = date + chrono::Days::new(1);
        }
        // Points: the base, the accounts the rep visits those days, the new one.
        let mut sites_of: Vec<usize> = Vec::new(); // account index per site
        let mut points = vec![base];
        // The new visit is a site of its own (site 0), apart from any
        // planned visit of the same account, which keeps its planned length.
        let target_site = 0;
        sites_of.push(request.account);
        points.push(request.accounts[request.account].location);
        let mut site_index = |a: usize, points: &mut Vec<Location>| -> usize {
            match sites_of.iter().skip(1).position(|&x| x == a) {
                Some(i) => i + 1,
                None => {
                    sites_of.push(a);
                    points.push(request.accounts[a].location);
                    sites_of.len() - 1
                }
            }
        };
        let mut day_visits: Vec<Vec<(usize, usize)>> = Vec::new(); // (site, plan visit)
        for &(date, _) in &dates {
            let mut list = Vec::new();
            for (k, v) in request.plan.visits.iter().enumerate() {
                if v.rep == Some(r) && v.date == date {
                    if let Some(a) = v.account {
                        list.push((site_index(a, &mut points), k));
                    }
                }
            }
            day_visits.push(list);
        }
        let matrices = travel.matrices(&points)?;
        let timed = Matrix::from_fn(points.len(), |a, b| {
            let m = matrices.minutes.cost(a, b);
            if m.is_finite() && m >= 0.0 {
                (m - 1e-9).ceil().max(0.0)
            } else {
                f64::INFINITY
            }
        });
        let windows = |acc: &Account| -> Vec<(f64, f64)> {
            if acc.windows.is_empty() {
                vec![(0.0, 24.0 * 60.0)]
            } else {
                acc.windows
                    .iter()
                    .map(|w| (w.start as f64, w.end as f64))
                    .collect()
            }
        };
        // Planned visits keep the service time the plan gave them.
        let mut sites: Vec<Site> = sites_of
            .iter()
            .enumerate()
            .map(|(i, &a)| Site {
                loc: i + 1,
                service: request
                    .workload
                    .service_min(&request.accounts[a])
                    .max(0.0)
                    .ceil(),
                windows: windows(&request.accounts[a]),
            })
            .collect();
        sites[target_site].service = service;
        let mut fixed = Vec::new();
        let mut routes = Vec::new();
        let mut slot_list = Vec::new();
        let mut visited = Vec::new();
        for (&(date, (start, end)), visits) in dates.iter().zip(&day_visits) {
            let mut route = Vec::with_capacity(visits.len() + 1);
            // A day that already visits the account offers no second visit.
            visited.push(
                visits
                    .iter()
                    .any(|&(site, _)| sites_of[site] == request.account),
            );
            for &(site, k) in visits {
                let v = &request.plan.visits[k];
                if v.appointment {
                    fixed.push(Fixed {
                        start: v.start,
                        duration: v.departure - v.start,
                    });
                    route.push(Visit::booked(site, fixed.len() - 1));
                } else {
                    route.push(Visit::regular(site));
                }
            }
            routes.push(route);
            slot_list.push(Slot {
                rep: r,
                base: 0,
                date,
                start: start as f64,
                end: end as f64,
            });
        }
        // Regular planned visits keep their planned length.
        for visits in &day_visits {
            for &(site, k) in visits {
                let v = &request.plan.visits[k];
                if !v.appointment {
                    sites[site].service = (v.departure - v.start).max(0.0).round();
                }
            }
        }
        let days = Days {
            exact: matrices.minutes,
            timed,
            km: matrices.km,
            sites,
            slots: slot_list,
            fixed,
            lunch: request.lunch,
            balance_weight: 0.0,
        };
        let planned = day_visits
            .iter()
            .map(|v| v.iter().map(|&(_, k)| k).collect())
            .collect();
        Ok(Self {
            rep: r,
            days,
            routes,
            planned,
            sites_of,
            visited,
            target_site,
        })
    }
}

/// The best slots for one visit in a plan.
///
/// ```
/// use chrono::NaiveDate;
/// use territory_routing::schedule::{slots, DetourBands, PreviousPlan, SlotRequest};
/// use territory_routing::travel::StraightLine;
/// use territory::{Account, Location, Rep, WorkloadModel};
///
/// let rep = Rep::new("anna", Some(Location::new(60.17, 24.94)));
/// let prospect = Account::new("p1", Location::new(60.18, 24.95));
/// let monday = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
/// let plan = PreviousPlan { start: monday, end: monday + chrono::Days::new(7), visits: vec![] };
/// let request = SlotRequest {
///     accounts: std::slice::from_ref(&prospect),
///     reps: std::slice::from_ref(&rep),
///     workload: &WorkloadModel::default(),
///     plan: &plan,
///     account: 0,
///     duration_min: Some(45),
///     from: monday,
///     to: monday + chrono::Days::new(6),
///     candidates: &[0],
///     absences: &[],
///     holidays: &[],
///     lunch: None,
///     top: 3,
///     bands: DetourBands::default(),
/// };
/// let answer = slots(&request, &StraightLine::default())?;
/// assert_eq!(answer.slots.len(), 3);
/// assert_eq!(answer.slots[0].date, monday); // an empty week: Monday first
/// # Ok::<(), territory_routing::schedule::ScheduleError>(())
/// ```
pub fn slots(
    request: &SlotRequest<'_>,
    travel: &dyn TravelModel,
) -> Result<SlotAnswer, ScheduleError> {
    let n_acc = request.accounts.len();
    if request.account >= n_acc {
        return Err(ScheduleError::Index(format!(
            "account index {} is outside the {n_acc} accounts",
            request.account
        )));
    }
    if let Some(&r) = request
        .candidates
        .iter()
        .find(|&&r| r >= request.reps.len())
    {
        return Err(ScheduleError::Index(format!(
            "rep index {r} is outside the {} reps",
            request.reps.len()
        )));
    }
    let target = &request.accounts[request.account];
    let service = request.duration_min.map_or_else(
        || request.workload.service_min(target).max(0.0).ceil(),
        f64::from,
    );
    let mut offers = Vec::new();
    let (mut days_tried, mut accepted, mut alone_fits) = (0, 0, false);
    let mut free_days = 0;
    let visited_on: Vec<NaiveDate> = request
        .plan
        .visits
        .iter()
        .filter(|v| v.account == Some(request.account))
        .map(|v| v.date)
        .collect();
    let mut alone_reason = NoSlot::NoWindowFits;
    for (rank, &r) in request.candidates.iter().enumerate() {
        let plan = RepPlan::build(request, r, (request.from, request.to), service, travel)?;
        days_tried += plan.routes.len();
        let RepPlan {
            days,
            routes,
            sites_of,
            visited,
            target_site,
            ..
        } = &plan;
        let target_site = *target_site;
        let mut scratch = Vec::new();
        let new = Visit::regular(target_site);
        for (s, route) in routes.iter().enumerate() {
            let date = days.slots[s].date;
            if !(target.days.is_empty() || target.days.contains(&weekday(date))) {
                continue;
            }
            accepted += 1;
            // A day the plan already visits the account (any rep) offers
            // no second visit.
            if visited[s] || visited_on.contains(&date) {
                continue;
            }
            free_days += 1;
            if days.simulate(s, &[new], &mut scratch).is_some() {
                alone_fits = true;
            } else {
                let round_trip = 2.0 * days.timed.cost(0, days.sites[target_site].loc);
                let lunch = request.lunch.map_or(0.0, |l| l.duration as f64);
                if service + round_trip > days.slots[s].end - days.slots[s].start - lunch {
                    alone_reason = NoSlot::DayTooShort;
                }
                continue;
            }
            // Days whose plan no longer holds as rebuilt offer nothing.
            if days.simulate(s, route, &mut scratch).is_none() {
                continue;
            }
            let before_min = plan.days.timed_minutes(s, route);
            let mut best: Option<SlotOffer> = None;
            let mut trial = Vec::with_capacity(route.len() + 1);
            for pos in 0..=route.len() {
                trial.clear();
                trial.extend_from_slice(&route[..pos]);
                trial.push(new);
                trial.extend_from_slice(&route[pos..]);
                let Some(timing) = days.simulate(s, &trial, &mut scratch) else {
                    continue;
                };
                let added = plan.days.timed_minutes(s, &trial) - before_min;
                if best.as_ref().is_some_and(|b| b.added_travel_min <= added) {
                    continue;
                }
                let stops = days.stops(s, &trial, &timing);
                let stop = &stops[pos];
                let account_of = |v: &Visit| sites_of[v.acc as usize];
                best = Some(SlotOffer {
                    rep: r,
                    date,
                    start: stop.start.round() as u32,
                    end: stop.departure.round() as u32,
                    added_travel_min: added,
                    band: if added < request.bands.green {
                        Band::Green
                    } else if added < request.bands.amber {
                        Band::Amber
                    } else {
                        Band::Red
                    },
                    after: pos.checked_sub(1).map(|p| account_of(&route[p])),
                    before: route.get(pos).map(account_of),
                    position: pos,
                    back: timing.back,
                    day_end: days.slots[s].end as u32,
                });
            }
            if let Some(offer) = best {
                offers.push((rank, offer));
            }
        }
    }
    offers.sort_by(|a, b| {
        a.1.added_travel_min
            .total_cmp(&b.1.added_travel_min)
            .then(a.1.date.cmp(&b.1.date))
            .then(a.0.cmp(&b.0))
    });
    let slots: Vec<SlotOffer> = offers
        .into_iter()
        .map(|(_, o)| o)
        .take(request.top)
        .collect();
    let reason = slots.is_empty().then(|| {
        if days_tried == 0 {
            NoSlot::NoWorkingDay
        } else if accepted == 0 {
            NoSlot::NoAcceptedDay
        } else if free_days == 0 {
            NoSlot::AlreadyVisited
        } else if !alone_fits {
            alone_reason.clone()
        } else {
            NoSlot::DaysFull
        }
    });
    Ok(SlotAnswer {
        slots,
        reason,
        days_tried,
    })
}

impl RepPlan {
    /// Day `s` as a [`RepDay`] of the plan's accounts, with `route` (the
    /// planned visits, the new one at `inserted` when given).
    fn rep_day(&self, s: usize, route: &[Visit], inserted: Option<usize>) -> Option<RepDay> {
        let mut scratch = Vec::new();
        let timing = self.days.simulate(s, route, &mut scratch)?;
        let slot = &self.days.slots[s];
        let mut planned = self.planned[s].iter();
        let stops: Vec<Stop> = self
            .days
            .stops(s, route, &timing)
            .into_iter()
            .enumerate()
            .map(|(j, mut stop)| {
                stop.account = self.sites_of[stop.account];
                if Some(j) != inserted {
                    stop.previous = planned.next().copied();
                }
                stop
            })
            .collect();
        let last = route
            .last()
            .map_or(slot.base, |v| self.days.sites[v.acc as usize].loc);
        let empty = route.is_empty();
        Some(RepDay {
            rep: self.rep,
            date: slot.date,
            hours: (slot.start as u32, slot.end as u32),
            depart: timing.depart,
            back: timing.back,
            lunch: timing.lunch.map(|(a, b, _)| (a, b)),
            return_min: if empty {
                0.0
            } else {
                self.days.timed.cost(last, slot.base)
            },
            return_km: if empty {
                0.0
            } else {
                self.days.km.cost(last, slot.base)
            },
            stops,
        })
    }
}

/// The plan with one offer booked: every working day of every rep the plan
/// visits, with its visits in their planned order (regular ones timed as
/// the day timing gives them, bookings at their times), and the offer's day
/// with the new visit booked at its quoted time and place. By rep, then date.
pub fn book_slot(
    request: &SlotRequest<'_>,
    offer: &SlotOffer,
    travel: &dyn TravelModel,
) -> Result<Vec<RepDay>, ScheduleError> {
    let target = &request.accounts[request.account];
    let service =
        f64::from(offer.end.saturating_sub(offer.start)).max(request.duration_min.map_or_else(
            || request.workload.service_min(target).max(0.0).ceil(),
            f64::from,
        ));
    let last = request.plan.end - chrono::Days::new(1);
    let mut reps: Vec<usize> = request.plan.visits.iter().filter_map(|v| v.rep).collect();
    reps.push(offer.rep);
    reps.sort_unstable();
    reps.dedup();
    let mut out = Vec::new();
    for r in reps {
        let mut plan = RepPlan::build(request, r, (request.plan.start, last), service, travel)?;
        for s in 0..plan.routes.len() {
            let date = plan.days.slots[s].date;
            let mut route = plan.routes[s].clone();
            let booked = r == offer.rep && date == offer.date;
            if booked {
                plan.days.fixed.push(Fixed {
                    start: offer.start as f64,
                    duration: service,
                });
                let v = Visit::booked(plan.target_site, plan.days.fixed.len() - 1);
                route.insert(offer.position.min(route.len()), v);
            }
            let inserted = booked.then(|| offer.position.min(route.len().saturating_sub(1)));
            let day = plan.rep_day(s, &route, inserted).ok_or_else(|| {
                ScheduleError::PlanDoesNotHold {
                    rep: request.reps[r].id.clone(),
                    date,
                    booking: booked,
                }
            })?;
            out.push(day);
        }
    }
    // Every planned visit must still be there: a day that is gone (an
    // absence or holiday the plan was not made with) is not re-planned here.
    let kept: usize = out.iter().map(|d| d.stops.len()).sum();
    let planned = request
        .plan
        .visits
        .iter()
        .filter(|v| v.account.is_some() && v.rep.is_some())
        .count();
    if kept != planned + 1 {
        let missing = request.plan.visits.iter().enumerate().find(|(k, v)| {
            !out.iter().any(|d| {
                Some(d.rep) == v.rep
                    && d.date == v.date
                    && d.stops.iter().any(|s| s.previous == Some(*k))
            })
        });
        let (rep, date) = missing.map_or((String::new(), offer.date), |(_, v)| {
            (
                v.rep
                    .map_or_else(String::new, |r| request.reps[r].id.clone()),
                v.date,
            )
        });
        return Err(ScheduleError::PlanDoesNotHold {
            rep,
            date,
            booking: false,
        });
    }
    Ok(out)
}
