//! Periodic vehicle routing: every location needs `frequency` visits over a
//! horizon of days, on one of its allowed day combinations; each day a fleet of
//! vehicles with a capacity (and optionally a route duration limit) starts and
//! ends at the depot (location 0). Objective: total travel cost over all days.
//!
//! The search extends the VRPTW one: ruin removes whole locations (every visit
//! of a location near a random seed), recreate re-inserts each location with
//! the day combination whose cheapest insertions cost least, under simulated
//! annealing. Changing a location's combination is thus part of every move.

use std::time::{Duration, Instant};

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::anneal::Annealing;
use super::TravelCost;

/// A periodic routing instance.
#[derive(Debug, Clone)]
pub struct Instance<C: TravelCost> {
    /// Travel costs (also durations); location 0 is the depot.
    pub costs: C,
    /// Demand per visit.
    pub demand: Vec<f64>,
    /// Service duration per visit.
    pub service: Vec<f64>,
    /// Allowed day combinations per location, as day lists (0-based); depot: empty.
    pub combinations: Vec<Vec<Vec<usize>>>,
    /// Days in the horizon.
    pub days: usize,
    /// Vehicles per day.
    pub vehicles: usize,
    /// Vehicle capacity.
    pub capacity: f64,
    /// Longest route (travel + service); `None` for no limit.
    pub max_duration: Option<f64>,
}

/// Search limits.
#[derive(Debug, Clone, PartialEq)]
pub struct PvrpOptions {
    /// Wall-clock limit.
    pub time_limit: Duration,
    /// Most iterations (deterministic when it stops on this).
    pub max_iterations: usize,
    /// Seed.
    pub seed: u64,
}

impl Default for PvrpOptions {
    fn default() -> Self {
        Self {
            time_limit: Duration::from_secs(10),
            max_iterations: usize::MAX,
            seed: 1,
        }
    }
}

/// Routes per day, the chosen combination per location, cost and leftovers.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// `routes[day]` lists that day's routes (depot excluded).
    pub routes: Vec<Vec<Vec<usize>>>,
    /// Index into `combinations[i]` chosen for each location (`None` for the depot or unserved).
    pub chosen: Vec<Option<usize>>,
    /// Total travel cost over all days.
    pub cost: f64,
    /// Locations that fit no combination.
    pub unassigned: Vec<usize>,
    /// Iterations run.
    pub iterations: usize,
}

#[derive(Debug, Clone)]
struct State {
    routes: Vec<Vec<Vec<usize>>>,
    chosen: Vec<Option<usize>>,
    unassigned: Vec<usize>,
}

const UNASSIGNED_PENALTY: f64 = 1.0e6;

/// Solves the instance.
///
/// ```
/// use territory_routing::{pvrp, Matrix};
/// let pts = [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]];
/// let inst = pvrp::Instance {
///     costs: Matrix::euclidean(&pts),
///     demand: vec![0.0, 1.0, 1.0],
///     service: vec![0.0; 3],
///     combinations: vec![vec![], vec![vec![0, 1]], vec![vec![0], vec![1]]],
///     days: 2,
///     vehicles: 1,
///     capacity: 10.0,
///     max_duration: None,
/// };
/// let s = pvrp::solve(&inst, &pvrp::PvrpOptions { max_iterations: 100, ..Default::default() });
/// assert!(s.unassigned.is_empty());
/// assert_eq!(s.routes[0].iter().chain(&s.routes[1]).map(Vec::len).sum::<usize>(), 3);
/// ```
pub fn solve<C: TravelCost>(inst: &Instance<C>, options: &PvrpOptions) -> Solution {
    let began = Instant::now();
    let n = inst.costs.len();
    if n <= 1 {
        let routes = vec![Vec::new(); inst.days];
        return Solution {
            routes,
            chosen: vec![None; n],
            cost: 0.0,
            unassigned: Vec::new(),
            iterations: 0,
        };
    }
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let near: Vec<Vec<usize>> = (0..n)
        .map(|a| {
            let mut o: Vec<usize> = (1..n).filter(|&b| b != a).collect();
            o.sort_by(|&x, &y| {
                inst.costs
                    .cost(a, x)
                    .total_cmp(&inst.costs.cost(a, y))
                    .then(x.cmp(&y))
            });
            o
        })
        .collect();
    let mut current = State {
        routes: vec![Vec::new(); inst.days],
        chosen: vec![None; n],
        unassigned: (1..n).collect(),
    };
    recreate(inst, &mut current, &mut rng);
    let current_cost = objective(inst, &current);
    let annealing = Annealing {
        max_iterations: options.max_iterations,
        time_limit: options.time_limit,
        t0: 100.0,
        t1: 1.0,
    };
    let (best, _, iterations) =
        annealing.run(began, current, current_cost, &mut rng, |candidate, rng| {
            ruin(inst, candidate, &near, rng);
            recreate(inst, candidate, rng);
            objective(inst, candidate)
        });
    let cost = best
        .routes
        .iter()
        .flatten()
        .map(|r| route_cost(inst, r))
        .sum();
    Solution {
        routes: best.routes,
        chosen: best.chosen,
        cost,
        unassigned: best.unassigned,
        iterations,
    }
}

fn objective<C: TravelCost>(inst: &Instance<C>, s: &State) -> f64 {
    s.routes
        .iter()
        .flatten()
        .map(|r| route_cost(inst, r))
        .sum::<f64>()
        + UNASSIGNED_PENALTY * s.unassigned.len() as f64
}

fn route_cost<C: TravelCost>(inst: &Instance<C>, route: &[usize]) -> f64 {
    let mut prev = 0;
    let mut total = 0.0;
    for &c in route {
        total += inst.costs.cost(prev, c);
        prev = c;
    }
    total + inst.costs.cost(prev, 0)
}

/// Removes every visit of a few locations: strings of consecutive visits
/// around a random seed on random days, and their other visits on other days.
fn ruin<C: TravelCost>(
    inst: &Instance<C>,
    s: &mut State,
    near: &[Vec<usize>],
    rng: &mut ChaCha8Rng,
) {
    let n = inst.costs.len();
    let target = rng.random_range(1..=(n / 5).clamp(2, 15));
    let seed = rng.random_range(1..n);
    let mut removed = Vec::new();
    let mut taken = vec![false; n];
    for &c in std::iter::once(&seed).chain(near[seed].iter()) {
        if removed.len() >= target {
            break;
        }
        if taken[c] || s.chosen[c].is_none() {
            continue;
        }
        // A short string on one of c's days: c and its route neighbours.
        let days: Vec<usize> = inst.combinations[c][s.chosen[c].expect("served")].clone();
        if days.is_empty() {
            continue;
        }
        let day = days[rng.random_range(0..days.len())];
        let Some(route) = s.routes[day].iter().find(|r| r.contains(&c)) else {
            continue;
        };
        let at = route.iter().position(|&x| x == c).expect("on route");
        let len = rng.random_range(1..=route.len().min(4));
        let start = at
            .saturating_sub(rng.random_range(0..len))
            .min(route.len() - len);
        for &x in &route[start..start + len] {
            if !taken[x] {
                taken[x] = true;
                removed.push(x);
            }
        }
    }
    for day in &mut s.routes {
        for route in day.iter_mut() {
            route.retain(|&x| !taken[x]);
        }
        day.retain(|r| !r.is_empty());
    }
    for &x in &removed {
        s.chosen[x] = None;
    }
    s.unassigned.extend(removed);
}

/// Cheapest feasible insertion of `c` into `day`: (extra cost, route, position);
/// a new route when a vehicle is free.
fn best_insertion<C: TravelCost>(
    inst: &Instance<C>,
    day: &[Vec<usize>],
    c: usize,
    rng: &mut ChaCha8Rng,
) -> Option<(f64, usize, usize)> {
    let mut best: Option<(f64, usize, usize)> = None;
    for (r, route) in day.iter().enumerate() {
        let load: f64 = route.iter().map(|&x| inst.demand[x]).sum();
        if load + inst.demand[c] > inst.capacity + 1e-9 {
            continue;
        }
        let duration = inst
            .max_duration
            .map(|_| route_cost(inst, route) + route.iter().map(|&x| inst.service[x]).sum::<f64>());
        for p in 0..=route.len() {
            if rng.random::<f64>() < 0.01 {
                continue;
            }
            let prev = if p == 0 { 0 } else { route[p - 1] };
            let next = if p == route.len() { 0 } else { route[p] };
            let delta =
                inst.costs.cost(prev, c) + inst.costs.cost(c, next) - inst.costs.cost(prev, next);
            if let (Some(limit), Some(d)) = (inst.max_duration, duration) {
                if d + delta + inst.service[c] > limit + 1e-9 {
                    continue;
                }
            }
            if best.is_none_or(|b| delta < b.0) {
                best = Some((delta, r, p));
            }
        }
    }
    if day.len() < inst.vehicles && inst.demand[c] <= inst.capacity {
        let delta = inst.costs.cost(0, c) + inst.costs.cost(c, 0);
        let fits = inst
            .max_duration
            .is_none_or(|limit| delta + inst.service[c] <= limit + 1e-9);
        if fits && best.is_none_or(|b| delta < b.0) {
            best = Some((delta, day.len(), 0));
        }
    }
    best
}

/// Re-inserts unassigned locations, each with its cheapest day combination.
fn recreate<C: TravelCost>(inst: &Instance<C>, s: &mut State, rng: &mut ChaCha8Rng) {
    let mut todo = std::mem::take(&mut s.unassigned);
    match rng.random_range(0..3) {
        0 => todo.shuffle(rng),
        1 => todo.sort_by(|&a, &b| inst.demand[b].total_cmp(&inst.demand[a]).then(a.cmp(&b))),
        // Fewest options first: they are the hardest to place.
        _ => todo.sort_by(|&a, &b| {
            inst.combinations[a]
                .len()
                .cmp(&inst.combinations[b].len())
                .then(a.cmp(&b))
        }),
    }
    for c in todo {
        // (extra cost, combination, (day, route, position) per visit)
        type Placement = (f64, usize, Vec<(usize, usize, usize)>);
        let mut best: Option<Placement> = None;
        for (k, combo) in inst.combinations[c].iter().enumerate() {
            let mut total = 0.0;
            let mut places = Vec::with_capacity(combo.len());
            let mut ok = true;
            for &day in combo {
                match best_insertion(inst, &s.routes[day], c, rng) {
                    Some((delta, r, p)) => {
                        total += delta;
                        places.push((day, r, p));
                    }
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok && best.as_ref().is_none_or(|b| total < b.0) {
                best = Some((total, k, places));
            }
        }
        match best {
            Some((_, k, places)) => {
                for (day, r, p) in places {
                    if r == s.routes[day].len() {
                        s.routes[day].push(vec![c]);
                    } else {
                        s.routes[day][r].insert(p, c);
                    }
                }
                s.chosen[c] = Some(k);
            }
            None => s.unassigned.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Matrix;

    /// Solves under a short time limit and checks the run kept to it.
    fn solve_in_time(points: &[[f64; 2]]) -> Solution {
        let n = points.len();
        let mut combinations = vec![vec![vec![0, 2], vec![1, 3]]; n];
        combinations[0].clear();
        let inst = Instance {
            costs: Matrix::euclidean(points),
            demand: vec![1.0; n],
            service: vec![1.0; n],
            combinations,
            days: 4,
            vehicles: n,
            capacity: 5.0,
            max_duration: Some(1e11),
        };
        let limit = Duration::from_millis(50);
        let began = Instant::now();
        let s = solve(
            &inst,
            &PvrpOptions {
                time_limit: limit,
                ..Default::default()
            },
        );
        // Generous: only a search that ignores its limit takes seconds here.
        assert!(
            began.elapsed() < limit + Duration::from_secs(3),
            "{:?}",
            began.elapsed()
        );
        s
    }

    #[test]
    fn degenerate_instances_keep_to_the_time_limit() {
        // Every location at the depot: every route costs 0.
        let s = solve_in_time(&[[3.0, 4.0]; 25]);
        assert!(s.unassigned.is_empty());
        assert_eq!(s.cost, 0.0);
        // Two clusters 2e9 apart (the readers' coordinate bound), depot in one.
        let points: Vec<[f64; 2]> = (0..25)
            .map(|i| [if i % 2 == 0 { -1e9 } else { 1e9 } + i as f64, 0.0])
            .collect();
        let s = solve_in_time(&points);
        assert!(s.unassigned.is_empty());
        assert!(s.cost.is_finite());
        let visits: usize = s.routes.iter().flatten().map(Vec::len).sum();
        assert_eq!(visits, 2 * 24);
    }
}
