//! The adjacency graph the border repairs walk, with what they price a move
//! by: the accounts' positions and weights, the centres, the objective and
//! the disruption of a rebalance.

use std::borrow::Cow;

/// The graph and geometry the repair works on.
pub(crate) struct Graph<'a> {
    pub offsets: Cow<'a, [usize]>,
    pub targets: Cow<'a, [usize]>,
    pub points: &'a [[f64; 2]],
    pub centres: &'a [[f64; 2]],
    pub locked: &'a [bool],
    pub scale: f64,
    pub objective: super::Objective,
    pub travel: Option<&'a crate::problem::CentreTravel>,
    pub disruption: Option<&'a super::candidates::DisruptionCosts>,
    /// Per-account compactness weights, when weighted.
    pub weights: Option<&'a [f64]>,
}

impl Graph<'_> {
    /// The same graph with other accounts held in place.
    pub fn with_locked<'b>(&'b self, locked: &'b [bool]) -> Graph<'b> {
        Graph {
            offsets: Cow::Borrowed(&self.offsets),
            targets: Cow::Borrowed(&self.targets),
            points: self.points,
            centres: self.centres,
            locked,
            scale: self.scale,
            objective: self.objective,
            travel: self.travel,
            disruption: self.disruption,
            weights: self.weights,
        }
    }

    pub fn neighbours(&self, i: usize) -> &[usize] {
        &self.targets[self.offsets[i]..self.offsets[i + 1]]
    }

    pub(crate) fn cost(&self, i: usize, j: usize) -> f64 {
        let geo = super::candidates::geo_cost(
            self.points,
            self.centres,
            self.travel,
            self.objective,
            i,
            j,
        ) * self.weights.map_or(1.0, |w| w[i])
            / self.scale;
        match self.disruption {
            Some(d) => d.cost(i, j, geo),
            None => geo,
        }
    }
}
