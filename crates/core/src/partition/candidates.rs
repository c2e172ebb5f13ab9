//! Candidate territories per account: the nearest centres by an R-tree, so the
//! balancing problems stay sparse.

use rayon::prelude::*;
use rstar::{primitives::GeomWithData, RTree};

use std::sync::Arc;

use super::Objective;
use crate::problem::CentreTravel;
use crate::projection::dist2;

/// The geometric cost of account `i` in territory `j`: squared (or plain)
/// straight-line km, or travel minutes from the centre when given.
#[inline]
pub(crate) fn geo_cost(
    points: &[[f64; 2]],
    centres: &[[f64; 2]],
    travel: Option<&CentreTravel>,
    objective: Objective,
    i: usize,
    j: usize,
) -> f64 {
    match travel {
        Some(t) => objective.cost(t.minutes(i, j).powi(2)),
        None => objective.cost(dist2(points[i], centres[j])),
    }
}

/// For each account, up to `k` candidate territories with their assignment costs
/// (scaled squared distance), nearest first; locked accounts have exactly one.
#[derive(Debug, Clone)]
pub(crate) struct Candidates {
    /// Slots per account: the nearest centres asked for, plus the territories
    /// added for coverage.
    stride: usize,
    pub terr: Vec<u32>,
    pub cost: Vec<f64>,
    pub len: Vec<u8>,
    /// Scaled squared distance to the nearest centre that is not a candidate
    /// (infinite when all are candidates); keeps the Lagrangian bound valid.
    pub next_cost: Vec<f64>,
    /// Objective units per cost unit.
    pub scale: f64,
    /// What a cost measures.
    pub objective: Objective,
    /// Travel minutes from the centres, replacing straight-line distance.
    pub travel: Option<Arc<CentreTravel>>,
    /// Per-account compactness weights (costs are weight × distance cost).
    pub weights: Option<Arc<[f64]>>,
    /// Rebalancing: each account's current territory, the cost of moving it,
    /// and the most moves allowed.
    pub disruption: Option<DisruptionCosts>,
}

/// Costs of a minimal-disruption rebalance.
#[derive(Debug, Clone)]
pub(crate) struct DisruptionCosts {
    pub home: Vec<Option<usize>>,
    pub move_cost: Vec<f64>,
    /// Weight of compactness against disruption (small: only breaks ties).
    pub compactness_weight: f64,
    pub max_moves: Option<usize>,
}

impl DisruptionCosts {
    /// Cost of account `i` in territory `j` at geometric cost `geo`.
    #[inline]
    pub fn cost(&self, i: usize, j: usize, geo: f64) -> f64 {
        let moved = self.home[i].is_some_and(|h| h != j);
        self.compactness_weight * geo + if moved { self.move_cost[i] } else { 0.0 }
    }
}

impl Candidates {
    /// Account `i`'s compactness weight (1 when unweighted).
    #[inline]
    pub fn weight(&self, i: usize) -> f64 {
        self.weights.as_ref().map_or(1.0, |w| w[i])
    }

    pub fn build(
        points: &[[f64; 2]],
        centres: &[[f64; 2]],
        k: usize,
        locked_to: &[Option<usize>],
        objective: Objective,
        travel: Option<&Arc<CentreTravel>>,
        weights: Option<&Arc<[f64]>>,
    ) -> Self {
        let weight = |i: usize| weights.map_or(1.0, |w| w[i]);
        // Candidate counts are stored in a byte.
        let k = k.clamp(1, centres.len().min(u8::MAX as usize));
        let tree = RTree::bulk_load(
            centres
                .iter()
                .enumerate()
                .map(|(j, c)| GeomWithData::new(*c, j as u32))
                .collect(),
        );
        let rows: Vec<(Vec<(u32, f64)>, f64)> = points
            .par_iter()
            .enumerate()
            .zip(locked_to.par_iter())
            .map(|((i, p), lock)| {
                let mut near: Vec<(u32, f64)> = match travel {
                    // The k nearest by travel time: a partial selection over all centres.
                    Some(t) => {
                        let mut all: Vec<(u32, f64)> = (0..centres.len())
                            .map(|j| (j as u32, objective.cost(t.minutes(i, j).powi(2))))
                            .collect();
                        let keep = (k + 1).min(all.len());
                        if keep < all.len() {
                            all.select_nth_unstable_by(keep, |a, b| {
                                a.1.total_cmp(&b.1).then(a.0.cmp(&b.0))
                            });
                            all.truncate(keep);
                        }
                        all
                    }
                    None => tree
                        .nearest_neighbor_iter(p)
                        .take(k + 1)
                        .map(|c| (c.data, objective.cost(dist2(*p, *c.geom()))))
                        .collect(),
                };
                // Ties between equidistant centres break by index, for determinism.
                near.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
                let next = if near.len() > k {
                    near[k].1
                } else {
                    f64::INFINITY
                };
                near.truncate(k);
                if let Some(j) = lock {
                    let j = *j as u32;
                    let d = geo_cost(
                        points,
                        centres,
                        travel.map(|t| &**t),
                        objective,
                        i,
                        j as usize,
                    );
                    return (vec![(j, d * weight(i))], f64::INFINITY);
                }
                // A positive weight scales every centre alike: the nearest stay nearest.
                for c in &mut near {
                    c.1 *= weight(i);
                }
                (near, next * weight(i))
            })
            .collect();
        let n = points.len();
        let mut nearest_sum = 0.0;
        for (row, _) in &rows {
            nearest_sum += row[0].1;
        }
        let scale = (nearest_sum / n.max(1) as f64).max(1e-12);
        let mut out = Candidates {
            stride: k,
            terr: vec![0; n * k],
            cost: vec![f64::INFINITY; n * k],
            len: vec![0; n],
            next_cost: vec![f64::INFINITY; n],
            scale,
            objective,
            travel: travel.cloned(),
            weights: weights.cloned(),
            disruption: None,
        };
        for (i, (row, next)) in rows.into_iter().enumerate() {
            out.len[i] = row.len() as u8;
            out.next_cost[i] = next / scale;
            for (s, (j, d)) in row.into_iter().enumerate() {
                out.terr[i * k + s] = j;
                out.cost[i * k + s] = d / scale;
            }
        }
        out
    }

    /// Turns geometric costs into disruption costs: each account's current
    /// territory becomes a candidate (in place of its farthest one if needed)
    /// and leaving it costs `move_cost[i]`; compactness only breaks ties.
    pub fn with_disruption(
        mut self,
        points: &[[f64; 2]],
        centres: &[[f64; 2]],
        d: DisruptionCosts,
    ) -> Self {
        let k = self.stride;
        for i in 0..self.len.len() {
            if let Some(h) = d.home[i] {
                let base = i * k;
                let len = self.len[i] as usize;
                if !(0..len).any(|s| self.terr[base + s] as usize == h) {
                    let slot = if len < k { len } else { len - 1 };
                    self.terr[base + slot] = h as u32;
                    self.cost[base + slot] = geo_cost(
                        points,
                        centres,
                        self.travel.as_deref(),
                        self.objective,
                        i,
                        h,
                    ) * self.weight(i)
                        / self.scale;
                    self.len[i] = (slot + 1) as u8;
                    // The replaced centre is now a non-candidate nearer than next_cost: keep the bound valid.
                    self.next_cost[i] = 0.0;
                }
            }
            let base = i * k;
            for s in 0..self.len[i] as usize {
                let j = self.terr[base + s] as usize;
                self.cost[base + s] = d.cost(i, j, self.cost[base + s]);
            }
            self.next_cost[i] *= d.compactness_weight;
        }
        self.disruption = Some(d);
        self
    }

    /// Most candidates any account has.
    pub fn widest(&self) -> usize {
        self.stride
    }

    /// Makes every territory a candidate of at least `need[j]` accounts, its
    /// nearest unlocked ones: a fixed base that few accounts have among their
    /// nearest could otherwise never fill its band (a dense cluster of reps in
    /// one city), and the LP over the candidates would miss it. An account
    /// takes at most `MAX_ADDED` such territories.
    pub fn with_coverage(
        self,
        points: &[[f64; 2]],
        centres: &[[f64; 2]],
        locked: &[bool],
        need: &[usize],
    ) -> Self {
        const MAX_ADDED: usize = 4;
        let n = self.len.len();
        let mut count = vec![0usize; centres.len()];
        for i in 0..n {
            for (j, _) in self.of(i) {
                count[j] += 1;
            }
        }
        let short: Vec<usize> = (0..centres.len()).filter(|&j| count[j] < need[j]).collect();
        if short.is_empty() {
            return self;
        }
        let tree = RTree::bulk_load(
            points
                .iter()
                .enumerate()
                .map(|(i, p)| GeomWithData::new(*p, i as u32))
                .collect(),
        );
        let mut added: Vec<Vec<usize>> = vec![Vec::new(); n];
        for &j in &short {
            let mut have = 0;
            for hit in tree.nearest_neighbor_iter(&centres[j]) {
                if have >= need[j].min(n) {
                    break;
                }
                let i = hit.data as usize;
                if locked[i] {
                    continue;
                }
                if self.of(i).any(|(t, _)| t == j) {
                    have += 1;
                } else if added[i].len() < MAX_ADDED {
                    added[i].push(j);
                    have += 1;
                }
            }
        }
        let stride = self.stride + added.iter().map(Vec::len).max().unwrap_or(0);
        let rows = (0..n).map(|i| {
            let mut row: Vec<(usize, f64)> = self.of(i).collect();
            for &j in &added[i] {
                let geo = geo_cost(
                    points,
                    centres,
                    self.travel.as_deref(),
                    self.objective,
                    i,
                    j,
                );
                row.push((j, geo * self.weight(i) / self.scale));
            }
            row.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            row
        });
        let (terr, cost, len) = slots(rows, n, stride);
        // next_cost stays a valid floor: the nearest non-candidate can only be farther now.
        Candidates {
            stride,
            terr,
            cost,
            len,
            ..self
        }
    }

    /// Replaces each unlocked account's candidates by its `k` cheapest
    /// territories at `prices`, searched over every territory: column
    /// generation in one pass, so territories that the nearest centres leave
    /// out (the mainland for an island short of reps) enter where the prices
    /// say they pay. The nearest centre always stays a candidate.
    /// `priced(i, j, cost)` is account `i`'s priced cost in territory `j`.
    pub fn repriced(
        self,
        points: &[[f64; 2]],
        centres: &[[f64; 2]],
        k: usize,
        priced: impl Fn(usize, usize, f64) -> f64 + Sync,
    ) -> Self {
        let n = self.len.len();
        let kt = centres.len();
        let stride = k.clamp(1, kt.min(u8::MAX as usize));
        let rows: Vec<(Vec<(usize, f64)>, f64)> = (0..n)
            .into_par_iter()
            .map(|i| {
                // Locked accounts keep their single candidate.
                if self.len[i] == 1 && self.next_cost[i].is_infinite() && kt > 1 {
                    return (self.of(i).collect(), f64::INFINITY);
                }
                let mut all: Vec<(usize, f64, f64)> = (0..kt)
                    .map(|j| {
                        let cost = geo_cost(
                            points,
                            centres,
                            self.travel.as_deref(),
                            self.objective,
                            i,
                            j,
                        ) * self.weight(i)
                            / self.scale;
                        (j, cost, priced(i, j, cost))
                    })
                    .collect();
                let nearest = all
                    .iter()
                    .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
                    .map(|c| c.0);
                all.sort_by(|a, b| a.2.total_cmp(&b.2).then(a.0.cmp(&b.0)));
                let mut keep: Vec<(usize, f64)> =
                    all.iter().take(stride).map(|c| (c.0, c.1)).collect();
                if let Some(near) = nearest {
                    if !keep.iter().any(|c| c.0 == near) {
                        keep.pop();
                        keep.push((near, all.iter().find(|c| c.0 == near).map_or(0.0, |c| c.1)));
                    }
                }
                let next = all
                    .iter()
                    .filter(|c| !keep.iter().any(|k| k.0 == c.0))
                    .map(|c| c.1)
                    .fold(f64::INFINITY, f64::min);
                keep.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
                (keep, next)
            })
            .collect();
        let next_cost = rows.iter().map(|(_, next)| *next).collect();
        let (terr, cost, len) = slots(rows.into_iter().map(|(row, _)| row), n, stride);
        Candidates {
            stride,
            terr,
            cost,
            len,
            next_cost,
            ..self
        }
    }

    /// Candidate slots of account `i` as (territory, cost).
    #[inline]
    pub fn of(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let base = i * self.stride;
        (0..self.len[i] as usize).map(move |s| (self.terr[base + s] as usize, self.cost[base + s]))
    }

    /// Cost of assigning `i` to `j`, if `j` is a candidate.
    #[inline]
    pub fn cost_of(&self, i: usize, j: usize) -> Option<f64> {
        self.of(i).find(|(t, _)| *t == j).map(|(_, c)| c)
    }
}

/// Lays out per-account rows of (territory, cost) in slots of `stride`.
fn slots(
    rows: impl Iterator<Item = Vec<(usize, f64)>>,
    n: usize,
    stride: usize,
) -> (Vec<u32>, Vec<f64>, Vec<u8>) {
    let mut terr = vec![0u32; n * stride];
    let mut cost = vec![f64::INFINITY; n * stride];
    let mut len = vec![0u8; n];
    for (i, row) in rows.enumerate() {
        len[i] = row.len() as u8;
        for (s, (j, c)) in row.into_iter().enumerate() {
            terr[i * stride + s] = j as u32;
            cost[i * stride + s] = c;
        }
    }
    (terr, cost, len)
}
