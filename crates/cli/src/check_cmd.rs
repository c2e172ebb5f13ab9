//! `territory check`: validates every input of a plan or routes run with the
//! same readers and rules, and tells what would be planned; writes nothing.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;
use territory::Status;
use territory_formats::{read_appointments, read_assignment, read_reps};

use crate::flags::{one_stdin, Chatter};
use crate::plan_cmd::{read_input, InputArgs};
use crate::progress::StderrProgress;
use crate::{print_json, Failure};

/// Arguments of `territory check`.
#[derive(Args)]
#[command(after_help = "Examples:
  territory check --accounts data/accounts.csv --reps data/reps.csv
  territory check --accounts export.xlsx --sheet Accounts --reps reps.csv --appointments data/appointments.csv --json

Exit code 0 when every input is valid, 2 (with the file, line and field) when not.")]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Reps: CSV or workbook (id, name, lat, lon, capacity, ...).
    #[arg(long, value_name = "FILE")]
    reps: Option<PathBuf>,
    /// Number of territories, when planning without reps.
    #[arg(long, value_name = "K")]
    territories: Option<usize>,
    /// Account → territory (a rep id), e.g. a plan's assignment.csv.
    #[arg(long, value_name = "FILE")]
    assignment: Option<PathBuf>,
    /// Booked visits: account, date, time, duration_min.
    #[arg(long, value_name = "FILE")]
    appointments: Option<PathBuf>,
    #[command(flatten)]
    pub chatter: Chatter,
}

/// The `--json` output of `territory check`.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct CheckSummary {
    command: &'static str,
    accounts: usize,
    customers: usize,
    prospects: usize,
    reps: usize,
    /// Reps with a base (a fixed territory centre and route start).
    reps_with_base: usize,
    territories: usize,
    /// Each balance criterion's total and a territory's fair share of it (capacity 1).
    criteria: Vec<CriterionTotal>,
    /// Visits due per 4 weeks over all accounts.
    visits_per_4_weeks: f64,
    /// Accounts with a rep (from --assignment, or the accounts' `territory`).
    assigned: usize,
    /// Accounts no rep owns: routes would not plan them.
    unassigned: usize,
    appointments: usize,
}

/// One criterion's figures.
#[derive(Serialize, schemars::JsonSchema)]
struct CriterionTotal {
    criterion: String,
    tolerance: f64,
    total: f64,
    per_territory: f64,
}

pub(crate) fn run(args: CheckArgs) -> Result<(), Failure> {
    let progress = StderrProgress::new(args.chatter);
    one_stdin(&[
        ("--accounts", Some(&args.input.accounts)),
        ("--reps", args.reps.as_deref()),
        ("--assignment", args.assignment.as_deref()),
        ("--appointments", args.appointments.as_deref()),
    ])?;
    let options = args.input.read.options()?;
    let (file, mut builder, warnings) = read_input(&args.input)?;
    for w in &warnings {
        progress.warn(w);
    }
    let reps = args
        .reps
        .as_ref()
        .map(|p| read_reps(p, &options))
        .transpose()?
        .unwrap_or_default();
    if !reps.is_empty() {
        builder = builder.reps(reps.clone());
    }
    match (args.territories, reps.is_empty()) {
        (Some(k), _) => builder = builder.territories(k),
        // Without reps or a count, validate the accounts as one territory.
        (None, true) => builder = builder.territories(1),
        (None, false) => {}
    }
    let problem = builder
        .build()
        .map_err(|e| crate::plan_cmd::problem_failure(e, &file, &args.input.accounts))?;
    let accounts = problem.accounts();
    let account_ids: Vec<&str> = accounts.iter().map(|a| a.id.as_str()).collect();
    let rep_ids: Vec<&str> = reps.iter().map(|r| r.id.as_str()).collect();
    let owner: Vec<Option<usize>> = match &args.assignment {
        Some(path) => read_assignment(path, &options, &account_ids, &rep_ids)?,
        None => accounts
            .iter()
            .map(|a| {
                a.territory
                    .as_deref()
                    .and_then(|t| rep_ids.iter().position(|r| *r == t))
            })
            .collect(),
    };
    let mut routed: Vec<bool> = owner.iter().map(Option::is_some).collect();
    if args.assignment.is_none() && accounts.iter().all(|a| a.territory.is_none()) {
        // No owners known yet (a plan comes first): bookings are checked on their own.
        routed = vec![true; accounts.len()];
    }
    let appointments = match &args.appointments {
        Some(path) => read_appointments(path, &options, &account_ids, &routed)?.len(),
        None => 0,
    };
    let k = problem.territories().len();
    let model = problem.workload_model();
    let summary = CheckSummary {
        command: "check",
        accounts: accounts.len(),
        customers: accounts
            .iter()
            .filter(|a| a.status == Status::Customer)
            .count(),
        prospects: accounts
            .iter()
            .filter(|a| a.status == Status::Prospect)
            .count(),
        reps: reps.len(),
        reps_with_base: reps.iter().filter(|r| r.base.is_some()).count(),
        territories: k,
        criteria: problem
            .criteria()
            .iter()
            .enumerate()
            .map(|(c, criterion)| CriterionTotal {
                criterion: criterion.measure.to_string(),
                tolerance: criterion.tolerance,
                total: problem.total(c),
                per_territory: problem.total(c) / k as f64,
            })
            .collect(),
        visits_per_4_weeks: accounts.iter().map(|a| model.visits(a)).sum(),
        assigned: owner.iter().filter(|o| o.is_some()).count(),
        unassigned: owner.iter().filter(|o| o.is_none()).count(),
        appointments,
    };
    if args.chatter.json {
        print_json(&summary)?;
    }
    progress.done(&format!(
        "ok: {} accounts ({} customers, {} prospects) from {}; {} reps ({} with a base); {} territories; {:.0} visits per 4 weeks; {} assigned to a rep{}",
        summary.accounts,
        summary.customers,
        summary.prospects,
        args.input.accounts.display(),
        summary.reps,
        summary.reps_with_base,
        summary.territories,
        summary.visits_per_4_weeks,
        summary.assigned,
        if appointments > 0 { format!("; {appointments} bookings") } else { String::new() },
    ));
    Ok(())
}
