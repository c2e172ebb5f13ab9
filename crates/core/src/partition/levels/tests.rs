//! Levels: nesting, balance at both levels, determinism, reps' regions,
//! locks and rebalancing within regions.

use super::*;
use crate::{Account, Measure, Rep, Status};

/// A 24 × 20 grid of accounts, every third a prospect, revenue varying.
fn grid() -> Vec<Account> {
    (0..480)
        .map(|i| {
            let (x, y) = ((i % 24) as f64, (i / 24) as f64);
            let status = if i % 3 == 0 {
                Status::Prospect
            } else {
                Status::Customer
            };
            Account::new(
                format!("a{i}"),
                Location::new(60.0 + y * 0.01, 24.0 + x * 0.02 + (i % 7) as f64 * 1e-4),
            )
            .with_status(status)
            .with_revenue(1000.0 + (i * 37 % 101) as f64 * 10.0)
        })
        .collect()
}

fn problem(accounts: Vec<Account>, reps: Option<Vec<Rep>>, k: usize) -> Problem {
    let builder = Problem::builder()
        .accounts(accounts)
        .criterion(Measure::Customers, 0.08)
        .criterion(Measure::Prospects, 0.08)
        .criterion(Measure::Revenue, 0.08);
    match reps {
        Some(reps) => builder.reps(reps),
        None => builder.territories(k),
    }
    .build()
    .unwrap()
}

fn assert_nested(p: &LevelledPlan, k: usize) {
    assert_eq!(p.territory_region.len(), k);
    for (i, &j) in p.plan.assignment.iter().enumerate() {
        assert_eq!(
            p.account_region[i], p.territory_region[j],
            "account {i} in territory {j} lies outside its territory's region"
        );
    }
    for (r, region) in p.regions.iter().enumerate() {
        for &j in &region.territories {
            assert_eq!(p.territory_region[j], r);
            assert_eq!(
                p.plan.metrics.territories[j].region.as_deref(),
                Some(region.id.as_str())
            );
        }
    }
}

#[test]
fn territories_nest_in_regions_and_both_levels_are_balanced_and_whole() {
    let problem = problem(grid(), None, 8);
    let levels = Levels::new(3, 8).unwrap();
    let p = plan_levels(&problem, &levels, &PlanOptions::default(), &NoProgress).unwrap();
    assert_nested(&p, 8);
    // 8 over 3: 3, 3, 2 territories.
    let sizes: Vec<usize> = p.regions.iter().map(|r| r.territories.len()).collect();
    assert_eq!(sizes, vec![3, 3, 2]);
    let ids: Vec<&str> = p.regions.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, vec!["R01", "R02", "R03"]);
    assert!(p.plan.metrics.balanced(), "{:?}", p.plan.metrics.criteria);
    assert!(
        p.region_metrics.balanced(),
        "{:?}",
        p.region_metrics.criteria
    );
    // Every territory is within 8% of its global target (total / 8).
    for t in &p.plan.metrics.territories {
        for b in &t.balance {
            assert!(
                b.deviation <= 0.08 + 1e-9,
                "{} {}: {}",
                t.id,
                b.criterion,
                b.deviation
            );
        }
    }
    // Regions against half the tolerance, with targets of 3/8, 3/8, 2/8.
    for c in &p.region_metrics.criteria {
        assert!((c.tolerance - 0.04).abs() < 1e-12);
    }
    let share =
        p.region_metrics.territories[2].balance[0].target / p.region_metrics.criteria[0].total;
    assert!((share - 0.25).abs() < 1e-9, "{share}");
    assert!(p.plan.metrics.contiguity.contiguous);
    assert!(p.region_metrics.contiguity.contiguous);
    assert!(p.plan.diagnostics.is_empty(), "{:?}", p.plan.diagnostics);
}

#[test]
fn the_same_plan_on_any_thread_count() {
    let problem = problem(grid(), None, 8);
    let levels = Levels::new(3, 8).unwrap();
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| plan_levels(&problem, &levels, &PlanOptions::default(), &NoProgress))
            .unwrap()
    };
    let (one, four) = (run(1), run(4));
    assert_eq!(one.plan.assignment, four.plan.assignment);
    assert_eq!(one.account_region, four.account_region);
    assert_eq!(one.plan.centres, four.plan.centres);
}

fn reps_with_regions() -> Vec<Rep> {
    // Six reps on the grid, three west (region W) and three east (E), listed mixed.
    [
        ("w1", 60.03, 24.05, "W"),
        ("e1", 60.03, 24.40, "E"),
        ("w2", 60.10, 24.10, "W"),
        ("e2", 60.10, 24.38, "E"),
        ("w3", 60.16, 24.06, "W"),
        ("e3", 60.16, 24.42, "E"),
    ]
    .into_iter()
    .map(|(id, lat, lon, region)| {
        let mut r = Rep::new(id, Some(Location::new(lat, lon)));
        r.region = Some(region.into());
        r
    })
    .collect()
}

#[test]
fn reps_regions_group_their_territories_and_locked_accounts_stay() {
    let mut accounts = grid();
    // A western account locked to an eastern rep pulls it into region E.
    accounts[24 * 10 + 2].territory = Some("e2".into());
    accounts[24 * 10 + 2].locked = true;
    let problem = problem(accounts, Some(reps_with_regions()), 6);
    let levels = Levels::from_reps(&problem).unwrap().unwrap();
    assert_eq!((levels.regions(), levels.territories()), (2, 6));
    let p = plan_levels(&problem, &levels, &PlanOptions::default(), &NoProgress).unwrap();
    assert_nested(&p, 6);
    assert_eq!(p.regions[0].id, "W");
    assert_eq!(p.regions[0].territories, vec![0, 2, 4]);
    assert_eq!(p.regions[1].territories, vec![1, 3, 5]);
    // The region's centre is the mean of its reps' bases.
    let base = p.regions[0].base.unwrap();
    assert!(
        (base.lat - (60.03 + 60.10 + 60.16) / 3.0).abs() < 1e-6,
        "{base:?}"
    );
    assert_eq!(
        p.plan.assignment[24 * 10 + 2],
        3,
        "the locked account stays with e2"
    );
    assert!(p.plan.metrics.balanced(), "{:?}", p.plan.diagnostics);
    // Rep bases stay the centres.
    for (j, t) in problem.territories().iter().enumerate() {
        let b = problem.projection().forward(t.base.unwrap());
        assert!(dist2(b, p.plan.centres[j]) < 1e-12);
    }
}

#[test]
fn invalid_levels_are_typed_errors() {
    assert_eq!(Levels::new(0, 4), Err(LevelsError::NoRegions));
    assert_eq!(
        Levels::new(5, 4),
        Err(LevelsError::MoreRegionsThanTerritories {
            regions: 5,
            territories: 4
        })
    );
    assert!(Levels::new(2, 4)
        .unwrap()
        .with_region_tolerance(0.0)
        .is_err());
    let p = problem(grid(), None, 8);
    assert_eq!(Levels::from_reps(&p), Ok(None));
    let err = plan_levels(
        &p,
        &Levels::new(2, 6).unwrap(),
        &PlanOptions::default(),
        &NoProgress,
    )
    .unwrap_err();
    assert_eq!(
        err,
        LevelsError::TerritoryCountMismatch {
            levels: 6,
            problem: 8
        }
    );
    let mut reps = reps_with_regions();
    reps[3].region = None;
    let p = problem(grid(), Some(reps), 6);
    assert_eq!(
        Levels::from_reps(&p),
        Err(LevelsError::MissingRegion("e2".into()))
    );
}

#[test]
fn a_rebalance_keeps_accounts_in_their_region_while_regions_are_in_band() {
    let first = problem(grid(), Some(reps_with_regions()), 6);
    let levels = Levels::from_reps(&first).unwrap().unwrap();
    let planned = plan_levels(&first, &levels, &PlanOptions::default(), &NoProgress).unwrap();
    // Unbalance the territories inside region W: w1 takes a strip of w2's accounts.
    let mut accounts = grid();
    let ids: Vec<&str> = first.territories().iter().map(|t| t.id.as_str()).collect();
    let mut taken = 0;
    for (i, a) in accounts.iter_mut().enumerate() {
        let mut j = planned.plan.assignment[i];
        if ids[j] == "w2" && taken < 25 {
            j = 0;
            taken += 1;
        }
        a.territory = Some(ids[j].to_string());
    }
    let second = problem(accounts, Some(reps_with_regions()), 6);
    let options = PlanOptions {
        rebalance: Some(Rebalance::default()),
        ..PlanOptions::default()
    };
    let before = plan_levels(
        &second,
        &levels,
        &PlanOptions {
            rebalance: None,
            ..options.clone()
        },
        &NoProgress,
    );
    assert!(before.is_ok());
    let p = plan_levels(&second, &levels, &options, &NoProgress).unwrap();
    assert_nested(&p, 6);
    assert_eq!(
        p.account_region, planned.account_region,
        "no account changed region"
    );
    assert!(p.plan.metrics.balanced(), "{:?}", p.plan.diagnostics);
    let moved = (0..second.accounts().len())
        .filter(|&i| second.current_territories()[i] != Some(p.plan.assignment[i]))
        .count();
    assert!(moved <= 60, "{moved} moves to undo 25");
}

#[test]
fn a_region_off_its_share_is_diagnosed_truthfully() {
    // Region tolerance as wide as the territories' (factor 1): regions may be
    // 8% off, which can leave too little room for their territories; any
    // miss must then be reported against the global targets.
    let problem = problem(grid(), None, 8);
    let levels = Levels::new(3, 8)
        .unwrap()
        .with_region_tolerance(1.0)
        .unwrap();
    let p = plan_levels(&problem, &levels, &PlanOptions::default(), &NoProgress).unwrap();
    assert_nested(&p, 8);
    let missed = p
        .plan
        .metrics
        .criteria
        .iter()
        .filter(|c| !c.within_tolerance)
        .count();
    let reported = p
        .plan
        .diagnostics
        .iter()
        .filter(|d| d.kind == DiagnosticKind::ToleranceMissed && !d.message.starts_with("regions:"))
        .count();
    assert_eq!(missed, reported, "{:?}", p.plan.diagnostics);
    // The narrowed bands keep each territory inside the global band.
    for region in &p.regions {
        for (c, &t) in region.territory_tolerances.iter().enumerate() {
            assert!(t > 0.0 && t <= problem.criteria()[c].tolerance + 1e-12);
        }
    }
}
