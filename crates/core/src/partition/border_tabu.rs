//! Tabu search over border moves that keep every territory in one piece, for
//! the band violation the greedy border repair leaves.
//!
//! The greedy repair only takes moves that lower the total violation, so it
//! stops where a band needs a whole-account transfer through a neighbour that
//! sits at its own band edge (one customer too many in `j`, every neighbour
//! full). Here a move may keep or even raise the violation: the excess then
//! sits in the neighbour, which is the next one out of band, and the search
//! pushes it on until a territory with room absorbs it. For a few iterations
//! the account just moved may not move again, and no account may move back
//! from the territory it entered to the one it left, so the excess travels
//! on instead of bouncing between two territories.
//! The best assignment seen (least violation, then least cost) is the result.
//!
//! Each iteration looks at one out-of-band territory and its border only, so
//! its cost grows with a territory's size, not with the plan's.

use rand::{Rng, SeedableRng};

use super::balance::Balance;
use super::border::BorderLists;
use super::contiguity::removable;
use super::repair::Assignment;
use super::repair_graph::Graph;

/// Bands further out than this count as missed.
const EPS: f64 = 1e-9;

/// The bands (territory × criterion) now outside their limits, as a set with
/// constant-time insertion, removal and random pick.
struct OutOfBand {
    items: Vec<usize>,
    slot: Vec<usize>,
}

impl OutOfBand {
    fn new(asg: &Assignment, bal: &Balance) -> Self {
        let mut set = OutOfBand {
            items: Vec::new(),
            slot: vec![usize::MAX; asg.loads.len()],
        };
        for idx in 0..asg.loads.len() {
            set.update(asg, bal, idx);
        }
        set
    }

    fn update(&mut self, asg: &Assignment, bal: &Balance, idx: usize) {
        let out = bal.excess(idx, asg.loads[idx]) > EPS;
        let here = self.slot[idx] != usize::MAX;
        if out && !here {
            self.slot[idx] = self.items.len();
            self.items.push(idx);
        } else if !out && here {
            let k = self.slot[idx];
            self.items.swap_remove(k);
            if let Some(&moved) = self.items.get(k) {
                self.slot[moved] = k;
            }
            self.slot[idx] = usize::MAX;
        }
    }
}

/// What the search did.
pub(crate) struct Outcome {
    /// Iterations run.
    pub iterations: usize,
    /// Net moves from the starting assignment to the one returned.
    pub moves: usize,
}

/// Lowers the band violation of `asg` with contiguity-keeping border moves,
/// for at most `iterations` iterations or `stall` in a row without a better
/// assignment. Deterministic for a seed. Never returns a worse assignment
/// (more violation, or as much and costlier) than it was given.
pub(crate) fn search(
    asg: &mut Assignment,
    bal: &Balance,
    g: &Graph<'_>,
    territories: usize,
    iterations: usize,
    stall: usize,
    seed: u64,
) -> Outcome {
    let n = asg.of.len();
    let c = bal.c;
    let mut out = OutOfBand::new(asg, bal);
    if out.items.is_empty() || territories < 2 {
        return Outcome {
            iterations: 0,
            moves: 0,
        };
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x7ab0_5ea7);
    let mut border = BorderLists::full(asg, g, territories);
    let (mut seen, mut stamp) = (vec![0u32; n], 0u32);
    let mut tabu_until = vec![0usize; n];
    // back[b] = (a, until): no move from b to a before `until`, so an excess
    // passed from a to b travels on instead of bouncing back.
    let mut back = vec![(usize::MAX, 0usize); territories];
    let mut violation = bal.violation(&asg.loads);
    let mut cost = 0.0;
    let (mut best_violation, mut best_cost) = (violation, cost);
    // Moves since the best assignment, to go back to it at the end.
    let mut since_best: Vec<(usize, usize)> = Vec::new();
    let start_of = asg.of.clone();
    let mut scored: Vec<(i64, f64, usize, usize)> = Vec::new();
    let mut outward: Vec<usize> = Vec::new();
    let mut inward_at = vec![0usize; n];
    let mut last_best = 0;
    let mut it = 0;
    while it < iterations && it - last_best < stall && !out.items.is_empty() {
        it += 1;
        let idx = out.items[rng.random_range(0..out.items.len())];
        let j = idx / c;
        // Whether moving `a` from territory `from` to `to` is tabu now.
        let tabu = |a: usize, from: usize, to: usize| {
            tabu_until[a] > it || (back[from].0 == to && back[from].1 > it)
        };
        // Border moves touching j, each once: its accounts out, its
        // neighbours' in.
        scored.clear();
        for &i in border.listed(j) {
            outward.clear();
            for &m in g.neighbours(i) {
                let t = asg.of[m];
                if t == j {
                    continue;
                }
                if !outward.contains(&t) {
                    outward.push(t);
                }
                if inward_at[m] != it {
                    inward_at[m] = it;
                    let aspire = tabu(m, t, j).then_some(best_violation - violation);
                    if let Some(key) = score(asg, bal, g, m, j, aspire) {
                        scored.push((key.0, key.1, m, j));
                    }
                }
            }
            for &t in &outward {
                let aspire = tabu(i, j, t).then_some(best_violation - violation);
                if let Some(key) = score(asg, bal, g, i, t, aspire) {
                    scored.push((key.0, key.1, i, t));
                }
            }
        }
        // The best move whose account can leave without splitting its territory.
        let chosen = loop {
            let Some(pos) = (0..scored.len()).min_by(|&a, &b| order(&scored[a], &scored[b])) else {
                break None;
            };
            let (_, _, i, to) = scored.swap_remove(pos);
            if removable(asg, g, i, &mut seen, &mut stamp) {
                break Some((i, to));
            }
            scored.retain(|e| e.2 != i);
        };
        let Some((i, to)) = chosen else {
            continue;
        };
        let from = asg.of[i];
        violation += asg.violation_change(bal, i, to);
        cost += g.cost(i, to) - g.cost(i, from);
        asg.apply(bal, i, to);
        border.moved(asg, g, i, from);
        for k in 0..c {
            out.update(asg, bal, from * c + k);
            out.update(asg, bal, to * c + k);
        }
        tabu_until[i] = it + 7 + rng.random_range(0..8usize);
        back[to] = (from, tabu_until[i]);
        since_best.push((i, from));
        let better = violation < best_violation - EPS
            || (violation <= best_violation + EPS && cost < best_cost - EPS);
        if better {
            best_violation = violation;
            best_cost = cost;
            since_best.clear();
            last_best = it;
        }
    }
    for (i, from) in since_best.into_iter().rev() {
        asg.apply(bal, i, from);
    }
    Outcome {
        iterations: it,
        moves: (0..n).filter(|&i| asg.of[i] != start_of[i]).count(),
    }
}

/// Weight of cost against the loads' offsets in ranking moves of equal
/// violation. Small: at 100,000 accounts into 1,000 territories a weight of
/// 0.1 left a violation of 30.7 where offsets alone left 6.3.
const COST_WEIGHT: f64 = 0.01;

/// The rank of moving `i` to `to`, lower first, or `None` when the move is
/// tabu (`tabu_unless` holds the violation change that would still make it
/// a new best) and does not change the violation by less.
fn score(
    asg: &Assignment,
    bal: &Balance,
    g: &Graph<'_>,
    i: usize,
    to: usize,
    tabu_unless: Option<f64>,
) -> Option<(i64, f64)> {
    if g.locked[i] {
        return None;
    }
    let from = asg.of[i];
    let dv = asg.violation_change(bal, i, to);
    if tabu_unless.is_some_and(|need| dv >= need - EPS) {
        return None;
    }
    let dc = g.cost(i, to) - g.cost(i, from);
    // Violation first, in steps of 10⁻⁶ of a mean account so rounding noise
    // does not outrank what follows. Then how far the two territories' loads
    // sit from their targets, plus cost: where the violation ties, an excess
    // passed on goes where there is room, on the way to a territory that can
    // absorb it, and cheaply.
    let tie = offset_change(asg, bal, i, from, to) + COST_WEIGHT * dc;
    Some(((dv * 1e6).round() as i64, tie))
}

fn order(a: &(i64, f64, usize, usize), b: &(i64, f64, usize, usize)) -> std::cmp::Ordering {
    a.0.cmp(&b.0)
        .then(a.1.total_cmp(&b.1))
        .then(a.2.cmp(&b.2))
        .then(a.3.cmp(&b.3))
}

/// Change in Σ ((load − target) / half band)² over the bands `i` moving
/// from `from` to `to` touches.
fn offset_change(asg: &Assignment, bal: &Balance, i: usize, from: usize, to: usize) -> f64 {
    let c = bal.c;
    let off = |idx: usize, load: f64| {
        let mid = 0.5 * (bal.lo[idx] + bal.hi[idx]);
        let half = (0.5 * (bal.hi[idx] - bal.lo[idx])).max(1e-9);
        ((load - mid) / half).powi(2)
    };
    let mut delta = 0.0;
    for (k, v) in bal.values(i).iter().enumerate() {
        if *v == 0.0 {
            continue;
        }
        let (a, b) = (from * c + k, to * c + k);
        delta += off(a, asg.loads[a] - v) - off(a, asg.loads[a]);
        delta += off(b, asg.loads[b] + v) - off(b, asg.loads[b]);
    }
    delta
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Problem;
    use crate::{Account, Location, Measure, Status};

    /// A 12 × 12 grid with rook adjacency, customers on a checkerboard, cut
    /// into three vertical stripes of 6, 3 and 3 columns: 72 / 36 / 36
    /// accounts for a target of 48 ± 5%.
    fn striped() -> (Problem, Vec<usize>, Vec<usize>, Vec<usize>) {
        let side = 12;
        let accounts: Vec<Account> = (0..side * side)
            .map(|i| {
                let (r, c) = (i / side, i % side);
                let status = if (r + c) % 2 == 0 {
                    Status::Customer
                } else {
                    Status::Prospect
                };
                Account::new(
                    format!("a{i}"),
                    Location::new(60.0 + r as f64 * 0.01, 24.0 + c as f64 * 0.02),
                )
                .with_status(status)
            })
            .collect();
        let problem = Problem::builder()
            .accounts(accounts)
            .territories(3)
            .criterion(Measure::Accounts, 0.05)
            .criterion(Measure::Customers, 0.05)
            .build()
            .unwrap();
        let of: Vec<usize> = (0..side * side)
            .map(|i| match i % side {
                0..=5 => 0,
                6..=8 => 1,
                _ => 2,
            })
            .collect();
        let (offsets, targets) = grid_edges(side, false);
        (problem, of, offsets, targets)
    }

    /// The grid's graph, every territory's centre at the origin.
    fn graph<'a>(
        problem: &'a Problem,
        offsets: &[usize],
        targets: &[usize],
        locked: &'a [bool],
    ) -> Graph<'a> {
        Graph {
            offsets: offsets.to_vec().into(),
            targets: targets.to_vec().into(),
            points: &problem.points,
            centres: &ORIGIN,
            locked,
            scale: 1.0,
            objective: crate::Objective::SquaredDistance,
            travel: None,
            disruption: None,
            weights: None,
        }
    }

    const ORIGIN: [[f64; 2]; 3] = [[0.0, 0.0]; 3];

    fn pieces(of: &[usize], offsets: &[usize], targets: &[usize], territories: usize) -> usize {
        let mut uf = petgraph::unionfind::UnionFind::new(of.len());
        for i in 0..of.len() {
            for &m in &targets[offsets[i]..offsets[i + 1]] {
                if of[m] == of[i] {
                    uf.union(i, m);
                }
            }
        }
        let mut roots: Vec<usize> = (0..of.len()).map(|i| uf.find(i)).collect();
        roots.sort_unstable();
        roots.dedup();
        roots.len() - territories + 1
    }

    /// The grid's edges, with one diagonal per square when `triangles`.
    fn grid_edges(side: usize, triangles: bool) -> (Vec<usize>, Vec<usize>) {
        let (mut offsets, mut targets) = (vec![0], Vec::new());
        for i in 0..side * side {
            let (r, c) = (i / side, i % side);
            let mut near = Vec::new();
            if r > 0 {
                near.push(i - side);
            }
            if r + 1 < side {
                near.push(i + side);
            }
            if c > 0 {
                near.push(i - 1);
            }
            if c + 1 < side {
                near.push(i + 1);
            }
            if triangles && r > 0 && c + 1 < side {
                near.push(i - side + 1);
            }
            if triangles && r + 1 < side && c > 0 {
                near.push(i + side - 1);
            }
            targets.extend(near);
            offsets.push(targets.len());
        }
        (offsets, targets)
    }

    #[test]
    fn removable_agrees_with_a_count_of_pieces() {
        let (problem, _, _, _) = striped();
        let bal = Balance::new(&problem);
        let locked = vec![false; 144];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for triangles in [false, true] {
            let (offsets, targets) = grid_edges(12, triangles);
            let g = graph(&problem, &offsets, &targets, &locked);
            let (mut seen, mut stamp) = (vec![0u32; 144], 0u32);
            for _ in 0..20 {
                // Blobs grown from random seeds, so territories have spurs and holes.
                let of: Vec<usize> = (0..144)
                    .map(|i| ((i / 12) / 4 + (i % 12) / 5 + rng.random_range(0..2usize)) % 3)
                    .collect();
                let asg = Assignment::new(of.clone(), &bal, 3);
                for i in 0..144 {
                    let t = of[i];
                    let mut uf = petgraph::unionfind::UnionFind::new(144);
                    for a in (0..144).filter(|&a| a != i && of[a] == t) {
                        for &b in &targets[offsets[a]..offsets[a + 1]] {
                            if b != i && of[b] == t {
                                uf.union(a, b);
                            }
                        }
                    }
                    let same: Vec<usize> = targets[offsets[i]..offsets[i + 1]]
                        .iter()
                        .copied()
                        .filter(|&m| of[m] == t)
                        .collect();
                    let expected = same.iter().all(|&m| uf.equiv(m, same[0]));
                    assert_eq!(
                        removable(&asg, &g, i, &mut seen, &mut stamp),
                        expected,
                        "account {i}, triangles {triangles}"
                    );
                }
            }
        }
    }

    #[test]
    fn passes_the_excess_through_a_full_neighbour_and_keeps_every_territory_whole() {
        let (problem, of, offsets, targets) = striped();
        let bal = Balance::new(&problem);
        let locked = vec![false; of.len()];
        let g = graph(&problem, &offsets, &targets, &locked);
        let mut asg = Assignment::new(of, &bal, 3);
        let before = bal.violation(&asg.loads);
        assert!(before > 1.0);
        let mut again = asg.clone();
        let out = search(&mut asg, &bal, &g, 3, 20_000, 5_000, 7);
        assert!(
            bal.violation(&asg.loads) <= 1e-9,
            "left {}",
            bal.violation(&asg.loads)
        );
        assert!(out.moves >= 24, "{} moves", out.moves);
        assert_eq!(
            pieces(&asg.of, &offsets, &targets, 3),
            1,
            "a territory in pieces"
        );
        // Loads stay in step with the assignment, and the same seed gives the same plan.
        assert_eq!(asg.loads, Assignment::new(asg.of.clone(), &bal, 3).loads);
        search(&mut again, &bal, &g, 3, 20_000, 5_000, 7);
        assert_eq!(again.of, asg.of);
    }

    #[test]
    fn never_returns_a_worse_assignment() {
        let (problem, of, offsets, targets) = striped();
        let bal = Balance::new(&problem);
        // Every account locked but one column: little can move.
        let locked: Vec<bool> = (0..of.len()).map(|i| i % 12 != 6).collect();
        let g = graph(&problem, &offsets, &targets, &locked);
        let mut asg = Assignment::new(of.clone(), &bal, 3);
        let before = bal.violation(&asg.loads);
        search(&mut asg, &bal, &g, 3, 5_000, 1_000, 1);
        assert!(bal.violation(&asg.loads) <= before + 1e-9);
        for i in 0..of.len() {
            if locked[i] {
                assert_eq!(asg.of[i], of[i]);
            }
        }
    }
}
