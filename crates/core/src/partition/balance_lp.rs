//! The balancing LP, solved through `good_lp` with the pure-Rust clarabel backend.
//!
//! Minimise Σ cost·x subject to each frontier account being fully assigned among
//! its frontier candidates and every territory's load per criterion staying in
//! its band. Accounts off the frontier are fixed to their cheapest priced
//! candidate and enter as constants. Bands are elastic (penalised slack), so the
//! LP always solves and reports how far balance is out of reach.

use good_lp::{
    clarabel, constraint, variable, DualValues, Expression, ProblemVariables, Solution,
    SolutionWithDual, SolverModel, Variable,
};

use super::balance::Balance;
use super::candidates::Candidates;
use super::lagrangian::Prices;

/// Penalty per unit of band violation (one mean account's worth of a criterion),
/// far above any reassignment cost in normalised units.
const SLACK_PENALTY: f64 = 1.0e4;

/// Which accounts are free in the LP, and among which territories.
pub(crate) struct Frontier {
    /// For each account: `None` = fixed to `fixed_to[i]`; `Some(list)` = free among `list`.
    pub free: Vec<Option<Vec<usize>>>,
    pub fixed_to: Vec<usize>,
}

pub(crate) struct LpOutcome {
    /// Fractional assignment rows for free accounts: (territory, share).
    pub shares: Vec<Option<Vec<(usize, f64)>>>,
    /// Total band violation left in the LP optimum (0 = tolerances are reachable).
    pub slack: f64,
    /// Assignment cost of the LP optimum, fixed accounts included (cost units).
    pub cost: f64,
    /// Prices recovered from the duals of the band rows.
    pub prices: Prices,
    pub variables: usize,
}

/// Builds and solves the frontier LP; `margin` (0..1) narrows every band by that
/// fraction of its half-width. Should the solver fail (degenerate tiny
/// instances), each free account goes to its cheapest candidate instead and
/// the repair that follows restores balance: a plan is still returned, with
/// no bound.
pub(crate) fn solve(
    bal: &Balance,
    cand: &Candidates,
    frontier: &Frontier,
    territories: usize,
    margin: f64,
) -> Result<LpOutcome, String> {
    match solve_lp(bal, cand, frontier, territories, margin) {
        Ok(outcome) => Ok(outcome),
        Err(_) => Ok(cheapest_candidates(bal, cand, frontier, territories)),
    }
}

fn cheapest_candidates(
    bal: &Balance,
    cand: &Candidates,
    frontier: &Frontier,
    territories: usize,
) -> LpOutcome {
    let mut cost = 0.0;
    let shares = frontier
        .free
        .iter()
        .enumerate()
        .map(|(i, free)| {
            let list = free.as_ref()?;
            let best = list
                .iter()
                .copied()
                .min_by(|&a, &b| {
                    let (ca, cb) = (cand.cost_of(i, a), cand.cost_of(i, b));
                    ca.unwrap_or(f64::INFINITY)
                        .total_cmp(&cb.unwrap_or(f64::INFINITY))
                        .then(a.cmp(&b))
                })
                .unwrap_or(frontier.fixed_to[i]);
            Some(vec![(best, 1.0)])
        })
        .collect::<Vec<_>>();
    for (i, s) in shares.iter().enumerate() {
        let j = s.as_ref().map_or(frontier.fixed_to[i], |v| v[0].0);
        cost += cand.cost_of(i, j).unwrap_or(0.0);
    }
    LpOutcome {
        shares,
        slack: f64::INFINITY,
        cost,
        prices: Prices::zero(territories * bal.c),
        variables: 0,
    }
}

fn solve_lp(
    bal: &Balance,
    cand: &Candidates,
    frontier: &Frontier,
    territories: usize,
    margin: f64,
) -> Result<LpOutcome, String> {
    let c = bal.c;
    let mut fixed_load = vec![0.0; territories * c];
    let mut vars = ProblemVariables::new();
    let mut objective = Expression::with_capacity(frontier.free.len() * 3);
    let mut rows: Vec<Expression> = (0..territories * c)
        .map(|_| Expression::with_capacity(64))
        .collect();
    let mut columns: Vec<Option<Vec<(usize, Variable)>>> = Vec::with_capacity(frontier.free.len());
    let mut assignment_rows: Vec<Expression> = Vec::new();
    let mut variables = 0;
    for (i, free) in frontier.free.iter().enumerate() {
        let u = bal.values(i);
        match free {
            None => {
                let j = frontier.fixed_to[i];
                for (k, v) in u.iter().enumerate() {
                    fixed_load[j * c + k] += v;
                }
                columns.push(None);
            }
            Some(list) => {
                let mut row = Expression::with_capacity(list.len());
                let mut cols = Vec::with_capacity(list.len());
                for &j in list {
                    let x = vars.add(variable().min(0.0));
                    variables += 1;
                    let cost = cand
                        .cost_of(i, j)
                        .expect("frontier territories are candidates");
                    objective.add_mul(cost, x);
                    row.add_mul(1.0, x);
                    for (k, v) in u.iter().enumerate() {
                        if *v != 0.0 {
                            rows[j * c + k].add_mul(*v, x);
                        }
                    }
                    cols.push((j, x));
                }
                assignment_rows.push(row);
                columns.push(Some(cols));
            }
        }
    }
    // A cap on moves (rebalancing): hard in effect, elastic so the LP always solves.
    let mut move_row: Option<(Expression, f64, Variable)> = None;
    if let Some(d) = cand.disruption.as_ref() {
        if let Some(limit) = d.max_moves {
            let mut row = Expression::with_capacity(64);
            let mut fixed_moves = 0.0;
            for (i, col) in columns.iter().enumerate() {
                let Some(home) = d.home[i] else { continue };
                match col {
                    Some(cols) => cols
                        .iter()
                        .filter(|(j, _)| *j != home)
                        .for_each(|(_, x)| row.add_mul(1.0, *x)),
                    None if frontier.fixed_to[i] != home => fixed_moves += 1.0,
                    None => {}
                }
            }
            let excess = vars.add(variable().min(0.0));
            move_row = Some((row, limit as f64 - fixed_moves, excess));
        }
    }
    let over: Vec<Variable> = (0..territories * c)
        .map(|_| vars.add(variable().min(0.0)))
        .collect();
    let under: Vec<Variable> = (0..territories * c)
        .map(|_| vars.add(variable().min(0.0)))
        .collect();
    for idx in 0..territories * c {
        objective.add_mul(SLACK_PENALTY, over[idx]);
        objective.add_mul(SLACK_PENALTY, under[idx]);
    }
    if let Some((_, _, excess)) = &move_row {
        objective.add_mul(100.0 * SLACK_PENALTY, *excess);
    }
    let mut model = vars.minimise(objective).using(clarabel);
    if let Some((row, rhs, excess)) = move_row {
        model.add_constraint(constraint!(row - excess <= rhs));
    }
    model
        .settings()
        .tol_gap_rel(1e-6)
        .tol_gap_abs(1e-6)
        .max_iter(400);
    for row in assignment_rows {
        model.add_constraint(constraint!(row == 1.0));
    }
    let mut upper_refs = Vec::with_capacity(territories * c);
    let mut lower_refs = Vec::with_capacity(territories * c);
    for (idx, row) in rows.into_iter().enumerate() {
        let upper = row.clone() - over[idx];
        let lower = row + under[idx];
        // The margin keeps room inside each band for rounding split accounts.
        let inset = margin * (bal.hi[idx] - bal.lo[idx]) / 2.0;
        upper_refs.push(
            model.add_constraint(constraint!(upper <= bal.hi[idx] - inset - fixed_load[idx])),
        );
        lower_refs.push(
            model.add_constraint(constraint!(lower >= bal.lo[idx] + inset - fixed_load[idx])),
        );
    }
    let mut solution = model
        .solve()
        .map_err(|e| format!("balancing LP failed: {e}"))?;
    let slack: f64 = over
        .iter()
        .chain(&under)
        .map(|v| solution.value(*v).max(0.0))
        .sum();
    let mut cost = 0.0;
    for (i, col) in columns.iter().enumerate() {
        match col {
            Some(cols) => {
                for (j, x) in cols {
                    cost += cand.cost_of(i, *j).unwrap_or(0.0) * solution.value(*x).max(0.0);
                }
            }
            None => cost += cand.cost_of(i, frontier.fixed_to[i]).unwrap_or(0.0),
        }
    }
    let shares = columns
        .iter()
        .map(|col| {
            col.as_ref()
                .map(|cols| cols.iter().map(|(j, x)| (*j, solution.value(*x))).collect())
        })
        .collect();
    let duals = solution.compute_dual();
    // The price of an upper band is how much the objective falls per unit the
    // band is raised; good_lp's dual sign is the objective's sensitivity, so negate.
    let mu = upper_refs
        .iter()
        .map(|r| (-duals.dual(r.clone())).max(0.0))
        .collect();
    let nu = lower_refs
        .iter()
        .map(|r| duals.dual(r.clone()).max(0.0))
        .collect();
    Ok(LpOutcome {
        shares,
        slack,
        cost,
        prices: Prices { mu, nu },
        variables,
    })
}
