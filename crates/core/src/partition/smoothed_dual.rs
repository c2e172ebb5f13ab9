//! Prices from the smoothed Lagrangian dual of the balancing LP.
//!
//! In the net prices `z` (one per territory and criterion) the LP's dual is
//! `D(z) = Σᵢ minⱼ (cᵢⱼ + zⱼ·uᵢ) − Σ max(z·hi, z·lo)`: concave, piecewise
//! linear, and a lower bound on the LP at every `z` (weak duality). Each min
//! and max replaced by its log-sum-exp at temperature `τ` makes it smooth, so
//! L-BFGS climbs it in a few dozen steps where sign-based steps oscillate
//! (prices that must differ by orders of magnitude, such as an island short of
//! reps, are the hard case for those). `τ` then shrinks geometrically, and the
//! prices approach the LP's: only accounts near a tie are left for the LP.

use rayon::prelude::*;

use super::balance::Balance;
use super::candidates::Candidates;
use super::lagrangian::Prices;

/// Temperatures, in cost units (one mean nearest-centre cost), from coarse to fine.
const TEMPERATURES: [f64; 5] = [1.0, 0.25, 0.0625, 0.015_625, 0.004];

/// Most L-BFGS iterations per temperature.
const ITERATIONS: usize = 60;

/// Curvature pairs L-BFGS keeps.
const MEMORY: usize = 8;

/// Accounts per parallel block; partial sums are added in block order, so the
/// result does not depend on the thread count.
const BLOCK: usize = 2048;

/// Raises `prices` towards the LP's optimal duals over the candidates.
pub(crate) fn climb(bal: &Balance, cand: &Candidates, prices: &mut Prices) {
    let mut z: Vec<f64> = (0..prices.mu.len()).map(|idx| prices.net(idx)).collect();
    for tau in TEMPERATURES {
        let width: f64 = bal.hi.iter().zip(&bal.lo).map(|(h, l)| h - l).sum();
        // Loads within a hundredth of the total band width: the prices are settled.
        let tolerance = 0.01 * width.max(1.0);
        minimise(
            |x, g| negative_smoothed_dual(bal, cand, x, tau, g),
            &mut z,
            ITERATIONS,
            tolerance,
            tau,
        );
    }
    for (idx, v) in z.iter().enumerate() {
        prices.mu[idx] = v.max(0.0);
        prices.nu[idx] = (-v).max(0.0);
    }
}

/// `−D_τ(z)` and its gradient: the smoothed dual negated, to be minimised.
fn negative_smoothed_dual(
    bal: &Balance,
    cand: &Candidates,
    z: &[f64],
    tau: f64,
    grad: &mut [f64],
) -> f64 {
    let c = bal.c;
    let n = cand.len.len();
    let blocks: Vec<(f64, Vec<f64>)> = (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let mut loads = vec![0.0; z.len()];
            let mut value = 0.0;
            let mut priced: Vec<(usize, f64)> = Vec::with_capacity(cand.widest());
            for i in b * BLOCK..((b + 1) * BLOCK).min(n) {
                let u = bal.values(i);
                priced.clear();
                let mut least = f64::INFINITY;
                for (j, cost) in cand.of(i) {
                    let r = cost
                        + u.iter()
                            .enumerate()
                            .map(|(k, v)| z[j * c + k] * v)
                            .sum::<f64>();
                    least = least.min(r);
                    priced.push((j, r));
                }
                let mut total = 0.0;
                for (_, r) in priced.iter_mut() {
                    let t = (*r - least) / tau;
                    // e⁻⁴⁰ is below rounding against the cheapest one's 1.
                    *r = if t > 40.0 { 0.0 } else { (-t).exp() };
                    total += *r;
                }
                value += least - tau * total.ln();
                for &(j, w) in priced.iter().filter(|(_, w)| *w > 0.0) {
                    let p = w / total;
                    for (k, v) in u.iter().enumerate() {
                        loads[j * c + k] += p * v;
                    }
                }
            }
            (value, loads)
        })
        .collect();
    let mut value = 0.0;
    grad.iter_mut().for_each(|g| *g = 0.0);
    for (v, loads) in &blocks {
        value += v;
        for (g, l) in grad.iter_mut().zip(loads) {
            *g -= l;
        }
    }
    let mut f = -value;
    for (idx, &x) in z.iter().enumerate() {
        let (a, b) = (x * bal.hi[idx], x * bal.lo[idx]);
        let gap = a - b;
        f += a.max(b) + tau * (-(gap.abs()) / tau).exp().ln_1p();
        let sigma = 1.0 / (1.0 + (-gap / tau).exp());
        grad[idx] += sigma * bal.hi[idx] + (1.0 - sigma) * bal.lo[idx];
    }
    f
}

/// L-BFGS with a line search that backtracks, and doubles while a full step
/// keeps paying (flat stretches of the dual, where no account is near a tie,
/// give no curvature to size the step). Returns the evaluations used.
fn minimise(
    mut f: impl FnMut(&[f64], &mut [f64]) -> f64,
    x: &mut [f64],
    iterations: usize,
    tolerance: f64,
    first_step: f64,
) -> usize {
    let m = x.len();
    let mut g = vec![0.0; m];
    let mut fx = f(x, &mut g);
    let mut evaluations = 1;
    let mut history: std::collections::VecDeque<(Vec<f64>, Vec<f64>, f64)> =
        std::collections::VecDeque::new();
    let mut trial = vec![0.0; m];
    let mut g_trial = vec![0.0; m];
    for _ in 0..iterations {
        if g.iter().map(|v| v.abs()).sum::<f64>() <= tolerance {
            break;
        }
        let mut d = direction(&g, &history, first_step);
        let mut slope: f64 = g.iter().zip(&d).map(|(a, b)| a * b).sum();
        if slope.is_nan() || slope >= 0.0 {
            history.clear();
            d = direction(&g, &history, first_step);
            slope = g.iter().zip(&d).map(|(a, b)| a * b).sum();
        }
        let mut step = 1.0;
        let mut accepted: Option<(f64, f64, Vec<f64>)> = None;
        for _ in 0..40 {
            for ((t, xi), di) in trial.iter_mut().zip(x.iter()).zip(&d) {
                *t = xi + step * di;
            }
            let ft = f(&trial, &mut g_trial);
            evaluations += 1;
            let armijo = ft.is_finite() && ft <= fx + 1e-4 * step * slope;
            match (&accepted, armijo) {
                // A longer step that still pays replaces the shorter one.
                (Some((_, fa, _)), true) if ft < *fa => {
                    accepted = Some((step, ft, g_trial.clone()));
                    step *= 2.0;
                }
                (Some(_), _) => break,
                (None, true) => {
                    accepted = Some((step, ft, g_trial.clone()));
                    // With curvature pairs the quasi-Newton step is sized already.
                    if step < 1.0 || !history.is_empty() {
                        break;
                    }
                    step *= 2.0;
                }
                (None, false) => step *= 0.5,
            }
        }
        let Some((step, ft, g_new)) = accepted else {
            break;
        };
        let s: Vec<f64> = d.iter().map(|di| step * di).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
        for (xi, si) in x.iter_mut().zip(&s) {
            *xi += si;
        }
        fx = ft;
        g = g_new;
        if sy > 1e-12 {
            if history.len() == MEMORY {
                history.pop_front();
            }
            history.push_back((s, y, 1.0 / sy));
        }
    }
    evaluations
}

/// The L-BFGS two-loop recursion: `−H·g` from the stored curvature pairs,
/// or a steepest-descent step moving no price by more than `first_step`.
fn direction(
    g: &[f64],
    history: &std::collections::VecDeque<(Vec<f64>, Vec<f64>, f64)>,
    first_step: f64,
) -> Vec<f64> {
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let Some((s_last, y_last, _)) = history.back() else {
        let largest = g.iter().fold(0.0f64, |a, v| a.max(v.abs())).max(1e-300);
        return g.iter().map(|v| -v * first_step / largest).collect();
    };
    let mut q = g.to_vec();
    let mut alphas = Vec::with_capacity(history.len());
    for (s, y, rho) in history.iter().rev() {
        let alpha = rho * dot(s, &q);
        for (qi, yi) in q.iter_mut().zip(y) {
            *qi -= alpha * yi;
        }
        alphas.push(alpha);
    }
    let gamma = dot(s_last, y_last) / dot(y_last, y_last).max(1e-300);
    for qi in q.iter_mut() {
        *qi *= gamma;
    }
    for ((s, y, rho), alpha) in history.iter().zip(alphas.iter().rev()) {
        let beta = rho * dot(y, &q);
        for (qi, si) in q.iter_mut().zip(s) {
            *qi += (alpha - beta) * si;
        }
    }
    q.iter().map(|v| -v).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lbfgs_minimises_a_badly_scaled_quadratic() {
        // f = Σ aᵢ (xᵢ − i)², curvatures from 1 to 10⁴.
        let a = [1.0, 10.0, 100.0, 1e4];
        let mut x = vec![0.0; 4];
        minimise(
            |x, g| {
                let mut f = 0.0;
                for i in 0..4 {
                    let d = x[i] - i as f64;
                    f += a[i] * d * d;
                    g[i] = 2.0 * a[i] * d;
                }
                f
            },
            &mut x,
            200,
            1e-9,
            1.0,
        );
        for (i, v) in x.iter().enumerate() {
            assert!((v - i as f64).abs() < 1e-6, "x[{i}] = {v}");
        }
    }
}
