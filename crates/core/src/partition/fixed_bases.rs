//! Candidates and prices for fixed rep bases.
//!
//! Free centres move to their accounts, so each account's nearest centres
//! are where it can go. Fixed bases do not: a dense cluster of reps in one
//! city leaves some bases among few accounts' nearest, and an island short of
//! reps must send accounts to the mainland, which is among no island
//! account's nearest. The prices that balance such plans differ by orders of
//! magnitude, where the sign-based ascent oscillates; the smoothed dual
//! reaches them, and the candidates are then regenerated from the prices.

use super::balance::Balance;
use super::candidates::Candidates;
use super::lagrangian::Prices;
use super::smoothed_dual;
use crate::problem::Problem;

/// Each fixed base is a candidate of at least this many times its share of the accounts.
const COVERAGE: f64 = 3.0;

/// Above this many account × territory pairs, candidates are not regenerated
/// from the prices (that prices every territory for every account).
const REPRICE_MAX_PAIRS: usize = 200_000_000;

/// Climbs the smoothed dual from `prices` over candidates that cover every
/// base, then (when `reprice`) replaces each account's candidates by its `k`
/// cheapest priced territories and climbs again. Prices that an earlier call
/// left (`warm`) go straight to the repricing. Returns the candidates the LP
/// should use; `prices` are left at the last climb's.
#[allow(clippy::too_many_arguments)]
pub(crate) fn settle(
    problem: &Problem,
    bal: &Balance,
    cand: Candidates,
    centres: &[[f64; 2]],
    k: usize,
    prices: &mut Prices,
    reprice: bool,
    warm: bool,
) -> Candidates {
    let n = problem.accounts.len();
    let need: Vec<usize> = problem
        .shares()
        .iter()
        .map(|s| (COVERAGE * s * n as f64).ceil() as usize)
        .collect();
    let cand = cand.with_coverage(&problem.points, centres, &problem.locked, &need);
    let reprice = reprice && n.saturating_mul(centres.len()) <= REPRICE_MAX_PAIRS;
    if !(warm && reprice) {
        smoothed_dual::climb(bal, &cand, prices);
    }
    if !reprice {
        return cand;
    }
    let cand = cand
        .repriced(&problem.points, centres, k, |i, j, c| {
            prices.priced(bal, i, j, c)
        })
        .with_coverage(&problem.points, centres, &problem.locked, &need);
    smoothed_dual::climb(bal, &cand, prices);
    cand
}
