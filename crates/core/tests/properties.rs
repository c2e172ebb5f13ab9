//! Property tests over random instances: assignment, locks, contiguity,
//! rebalance and determinism invariants of the partition engine.

use proptest::prelude::*;
use territory::{
    plan, Account, DisruptionMeasure, Location, Measure, Plan, PlanOptions, Problem, Rebalance,
    Rep, Status,
};

/// A random instance: accounts around a few centres, some locked to a rep.
#[derive(Debug, Clone)]
struct Instance {
    accounts: Vec<Account>,
    reps: Vec<Rep>,
}

fn instance() -> impl Strategy<Value = Instance> {
    (2usize..6, 40usize..260, any::<u64>()).prop_map(|(k, n, seed)| {
        // A small deterministic generator keeps shrinking meaningful.
        let mut state = seed | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 1_000_000) as f64 / 1_000_000.0
        };
        let reps: Vec<Rep> = (0..k)
            .map(|j| {
                Rep::new(
                    format!("r{j}"),
                    Some(Location::new(60.0 + next() * 0.4, 24.0 + next() * 0.8)),
                )
            })
            .collect();
        let accounts = (0..n)
            .map(|i| {
                let r = &reps[i % k];
                let base = r.base.expect("reps have bases");
                let loc = Location::new(
                    base.lat + (next() - 0.5) * 0.3,
                    base.lon + (next() - 0.5) * 0.6,
                );
                let status = if next() < 0.4 {
                    Status::Customer
                } else {
                    Status::Prospect
                };
                let mut a = Account::new(format!("a{i}"), loc).with_status(status);
                a.revenue = next() * 1000.0;
                if next() < 0.05 {
                    a.territory = Some(format!("r{}", (next() * k as f64) as usize % k));
                    a.locked = true;
                }
                a
            })
            .collect();
        Instance { accounts, reps }
    })
}

fn problem(accounts: Vec<Account>, reps: &[Rep]) -> Problem {
    Problem::builder()
        .accounts(accounts)
        .reps(reps.to_vec())
        .criterion(Measure::Customers, 0.15)
        .criterion(Measure::Prospects, 0.15)
        .build()
        .expect("valid instance")
}

fn moved(problem: &Problem, plan: &Plan) -> usize {
    (0..problem.accounts().len())
        .filter(|&i| problem.current_territories()[i].is_some_and(|h| h != plan.assignment[i]))
        .count()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_account_once_locks_kept_contiguous(inst in instance()) {
        let p = problem(inst.accounts.clone(), &inst.reps);
        let out = plan(&p, &PlanOptions::default()).unwrap();
        prop_assert_eq!(out.assignment.len(), inst.accounts.len());
        prop_assert!(out.assignment.iter().all(|&j| j < inst.reps.len()));
        let total: usize = out.metrics.territories.iter().map(|t| t.accounts).sum();
        prop_assert_eq!(total, inst.accounts.len());
        for i in 0..inst.accounts.len() {
            if p.locked()[i] {
                prop_assert_eq!(Some(out.assignment[i]), p.current_territories()[i]);
            }
        }
        // Locked accounts may pin a fragment; without any, every territory is one piece.
        if !p.locked().iter().any(|l| *l) {
            prop_assert!(out.metrics.contiguity.contiguous, "{:?}", out.metrics.contiguity);
        }
    }

    #[test]
    fn rebalance_keeps_locks_and_leaves_balanced_plans_alone(inst in instance()) {
        let unlocked: Vec<Account> = inst.accounts.iter().cloned().map(|mut a| { a.locked = false; a.territory = None; a }).collect();
        let first = problem(unlocked.clone(), &inst.reps);
        let base = plan(&first, &PlanOptions::default()).unwrap();
        let current: Vec<Account> = unlocked
            .into_iter()
            .zip(&base.assignment)
            .map(|(mut a, &j)| { a.territory = Some(inst.reps[j].id.clone()); a })
            .collect();
        let again = problem(current.clone(), &inst.reps);
        let options = PlanOptions { rebalance: Some(Rebalance::default()), ..PlanOptions::default() };
        let out = plan(&again, &options).unwrap();
        if base.metrics.balanced() && base.metrics.contiguity.contiguous {
            prop_assert_eq!(moved(&again, &out), 0);
        }
        // Lock a few accounts and rebalance by revenue: locks hold.
        let locked: Vec<Account> = current.into_iter().enumerate().map(|(i, mut a)| { a.locked = i % 7 == 0; a }).collect();
        let p = problem(locked, &inst.reps);
        let options = PlanOptions {
            rebalance: Some(Rebalance { measure: DisruptionMeasure::Revenue, max_moves: None }),
            ..PlanOptions::default()
        };
        let out = plan(&p, &options).unwrap();
        for i in 0..p.accounts().len() {
            if p.locked()[i] {
                prop_assert_eq!(Some(out.assignment[i]), p.current_territories()[i]);
            }
        }
    }

    #[test]
    fn same_plan_on_one_and_two_threads(inst in instance()) {
        let p = problem(inst.accounts, &inst.reps);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| plan(&p, &PlanOptions::default()).unwrap().assignment)
        };
        prop_assert_eq!(run(1), run(2));
    }
}
