//! Very large problems: plan on basic cells, then finish on the accounts.
//!
//! Accounts are grouped into spatially compact cells of equal size by recursive
//! median cuts (locked accounts stay single). The cells — each carrying the sum
//! of its accounts' criterion values at its centroid, and touching where their
//! accounts touch — are planned like accounts. Every account then takes its
//! cell's territory, and the account-level steps (band repair, polishing when
//! contiguity is off, contiguity repair, metrics) run on the whole problem
//! with the cell plan's centres.

use super::balance::Balance;
use super::candidates::Candidates;
use super::lagrangian::{self, Prices};
use super::{
    finish, locked_territories, plan_with_progress, repair, rescale, seeding, LpBound, PhaseTimer,
    Plan, PlanError, PlanOptions, Progress, Run,
};
use crate::criteria::Measure;
use crate::model::{Account, Location, Rep};
use crate::problem::Problem;

pub(crate) fn plan_aggregated(
    problem: &Problem,
    options: &PlanOptions,
    progress: &dyn Progress,
) -> Result<Plan, PlanError> {
    let mut timer = PhaseTimer::default();
    let n = problem.accounts.len();
    let kt = problem.territories.len();
    progress.phase("aggregating into cells");
    let size = n.div_ceil(options.aggregate_cells.max(kt * 4)).max(1);
    let free: Vec<usize> = (0..n).filter(|&i| !problem.locked[i]).collect();
    let mut groups = seeding::compact_groups(&problem.points, free, size);
    groups.extend((0..n).filter(|&i| problem.locked[i]).map(|i| vec![i]));
    progress.detail(&format!("{} cells of up to {size} accounts", groups.len()));

    let cells: Vec<Account> = groups
        .iter()
        .enumerate()
        .map(|(g, members)| {
            let m = members.len() as f64;
            let (x, y) = members.iter().fold((0.0, 0.0), |(x, y), &i| {
                (x + problem.points[i][0], y + problem.points[i][1])
            });
            let mut cell = Account::new(format!("cell{g}"), Location::new(y / m, x / m));
            for c in 0..problem.criteria.len() {
                let sum: f64 = members.iter().map(|&i| problem.values[c][i]).sum();
                cell.attributes.insert(format!("criterion{c}"), sum);
            }
            if let [i] = members.as_slice() {
                if problem.locked[*i] {
                    cell.locked = true;
                    cell.territory = problem.current[*i].map(|j| problem.territories[j].id.clone());
                }
            }
            cell
        })
        .collect();
    let reps: Vec<Rep> = problem
        .territories
        .iter()
        .map(|t| {
            let base = t.base.map(|b| {
                let p = problem.projection.forward(b);
                Location::new(p[1], p[0])
            });
            let mut rep = Rep::new(t.id.clone(), base).with_capacity(t.capacity);
            rep.name = t.name.clone();
            rep
        })
        .collect();
    // Cells touch where their accounts do (not by Delaunay on their
    // centroids), so that a territory whole in cells is nearly whole in
    // accounts.
    let mut cell_of = vec![0usize; n];
    for (g, members) in groups.iter().enumerate() {
        for &i in members {
            cell_of[i] = g;
        }
    }
    let mut touching: Vec<(usize, usize)> = problem
        .adjacency_graph()
        .edges()
        .iter()
        .filter_map(|&(a, b)| {
            let (x, y) = (cell_of[a], cell_of[b]);
            (x != y).then(|| (x.min(y), x.max(y)))
        })
        .collect();
    touching.sort_unstable();
    touching.dedup();
    let mut builder = Problem::builder()
        .accounts(cells)
        .reps(reps)
        .planar(true)
        .adjacency(touching);
    for (c, crit) in problem.criteria.iter().enumerate() {
        builder = builder.criterion(Measure::Attribute(format!("criterion{c}")), crit.tolerance);
    }
    let cell_problem = builder
        .build()
        .map_err(|e| PlanError::Solver(format!("cell problem: {e}")))?;
    timer.lap("aggregating");

    let cell_options = PlanOptions {
        aggregate_above: usize::MAX,
        ..options.clone()
    };
    let cell_plan = plan_with_progress(&cell_problem, &cell_options, progress)?;
    timer.laps.extend(
        cell_plan
            .stats
            .phase_ms
            .iter()
            .map(|(name, ms)| (format!("cells: {name}"), *ms)),
    );

    progress.phase("account-level repair");
    let mut of = vec![0; n];
    for (g, members) in groups.iter().enumerate() {
        for &i in members {
            of[i] = cell_plan.assignment[g];
        }
    }
    let locked_to: Vec<Option<usize>> = (0..n)
        .map(|i| {
            if problem.locked[i] {
                problem.current[i]
            } else {
                None
            }
        })
        .collect();
    let bal = Balance::new(problem);
    let cand = Candidates::build(
        &problem.points,
        &cell_plan.centres,
        options.candidates,
        &locked_to,
        options.objective,
        None,
        problem.compactness_weights.as_ref().map(|(_, w)| w),
    );
    // Accounts whose cell's territory is not among their candidates keep it.
    let mut asg = repair::Assignment::new(of, &bal, kt);
    repair::repair(&mut asg, &bal, &cand, kt);
    // The cells' territories are whole; cost-lowering moves of single
    // accounts towards their nearest centre cut them into pieces that the
    // contiguity repair must merge back at the bands' expense (1,000,000
    // accounts on 1,000 fixed bases: 21,688 pieces, a band violation of
    // 52,365 and 220 s of tabu search to win it back).
    if !options.contiguity {
        repair::polish(&mut asg, &bal, &cand, 2);
    }
    timer.lap("account-level repair");

    let fixed: Vec<Option<[f64; 2]>> = problem
        .territories
        .iter()
        .map(|t| t.base.map(|b| problem.projection.forward(b)))
        .collect();
    let mut stats = cell_plan.stats.clone();
    stats.aggregated_cells = Some(groups.len());
    stats.phase_ms = Vec::new();
    // The cells' prices bound the account-level problem too (weak duality:
    // any prices do; the cells' criteria are the accounts' sums in the same
    // units), once put into the accounts' cost units.
    // Zero prices too, as on the accounts' own path: they bound by every
    // account at its nearest centre, which the cells' prices need not beat.
    let prices: Vec<Prices> = match (&cell_plan.prices, options.rebalance.is_none()) {
        (Some((list, cell_scale)), true) => list
            .iter()
            .map(|p| {
                let mut p = p.clone();
                rescale(&mut p, cell_scale / cand.scale);
                p
            })
            .chain(std::iter::once(Prices::zero(kt * bal.c)))
            .collect(),
        _ => Vec::new(),
    };
    let exact = (n.saturating_mul(kt) <= 200_000_000)
        .then_some((problem.points.as_slice(), cell_plan.centres.as_slice()));
    let bound = (!prices.is_empty()).then(|| LpBound {
        value: prices
            .iter()
            .map(|p| lagrangian::lower_bound(&bal, &cand, p, kt, exact))
            .fold(f64::NEG_INFINITY, f64::max)
            * cand.scale,
        prices: prices.iter().collect(),
    });
    let locked_to = locked_territories(problem);
    let run = Run {
        problem,
        options,
        bal: &bal,
        fixed: &fixed,
        locked_to: &locked_to,
        progress,
    };
    Ok(finish(
        &run,
        &cand,
        asg,
        cell_plan.centres.clone(),
        bound,
        stats,
        timer,
    ))
}
