//! Plans a synthetic clustered instance and prints the quality figures.
#![allow(clippy::print_stdout)]
//!
//! `cargo run --release -p territory --example synthetic -- 100000 100`
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use territory::{plan, Account, Location, Measure, PlanOptions, Problem, Status};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).map_or(Ok(10_000), |s| s.parse())?;
    let k: usize = args.get(2).map_or(Ok(20), |s| s.parse())?;
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let cities: Vec<(f64, f64, f64)> = (0..30)
        .map(|_| {
            (
                rng.random_range(60.0..63.5),
                rng.random_range(21.0..30.0),
                rng.random_range(0.02..0.3),
            )
        })
        .collect();
    let accounts: Vec<Account> = (0..n)
        .map(|i| {
            let (lat, lon) = if rng.random::<f64>() < 0.1 {
                (rng.random_range(60.0..63.5), rng.random_range(21.0..30.0))
            } else {
                let c = cities[(rng.random::<f64>().powi(2) * 30.0) as usize];
                let (u, v): (f64, f64) = (rng.random(), rng.random());
                let r = (-2.0 * u.max(1e-12).ln()).sqrt() * c.2;
                (
                    c.0 + r * (std::f64::consts::TAU * v).cos(),
                    c.1 + 2.0 * r * (std::f64::consts::TAU * v).sin(),
                )
            };
            let status = if rng.random::<f64>() < 0.4 {
                Status::Customer
            } else {
                Status::Prospect
            };
            let mut a = Account::new(format!("a{i}"), Location::new(lat.clamp(-90.0, 90.0), lon))
                .with_status(status);
            a.visits = Some(if status == Status::Customer {
                [1.0, 2.0, 4.0][rng.random_range(0..3)]
            } else {
                1.0
            });
            a
        })
        .collect();
    let t = std::time::Instant::now();
    let problem = Problem::builder()
        .accounts(accounts)
        .territories(k)
        .criterion(Measure::Customers, 0.05)
        .criterion(Measure::Prospects, 0.05)
        .criterion(Measure::Workload, 0.05)
        .build()?;
    let p = plan(&problem, &PlanOptions::default())?;
    println!("elapsed {:?}", t.elapsed());
    for c in &p.metrics.criteria {
        println!(
            "{}: max deviation {:.2}%",
            c.criterion,
            c.max_deviation * 100.0
        );
    }
    println!("compactness {:?}", p.metrics.compactness);
    println!(
        "contiguous {} ({} fragmented)",
        p.metrics.contiguity.contiguous,
        p.metrics.contiguity.fragmented.len()
    );
    println!("stats {:?}", p.stats);
    for d in &p.diagnostics {
        println!("diagnostic: {}", d.message);
    }
    Ok(())
}
