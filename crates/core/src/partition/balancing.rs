//! The balancing LP (step 4 of the engine): candidates priced towards the
//! bands, the accounts near a tie freed in an LP (`frontier`, `balance_lp`),
//! the frontier and then the candidates widened while the bands are missed,
//! sifting with the LP's duals, and a last solve with room for rounding.
//! With fixed bases past the full LP's size, the prices come from the
//! smoothed dual (`fixed_bases`).

use super::balance_lp::{self, Frontier, LpOutcome};
use super::candidates::{self, Candidates};
use super::frontier::{select_frontier, sift, LP_FULL_VARIABLES};
use super::lagrangian::{self, Prices};
use super::DisruptionMeasure;
use super::{fixed_bases, PlanError, Rebalance, Run};
use crate::problem::Problem;

/// Fewest accounts per territory for which fixed bases climb the smoothed
/// dual over their geometric candidates. Below it, a few nearest bases
/// cannot balance a cluster of reps drawn where people live, the restricted
/// dual is unbounded there, and the climb ran away (100,000 accounts on
/// 1,000 Polish bases left a band violation of about 150,000): small
/// territories climb over [`WIDE_PAIRS`] account × territory pairs instead.
const SMOOTHED_MIN_ACCOUNTS: usize = 300;

/// Account × territory pairs priced in each step of the first climb for
/// small fixed territories: every territory up to 8 million pairs (20,000
/// accounts on 200 bases), the nearest 80 of 1,000 for 100,000 accounts.
const WIDE_PAIRS: usize = 8_000_000;

/// Most accounts free in the first LP with fixed bases (doubled when it misses).
const FIXED_FRONTIER: usize = 10_000;

/// Most accounts free in a rebalancing LP.
const REBALANCE_FRONTIER: usize = 30_000;

/// Up to this many LP variables, the LP is solved a second time with room for rounding.
const MARGIN_RESOLVE_VARIABLES: usize = 100_000;

/// What the balancing step hands to rounding.
pub(super) struct Balanced {
    /// The candidates the LP chose among.
    pub cand: Candidates,
    /// The LP the assignment is rounded from (with room for rounding when
    /// that stayed within reach).
    pub outcome: LpOutcome,
    pub frontier: Frontier,
    /// The full-band LP's duals, which give the compactness bound.
    pub bound_prices: Prices,
}

/// Balances from `centres`; `k` (candidates per account) and `prices` are
/// widened and updated on the way.
pub(super) fn balance(
    run: &Run<'_>,
    centres: &[[f64; 2]],
    k_inout: &mut usize,
    prices: &mut Prices,
) -> Result<Balanced, PlanError> {
    let mut k = *k_inout;
    let (problem, options, bal, fixed, progress) =
        (run.problem, run.options, run.bal, run.fixed, run.progress);
    let n = problem.accounts.len();
    let kt = problem.territories.len();
    let disruption = options
        .rebalance
        .as_ref()
        .map(|r| disruption_costs(problem, r));
    // A rebalance leaves most accounts at home, and with fixed bases the
    // smoothed dual's prices settle all but those near a tie: only those need
    // to be free, which keeps the LP small.
    let mut frontier_cap = match options.rebalance {
        Some(_) => options.lp_max_accounts.clamp(1, REBALANCE_FRONTIER),
        None if fixed.iter().any(Option::is_some) => {
            options.lp_max_accounts.clamp(1, FIXED_FRONTIER)
        }
        None => options.lp_max_accounts.max(1),
    };
    // Widening the frontier stops at twice its first size.
    let frontier_limit = 2 * frontier_cap;
    // Whether the prices come from the smoothed dual already (a wider retry).
    let mut settled_before = false;
    let (cand, outcome, frontier) = loop {
        let any_fixed = fixed.iter().any(Option::is_some);
        let small_fixed = any_fixed && n < SMOOTHED_MIN_ACCOUNTS * kt && disruption.is_none();
        // A partial or narrowed LP leaves most accounts to the prices; with
        // fixed bases the sign-based ones are far from the LP's duals.
        let smoothed = any_fixed
            && n.saturating_mul(k) > LP_FULL_VARIABLES
            && (small_fixed || n >= SMOOTHED_MIN_ACCOUNTS * kt);
        // Small fixed territories start the smoothed dual from a wide candidate set.
        let wide = (WIDE_PAIRS / n.max(1)).max(k);
        let cand = run.candidates(
            centres,
            if smoothed && small_fixed && !settled_before {
                wide
            } else {
                k
            },
        );
        let cand = match disruption.clone() {
            Some(d) => cand.with_disruption(&problem.points, centres, d),
            None => cand,
        };
        let mut priced = lagrangian::ascend(bal, &cand, prices, kt, options.ascent_iterations);
        let cand = if smoothed {
            let settled = fixed_bases::settle(
                problem,
                bal,
                cand,
                centres,
                k,
                prices,
                disruption.is_none(),
                settled_before,
            );
            settled_before = true;
            priced = lagrangian::priced_assignment(bal, &settled, prices);
            let exact = (n.saturating_mul(kt) <= 200_000_000)
                .then_some((problem.points.as_slice(), centres));
            progress.detail(&format!(
                "smoothed dual: bound {:.1}, {} candidates at most",
                lagrangian::lower_bound(bal, &settled, prices, kt, exact) * settled.scale,
                settled.widest()
            ));
            settled
        } else {
            cand
        };
        progress.detail(&format!(
            "prices: band violation {:.1} with every account at its cheapest priced candidate",
            bal.violation(&bal.loads(&priced, kt))
        ));
        let mut cap = frontier_cap;
        let (outcome, frontier) = loop {
            let frontier = select_frontier(bal, &cand, prices, cap);
            let free = frontier.free.iter().filter(|f| f.is_some()).count();
            progress.detail(&format!(
                "LP with {free} free accounts, {k} candidates each"
            ));
            // Large LPs are solved once, with room for rounding inside the bands;
            // the full bands are the fallback when that room is out of reach.
            let variables: usize = frontier.free.iter().flatten().map(Vec::len).sum();
            let single = variables > MARGIN_RESOLVE_VARIABLES;
            let margin = if single { options.rounding_margin } else { 0.0 };
            let mut outcome =
                balance_lp::solve(bal, &cand, &frontier, kt, margin).map_err(PlanError::Solver)?;
            if single && outcome.slack > 1e-6 {
                outcome =
                    balance_lp::solve(bal, &cand, &frontier, kt, 0.0).map_err(PlanError::Solver)?;
            }
            let all_free = free
                == frontier
                    .free
                    .iter()
                    .zip(&cand.len)
                    .filter(|(_, l)| **l > 1)
                    .count();
            if outcome.slack <= 1e-6 || all_free {
                break (outcome, frontier);
            }
            // Re-price with the LP's duals and widen the frontier, within twice the LP budget.
            if cap >= frontier_limit {
                break (outcome, frontier);
            }
            // The elastic LP's duals are its slack penalty on the missed bands:
            // they replace the prices only when they balance the fixed accounts better.
            let current =
                bal.violation(&bal.loads(&lagrangian::priced_assignment(bal, &cand, prices), kt));
            let offered = bal.violation(&bal.loads(
                &lagrangian::priced_assignment(bal, &cand, &outcome.prices),
                kt,
            ));
            progress.detail(&format!(
                "LP missed the bands by {:.1}; prices: {current:.1}, LP duals: {offered:.1}",
                outcome.slack
            ));
            if offered < current {
                *prices = outcome.prices.clone();
            }
            cap = (cap * 2).min(n);
        };
        frontier_cap = cap;
        if outcome.slack > 1e-6 && k < kt && k < 2 * options.candidates {
            k = (k * 2).min(kt);
            progress.detail(&format!(
                "tolerances out of reach; widening to {k} candidates"
            ));
            continue;
        }
        break (cand, outcome, frontier);
    };
    let (mut outcome, frontier) = sift(run, &cand, outcome, frontier, frontier_cap)?;
    // The full-band LP gives the bound's prices; for the assignment, re-solve with
    // room for rounding inside the bands when that stays within reach.
    let bound_prices = outcome.prices.clone();
    if outcome.slack <= 1e-6 && outcome.variables <= MARGIN_RESOLVE_VARIABLES {
        let narrowed = balance_lp::solve(bal, &cand, &frontier, kt, options.rounding_margin)
            .map_err(PlanError::Solver)?;
        if narrowed.slack <= 1e-6 {
            outcome = narrowed;
        }
    }
    *k_inout = k;
    Ok(Balanced {
        cand,
        outcome,
        frontier,
        bound_prices,
    })
}

/// What moving an account costs in a rebalance, per account.
fn disruption_costs(problem: &Problem, r: &Rebalance) -> candidates::DisruptionCosts {
    let n = problem.accounts.len();
    let mean_revenue = problem.accounts.iter().map(|a| a.revenue).sum::<f64>() / n.max(1) as f64;
    let move_cost = problem
        .accounts
        .iter()
        .map(|a| match r.measure {
            DisruptionMeasure::Accounts => 1.0,
            // A small floor so moving a zero-revenue account is not free.
            DisruptionMeasure::Revenue if mean_revenue > 0.0 => a.revenue / mean_revenue + 0.01,
            DisruptionMeasure::Revenue => 1.0,
        })
        .collect();
    candidates::DisruptionCosts {
        home: problem.current.clone(),
        move_cost,
        compactness_weight: 1e-3,
        max_moves: r.max_moves,
    }
}
