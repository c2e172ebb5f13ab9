//! The steps after a whole, band-repaired assignment (steps 7–9 of the
//! engine, then the figures): contiguity repair and the p-median search,
//! recombination, the bases' home step, the move cap, the final centres,
//! the metrics and the diagnostics, all from the final assignment.

use super::candidates::Candidates;
use super::centres::{centroids, medoids, nearest_members};
use super::diagnostics::diagnose;
use super::home::{self, BaseOutsideKind};
use super::lagrangian::{self, Prices};
use super::repair_graph::Graph;
use super::{
    border_tabu, contiguity, pmedian, recombine, repair, CentreRule, Objective, PhaseTimer, Plan,
    PlanOptions, Run, SolveStats,
};
use crate::adjacency::Adjacency;
use crate::metrics::Metrics;
use crate::problem::Problem;

/// Up to this many accounts, a band still missed after the tabu search gets
/// three more rounds of free repair, contiguity repair and tabu search.
/// Above it each round costs more than it wins (at 100,000 accounts into
/// 1,000 territories, about 35 s a round).
const ALTERNATE_MAX_ACCOUNTS: usize = 20_000;

/// Up to this many accounts, the distance objective ends with a p-median local search.
const PMEDIAN_MAX_ACCOUNTS: usize = 1_500;

/// The compactness bound of the balancing LP: its value at the LP's centres,
/// and the prices that give it, to evaluate it again at the final centres.
pub(crate) struct LpBound<'a> {
    pub value: f64,
    pub prices: Vec<&'a Prices>,
}

/// The adjacency with what the border moves price by: the accounts'
/// positions and weights, the centres, the objective and the disruption.
fn contiguity_graph<'a>(
    problem: &'a Problem,
    options: &PlanOptions,
    cand: &'a Candidates,
    adjacency: &Adjacency,
    centres: &'a [[f64; 2]],
) -> Graph<'a> {
    let (offsets, targets) = adjacency.neighbours();
    Graph {
        offsets: offsets.into(),
        targets: targets.into(),
        points: &problem.points,
        centres,
        objective: options.objective,
        travel: problem.centre_travel.as_deref(),
        disruption: cand.disruption.as_ref(),
        locked: &problem.locked,
        scale: cand.scale,
        weights: problem.compactness_weights.as_ref().map(|(_, w)| &w[..]),
    }
}

/// The steps after a whole, band-repaired assignment: contiguity repair, the
/// p-median search, the move cap, metrics and diagnostics.
pub(super) fn finish(
    run: &Run<'_>,
    cand: &Candidates,
    mut asg: repair::Assignment,
    mut centres: Vec<[f64; 2]>,
    bound: Option<LpBound<'_>>,
    mut stats: SolveStats,
    mut timer: PhaseTimer,
) -> Plan {
    let (problem, options, bal, progress) = (run.problem, run.options, run.bal, run.progress);
    let n = problem.accounts.len();
    let kt = problem.territories.len();
    let lp_centres = centres.clone();
    let mut adjacency = problem.adjacency_graph();
    if let Some(limit) = options.max_edge_km {
        adjacency = adjacency.without_longer_than(&problem.points, limit);
    }
    let pmedian = options.objective == Objective::Distance && n <= PMEDIAN_MAX_ACCOUNTS;
    let contiguity_stats = repair_shapes(
        run, cand, &mut asg, &adjacency, &centres, pmedian, &mut timer,
    );
    let homes = home::home_accounts(problem);
    recombination(run, &mut asg, &adjacency, &homes, &mut timer);
    let blocked = bases_home(
        run, cand, &mut asg, &adjacency, &centres, &homes, &mut timer,
    );
    // A cap on moves is the user's hard limit: when moves that keep territories
    // whole cannot meet it, it wins over contiguity (and the summary says so).
    if let Some(limit) = options.rebalance.as_ref().and_then(|r| r.max_moves) {
        repair::trim_moves(&mut asg, bal, cand, limit);
    }
    let capped = options
        .rebalance
        .as_ref()
        .is_some_and(|r| r.max_moves.is_some());
    let bases_outside = home::outside(problem, &asg.of, &homes, &blocked, &|_, i| {
        let holder = asg.of[i];
        if homes[holder].contains(&i) {
            home::Blocked {
                kind: BaseOutsideKind::SharedHome,
                criterion: None,
                message: format!(
                    "its nearest account '{}' is also nearest the base of '{}', whose territory holds it",
                    problem.accounts[i].id, problem.territories[holder].id
                ),
            }
        } else if capped {
            home::Blocked {
                kind: BaseOutsideKind::MoveCap,
                criterion: None,
                message: "the rebalance's cap on moves undid the move that brought the base home"
                    .into(),
            }
        } else {
            home::Blocked {
                kind: BaseOutsideKind::LaterMove,
                criterion: None,
                message: format!(
                    "a later move for another base took its nearest account '{}' to '{}'",
                    problem.accounts[i].id, problem.territories[holder].id
                ),
            }
        }
    });
    // Figures describe the final territories: free centres move to where their
    // final accounts are (repair and trimming moved accounts after the LP).
    centres = final_centres(run, &asg.of, centres, pmedian);

    progress.phase("measuring");
    // The bound holds for given centres. Weak duality makes the LP's prices a
    // bound at any centres, so it is evaluated again at the final ones when
    // they moved (exactly over all territories while that stays cheap).
    let lp_prices = bound
        .as_ref()
        .map(|b| (b.prices.iter().map(|p| (*p).clone()).collect(), cand.scale));
    let bound = bound.filter(|_| !pmedian).map(|b| {
        if centres == lp_centres || n.saturating_mul(kt) > 200_000_000 {
            b.value
        } else {
            b.prices
                .iter()
                .map(|p| lagrangian::lower_bound_at(bal, cand, p, &problem.points, &centres))
                .fold(f64::NEG_INFINITY, f64::max)
                * cand.scale
        }
    });
    let mut metrics = Metrics::evaluate(
        problem,
        &asg.of,
        &centres,
        options.objective,
        bound,
        &adjacency,
    );
    let unit = options.centre == CentreRule::Unit || pmedian;
    if unit && metrics.compactness.centre == "mean" {
        metrics.compactness.centre = "unit".into();
    }
    let moves_cap = options.rebalance.as_ref().and_then(|r| r.max_moves);
    let diagnostics = diagnose(problem, bal, &metrics, &asg.of, stats.lp_slack, moves_cap);
    timer.lap("measuring");

    stats.contiguity_repair = contiguity_stats;
    stats.phase_ms = timer.laps;
    Plan {
        prices: lp_prices,
        assignment: asg.of,
        centres,
        stats,
        metrics,
        diagnostics,
        bases_outside,
        adjacency,
    }
}

/// Contiguity repair (border moves, alternated with free repairs while a
/// band is missed, then perturbation rounds) and, for the distance objective
/// on small problems, the p-median search. Returns the fragments merged and
/// the border moves made when contiguity is on.
fn repair_shapes(
    run: &Run<'_>,
    cand: &Candidates,
    asg: &mut repair::Assignment,
    adjacency: &Adjacency,
    centres: &[[f64; 2]],
    pmedian: bool,
    timer: &mut PhaseTimer,
) -> Option<(usize, usize)> {
    let (problem, options, bal, progress) = (run.problem, run.options, run.bal, run.progress);
    let n = problem.accounts.len();
    let kt = problem.territories.len();
    let mut contiguity_stats = None;
    if options.contiguity || pmedian {
        let graph = contiguity_graph(problem, options, cand, adjacency, centres);
        if options.contiguity {
            progress.phase("contiguity repair");
            let mut out = contiguity::repair(asg, bal, &graph, kt);
            // Border moves that only lower the violation stop where an excess
            // must pass through a full neighbour: the tabu search passes it on.
            let tabu = |asg: &mut repair::Assignment| {
                if bal.violation(&asg.loads) > 1e-9 {
                    let before = bal.violation(&asg.loads);
                    let budget = (400 * kt * bal.c).clamp(20_000, 1_200_000);
                    let done =
                        border_tabu::search(asg, bal, &graph, kt, budget, budget / 4, options.seed);
                    progress.detail(&format!(
                        "contiguity: tabu search, {} iterations, {} accounts moved, band violation {before:.3} → {:.3}",
                        done.iterations,
                        done.moves,
                        bal.violation(&asg.loads)
                    ));
                }
            };
            tabu(asg);
            // Still out of band on a small problem: alternate a free repair
            // (which may cut pieces off) with the contiguity repair and the
            // tabu search again, keeping the least violation.
            if n <= ALTERNATE_MAX_ACCOUNTS {
                let mut best = asg.clone();
                for _ in 0..3 {
                    if bal.violation(&best.loads) <= 1e-9 {
                        break;
                    }
                    repair::repair(asg, bal, cand, kt);
                    let again = contiguity::repair(asg, bal, &graph, kt);
                    out.fragments_moved += again.fragments_moved;
                    out.balance_moves += again.balance_moves;
                    tabu(asg);
                    if bal.violation(&asg.loads) < bal.violation(&best.loads) - 1e-9 {
                        best = asg.clone();
                    }
                }
                *asg = best;
            }
            // Still out of band: perturb and descend again (small problems).
            if bal.violation(&asg.loads) > 1e-9 {
                // About 10⁶ account visits of descent in all: more rounds for fewer units.
                let rounds = (1_000_000 / n.max(1)).clamp(100, 4000);
                let kept = contiguity::shake(asg, bal, &graph, kt, rounds, options.seed);
                progress.detail(&format!("contiguity: {kept} improving perturbation rounds"));
            }
            progress.detail(&format!(
                "contiguity: {} fragments merged, {} border moves for balance",
                out.fragments_moved, out.balance_moves
            ));
            contiguity_stats = Some((out.fragments_moved, out.balance_moves));
            // A cap on moves undoes moves that keep every territory in one piece first.
            if let Some(limit) = options.rebalance.as_ref().and_then(|r| r.max_moves) {
                let (mut seen, mut stamp) = (vec![0u32; n], 0u32);
                let mut keeps_pieces = |a: &repair::Assignment, i: usize, home: usize| {
                    graph.neighbours(i).iter().any(|&m| a.of[m] == home)
                        && contiguity::removable(a, &graph, i, &mut seen, &mut stamp)
                };
                repair::trim_moves_connected(asg, bal, cand, limit, &mut keeps_pieces);
            }
            timer.lap("contiguity repair");
        }
        if pmedian {
            progress.phase("p-median local search");
            let mut seen = vec![0u32; n];
            let mut stamp = 0u32;
            let neighbours = |i: usize| graph.neighbours(i).to_vec();
            let mut removable = |a: &repair::Assignment, i: usize| {
                !options.contiguity || contiguity::removable(a, &graph, i, &mut seen, &mut stamp)
            };
            let moves = pmedian::improve(
                asg,
                bal,
                &problem.points,
                &problem.locked,
                kt,
                &neighbours,
                &mut removable,
                options.contiguity,
                50,
            );
            progress.detail(&format!("p-median local search: {moves} moves"));
            timer.lap("p-median local search");
        }
    }
    contiguity_stats
}

/// Recombination of neighbouring territories for tight bands and the Hess
/// objective (contiguity on, not a rebalance, straight-line compactness).
fn recombination(
    run: &Run<'_>,
    asg: &mut repair::Assignment,
    adjacency: &Adjacency,
    homes: &[Vec<usize>],
    timer: &mut PhaseTimer,
) {
    let (problem, options, bal, fixed, progress) =
        (run.problem, run.options, run.bal, run.fixed, run.progress);
    let kt = problem.territories.len();
    // Recombination of neighbouring territories for tight bands and the Hess
    // objective (each side contiguous by construction), before the bases'
    // home step, which stays last; the home accounts of bases already home
    // stay in place.
    if options.contiguity
        && options.objective == Objective::SquaredDistance
        && options.rebalance.is_none()
        && problem.centre_travel.is_none()
    {
        progress.phase("recombination");
        let mut frozen = problem.locked.clone();
        for (j, hs) in homes.iter().enumerate() {
            if !hs.is_empty() && hs.iter().all(|&i| asg.of[i] == j) {
                for &i in hs {
                    frozen[i] = true;
                }
            }
        }
        let (offsets, targets) = adjacency.neighbours();
        let before = bal.violation(&asg.loads);
        let done = recombine::recombine(
            asg,
            bal,
            &recombine::Recombine {
                offsets: &offsets,
                targets: &targets,
                points: &problem.points,
                weights: problem.weights(),
                fixed,
                frozen: &frozen,
                territories: kt,
                seed: options.seed,
            },
        );
        progress.detail(&format!(
            "recombination: {} pairs re-split in {} sweeps; band violation {:.3} → {:.3}",
            done.improved,
            done.sweeps,
            before,
            bal.violation(&asg.loads)
        ));
        timer.lap("recombination");
    }
}

/// The bases' home step: the account nearest each fixed base joins its
/// rep's territory where the bands and contiguity allow. Returns why each
/// base that stays outside does.
fn bases_home(
    run: &Run<'_>,
    cand: &Candidates,
    asg: &mut repair::Assignment,
    adjacency: &Adjacency,
    centres: &[[f64; 2]],
    homes: &[Vec<usize>],
    timer: &mut PhaseTimer,
) -> Vec<Option<home::Blocked>> {
    let (problem, options, bal, progress) = (run.problem, run.options, run.bal, run.progress);
    let kt = problem.territories.len();
    // Each base inside its own territory where the bands and contiguity allow:
    // last, so that no later search for compactness takes a home away again.
    let mut blocked = vec![None; kt];
    if homes.iter().any(|h| !h.is_empty()) {
        progress.phase("bases home");
        let graph = contiguity_graph(problem, options, cand, adjacency, centres);
        let homing = home::Homing {
            problem,
            bal,
            territories: kt,
            contiguous: options.contiguity,
            max_moves: options.rebalance.as_ref().and_then(|r| r.max_moves),
            seed: options.seed,
        };
        blocked = home::keep_home(&homing, asg, &graph, homes);
        progress.detail(&format!(
            "bases home: {} of {} bases outside their territory",
            blocked.iter().flatten().count(),
            homes.iter().filter(|h| !h.is_empty()).count()
        ));
        timer.lap("bases home");
    }
    blocked
}

/// Where the figures put the centres: free centres move to where their final
/// accounts are (repair and later steps moved accounts after the LP); the
/// medoids for the distance objective after the p-median search.
fn final_centres(
    run: &Run<'_>,
    assignment: &[usize],
    centres: Vec<[f64; 2]>,
    pmedian: bool,
) -> Vec<[f64; 2]> {
    let (problem, options, fixed) = (run.problem, run.options, run.fixed);
    match options.objective {
        Objective::Distance if pmedian => medoids(
            &problem.points,
            problem.weights(),
            assignment,
            &centres,
            fixed,
        ),
        Objective::Distance => centres,
        Objective::SquaredDistance => {
            let means = centroids(
                &problem.points,
                problem.weights(),
                assignment,
                &centres,
                fixed,
            );
            match options.centre {
                CentreRule::Mean => means,
                CentreRule::Unit => nearest_members(&problem.points, assignment, &means, fixed),
            }
        }
    }
}
