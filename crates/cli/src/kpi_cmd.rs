//! `territory kpi`: plan against actual per rep, from a routes folder and
//! the visit history.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use clap::Args;
use territory::WorkloadModel;
use territory_formats::{
    check_output, parse_iso_date, read_accounts, read_assignment, read_history, read_visits,
    write_files_atomically, KpiSummary, OutputKind, RoutesSummary,
};
use territory_routing::kpi::{kpis, KpiRequest, PlannedVisit};

use crate::flags::{Chatter, OutFolder, ReadFlags};
use crate::progress::StderrProgress;
use crate::{print_json, Failure};

/// Arguments of `territory kpi`.
#[derive(Args)]
#[command(after_help = "Example:
  territory kpi --accounts data/accounts.csv --routes routes --history history.csv --out kpi --json

Per rep: visits planned (routes/visits.csv), done, missed and cancelled
(history: account,date,status[,rep]); coverage (accounts visited at least as
often as their visits per 4 weeks ask over the period); accounts overdue at
its end; new customers (prospects in --previous-accounts that are customers
now); sums of revenue and every numeric account column. The period defaults
to the routes folder's horizon.")]
pub(crate) struct KpiArgs {
    /// Accounts: CSV or GeoJSON, as for `plan`.
    #[arg(long, value_name = "FILE")]
    accounts: PathBuf,
    /// A routes folder written by `territory routes`.
    #[arg(long, value_name = "DIR")]
    routes: PathBuf,
    /// Visits that happened: account, date (YYYY-MM-DD), status (done, missed, cancelled), rep.
    #[arg(long, value_name = "FILE")]
    history: PathBuf,
    /// Account → territory (a rep id), e.g. the plan's assignment.csv: the
    /// accounts each rep owns, also those the routes folder has no visit of
    /// (without it: the accounts file's `territory` column, then the plan).
    #[arg(long, value_name = "FILE")]
    assignment: Option<PathBuf>,
    /// The accounts file of an earlier date, for new customers.
    #[arg(long, value_name = "FILE")]
    previous_accounts: Option<PathBuf>,
    /// First day counted (default: the routes horizon's first).
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last day counted, inclusive (default: the horizon's last).
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    #[command(flatten)]
    read: ReadFlags,
    #[command(flatten)]
    out: OutFolder,
    #[command(flatten)]
    pub chatter: Chatter,
}

pub(crate) fn run(args: KpiArgs) -> Result<(), Failure> {
    let progress = StderrProgress::new(args.chatter);
    let summary_path = args.routes.join("summary.json");
    let visits_path = args.routes.join("visits.csv");
    let mut inputs: Vec<&Path> = vec![&args.accounts, &args.history, &args.routes];
    if let Some(p) = &args.previous_accounts {
        inputs.push(p);
    }
    if let Some(p) = &args.assignment {
        inputs.push(p);
    }
    check_output(&args.out.out, OutputKind::Folder, &inputs)?;
    territory_formats::check_replaces_own(&args.out.out, &["kpi"])?;
    let read_options = args.read.options()?;
    territory::Progress::phase(&progress, "reading input");
    let accounts = read_accounts(&args.accounts, &read_options)?.accounts;
    let text = std::fs::read_to_string(&summary_path)
        .map_err(|e| Failure::Input(format!("{}: cannot read: {e}", summary_path.display())))?;
    let routes: RoutesSummary = serde_json::from_str(&text).map_err(|e| {
        Failure::Input(format!(
            "{}: not a routes summary of this version: {e}",
            summary_path.display()
        ))
    })?;
    let visits = read_visits(&visits_path)?;
    let account_ids: Vec<&str> = accounts.iter().map(|a| a.id.as_str()).collect();
    let index: HashMap<&str, usize> = account_ids
        .iter()
        .enumerate()
        .map(|(i, &a)| (a, i))
        .collect();
    let rep_ids: Vec<String> = routes.reps.iter().map(|r| r.rep.clone()).collect();
    let rep_index: HashMap<&str, usize> = rep_ids
        .iter()
        .enumerate()
        .map(|(i, r)| (r.as_str(), i))
        .collect();
    let mut owner: Vec<Option<usize>> = match &args.assignment {
        Some(path) => {
            let reps: Vec<&str> = rep_ids.iter().map(String::as_str).collect();
            read_assignment(path, &read_options, &account_ids, &reps)?
        }
        None => accounts
            .iter()
            .map(|a| {
                a.territory
                    .as_deref()
                    .and_then(|t| rep_index.get(t).copied())
            })
            .collect(),
    };
    let mut planned = Vec::with_capacity(visits.len());
    for (k, v) in visits.iter().enumerate() {
        let line = k as u64 + 2;
        let bad =
            |what: String| Failure::Input(format!("{}:{line}: {what}", visits_path.display()));
        let &account = index.get(v.account.as_str()).ok_or_else(|| {
            bad(format!(
                "account '{}' is not in {}",
                v.account,
                args.accounts.display()
            ))
        })?;
        let &rep = rep_index
            .get(v.rep.as_str())
            .ok_or_else(|| bad(format!("rep '{}' is not in summary.json", v.rep)))?;
        // The rep who visits an account in the plan owns it.
        owner[account] = Some(rep);
        planned.push(PlannedVisit {
            account,
            rep,
            date: v.date,
        });
    }
    let history = read_history(&args.history, &read_options, &account_ids)?;
    let history_rep: Vec<Option<usize>> = history
        .iter()
        .map(|(_, r)| r.as_deref().and_then(|r| rep_index.get(r).copied()))
        .collect();
    // Rows naming a rep the routes folder does not have count for the
    // account's rep: say so, rather than move visits between reps quietly.
    let mut unknown: Vec<&str> = history
        .iter()
        .filter_map(|(_, r)| r.as_deref())
        .filter(|r| !rep_index.contains_key(r))
        .collect();
    if !unknown.is_empty() {
        let rows = unknown.len();
        unknown.sort_unstable();
        unknown.dedup();
        progress.warn(&format!(
            "{rows} rows of {} name reps the routes folder does not plan ({}); they count for the account's rep",
            args.history.display(),
            unknown.join(", ")
        ));
    }
    let past: Vec<_> = history.iter().map(|(v, _)| *v).collect();
    let previous_status = match &args.previous_accounts {
        Some(path) => {
            let before = read_accounts(path, &read_options)?.accounts;
            let by_id: HashMap<&str, territory::Status> =
                before.iter().map(|a| (a.id.as_str(), a.status)).collect();
            Some(
                accounts
                    .iter()
                    .map(|a| by_id.get(a.id.as_str()).copied())
                    .collect::<Vec<_>>(),
            )
        }
        None => None,
    };
    let date = |flag: &str, text: &Option<String>, default| match text {
        Some(t) => parse_iso_date(t).ok_or_else(|| {
            Failure::Input(format!(
                "{flag} '{t}' is not a date like 2027-01-04 (years 1900–2999)"
            ))
        }),
        None => Ok(default),
    };
    let horizon_end =
        routes.parameters.start + chrono::Days::new(routes.parameters.weeks as u64 * 7 - 1);
    let from = date("--from", &args.from, routes.parameters.start)?;
    let to = date("--to", &args.to, horizon_end)?;
    if to < from {
        return Err(Failure::Input(format!("--to {to} is before --from {from}")));
    }
    let workload = WorkloadModel::default();
    let request = KpiRequest {
        accounts: &accounts,
        rep_ids: &rep_ids,
        owner: &owner,
        planned: &planned,
        history: &past,
        history_rep: &history_rep,
        from,
        to,
        previous_status: previous_status.as_deref(),
        workload: &workload,
    };
    let figures = kpis(&request);
    let summary = KpiSummary::new(&accounts, &rep_ids, &figures, from, to);
    let json = serde_json::to_vec_pretty(&summary).map_err(|e| Failure::Internal(e.to_string()))?;
    let csv = summary
        .csv()
        .map_err(|e| Failure::Internal(e.to_string()))?;
    write_files_atomically(
        &args.out.out,
        &[("kpi.json".to_string(), json), ("kpi.csv".to_string(), csv)],
    )
    .map_err(|e| Failure::Internal(format!("cannot write {}: {e}", args.out.out.display())))?;
    if args.chatter.json {
        print_json(&summary)?;
    }
    let done: usize = summary.reps.iter().map(|r| r.done).sum();
    let planned_n: usize = summary.reps.iter().map(|r| r.planned).sum();
    progress.done(&format!(
        "kpi: {done} visits done of {planned_n} planned from {from} to {to}, {} reps; written to {}",
        summary.reps.len(),
        args.out.out.display()
    ));
    Ok(())
}
