//! Location–allocation of free centres (step 6 of the engine): each round
//! prices the accounts' candidates towards the bands, moves free centres to
//! their priced accounts' centroids (medoids for the distance objective) and
//! rescales the prices, while compactness improves or the prices are still
//! far from balance. The best centres seen (least band violation, then least
//! inertia) are kept.

use super::lagrangian::{self, Prices};
use super::{centroids, inertia, medoids, rescale, Objective, Run};

/// Locates free centres from `centres`, updating `prices`; returns the best
/// centres seen and the rounds run.
pub(super) fn locate_centres(
    run: &Run<'_>,
    mut centres: Vec<[f64; 2]>,
    k: usize,
    prices: &mut Prices,
) -> (Vec<[f64; 2]>, usize) {
    let (problem, options, bal, fixed, progress) =
        (run.problem, run.options, run.bal, run.fixed, run.progress);
    let n = problem.accounts.len();
    let kt = problem.territories.len();
    let mut rounds = 0;
    let mut best_cost = f64::INFINITY;
    // The best centres seen: least band violation, then least inertia.
    let mut best_seen: Option<(f64, f64, Vec<[f64; 2]>)> = None;
    // Each round's candidates are the previous round's rescaling ones.
    let mut cand = run.candidates(&centres, k);
    for round in 0..options.max_rounds {
        rounds = round + 1;
        let priced = lagrangian::ascend(bal, &cand, prices, kt, options.ascent_iterations);
        let violation = bal.violation(&bal.loads(&priced, kt));
        let cost = inertia(
            &problem.points,
            problem.weights(),
            &priced,
            &centres,
            options.objective,
        );
        progress.detail(&format!(
            "round {rounds}: inertia {cost:.1} km², band violation {violation:.1}"
        ));
        progress.advance(rounds, options.max_rounds);
        if best_seen
            .as_ref()
            .is_none_or(|(v, c, _)| (violation, cost) < (*v, *c))
        {
            best_seen = Some((violation, cost, centres.clone()));
        }
        let moved = match options.objective {
            Objective::SquaredDistance => {
                centroids(&problem.points, problem.weights(), &priced, &centres, fixed)
            }
            Objective::Distance => {
                medoids(&problem.points, problem.weights(), &priced, &centres, fixed)
            }
        };
        // Keep going while compactness improves or the prices are still far from balance.
        let improved = cost < best_cost * (1.0 - 0.002) || violation > 0.01 * n as f64;
        best_cost = best_cost.min(cost);
        centres = moved;
        // Prices were in the old cost units; rescale to the new ones.
        let next = run.candidates(&centres, k);
        rescale(prices, cand.scale / next.scale);
        cand = next;
        if !improved {
            break;
        }
    }
    if let Some((_, _, best)) = best_seen {
        centres = best;
    }

    (centres, rounds)
}
