//! `territory plan`.

use std::path::PathBuf;

use clap::Args;
use territory::{parse_tolerance, Measure, PlanOptions, Problem};
use territory_formats::{read_accounts, read_reps_csv, write_plan, PlanSummary};

use crate::progress::StderrProgress;
use crate::Failure;

/// Arguments of `territory plan`.
#[derive(Args)]
#[command(after_help = "Examples:
  territory plan --accounts data/accounts.csv --reps data/reps.csv --out plan
  territory plan --accounts accounts.csv --territories 12 --balance customers,prospects:10%,revenue --tolerance 5% --out plan --json
  territory plan --accounts districts.geojson --id-property code --territories 8 --balance population --out plan

Criteria: accounts, customers, prospects, revenue, workload, or any numeric column.
A criterion may carry its own tolerance: customers:3%.")]
pub(crate) struct PlanArgs {
    /// Accounts: CSV (id, lat, lon, status, revenue, visits, ...) or GeoJSON points/polygons.
    #[arg(long, value_name = "FILE")]
    accounts: PathBuf,
    /// Reps: CSV (id, name, lat, lon, capacity, ...). One territory per rep; bases fix centres.
    #[arg(long, value_name = "FILE")]
    reps: Option<PathBuf>,
    /// Number of territories (required without --reps; must match the reps otherwise).
    #[arg(long, value_name = "K")]
    territories: Option<usize>,
    /// Balance criteria, comma-separated, each optionally with its own tolerance.
    #[arg(
        long,
        value_name = "LIST",
        default_value = "customers,prospects,workload"
    )]
    balance: String,
    /// Default tolerance per criterion, e.g. 5% or 0.05.
    #[arg(long, value_name = "PCT", default_value = "5%")]
    tolerance: String,
    /// Seed for the placement of free centres.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// GeoJSON property holding the account id (default: `id`, then the feature id).
    #[arg(long, value_name = "NAME")]
    id_property: Option<String>,
    /// Allow territories in several pieces (contiguity repair is on by default).
    #[arg(long)]
    no_contiguity: bool,
    /// Ignore Delaunay neighbours farther apart than this many km (water, mountains).
    #[arg(long, value_name = "KM")]
    max_edge_km: Option<f64>,
    /// Most accounts free in one balancing LP (larger: closer to the LP optimum, slower).
    #[arg(long, value_name = "N", default_value_t = PlanOptions::default().lp_max_accounts)]
    lp_max_accounts: usize,
    /// Output folder (created; files inside are replaced atomically).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// No progress or messages on stderr.
    #[arg(long, short)]
    quiet: bool,
    /// More detail on stderr.
    #[arg(long, short)]
    verbose: bool,
}

/// Arguments of `territory rebalance`: those of `plan`, plus what a move costs.
#[derive(Args)]
#[command(after_help = "Examples:
  territory rebalance --accounts accounts.csv --reps reps.csv --out plan2
  territory rebalance --accounts accounts.csv --reps reps.csv --disruption revenue --max-moves 50 --out plan2 --json

The accounts file must carry each account's current `territory` (a rep id).
Accounts of reps no longer in the reps file are redistributed; new reps get
accounts from their neighbours; locked accounts never move.")]
pub(crate) struct RebalanceArgs {
    #[command(flatten)]
    plan: PlanArgs,
    /// What to keep small: the number of accounts moved, or their revenue.
    #[arg(long, value_enum, default_value = "accounts")]
    disruption: DisruptionArg,
    /// Most accounts that may move; the balance reached is reported.
    #[arg(long, value_name = "N")]
    max_moves: Option<usize>,
}

/// `--disruption` values.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum DisruptionArg {
    /// Move as few accounts as possible.
    Accounts,
    /// Move as little revenue as possible.
    Revenue,
}

pub(crate) fn run_rebalance(args: RebalanceArgs) -> Result<(), Failure> {
    let rebalance = territory::Rebalance {
        measure: match args.disruption {
            DisruptionArg::Accounts => territory::DisruptionMeasure::Accounts,
            DisruptionArg::Revenue => territory::DisruptionMeasure::Revenue,
        },
        max_moves: args.max_moves,
    };
    run_with(args.plan, Some(rebalance))
}

pub(crate) fn run(args: PlanArgs) -> Result<(), Failure> {
    run_with(args, None)
}

fn run_with(args: PlanArgs, rebalance: Option<territory::Rebalance>) -> Result<(), Failure> {
    let command = if rebalance.is_some() {
        "rebalance"
    } else {
        "plan"
    };
    let progress = StderrProgress::new(args.quiet, args.verbose);
    territory::Progress::phase(&progress, "reading input");
    if let Some(km) = args.max_edge_km {
        if !(km.is_finite() && km > 0.0) {
            return Err(Failure::Input(format!(
                "--max-edge-km {km} must be a positive number of km"
            )));
        }
    }
    let default_tolerance = parse_tolerance(&args.tolerance).ok_or_else(|| {
        Failure::Input(format!(
            "--tolerance '{}' is not a percentage like 5% or a fraction like 0.05",
            args.tolerance
        ))
    })?;
    let criteria = parse_balance(&args.balance, default_tolerance)?;
    let file = match &args.id_property {
        Some(p) => territory_formats::read_accounts_geojson(&args.accounts, Some(p)),
        None => read_accounts(&args.accounts),
    }
    .map_err(|e| Failure::Input(e.to_string()))?;
    for (measure, _) in &criteria {
        if let Measure::Attribute(name) = measure {
            file.check_numeric(&args.accounts, name)
                .map_err(|e| Failure::Input(e.to_string()))?;
        }
    }
    if rebalance.is_some() && file.accounts.iter().all(|a| a.territory.is_none()) {
        return Err(Failure::Input(format!(
            "{}: no account has a current `territory`; rebalance starts from the current assignment (use `plan` for a fresh one)",
            args.accounts.display()
        )));
    }
    let mut builder = Problem::builder().accounts(file.accounts.clone());
    if let Some(path) = &args.reps {
        builder = builder.reps(read_reps_csv(path).map_err(|e| Failure::Input(e.to_string()))?);
    }
    if let Some(k) = args.territories {
        builder = builder.territories(k);
    }
    if let Some(pairs) = &file.adjacency {
        builder = builder.adjacency(pairs.clone());
    }
    for (measure, tolerance) in criteria {
        builder = builder.criterion(measure, tolerance);
    }
    let problem = builder
        .build()
        .map_err(|e| Failure::Input(format!("{}: {e}", args.accounts.display())))?;
    let options = PlanOptions {
        seed: args.seed,
        lp_max_accounts: args.lp_max_accounts.max(1),
        contiguity: !args.no_contiguity,
        rebalance,
        max_edge_km: args.max_edge_km,
        ..PlanOptions::default()
    };
    let plan = territory::plan_with_progress(&problem, &options, &progress)
        .map_err(|e| Failure::Internal(e.to_string()))?;
    territory::Progress::phase(&progress, "writing output");
    let summary = PlanSummary::new(command, &problem, &plan, &options, progress.elapsed_ms());
    write_plan(&args.out, &problem, &plan, &file.shapes, &summary)
        .map_err(|e| Failure::Internal(format!("cannot write {}: {e}", args.out.display())))?;
    if args.json {
        let text =
            serde_json::to_string_pretty(&summary).map_err(|e| Failure::Internal(e.to_string()))?;
        #[allow(clippy::print_stdout)]
        {
            println!("{text}");
        }
    }
    let rebalance_done = command == "rebalance";
    let worst: Vec<String> = summary
        .criteria
        .iter()
        .map(|c| {
            format!(
                "{} {:.1}%/{:.0}%",
                c.criterion,
                c.max_deviation * 100.0,
                c.tolerance * 100.0
            )
        })
        .collect();
    progress.done(&format!(
        "{} {} accounts into {} territories in {:.1}s → {} (moved {}; max deviation: {}; compactness ratio {}; {})",
        if rebalance_done { "rebalanced" } else { "planned" },
        summary.accounts,
        summary.territories,
        summary.elapsed_ms as f64 / 1000.0,
        args.out.display(),
        summary.moved_accounts,
        worst.join(", "),
        summary.compactness.ratio_to_bound.map_or("n/a".into(), |r| format!("{r:.3}")),
        if summary.contiguity.contiguous { "contiguous" } else { "not contiguous" }
    ));
    for d in &summary.diagnostics {
        progress.done(&format!("warning: {}", d.message));
    }
    Ok(())
}

/// Parses `customers,prospects:10%,revenue` into measures with tolerances.
fn parse_balance(text: &str, default_tolerance: f64) -> Result<Vec<(Measure, f64)>, Failure> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, tolerance) = match part.split_once(':') {
            Some((name, tol)) => (
                name.trim(),
                parse_tolerance(tol).ok_or_else(|| {
                    Failure::Input(format!(
                        "--balance: tolerance '{tol}' of '{name}' is not like 5% or 0.05"
                    ))
                })?,
            ),
            None => (part, default_tolerance),
        };
        out.push((Measure::parse(&name.to_ascii_lowercase()), tolerance));
    }
    if out.is_empty() {
        return Err(Failure::Input("--balance names no criterion".into()));
    }
    Ok(out)
}
