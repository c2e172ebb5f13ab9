//! The ruin-and-recreate loop under simulated annealing shared by the VRPTW,
//! periodic VRP and field-schedule searches.

use std::time::{Duration, Instant};

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// When to stop and how hot to start.
pub(crate) struct Annealing {
    /// Most iterations; `usize::MAX` cools by elapsed time instead.
    pub max_iterations: usize,
    /// Wall-clock cap, counted from `began`.
    pub time_limit: Duration,
    /// Start temperature (objective units).
    pub t0: f64,
    /// End temperature.
    pub t1: f64,
}

impl Annealing {
    /// Repeats: copy the current state, let `step` ruin and recreate the copy
    /// and return its objective, accept it by the annealing rule. Returns the
    /// best state, its objective and the iterations run.
    pub fn run<S: Clone>(
        &self,
        began: Instant,
        initial: S,
        initial_cost: f64,
        rng: &mut ChaCha8Rng,
        mut step: impl FnMut(&mut S, &mut ChaCha8Rng) -> f64,
    ) -> (S, f64, usize) {
        let limit = self.time_limit.as_secs_f64().max(1e-3);
        let (mut current, mut current_cost) = (initial.clone(), initial_cost);
        let (mut best, mut best_cost) = (initial, initial_cost);
        let mut iterations = 0;
        while iterations < self.max_iterations {
            let elapsed = began.elapsed().as_secs_f64();
            if elapsed >= limit {
                break;
            }
            iterations += 1;
            let progress = if self.max_iterations == usize::MAX {
                elapsed / limit
            } else {
                iterations as f64 / self.max_iterations as f64
            };
            let temperature = self.t0 * (self.t1 / self.t0).powf(progress.min(1.0));
            let mut candidate = current.clone();
            let cost = step(&mut candidate, rng);
            if cost < current_cost - temperature * rng.random::<f64>().max(1e-12).ln() {
                current = candidate;
                current_cost = cost;
                if cost < best_cost - 1e-9 {
                    best = current.clone();
                    best_cost = cost;
                }
            }
        }
        (best, best_cost, iterations)
    }
}
