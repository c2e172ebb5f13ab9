//! Invariants of the partition engine on seeded random instances.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::balance_lp::Frontier;
use super::candidates::Candidates;
use super::*;
use crate::{Account, DisruptionMeasure, Location, Measure, Rebalance, Rep, Status};

fn accounts(n: usize, seed: u64) -> Vec<Account> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let centres: Vec<(f64, f64)> = (0..4)
        .map(|_| (rng.random_range(60.0..60.5), rng.random_range(24.0..25.0)))
        .collect();
    (0..n)
        .map(|i| {
            let c = centres[i % centres.len()];
            let loc = Location::new(
                c.0 + rng.random_range(-0.08..0.08),
                c.1 + rng.random_range(-0.15..0.15),
            );
            let status = if rng.random::<f64>() < 0.4 {
                Status::Customer
            } else {
                Status::Prospect
            };
            let mut a = Account::new(format!("a{i}"), loc).with_status(status);
            a.revenue = if status == Status::Customer {
                rng.random_range(1000.0..50000.0)
            } else {
                0.0
            };
            a.visits = Some(if status == Status::Customer { 2.0 } else { 1.0 });
            a
        })
        .collect()
}

fn three_criteria(accounts: Vec<Account>, k: usize) -> Problem {
    at_five_percent(Problem::builder().accounts(accounts).territories(k))
}

fn three_criteria_with_reps(accounts: Vec<Account>, reps: Vec<Rep>) -> Problem {
    at_five_percent(Problem::builder().accounts(accounts).reps(reps))
}

/// Customers, prospects and workload, each within 5%.
fn at_five_percent(builder: crate::problem::ProblemBuilder) -> Problem {
    builder
        .criterion(Measure::Customers, 0.05)
        .criterion(Measure::Prospects, 0.05)
        .criterion(Measure::Workload, 0.05)
        .build()
        .unwrap()
}

#[test]
fn every_account_once_and_balanced_when_feasible() {
    for seed in 0..4 {
        let problem = three_criteria(accounts(1500, seed), 6);
        let plan = plan(
            &problem,
            &PlanOptions {
                seed,
                ..PlanOptions::default()
            },
        )
        .unwrap();
        assert_eq!(plan.assignment.len(), 1500);
        assert!(plan.assignment.iter().all(|&j| j < 6));
        let counts: usize = plan.metrics.territories.iter().map(|t| t.accounts).sum();
        assert_eq!(
            counts, 1500,
            "each account counted in exactly one territory"
        );
        assert!(
            plan.stats.lp_slack <= 1e-6,
            "the LP is feasible on these instances"
        );
        assert!(
            plan.metrics.balanced(),
            "seed {seed}: {:?}",
            plan.metrics.criteria
        );
        let ratio = plan.metrics.compactness.ratio_to_bound.unwrap();
        assert!(
            (1.0 - 1e-6..1.10).contains(&ratio),
            "compactness ratio {ratio}"
        );
    }
}

#[test]
fn locked_accounts_stay() {
    let mut acc = accounts(800, 3);
    let reps: Vec<Rep> = (0..4)
        .map(|j| {
            Rep::new(
                format!("r{j}"),
                Some(Location::new(60.0 + 0.15 * j as f64, 24.2 + 0.2 * j as f64)),
            )
        })
        .collect();
    // Lock every 10th account to a rep that is not necessarily its nearest.
    for (i, a) in acc.iter_mut().enumerate().filter(|(i, _)| i % 10 == 0) {
        a.territory = Some(format!("r{}", i % 4));
        a.locked = true;
    }
    let problem = Problem::builder()
        .accounts(acc)
        .reps(reps)
        .criterion(Measure::Customers, 0.10)
        .criterion(Measure::Prospects, 0.10)
        .build()
        .unwrap();
    let plan = plan(&problem, &PlanOptions::default()).unwrap();
    for (i, &j) in plan.assignment.iter().enumerate() {
        if problem.locked()[i] {
            assert_eq!(
                Some(j),
                problem.current_territories()[i],
                "locked account {i} moved"
            );
        }
    }
    assert!(plan.metrics.balanced(), "{:?}", plan.metrics.criteria);
    // Rep bases are the centres.
    for (j, t) in problem.territories().iter().enumerate() {
        let base = problem.projection().forward(t.base.unwrap());
        assert!(
            (base[0] - plan.centres[j][0]).abs() < 1e-9
                && (base[1] - plan.centres[j][1]).abs() < 1e-9
        );
    }
}

#[test]
fn capacity_shares_set_targets() {
    let reps = vec![
        Rep::new("full", None),
        Rep::new("part", None).with_capacity(0.5),
        Rep::new("senior", None).with_capacity(1.5),
    ];
    let problem = Problem::builder()
        .accounts(accounts(900, 5))
        .reps(reps)
        .criterion(Measure::Accounts, 0.05)
        .build()
        .unwrap();
    let plan = plan(&problem, &PlanOptions::default()).unwrap();
    let sizes: Vec<usize> = plan
        .metrics
        .territories
        .iter()
        .map(|t| t.accounts)
        .collect();
    assert!((285..=315).contains(&sizes[0]), "{sizes:?}");
    assert!((142..=158).contains(&sizes[1]), "{sizes:?}");
    assert!((427..=473).contains(&sizes[2]), "{sizes:?}");
}

#[test]
fn deterministic_for_seed_and_thread_count() {
    let problem = three_criteria(accounts(2000, 11), 8);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            plan(
                &problem,
                &PlanOptions {
                    seed: 42,
                    ..PlanOptions::default()
                },
            )
            .unwrap()
        })
    };
    let one = run(1);
    let two = run(2);
    assert_eq!(one.assignment, two.assignment);
    assert_eq!(one.centres, two.centres);
    assert_eq!(one.assignment, run(2).assignment);
}

#[test]
fn impossible_tolerance_gives_best_plan_and_diagnostic() {
    let mut acc = accounts(600, 8);
    // One account carries most of the revenue: no split can be within 5%.
    acc[0].status = Status::Customer;
    acc[0].revenue = 1.0e9;
    let problem = Problem::builder()
        .accounts(acc)
        .territories(4)
        .criterion(Measure::Revenue, 0.05)
        .criterion(Measure::Customers, 0.05)
        .build()
        .unwrap();
    let plan = plan(&problem, &PlanOptions::default()).unwrap();
    assert_eq!(plan.assignment.len(), 600);
    let missed: Vec<&Diagnostic> = plan
        .diagnostics
        .iter()
        .filter(|d| d.kind == DiagnosticKind::ToleranceMissed)
        .collect();
    assert!(missed
        .iter()
        .any(|d| d.criterion.as_deref() == Some("revenue")
            && d.message.contains("impossible: account 'a0' alone carries")));
    // The criterion that can be met still is.
    assert!(
        plan.metrics.criteria[1].within_tolerance,
        "{:?}",
        plan.metrics.criteria
    );
}

#[test]
fn impossible_is_claimed_only_when_proven() {
    // An account wider than the band but lighter than a territory's upper
    // limit does not prove a miss: no diagnostic may call it impossible.
    let mut acc = accounts(400, 3);
    for a in acc.iter_mut() {
        a.revenue = 100.0;
    }
    // 400 × 100 = 40,000 over 4 territories: targets 10,000, bands ±1% = 200 wide.
    acc[0].revenue = 900.0;
    let problem = Problem::builder()
        .accounts(acc)
        .territories(4)
        .criterion(Measure::Revenue, 0.01)
        .build()
        .unwrap();
    // One start: the diagnostics are the subject, not the search.
    let one = PlanOptions {
        starts: Some(1),
        ..PlanOptions::default()
    };
    let plan = plan(&problem, &one).unwrap();
    for d in &plan.diagnostics {
        let claims = ["impossible", "cannot fit"];
        assert!(
            !claims.iter().any(|c| d.message.contains(c)),
            "{}",
            d.message
        );
    }
}

#[test]
fn zero_total_criterion_is_reported_not_fatal() {
    let acc: Vec<Account> = accounts(300, 2)
        .into_iter()
        .map(|a| a.with_status(Status::Customer))
        .collect();
    let problem = Problem::builder()
        .accounts(acc)
        .territories(3)
        .criterion(Measure::Customers, 0.05)
        .criterion(Measure::Prospects, 0.05)
        .build()
        .unwrap();
    let plan = plan(&problem, &PlanOptions::default()).unwrap();
    assert!(plan
        .diagnostics
        .iter()
        .any(|d| d.kind == DiagnosticKind::CriterionIgnored));
    assert!(plan.metrics.criteria[0].within_tolerance);
}

#[test]
fn builder_rejects_bad_problems() {
    let acc = accounts(10, 1);
    assert_eq!(
        Problem::builder().territories(2).build().unwrap_err(),
        ProblemError::NoAccounts
    );
    assert!(matches!(
        Problem::builder()
            .accounts(acc.clone())
            .territories(11)
            .build(),
        Err(ProblemError::TooManyTerritories { .. })
    ));
    let mut dup = acc.clone();
    dup[3].id = "a0".into();
    assert_eq!(
        Problem::builder()
            .accounts(dup)
            .territories(2)
            .build()
            .unwrap_err(),
        ProblemError::DuplicateAccount("a0".into())
    );
    let mut nan = acc.clone();
    nan[2].revenue = f64::NAN;
    assert!(matches!(
        Problem::builder().accounts(nan).territories(2).build(),
        Err(ProblemError::InvalidValue { .. })
    ));
    let mut locked = acc.clone();
    locked[1].locked = true;
    assert!(matches!(
        Problem::builder().accounts(locked).territories(2).build(),
        Err(ProblemError::LockedWithoutTerritory { .. })
    ));
    assert!(matches!(
        Problem::builder()
            .accounts(acc)
            .territories(2)
            .criterion(Measure::parse("floorspace"), 0.05)
            .build(),
        Err(ProblemError::UnknownAttribute(_))
    ));
}

use crate::problem::ProblemError;

#[test]
fn contiguity_can_be_turned_off() {
    let problem = three_criteria(accounts(1500, 21), 6);
    let on = plan(&problem, &PlanOptions::default()).unwrap();
    let off = plan(
        &problem,
        &PlanOptions {
            contiguity: false,
            ..PlanOptions::default()
        },
    )
    .unwrap();
    assert!(on.metrics.contiguity.contiguous);
    assert!(on.stats.contiguity_repair.is_some());
    assert!(off.stats.contiguity_repair.is_none());
    // The repair costs some compactness, never balance.
    assert!(on.metrics.balanced() && off.metrics.balanced());
    assert!(on.metrics.compactness.inertia_km2 >= off.metrics.compactness.inertia_km2 * 0.999);
}

fn with_current(mut acc: Vec<Account>, plan: &Plan, problem: &Problem) -> Vec<Account> {
    for (a, &j) in acc.iter_mut().zip(&plan.assignment) {
        a.territory = Some(problem.territories()[j].id.clone());
    }
    acc
}

fn rebalance_problem(acc: Vec<Account>, reps: &[Rep]) -> Problem {
    Problem::builder()
        .accounts(acc)
        .reps(reps.to_vec())
        .criterion(Measure::Customers, 0.05)
        .criterion(Measure::Prospects, 0.05)
        .build()
        .unwrap()
}

fn some_reps() -> Vec<Rep> {
    (0..5)
        .map(|j| {
            Rep::new(
                format!("r{j}"),
                Some(Location::new(
                    60.05 + 0.09 * j as f64,
                    24.1 + 0.17 * j as f64,
                )),
            )
        })
        .collect()
}

#[test]
fn rebalance_moves_nothing_when_balanced_and_little_after_changes() {
    let reps = some_reps();
    let acc = accounts(1200, 31);
    let first = rebalance_problem(acc.clone(), &reps);
    let base = plan(&first, &PlanOptions::default()).unwrap();
    assert!(base.metrics.balanced());
    let current = with_current(acc, &base, &first);
    let options = PlanOptions {
        rebalance: Some(Rebalance::default()),
        ..PlanOptions::default()
    };

    let again = rebalance_problem(current.clone(), &reps);
    let same = plan(&again, &options).unwrap();
    assert_eq!(
        same.assignment, base.assignment,
        "a balanced plan is left alone"
    );

    // 5% new accounts (no territory), 2% removed.
    let mut changed: Vec<Account> = current
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 50 != 7)
        .map(|(_, a)| a.clone())
        .collect();
    let added: Vec<Account> = accounts(60, 99)
        .into_iter()
        .enumerate()
        .map(|(k, mut a)| {
            a.id = format!("new{k}");
            a
        })
        .collect();
    changed.extend(added);
    let problem = rebalance_problem(changed, &reps);
    let out = plan(&problem, &options).unwrap();
    assert!(out.metrics.balanced(), "{:?}", out.metrics.criteria);
    let moved = (0..problem.accounts().len())
        .filter(|&i| problem.current_territories()[i].is_some_and(|h| h != out.assignment[i]))
        .count();
    assert!(moved <= 3 * 60, "moved {moved}");
}

#[test]
fn rebalance_honours_locks_and_the_move_cap() {
    let reps = some_reps();
    let acc = accounts(800, 41);
    // A deliberately unbalanced current plan: everything with the nearest rep by index parity.
    let mut current: Vec<Account> = acc
        .into_iter()
        .enumerate()
        .map(|(i, mut a)| {
            a.territory = Some(format!("r{}", if i % 3 == 0 { 0 } else { i % 5 }));
            a.locked = i % 17 == 0;
            a
        })
        .collect();
    current[1].locked = true;
    let problem = rebalance_problem(current, &reps);
    for cap in [None, Some(25)] {
        let options = PlanOptions {
            rebalance: Some(Rebalance {
                measure: DisruptionMeasure::Accounts,
                max_moves: cap,
            }),
            ..PlanOptions::default()
        };
        let out = plan(&problem, &options).unwrap();
        let mut moved = 0;
        for i in 0..problem.accounts().len() {
            let home = problem.current_territories()[i];
            if problem.locked()[i] {
                assert_eq!(Some(out.assignment[i]), home, "locked account {i} moved");
            }
            if home.is_some_and(|h| h != out.assignment[i]) {
                moved += 1;
            }
        }
        if let Some(cap) = cap {
            assert!(moved <= cap, "moved {moved} > cap {cap}");
            assert!(
                !out.diagnostics.is_empty(),
                "a capped rebalance of a bad plan reports what it missed"
            );
        }
    }
}

#[test]
fn figures_describe_the_final_territories_after_repair() {
    // Clustered accounts with contiguity repair: accounts move after the LP.
    for seed in 0..3 {
        let problem = three_criteria(accounts(600, seed + 40), 7);
        let plan = plan(
            &problem,
            &PlanOptions {
                seed,
                ..PlanOptions::default()
            },
        )
        .unwrap();
        let k = problem.territories.len();
        let mut sum = vec![[0.0f64; 3]; k];
        for (i, &j) in plan.assignment.iter().enumerate() {
            let p = problem.points[i];
            sum[j][0] += p[0];
            sum[j][1] += p[1];
            sum[j][2] += 1.0;
        }
        let mut inertia = 0.0;
        for (i, &j) in plan.assignment.iter().enumerate() {
            let c = [sum[j][0] / sum[j][2], sum[j][1] / sum[j][2]];
            assert!(
                (plan.centres[j][0] - c[0]).abs() < 1e-9
                    && (plan.centres[j][1] - c[1]).abs() < 1e-9,
                "seed {seed}: centre of territory {j} is not its accounts' centroid"
            );
            let p = problem.points[i];
            inertia += (p[0] - c[0]).powi(2) + (p[1] - c[1]).powi(2);
        }
        let reported = plan.metrics.compactness.inertia_km2;
        assert!(
            (reported - inertia).abs() <= 1e-6 * inertia.max(1.0),
            "{reported} vs {inertia}"
        );
    }
}

#[test]
fn weighted_compactness_matches_a_hand_computed_case() {
    // Planar units: two pairs far apart, one heavy unit in each pair.
    let units = [
        ("a", 0.0, 0.0, 3.0),
        ("b", 1.0, 0.0, 1.0),
        ("c", 100.0, 0.0, 1.0),
        ("d", 101.0, 0.0, 3.0),
    ];
    let accounts: Vec<Account> = units
        .iter()
        .map(|&(id, x, y, w)| {
            let mut a = Account::new(id, Location::new(y, x));
            a.attributes.insert("population".into(), w);
            a
        })
        .collect();
    let problem = Problem::builder()
        .accounts(accounts)
        .planar(true)
        .territories(2)
        .criterion(Measure::Accounts, 0.01)
        .compactness_weight(Measure::Attribute("population".into()))
        .build()
        .unwrap();
    let plan = plan(&problem, &PlanOptions::default()).unwrap();
    assert_eq!(plan.assignment[0], plan.assignment[1]);
    assert_eq!(plan.assignment[2], plan.assignment[3]);
    // Weighted means: (3·0 + 1·1)/4 = 0.25 and (1·100 + 3·101)/4 = 100.75.
    let west = plan.centres[plan.assignment[0]];
    let east = plan.centres[plan.assignment[2]];
    assert!(
        (west[0] - 0.25).abs() < 1e-9 && (east[0] - 100.75).abs() < 1e-9,
        "{west:?} {east:?}"
    );
    // Σ w d² = 3·0.25² + 1·0.75² per pair = 0.75, twice.
    let c = &plan.metrics.compactness;
    assert!((c.inertia_km2 - 1.5).abs() < 1e-9, "{}", c.inertia_km2);
    assert_eq!(c.weight.as_deref(), Some("population"));
    let ratio = c.ratio_to_bound.expect("a bound");
    assert!(ratio >= 1.0 - 1e-9, "{ratio}");
}

#[test]
fn aggregated_planning_with_fixed_rep_bases() {
    // Above `aggregate_above` accounts, cells are planned first; rep bases
    // must reach the cell problem in its planar units (this was a crash once
    // the country spans more than 180 km, as France does).
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let acc: Vec<Account> = (0..3000)
        .map(|i| {
            let loc = Location::new(rng.random_range(43.0..50.0), rng.random_range(-4.0..8.0));
            let status = if i % 3 == 0 {
                Status::Prospect
            } else {
                Status::Customer
            };
            Account::new(format!("a{i}"), loc).with_status(status)
        })
        .collect();
    let reps: Vec<Rep> = (0..6)
        .map(|j| {
            let a = &acc[j * 97];
            Rep::new(format!("r{j}"), Some(a.location))
        })
        .collect();
    let problem = Problem::builder()
        .accounts(acc)
        .reps(reps)
        .criterion(Measure::Customers, 0.05)
        .criterion(Measure::Prospects, 0.05)
        .build()
        .unwrap();
    let options = PlanOptions {
        aggregate_above: 1000,
        aggregate_cells: 600,
        ..PlanOptions::default()
    };
    let plan = plan(&problem, &options).unwrap();
    assert_eq!(plan.assignment.len(), 3000);
    assert!(plan.stats.aggregated_cells.is_some());
    assert!(plan.assignment.iter().all(|&j| j < 6));
    // The cells' prices bound the account-level plan.
    let c = &plan.metrics.compactness;
    let ratio = c.ratio_to_bound.expect("a bound with aggregated cells");
    assert!(ratio >= 1.0 - 1e-9 || !plan.metrics.balanced(), "{ratio}");
}

#[test]
fn unit_centres_sit_on_the_member_nearest_the_weighted_mean() {
    let units = [("a", 0.0, 3.0), ("b", 1.0, 1.0), ("c", 4.0, 1.0)];
    let accounts: Vec<Account> = units
        .iter()
        .map(|&(id, x, w)| {
            let mut a = Account::new(id, Location::new(0.0, x));
            a.attributes.insert("population".into(), w);
            a
        })
        .collect();
    let problem = Problem::builder()
        .accounts(accounts)
        .planar(true)
        .territories(1)
        .compactness_weight(Measure::Attribute("population".into()))
        .build()
        .unwrap();
    let options = PlanOptions {
        centre: CentreRule::Unit,
        ..PlanOptions::default()
    };
    let plan = plan(&problem, &options).unwrap();
    // Weighted mean (0·3 + 1·1 + 4·1)/5 = 1: unit `b`; Σ w d² = 3·1 + 0 + 1·9 = 12.
    assert_eq!(plan.centres[0], [1.0, 0.0]);
    assert!((plan.metrics.compactness.inertia_km2 - 12.0).abs() < 1e-9);
    assert_eq!(plan.metrics.compactness.centre, "unit");
}

#[test]
fn smoothed_dual_prices_bound_the_lp_closely_with_fixed_bases() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let reps: Vec<Rep> = (0..6)
        .map(|j| {
            Rep::new(
                format!("r{j}"),
                Some(Location::new(
                    rng.random_range(60.0..60.5),
                    rng.random_range(24.0..25.0),
                )),
            )
        })
        .collect();
    let problem = Problem::builder()
        .accounts(accounts(600, 5))
        .reps(reps)
        .criterion(Measure::Customers, 0.05)
        .criterion(Measure::Prospects, 0.05)
        .criterion(Measure::Workload, 0.05)
        .build()
        .unwrap();
    let bal = Balance::new(&problem);
    let centres: Vec<[f64; 2]> = problem
        .territories
        .iter()
        .map(|t| problem.projection.forward(t.base.unwrap()))
        .collect();
    let cand = Candidates::build(
        &problem.points,
        &centres,
        6,
        &vec![None; 600],
        Objective::SquaredDistance,
        None,
        None,
    );
    let frontier = Frontier {
        free: (0..600)
            .map(|i| Some(cand.of(i).map(|(j, _)| j).collect()))
            .collect(),
        fixed_to: vec![0; 600],
    };
    let lp = balance_lp::solve(&bal, &cand, &frontier, 6, 0.0).unwrap();
    assert!(lp.slack < 1e-6, "the instance is balanced in the LP");
    let mut prices = Prices::zero(6 * bal.c);
    smoothed_dual::climb(&bal, &cand, &mut prices);
    let bound = lagrangian::lower_bound(&bal, &cand, &prices, 6, None);
    assert!(
        bound <= lp.cost * (1.0 + 1e-6),
        "bound {bound} above the LP {}",
        lp.cost
    );
    assert!(
        bound >= 0.99 * lp.cost,
        "bound {bound} far below the LP {}",
        lp.cost
    );
}

/// Fixed bases as sales forces have them: two reps a few hundred metres apart
/// in the big town, and an island with more accounts than its one rep can take.
fn fixed_bases_with_an_island(n: usize, seed: u64) -> Problem {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut acc = accounts(n - n / 8, seed);
    for i in 0..n / 8 {
        let loc = Location::new(
            59.0 + rng.random_range(-0.05..0.05),
            23.0 + rng.random_range(-0.1..0.1),
        );
        let status = if i % 5 < 2 {
            Status::Customer
        } else {
            Status::Prospect
        };
        let mut a = Account::new(format!("island{i}"), loc).with_status(status);
        a.visits = Some(if status == Status::Customer { 2.0 } else { 1.0 });
        acc.push(a);
    }
    let mut reps: Vec<Rep> = (0..9)
        .map(|j| {
            Rep::new(
                format!("r{j}"),
                Some(Location::new(
                    rng.random_range(60.0..60.5),
                    rng.random_range(24.0..25.0),
                )),
            )
        })
        .collect();
    reps.push(Rep::new("twin", Some(Location::new(60.201, 24.5))));
    reps.push(Rep::new("twin2", Some(Location::new(60.203, 24.502))));
    reps.push(Rep::new("island", Some(Location::new(59.0, 23.0))));
    three_criteria_with_reps(acc, reps)
}

#[test]
fn fixed_bases_at_scale_balance_with_a_close_bound() {
    // 6,000 accounts × 10 candidates is past the full LP: the smoothed dual
    // and the repriced candidates decide which accounts the LP sees.
    let problem = fixed_bases_with_an_island(6000, 3);
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| plan(&problem, &PlanOptions::default()).unwrap())
    };
    let p = run(2);
    assert_eq!(p.assignment.len(), problem.accounts.len());
    assert!(p.assignment.iter().all(|&j| j < 12));
    // The island's rep cannot take the island alone (750 accounts, target 500).
    let island = problem.territories.len() - 1;
    let on_island =
        (0..problem.accounts.len()).filter(|&i| problem.accounts[i].id.starts_with("island"));
    assert!(on_island.clone().any(|i| p.assignment[i] != island));
    for c in &p.metrics.criteria {
        assert!(
            c.max_deviation <= c.tolerance + 1e-9,
            "{}: {:.4}",
            c.criterion,
            c.max_deviation
        );
    }
    assert!(p.metrics.territories.iter().all(|t| t.components == 1));
    let ratio = p.metrics.compactness.ratio_to_bound.expect("a bound");
    assert!((1.0..1.25).contains(&ratio), "ratio to bound {ratio}");
    assert_eq!(
        run(1).assignment,
        p.assignment,
        "thread count changed the plan"
    );
}

#[test]
fn the_bound_is_never_below_every_account_at_its_nearest_base() {
    // Tolerances of 0.1% on 400 accounts: the LP over the candidates
    // misses, and its slack penalties alone would give a bound below zero.
    let mut problem = fixed_bases_with_an_island(400, 5);
    for c in &mut problem.criteria {
        c.tolerance = 0.001;
    }
    let options = PlanOptions {
        contiguity: false,
        ..PlanOptions::default()
    };
    let p = plan(&problem, &options).unwrap();
    let bases: Vec<[f64; 2]> = problem
        .territories
        .iter()
        .map(|t| problem.projection.forward(t.base.expect("fixed")))
        .collect();
    let nearest: f64 = problem
        .points
        .iter()
        .map(|&q| {
            bases
                .iter()
                .map(|&b| crate::projection::dist2(q, b))
                .fold(f64::INFINITY, f64::min)
        })
        .sum();
    let bound = p.metrics.compactness.lower_bound.expect("a bound");
    assert!(bound >= nearest * (1.0 - 1e-9), "{bound} < {nearest}");
    assert!(p.metrics.compactness.ratio_to_bound.is_some());
}

/// `n` accounts in four towns and `k` fixed reps, half of them living in the
/// first town, which holds only a quarter of the accounts: small territories
/// whose nearest bases cannot balance that town.
fn small_fixed_territories_in_a_crowded_town(n: usize, k: usize, seed: u64) -> Problem {
    let acc = accounts(n, seed);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xba5e);
    let town = acc[0].location;
    let reps: Vec<Rep> = (0..k)
        .map(|j| {
            let loc = if j % 2 == 0 {
                Location::new(
                    town.lat + rng.random_range(-0.02..0.02),
                    town.lon + rng.random_range(-0.04..0.04),
                )
            } else {
                acc[rng.random_range(0..n)].location
            };
            Rep::new(format!("r{j}"), Some(loc))
        })
        .collect();
    three_criteria_with_reps(acc, reps)
}

#[test]
fn small_fixed_territories_around_a_crowded_town_balance_with_a_bound() {
    // 5,000 accounts on 50 bases: 100 accounts a territory, 25 reps in a town
    // of 1,250 accounts. Their nearest bases leave the LP out of reach; the
    // wide first climb of the smoothed dual brings it within reach.
    let problem = small_fixed_territories_in_a_crowded_town(5000, 50, 11);
    let options = PlanOptions {
        contiguity: false,
        ..PlanOptions::default()
    };
    let p = plan(&problem, &options).unwrap();
    assert_eq!(p.assignment.len(), problem.accounts.len());
    for c in &p.metrics.criteria {
        assert!(
            c.max_deviation <= c.tolerance + 1e-9,
            "{}: {:.4}",
            c.criterion,
            c.max_deviation
        );
    }
    let ratio = p.metrics.compactness.ratio_to_bound.expect("a bound");
    assert!((1.0..1.5).contains(&ratio), "ratio to bound {ratio}");
}

#[test]
fn two_bases_sharing_their_nearest_account_say_so() {
    // Reps 20 m apart have the same nearest account: only one territory can
    // hold it, and the other base's reason must say why, not blame a move cap.
    let acc = accounts(400, 5);
    let spot = acc[7].location;
    let mut reps: Vec<Rep> = (0..4)
        .map(|j| Rep::new(format!("r{j}"), Some(acc[50 * j + 3].location)))
        .collect();
    reps.push(Rep::new("twin-a", Some(spot)));
    reps.push(Rep::new(
        "twin-b",
        Some(Location::new(spot.lat + 0.0001, spot.lon + 0.0001)),
    ));
    let problem = three_criteria_with_reps(acc, reps);
    let p = plan(&problem, &PlanOptions::default()).unwrap();
    assert!(
        p.bases_outside
            .iter()
            .all(|b| b.kind != BaseOutsideKind::MoveCap),
        "{:?}",
        p.bases_outside
    );
    let twin = p
        .bases_outside
        .iter()
        .find(|b| b.territory.starts_with("twin"))
        .expect("one twin base is outside");
    assert_eq!(twin.kind, BaseOutsideKind::SharedHome, "{}", twin.message);
    assert!(twin.message.contains("twin-"), "{}", twin.message);
}
