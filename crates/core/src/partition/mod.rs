//! The partition engine: balanced, compact territories.
//!
//! What runs, in order (`plan_with_progress`):
//!
//! 1. **Centres**: rep bases when given (fixed). Free centres start from a
//!    recursive bisection of the accounts by their mean criterion share
//!    (`seeding`, the default) or from k-means++ (`Seeding::KMeansPlusPlus`,
//!    always used when some centres are fixed).
//! 2. **Candidates**: the `k` nearest centres of each account from an R-tree
//!    (`candidates`).
//! 3. **Prices**: sign-based (Rprop-style) steps on the balance bands give
//!    per-territory prices under which "each account to its cheapest
//!    candidate" is nearly balanced (`lagrangian`). With fixed bases, past
//!    the full LP's size, the prices come from the smoothed Lagrangian dual
//!    instead (`smoothed_dual`, L-BFGS). The candidates there are widened so
//!    every base can fill its band (territories under 300 accounts climb
//!    first over every territory, or the nearest that fit 8 million pairs),
//!    and regenerated from the prices over every territory (`fixed_bases`).
//! 4. **Balancing LP**: accounts whose two cheapest priced candidates are close
//!    (the frontier) are free in an LP solved by `good_lp`/clarabel; the rest
//!    are fixed (`balancing`, `frontier`, `balance_lp`). If the bands cannot be met, the frontier and
//!    then `k` grow; sifting re-solves with the LP's own duals.
//! 5. **Whole assignment**: split accounts are rounded, a greedy repair
//!    removes band violations at the least cost, and polishing moves and swaps
//!    reduce cost while keeping every band (`whole`, `repair`).
//! 6. **Location–allocation**: free centres move to their accounts' centroid,
//!    and steps 2–3 repeat until compactness stops improving (`locate`). The
//!    LP then runs on the best centres found.
//! 7. **Contiguity**: fragments merge into a neighbour along the adjacency,
//!    with greedy border moves, swaps and ejection chains for balance
//!    (`contiguity`), then a tabu search over border moves that may keep or
//!    raise the violation to pass an excess on through full neighbours
//!    (`border_tabu`). Up to 20,000 accounts, a band still missed gets three
//!    rounds of free repair, contiguity repair and tabu search (the least
//!    violation kept), and up to 10,000 accounts perturbation rounds. The p-median
//!    local search (`pmedian`) runs for the distance objective on small
//!    problems.
//! 8. **Recombination** (contiguity on, squared-distance objective, not a
//!    rebalance): two touching territories are merged and re-split along the
//!    best cut of random spanning trees of their accounts, by (band
//!    violation, Σ weight × squared distance), or over all their connected
//!    bipartitions when the pair has at most 40 (`exact_split`); on problems of ≤ 5,000
//!    accounts with a band of ±2% or narrower, annealing over the same
//!    re-splits follows (`recombine`).
//! 9. **Bases home**: the account nearest each fixed base (whose drawn cell
//!    holds the base) joins the rep's territory when the bands and contiguity
//!    still hold after border moves; otherwise [`Plan::bases_outside`] says
//!    why (`home`).
//!
//! 10. **Starts** (`multistart`): on problems of at most 2,000 accounts with
//!     free centres, contiguity and a band of ±2% or tighter, steps 1–9 run
//!     from several starts in parallel (k-means++ centres with their own
//!     seeds) and the best plan is kept, then restarted once from its own
//!     centres, kept when better ([`PlanOptions::starts`]).
//!
//! Above `aggregate_above` accounts, the same steps run on basic cells first
//! (`aggregate`). Alignment levels (`levels`) run the engine once per level.

mod aggregate;
mod balance;
mod balance_lp;
mod balancing;
mod border;
mod border_tabu;
mod candidates;
mod centres;
mod contiguity;
mod diagnostics;
mod exact_split;
mod finish;
mod fixed_bases;
mod frontier;
mod home;
mod lagrangian;
pub mod levels;
mod locate;
mod multistart;
mod options;
mod outcome;
mod pmedian;
mod recombine;
mod repair;
mod repair_graph;
mod seeding;
mod smoothed_dual;
mod territory_lists;
mod whole;

use std::time::Instant;

pub use crate::objective::Objective;
use crate::problem::Problem;
pub use crate::progress::{NoProgress, Progress};
use crate::projection::dist2;
use balance::Balance;
use candidates::Candidates;
use centres::{centroids, medoids};
use finish::{finish, LpBound};
pub use home::{BaseOutside, BaseOutsideKind};
use lagrangian::Prices;
pub use multistart::plan_multistart;
pub use options::{CentreRule, DisruptionMeasure, PlanOptions, Rebalance, Seeding};
pub use outcome::{Diagnostic, DiagnosticKind, Plan, PlanError, SolveStats};

/// Plans territories with default progress (none).
///
/// ```
/// use territory::{plan, Account, Location, PlanOptions, Problem, Measure, Status};
/// let accounts: Vec<Account> = (0..60)
///     .map(|i| {
///         let status = if i % 2 == 0 { Status::Prospect } else { Status::Customer };
///         Account::new(format!("a{i}"), Location::new(60.0 + (i % 6) as f64 * 0.01, 24.0 + (i / 6) as f64 * 0.01))
///             .with_status(status)
///     })
///     .collect();
/// let problem = Problem::builder()
///     .accounts(accounts)
///     .territories(3)
///     .criterion(Measure::Customers, 0.10)
///     .criterion(Measure::Prospects, 0.10)
///     .build()?;
/// let plan = plan(&problem, &PlanOptions::default())?;
/// assert_eq!(plan.assignment.len(), 60);
/// assert!(plan.metrics.balanced());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn plan(problem: &Problem, options: &PlanOptions) -> Result<Plan, PlanError> {
    plan_with_progress(problem, options, &NoProgress)
}

/// Plans territories, reporting phases to `progress`: one run of the engine,
/// or the best of several starts (see [`PlanOptions::starts`]).
pub fn plan_with_progress(
    problem: &Problem,
    options: &PlanOptions,
    progress: &dyn Progress,
) -> Result<Plan, PlanError> {
    let starts = multistart::starts(problem, options);
    if starts > 1 {
        return multistart::best_of(problem, options, starts, progress);
    }
    plan_single(problem, options, progress)
}

/// One run of the engine (steps 1–9 of the module docs).
fn plan_single(
    problem: &Problem,
    options: &PlanOptions,
    progress: &dyn Progress,
) -> Result<Plan, PlanError> {
    let n = problem.accounts.len();
    // A cap that the uncapped rebalance already meets must not change it: the
    // capped search (another LP) could otherwise move more, not fewer.
    if let Some(r) = options.rebalance.as_ref().filter(|r| r.max_moves.is_some()) {
        let uncapped = PlanOptions {
            rebalance: Some(Rebalance {
                max_moves: None,
                ..r.clone()
            }),
            ..options.clone()
        };
        let free = plan_single(problem, &uncapped, progress)?;
        if discretionary_moves(problem, &free.assignment) <= r.max_moves.unwrap_or(usize::MAX) {
            return Ok(free);
        }
    }
    // Travel times are per account, so a problem measured in them is not aggregated.
    if n > options.aggregate_above && options.rebalance.is_none() && problem.centre_travel.is_none()
    {
        return aggregate::plan_aggregated(problem, options, progress);
    }
    let mut timer = PhaseTimer::default();
    let kt = problem.territories.len();
    let bal = Balance::new(problem);
    let locked_to = locked_territories(problem);
    let fixed: Vec<Option<[f64; 2]>> = problem
        .territories
        .iter()
        .map(|t| t.base.map(|b| problem.projection.forward(b)))
        .collect();

    let run = Run {
        problem,
        options,
        bal: &bal,
        fixed: &fixed,
        locked_to: &locked_to,
        progress,
    };
    progress.phase("seeding centres");
    let mut centres = seeding::starting_centres(&run);
    timer.lap("seeding");

    let mut k = options.candidates.max(2).min(kt);
    let mut prices = Prices::zero(kt * bal.c);
    let mut rounds = 0;
    if fixed.iter().any(Option::is_none) && options.rebalance.is_none() {
        progress.phase("locating centres");
        (centres, rounds) = locate::locate_centres(&run, centres, k, &mut prices);
        timer.lap("locating centres");
    }

    progress.phase("balancing LP");
    let balanced = balancing::balance(&run, &centres, &mut k, &mut prices)?;
    let (cand, outcome, frontier) = (balanced.cand, balanced.outcome, balanced.frontier);
    let bound_prices = balanced.bound_prices;
    timer.lap("balancing LP");

    progress.phase("rounding and repair");
    let (asg, split) = whole::round_and_repair(&run, &cand, &outcome, &frontier);
    timer.lap("rounding and repair");

    // Exact over all territories while that stays cheap (n·K up to 2·10⁸).
    let exact = (n.saturating_mul(kt) <= 200_000_000)
        .then_some((problem.points.as_slice(), centres.as_slice()));
    // The bound is on compactness; a rebalance optimises disruption instead.
    // Weak duality makes it valid whatever the LP over the candidates reached
    // (it prices every territory), so it is reported even when that LP missed.
    // Zero prices give the bound of every account at its nearest centre: an
    // elastic LP's slack penalties can leave the others below it, even below 0.
    let zero = Prices::zero(kt * bal.c);
    let bound = options.rebalance.is_none().then(|| LpBound {
        value: [&bound_prices, &prices, &zero]
            .iter()
            .map(|p| lagrangian::lower_bound(&bal, &cand, p, kt, exact))
            .fold(f64::NEG_INFINITY, f64::max)
            * cand.scale,
        prices: vec![&bound_prices, &prices, &zero],
    });
    let stats = SolveStats {
        rounds,
        candidates: k,
        lp_free_accounts: frontier.free.iter().filter(|f| f.is_some()).count(),
        lp_variables: outcome.variables,
        lp_slack: outcome.slack,
        split_accounts: split,
        contiguity_repair: None,
        aggregated_cells: None,
        phase_ms: Vec::new(),
    };
    Ok(finish(&run, &cand, asg, centres, bound, stats, timer))
}

/// The territory each locked account must stay in (`None` for the others).
fn locked_territories(problem: &Problem) -> Vec<Option<usize>> {
    (0..problem.accounts.len())
        .map(|i| problem.locked[i].then_some(problem.current[i]).flatten())
        .collect()
}

/// What the phases of one run of the engine read.
struct Run<'a> {
    problem: &'a Problem,
    options: &'a PlanOptions,
    bal: &'a Balance,
    /// Each territory's fixed centre (its rep's base, planar), `None` when free.
    fixed: &'a [Option<[f64; 2]>],
    /// The territory a locked account must stay in.
    locked_to: &'a [Option<usize>],
    progress: &'a dyn Progress,
}

impl Run<'_> {
    /// The `k` nearest centres of each account, priced for this problem's
    /// objective, travel times, weights and locks.
    fn candidates(&self, centres: &[[f64; 2]], k: usize) -> Candidates {
        let problem = self.problem;
        Candidates::build(
            &problem.points,
            centres,
            k,
            self.locked_to,
            self.options.objective,
            problem.centre_travel.as_ref(),
            problem.compactness_weights.as_ref().map(|(_, w)| w),
        )
    }
}

#[derive(Default)]
struct PhaseTimer {
    laps: Vec<(String, u64)>,
    since: Option<Instant>,
}

impl PhaseTimer {
    fn lap(&mut self, name: &str) {
        let now = Instant::now();
        let since = self.since.unwrap_or(now);
        self.laps.push((
            name.to_string(),
            now.duration_since(since).as_millis() as u64,
        ));
        self.since = Some(now);
    }
}

pub(crate) fn rescale(prices: &mut Prices, factor: f64) {
    prices
        .mu
        .iter_mut()
        .chain(prices.nu.iter_mut())
        .for_each(|p| *p *= factor);
}

fn inertia(
    points: &[[f64; 2]],
    weights: Option<&[f64]>,
    assignment: &[usize],
    centres: &[[f64; 2]],
    objective: Objective,
) -> f64 {
    points
        .iter()
        .zip(assignment)
        .enumerate()
        .map(|(i, (p, &j))| objective.cost(dist2(*p, centres[j])) * weights.map_or(1.0, |w| w[i]))
        .sum()
}

/// Moves of accounts whose current territory still exists (what `max_moves`
/// caps); accounts of removed territories must move and are not counted.
pub fn discretionary_moves(problem: &Problem, assignment: &[usize]) -> usize {
    problem
        .current
        .iter()
        .zip(assignment)
        .filter(|(c, &j)| c.is_some_and(|h| h != j))
        .count()
}

#[cfg(test)]
mod tests;
