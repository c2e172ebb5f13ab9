//! `territory solve FORMAT FILE`: research instances, scored like their literature.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use serde::Serialize;
use territory::metrics::medoid_compactness;
use territory::{Account, Location, Measure, Objective, PlanOptions, Problem};
use territory_formats::research::tdp::read_tdp;

use crate::progress::StderrProgress;
use crate::{print_json, Failure};

/// Research formats.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    /// Commercial territory design (`.dat`: units, three measures, adjacency, p, tolerances).
    Tdp,
    /// Travelling salesman, TSPLIB `EUC_2D` (`.tsp`).
    Tsplib,
    /// Vehicle routing with time windows, Solomon format (distance objective, the file's fleet).
    Solomon,
    /// Periodic vehicle routing, Cordeau format (allowed day combinations per customer).
    Pvrp,
}

/// Arguments of `territory solve`.
#[derive(Args)]
#[command(after_help = "Examples:
  territory solve tdp tests/data/research/2DU60-05-1.dat --json
  territory solve tdp instance.dat --time-limit 2 --starts 40
  territory solve tsplib tests/data/research/berlin52.tsp --time-limit 2 --json")]
pub(crate) struct SolveArgs {
    /// Instance format.
    format: Format,
    /// Instance file.
    file: PathBuf,
    /// Wall-clock limit in seconds (tdp: for the multi-start search, one start always runs).
    #[arg(long, value_name = "S", default_value_t = 4.5, value_parser = crate::flags::seconds)]
    time_limit: f64,
    /// Most starts (the result is deterministic when all of them fit in the time limit).
    #[arg(long, default_value_t = 300)]
    starts: usize,
    #[command(flatten)]
    seed: crate::flags::Seed,
    /// Allow territories in several pieces.
    #[arg(long)]
    no_contiguity: bool,
    #[command(flatten)]
    pub chatter: crate::flags::Chatter,
}

/// The `--json` result for a routing instance.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct RouteResult {
    instance: String,
    cost: f64,
    feasible: bool,
    /// Node ids per route, depot (the first node) excluded.
    routes: Vec<Vec<usize>>,
    elapsed_ms: u64,
    kicks: usize,
}

/// Most nodes of a research instance: the routing engines hold a dense n × n
/// cost matrix (20,000² costs are 3.2 GB).
const MAX_DENSE_NODES: usize = 20_000;

/// Refuses an instance whose dense matrix would not fit, before allocating it.
fn dense_fits(file: &std::path::Path, nodes: usize) -> Result<(), Failure> {
    if nodes > MAX_DENSE_NODES {
        return Err(Failure::Input(format!(
            "{}: {nodes} nodes; the routing engines solve at most {MAX_DENSE_NODES} (they keep a dense cost matrix)",
            file.display()
        )));
    }
    Ok(())
}

fn solve_tsplib(
    args: &SolveArgs,
    began: Instant,
    progress: &StderrProgress,
) -> Result<(), Failure> {
    use territory_routing::{tsp, Matrix};
    let instance =
        territory_formats::research::tsplib::read_tsplib(&args.file).map_err(Failure::from)?;
    territory::Progress::phase(progress, "solving");
    dense_fits(&args.file, instance.points.len())?;
    let matrix = Matrix::euclidean_rounded(&instance.points);
    // Whatever time reading took is taken off the limit.
    let limit = Duration::from_secs_f64(args.time_limit).saturating_sub(began.elapsed());
    let tour = tsp::solve(
        &matrix,
        &tsp::TspOptions {
            time_limit: limit,
            seed: args.seed.seed,
            ..Default::default()
        },
    );
    let result = RouteResult {
        instance: instance.name.clone(),
        cost: tour.cost,
        feasible: true,
        routes: vec![tour
            .order
            .iter()
            .skip(1)
            .map(|&i| instance.ids[i])
            .collect()],
        elapsed_ms: began.elapsed().as_millis() as u64,
        kicks: tour.kicks,
    };
    if args.chatter.json {
        print_json(&result)?;
    }
    progress.done(&format!(
        "{}: tour cost {} after {} kicks in {:.1}s",
        result.instance,
        result.cost,
        result.kicks,
        result.elapsed_ms as f64 / 1000.0
    ));
    Ok(())
}

fn solve_solomon(
    args: &SolveArgs,
    began: Instant,
    progress: &StderrProgress,
) -> Result<(), Failure> {
    use territory_routing::{vrptw, Matrix};
    let inst =
        territory_formats::research::solomon::read_solomon(&args.file).map_err(Failure::from)?;
    dense_fits(&args.file, inst.nodes.len())?;
    territory::Progress::phase(progress, "solving");
    let points: Vec<[f64; 2]> = inst.nodes.iter().map(|n| [n.x, n.y]).collect();
    let problem = vrptw::Instance {
        costs: Matrix::euclidean(&points),
        demand: inst.nodes.iter().map(|n| n.demand).collect(),
        ready: inst.nodes.iter().map(|n| n.ready).collect(),
        due: inst.nodes.iter().map(|n| n.due).collect(),
        service: inst.nodes.iter().map(|n| n.service).collect(),
        capacity: inst.capacity,
        vehicles: inst.vehicles,
    };
    let limit = Duration::from_secs_f64(args.time_limit).saturating_sub(began.elapsed());
    let solution = vrptw::solve(
        &problem,
        &vrptw::VrptwOptions {
            time_limit: limit,
            seed: args.seed.seed,
            ..Default::default()
        },
    );
    let result = RouteResult {
        instance: inst.name.clone(),
        cost: solution.cost,
        feasible: solution.unassigned.is_empty(),
        routes: solution
            .routes
            .iter()
            .map(|r| r.iter().map(|&i| inst.nodes[i].id).collect())
            .collect(),
        elapsed_ms: began.elapsed().as_millis() as u64,
        kicks: solution.iterations,
    };
    if args.chatter.json {
        print_json(&result)?;
    }
    progress.done(&format!(
        "{}: cost {:.2} with {} routes{}, {} iterations in {:.1}s",
        result.instance,
        result.cost,
        result.routes.len(),
        if result.feasible {
            String::new()
        } else {
            format!(", {} visits unassigned", solution.unassigned.len())
        },
        solution.iterations,
        result.elapsed_ms as f64 / 1000.0
    ));
    Ok(())
}

/// The `--json` result for a periodic instance.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct PeriodicResult {
    instance: String,
    cost: f64,
    feasible: bool,
    /// Per day, node ids per route, depot excluded.
    routes: Vec<Vec<Vec<usize>>>,
    elapsed_ms: u64,
    iterations: usize,
}

fn solve_pvrp(args: &SolveArgs, began: Instant, progress: &StderrProgress) -> Result<(), Failure> {
    use territory_routing::{pvrp, Matrix};
    let inst = territory_formats::research::pvrp::read_pvrp(&args.file).map_err(Failure::from)?;
    dense_fits(&args.file, inst.nodes.len())?;
    territory::Progress::phase(progress, "solving");
    let points: Vec<[f64; 2]> = inst.nodes.iter().map(|n| [n.x, n.y]).collect();
    let problem = pvrp::Instance {
        costs: Matrix::euclidean(&points),
        demand: inst.nodes.iter().map(|n| n.demand).collect(),
        service: inst.nodes.iter().map(|n| n.service).collect(),
        combinations: inst.nodes.iter().map(|n| n.combinations.clone()).collect(),
        days: inst.days,
        vehicles: inst.vehicles,
        capacity: inst.capacity,
        max_duration: inst.max_duration,
    };
    let limit = Duration::from_secs_f64(args.time_limit).saturating_sub(began.elapsed());
    let solution = pvrp::solve(
        &problem,
        &pvrp::PvrpOptions {
            time_limit: limit,
            seed: args.seed.seed,
            ..Default::default()
        },
    );
    let result = PeriodicResult {
        instance: inst.name.clone(),
        cost: solution.cost,
        feasible: solution.unassigned.is_empty(),
        routes: solution
            .routes
            .iter()
            .map(|day| {
                day.iter()
                    .map(|r| r.iter().map(|&i| inst.nodes[i].id).collect())
                    .collect()
            })
            .collect(),
        elapsed_ms: began.elapsed().as_millis() as u64,
        iterations: solution.iterations,
    };
    if args.chatter.json {
        print_json(&result)?;
    }
    progress.done(&format!(
        "{}: cost {:.2} over {} days{}, {} iterations in {:.1}s",
        result.instance,
        result.cost,
        inst.days,
        if result.feasible {
            String::new()
        } else {
            format!(", {} customers unassigned", solution.unassigned.len())
        },
        solution.iterations,
        result.elapsed_ms as f64 / 1000.0
    ));
    Ok(())
}

/// The `--json` result for a TDP instance.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct TdpResult {
    instance: String,
    units: usize,
    p: usize,
    /// Unit ids per territory.
    territories: Vec<Vec<usize>>,
    /// Max relative deviation per measure.
    max_deviation: Vec<f64>,
    /// Whether every measure is within its tolerance.
    balanced: bool,
    /// Σ over territories of Σ distance from each unit to the territory's centre unit.
    compactness: f64,
    /// Centre unit id per territory.
    centres: Vec<Option<usize>>,
    contiguous: bool,
    starts: usize,
    elapsed_ms: u64,
}

pub(crate) fn run(args: SolveArgs) -> Result<(), Failure> {
    let began = Instant::now();
    let progress = StderrProgress::new(args.chatter);
    match args.format {
        Format::Tsplib => solve_tsplib(&args, began, &progress),
        Format::Solomon => solve_solomon(&args, began, &progress),
        Format::Pvrp => solve_pvrp(&args, began, &progress),
        Format::Tdp => {
            let instance = read_tdp(&args.file).map_err(Failure::from)?;
            let accounts: Vec<Account> = instance
                .units
                .iter()
                .map(|u| {
                    let mut a = Account::new(u.id.to_string(), Location::new(u.y, u.x));
                    for (k, w) in u.measures.iter().enumerate() {
                        a.attributes.insert(format!("w{}", k + 1), *w);
                    }
                    a
                })
                .collect();
            let mut builder = Problem::builder()
                .accounts(accounts)
                .planar(true)
                .territories(instance.territories)
                .adjacency(instance.edges.clone());
            for (k, t) in instance.tolerances.iter().enumerate() {
                builder = builder.criterion(Measure::Attribute(format!("w{}", k + 1)), *t);
            }
            let problem = builder
                .build()
                .map_err(|e| Failure::Input(format!("{}: {e}", args.file.display())))?;
            let options = PlanOptions {
                seed: args.seed.seed,
                objective: Objective::Distance,
                contiguity: !args.no_contiguity,
                ..PlanOptions::default()
            };
            let (plan, starts) = territory::plan_multistart(
                &problem,
                &options,
                args.starts,
                Duration::from_secs_f64(args.time_limit),
                &progress,
            )
            .map_err(|e| Failure::Internal(e.to_string()))?;
            let (compactness, medoids) =
                medoid_compactness(problem.points(), &plan.assignment, instance.territories);
            let mut territories = vec![Vec::new(); instance.territories];
            for (i, &j) in plan.assignment.iter().enumerate() {
                territories[j].push(instance.units[i].id);
            }
            let result = TdpResult {
                instance: instance.name.clone(),
                units: instance.units.len(),
                p: instance.territories,
                territories,
                max_deviation: plan
                    .metrics
                    .criteria
                    .iter()
                    .map(|c| c.max_deviation)
                    .collect(),
                balanced: plan.metrics.balanced(),
                compactness,
                centres: medoids
                    .into_iter()
                    .map(|m| m.map(|i| instance.units[i].id))
                    .collect(),
                contiguous: plan.metrics.contiguity.contiguous,
                starts,
                elapsed_ms: began.elapsed().as_millis() as u64,
            };
            if args.chatter.json {
                print_json(&result)?;
            }
            progress.done(&format!(
                "{}: compactness {:.2}, max deviation {}, {}, {} starts in {:.1}s",
                result.instance,
                result.compactness,
                result
                    .max_deviation
                    .iter()
                    .map(|d| format!("{:.1}%", d * 100.0))
                    .collect::<Vec<_>>()
                    .join("/"),
                if result.contiguous {
                    "contiguous"
                } else {
                    "not contiguous"
                },
                starts,
                result.elapsed_ms as f64 / 1000.0
            ));
            Ok(())
        }
    }
}
