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
    pub k: usize,
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
            k,
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
        let k = self.k;
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

    /// Candidate slots of account `i` as (territory, cost).
    #[inline]
    pub fn of(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let base = i * self.k;
        (0..self.len[i] as usize).map(move |s| (self.terr[base + s] as usize, self.cost[base + s]))
    }

    /// Cost of assigning `i` to `j`, if `j` is a candidate.
    #[inline]
    pub fn cost_of(&self, i: usize, j: usize) -> Option<f64> {
        self.of(i).find(|(t, _)| *t == j).map(|(_, c)| c)
    }
}
