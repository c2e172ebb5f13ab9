//! The search for one rep (or one office): pattern-aware insertion, ruin and
//! recreate under simulated annealing, 2-opt / Or-opt inside each day, then
//! the moves between days of `inter_day.rs`.

use std::time::Instant;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::calendar::{self, due_visits, patterns_around, weekday, working_dates};
use super::day::{Days, Fixed, Site, Slot, Timing, Visit};
use super::previous::{frozen_dates, FrozenDay};
use super::state::{Need, State, MISSED_VISIT};
use super::{
    due_dates, due_patterns, fnv1a, working_hours, PastVisit, Reason, RepDay, ScheduleError,
    ScheduleOptions, ScheduleRequest, Unscheduled,
};
use crate::anneal::Annealing;
use crate::travel::TravelModel;
use crate::{Matrix, TravelCost};
use chrono::NaiveDate;
use territory::model::Location;

/// Reps of a shared office that may take an account: its owner and the
/// nearest others (more cost time and rarely pay in travel).
const SHARED_CANDIDATES: usize = 3;

/// Penalty for a flexible booking's regular fallback: above any travel,
/// below a visit left out.
const FLEX_NOT_KEPT: f64 = 5.0e4;

/// Weight of leaving out a visit of an account with a flexible booking, in
/// missed visits: as much as an account four weeks overdue.
const FLEX_PRIORITY: f64 = 5.0;

pub(super) struct GroupResult {
    pub days: Vec<RepDay>,
    pub unscheduled: Vec<Unscheduled>,
    pub not_due: Vec<Unscheduled>,
    pub overdue: Vec<super::Overdue>,
    pub due_visits: usize,
    pub scheduled_visits: usize,
    pub appointments_kept: usize,
    pub iterations: usize,
    pub frozen_days: usize,
    /// Visits due per rep of the group: `(rep, due)`.
    pub due_per_rep: Vec<(usize, usize)>,
    /// Optional visits added where days had room.
    pub filled: Vec<super::Filled>,
}

pub(super) fn solve_group(
    request: &ScheduleRequest<'_>,
    group: &[usize],
    travel: &dyn TravelModel,
    options: &ScheduleOptions,
) -> Result<GroupResult, ScheduleError> {
    let began = Instant::now();
    let accounts: Vec<usize> = (0..request.accounts.len())
        .filter(|&a| request.owner[a].is_some_and(|r| group.contains(&r)))
        .collect();
    let mut points: Vec<Location> = group
        .iter()
        .map(|&r| request.reps[r].base.expect("validated: owners have bases"))
        .collect();
    points.extend(accounts.iter().map(|&a| request.accounts[a].location));
    let matrices = travel.matrices(&points)?;
    let n_points = points.len();
    let timed = Matrix::from_fn(n_points, |a, b| {
        let m = matrices.minutes.cost(a, b);
        if m.is_finite() && m >= 0.0 {
            (m - 1e-9).ceil().max(0.0)
        } else {
            f64::INFINITY
        }
    });

    // Working days of every rep of the group, as slots.
    let mut slots = Vec::new();
    let mut rep_slots: Vec<Vec<usize>> = Vec::new();
    // Each rep's working weekdays in the horizon, with their slot unless away.
    let mut rep_calendar: Vec<Vec<(NaiveDate, Option<usize>)>> = Vec::new();
    let local_of = |a: usize| accounts.binary_search(&a).ok();
    let mut frozen: Vec<(usize, RepDay)> = Vec::new(); // (local rep, day)
    for (local, &r) in group.iter().enumerate() {
        let rep = &request.reps[r];
        let frozen_here: Vec<NaiveDate> = request.previous.map_or_else(Vec::new, |plan| {
            let dates = working_dates(rep, request.start, request.weeks);
            frozen_dates(plan, &dates, request.freeze_days)
        });
        // Days away keep their place in the calendar (without a slot), so
        // visit patterns keep their weekdays and only a visit due on such a
        // day moves.
        let mut calendar_days = Vec::new();
        let mut available = Vec::new();
        for date in working_dates(rep, request.start, request.weeks) {
            let hours = working_hours(r, rep, date, request.absences, request.holidays);
            if let (true, Some(plan)) = (frozen_here.contains(&date), request.previous) {
                let day = FrozenDay {
                    request,
                    plan,
                    rep: r,
                    base: local,
                    date,
                    hours,
                };
                if let Some(kept) =
                    day.keep(&matrices.km, &timed, group.len(), &local_of, options.lunch)
                {
                    calendar_days.push((date, None));
                    frozen.push((local, kept));
                    continue;
                }
            }
            match hours {
                Some((start, end)) => {
                    calendar_days.push((date, Some(slots.len())));
                    available.push(slots.len());
                    slots.push(Slot {
                        rep: r,
                        base: local,
                        date,
                        start: start as f64,
                        end: end as f64,
                    });
                }
                None => calendar_days.push((date, None)),
            }
        }
        rep_slots.push(available);
        rep_calendar.push(calendar_days);
    }
    let sites: Vec<Site> = accounts
        .iter()
        .enumerate()
        .map(|(i, &a)| {
            let acc = &request.accounts[a];
            let windows = if acc.windows.is_empty() {
                vec![(0.0, 24.0 * 60.0)]
            } else {
                acc.windows
                    .iter()
                    .map(|w| (w.start as f64, w.end as f64))
                    .collect()
            };
            Site {
                loc: group.len() + i,
                service: request.workload.service_min(acc).max(0.0).ceil(),
                windows,
            }
        })
        .collect();

    // Appointments of the group inside the horizon, by slot and time.
    let mut booked: Vec<(usize, usize, Fixed)> = Vec::new(); // (slot or MAX, local account, time)
    let mut fixed = Vec::new();
    let mut off_day: Vec<bool> = vec![false; accounts.len()];
    // Booked on a day the rep would work but is away (a holiday or an absence).
    let mut away: Vec<bool> = vec![false; accounts.len()];
    let mut appointment_count = vec![0usize; accounts.len()];
    // Per account, the owner's calendar days each flexible booking may use.
    let mut flex_days: Vec<Vec<Vec<usize>>> = vec![Vec::new(); accounts.len()];
    // The booked length, which the account's visits in the horizon take.
    let mut flex_minutes: Vec<Option<f64>> = vec![None; accounts.len()];
    let mut kept = 0;
    let mut kept_count = vec![0usize; accounts.len()];
    let mut kept_dates: Vec<Vec<chrono::NaiveDate>> = vec![Vec::new(); accounts.len()];
    // Visits on kept frozen days: regular ones (dates) and all (count).
    let mut frozen_regular: Vec<Vec<NaiveDate>> = vec![Vec::new(); accounts.len()];
    let mut frozen_stops = vec![0usize; accounts.len()];
    for (_, day) in &frozen {
        for stop in &day.stops {
            let i = local_of(stop.account).expect("frozen stops are the group's");
            frozen_stops[i] += 1;
            if !stop.appointment {
                frozen_regular[i].push(day.date);
                kept_count[i] += 1;
                kept_dates[i].push(day.date);
            }
        }
    }
    let horizon_end = request.start + chrono::Days::new(request.weeks as u64 * 7);
    for ap in request.appointments {
        let Some(i) = local_of(ap.account) else {
            continue;
        };
        if !ap.flex.in_range(ap.date, request.start, horizon_end) {
            continue;
        }
        appointment_count[i] += 1;
        let owner = request.owner[ap.account].expect("grouped accounts have owners");
        let local_rep = group.iter().position(|&r| r == owner).expect("in group");
        // A flexible booking is a visit the account's pattern must hold on
        // its day (or one day of its week), timed like any other.
        if ap.flex != super::Flex::Fixed {
            // Kept as placed on a frozen day of the earlier plan.
            let on_frozen = frozen.iter().find(|(l, d)| {
                *l == local_rep
                    && ap.flex.allows(ap.date, d.date)
                    && d.stops
                        .iter()
                        .any(|s| s.account == ap.account && s.appointment)
            });
            if let Some((_, d)) = on_frozen {
                kept += 1;
                kept_count[i] += 1;
                kept_dates[i].push(d.date);
                continue;
            }
            let days: Vec<usize> = rep_calendar[local_rep]
                .iter()
                .enumerate()
                .filter(|(_, (date, slot))| slot.is_some() && ap.flex.allows(ap.date, *date))
                .map(|(d, _)| d)
                .collect();
            if days.is_empty() {
                let works = (0..13).any(|k| {
                    let d = ap.date + chrono::Days::new(k) - chrono::Days::new(6);
                    ap.flex.allows(ap.date, d) && calendar::works_on(&request.reps[owner], d)
                });
                if works {
                    away[i] = true;
                } else {
                    off_day[i] = true;
                }
            } else {
                flex_days[i].push(days);
                flex_minutes[i] = Some(ap.duration_min as f64);
            }
            continue;
        }
        // A kept frozen day holds exactly its bookings.
        if frozen
            .iter()
            .any(|(l, d)| *l == local_rep && d.date == ap.date)
        {
            kept += 1;
            kept_count[i] += 1;
            kept_dates[i].push(ap.date);
            continue;
        }
        let f = Fixed {
            start: ap.start as f64,
            duration: ap.duration_min as f64,
        };
        match rep_slots[local_rep]
            .iter()
            .find(|&&s| slots[s].date == ap.date)
        {
            Some(&s) => booked.push((s, i, f)),
            None if calendar::works_on(&request.reps[owner], ap.date) => away[i] = true,
            None => off_day[i] = true,
        }
    }
    booked.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.start.total_cmp(&b.2.start)));

    let mut sites = sites;
    for (site, minutes) in sites.iter_mut().zip(&flex_minutes) {
        if let Some(m) = minutes {
            site.service = *m;
        }
    }
    let mut days = Days {
        exact: matrices.minutes,
        timed,
        km: matrices.km,
        sites,
        slots,
        fixed: Vec::new(),
        lunch: options.lunch,
        balance_weight: options.balance_weight,
    };
    let mut scratch = Vec::new();
    let mut routes: Vec<Vec<Visit>> = vec![Vec::new(); days.slots.len()];
    let mut conflict = vec![false; accounts.len()];
    let mut outside_hours = vec![false; accounts.len()];
    for (s, i, f) in booked {
        fixed.push(f);
        days.fixed = fixed.clone();
        let v = Visit::booked(i, fixed.len() - 1);
        let pos = routes[s]
            .iter()
            .position(|w| w.is_appointment() && days.fixed[w.appointment as usize].start > f.start)
            .unwrap_or(routes[s].len());
        routes[s].insert(pos, v);
        if days.simulate(s, &routes[s], &mut scratch).is_none() {
            routes[s].remove(pos);
            conflict[i] = true;
            outside_hours[i] |= days.simulate(s, &[v], &mut scratch).is_none();
        } else {
            kept += 1;
            kept_count[i] += 1;
            kept_dates[i].push(days.slots[s].date);
        }
    }

    // Past visits of the group's accounts.
    let mut past_of: Vec<Vec<PastVisit>> = vec![Vec::new(); accounts.len()];
    for p in request.history {
        if let Some(i) = local_of(p.account) {
            past_of[i].push(*p);
        }
    }
    let mut overdue = Vec::new();
    // Slots of the earlier plan's visits of each account (re-planning).
    let mut earlier_slots: Vec<Vec<usize>> = vec![Vec::new(); accounts.len()];
    if let Some(plan) = request.previous {
        let slot_of: std::collections::HashMap<(usize, NaiveDate), usize> = days
            .slots
            .iter()
            .enumerate()
            .map(|(k, s)| ((s.rep, s.date), k))
            .collect();
        for v in &plan.visits {
            if let (Some(i), Some(&k)) = (
                v.account.and_then(local_of),
                v.rep.and_then(|r| slot_of.get(&(r, v.date))),
            ) {
                earlier_slots[i].push(k);
            }
        }
    }

    // What every account needs.
    let mut needs: Vec<Need> = Vec::with_capacity(accounts.len());
    for (i, &a) in accounts.iter().enumerate() {
        let acc = &request.accounts[a];
        let rep = request.owner[a].expect("grouped");
        let per_4_weeks = request.workload.visits(acc);
        // History keeps the rhythm from the last done visit (bookings aside).
        let real_due = (appointment_count[i] == 0)
            .then(|| due_dates(per_4_weeks, &past_of[i], request.start, request.weeks * 7))
            .flatten();
        // Frozen visits count as made: the rhythm continues from them.
        let n_frozen = frozen_regular[i].len();
        let history_due = if n_frozen > 0 && real_due.is_some() {
            let mut past = past_of[i].clone();
            past.extend(frozen_regular[i].iter().map(|&date| PastVisit {
                account: a,
                date,
                status: super::VisitStatus::Done,
            }));
            due_dates(per_4_weeks, &past, request.start, request.weeks * 7)
        } else {
            real_due.clone()
        };
        if let Some(h) = real_due.as_ref().filter(|h| h.days_overdue > 0) {
            overdue.push(super::Overdue {
                account: a,
                rep,
                due: h.first_due,
                days_overdue: h.days_overdue,
            });
        }
        // An anchored cadence fixes the calendar weeks the account is due in.
        let anchored_weeks: Option<Vec<i64>> = options
            .anchored
            .then(|| calendar::anchored_every(per_4_weeks))
            .flatten()
            .filter(|_| appointment_count[i] == 0 && history_due.is_none())
            .map(|every| {
                let phase = (fnv1a(acc.id.as_bytes()) % every as u64) as i64;
                let first = calendar::week_index(request.start);
                (first..first + request.weeks as i64)
                    .filter(|w| (w + phase).rem_euclid(every) == 0)
                    .filter(|&w| {
                        !frozen_regular[i]
                            .iter()
                            .any(|&d| calendar::week_index(d) == w)
                    })
                    .collect()
            });
        let regular_due = match (&history_due, &anchored_weeks) {
            (Some(h), _) => h.dates.len() + n_frozen,
            (None, Some(weeks)) => weeks.len() + n_frozen,
            (None, None) => due_visits(per_4_weeks, request.weeks),
        };
        // Booked visits count towards the due ones; those that could not be
        // kept leave their visits to the regular patterns.
        let due = regular_due.max(appointment_count[i] + n_frozen);
        let to_pattern = due - kept_count[i];
        let mut need = Need {
            account: a,
            rep,
            due,
            patterns: Vec::new(),
            blocked: None,
            missed_weight: super::stretch::missed_weight(
                per_4_weeks,
                &past_of[i],
                request.start,
                real_due.as_ref().map_or(0, |h| h.days_overdue),
                options.stretch_intervals,
            ),
            change: Vec::new(),
            change_all: 0.0,
            fallback_from: usize::MAX,
        };
        if away[i] {
            need.blocked = Some(Reason::AppointmentRepAway);
        } else if off_day[i] {
            need.blocked = Some(Reason::AppointmentOffDay);
        } else if outside_hours[i] {
            need.blocked = Some(Reason::AppointmentOutsideHours);
        } else if conflict[i] {
            need.blocked = Some(Reason::AppointmentConflict);
        }
        if due == 0 && per_4_weeks > 0.0 {
            need.blocked = Some(Reason::NotDueInHorizon {
                per_4_weeks,
                weeks: request.weeks,
                anchored: anchored_weeks.is_some(),
            });
        }
        if to_pattern > 0 {
            // Accounts with appointments stay with their owner; others may go
            // to the owner or the reps of a shared office based nearest to them.
            let own = group.iter().position(|&r| r == rep).expect("in group");
            let mut candidates = vec![own];
            if appointment_count[i] == 0 {
                let mut others: Vec<usize> = (0..group.len()).filter(|&r| r != own).collect();
                let here = days.sites[i].loc;
                others.sort_by(|&a, &b| {
                    days.exact
                        .cost(a, here)
                        .total_cmp(&days.exact.cost(b, here))
                        .then(a.cmp(&b))
                });
                candidates.extend(others.into_iter().take(SHARED_CANDIDATES - 1));
            }
            let mut accepted_days = 0;
            let mut solo_ok = false;
            for local_rep in candidates {
                let rep_days = &rep_calendar[local_rep];
                let allowed: Vec<bool> = rep_days
                    .iter()
                    .map(|&(date, slot)| {
                        slot.is_some()
                            && (acc.days.is_empty() || acc.days.contains(&weekday(date)))
                            && !kept_dates[i].contains(&date)
                    })
                    .collect();
                // Frozen days count as working days for the calendar
                // patterns, so the weekdays around them stay regular; patterns
                // through them are dropped below (they have no slot).
                let calendar_allowed: Vec<bool> = rep_days
                    .iter()
                    .zip(&allowed)
                    .map(|(&(date, _), &ok)| {
                        ok || (frozen
                            .iter()
                            .any(|(l, d)| *l == local_rep && d.date == date)
                            && (acc.days.is_empty() || acc.days.contains(&weekday(date)))
                            && !kept_dates[i].contains(&date))
                    })
                    .collect();
                let booked: Vec<usize> = rep_days
                    .iter()
                    .enumerate()
                    .filter(|(_, (date, _))| kept_dates[i].contains(date))
                    .map(|(d, _)| d)
                    .collect();
                accepted_days = accepted_days.max(allowed.iter().filter(|&&x| x).count());
                let Some(&first) = rep_slots[local_rep].first() else {
                    continue;
                };
                // A lone visit fits the same way on every day of one rep.
                if days
                    .simulate(first, &[Visit::regular(i)], &mut scratch)
                    .is_none()
                {
                    continue;
                }
                solo_ok = true;
                let local = match &anchored_weeks {
                    _ if history_due.is_some() => {
                        let dates: Vec<NaiveDate> = rep_days.iter().map(|(d, _)| *d).collect();
                        history_due
                            .as_ref()
                            .map(|h| due_patterns(&dates, &allowed, h))
                            .unwrap_or_default()
                    }
                    Some(weeks) => {
                        let by_week: Vec<Vec<usize>> = weeks
                            .iter()
                            .map(|&w| {
                                (0..rep_days.len())
                                    .filter(|&d| calendar::week_index(rep_days[d].0) == w)
                                    .collect()
                            })
                            .collect();
                        calendar::anchored_patterns(&allowed, &by_week)
                    }
                    // Frozen visits keep the weekday rhythm exactly; a
                    // booking may stand in for a visit a few days away.
                    None if appointment_count[i] == 0 => {
                        let all = calendar::patterns_around_within(
                            &calendar_allowed,
                            to_pattern + booked.len(),
                            &booked,
                            Some(0),
                        );
                        // A weekly account keeps its frozen visit's weekday.
                        let weekly =
                            rep_days.len() == due * request.reps[group[local_rep]].days.len();
                        let same_day: Vec<Vec<usize>> = all
                            .iter()
                            .filter(|p| {
                                p.iter().all(|&d| {
                                    frozen_regular[i]
                                        .iter()
                                        .all(|&f| weekday(f) == weekday(rep_days[d].0))
                                })
                            })
                            .cloned()
                            .collect();
                        if weekly && !same_day.is_empty() {
                            same_day
                        } else {
                            all
                        }
                    }
                    None if !flex_days[i].is_empty() => calendar::flexible_patterns(
                        &allowed,
                        to_pattern + booked.len(),
                        &booked,
                        &flex_days[i],
                    ),
                    None => patterns_around(&calendar_allowed, to_pattern + booked.len(), &booked),
                };
                // Patterns use allowed or booked days, which all have slots.
                need.patterns.extend(local.into_iter().filter_map(|p| {
                    p.into_iter()
                        .map(|d| rep_days[d].1)
                        .collect::<Option<Vec<_>>>()
                }));
                // A flexible booking that finds no room falls back to the
                // regular rhythm (at a cost far above travel), and is reported.
                if !flex_days[i].is_empty() {
                    // A booked visit is kept before the regular ones.
                    need.missed_weight = need.missed_weight.max(FLEX_PRIORITY);
                    need.fallback_from = need.patterns.len();
                    let regular =
                        patterns_around(&calendar_allowed, to_pattern + booked.len(), &booked);
                    need.patterns.extend(regular.into_iter().filter_map(|p| {
                        p.into_iter()
                            .map(|d| rep_days[d].1)
                            .collect::<Option<Vec<_>>>()
                    }));
                }
            }
            if need.patterns.is_empty() && need.blocked.is_none() {
                need.blocked = Some(if accepted_days == 0 {
                    Reason::NoAcceptedDay
                } else if !solo_ok {
                    lone_visit_reason(&days, &rep_slots, group, rep, i)
                } else {
                    Reason::FrequencyImpossible {
                        due: to_pattern,
                        accepted_days,
                    }
                });
            }
        }
        // Re-planning: moving an earlier visit off its day costs.
        need.change = need
            .patterns
            .iter()
            .enumerate()
            .map(|(k, p)| {
                let moved = earlier_slots[i].iter().filter(|s| !p.contains(s)).count();
                let fallback = if k >= need.fallback_from {
                    FLEX_NOT_KEPT
                } else {
                    0.0
                };
                options.change_cost * moved as f64 + fallback
            })
            .collect();
        need.change_all = options.change_cost * earlier_slots[i].len() as f64;
        needs.push(need);
    }

    let n_assignable = needs.iter().filter(|n| !n.patterns.is_empty()).count();
    // Iterations grow with the accounts; a shared office has more days per
    // account to try, so fewer iterations keep its run time in line.
    let iterations_cap = options
        .iterations
        .unwrap_or((n_assignable * 20 / group.len().min(SHARED_CANDIDATES)).clamp(500, 20_000));
    let mut rng =
        ChaCha8Rng::seed_from_u64(options.seed ^ fnv1a(request.reps[group[0]].id.as_bytes()));
    let near = neighbours(&days, needs.len());
    let mut state = State {
        cost: (0..routes.len())
            .map(|s| {
                days.simulate(s, &routes[s], &mut scratch)
                    .map_or(0.0, |t| t.cost)
            })
            .collect(),
        routes,
        chosen: vec![None; needs.len()],
        unassigned: (0..needs.len())
            .filter(|&i| !needs[i].patterns.is_empty())
            .collect(),
    };
    let mut memo = Memo::new(days.slots.len());
    recreate(&days, &needs, &mut state, &mut rng, &mut memo, &mut scratch);
    let current_cost = state.objective(&needs);
    let t0 = temperature_scale(&days, needs.len());
    let annealing = Annealing {
        max_iterations: if n_assignable > 0 { iterations_cap } else { 0 },
        time_limit: options.time_limit,
        t0,
        t1: t0 / 100.0,
    };
    let (best, _, iterations) =
        annealing.run(began, state, current_cost, &mut rng, |candidate, rng| {
            ruin(&days, &needs, &near, candidate, rng, &mut scratch);
            recreate(&days, &needs, candidate, rng, &mut memo, &mut scratch);
            candidate.objective(&needs)
        });
    let mut state = best;
    for s in 0..state.routes.len() {
        polish_day(&days, s, &mut state, &mut scratch);
    }
    if options.inter_day {
        let changed = super::inter_day::descend(&days, &needs, &mut state);
        for s in (0..state.routes.len()).filter(|&s| changed[s]) {
            polish_day(&days, s, &mut state, &mut scratch);
        }
    }
    insert_partially(&days, &needs, &mut state, &mut scratch);
    let filled = match &options.fill {
        Some(fill) => fill_gaps(
            &days, &needs, request, options, fill, &rep_slots, group, &mut state,
        ),
        None => Vec::new(),
    };

    // Output.
    let mut out_days = Vec::with_capacity(state.routes.len() + frozen.len());
    let mut scheduled = frozen_stops;
    let frozen_days = frozen.len();
    out_days.extend(frozen.into_iter().map(|(_, day)| day));
    for (s, route) in state.routes.iter().enumerate() {
        let timing = days
            .simulate(s, route, &mut scratch)
            .expect("the search keeps every day feasible");
        let slot = &days.slots[s];
        let mut stops = days.stops(s, route, &timing);
        for stop in &mut stops {
            let i = stop.account;
            scheduled[i] += 1;
            // The visit a flexible booking asked for shows as booked.
            let local = slot.base;
            let used = flex_days[i].iter().position(|choices| {
                choices
                    .iter()
                    .any(|&d| rep_calendar[local].get(d).is_some_and(|c| c.1 == Some(s)))
            });
            if let Some(k) = used {
                flex_days[i].remove(k);
                stop.appointment = true;
                kept += 1;
            }
            stop.account = needs[i].account;
        }
        let last = route
            .last()
            .map_or(slot.base, |v| group.len() + v.acc as usize);
        out_days.push(RepDay {
            rep: slot.rep,
            date: slot.date,
            hours: (slot.start as u32, slot.end as u32),
            depart: timing.depart,
            back: timing.back,
            lunch: timing.lunch.map(|(a, b, _)| (a, b)),
            return_min: if route.is_empty() {
                0.0
            } else {
                days.timed.cost(last, slot.base)
            },
            return_km: if route.is_empty() {
                0.0
            } else {
                days.km.cost(last, slot.base)
            },
            stops,
        });
    }
    let mut unscheduled = Vec::new();
    let mut not_due = Vec::new();
    for (i, need) in needs.iter().enumerate() {
        if matches!(need.blocked, Some(Reason::NotDueInHorizon { .. })) {
            not_due.push(Unscheduled {
                account: need.account,
                rep: need.rep,
                due: 0,
                scheduled: scheduled[i],
                reason: need.blocked.clone().unwrap_or(Reason::NoRoom),
            });
            continue;
        }
        // Short accounts and booked visits not kept (even
        // when regular visits made up for them) are all reported.
        let short = scheduled[i] < need.due;
        let flex_missed = !flex_days[i].is_empty();
        let reported = flex_missed
            || matches!(
                need.blocked,
                Some(
                    Reason::AppointmentConflict
                        | Reason::AppointmentOutsideHours
                        | Reason::AppointmentOffDay
                        | Reason::AppointmentRepAway
                )
            );
        if !short && !reported {
            continue;
        }
        let reason = match &need.blocked {
            Some(r) => r.clone(),
            None if flex_missed => Reason::FlexibleBookingNotKept,
            None => Reason::NoRoom,
        };
        unscheduled.push(Unscheduled {
            account: need.account,
            rep: need.rep,
            due: need.due,
            scheduled: scheduled[i],
            reason,
        });
    }
    Ok(GroupResult {
        days: out_days,
        unscheduled,
        not_due,
        overdue,
        due_visits: needs.iter().map(|n| n.due).sum(),
        scheduled_visits: scheduled.iter().sum::<usize>() - filled.len(),
        appointments_kept: kept,
        iterations,
        frozen_days,
        filled: filled
            .iter()
            .map(|f| super::Filled {
                account: needs[f.account].account,
                ..f.clone()
            })
            .collect(),
        due_per_rep: group
            .iter()
            .map(|&r| (r, needs.iter().filter(|n| n.rep == r).map(|n| n.due).sum()))
            .collect(),
    })
}

/// Why a lone visit does not fit a day of its owner.
fn lone_visit_reason(
    days: &Days,
    rep_slots: &[Vec<usize>],
    group: &[usize],
    rep: usize,
    i: usize,
) -> Reason {
    let local = group.iter().position(|&r| r == rep).expect("in group");
    let Some(&s) = rep_slots[local].first() else {
        return Reason::NoAcceptedDay;
    };
    let slot = &days.slots[s];
    let site = &days.sites[i];
    let round_trip = days.timed.cost(slot.base, site.loc) + days.timed.cost(site.loc, slot.base);
    let lunch = days.lunch.map_or(0.0, |l| l.duration as f64);
    if site.service + round_trip > slot.end - slot.start - lunch {
        Reason::DayTooShort
    } else {
        Reason::NoWindowFits
    }
}

/// Accounts by travel time from each account.
fn neighbours(days: &Days, n: usize) -> Vec<Vec<u32>> {
    (0..n)
        .map(|a| {
            let la = days.sites[a].loc;
            let mut o: Vec<u32> = (0..n as u32).filter(|&b| b as usize != a).collect();
            o.sort_by(|&x, &y| {
                let (lx, ly) = (days.sites[x as usize].loc, days.sites[y as usize].loc);
                days.exact
                    .cost(la, lx)
                    .total_cmp(&days.exact.cost(la, ly))
                    .then(x.cmp(&y))
            });
            o.truncate(64);
            o
        })
        .collect()
}

/// Annealing start temperature: half a typical short leg, or the size of a
/// typical balance change when that is larger.
fn temperature_scale(days: &Days, n: usize) -> f64 {
    if n < 2 {
        return 1.0;
    }
    let mut legs: Vec<f64> = (0..n)
        .map(|a| {
            let la = days.sites[a].loc;
            (0..n)
                .filter(|&b| b != a)
                .map(|b| days.exact.cost(la, days.sites[b].loc))
                .fold(f64::INFINITY, f64::min)
        })
        .filter(|c| c.is_finite())
        .collect();
    legs.sort_by(f64::total_cmp);
    let median = legs.get(legs.len() / 2).copied().unwrap_or(1.0);
    // A move's balance term is about weight × 2 · work · Δwork / day length,
    // roughly weight × 30 for a half-hour visit on a half-full day: start hot
    // enough to trade that against travel.
    (median * 0.5).max(0.2).max(days.balance_weight * 30.0)
}

fn remove_account(days: &Days, needs: &[Need], s: &mut State, i: usize, scratch: &mut Vec<f64>) {
    let Some(p) = s.chosen[i].take() else {
        return;
    };
    for &slot in &needs[i].patterns[p as usize] {
        let route = &mut s.routes[slot];
        if let Some(pos) = route
            .iter()
            .position(|v| v.acc as usize == i && !v.is_appointment())
        {
            route.remove(pos);
        }
        s.cost[slot] = days
            .simulate(slot, route, scratch)
            .map_or(MISSED_VISIT, |t| t.cost);
    }
    s.unassigned.push(i);
}

fn ruin(
    days: &Days,
    needs: &[Need],
    near: &[Vec<u32>],
    s: &mut State,
    rng: &mut ChaCha8Rng,
    scratch: &mut Vec<f64>,
) {
    let assigned: Vec<usize> = (0..needs.len())
        .filter(|&i| s.chosen[i].is_some())
        .collect();
    if assigned.is_empty() {
        return;
    }
    let most = (assigned.len() / 6).clamp(2, 24);
    let k = rng.random_range(1..=most);
    if rng.random_bool(0.75) {
        let seed = assigned[rng.random_range(0..assigned.len())];
        remove_account(days, needs, s, seed, scratch);
        let mut removed = 1;
        for &b in &near[seed] {
            if removed >= k {
                break;
            }
            if s.chosen[b as usize].is_some() {
                remove_account(days, needs, s, b as usize, scratch);
                removed += 1;
            }
        }
    } else {
        // Empty part of one day, taking those accounts' other days too.
        let busy: Vec<usize> = (0..s.routes.len())
            .filter(|&d| s.routes[d].iter().any(|v| !v.is_appointment()))
            .collect();
        if busy.is_empty() {
            return;
        }
        let d = busy[rng.random_range(0..busy.len())];
        let mut victims: Vec<usize> = s.routes[d]
            .iter()
            .filter(|v| !v.is_appointment())
            .map(|v| v.acc as usize)
            .collect();
        victims.shuffle(rng);
        victims.truncate(k);
        for i in victims {
            remove_account(days, needs, s, i, scratch);
        }
    }
}

/// Best insertions per slot for the account being placed (stamped to skip clearing).
struct Memo {
    stamp: Vec<u32>,
    value: Vec<Option<(f64, usize, Timing)>>,
    now: u32,
}

impl Memo {
    fn new(slots: usize) -> Self {
        Self {
            stamp: vec![0; slots],
            value: vec![None; slots],
            now: 0,
        }
    }
}

fn best_insertion(
    days: &Days,
    slot: usize,
    route: &[Visit],
    current: f64,
    v: Visit,
    scratch: &mut Vec<f64>,
) -> Option<(f64, usize, Timing)> {
    let s = &days.slots[slot];
    let loc = days.sites[v.acc as usize].loc;
    let at = |pos: usize| {
        if pos == 0 || pos > route.len() {
            s.base
        } else {
            days.sites[route[pos - 1].acc as usize].loc
        }
    };
    // Positions by detour: the detour bounds the cost increase from below
    // (a longer day only adds to the balance term), so the scan stops at the
    // first detour no better than the best insertion found.
    let mut positions: Vec<(f64, usize)> = (0..=route.len())
        .map(|pos| {
            let (prev, next) = (at(pos), at(pos + 1));
            let detour = days.exact.cost(prev, loc) + days.exact.cost(loc, next)
                - days.exact.cost(prev, next);
            (detour, pos)
        })
        .collect();
    positions.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut ready = Vec::with_capacity(route.len() + 1);
    days.ready_times(slot, route, &mut ready);
    let mut best: Option<(f64, usize, Timing)> = None;
    let mut trial: Vec<Visit> = Vec::with_capacity(route.len() + 1);
    for (detour, pos) in positions {
        if best.as_ref().is_some_and(|b| detour >= b.0) {
            break;
        }
        if !days.may_insert(slot, route, &ready, pos, v) {
            continue;
        }
        trial.clear();
        trial.extend_from_slice(&route[..pos]);
        trial.push(v);
        trial.extend_from_slice(&route[pos..]);
        scratch.clear();
        scratch.extend_from_slice(&ready[..=pos]);
        if let Some(t) = days.simulate_from(slot, &trial, scratch) {
            let delta = t.cost - current;
            if best
                .as_ref()
                .is_none_or(|b| delta < b.0 || (delta == b.0 && pos < b.1))
            {
                best = Some((delta, pos, t));
            }
        }
    }
    best
}

fn recreate(
    days: &Days,
    needs: &[Need],
    s: &mut State,
    rng: &mut ChaCha8Rng,
    memo: &mut Memo,
    scratch: &mut Vec<f64>,
) {
    let mut order = std::mem::take(&mut s.unassigned);
    order.shuffle(rng);
    if rng.random_bool(0.5) {
        // Most behind first, then hardest: most visits, then fewest patterns.
        order.sort_by(|&a, &b| {
            let (a, b) = (&needs[a], &needs[b]);
            b.missed_weight
                .total_cmp(&a.missed_weight)
                .then(b.patterns[0].len().cmp(&a.patterns[0].len()))
                .then(a.patterns.len().cmp(&b.patterns.len()))
        });
    }
    for i in order {
        memo.now += 1;
        let v = Visit::regular(i);
        let mut best: Option<(f64, usize)> = None;
        for (p, pattern) in needs[i].patterns.iter().enumerate() {
            let mut total = needs[i].change[p];
            let mut feasible = true;
            for &slot in pattern {
                if memo.stamp[slot] != memo.now {
                    memo.stamp[slot] = memo.now;
                    memo.value[slot] =
                        best_insertion(days, slot, &s.routes[slot], s.cost[slot], v, scratch);
                }
                match &memo.value[slot] {
                    Some((delta, _, _)) => total += delta,
                    None => {
                        feasible = false;
                        break;
                    }
                }
                if best.is_some_and(|b| total >= b.0) {
                    feasible = false;
                    break;
                }
            }
            if feasible && best.is_none_or(|b| total < b.0) {
                best = Some((total, p));
            }
        }
        match best {
            Some((_, p)) => {
                for &slot in &needs[i].patterns[p] {
                    let (_, pos, timing) = memo.value[slot].expect("feasible pattern");
                    s.routes[slot].insert(pos, v);
                    s.cost[slot] = timing.cost;
                }
                s.chosen[i] = Some(p as u32);
            }
            None => s.unassigned.push(i),
        }
    }
    s.unassigned.sort_unstable();
}

/// 2-opt and Or-opt (segments of 1–3 visits) inside one day, first improvement.
fn polish_day(days: &Days, slot: usize, s: &mut State, scratch: &mut Vec<f64>) {
    let mut route = s.routes[slot].clone();
    let mut cost = s.cost[slot];
    let n = route.len();
    if n < 2 {
        return;
    }
    let mut trial = Vec::with_capacity(n);
    let mut improved = true;
    let mut rounds = 0;
    while improved && rounds < 50 {
        improved = false;
        rounds += 1;
        for i in 0..n {
            for j in i + 1..n {
                trial.clear();
                trial.extend_from_slice(&route);
                trial[i..=j].reverse();
                if let Some(t) = days.simulate(slot, &trial, scratch) {
                    if t.cost < cost - 1e-9 {
                        std::mem::swap(&mut route, &mut trial);
                        cost = t.cost;
                        improved = true;
                    }
                }
            }
        }
        for len in 1..=3.min(n - 1) {
            for from in 0..=n - len {
                for to in 0..=n - len {
                    if to == from {
                        continue;
                    }
                    trial.clear();
                    trial.extend_from_slice(&route);
                    let segment: Vec<Visit> = trial.drain(from..from + len).collect();
                    trial.splice(to..to, segment);
                    if let Some(t) = days.simulate(slot, &trial, scratch) {
                        if t.cost < cost - 1e-9 {
                            std::mem::swap(&mut route, &mut trial);
                            cost = t.cost;
                            improved = true;
                        }
                    }
                }
            }
        }
    }
    s.routes[slot] = route;
    s.cost[slot] = cost;
}

/// Accounts whose full pattern fits nowhere get as many of their visits as fit,
/// on the pattern that takes the most.
fn insert_partially(days: &Days, needs: &[Need], s: &mut State, scratch: &mut Vec<f64>) {
    for i in std::mem::take(&mut s.unassigned) {
        let v = Visit::regular(i);
        let mut best: Option<(usize, f64, usize)> = None; // (fits, cost, pattern)
        for (p, pattern) in needs[i].patterns.iter().enumerate() {
            let mut fits = 0;
            let mut total = 0.0;
            for &slot in pattern {
                if let Some((delta, _, _)) =
                    best_insertion(days, slot, &s.routes[slot], s.cost[slot], v, scratch)
                {
                    fits += 1;
                    total += delta;
                }
            }
            if fits > 0 && best.is_none_or(|b| fits > b.0 || (fits == b.0 && total < b.1)) {
                best = Some((fits, total, p));
            }
        }
        if let Some((_, _, p)) = best {
            for &slot in &needs[i].patterns[p] {
                if let Some((_, pos, t)) =
                    best_insertion(days, slot, &s.routes[slot], s.cost[slot], v, scratch)
                {
                    s.routes[slot].insert(pos, v);
                    s.cost[slot] = t.cost;
                }
            }
        }
        s.unassigned.push(i);
    }
}

/// Adds one visit of each account not due in the horizon that `fill`
/// allows, where a day of its rep stays feasible: the highest priority
/// first, then the smallest added travel. Returns them with local account
/// indices.
#[allow(clippy::too_many_arguments)]
fn fill_gaps(
    days: &Days,
    needs: &[Need],
    request: &ScheduleRequest<'_>,
    options: &ScheduleOptions,
    fill: &super::Fill,
    rep_slots: &[Vec<usize>],
    group: &[usize],
    state: &mut State,
) -> Vec<super::Filled> {
    let mut scratch = Vec::new();
    let mut open: Vec<(usize, f64)> = needs
        .iter()
        .enumerate()
        .filter(|(_, n)| matches!(n.blocked, Some(Reason::NotDueInHorizon { .. })))
        .filter_map(|(i, n)| fill.priority(&request.accounts[n.account]).map(|p| (i, p)))
        .collect();
    // Best insertion per open account: (added cost, slot, position).
    let best_for = |i: usize, state: &State, per_slot: &[usize], scratch: &mut Vec<f64>| {
        let acc = &request.accounts[needs[i].account];
        let own = group
            .iter()
            .position(|&r| r == needs[i].rep)
            .expect("in group");
        rep_slots[own]
            .iter()
            .filter(|&&s| options.fill_max_per_day == 0 || per_slot[s] < options.fill_max_per_day)
            .filter(|&&s| acc.days.is_empty() || acc.days.contains(&weekday(days.slots[s].date)))
            .filter_map(|&s| {
                best_insertion(
                    days,
                    s,
                    &state.routes[s],
                    state.cost[s],
                    Visit::regular(i),
                    scratch,
                )
                .map(|(delta, pos, _)| (delta, s, pos))
            })
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
    };
    let mut per_slot = vec![0usize; state.routes.len()];
    let mut best: Vec<Option<(f64, usize, usize)>> = open
        .iter()
        .map(|&(i, _)| best_for(i, state, &per_slot, &mut scratch))
        .collect();
    let mut out = Vec::new();
    loop {
        let pick = (0..open.len())
            .filter(|&k| best[k].is_some())
            .max_by(|&a, &b| {
                let (da, db) = (best[a].expect("some").0, best[b].expect("some").0);
                open[a]
                    .1
                    .total_cmp(&open[b].1)
                    .then(db.total_cmp(&da))
                    .then(b.cmp(&a))
            });
        let Some(k) = pick else {
            break;
        };
        let (i, priority) = open.swap_remove(k);
        let (_, slot, pos) = best.swap_remove(k).expect("picked among some");
        let before = days.timed_minutes(slot, &state.routes[slot]);
        state.routes[slot].insert(pos, Visit::regular(i));
        let timing = days
            .simulate(slot, &state.routes[slot], &mut scratch)
            .expect("inserted where it fits");
        state.cost[slot] = timing.cost;
        out.push(super::Filled {
            account: i,
            rep: days.slots[slot].rep,
            date: days.slots[slot].date,
            added_travel_min: days.timed_minutes(slot, &state.routes[slot]) - before,
            priority,
        });
        per_slot[slot] += 1;
        // Only the accounts whose best day was this one need a new look.
        for (k, b) in best.iter_mut().enumerate() {
            if b.is_some_and(|(_, s, _)| s == slot) {
                *b = best_for(open[k].0, state, &per_slot, &mut scratch);
            }
        }
    }
    out
}
