//! `territory report`: one self-contained HTML page from a plan (and routes) folder.

use std::path::{Path, PathBuf};

use clap::Args;
use serde::Serialize;
use territory_report::{
    read_kpi_folder, read_plan_folder, read_routes_folder, render, ReportOptions,
};

use territory_formats::{check_output, OutputKind};

use crate::flags::{Chatter, OutFile};
use crate::progress::StderrProgress;
use crate::{print_json, Failure};

/// Arguments of `territory report`.
#[derive(Args)]
#[command(after_help = "Examples:
  territory report --plan plan --out report.html
  territory report --plan plan --routes routes --day 2027-01-05 --out report.html --json
  territory report --plan rebalanced --compare plan --out before-after.html
  territory report --plan plan --routes routes --kpi kpi --out report.html

The page works offline: an SVG map (each territory keeps its colour across
plans, touching territories differ; customers and prospects with tooltips;
rep bases labelled with the rep's name; each rep's route of the chosen day
with numbered stops), each rep's day table, the balance per criterion against
its tolerance band, per-territory KPIs, with --kpi each rep's visits
planned / done / missed, coverage, overdue accounts, new customers and
account sums against the plan (with totals), map notes (territories drawn in
pieces, bases outside their own territory), moved accounts of a rebalance,
before/after with --compare, and what could not be met.")]
pub(crate) struct ReportArgs {
    /// A folder written by `territory plan` or `territory rebalance`.
    #[arg(long, value_name = "DIR")]
    plan: PathBuf,
    /// A folder written by `territory routes`.
    #[arg(long, value_name = "DIR")]
    routes: Option<PathBuf>,
    /// A folder written by `territory kpi`: a section per rep of plan against
    /// actual (visits planned, done, missed; coverage; overdue accounts; new
    /// customers; revenue and other account sums), with totals.
    #[arg(long, value_name = "DIR")]
    kpi: Option<PathBuf>,
    /// An earlier plan folder: moved, new and removed accounts and reps are
    /// shown on the map, and the balance before and after side by side;
    /// territories keep the earlier plan's colours.
    #[arg(long, value_name = "DIR")]
    compare: Option<PathBuf>,
    /// Day whose routes show first (YYYY-MM-DD); the page can switch days.
    #[arg(long, value_name = "DATE")]
    day: Option<String>,
    /// Page title.
    #[arg(long, default_value = "Territory plan")]
    title: String,
    /// Above this many accounts, points are drawn as shaded cells.
    #[arg(long, value_name = "N", default_value_t = ReportOptions::default().max_points)]
    max_points: usize,
    #[command(flatten)]
    out: OutFile,
    #[command(flatten)]
    pub chatter: Chatter,
}

/// The `--json` output of `territory report`.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct ReportSummary {
    command: &'static str,
    out: String,
    territories: usize,
    accounts: usize,
    route_days: usize,
    /// With `--compare`: accounts whose territory changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    moved_accounts: Option<usize>,
    /// With `--kpi`: the period and the reps of the KPI folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    kpi: Option<KpiPresence>,
    /// Territories drawn in another number of pieces than the adjacency has.
    drawn_in_pieces: Vec<String>,
    /// Territories whose rep base lies outside the territory's shape.
    bases_outside: Vec<String>,
    bytes: usize,
    elapsed_ms: u64,
}

/// What `report --json` says of the `--kpi` folder it shows.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct KpiPresence {
    /// First day counted.
    from: String,
    /// Last day counted (inclusive).
    to: String,
    /// Reps with a KPI row on the page.
    reps: usize,
}

pub(crate) fn run(args: ReportArgs) -> Result<(), Failure> {
    let progress = StderrProgress::new(args.chatter);
    let mut inputs = folder_files(&args.plan);
    if let Some(routes) = &args.routes {
        inputs.extend(folder_files(routes));
    }
    if let Some(kpi) = &args.kpi {
        inputs.extend(folder_files(kpi));
    }
    if let Some(old) = &args.compare {
        inputs.extend(folder_files(old));
    }
    let input_refs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    check_output(&args.out.out, OutputKind::File, &input_refs)?;
    let plan = read_plan_folder(&args.plan).map_err(|e| Failure::Input(e.to_string()))?;
    let before = args
        .compare
        .as_deref()
        .map(read_plan_folder)
        .transpose()
        .map_err(|e| Failure::Input(e.to_string()))?;
    let routes = args
        .routes
        .as_deref()
        .map(read_routes_folder)
        .transpose()
        .map_err(|e| Failure::Input(e.to_string()))?;
    let kpi = args
        .kpi
        .as_deref()
        .map(read_kpi_folder)
        .transpose()
        .map_err(|e| Failure::Input(e.to_string()))?;
    if let (Some(day), Some(r)) = (&args.day, &routes) {
        if !r.lines.iter().any(|l| &l.date == day) {
            return Err(Failure::Input(format!(
                "--day {day}: no route in {} on that day",
                args.routes.as_ref().expect("given").display()
            )));
        }
    }
    let options = ReportOptions {
        title: args.title.clone(),
        day: args.day.clone(),
        max_points: args.max_points,
    };
    let html = render(
        &plan,
        routes.as_ref(),
        kpi.as_ref(),
        before.as_ref(),
        &options,
    );
    let out = &args.out.out;
    territory_formats::write_file_atomically(out, html.as_bytes())
        .map_err(|e| Failure::Internal(format!("cannot write {}: {e}", out.display())))?;
    let summary = ReportSummary {
        command: "report",
        out: out.display().to_string(),
        territories: plan.territories.len(),
        accounts: plan.accounts.len(),
        route_days: routes.as_ref().map_or(0, |r| {
            let mut d: Vec<&str> = r.lines.iter().map(|l| l.date.as_str()).collect();
            d.sort();
            d.dedup();
            d.len()
        }),
        moved_accounts: before
            .as_ref()
            .map(|b| territory_report::compare::compare(b, &plan).moved.len()),
        kpi: kpi.as_ref().map(|k| KpiPresence {
            from: k.summary.from.to_string(),
            to: k.summary.to.to_string(),
            reps: k.summary.reps.len(),
        }),
        drawn_in_pieces: territory_report::truth::piece_mismatches(&plan)
            .into_iter()
            .map(|m| m.territory)
            .collect(),
        bases_outside: territory_report::truth::bases_outside(&plan)
            .into_iter()
            .map(|b| b.territory)
            .collect(),
        bytes: html.len(),
        elapsed_ms: progress.elapsed_ms(),
    };
    if args.chatter.json {
        print_json(&summary)?;
    }
    progress.done(&format!(
        "report: {} territories, {} accounts{} → {} ({} KB)",
        summary.territories,
        summary.accounts,
        if summary.route_days > 0 {
            format!(", routes on {} days", summary.route_days)
        } else {
            String::new()
        },
        summary.out,
        html.len() / 1024
    ));
    Ok(())
}

/// The files of an input folder (and of its subfolders), which the report must not replace.
fn folder_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path.clone());
            }
            out.push(path);
        }
    }
    out
}
