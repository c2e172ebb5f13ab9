//! Which accounts the balancing LP leaves free (its frontier): those whose
//! two cheapest priced candidates are closest, and, in sifting, those the
//! LP's own duals show wanting to move. The rest are fixed to their
//! cheapest territory, which keeps the LP small.

use rayon::prelude::*;

use super::balance::Balance;
use super::balance_lp::{self, Frontier, LpOutcome};
use super::candidates::Candidates;
use super::lagrangian::Prices;
use super::{PlanError, Run};

/// Most territories an account may choose among in a large LP (its cheapest priced candidates).
const LP_CHOICES: usize = 2;

/// Up to this many variables, the LP offers every candidate territory.
pub(super) const LP_FULL_VARIABLES: usize = 40_000;

/// Frees the accounts whose two cheapest priced candidates are closest, at most `cap` of them.
pub(super) fn select_frontier(
    bal: &Balance,
    cand: &Candidates,
    prices: &Prices,
    cap: usize,
) -> Frontier {
    // Per account: cheapest priced territory, gap to the next, all priced candidates.
    type Row = (usize, f64, Vec<(usize, f64)>);
    let rows: Vec<Row> = (0..cand.len.len())
        .into_par_iter()
        .map(|i| {
            let mut priced: Vec<(usize, f64)> = cand
                .of(i)
                .map(|(j, c)| (j, prices.priced(bal, i, j, c)))
                .collect();
            priced.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            let gap = if priced.len() > 1 {
                priced[1].1 - priced[0].1
            } else {
                f64::INFINITY
            };
            (priced[0].0, gap, priced)
        })
        .collect();
    let movable = rows.iter().filter(|r| r.1.is_finite()).count();
    let delta = if movable <= cap {
        f64::INFINITY
    } else {
        let mut gaps: Vec<f64> = rows.iter().map(|r| r.1).collect();
        let (_, nth, _) = gaps.select_nth_unstable_by(cap.saturating_sub(1), f64::total_cmp);
        *nth
    };
    // Small LPs keep every candidate; large ones the cheapest few per account.
    let choices = if movable.min(cap) * cand.widest() <= LP_FULL_VARIABLES {
        cand.widest()
    } else {
        LP_CHOICES
    };
    let mut free = Vec::with_capacity(rows.len());
    let mut fixed_to = Vec::with_capacity(rows.len());
    let mut taken = 0;
    for (best, gap, priced) in rows {
        fixed_to.push(best);
        if gap.is_finite() && gap <= delta && taken < cap {
            taken += 1;
            let limit = priced[0].1
                + if delta.is_finite() {
                    2.0 * delta
                } else {
                    f64::INFINITY
                };
            free.push(Some(
                priced
                    .iter()
                    .filter(|(_, r)| *r <= limit)
                    .take(choices)
                    .map(|(j, _)| *j)
                    .collect(),
            ));
        } else {
            free.push(None);
        }
    }
    Frontier { free, fixed_to }
}

/// The next frontier of a sifting step: accounts keep their current territory
/// (the LP's largest share) unless the LP's duals show them wanting to move or
/// close to a tie; split accounts stay free with their whole support, so the
/// current solution remains feasible and the LP cost can only fall.
pub(super) fn refine_frontier(
    bal: &Balance,
    cand: &Candidates,
    outcome: &balance_lp::LpOutcome,
    frontier: &Frontier,
    cap: usize,
) -> Frontier {
    let n = cand.len.len();
    let rows: Vec<(usize, f64, Vec<usize>)> =
        (0..n)
            .into_par_iter()
            .map(|i| {
                let (current, support): (usize, Vec<usize>) =
                    match &outcome.shares[i] {
                        Some(shares) => {
                            let top = shares.iter().copied().fold(
                                (usize::MAX, f64::NEG_INFINITY),
                                |b, s| if s.1 > b.1 { s } else { b },
                            );
                            (
                                top.0,
                                shares
                                    .iter()
                                    .filter(|(_, x)| *x > 1e-6)
                                    .map(|(j, _)| *j)
                                    .collect(),
                            )
                        }
                        None => (frontier.fixed_to[i], vec![frontier.fixed_to[i]]),
                    };
                if cand.len[i] < 2 {
                    return (current, f64::INFINITY, support);
                }
                let here = cand
                    .cost_of(i, current)
                    .map_or(f64::INFINITY, |c| outcome.prices.priced(bal, i, current, c));
                let mut others: Vec<(f64, usize)> = cand
                    .of(i)
                    .filter(|(j, _)| *j != current)
                    .map(|(j, c)| (outcome.prices.priced(bal, i, j, c), j))
                    .collect();
                others.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                // Negative: another territory is cheaper at these prices; small: near a tie.
                let urge = if support.len() > 1 {
                    f64::NEG_INFINITY
                } else {
                    others[0].0 - here
                };
                let mut choices = support;
                for (_, j) in others.into_iter().take(LP_CHOICES) {
                    if !choices.contains(&j) {
                        choices.push(j);
                    }
                }
                (current, urge, choices)
            })
            .collect();
    let mut order: Vec<usize> = (0..n)
        .filter(|&i| rows[i].1.is_finite() || rows[i].1 == f64::NEG_INFINITY)
        .collect();
    order.sort_by(|&a, &b| rows[a].1.total_cmp(&rows[b].1).then(a.cmp(&b)));
    let mut free = vec![None; n];
    for &i in order.iter().take(cap) {
        free[i] = Some(rows[i].2.clone());
    }
    // Split accounts must stay free whatever the cap.
    for i in order.iter().skip(cap) {
        if rows[*i].1 == f64::NEG_INFINITY {
            free[*i] = Some(rows[*i].2.clone());
        }
    }
    Frontier {
        free,
        fixed_to: rows.into_iter().map(|r| r.0).collect(),
    }
}

/// Sifting: re-prices with the LP's duals, moves the frontier to where those
/// prices put the boundaries, and re-solves while the LP cost still falls
/// (at most `lp_refinements` times; only when some accounts were fixed).
pub(super) fn sift(
    run: &Run<'_>,
    cand: &Candidates,
    mut outcome: LpOutcome,
    mut frontier: Frontier,
    frontier_cap: usize,
) -> Result<(LpOutcome, Frontier), PlanError> {
    let (bal, options, progress) = (run.bal, run.options, run.progress);
    let kt = run.problem.territories.len();
    if frontier.free.iter().any(Option::is_none) {
        for _ in 0..options.lp_refinements {
            if outcome.slack > 1e-6 {
                break;
            }
            let next_frontier = refine_frontier(bal, cand, &outcome, &frontier, frontier_cap);
            let next =
                balance_lp::solve(bal, cand, &next_frontier, kt, 0.0).map_err(PlanError::Solver)?;
            progress.detail(&format!(
                "LP refinement ({} free): cost {:.1} → {:.1}",
                next_frontier.free.iter().flatten().count(),
                outcome.cost,
                next.cost
            ));
            // The current solution stays feasible in the refined LP, so cost cannot rise.
            let done = next.slack > 1e-6 || next.cost > outcome.cost * (1.0 - 2e-3);
            if next.slack <= 1e-6 && next.cost <= outcome.cost {
                (outcome, frontier) = (next, next_frontier);
            }
            if done {
                break;
            }
        }
    }
    Ok((outcome, frontier))
}
