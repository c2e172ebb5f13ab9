//! `territory plan`, `territory rebalance` and `territory size`.

use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use clap::Args;
use serde::Serialize;
use territory::partition::levels::{plan_levels, Levels, LevelsError};
use territory::sizing::{size, SizingRow};
use territory::{parse_tolerance, Measure, PlanOptions, Problem, ProblemBuilder};
use territory_formats::{
    check_output, plan_files, read_accounts, read_adjacency, read_current_assignment, read_reps,
    to_json_bytes, write_files_atomically, write_plan, AccountsFile, OutputKind, PlanSummary,
    ReadOptions, UnitLocation,
};

use crate::flags::{one_stdin, Chatter, LevelsFlag, LevelsSpec, OutFolder, ReadFlags, Seed};
use crate::progress::StderrProgress;
use crate::road_args::{apply_roads, RoadArgs};
use crate::{print_json, Failure};

/// The accounts and what to balance: shared by plan, rebalance and size.
#[derive(Args)]
pub(crate) struct InputArgs {
    /// Accounts: CSV, .xlsx/.ods (id, lat, lon, status, revenue, visits, ...) or GeoJSON points/polygons; - reads stdin.
    #[arg(long, value_name = "FILE")]
    pub accounts: PathBuf,
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
    /// GeoJSON property holding the account id (default: `id`, then the feature id).
    #[arg(long, value_name = "NAME")]
    id_property: Option<String>,
    /// Where GeoJSON polygon units stand: their centroid (when inside them) or an interior point.
    #[arg(long, value_enum, default_value = "centroid")]
    location: LocationArg,
    /// Weight each account's distance by a measure (population, workload,
    /// revenue, or any numeric column): compactness becomes Σ weight × squared
    /// distance (the Hess model), with free centres at weighted means.
    #[arg(long, value_name = "MEASURE")]
    compactness_weight: Option<String>,
    /// Neighbour pairs of account ids (CSV, first two columns), used instead of
    /// the Delaunay graph (or polygons' shared boundaries) for contiguity.
    #[arg(long, value_name = "FILE")]
    pub adjacency: Option<PathBuf>,
    #[command(flatten)]
    pub read: ReadFlags,
}

/// Engine and output options: shared by plan, rebalance and size.
#[derive(Args)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    seed: Seed,
    /// Allow territories in several pieces (contiguity repair is on by default).
    #[arg(long)]
    no_contiguity: bool,
    /// Ignore Delaunay neighbours farther apart than this many km (water, mountains).
    #[arg(long, value_name = "KM")]
    max_edge_km: Option<f64>,
    /// Where free centres end: the (weighted) mean of their accounts, or the
    /// member unit nearest it (the Hess and p-median convention).
    #[arg(long, value_enum, default_value = "mean")]
    centre: CentreArg,
    /// Most accounts free in one balancing LP (larger: closer to the LP optimum, slower).
    #[arg(long, value_name = "N", default_value_t = PlanOptions::default().lp_max_accounts)]
    lp_max_accounts: usize,
    /// Runs of the engine from different starts, the best kept (default:
    /// automatic, several only for up to 2,000 accounts with free centres and
    /// a band of ±2% or tighter)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1000))]
    starts: Option<u16>,
    #[command(flatten)]
    road: RoadArgs,
    /// Exit with code 3 (after writing the output) when a tolerance is missed
    /// or a territory is in pieces.
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    out: OutFolder,
    #[command(flatten)]
    pub chatter: Chatter,
}

/// Arguments of `territory plan`.
#[derive(Args)]
#[command(after_help = "Examples:
  territory plan --accounts data/accounts.csv --reps data/reps.csv --out plan
  territory plan --accounts accounts.csv --territories 12 --balance customers,prospects:10%,revenue --tolerance 5% --out plan --json
  territory plan --accounts tests/data/districts/leeds.geojson --id-property ID --territories 8 --balance population --out leeds
  territory plan --accounts data/accounts.csv --reps data/reps.csv --levels regions:3,territories:10 --out plan

Criteria: accounts, customers, prospects, revenue, workload, or any numeric column.
A criterion may carry its own tolerance: customers:3%.")]
pub(crate) struct PlanArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Reps: CSV (id, name, lat, lon, capacity, ...). One territory per rep; bases fix centres.
    #[arg(long, value_name = "FILE")]
    reps: Option<PathBuf>,
    /// Number of territories (required without --reps; must match the reps otherwise).
    #[arg(long, value_name = "K")]
    territories: Option<usize>,
    #[command(flatten)]
    levels: LevelsFlag,
    #[command(flatten)]
    pub run: RunArgs,
}

/// Arguments of `territory rebalance`: those of `plan`, plus what a move costs.
#[derive(Args)]
#[command(after_help = "Examples:
  territory rebalance --accounts accounts.csv --reps reps.csv --out plan2
  territory rebalance --accounts accounts.csv --reps reps.csv --disruption revenue --max-moves 50 --out plan2 --json

The current territory of each account comes from --assignment (a plan's
assignment.csv, or one exported from the report's what-if editor, whose
`locked=true` rows stay in their territory) or the accounts file's
`territory` column. Accounts of reps no
longer in the reps file must move (forced moves, counted apart in the summary
and not by --max-moves); new reps get accounts from their neighbours; locked
accounts never move. A cap never makes a rebalance move more than without it,
and undoes moves that keep territories in one piece first.")]
pub(crate) struct RebalanceArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// What to keep small: the number of accounts moved, or their revenue.
    #[arg(long, value_enum, default_value = "accounts")]
    disruption: DisruptionArg,
    /// Most accounts that may move, not counting the forced moves of removed
    /// reps' accounts; the balance reached is reported.
    #[arg(long, value_name = "N")]
    max_moves: Option<usize>,
    /// Current territory per account (CSV `account,territory`, optional
    /// `locked`, e.g. a plan's assignment.csv or the report's edited one),
    /// instead of the accounts file's `territory` column.
    #[arg(long, value_name = "FILE")]
    assignment: Option<PathBuf>,
}

/// `--centre` values.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum CentreArg {
    /// The (weighted) mean of the territory's accounts.
    Mean,
    /// The member account nearest that mean.
    Unit,
}

/// `--location` values.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum LocationArg {
    /// The polygon's centroid when it lies inside it, else an interior point.
    Centroid,
    /// Always an interior point.
    Interior,
}

/// `--disruption` values.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum DisruptionArg {
    /// Move as few accounts as possible.
    Accounts,
    /// Move as little revenue as possible.
    Revenue,
}

/// Arguments of `territory size`.
#[derive(Args)]
#[command(after_help = "Examples:
  territory size --accounts data/accounts.csv --capacity-hours 90 --out sized
  territory size --accounts accounts.csv --territories 8..14 --capacity-hours 120 --out sized --json

With --capacity-hours, the smallest number of territories whose workloads all fit
is planned and written to --out; --territories A..B adds a what-if table of each
count's largest workload and mean distance to the centre.")]
pub(crate) struct SizeArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Workload hours one rep can carry per 4 weeks.
    #[arg(long, value_name = "H")]
    capacity_hours: Option<f64>,
    /// Territory counts for the what-if table: `K` or `A..B`.
    #[arg(long, value_name = "A..B")]
    territories: Option<String>,
    #[command(flatten)]
    pub run: RunArgs,
}

pub(crate) fn run_plan(args: PlanArgs) -> Result<(), Failure> {
    run_with(args, None, None)
}

pub(crate) fn run_rebalance(args: RebalanceArgs) -> Result<(), Failure> {
    let rebalance = territory::Rebalance {
        measure: match args.disruption {
            DisruptionArg::Accounts => territory::DisruptionMeasure::Accounts,
            DisruptionArg::Revenue => territory::DisruptionMeasure::Revenue,
        },
        max_moves: args.max_moves,
    };
    run_with(args.plan, Some(rebalance), args.assignment.as_deref())
}

fn run_with(
    args: PlanArgs,
    rebalance: Option<territory::Rebalance>,
    assignment: Option<&Path>,
) -> Result<(), Failure> {
    let command = if rebalance.is_some() {
        "rebalance"
    } else {
        "plan"
    };
    let progress = StderrProgress::new(args.run.chatter);
    let levels_spec = args.levels.spec()?;
    one_stdin(&[
        ("--accounts", Some(&args.input.accounts)),
        ("--reps", args.reps.as_deref()),
    ])?;
    let inputs: Vec<&Path> = [
        Some(args.input.accounts.as_path()),
        args.reps.as_deref(),
        assignment,
        args.input.adjacency.as_deref(),
        args.run.road.osm.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    check_output(&args.run.out.out, OutputKind::Folder, &inputs)?;
    territory_formats::check_replaces_own(&args.run.out.out, &["plan", "rebalance"])?;
    territory::Progress::phase(&progress, "reading input");
    let (mut file, mut builder, input_warnings) = read_input(&args.input)?;
    if let Some(path) = assignment {
        let ids: Vec<&str> = file.accounts.iter().map(|a| a.id.as_str()).collect();
        let current = read_current_assignment(path, &args.input.read.options()?, &ids)?;
        for (a, (t, locked)) in file.accounts.iter_mut().zip(current) {
            a.territory = t;
            // A lock in either file holds (the report's edits are locked).
            a.locked |= locked;
        }
        builder = builder.accounts(file.accounts.clone());
    }
    if rebalance.is_some() && file.accounts.iter().all(|a| a.territory.is_none()) {
        return Err(Failure::Input(format!(
            "{}: no account has a current `territory`; rebalance starts from the current assignment (use `plan` for a fresh one)",
            args.input.accounts.display()
        )));
    }
    let read_options = args.input.read.options()?;
    let reps = args
        .reps
        .as_ref()
        .map(|path| read_reps(path, &read_options))
        .transpose()?;
    if let Some(reps) = &reps {
        builder = builder.reps(reps.clone());
    }
    if let Some(k) = args.territories {
        builder = builder.territories(k);
    }
    let mut warnings = input_warnings;
    for w in &warnings {
        progress.warn(w);
    }
    if let Some(net) = args.run.road.network(&progress)? {
        builder = apply_roads(
            builder,
            &net,
            &file.accounts,
            reps.as_deref(),
            &progress,
            &mut warnings,
        )?;
    }
    let problem = builder
        .build()
        .map_err(|e| problem_failure(e, &file, &args.input.accounts))?;
    let options = PlanOptions {
        rebalance,
        ..engine_options(&args.run)?
    };
    let levels = resolve_levels(&problem, levels_spec, &args)?;
    let (plan, levelled) = match &levels {
        None => (
            territory::plan_with_progress(&problem, &options, &progress)
                .map_err(|e| Failure::Internal(e.to_string()))?,
            None,
        ),
        Some(levels) => {
            let levelled =
                plan_levels(&problem, levels, &options, &progress).map_err(|e| match e {
                    LevelsError::Plan(e) => Failure::Internal(e.to_string()),
                    other => Failure::Input(format!("--levels: {other}")),
                })?;
            (levelled.plan.clone(), Some(levelled))
        }
    };
    territory::Progress::phase(&progress, "writing output");
    let mut summary = PlanSummary::new(command, &problem, &plan, &options, progress.elapsed_ms());
    if let Some(levelled) = &levelled {
        summary = summary.with_levels(&problem, levelled);
    }
    summary.timings = progress.timings();
    summary.warnings = warnings;
    let out = &args.run.out.out;
    write_plan(out, &problem, &plan, &file.shapes, &summary)
        .map_err(|e| Failure::Internal(format!("cannot write {}: {e}", out.display())))?;
    if args.run.chatter.json {
        print_json(&summary)?;
    }
    let verb = if command == "rebalance" {
        "rebalanced"
    } else {
        "planned"
    };
    report(&progress, verb, &summary, &args.run);
    strict_check(&args.run, &summary)
}

/// The levels of a run: `--levels`, or the reps file's `region` column (both
/// must then agree), checked against the territories of the problem.
fn resolve_levels(
    problem: &Problem,
    spec: Option<LevelsSpec>,
    args: &PlanArgs,
) -> Result<Option<Levels>, Failure> {
    let k = problem.territories().len();
    let counted = || match (&args.reps, args.territories) {
        (Some(path), _) => format!("{} has {k} reps", path.display()),
        (None, _) => format!("--territories is {k}"),
    };
    let reps_path = || {
        args.reps
            .as_deref()
            .map_or_else(|| "the reps".to_string(), |p| p.display().to_string())
    };
    let given =
        Levels::from_reps(problem).map_err(|e| Failure::Input(format!("{}: {e}", reps_path())))?;
    if let Some(t) = spec.and_then(|s| s.territories).filter(|&t| t != k) {
        return Err(Failure::Input(format!(
            "--levels asks for {t} territories but {}",
            counted()
        )));
    }
    match (spec, given) {
        (None, None) => Ok(None),
        (None, Some(given)) => Ok(Some(given)),
        (Some(spec), Some(given)) => {
            if spec.regions != given.regions() {
                return Err(Failure::Input(format!(
                    "--levels asks for {} regions but {} names {} in its region column",
                    spec.regions,
                    reps_path(),
                    given.regions()
                )));
            }
            Ok(Some(given))
        }
        (Some(spec), None) => Levels::new(spec.regions, k).map(Some).map_err(|e| {
            Failure::Input(format!(
                "--levels regions:{}: {e} ({})",
                spec.regions,
                counted()
            ))
        }),
    }
}

/// `--strict`: a missed tolerance or a territory in pieces is exit 3.
fn strict_check(run: &RunArgs, summary: &PlanSummary) -> Result<(), Failure> {
    if !run.strict {
        return Ok(());
    }
    let missed: Vec<String> = summary
        .criteria
        .iter()
        .filter(|c| !c.within_tolerance)
        .map(|c| {
            format!(
                "{} deviates {:.1}% (tolerance {:.1}%)",
                c.criterion,
                c.max_deviation * 100.0,
                c.tolerance * 100.0
            )
        })
        .chain(
            (!run.no_contiguity && !summary.contiguity.contiguous)
                .then(|| "a territory is in pieces".to_string()),
        )
        // With levels, a region off the plan's own tolerance or in pieces.
        .chain(
            summary
                .region_criteria
                .iter()
                .zip(&summary.criteria)
                .filter(|(r, c)| r.max_deviation > c.tolerance + 1e-9)
                .map(|(r, c)| {
                    format!(
                        "a region deviates {:.1}% on {} (tolerance {:.1}%)",
                        r.max_deviation * 100.0,
                        r.criterion,
                        c.tolerance * 100.0
                    )
                }),
        )
        .chain(
            (!run.no_contiguity && summary.regions.iter().any(|r| !r.contiguous))
                .then(|| "a region is in pieces".to_string()),
        )
        .collect();
    if missed.is_empty() {
        Ok(())
    } else {
        Err(Failure::Strict(format!(
            "the plan in {} misses: {}",
            run.out.out.display(),
            missed.join("; ")
        )))
    }
}

/// The `--json` output and `sizing.json` of `territory size`.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct SizeSummary {
    command: &'static str,
    total_workload_hours: f64,
    capacity_hours: Option<f64>,
    /// ⌈total workload / capacity⌉.
    lower_bound: Option<usize>,
    /// The smallest count whose workloads all fit, planned in the output folder.
    chosen_territories: Option<usize>,
    table: Vec<SizingRow>,
    /// Accounts heavier than the capacity by themselves: the territory holding
    /// each is over capacity whatever the count (exempt from `fits`).
    oversized_accounts: Vec<territory::sizing::OversizedAccount>,
    plan: Option<PlanSummary>,
}

pub(crate) fn run_size(args: SizeArgs) -> Result<(), Failure> {
    let progress = StderrProgress::new(args.run.chatter);
    let inputs: Vec<&Path> = [
        Some(args.input.accounts.as_path()),
        args.input.adjacency.as_deref(),
        args.run.road.osm.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    check_output(&args.run.out.out, OutputKind::Folder, &inputs)?;
    territory::Progress::phase(&progress, "reading input");
    let range = args.territories.as_deref().map(parse_range).transpose()?;
    if let Some(h) = args.capacity_hours {
        if !(h.is_finite() && h > 0.0) {
            return Err(Failure::Input(format!(
                "--capacity-hours {h} must be a positive number of hours"
            )));
        }
    }
    if args.capacity_hours.is_none() && range.is_none() {
        return Err(Failure::Input(
            "give --capacity-hours, --territories A..B, or both".into(),
        ));
    }
    let (file, mut builder, input_warnings) = read_input(&args.input)?;
    let mut warnings = input_warnings;
    for w in &warnings {
        progress.warn(w);
    }
    if let Some(net) = args.run.road.network(&progress)? {
        builder = apply_roads(
            builder,
            &net,
            &file.accounts,
            None,
            &progress,
            &mut warnings,
        )?;
    }
    // Validate the accounts before planning many counts.
    builder
        .clone()
        .territories(1)
        .build()
        .map_err(|e| problem_failure(e, &file, &args.input.accounts))?;
    let options = engine_options(&args.run)?;
    let sizing =
        size(builder, args.capacity_hours, range, &options, &progress).map_err(|e| match e {
            territory::sizing::SizingError::Plan(p) => Failure::Internal(p.to_string()),
            other => Failure::Input(format!("{}: {other}", args.input.accounts.display())),
        })?;
    let plan_summary = sizing.chosen.as_ref().map(|(problem, plan)| {
        let mut s = PlanSummary::new("size", problem, plan, &options, progress.elapsed_ms());
        s.timings = progress.timings();
        s.warnings = warnings.clone();
        s
    });
    let summary = SizeSummary {
        command: "size",
        total_workload_hours: sizing.total_workload_hours,
        capacity_hours: args.capacity_hours,
        lower_bound: sizing.lower_bound,
        chosen_territories: sizing.chosen.as_ref().map(|(p, _)| p.territories().len()),
        table: sizing.rows.clone(),
        oversized_accounts: sizing.oversized.clone(),
        plan: plan_summary.clone(),
    };
    territory::Progress::phase(&progress, "writing output");
    let out = &args.run.out.out;
    // One folder, swapped in whole: the plan's files and sizing.json together.
    let mut files = match (&sizing.chosen, &plan_summary) {
        (Some((problem, plan)), Some(ps)) => plan_files(problem, plan, &file.shapes, ps)
            .map_err(|e| Failure::Internal(format!("cannot write {}: {e}", out.display())))?,
        _ => Vec::new(),
    };
    files.push(("sizing.json".into(), to_json_bytes(&summary)));
    write_files_atomically(out, &files)
        .map_err(|e| Failure::Internal(format!("cannot write {}: {e}", out.display())))?;
    if args.run.chatter.json {
        print_json(&summary)?;
    }
    if let (Some(h), false) = (args.capacity_hours, summary.oversized_accounts.is_empty()) {
        let shown: Vec<String> = summary
            .oversized_accounts
            .iter()
            .take(5)
            .map(|o| format!("{} ({:.1} h)", o.account, o.workload_hours))
            .collect();
        progress.warn(&format!(
            "{} accounts alone need more than {h} h per 4 weeks, so their territories stay over capacity at any count: {}{}",
            summary.oversized_accounts.len(),
            shown.join(", "),
            if summary.oversized_accounts.len() > shown.len() { ", …" } else { "" }
        ));
    }
    for row in &summary.table {
        progress.done(&format!(
            "{:>5} territories: max workload {:>8.1} h, mean {:>8.1} h, mean {:.2} km to centre{}",
            row.territories,
            row.max_workload_hours,
            row.mean_workload_hours,
            row.mean_km_to_centre,
            match row.fits {
                Some(true) => ", fits",
                Some(false) => ", too much",
                None => "",
            }
        ));
    }
    match (summary.chosen_territories, args.capacity_hours) {
        (Some(k), Some(h)) => progress.done(&format!(
            "{k} territories carry {:.1} h of workload within {h} h each → {}",
            summary.total_workload_hours,
            out.display()
        )),
        (None, Some(h)) => progress.done(&format!(
            "warning: no territory count up to the number of accounts fits {h} h"
        )),
        _ => {}
    }
    match &summary.plan {
        Some(plan) => strict_check(&args.run, plan),
        None if args.run.strict && args.capacity_hours.is_some() => Err(Failure::Strict(
            "no territory count fits the capacity".into(),
        )),
        None => Ok(()),
    }
}

/// A problem the builder refused, located at the account's line when it names one.
pub(crate) fn problem_failure(
    e: territory::ProblemError,
    file: &AccountsFile,
    path: &Path,
) -> Failure {
    let line = e.account().and_then(|(id, field)| {
        let i = file.accounts.iter().position(|a| a.id == id)?;
        Some((*file.lines.get(i)?, field))
    });
    match line {
        Some((line, field)) => {
            let mut located = territory_formats::InputError::at(path, line, field, e.to_string());
            located.feature = file.features;
            located.sheet = file.sheet.clone();
            Failure::File(located)
        }
        None => Failure::Input(format!("{}: {e}", path.display())),
    }
}

/// Reads the accounts and turns the criteria flags into a problem builder.
pub(crate) fn read_input(
    input: &InputArgs,
) -> Result<(AccountsFile, ProblemBuilder, Vec<String>), Failure> {
    let default_tolerance = parse_tolerance(&input.tolerance).ok_or_else(|| {
        Failure::Input(format!(
            "--tolerance '{}' is not a percentage like 5% or a fraction like 0.05",
            input.tolerance
        ))
    })?;
    let criteria = parse_balance(&input.balance, default_tolerance)?;
    let options = ReadOptions {
        id_property: input.id_property.clone(),
        location: match input.location {
            LocationArg::Centroid => UnitLocation::Centroid,
            LocationArg::Interior => UnitLocation::Interior,
        },
        ..input.read.options()?
    };
    let file = read_accounts(&input.accounts, &options)?;
    let weight = input
        .compactness_weight
        .as_deref()
        .map(|w| Measure::parse(&w.trim().to_ascii_lowercase()));
    for measure in criteria.iter().map(|(m, _)| m).chain(weight.as_ref()) {
        if let Measure::Attribute(name) = measure {
            file.check_numeric(&input.accounts, name)?;
        }
    }
    if let Some(Measure::Attribute(name)) = &weight {
        if !file
            .accounts
            .iter()
            .any(|a| a.attributes.contains_key(name))
        {
            return Err(Failure::Input(format!(
                "{}: --compactness-weight '{name}': no account has a number in such a column",
                input.accounts.display()
            )));
        }
    }
    let mut builder = Problem::builder().accounts(file.accounts.clone());
    if let Some(w) = weight {
        builder = builder.compactness_weight(w);
    }
    let mut warnings = Vec::new();
    let pairs = match &input.adjacency {
        Some(path) => {
            let ids: Vec<&str> = file.accounts.iter().map(|a| a.id.as_str()).collect();
            Some(read_adjacency(path, &options, &ids)?)
        }
        None => file.adjacency.clone(),
    };
    if let Some(pairs) = pairs {
        let mut linked = vec![false; file.accounts.len()];
        for &(a, b) in &pairs {
            linked[a] = true;
            linked[b] = true;
        }
        let alone: Vec<&str> = (0..linked.len())
            .filter(|&i| !linked[i])
            .map(|i| file.accounts[i].id.as_str())
            .collect();
        if !alone.is_empty() {
            let shown: Vec<&str> = alone.iter().take(10).copied().collect();
            warnings.push(format!(
                "{} accounts have no neighbour in the adjacency, so each is a piece of its own: {}{}",
                alone.len(),
                shown.join(", "),
                if alone.len() > shown.len() { ", …" } else { "" }
            ));
        }
        builder = builder.adjacency(pairs);
    }
    for (measure, tolerance) in criteria {
        builder = builder.criterion(measure, tolerance);
    }
    Ok((file, builder, warnings))
}

fn engine_options(run: &RunArgs) -> Result<PlanOptions, Failure> {
    if let Some(km) = run.max_edge_km {
        if !(km.is_finite() && km > 0.0) {
            return Err(Failure::Input(format!(
                "--max-edge-km {km} must be a positive number of km"
            )));
        }
    }
    Ok(PlanOptions {
        seed: run.seed.seed,
        centre: match run.centre {
            CentreArg::Mean => territory::CentreRule::Mean,
            CentreArg::Unit => territory::CentreRule::Unit,
        },
        lp_max_accounts: run.lp_max_accounts.max(1),
        starts: run.starts.map(usize::from),
        contiguity: !run.no_contiguity,
        max_edge_km: run.max_edge_km,
        ..PlanOptions::default()
    })
}

/// The closing lines for people.
fn report(progress: &StderrProgress, verb: &str, summary: &PlanSummary, run: &RunArgs) {
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
        "{verb} {} accounts into {} territories{} in {:.1}s → {} (moved {}; max deviation: {}; compactness ratio {}; {})",
        summary.accounts,
        summary.territories,
        match summary.regions.len() {
            0 => String::new(),
            r => format!(" in {r} regions"),
        },
        summary.elapsed_ms as f64 / 1000.0,
        run.out.out.display(),
        summary.moved_accounts,
        worst.join(", "),
        summary.compactness.ratio_to_bound.map_or("n/a".into(), |r| format!("{r:.3}")),
        if summary.contiguity.contiguous { "contiguous" } else { "not contiguous" }
    ));
    for d in &summary.diagnostics {
        progress.done(&format!("warning: {}", d.message));
    }
    for b in &summary.bases_outside {
        progress.done(&format!(
            "warning: the base of {} lies {}: {}",
            b.territory,
            b.held_by
                .as_deref()
                .map_or("outside every territory".into(), |t| format!(
                    "in {t}'s territory"
                )),
            b.message
        ));
    }
}

/// Parses `K` or `A..B` (also `A-B`).
fn parse_range(text: &str) -> Result<RangeInclusive<usize>, Failure> {
    let bad = || {
        Failure::Input(format!(
            "--territories '{text}' is not a count like 8 or a range like 8..14"
        ))
    };
    let (a, b) = match text.split_once("..").or_else(|| text.split_once('-')) {
        Some((a, b)) => (a.trim(), b.trim().trim_start_matches('=')),
        None => (text.trim(), text.trim()),
    };
    let (a, b): (usize, usize) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
    if a == 0 || b < a {
        return Err(bad());
    }
    Ok(a..=b)
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
