//! Normalised balance data shared by the Lagrangian, the LP and the repair pass.

use crate::problem::Problem;

/// Criteria values scaled so the mean account contributes 1 to each, with the
/// per-territory bounds in the same units.
#[derive(Debug, Clone)]
pub(crate) struct Balance {
    /// Number of active criteria (those with a positive total).
    pub c: usize,
    /// Account-major values: `u[i * c + k]`.
    pub u: Vec<f64>,
    /// Territory-major bounds and targets: `lo[j * c + k]`.
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
    /// Mean non-zero value per criterion: what one account typically carries.
    pub typical: Vec<f64>,
}

impl Balance {
    pub fn new(problem: &Problem) -> Self {
        let n = problem.accounts.len();
        let active: Vec<usize> = (0..problem.criteria.len())
            .filter(|&c| problem.total(c) > 0.0)
            .collect();
        let c = active.len();
        let mut u = vec![0.0; n * c];
        for (k, &ci) in active.iter().enumerate() {
            let mean = problem.total(ci) / n as f64;
            for (i, v) in problem.values[ci].iter().enumerate() {
                u[i * c + k] = v / mean;
            }
        }
        let shares = problem.shares();
        let (mut lo, mut hi) = (Vec::new(), Vec::new());
        for s in &shares {
            for &ci in &active {
                let t = n as f64 * s;
                let tol = problem.criteria[ci].tolerance;
                lo.push(t * (1.0 - tol));
                hi.push(t * (1.0 + tol));
            }
        }
        let typical = (0..c)
            .map(|k| {
                let (sum, count) = (0..n)
                    .map(|i| u[i * c + k])
                    .filter(|v| *v > 0.0)
                    .fold((0.0, 0usize), |(s, m), v| (s + v, m + 1));
                if count > 0 {
                    sum / count as f64
                } else {
                    0.0
                }
            })
            .collect();
        Balance {
            c,
            u,
            lo,
            hi,
            typical,
        }
    }

    #[inline]
    pub fn values(&self, i: usize) -> &[f64] {
        &self.u[i * self.c..(i + 1) * self.c]
    }

    /// Loads per territory and criterion for an assignment, summed in account order.
    pub fn loads(&self, assignment: &[usize], territories: usize) -> Vec<f64> {
        let mut g = vec![0.0; territories * self.c];
        for (i, &j) in assignment.iter().enumerate() {
            for (k, v) in self.values(i).iter().enumerate() {
                g[j * self.c + k] += v;
            }
        }
        g
    }

    /// How far a load is outside its band (0 inside).
    #[inline]
    pub fn excess(&self, idx: usize, load: f64) -> f64 {
        (load - self.hi[idx]).max(self.lo[idx] - load).max(0.0)
    }

    /// Total band violation over all territories and criteria.
    pub fn violation(&self, loads: &[f64]) -> f64 {
        loads
            .iter()
            .enumerate()
            .map(|(idx, &g)| self.excess(idx, g))
            .sum()
    }
}
