//! Routing: travel costs and route optimisation.
//!
//! The engine reaches travel times only through [`TravelCost`], so road-network
//! matrices can replace straight-line ones. [`tsp`] improves a single closed
//! tour (the building block of a rep's day). [`schedule`] plans reps' dated
//! visits over weeks; [`travel`] turns locations into travel-time matrices.

mod anneal;
pub mod pvrp;
pub mod schedule;
pub mod travel;
pub mod tsp;
pub mod vrptw;

/// Travel cost between locations indexed `0..len()`.
pub trait TravelCost: Sync {
    /// Number of locations.
    fn len(&self) -> usize;
    /// Cost of going from `a` to `b`.
    fn cost(&self, a: usize, b: usize) -> f64;
    /// Whether there are no locations.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A dense cost matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    n: usize,
    costs: Vec<f64>,
}

impl Matrix {
    /// A matrix from a cost function over `n` locations.
    ///
    /// ```
    /// use territory::routing::{Matrix, TravelCost};
    /// let m = Matrix::from_fn(3, |a, b| (a as f64 - b as f64).abs());
    /// assert_eq!(m.cost(0, 2), 2.0);
    /// ```
    pub fn from_fn(n: usize, f: impl Fn(usize, usize) -> f64 + Sync) -> Self {
        use rayon::prelude::*;
        let costs = (0..n * n)
            .into_par_iter()
            .map(|k| f(k / n, k % n))
            .collect();
        Self { n, costs }
    }

    /// TSPLIB `EUC_2D` distances: the nearest integer of the Euclidean distance.
    pub fn euclidean_rounded(points: &[[f64; 2]]) -> Self {
        Self::from_fn(points.len(), |a, b| {
            let (dx, dy) = (points[a][0] - points[b][0], points[a][1] - points[b][1]);
            (dx * dx + dy * dy).sqrt().round()
        })
    }

    /// Plain Euclidean distances.
    pub fn euclidean(points: &[[f64; 2]]) -> Self {
        Self::from_fn(points.len(), |a, b| {
            let (dx, dy) = (points[a][0] - points[b][0], points[a][1] - points[b][1]);
            (dx * dx + dy * dy).sqrt()
        })
    }
}

impl TravelCost for Matrix {
    fn len(&self) -> usize {
        self.n
    }

    #[inline]
    fn cost(&self, a: usize, b: usize) -> f64 {
        self.costs[a * self.n + b]
    }
}
