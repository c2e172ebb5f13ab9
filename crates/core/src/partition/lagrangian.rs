//! Lagrangian relaxation of the balance constraints: prices per territory and
//! criterion that make "each account to its cheapest priced candidate" nearly
//! balanced, and a valid lower bound on the balancing LP.

use rayon::prelude::*;

use super::balance::Balance;
use super::candidates::Candidates;

/// Prices on the upper (`mu`) and lower (`nu`) balance bounds, both ≥ 0, territory-major.
#[derive(Debug, Clone)]
pub(crate) struct Prices {
    pub mu: Vec<f64>,
    pub nu: Vec<f64>,
}

impl Prices {
    pub fn zero(len: usize) -> Self {
        Prices {
            mu: vec![0.0; len],
            nu: vec![0.0; len],
        }
    }

    #[inline]
    pub fn net(&self, idx: usize) -> f64 {
        self.mu[idx] - self.nu[idx]
    }

    /// Priced cost of putting account `i` into territory `j` at raw cost `cost`.
    #[inline]
    pub fn priced(&self, bal: &Balance, i: usize, j: usize, cost: f64) -> f64 {
        let base = j * bal.c;
        cost + bal
            .values(i)
            .iter()
            .enumerate()
            .map(|(k, v)| self.net(base + k) * v)
            .sum::<f64>()
    }
}

/// Each account's cheapest candidate under the prices.
pub(crate) fn priced_assignment(bal: &Balance, cand: &Candidates, prices: &Prices) -> Vec<usize> {
    (0..cand.len.len())
        .into_par_iter()
        .map(|i| {
            let mut best = (f64::INFINITY, usize::MAX);
            for (j, cost) in cand.of(i) {
                let r = prices.priced(bal, i, j, cost);
                if r < best.0 {
                    best = (r, j);
                }
            }
            best.1
        })
        .collect()
}

/// Account points and territory centres, for the exact bound over all territories.
pub(crate) type ExactBound<'a> = (&'a [[f64; 2]], &'a [[f64; 2]]);

/// Valid lower bound (in cost units) on the balancing LP over *all* territories.
///
/// Each account takes its cheapest priced territory among all of them when
/// `centres` is given (exact), or else among its candidates, with every other
/// territory covered by the nearest non-candidate cost plus the lowest price
/// any territory charges (weaker, but O(k) per account).
pub(crate) fn lower_bound(
    bal: &Balance,
    cand: &Candidates,
    prices: &Prices,
    territories: usize,
    exact: Option<ExactBound<'_>>,
) -> f64 {
    let c = bal.c;
    let min_net: Vec<f64> = (0..c)
        .map(|k| {
            (0..territories)
                .map(|j| prices.net(j * c + k))
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    let per_account: Vec<f64> = (0..cand.len.len())
        .into_par_iter()
        .map(|i| {
            let mut best = f64::INFINITY;
            for (j, cost) in cand.of(i) {
                best = best.min(prices.priced(bal, i, j, cost));
            }
            if cand.next_cost[i].is_finite() {
                match exact {
                    Some((points, centres)) => {
                        for j in 0..centres.len() {
                            let cost = super::candidates::geo_cost(
                                points,
                                centres,
                                cand.travel.as_deref(),
                                cand.objective,
                                i,
                                j,
                            ) * cand.weight(i)
                                / cand.scale;
                            best = best.min(prices.priced(bal, i, j, cost));
                        }
                    }
                    None => {
                        let floor: f64 =
                            bal.values(i).iter().zip(&min_net).map(|(v, m)| v * m).sum();
                        best = best.min(cand.next_cost[i] + floor);
                    }
                }
            }
            best
        })
        .collect();
    dual_value(bal, prices, territories, &per_account)
}

/// The Lagrangian dual value: each account's cheapest priced cost, less the
/// prices times the band limits.
fn dual_value(bal: &Balance, prices: &Prices, territories: usize, per_account: &[f64]) -> f64 {
    let mut bound: f64 = per_account.iter().sum();
    for idx in 0..territories * bal.c {
        bound -= prices.mu[idx] * bal.hi[idx];
        bound += prices.nu[idx] * bal.lo[idx];
    }
    bound
}

/// Valid lower bound (in cost units) on the balancing LP with other centres
/// than the candidates were built for: by weak duality any prices bound it,
/// with every account's costs taken afresh to every territory's centre.
pub(crate) fn lower_bound_at(
    bal: &Balance,
    cand: &Candidates,
    prices: &Prices,
    points: &[[f64; 2]],
    centres: &[[f64; 2]],
) -> f64 {
    let per_account: Vec<f64> = (0..cand.len.len())
        .into_par_iter()
        .map(|i| {
            (0..centres.len())
                .map(|j| {
                    let cost = super::candidates::geo_cost(
                        points,
                        centres,
                        cand.travel.as_deref(),
                        cand.objective,
                        i,
                        j,
                    ) * cand.weight(i)
                        / cand.scale;
                    prices.priced(bal, i, j, cost)
                })
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    dual_value(bal, prices, centres.len(), &per_account)
}

/// Relative fall of the least violation that counts as progress of the ascent.
const ASCENT_PROGRESS: f64 = 0.01;

/// Iterations without progress after which the ascent stops early.
const ASCENT_PATIENCE: usize = 40;

/// Sign-based (Rprop-style) price adjustment, `iterations` steps from `prices`:
/// a band above its upper limit raises its price, one below its lower limit
/// lowers it, each by its own step, which grows while the direction holds and
/// halves when it flips. Converges far faster
/// than one global step when criteria and territories differ in scale.
/// Leaves `prices` at, and returns the assignment of, the least band violation seen.
pub(crate) fn ascend(
    bal: &Balance,
    cand: &Candidates,
    prices: &mut Prices,
    territories: usize,
    iterations: usize,
) -> Vec<usize> {
    let len = territories * bal.c;
    let mut step: Vec<f64> = vec![0.05; len];
    let mut last_sign = vec![0i8; len];
    let mut best: Option<(f64, Vec<usize>, Prices)> = None;
    // Iterations since the least violation last fell by a meaningful amount.
    let mut stalled = 0;
    let mut mark = f64::INFINITY;
    for _ in 0..iterations {
        let assignment = priced_assignment(bal, cand, prices);
        let loads = bal.loads(&assignment, territories);
        let violation = bal.violation(&loads);
        if best.as_ref().is_none_or(|(v, _, _)| violation < *v) {
            best = Some((violation, assignment, prices.clone()));
        }
        if violation == 0.0 {
            break;
        }
        if violation < mark * (1.0 - ASCENT_PROGRESS) {
            (mark, stalled) = (violation, 0);
        } else {
            stalled += 1;
            if stalled >= ASCENT_PATIENCE {
                break;
            }
        }
        for idx in 0..len {
            let net = prices.net(idx);
            // Feasibility-seeking: a band inside its limits keeps its price (the LP
            // finds the optimal prices; these only need to make the frontier right).
            let g = (loads[idx] - bal.hi[idx]).max(0.0) + (loads[idx] - bal.lo[idx]).min(0.0);
            let sign = if g > 0.0 {
                1i8
            } else if g < 0.0 {
                -1
            } else {
                0
            };
            if sign == 0 {
                last_sign[idx] = 0;
                continue;
            }
            if sign == last_sign[idx] {
                step[idx] = (step[idx] * 1.2).min(50.0);
            } else if last_sign[idx] != 0 {
                step[idx] *= 0.5;
            }
            last_sign[idx] = sign;
            let next = net + f64::from(sign) * step[idx];
            prices.mu[idx] = next.max(0.0);
            prices.nu[idx] = (-next).max(0.0);
        }
    }
    match best {
        Some((_, assignment, best_prices)) => {
            *prices = best_prices;
            assignment
        }
        None => priced_assignment(bal, cand, prices),
    }
}
