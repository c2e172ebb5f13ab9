//! Moves between days: a block of consecutive visits goes to another day (of
//! the same rep, or of another rep of a shared office), or two days exchange
//! blocks.
//!
//! Ruin and recreate re-inserts one account at a time at its cheapest place,
//! so an afternoon visit never moves onto a day that holds only a morning
//! round: alone, it adds the midday wait to that day. A whole afternoon block
//! pays the wait once and can even out the two days. A visit of a block keeps
//! its account's other days: it moves only where the account has a pattern
//! that differs from its chosen one in just that day, so visit frequencies,
//! spacing, weekdays and flexible bookings stay what the patterns allow.
//! Booked appointments never move.

use super::day::{Days, Visit};
use super::state::{Need, State};
use crate::TravelCost;

/// Longest block a relocation moves.
const MAX_RELOCATE: usize = 6;

/// Longest block on each side of an exchange.
const MAX_EXCHANGE: usize = 3;

/// Days a block is offered to: those with a visit (or the base) nearest to
/// it. Farther days rarely pay, and a shared office has hundreds.
const NEAREST_DAYS: usize = 8;

/// Passes over every day at most; a pass that improves nothing ends sooner.
const MAX_PASSES: usize = 20;

/// An improvement smaller than this is noise.
const EPS: f64 = 1e-9;

/// Where a visit on day `a` of account `i`'s chosen pattern may go instead:
/// the pattern that equals the chosen one with `a` replaced by `b`.
fn pattern_with(need: &Need, chosen: usize, a: usize, b: usize) -> Option<usize> {
    let p = &need.patterns[chosen];
    if p.contains(&b) {
        return None;
    }
    need.patterns.iter().position(|q| {
        q.len() == p.len()
            && q.contains(&b)
            && !q.contains(&a)
            && p.iter().all(|&x| x == a || q.contains(&x))
    })
}

/// The days `a`'s visits `block` may all move to, each with the pattern every
/// account of the block then takes. Empty when a visit is an appointment or
/// belongs to no chosen pattern.
fn destinations(needs: &[Need], s: &State, a: usize, block: &[Visit]) -> Vec<(usize, Vec<u32>)> {
    let Some(first) = block.first() else {
        return Vec::new();
    };
    let chosen = |v: &Visit| {
        if v.is_appointment() {
            None
        } else {
            s.chosen[v.acc as usize].map(|c| c as usize)
        }
    };
    let Some(c0) = chosen(first) else {
        return Vec::new();
    };
    let need0 = &needs[first.acc as usize];
    let mut out = Vec::new();
    for q in &need0.patterns {
        // Each pattern one day away from the chosen one names a candidate day.
        let Some(&b) = q.iter().find(|x| !need0.patterns[c0].contains(x)) else {
            continue;
        };
        let mut to = Vec::with_capacity(block.len());
        for v in block {
            match chosen(v).and_then(|c| pattern_with(&needs[v.acc as usize], c, a, b)) {
                Some(q) => to.push(q as u32),
                None => break,
            }
        }
        if to.len() == block.len() && !out.iter().any(|(d, _)| *d == b) {
            out.push((b, to));
        }
    }
    out.sort_by_key(|(b, _)| *b);
    out
}

/// The patterns `block`'s accounts take when its visits move from day `a`
/// to day `b`, if every one of them may.
fn moves_to(needs: &[Need], s: &State, a: usize, b: usize, block: &[Visit]) -> Option<Vec<u32>> {
    block
        .iter()
        .map(|v| {
            let c = s.chosen[v.acc as usize].filter(|_| !v.is_appointment())?;
            pattern_with(&needs[v.acc as usize], c as usize, a, b).map(|q| q as u32)
        })
        .collect()
}

/// Keeps the [`NEAREST_DAYS`] of `targets` whose nearest visit (or base) is
/// closest to the block's first visit, in day order.
fn nearest<T>(
    days: &Days,
    s: &State,
    block: &[Visit],
    mut targets: Vec<(usize, T)>,
) -> Vec<(usize, T)> {
    if targets.len() <= NEAREST_DAYS {
        return targets;
    }
    let here = days.sites[block[0].acc as usize].loc;
    let gap = |b: usize| {
        s.routes[b]
            .iter()
            .map(|v| days.sites[v.acc as usize].loc)
            .chain([days.slots[b].base])
            .map(|l| days.exact.cost(here, l))
            .fold(f64::INFINITY, f64::min)
    };
    let mut keyed: Vec<(f64, usize, T)> = targets.drain(..).map(|(b, t)| (gap(b), b, t)).collect();
    keyed.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    keyed.truncate(NEAREST_DAYS);
    let mut out: Vec<(usize, T)> = keyed.into_iter().map(|(_, b, t)| (b, t)).collect();
    out.sort_by_key(|(b, _)| *b);
    out
}

/// What the change of patterns costs (re-planning moves earlier visits).
fn change_delta(needs: &[Need], s: &State, block: &[Visit], to: &[u32]) -> f64 {
    block
        .iter()
        .zip(to)
        .map(|(v, &q)| {
            let need = &needs[v.acc as usize];
            let p = s.chosen[v.acc as usize].expect("blocks hold chosen visits") as usize;
            need.change[q as usize] - need.change[p]
        })
        .sum()
}

/// The cheapest day `b` with `block` inserted whole (in order or reversed):
/// `(cost, route)`.
fn insert_block(
    days: &Days,
    b: usize,
    route: &[Visit],
    block: &[Visit],
    scratch: &mut Vec<f64>,
    ready: &mut Vec<f64>,
) -> Option<(f64, Vec<Visit>)> {
    days.ready_times(b, route, ready);
    let reversed: Vec<Visit> = block.iter().rev().copied().collect();
    let mut best: Option<(f64, usize, bool)> = None;
    let mut trial = Vec::with_capacity(route.len() + block.len());
    // Positions past the first infeasible prefix cannot be reached.
    let reachable = ready.len() - 1;
    for pos in 0..=reachable.min(route.len()) {
        for (rev, seq) in [(false, block), (true, &reversed[..])] {
            if block.len() == 1 && rev {
                continue;
            }
            if !days.may_insert(b, route, ready, pos, seq[0]) {
                continue;
            }
            trial.clear();
            trial.extend_from_slice(&route[..pos]);
            trial.extend_from_slice(seq);
            trial.extend_from_slice(&route[pos..]);
            scratch.clear();
            scratch.extend_from_slice(&ready[..=pos]);
            if let Some(t) = days.simulate_from(b, &trial, scratch) {
                if best.is_none_or(|(c, _, _)| t.cost < c - EPS) {
                    best = Some((t.cost, pos, rev));
                }
            }
        }
    }
    best.map(|(cost, pos, rev)| {
        let seq = if rev { &reversed[..] } else { block };
        let mut r = Vec::with_capacity(route.len() + block.len());
        r.extend_from_slice(&route[..pos]);
        r.extend_from_slice(seq);
        r.extend_from_slice(&route[pos..]);
        (cost, r)
    })
}

/// Reused buffers: finishing times of a replayed day, and of a day's
/// prefixes.
#[derive(Default)]
struct Scratch {
    ends: Vec<f64>,
    ready: Vec<f64>,
}

/// A found improvement: the two days' new routes and costs, and the
/// accounts' new patterns.
struct Move {
    gain: f64,
    a: (usize, Vec<Visit>, f64),
    b: (usize, Vec<Visit>, f64),
    patterns: Vec<(usize, u32)>,
}

impl Move {
    fn apply(self, s: &mut State) {
        for (day, route, cost) in [self.a, self.b] {
            s.routes[day] = route;
            s.cost[day] = cost;
        }
        for (i, q) in self.patterns {
            s.chosen[i] = Some(q);
        }
    }
}

/// The best relocation of the block `a[start..start + len]`, if it gains.
fn best_relocation(
    days: &Days,
    needs: &[Need],
    s: &State,
    a: usize,
    start: usize,
    len: usize,
    scratch: &mut Scratch,
) -> Option<Move> {
    let route = &s.routes[a];
    let block = &route[start..start + len];
    let targets = nearest(days, s, block, destinations(needs, s, a, block));
    if targets.is_empty() {
        return None;
    }
    let rest: Vec<Visit> = route[..start]
        .iter()
        .chain(&route[start + len..])
        .copied()
        .collect();
    let rest_cost = days.simulate(a, &rest, &mut scratch.ends)?.cost;
    let mut best: Option<Move> = None;
    for (b, to) in targets {
        let before = s.cost[a] + s.cost[b];
        let change = change_delta(needs, s, block, &to);
        // More visits cost day b more travel and a longer day (short of
        // odd cases such as a later first opening), so what a saves bounds
        // the gain; the odd cases are left to the annealing.
        if s.cost[a] - rest_cost - change <= EPS {
            continue;
        }
        let Some((b_cost, b_route)) = insert_block(
            days,
            b,
            &s.routes[b],
            block,
            &mut scratch.ends,
            &mut scratch.ready,
        ) else {
            continue;
        };
        let gain = before - rest_cost - b_cost - change;
        if gain > EPS && best.as_ref().is_none_or(|m| gain > m.gain + EPS) {
            best = Some(Move {
                gain,
                a: (a, rest.clone(), rest_cost),
                b: (b, b_route, b_cost),
                patterns: block.iter().map(|v| v.acc as usize).zip(to).collect(),
            });
        }
    }
    best
}

/// The best exchange of `a[sa..sa + la]` with a block of another day, if it
/// gains. Each block takes the other's place.
fn best_exchange(
    days: &Days,
    needs: &[Need],
    s: &State,
    a: usize,
    sa: usize,
    la: usize,
    scratch: &mut Scratch,
) -> Option<Move> {
    let scratch = &mut scratch.ends;
    let route_a = &s.routes[a];
    let block_a = &route_a[sa..sa + la];
    let mut best: Option<Move> = None;
    let mut trial_a = Vec::new();
    let mut trial_b = Vec::new();
    for (b, to_b) in nearest(days, s, block_a, destinations(needs, s, a, block_a)) {
        let route_b = &s.routes[b];
        for sb in 0..route_b.len() {
            for lb in 1..=MAX_EXCHANGE.min(route_b.len() - sb) {
                let block_b = &route_b[sb..sb + lb];
                let Some(to_a) = moves_to(needs, s, b, a, block_b) else {
                    // A longer block holds this one: it cannot move either.
                    break;
                };
                trial_a.clear();
                trial_a.extend_from_slice(&route_a[..sa]);
                trial_a.extend_from_slice(block_b);
                trial_a.extend_from_slice(&route_a[sa + la..]);
                let Some(ta) = days.simulate(a, &trial_a, scratch) else {
                    continue;
                };
                trial_b.clear();
                trial_b.extend_from_slice(&route_b[..sb]);
                trial_b.extend_from_slice(block_a);
                trial_b.extend_from_slice(&route_b[sb + lb..]);
                let Some(tb) = days.simulate(b, &trial_b, scratch) else {
                    continue;
                };
                let change =
                    change_delta(needs, s, block_a, &to_b) + change_delta(needs, s, block_b, &to_a);
                let gain = s.cost[a] + s.cost[b] - ta.cost - tb.cost - change;
                if gain > EPS && best.as_ref().is_none_or(|m| gain > m.gain + EPS) {
                    let patterns = block_a
                        .iter()
                        .map(|v| v.acc as usize)
                        .zip(to_b.iter().copied())
                        .chain(
                            block_b
                                .iter()
                                .map(|v| v.acc as usize)
                                .zip(to_a.iter().copied()),
                        )
                        .collect();
                    best = Some(Move {
                        gain,
                        a: (a, trial_a.clone(), ta.cost),
                        b: (b, trial_b.clone(), tb.cost),
                        patterns,
                    });
                }
            }
        }
    }
    best
}

/// Relocates and exchanges blocks between days while that lowers the
/// objective (travel, day balance and the cost of moving earlier visits),
/// first improvement per block, in a fixed order (the result does not depend
/// on threads). Returns the days changed.
pub(super) fn descend(days: &Days, needs: &[Need], s: &mut State) -> Vec<bool> {
    let mut scratch = Scratch::default();
    let mut changed = vec![false; s.routes.len()];
    for _ in 0..MAX_PASSES {
        let mut improved = false;
        for a in 0..s.routes.len() {
            let mut start = 0;
            while start < s.routes[a].len() {
                let mut moved = None;
                for len in 1..=MAX_RELOCATE.min(s.routes[a].len() - start) {
                    if let Some(m) = best_relocation(days, needs, s, a, start, len, &mut scratch) {
                        moved = Some(m);
                        break;
                    }
                }
                if moved.is_none() {
                    for len in 1..=MAX_EXCHANGE.min(s.routes[a].len() - start) {
                        if let Some(m) = best_exchange(days, needs, s, a, start, len, &mut scratch)
                        {
                            moved = Some(m);
                            break;
                        }
                    }
                }
                match moved {
                    Some(m) => {
                        changed[m.a.0] = true;
                        changed[m.b.0] = true;
                        m.apply(s);
                        improved = true;
                    }
                    None => start += 1,
                }
            }
        }
        if !improved {
            break;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::day::{Fixed, Site, Slot};
    use crate::Matrix;
    use chrono::NaiveDate;

    /// A base at 0 and accounts at `xs` on a line (minutes apart), open all
    /// day, `service` minutes each; `slots` working days 8:00–17:00.
    fn line(xs: &[f64], slots: usize, service: f64) -> Days {
        let mut points = vec![0.0];
        points.extend_from_slice(xs);
        let m = Matrix::from_fn(points.len(), |a, b| (points[a] - points[b]).abs());
        Days {
            exact: m.clone(),
            timed: m.clone(),
            km: m,
            sites: (0..xs.len())
                .map(|i| Site {
                    loc: i + 1,
                    service,
                    windows: vec![(0.0, 24.0 * 60.0)],
                })
                .collect(),
            slots: (0..slots)
                .map(|d| Slot {
                    rep: 0,
                    base: 0,
                    date: NaiveDate::from_ymd_opt(2027, 1, 4 + d as u32).unwrap(),
                    start: 8.0 * 60.0,
                    end: 17.0 * 60.0,
                })
                .collect(),
            fixed: Vec::new(),
            lunch: None,
            balance_weight: 0.0,
        }
    }

    fn need(i: usize, patterns: Vec<Vec<usize>>) -> Need {
        Need {
            account: i,
            rep: 0,
            due: patterns[0].len(),
            change: vec![0.0; patterns.len()],
            patterns,
            blocked: None,
            missed_weight: 1.0,
            change_all: 0.0,
            fallback_from: usize::MAX,
        }
    }

    fn state(days: &Days, routes: Vec<Vec<Visit>>, chosen: Vec<Option<u32>>) -> State {
        let mut scratch = Vec::new();
        State {
            cost: routes
                .iter()
                .enumerate()
                .map(|(d, r)| days.simulate(d, r, &mut scratch).unwrap().cost)
                .collect(),
            routes,
            chosen,
            unassigned: Vec::new(),
        }
    }

    /// Every routed regular visit lies on its account's chosen pattern, and
    /// every day of that pattern holds it once; the costs are the days'.
    fn consistent(days: &Days, needs: &[Need], s: &State) {
        let mut scratch = Vec::new();
        for (d, route) in s.routes.iter().enumerate() {
            let t = days.simulate(d, route, &mut scratch).expect("feasible day");
            assert!((t.cost - s.cost[d]).abs() < 1e-9, "day {d}: stale cost");
        }
        for (i, need) in needs.iter().enumerate() {
            let p = &need.patterns[s.chosen[i].unwrap() as usize];
            for d in 0..s.routes.len() {
                let here = s.routes[d]
                    .iter()
                    .filter(|v| v.acc as usize == i && !v.is_appointment())
                    .count();
                assert_eq!(here, usize::from(p.contains(&d)), "account {i}, day {d}");
            }
        }
    }

    #[test]
    fn mixed_days_are_sorted_into_one_cluster_each() {
        // Two accounts 10 minutes east, two 10 minutes west; each day holds
        // one of each (80 min of travel) and has room for no third visit of
        // 200 min, so only an exchange helps. One cluster a day is 40 min.
        let days = line(&[10.0, 10.0, -10.0, -10.0], 2, 200.0);
        let needs: Vec<Need> = (0..4).map(|i| need(i, vec![vec![0], vec![1]])).collect();
        let r = Visit::regular;
        let mut s = state(
            &days,
            vec![vec![r(0), r(2)], vec![r(1), r(3)]],
            vec![Some(0), Some(1), Some(0), Some(1)],
        );
        let before = s.objective(&needs);
        let changed = descend(&days, &needs, &mut s);
        consistent(&days, &needs, &s);
        assert!((before - 80.0).abs() < 1e-9);
        assert!((s.objective(&needs) - 40.0).abs() < 1e-9, "{:?}", s.routes);
        assert_eq!(changed, vec![true, true]);
        for route in &s.routes {
            let east = route.iter().filter(|v| v.acc < 2).count();
            assert!(east == 0 || east == route.len(), "{route:?}");
        }
    }

    #[test]
    fn a_visit_moves_only_to_a_day_of_another_pattern_of_its_account() {
        // Account 0 is visited twice (days 0 and 2, or 1 and 3); account 1
        // once, on day 1 or 3. Moving account 0's day-0 visit next to
        // account 1 would save travel but breaks its rhythm: no pattern has
        // days 1 and 2, so it stays; the move to day 1 and 3 together is the
        // annealing's, not a block move's.
        let days = line(&[30.0, 31.0], 4, 10.0);
        let needs = vec![
            need(0, vec![vec![0, 2], vec![1, 3]]),
            need(1, vec![vec![1], vec![3]]),
        ];
        let r = Visit::regular;
        let mut s = state(
            &days,
            vec![vec![r(0)], vec![r(1)], vec![r(0)], vec![]],
            vec![Some(0), Some(0)],
        );
        let before = s.routes.clone();
        descend(&days, &needs, &mut s);
        consistent(&days, &needs, &s);
        assert_eq!(s.routes[0], before[0]);
        assert_eq!(s.routes[2], before[2]);
    }

    #[test]
    fn booked_visits_stay_on_their_day() {
        // Account 0 is booked on day 0 at 9:00; its neighbour is on day 1.
        // Only the regular visit may move (next to the booking).
        let mut days = line(&[20.0, 21.0], 2, 10.0);
        days.fixed = vec![Fixed {
            start: 9.0 * 60.0,
            duration: 30.0,
        }];
        let needs = vec![need(0, vec![vec![]]), need(1, vec![vec![0], vec![1]])];
        let mut s = state(
            &days,
            vec![vec![Visit::booked(0, 0)], vec![Visit::regular(1)]],
            vec![Some(0), Some(1)],
        );
        descend(&days, &needs, &mut s);
        consistent(&days, &needs, &s);
        assert!(s.routes[0].contains(&Visit::booked(0, 0)));
        assert_eq!(s.routes[0].len(), 2, "{:?}", s.routes);
        assert!(s.routes[1].is_empty());
        assert_eq!(s.chosen[1], Some(0));
    }

    #[test]
    fn a_better_balance_pays_for_a_longer_drive_only_when_weighted() {
        // Four accounts of 100 min beside each other on day 0, day 1 empty:
        // splitting doubles the travel (20 → 40 min) and evens the days
        // (work² / day: 420² / 540 → 2 × 220² / 540).
        for (weight, split) in [(0.0, false), (1.0, true)] {
            let mut days = line(&[10.0, 10.0, 10.0, 10.0], 2, 100.0);
            days.balance_weight = weight;
            let needs: Vec<Need> = (0..4).map(|i| need(i, vec![vec![0], vec![1]])).collect();
            let r = Visit::regular;
            let mut s = state(
                &days,
                vec![vec![r(0), r(1), r(2), r(3)], vec![]],
                vec![Some(0); 4],
            );
            let before = s.objective(&needs);
            descend(&days, &needs, &mut s);
            consistent(&days, &needs, &s);
            assert!(s.objective(&needs) <= before + 1e-9);
            assert_eq!(
                !s.routes[1].is_empty(),
                split,
                "weight {weight}: {:?}",
                s.routes
            );
        }
    }
}
