//! From the LP's shares to a whole assignment (step 5 of the engine): split
//! accounts rounded, a greedy repair of the bands, polishing moves and
//! swaps; a rebalance keeps its current plan when that is already in band,
//! and a cap on moves is applied.

use super::balance_lp::{Frontier, LpOutcome};
use super::candidates::Candidates;
use super::{repair, Run};

/// The whole assignment and how many accounts the LP had split.
pub(super) fn round_and_repair(
    run: &Run<'_>,
    cand: &Candidates,
    outcome: &LpOutcome,
    frontier: &Frontier,
) -> (repair::Assignment, usize) {
    let (problem, options, bal, progress) = (run.problem, run.options, run.bal, run.progress);
    let kt = problem.territories.len();
    let (mut asg, split) = repair::round(bal, kt, &outcome.shares, &frontier.fixed_to);
    let v0 = bal.violation(&asg.loads);
    repair::repair(&mut asg, bal, cand, kt);
    progress.detail(&format!(
        "band violation after rounding {v0:.2}, after repair {:.2}",
        bal.violation(&asg.loads)
    ));
    for _ in 0..4 {
        let moves =
            repair::polish(&mut asg, bal, cand, 5) + repair::swap_pass(&mut asg, bal, cand, kt);
        if moves == 0 {
            break;
        }
    }
    // A rebalance of a plan already within every band keeps it: no move is
    // the least disruption (polishing for compactness could otherwise move a
    // few accounts whose move cost it outweighs).
    if options.rebalance.is_some() {
        let home: Option<Vec<usize>> = problem.current.iter().copied().collect();
        if let Some(home) = home {
            let home = repair::Assignment::new(home, bal, kt);
            if bal.violation(&home.loads) <= 1e-9 {
                asg = home;
            }
        }
    }
    if let Some(limit) = options.rebalance.as_ref().and_then(|r| r.max_moves) {
        repair::trim_moves(&mut asg, bal, cand, limit);
    }
    (asg, split)
}
