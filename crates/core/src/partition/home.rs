//! Rep bases inside their own territory.
//!
//! A territory is drawn as the union of its accounts' Voronoi cells
//! (`geometry`), so a base lies in the shape of the territory that holds the
//! account nearest it: its *home* account (all of them when several share
//! the nearest spot). After balancing and contiguity repair, each home held
//! by another territory moves to its rep's territory, with the shortest chain
//! of accounts that joins it there when territories must be one piece; the
//! bands are then restored by border moves that leave every home in place.
//! The move is kept only when no band and no territory's contiguity ends up
//! worse than before, so keeping a base home never costs balance: what stays
//! outside is reported with the constraint that kept it there.

use std::collections::VecDeque;

use rstar::{primitives::GeomWithData, RTree};

use super::balance::Balance;
use super::contiguity;
use super::repair::Assignment;
use super::repair_graph::Graph;
use crate::problem::Problem;
use crate::projection::dist2;

/// Why a base still lies outside its own territory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BaseOutsideKind {
    /// Moving the home accounts would break a balance band that border moves could not restore.
    Balance,
    /// Moving them would cut a territory in pieces, or no chain of movable
    /// accounts joins them to the rep's territory.
    Contiguity,
    /// A home account is locked in another territory.
    Locked,
    /// A rebalance's cap on moves leaves no room for the move.
    MoveCap,
    /// The base lies beyond the area of the accounts, so no territory's shape can hold it.
    BeyondAccounts,
    /// With alignment levels: the home account is in another region.
    OtherRegion,
    /// Another rep's base has the same nearest account, and that rep's
    /// territory holds it: two bases this close cannot both be inside.
    SharedHome,
    /// The base was home, and a later step of the plan (another base's
    /// chain, or the band repair after it) moved its nearest account away.
    LaterMove,
}

/// A rep base the plan leaves outside its own territory, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct BaseOutside {
    /// The rep's territory.
    pub territory: String,
    /// The territory that holds the base (holds its home account); none when
    /// the base is beyond every territory's shape.
    pub held_by: Option<String>,
    /// The account nearest the base, whose drawn cell holds it.
    pub home_account: Option<String>,
    /// What kept the base outside.
    pub kind: BaseOutsideKind,
    /// The criterion whose band stopped the move (balance only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub criterion: Option<String>,
    /// A sentence for people.
    pub message: String,
}

/// Why one territory's home accounts were not moved in.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Blocked {
    pub kind: BaseOutsideKind,
    pub criterion: Option<String>,
    pub message: String,
}

/// Per territory, the accounts nearest its fixed base (empty without a base).
/// Exact ties (accounts at one address) are all home: whichever of them the
/// drawing gives the cell to, it must be the rep's.
pub(crate) fn home_accounts(problem: &Problem) -> Vec<Vec<usize>> {
    if problem.points.is_empty() || problem.territories.iter().all(|t| t.base.is_none()) {
        return vec![Vec::new(); problem.territories.len()];
    }
    let tree = RTree::bulk_load(
        problem
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| GeomWithData::new(*p, i))
            .collect(),
    );
    problem
        .territories
        .iter()
        .map(|t| {
            let Some(b) = t.base else {
                return Vec::new();
            };
            let at = problem.projection.forward(b);
            let mut near = tree.nearest_neighbor_iter(&at);
            let Some(first) = near.next() else {
                return Vec::new();
            };
            let d0 = dist2(*first.geom(), at);
            let mut homes: Vec<usize> = std::iter::once(first.data)
                .chain(
                    near.take_while(|e| dist2(*e.geom(), at) <= d0)
                        .map(|e| e.data),
                )
                .collect();
            homes.sort_unstable();
            homes
        })
        .collect()
}

/// Per territory, whether it has a base inside the area shapes are drawn over.
fn bases_in_area(problem: &Problem) -> Vec<bool> {
    let at: Vec<[f64; 2]> = problem
        .territories
        .iter()
        .map(|t| {
            t.base
                .map_or([f64::NAN; 2], |b| problem.projection.forward(b))
        })
        .collect();
    let inside = crate::geometry::within_drawn_area(&problem.points, &at);
    problem
        .territories
        .iter()
        .zip(inside)
        .map(|(t, inside)| t.base.is_some() && inside)
        .collect()
}

/// Whether territory `j`'s base is home under `of`.
fn is_home(homes: &[usize], of: &[usize], j: usize) -> bool {
    homes.iter().all(|&i| of[i] == j)
}

/// Pieces of the graph that the territories in `set` make up, summed: only
/// the territories a move touches can change, so only those are counted.
fn pieces(of: &[usize], g: &Graph<'_>, set: &[usize]) -> usize {
    let mut seen = vec![false; of.len()];
    let mut queue = VecDeque::new();
    let mut count = 0;
    for s in 0..of.len() {
        if seen[s] || !set.contains(&of[s]) {
            continue;
        }
        count += 1;
        seen[s] = true;
        queue.push_back(s);
        while let Some(u) = queue.pop_front() {
            for &m in g.neighbours(u) {
                if !seen[m] && of[m] == of[s] {
                    seen[m] = true;
                    queue.push_back(m);
                }
            }
        }
    }
    count
}

/// The accounts to move into `j`: the home accounts outside it, and with
/// contiguity the shortest chain of accounts (by hops, through accounts that
/// may move) that joins them to `j`. None when no such chain exists.
fn chain_to(
    asg: &Assignment,
    g: &Graph<'_>,
    homes: &[usize],
    j: usize,
    frozen: &[bool],
    contiguous: bool,
) -> Option<Vec<usize>> {
    let outside: Vec<usize> = homes.iter().copied().filter(|&i| asg.of[i] != j).collect();
    if !contiguous || !asg.of.contains(&j) {
        return Some(outside);
    }
    let n = asg.of.len();
    let mut parent = vec![usize::MAX; n];
    let mut queue: VecDeque<usize> = VecDeque::new();
    for &h in &outside {
        parent[h] = h;
        queue.push_back(h);
    }
    while let Some(u) = queue.pop_front() {
        for &m in g.neighbours(u) {
            if asg.of[m] == j {
                // Reached the territory: the chain is u back to a home account.
                let mut chain = outside.clone();
                let mut at = u;
                while parent[at] != at {
                    chain.push(at);
                    at = parent[at];
                }
                chain.sort_unstable();
                chain.dedup();
                return Some(chain);
            }
            if parent[m] == usize::MAX && !frozen[m] {
                parent[m] = u;
                queue.push_back(m);
            }
        }
    }
    None
}

/// Rounds of the perturbation search when border moves alone leave a band broken.
const SHAKE_ROUNDS: usize = 100;

/// Border repair steps after moving a base's home, plus 20 per account moved.
const REBALANCE_ROUNDS: usize = 200;

/// Options for [`keep_home`].
pub(crate) struct Homing<'a> {
    pub problem: &'a Problem,
    pub bal: &'a Balance,
    pub territories: usize,
    /// Territories must stay one piece each.
    pub contiguous: bool,
    /// A rebalance's cap on discretionary moves.
    pub max_moves: Option<usize>,
    pub seed: u64,
}

/// Moves each base's home accounts into its territory where the bands and
/// contiguity allow (see the module doc); returns, per territory, why its
/// base was left outside (None when home or without a base).
pub(crate) fn keep_home(
    h: &Homing<'_>,
    asg: &mut Assignment,
    g: &Graph<'_>,
    homes: &[Vec<usize>],
) -> Vec<Option<Blocked>> {
    let kt = h.territories;
    let mut blocked: Vec<Option<Blocked>> = vec![None; kt];
    let problem = h.problem;
    // A base beyond the accounts' area is in no shape, wherever its home goes.
    let reachable = bases_in_area(problem);
    // A second pass retries what the first refused: later moves change the loads.
    for _pass in 0..2 {
        let mut changed = false;
        for j in 0..kt {
            if homes[j].is_empty() || !reachable[j] || is_home(&homes[j], &asg.of, j) {
                blocked[j] = None;
                continue;
            }
            match try_home(h, asg, g, homes, j) {
                Ok(()) => {
                    blocked[j] = None;
                    changed = true;
                }
                Err(b) => blocked[j] = Some(b),
            }
        }
        if !changed {
            break;
        }
    }
    blocked
}

fn try_home(
    h: &Homing<'_>,
    asg: &mut Assignment,
    g: &Graph<'_>,
    homes: &[Vec<usize>],
    j: usize,
) -> Result<(), Blocked> {
    let (problem, bal, kt) = (h.problem, h.bal, h.territories);
    let territory = |t: usize| problem.territories[t].id.as_str();
    let account = |i: usize| problem.accounts[i].id.as_str();
    let outside: Vec<usize> = homes[j]
        .iter()
        .copied()
        .filter(|&i| asg.of[i] != j)
        .collect();
    let holder = asg.of[outside[0]];
    if let Some(&i) = outside.iter().find(|&&i| problem.locked[i]) {
        return Err(Blocked {
            kind: BaseOutsideKind::Locked,
            criterion: None,
            message: format!(
                "account '{}', nearest the base, is locked in territory '{}'",
                account(i),
                territory(asg.of[i])
            ),
        });
    }
    // Frozen: locked accounts, and the homes of every other base now home.
    let mut frozen = problem.locked.clone();
    for (t, hs) in homes.iter().enumerate() {
        if t != j && !hs.is_empty() && is_home(hs, &asg.of, t) {
            for &i in hs {
                frozen[i] = true;
            }
        }
    }
    let Some(chain) = chain_to(asg, g, &homes[j], j, &frozen, h.contiguous) else {
        return Err(Blocked {
            kind: BaseOutsideKind::Contiguity,
            criterion: None,
            message: format!(
                "no chain of movable accounts joins account '{}', nearest the base, to territory '{}' without taking another base's home",
                account(outside[0]),
                territory(j)
            ),
        });
    };
    let before_violation = bal.violation(&asg.loads);
    // The territories the chain touches: its own and those it takes from.
    let mut touched: Vec<usize> = chain.iter().map(|&i| asg.of[i]).collect();
    touched.push(j);
    touched.sort_unstable();
    touched.dedup();
    let before_pieces = if h.contiguous {
        pieces(&asg.of, g, &touched)
    } else {
        0
    };
    let mut trial = asg.clone();
    for &i in &chain {
        trial.apply(bal, i, j);
        frozen[i] = true;
    }
    let fixed = g.with_locked(&frozen);
    // Only when the chain cut a piece off, and only in the territories it touched.
    if h.contiguous && pieces(&trial.of, g, &touched) > before_pieces {
        contiguity::merge_all(&mut trial, bal, &fixed, kt, Some(&touched));
    }
    // Only the bands the move pushed out are repaired: what was out of band
    // before is the contiguity repair's, and chasing it here would redo that
    // repair once per base.
    let baseline: Vec<f64> = (0..asg.loads.len())
        .map(|idx| bal.excess(idx, asg.loads[idx]))
        .collect();
    let rounds = REBALANCE_ROUNDS + 20 * chain.len();
    contiguity::rebalance_on_border_from(&mut trial, bal, &fixed, kt, Some(&baseline), rounds);
    // The perturbation search aims at a plan inside every band: only then.
    if before_violation <= 1e-9 && bal.violation(&trial.loads) > 1e-9 {
        contiguity::shake(&mut trial, bal, &fixed, kt, SHAKE_ROUNDS, h.seed);
    }
    let after_violation = bal.violation(&trial.loads);
    if after_violation > before_violation + 1e-9 {
        let (criterion, tolerance, worst) = worst_band(problem, bal, &asg.loads, &trial.loads);
        return Err(Blocked {
            kind: BaseOutsideKind::Balance,
            message: format!(
                "moving account '{}' (nearest the base){} from '{}' to '{}' would break the ±{:.1}% band on '{criterion}' in territory '{}', and moves that keep the other bases home did not restore it",
                account(outside[0]),
                if chain.len() > 1 {
                    format!(" and {} more joining it", chain.len() - 1)
                } else {
                    String::new()
                },
                territory(holder),
                territory(j),
                tolerance * 100.0,
                territory(worst)
            ),
            criterion: Some(criterion),
        });
    }
    if h.contiguous && pieces(&trial.of, g, &touched) > before_pieces {
        return Err(Blocked {
            kind: BaseOutsideKind::Contiguity,
            criterion: None,
            message: format!(
                "moving account '{}' (nearest the base) from '{}' to '{}' would leave a territory in more than one piece",
                account(outside[0]),
                territory(holder),
                territory(j)
            ),
        });
    }
    if let Some(cap) = h.max_moves {
        let moves = super::discretionary_moves(problem, &trial.of);
        if moves > cap.max(super::discretionary_moves(problem, &asg.of)) {
            return Err(Blocked {
                kind: BaseOutsideKind::MoveCap,
                criterion: None,
                message: format!(
                    "moving account '{}' (nearest the base) into '{}' needs {moves} moves in all, over the cap of {cap}",
                    account(outside[0]),
                    territory(j)
                ),
            });
        }
    }
    *asg = trial;
    Ok(())
}

/// The band that a trial broke most: criterion name, tolerance, territory.
fn worst_band(
    problem: &Problem,
    bal: &Balance,
    before: &[f64],
    after: &[f64],
) -> (String, f64, usize) {
    let active: Vec<usize> = (0..problem.criteria.len())
        .filter(|&c| problem.total(c) > 0.0)
        .collect();
    let c = bal.c.max(1);
    let idx = (0..after.len())
        .map(|idx| {
            (
                idx,
                bal.excess(idx, after[idx]) - bal.excess(idx, before[idx]),
            )
        })
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map_or(0, |(idx, _)| idx);
    let crit = active.get(idx % c).map_or(0, |&ci| ci);
    let (name, tolerance) = problem
        .criteria
        .get(crit)
        .map_or((String::new(), 0.0), |k| {
            (k.measure.to_string(), k.tolerance)
        });
    (name, tolerance, idx / c)
}

/// The bases outside their own territory under `of`, each with why: the
/// engine's reason where it gave one, else `fallback`.
pub(crate) fn outside(
    problem: &Problem,
    of: &[usize],
    homes: &[Vec<usize>],
    blocked: &[Option<Blocked>],
    fallback: &dyn Fn(usize, usize) -> Blocked,
) -> Vec<BaseOutside> {
    let mut out = Vec::new();
    if homes.iter().all(Vec::is_empty) {
        return out;
    }
    let in_area = bases_in_area(problem);
    for (j, t) in problem.territories.iter().enumerate() {
        if t.base.is_none() || homes[j].is_empty() {
            continue;
        }
        let home = homes[j].iter().copied().find(|&i| of[i] != j);
        if !in_area[j] {
            out.push(BaseOutside {
                territory: t.id.clone(),
                held_by: None,
                home_account: None,
                kind: BaseOutsideKind::BeyondAccounts,
                criterion: None,
                message:
                    "the base lies beyond the area of the accounts, outside every territory's shape"
                        .into(),
            });
            continue;
        }
        let Some(i) = home else { continue };
        let why = blocked
            .get(j)
            .cloned()
            .flatten()
            .unwrap_or_else(|| fallback(j, i));
        out.push(BaseOutside {
            territory: t.id.clone(),
            held_by: Some(problem.territories[of[i]].id.clone()),
            home_account: Some(problem.accounts[i].id.clone()),
            kind: why.kind,
            criterion: why.criterion,
            message: why.message,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partition::{plan, PlanOptions};
    use crate::{Account, Location, Measure, Rep, Status};

    /// A strip of 40 × 3 customers, 0.005° of longitude apart.
    fn strip() -> Vec<Account> {
        (0..120)
            .map(|i| {
                let (col, row) = (i / 3, i % 3);
                let mut a = Account::new(
                    format!("c{col}r{row}"),
                    Location::new(60.0 + 0.003 * row as f64, 24.0 + 0.005 * col as f64),
                )
                .with_status(Status::Customer);
                a.revenue = 100.0;
                a
            })
            .collect()
    }

    fn column(problem: &Problem, i: usize) -> usize {
        problem.accounts[i].id[1..]
            .split('r')
            .next()
            .and_then(|c| c.parse().ok())
            .unwrap_or(usize::MAX)
    }

    /// Base A three quarters along the strip, base B at its end: an even
    /// split by count puts A's base in B's half.
    fn strip_problem() -> Problem {
        Problem::builder()
            .accounts(strip())
            .reps(vec![
                Rep::new(
                    "A",
                    Some(Location::new(60.0031, 24.0 + 0.005 * 30.0 + 0.0004)),
                ),
                Rep::new("B", Some(Location::new(60.003, 24.0 + 0.005 * 39.0))),
            ])
            .criterion(Measure::Customers, 0.10)
            .build()
            .unwrap()
    }

    fn graph<'a>(problem: &'a Problem, centres: &'a [[f64; 2]]) -> Graph<'a> {
        let (offsets, targets) = problem.adjacency_graph().neighbours();
        Graph {
            offsets: offsets.into(),
            targets: targets.into(),
            points: &problem.points,
            centres,
            locked: &problem.locked,
            scale: 1.0,
            objective: crate::Objective::SquaredDistance,
            travel: None,
            disruption: None,
            weights: None,
        }
    }

    /// The reps' bases, projected.
    fn bases(problem: &Problem) -> Vec<[f64; 2]> {
        problem
            .territories
            .iter()
            .map(|t| problem.projection.forward(t.base.unwrap()))
            .collect()
    }

    /// The western 20 columns to A, the eastern 20 (with A's base) to B:
    /// balanced by count, with A's base on B's side.
    fn halves(problem: &Problem) -> Vec<usize> {
        (0..120)
            .map(|i| usize::from(column(problem, i) >= 20))
            .collect()
    }

    /// The territory holding the account nearest each base, found by brute force.
    fn holder_of_base(problem: &Problem, of: &[usize], j: usize) -> usize {
        let at = problem
            .projection
            .forward(problem.territories[j].base.unwrap());
        let nearest = (0..of.len())
            .min_by(|&a, &b| dist2(problem.points[a], at).total_cmp(&dist2(problem.points[b], at)))
            .unwrap();
        of[nearest]
    }

    #[test]
    fn a_base_in_the_half_balance_gives_away_is_brought_home_within_the_band() {
        let problem = strip_problem();
        let bal = Balance::new(&problem);
        let centres = bases(&problem);
        let g = graph(&problem, &centres);
        // Naive balance: the western half to A, the eastern half (with A's base) to B.
        let naive = halves(&problem);
        let mut asg = Assignment::new(naive, &bal, 2);
        assert!(bal.violation(&asg.loads) <= 1e-9);
        assert_eq!(pieces(&asg.of, &g, &[0, 1]), 2);
        assert_eq!(holder_of_base(&problem, &asg.of, 0), 1, "precondition");
        let homes = home_accounts(&problem);
        assert_eq!(homes[0].len(), 1);
        assert_eq!(column(&problem, homes[0][0]), 30);
        let h = Homing {
            problem: &problem,
            bal: &bal,
            territories: 2,
            contiguous: true,
            max_moves: None,
            seed: 1,
        };
        let blocked = keep_home(&h, &mut asg, &g, &homes);
        assert_eq!(blocked, vec![None, None]);
        assert_eq!(holder_of_base(&problem, &asg.of, 0), 0);
        assert_eq!(holder_of_base(&problem, &asg.of, 1), 1);
        assert!(bal.violation(&asg.loads) <= 1e-9, "bands kept");
        assert_eq!(
            pieces(&asg.of, &g, &[0, 1]),
            2,
            "both territories one piece"
        );
        assert!(outside(&problem, &asg.of, &homes, &blocked, &|_, _| unreachable!()).is_empty());
    }

    #[test]
    fn the_engine_keeps_both_bases_home_on_the_strip_on_any_thread_count() {
        let problem = strip_problem();
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| plan(&problem, &PlanOptions::default()).unwrap())
        };
        let p = run(1);
        assert!(p.metrics.balanced());
        assert!(p.metrics.contiguity.contiguous);
        assert_eq!(p.bases_outside, Vec::new());
        assert_eq!(holder_of_base(&problem, &p.assignment, 0), 0);
        assert_eq!(holder_of_base(&problem, &p.assignment, 1), 1);
        // A holds at most 66 of the 120 accounts, so not every column up to its base's.
        let a = p.assignment.iter().filter(|&&j| j == 0).count();
        assert!(a <= 66, "{a}");
        assert_eq!(run(2).assignment, p.assignment);
    }

    /// The step runs whatever the objective and with contiguity off: with
    /// Σ distance, and without contiguity (where the home account alone moves,
    /// no chain), both bases still end up in their own territories.
    #[test]
    fn bases_come_home_with_the_distance_objective_and_without_contiguity() {
        let problem = strip_problem();
        for (objective, contiguity) in [
            (crate::Objective::Distance, true),
            (crate::Objective::SquaredDistance, false),
            (crate::Objective::Distance, false),
        ] {
            let options = PlanOptions {
                objective,
                contiguity,
                ..PlanOptions::default()
            };
            let p = plan(&problem, &options).unwrap();
            let case = format!("{objective:?}, contiguity {contiguity}");
            assert!(p.metrics.balanced(), "{case}: {:?}", p.diagnostics);
            assert_eq!(p.bases_outside, Vec::new(), "{case}");
            assert_eq!(holder_of_base(&problem, &p.assignment, 0), 0, "{case}");
            assert_eq!(holder_of_base(&problem, &p.assignment, 1), 1, "{case}");
            if contiguity {
                assert!(p.metrics.contiguity.contiguous, "{case}");
            }
        }
    }

    /// Without contiguity the home account moves alone: no chain joins it.
    #[test]
    fn without_contiguity_only_the_home_account_moves() {
        let problem = strip_problem();
        let bal = Balance::new(&problem);
        let centres = bases(&problem);
        let g = graph(&problem, &centres);
        let naive = halves(&problem);
        let mut asg = Assignment::new(naive.clone(), &bal, 2);
        let homes = home_accounts(&problem);
        let h = Homing {
            problem: &problem,
            bal: &bal,
            territories: 2,
            contiguous: false,
            max_moves: None,
            seed: 1,
        };
        let blocked = keep_home(&h, &mut asg, &g, &homes);
        assert_eq!(blocked, vec![None, None]);
        assert_eq!(holder_of_base(&problem, &asg.of, 0), 0);
        assert!(bal.violation(&asg.loads) <= 1e-9, "bands kept");
        let to_a = (0..120)
            .filter(|&i| naive[i] == 1 && asg.of[i] == 0)
            .count();
        assert!(to_a >= 1, "the home account moved to A");
        // B's extra account is paid back by the band repair, not by a chain
        // of columns 20–29 marching over.
        assert!(to_a <= 3, "{to_a} accounts moved to A");
    }

    #[test]
    fn a_base_at_an_account_too_heavy_for_its_rep_stays_outside_and_says_why() {
        // 80 accounts of 100 and one of 5,400 (40% of the revenue) where
        // A's base is: A's quarter share may hold at most 3,500.
        let mut acc = strip();
        acc.truncate(81);
        acc[15].revenue = 5400.0;
        let heavy = acc[15].id.clone();
        let at = acc[15].location;
        let problem = Problem::builder()
            .accounts(acc)
            .reps(vec![
                Rep::new("A", Some(Location::new(at.lat + 0.0001, at.lon + 0.0001))),
                Rep::new("B", Some(Location::new(60.003, 24.0 + 0.005 * 26.0))).with_capacity(3.0),
            ])
            .criterion(Measure::Revenue, 0.05)
            .build()
            .unwrap();
        let p = plan(&problem, &PlanOptions::default()).unwrap();
        assert!(p.metrics.balanced(), "{:?}", p.diagnostics);
        assert!(p.metrics.contiguity.contiguous);
        assert_eq!(holder_of_base(&problem, &p.assignment, 0), 1);
        assert_eq!(holder_of_base(&problem, &p.assignment, 1), 1);
        assert_eq!(p.bases_outside.len(), 1, "{:?}", p.bases_outside);
        let b = &p.bases_outside[0];
        assert_eq!(b.territory, "A");
        assert_eq!(b.held_by.as_deref(), Some("B"));
        assert_eq!(b.home_account.as_deref(), Some(heavy.as_str()));
        assert_eq!(b.kind, BaseOutsideKind::Balance);
        assert_eq!(b.criterion.as_deref(), Some("revenue"));
        assert!(
            b.message.contains("±5.0% band on 'revenue'"),
            "{}",
            b.message
        );
    }

    #[test]
    fn a_base_beyond_the_accounts_is_reported_as_in_no_territory() {
        let problem = Problem::builder()
            .accounts(strip())
            .reps(vec![
                Rep::new("A", Some(Location::new(60.003, 24.0))),
                Rep::new("far", Some(Location::new(61.0, 24.1))),
            ])
            .criterion(Measure::Customers, 0.10)
            .build()
            .unwrap();
        let p = plan(&problem, &PlanOptions::default()).unwrap();
        assert!(p.metrics.balanced());
        assert_eq!(p.bases_outside.len(), 1, "{:?}", p.bases_outside);
        let b = &p.bases_outside[0];
        assert_eq!(b.territory, "far");
        assert_eq!(b.held_by, None);
        assert_eq!(b.kind, BaseOutsideKind::BeyondAccounts);
    }
}
