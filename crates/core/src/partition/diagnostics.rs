//! Why a plan misses a band: diagnostics that say "impossible" only when
//! it is proven.

use super::balance::Balance;
use super::{Diagnostic, DiagnosticKind};
use crate::metrics::Metrics;
use crate::problem::Problem;

pub(super) fn diagnose(
    problem: &Problem,
    bal: &Balance,
    metrics: &Metrics,
    assignment: &[usize],
    lp_slack: f64,
    moves_cap: Option<usize>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (c, crit) in problem.criteria.iter().enumerate() {
        if problem.total(c) <= 0.0 {
            out.push(Diagnostic {
                kind: DiagnosticKind::CriterionIgnored,
                criterion: Some(crit.measure.to_string()),
                territories: Vec::new(),
                message: format!(
                    "criterion '{}' totals zero over all accounts; it was not balanced",
                    crit.measure
                ),
            });
        }
    }
    for (c, summary) in metrics.criteria.iter().enumerate() {
        if summary.within_tolerance || problem.total(c) <= 0.0 {
            continue;
        }
        let missing: Vec<String> = metrics
            .territories
            .iter()
            .filter(|t| !t.balance[c].within_tolerance)
            .map(|t| t.id.clone())
            .collect();
        let moved = (0..assignment.len())
            .filter(|&i| problem.current[i].is_some_and(|h| h != assignment[i]))
            .count();
        let reason = match moves_cap {
            Some(cap) if moved >= cap => {
                format!("the cap of {cap} moves stops the rebalance before balance is restored")
            }
            _ => miss_reason(problem, bal, c, assignment, lp_slack),
        };
        out.push(Diagnostic {
            kind: DiagnosticKind::ToleranceMissed,
            criterion: Some(summary.criterion.clone()),
            territories: missing.clone(),
            message: format!(
                "criterion '{}' deviates up to {:.1}% (tolerance {:.1}%) in {} territor{}: {}",
                summary.criterion,
                summary.max_deviation * 100.0,
                summary.tolerance * 100.0,
                missing.len(),
                if missing.len() == 1 { "y" } else { "ies" },
                reason
            ),
        });
    }
    if !metrics.contiguity.contiguous {
        out.push(Diagnostic {
            kind: DiagnosticKind::NotContiguous,
            criterion: None,
            territories: metrics.contiguity.fragmented.clone(),
            message: format!(
                "{} territories are in more than one piece of the {} adjacency",
                metrics.contiguity.fragmented.len(),
                metrics.contiguity.adjacency
            ),
        });
    }
    out
}
/// The largest band top of criterion `c` over the territories.
pub(super) fn widest_upper(problem: &Problem, c: usize) -> f64 {
    let total = problem.total(c);
    let tol = problem.criteria[c].tolerance;
    problem
        .shares()
        .iter()
        .map(|s| total * s * (1.0 + tol))
        .fold(0.0, f64::max)
}

/// The account carrying the most of criterion `c`, and how much.
pub(super) fn heaviest_account(problem: &Problem, c: usize) -> (usize, f64) {
    problem.values[c]
        .iter()
        .copied()
        .enumerate()
        .fold(
            (0, 0.0),
            |best, (i, v)| if v > best.1 { (i, v) } else { best },
        )
}

/// Whether some account alone is heavier than every territory may hold on
/// some criterion: then no plan meets the bands (proven).
pub(super) fn band_proven_impossible(problem: &Problem) -> bool {
    (0..problem.criteria.len()).any(|c| heaviest_account(problem, c).1 > widest_upper(problem, c))
}

/// Why a criterion's band was missed. "Impossible" is said only when it is
/// proven: an account heavier than every territory's upper limit, or locked
/// accounts alone above a territory's upper limit. Otherwise the message says
/// what limited the search.
pub(super) fn miss_reason(
    problem: &Problem,
    bal: &Balance,
    c: usize,
    assignment: &[usize],
    lp_slack: f64,
) -> String {
    let shares = problem.shares();
    let total = problem.total(c);
    let tol = problem.criteria[c].tolerance;
    let upper = |j: usize| total * shares[j] * (1.0 + tol);
    let widest_upper = widest_upper(problem, c);
    let (heaviest, largest) = heaviest_account(problem, c);
    if largest > widest_upper {
        return format!(
            "impossible: account '{}' alone carries {largest:.1}, more than any territory may hold ({widest_upper:.1})",
            problem.accounts[heaviest].id
        );
    }
    let mut locked_load = vec![0.0; problem.territories.len()];
    for (i, &j) in assignment.iter().enumerate() {
        if problem.locked[i] {
            locked_load[j] += problem.values[c][i];
        }
    }
    if let Some(j) = (0..locked_load.len()).find(|&j| locked_load[j] > upper(j)) {
        return format!(
            "impossible: locked accounts alone exceed the upper limit of territory '{}'",
            problem.territories[j].id
        );
    }
    let _ = bal;
    let narrowest = shares
        .iter()
        .map(|s| 2.0 * tol * total * s)
        .fold(f64::INFINITY, f64::min);
    let heavy = if largest > 0.5 * narrowest {
        format!(
            " (its heaviest account, '{}', carries {largest:.1}: {:.0}% of the narrowest band, so few combinations of whole accounts fit)",
            problem.accounts[heaviest].id,
            100.0 * largest / narrowest
        )
    } else {
        String::new()
    };
    if lp_slack > 1e-6 {
        format!("the balancing LP could not meet every band with the territories each account was allowed (its nearest centres), which does not prove the tolerance impossible{heavy}; loosen the tolerance or drop a criterion")
    } else {
        format!("the LP relaxation met the tolerance, but whole-account rounding and repair did not{heavy}; loosen the tolerance slightly")
    }
}
