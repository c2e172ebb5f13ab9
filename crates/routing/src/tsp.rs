//! A closed tour through every location: nearest-neighbour construction, then
//! 2-opt and Or-opt local search on neighbour lists with don't-look bits,
//! inside an iterated local search whose perturbation is a double bridge
//! confined to a random stretch of the tour (so each kick is cheap to repair).
//! The moves assume symmetric costs: asymmetric ones (road networks with
//! one-way streets) are searched on their symmetric mean, and the tour then
//! runs in whichever direction is cheaper under the true costs.

use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::TravelCost;

/// Search limits for [`solve`].
#[derive(Debug, Clone, PartialEq)]
pub struct TspOptions {
    /// Wall-clock limit for the iterated local search.
    pub time_limit: Duration,
    /// Most perturbation rounds (the search is deterministic when it stops on this).
    pub max_kicks: usize,
    /// Seed of the perturbations.
    pub seed: u64,
    /// Nearest neighbours each location considers for moves.
    pub neighbours: usize,
}

impl Default for TspOptions {
    fn default() -> Self {
        Self {
            time_limit: Duration::from_secs(2),
            max_kicks: usize::MAX,
            seed: 1,
            neighbours: 10,
        }
    }
}

/// A tour: the visiting order (starting at location 0) and its cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Tour {
    /// Locations in visiting order; the tour returns from the last to the first.
    pub order: Vec<usize>,
    /// Total cost including the closing leg.
    pub cost: f64,
    /// Perturbation rounds run.
    pub kicks: usize,
}

/// Solves a symmetric travelling salesman instance.
///
/// ```
/// use territory_routing::{tsp, Matrix};
/// let square = [[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.5, 0.0]];
/// let tour = tsp::solve(&Matrix::euclidean(&square), &tsp::TspOptions { max_kicks: 50, ..Default::default() });
/// assert!((tour.cost - 4.0).abs() < 1e-9);
/// assert_eq!(tour.order.len(), 5);
/// ```
pub fn solve(costs: &impl TravelCost, options: &TspOptions) -> Tour {
    let n = costs.len();
    let asymmetric =
        (0..n).any(|a| (a + 1..n).any(|b| (costs.cost(a, b) - costs.cost(b, a)).abs() > 1e-9));
    if asymmetric && n > 3 {
        let mut tour = solve_symmetric(&SymmetricMean(costs), options);
        let forward = tour_cost(costs, &tour.order);
        tour.order[1..].reverse();
        let backward = tour_cost(costs, &tour.order);
        if forward <= backward {
            tour.order[1..].reverse();
        }
        tour.cost = forward.min(backward);
        return tour;
    }
    solve_symmetric(costs, options)
}

/// Costs averaged over both directions.
struct SymmetricMean<'a, C>(&'a C);

impl<C: TravelCost> TravelCost for SymmetricMean<'_, C> {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn cost(&self, a: usize, b: usize) -> f64 {
        (self.0.cost(a, b) + self.0.cost(b, a)) / 2.0
    }
}

fn solve_symmetric(costs: &impl TravelCost, options: &TspOptions) -> Tour {
    let n = costs.len();
    if n <= 3 {
        let order: Vec<usize> = (0..n).collect();
        let cost = tour_cost(costs, &order);
        return Tour {
            order,
            cost,
            kicks: 0,
        };
    }
    let began = Instant::now();
    let near = neighbour_lists(costs, options.neighbours.clamp(2, n - 1));
    let mut current = Search::new(costs, nearest_neighbour_tour(costs), &near);
    let out_of_time = || began.elapsed() >= options.time_limit;
    current.optimise(None, &out_of_time);
    let mut best_order = current.tour.clone();
    let mut best = current.length();
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let mut kicks = 0;
    while kicks < options.max_kicks && !out_of_time() {
        kicks += 1;
        let saved = current.tour.clone();
        let saved_len = current.length();
        let touched = current.local_double_bridge(&mut rng);
        current.optimise(Some(&touched), &out_of_time);
        let len = current.length();
        if len < saved_len - 1e-9 || (len <= saved_len + 1e-9 && rng.random::<f64>() < 0.5) {
            if len < best - 1e-9 {
                best = len;
                best_order = current.tour.clone();
            }
        } else {
            current.reset(saved);
        }
    }
    // Start the reported order at location 0.
    let start = best_order.iter().position(|&c| c == 0).unwrap_or(0);
    best_order.rotate_left(start);
    let cost = tour_cost(costs, &best_order);
    Tour {
        order: best_order,
        cost,
        kicks,
    }
}

/// Cost of a closed tour.
pub fn tour_cost(costs: &impl TravelCost, order: &[usize]) -> f64 {
    if order.len() < 2 {
        return 0.0;
    }
    order
        .windows(2)
        .map(|w| costs.cost(w[0], w[1]))
        .sum::<f64>()
        + costs.cost(order[order.len() - 1], order[0])
}

fn neighbour_lists(costs: &impl TravelCost, k: usize) -> Vec<Vec<usize>> {
    use rayon::prelude::*;
    let n = costs.len();
    (0..n)
        .into_par_iter()
        .map(|a| {
            let mut others: Vec<usize> = (0..n).filter(|&b| b != a).collect();
            others.select_nth_unstable_by(k - 1, |&x, &y| {
                costs
                    .cost(a, x)
                    .total_cmp(&costs.cost(a, y))
                    .then(x.cmp(&y))
            });
            others.truncate(k);
            others.sort_by(|&x, &y| {
                costs
                    .cost(a, x)
                    .total_cmp(&costs.cost(a, y))
                    .then(x.cmp(&y))
            });
            others
        })
        .collect()
}

fn nearest_neighbour_tour(costs: &impl TravelCost) -> Vec<usize> {
    let n = costs.len();
    let mut visited = vec![false; n];
    let mut order = vec![0];
    visited[0] = true;
    for _ in 1..n {
        let last = *order.last().expect("non-empty");
        let next = (0..n)
            .filter(|&b| !visited[b])
            .min_by(|&x, &y| {
                costs
                    .cost(last, x)
                    .total_cmp(&costs.cost(last, y))
                    .then(x.cmp(&y))
            })
            .expect("an unvisited location remains");
        visited[next] = true;
        order.push(next);
    }
    order
}

/// Whether a move's computed `gain` is a real improvement rather than rounding
/// error: `scale` is the sum of the edges the move removes. With huge costs
/// (1e18) an absolute threshold let a move and its undo both look improving,
/// and the local search never ended. An infinite gain (an unreachable leg
/// removed) always counts.
#[inline]
fn improves(gain: f64, scale: f64) -> bool {
    gain > 1e-9 && (gain > 1e-12 * scale || gain == f64::INFINITY)
}

/// Array tour with positions, for 2-opt (segment reversal) and Or-opt moves.
struct Search<'a, C: TravelCost> {
    costs: &'a C,
    tour: Vec<usize>,
    pos: Vec<usize>,
    near: &'a [Vec<usize>],
    active: Vec<bool>,
}

impl<'a, C: TravelCost> Search<'a, C> {
    fn new(costs: &'a C, tour: Vec<usize>, near: &'a [Vec<usize>]) -> Self {
        let n = tour.len();
        let mut s = Search {
            costs,
            tour,
            pos: vec![0; n],
            near,
            active: vec![true; n],
        };
        s.index();
        s
    }

    fn reset(&mut self, tour: Vec<usize>) {
        self.tour = tour;
        self.index();
    }

    fn index(&mut self) {
        for (p, &c) in self.tour.iter().enumerate() {
            self.pos[c] = p;
        }
    }

    fn length(&self) -> f64 {
        tour_cost(self.costs, &self.tour)
    }

    #[inline]
    fn next(&self, c: usize) -> usize {
        self.tour[(self.pos[c] + 1) % self.tour.len()]
    }

    #[inline]
    fn prev(&self, c: usize) -> usize {
        let n = self.tour.len();
        self.tour[(self.pos[c] + n - 1) % n]
    }

    #[inline]
    fn d(&self, a: usize, b: usize) -> f64 {
        self.costs.cost(a, b)
    }

    /// Reverses the tour between positions i and j inclusive (cyclically, the shorter side).
    fn reverse(&mut self, i: usize, j: usize) {
        let n = self.tour.len();
        let inner = (j + n - i) % n + 1;
        let (mut a, mut b, steps) = if inner * 2 <= n {
            (i, j, inner / 2)
        } else {
            ((j + 1) % n, (i + n - 1) % n, (n - inner) / 2)
        };
        for _ in 0..steps {
            self.tour.swap(a, b);
            self.pos[self.tour[a]] = a;
            self.pos[self.tour[b]] = b;
            a = (a + 1) % n;
            b = (b + n - 1) % n;
        }
    }

    /// Local search from the active locations (all when `focus` is None),
    /// until no move improves or `out_of_time` says stop.
    fn optimise(&mut self, focus: Option<&[usize]>, out_of_time: &dyn Fn() -> bool) {
        let n = self.tour.len();
        let mut queue: std::collections::VecDeque<usize> = match focus {
            Some(f) => {
                self.active.iter_mut().for_each(|a| *a = false);
                f.iter().copied().collect()
            }
            None => (0..n).collect(),
        };
        for &c in &queue {
            self.active[c] = true;
        }
        let mut steps = 0usize;
        while let Some(a) = queue.pop_front() {
            // The clock is read every few moves: reading it costs about one move.
            steps += 1;
            if steps.is_multiple_of(16) && out_of_time() {
                break;
            }
            self.active[a] = false;
            if let Some(touched) = self.improve_two_opt(a).or_else(|| self.improve_or_opt(a)) {
                for c in touched {
                    if !self.active[c] {
                        self.active[c] = true;
                        queue.push_back(c);
                    }
                }
            }
        }
    }

    /// First improving 2-opt move around `a` (both tour directions).
    fn improve_two_opt(&mut self, a: usize) -> Option<Vec<usize>> {
        for forward in [true, false] {
            let a_next = if forward { self.next(a) } else { self.prev(a) };
            let d_a = self.d(a, a_next);
            for k in 0..self.near[a].len() {
                let c = self.near[a][k];
                let g1 = d_a - self.d(a, c);
                if g1 <= 1e-12 {
                    break;
                }
                let c_next = if forward { self.next(c) } else { self.prev(c) };
                if c == a_next || c_next == a {
                    continue;
                }
                let d_c = self.d(c, c_next);
                let gain = g1 + d_c - self.d(a_next, c_next);
                if improves(gain, d_a + d_c) {
                    // New edges (a, c) and (a_next, c_next).
                    if forward {
                        self.reverse(self.pos[a_next], self.pos[c]);
                    } else {
                        self.reverse(self.pos[c], self.pos[a_next]);
                    }
                    return Some(vec![a, a_next, c, c_next]);
                }
            }
        }
        None
    }

    /// First improving move of a segment of 1–3 locations starting at `a` to
    /// between a near location and its successor or predecessor (possibly reversed).
    fn improve_or_opt(&mut self, a: usize) -> Option<Vec<usize>> {
        let n = self.tour.len();
        for len in 1..=3usize.min(n - 3) {
            let first = a;
            let mut last = a;
            for _ in 1..len {
                last = self.next(last);
            }
            let before = self.prev(first);
            let after = self.next(last);
            if after == first || before == last {
                continue;
            }
            let removed = self.d(before, first) + self.d(last, after) - self.d(before, after);
            if removed <= 1e-12 {
                continue;
            }
            for end in [first, last] {
                for k in 0..self.near[end].len() {
                    let c = self.near[end][k];
                    if self.in_segment(c, first, len) {
                        continue;
                    }
                    if self.d(end, c) >= removed {
                        break;
                    }
                    for c2 in [self.next(c), self.prev(c)] {
                        if self.in_segment(c2, first, len) {
                            continue;
                        }
                        // Insert between c and c2 with `end` next to c.
                        let other = if end == first { last } else { first };
                        let d_c = self.d(c, c2);
                        let added = self.d(c, end) + self.d(other, c2) - d_c;
                        let scale = self.d(before, first) + self.d(last, after) + d_c;
                        if improves(removed - added, scale) {
                            self.move_segment(first, len, c, c2, end);
                            return Some(vec![before, after, c, c2, first, last]);
                        }
                    }
                }
            }
        }
        None
    }

    fn in_segment(&self, c: usize, first: usize, len: usize) -> bool {
        let n = self.tour.len();
        (self.pos[c] + n - self.pos[first]) % n < len
    }

    /// Moves the segment of `len` locations starting at `first` between the
    /// adjacent locations `c` and `c2`, with `end` (first or last of the segment) beside `c`.
    fn move_segment(&mut self, first: usize, len: usize, c: usize, c2: usize, end: usize) {
        let n = self.tour.len();
        let mut segment = Vec::with_capacity(len);
        let mut x = first;
        for _ in 0..len {
            segment.push(x);
            x = self.next(x);
        }
        let mut rest: Vec<usize> = Vec::with_capacity(n - len);
        let mut y = x;
        for _ in 0..n - len {
            rest.push(y);
            y = self.tour[(self.pos[y] + 1) % n];
        }
        // `rest` runs from the location after the segment round to the one before it.
        let pc = rest
            .iter()
            .position(|&r| r == c)
            .expect("c is outside the segment");
        let c2_after = rest[(pc + 1) % rest.len()] == c2;
        // Orient so the segment end next to c comes first when inserted after c.
        let mut seg = segment;
        let first_next_to_c = end == seg[0];
        let insert_after_c = c2_after;
        if first_next_to_c != insert_after_c {
            seg.reverse();
        }
        let at = if insert_after_c { pc + 1 } else { pc };
        let mut tour = Vec::with_capacity(n);
        tour.extend_from_slice(&rest[..at]);
        tour.extend_from_slice(&seg);
        tour.extend_from_slice(&rest[at..]);
        self.tour = tour;
        self.index();
    }

    /// A double bridge on a random stretch of at most 60 positions; returns the
    /// locations at the changed edges.
    fn local_double_bridge(&mut self, rng: &mut ChaCha8Rng) -> Vec<usize> {
        let n = self.tour.len();
        let window = n.min(60);
        let start = rng.random_range(0..n);
        let mut cuts = [
            rng.random_range(1..window),
            rng.random_range(1..window),
            rng.random_range(1..window),
        ];
        cuts.sort_unstable();
        if cuts[0] == cuts[1] || cuts[1] == cuts[2] {
            // Degenerate: a random 2-opt kick instead.
            let j = (start + window / 2) % n;
            let touched = vec![self.tour[start], self.tour[j]];
            self.reverse(start, j);
            return touched;
        }
        // Rotate so the stretch starts at position 0, then swap the two middle segments.
        self.tour.rotate_left(start);
        let (a, b, c) = (cuts[0], cuts[1], cuts[2]);
        let mut stretch: Vec<usize> = Vec::with_capacity(c);
        stretch.extend_from_slice(&self.tour[..a]);
        stretch.extend_from_slice(&self.tour[b..c]);
        stretch.extend_from_slice(&self.tour[a..b]);
        self.tour[..c].copy_from_slice(&stretch);
        self.index();
        let t = &self.tour;
        vec![
            t[a - 1],
            t[a],
            t[a + (c - b) - 1],
            t[a + (c - b)],
            t[c - 1],
            t[c % n],
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Matrix;

    #[test]
    fn asymmetric_costs_terminate_and_pick_the_cheaper_direction() {
        // A ring where going "up" the indices costs 1 and going down costs 3.
        let n = 12;
        let m = Matrix::from_fn(n, |a, b| {
            let up = (b + n - a) % n;
            let down = (a + n - b) % n;
            if a == b {
                0.0
            } else if up <= down {
                up as f64
            } else {
                3.0 * down as f64
            }
        });
        let tour = solve(
            &m,
            &TspOptions {
                max_kicks: 200,
                ..Default::default()
            },
        );
        assert_eq!(tour.order, (0..n).collect::<Vec<_>>());
        assert!((tour.cost - tour_cost(&m, &tour.order)).abs() < 1e-9);
        assert!((tour.cost - n as f64).abs() < 1e-9, "{}", tour.cost);
    }

    #[test]
    fn finds_the_circle_order() {
        // Points on a circle, shuffled: the optimal tour is the circle.
        let n = 40;
        let mut pts: Vec<[f64; 2]> = (0..n)
            .map(|i| {
                let t = i as f64 / n as f64 * std::f64::consts::TAU;
                [100.0 * t.cos(), 100.0 * t.sin()]
            })
            .collect();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for i in (1..n).rev() {
            pts.swap(i, rng.random_range(0..=i));
        }
        let m = Matrix::euclidean(&pts);
        let tour = solve(
            &m,
            &TspOptions {
                max_kicks: 200,
                ..Default::default()
            },
        );
        let perimeter = n as f64 * 2.0 * 100.0 * (std::f64::consts::PI / n as f64).sin();
        assert!(
            (tour.cost - perimeter).abs() < 1e-6,
            "{} vs {}",
            tour.cost,
            perimeter
        );
        let mut seen = tour.order.clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..n).collect::<Vec<_>>());
        assert_eq!(tour.order[0], 0);
    }

    /// Solves under a short time limit and checks the run kept to it and the
    /// tour visits every location once.
    fn solve_in_time(m: &Matrix) -> Tour {
        let limit = Duration::from_millis(50);
        let began = Instant::now();
        let tour = solve(
            m,
            &TspOptions {
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
        let mut seen = tour.order.clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..m.len()).collect::<Vec<_>>());
        tour
    }

    #[test]
    fn huge_costs_keep_to_the_time_limit() {
        // One location 1e18 away: its legs are ~1e18, whose rounding (128)
        // dwarfs the other legs, so a move and its undo both looked improving
        // and the first local search never ended.
        for seed in 0..8 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut pts: Vec<[f64; 2]> = (0..21)
                .map(|_| [rng.random_range(0.0..1000.0), rng.random_range(0.0..1000.0)])
                .collect();
            pts[seed as usize] = [0.0, 1e18];
            solve_in_time(&Matrix::euclidean_rounded(&pts));
            solve_in_time(&Matrix::euclidean(&pts));
        }
    }

    #[test]
    fn degenerate_instances_finish() {
        // Every location at one point: every tour costs 0.
        let same = Matrix::euclidean(&[[5.0, 5.0]; 30]);
        assert_eq!(solve_in_time(&same).cost, 0.0);
        // Two clusters 2e9 apart (the readers' coordinate bound): the tour
        // crosses between them exactly twice.
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let pts: Vec<[f64; 2]> = (0..40)
            .map(|i| {
                let x = if i % 2 == 0 { -1e9 } else { 1e9 };
                [x + rng.random_range(0.0..10.0), rng.random_range(0.0..10.0)]
            })
            .collect();
        for m in [Matrix::euclidean(&pts), Matrix::euclidean_rounded(&pts)] {
            let tour = solve_in_time(&m);
            let crossings = (0..40)
                .filter(|&k| m.cost(tour.order[k], tour.order[(k + 1) % 40]) > 1e9)
                .count();
            assert_eq!(crossings, 2);
        }
    }

    #[test]
    fn deterministic_with_a_kick_budget() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let pts: Vec<[f64; 2]> = (0..120)
            .map(|_| [rng.random_range(0.0..1000.0), rng.random_range(0.0..1000.0)])
            .collect();
        let m = Matrix::euclidean_rounded(&pts);
        let o = TspOptions {
            max_kicks: 300,
            time_limit: Duration::from_secs(60),
            ..Default::default()
        };
        let a = solve(&m, &o);
        let b = solve(&m, &o);
        assert_eq!(a, b);
        assert!((tour_cost(&m, &a.order) - a.cost).abs() < 1e-9);
    }
}
