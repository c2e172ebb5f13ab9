//! `territory routes`: dated visit routes per rep over a horizon of weeks.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, ValueEnum};
use territory::model::parse_clock;
use territory::WorkloadModel;
use territory_formats::{
    check_output, read_absences, read_accounts, read_appointments, read_assignment, read_history,
    read_holidays, read_previous_routes, read_reps, write_routes, OutputKind, ReplanSummary,
    RoutesParameters, RoutesSummary,
};
use territory_routing::schedule::{
    plan_visits_with_progress, Fill, Lunch, PartTime, ScheduleError, ScheduleOptions,
    ScheduleRequest,
};
use territory_routing::travel::TravelModel;

use crate::flags::{one_stdin, seconds, Chatter, OutFolder, ReadFlags, Seed};
use crate::progress::StderrProgress;
use crate::road_args::RoadArgs;
use crate::{print_json, Failure};

/// Arguments of `territory routes`.
#[derive(Args)]
#[command(after_help = "Examples:
  territory routes --accounts data/accounts.csv --reps data/reps.csv --assignment plan/assignment.csv --start 2027-01-04 --weeks 4 --out routes
  territory routes --accounts accounts.csv --reps reps.csv --assignment plan/assignment.csv --appointments booked.csv --start 2027-03-01 --weeks 1 --lunch 11:30-13:30/30 --out week10 --json

Accounts need `visits` per 4 weeks (default by status), `service_min`, and may
give opening `windows` (08:00-12:00;13:00-17:00) and accepted `days` (mon,wed).
Weekly accounts keep one weekday, fortnightly ones alternate weeks, monthly ones
come once; appointments (account,date,time,duration_min) are kept exactly.
Without --assignment, the accounts file's `territory` column names each rep.")]
pub(crate) struct RoutesArgs {
    /// Accounts: CSV or GeoJSON, as for `plan`.
    #[arg(long, value_name = "FILE")]
    accounts: PathBuf,
    /// Reps: CSV with id, lat, lon (the base), days, start, end, office.
    #[arg(long, value_name = "FILE")]
    reps: PathBuf,
    /// Account → territory (a rep id), e.g. a plan's assignment.csv.
    #[arg(long, value_name = "FILE")]
    assignment: Option<PathBuf>,
    /// Booked visits: account, date (YYYY-MM-DD), time (HH:MM), duration_min.
    #[arg(long, value_name = "FILE")]
    appointments: Option<PathBuf>,
    /// Reps away: rep, date (YYYY-MM-DD), and from, to (HH:MM) for part of
    /// a day; their visits move to other days.
    #[arg(long, value_name = "FILE")]
    absences: Option<PathBuf>,
    /// Public holidays: date (YYYY-MM-DD), and office for one office's only;
    /// nobody (of that office) is scheduled on them.
    #[arg(long, value_name = "FILE")]
    holidays: Option<PathBuf>,
    /// Past visits: account, date (YYYY-MM-DD), status (done, missed,
    /// cancelled); each account's visits fall due from its last done one.
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,
    /// An earlier routes folder to re-plan from: its visits stay where they
    /// were unless moving them saves more than --change-cost, and
    /// summary.json `replan` lists every visit moved or dropped, and why.
    #[arg(long, value_name = "DIR")]
    previous: Option<PathBuf>,
    /// With --previous: each rep's first N working days from --start keep
    /// the earlier visits exactly (rep, date, order, times), unless an
    /// absence, a changed booking or a reassignment makes that impossible.
    #[arg(long, value_name = "N", default_value_t = 0, requires = "previous")]
    freeze_days: u32,
    /// With --previous: travel minutes a move of an earlier visit to another
    /// day or rep must save.
    #[arg(
        long,
        value_name = "MIN",
        default_value_t = 20.0,
        requires = "previous"
    )]
    change_cost: f64,
    /// When a rep's days cannot hold every due visit, keep only the overdue
    /// accounts first, instead of also leaving out first the visits of the
    /// accounts seen most recently for their interval (from --history).
    #[arg(long)]
    no_stretch: bool,
    /// Optional visits where days have room, for accounts with no visit
    /// due in the horizon: `prospects` (all alike, smallest detour first),
    /// or a numeric column's name (accounts with a value above 0, highest
    /// first). Never moves or drops a due visit; summary.json `filled`.
    #[arg(long, value_name = "prospects|COLUMN")]
    fill: Option<String>,
    /// With --fill: optional visits per rep-day at most (0: as many as fit).
    #[arg(long, value_name = "N", default_value_t = 0, requires = "fill")]
    fill_max: usize,
    /// First day of the horizon (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    start: String,
    /// Weeks to plan.
    #[arg(long, value_name = "N", default_value_t = 4)]
    weeks: u32,
    /// Lunch break: window and length, e.g. 12:00-13:30/30.
    #[arg(long, value_name = "HH:MM-HH:MM/MIN")]
    lunch: Option<String>,
    /// Visits due in the horizon: `horizon` rounds visits per 4 weeks to the
    /// horizon's length; `anchored` fixes each 2-, 4- or 8-weekly account's
    /// calendar weeks (by a hash of its id) so weekly runs keep its rhythm.
    #[arg(long, value_enum, default_value = "horizon")]
    cadence: CadenceArg,
    /// A part-time rep (capacity below 1) whose reps.csv week is longer than
    /// that share of a full-time week: `fewer-days` plans the nearest number
    /// of whole days (on the weekdays that keep its bookings and its accounts'
    /// accepted days, spread over the week), `shorter-days` ends every day
    /// earlier (not before a booked visit's end), `as-given` keeps reps.csv.
    #[arg(long, value_enum, default_value = "fewer-days")]
    part_time: PartTimeArg,
    /// Reps of one office (reps.csv `office`) share their accounts.
    #[arg(long)]
    share_office: bool,
    #[command(flatten)]
    road: RoadArgs,
    /// Road distance over straight-line distance.
    #[arg(long, value_name = "X", default_value_t = 1.3)]
    circuity: f64,
    /// Average driving speed, km/h.
    #[arg(long, value_name = "KMH", default_value_t = 30.0)]
    speed: f64,
    /// Weight of even day lengths against travel minutes (0: travel only).
    #[arg(long, value_name = "W", default_value_t = ScheduleOptions::default().balance_weight)]
    day_balance: f64,
    /// Search iterations per rep (default: from the number of accounts). Fixed counts give the same plan every run; 0 keeps the construction (no search, no moves between days).
    #[arg(long, value_name = "N")]
    iterations: Option<usize>,
    /// Wall-clock cap per rep (or office) in seconds; reaching it stops the search early.
    #[arg(long, value_name = "S", default_value_t = 60.0, value_parser = seconds)]
    time_limit: f64,
    #[command(flatten)]
    seed: Seed,
    #[command(flatten)]
    read: ReadFlags,
    /// Exit with code 3 (after writing the output) when a due visit is left
    /// out, a booking is not kept, or an account has no rep.
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    out: OutFolder,
    #[command(flatten)]
    pub chatter: Chatter,
}

pub(crate) fn run(args: RoutesArgs) -> Result<(), Failure> {
    let progress = StderrProgress::new(args.chatter);
    one_stdin(&[
        ("--accounts", Some(&args.accounts)),
        ("--reps", Some(&args.reps)),
        ("--assignment", args.assignment.as_deref()),
        ("--appointments", args.appointments.as_deref()),
        ("--absences", args.absences.as_deref()),
        ("--holidays", args.holidays.as_deref()),
        ("--history", args.history.as_deref()),
    ])?;
    let inputs: Vec<PathBuf> = [
        Some(args.accounts.as_path()),
        Some(args.reps.as_path()),
        args.assignment.as_deref(),
        args.appointments.as_deref(),
        args.absences.as_deref(),
        args.holidays.as_deref(),
        args.history.as_deref(),
        args.road.osm.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(Path::to_path_buf)
    .chain(
        args.previous
            .iter()
            .flat_map(|d| [d.join("summary.json"), d.join("visits.csv")]),
    )
    .collect();
    let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    if args.previous.as_ref().is_some_and(|p| p == &args.out.out) {
        return Err(Failure::Input(format!(
            "--previous {} is also --out: a re-plan is written to a new folder, the earlier one stays",
            args.out.out.display()
        )));
    }
    check_output(&args.out.out, OutputKind::Folder, &inputs)?;
    territory_formats::check_replaces_own(&args.out.out, &["routes"])?;
    let read_options = args.read.options()?;
    let start = territory_formats::parse_iso_date(&args.start).ok_or_else(|| {
        Failure::Input(format!(
            "--start '{}' is not a date like 2027-01-04 (years 1900–2999)",
            args.start
        ))
    })?;
    if args.weeks == 0 || args.weeks > 104 {
        return Err(Failure::Input(format!(
            "--weeks {} must be between 1 and 104",
            args.weeks
        )));
    }
    let straight = crate::road_args::straight_line(args.circuity, args.speed)?;
    if !(args.day_balance >= 0.0 && args.day_balance <= 1e6) {
        return Err(Failure::Input(format!(
            "--day-balance {} must be a weight between 0 and 1000000",
            args.day_balance
        )));
    }
    let lunch = args.lunch.as_deref().map(parse_lunch).transpose()?;
    if !(args.change_cost >= 0.0 && args.change_cost <= 1e6) {
        return Err(Failure::Input(format!(
            "--change-cost {} must be minutes between 0 and 1000000",
            args.change_cost
        )));
    }

    territory::Progress::phase(&progress, "reading input");
    let file = read_accounts(&args.accounts, &read_options)?;
    let accounts = file.accounts;
    let reps = read_reps(&args.reps, &read_options)?;
    let account_ids: Vec<&str> = accounts.iter().map(|a| a.id.as_str()).collect();
    let rep_ids: Vec<&str> = reps.iter().map(|r| r.id.as_str()).collect();
    let owner = match &args.assignment {
        Some(path) => read_assignment(path, &read_options, &account_ids, &rep_ids)?,
        None => owners_from_accounts(&accounts, &file.lines, &rep_ids, &args.accounts)?,
    };
    // Accounts no rep owns are not planned: name them rather than lose them.
    let unassigned: Vec<String> = accounts
        .iter()
        .zip(&owner)
        .filter(|(_, o)| o.is_none())
        .map(|(a, _)| a.id.clone())
        .collect();
    if owner.iter().all(Option::is_none) {
        return Err(Failure::Input(format!(
            "{}: no account is assigned to a rep",
            args.assignment.as_ref().unwrap_or(&args.accounts).display()
        )));
    }
    let routed: Vec<bool> = owner.iter().map(Option::is_some).collect();
    let appointments = match &args.appointments {
        Some(path) => read_appointments(path, &read_options, &account_ids, &routed)?,
        None => Vec::new(),
    };
    let absences = match &args.absences {
        Some(path) => read_absences(path, &read_options, &rep_ids)?,
        None => Vec::new(),
    };
    let history: Vec<territory_routing::schedule::PastVisit> = match &args.history {
        Some(path) => read_history(path, &read_options, &account_ids)?
            .into_iter()
            .map(|(visit, _)| visit)
            .collect(),
        None => Vec::new(),
    };
    // The past ends where the horizon begins: later rows are not history.
    let future = history.iter().filter(|v| v.date >= start).count();
    let history: Vec<_> = history.into_iter().filter(|v| v.date < start).collect();
    let mut history_warning = None;
    if future > 0 {
        let w = format!(
            "{future} rows of {} are dated on or after --start {start} and are left out (history is what happened before the horizon)",
            args.history.as_ref().map_or(String::new(), |p| p.display().to_string())
        );
        progress.warn(&w);
        history_warning = Some(w);
    }
    let holidays = match &args.holidays {
        Some(path) => read_holidays(path, &read_options)?,
        None => Vec::new(),
    };

    let previous = match &args.previous {
        Some(dir) => Some(read_previous_routes(dir, &account_ids, &rep_ids)?),
        None => None,
    };

    let net = args.road.network(&progress)?;
    let road = net.as_ref().map(|n| args.road.travel(n));
    let travel: &dyn TravelModel = match &road {
        Some(r) => r,
        None => &straight,
    };
    let mut warnings: Vec<String> = history_warning.into_iter().collect();
    if let Some(net) = &net {
        // Accounts (and bases) far from any road get an off-road leg at a
        // walking pace; name them so the user can check their coordinates.
        let routed: Vec<usize> = (0..accounts.len())
            .filter(|&i| owner[i].is_some())
            .collect();
        let points: Vec<(f64, f64)> = routed
            .iter()
            .map(|&i| (accounts[i].location.lat, accounts[i].location.lon))
            .collect();
        let snap = net.snap(&points, territory_roads::DEFAULT_SNAP_KM);
        if !snap.far.is_empty() {
            let ids: Vec<&str> = snap
                .far
                .iter()
                .map(|&k| accounts[routed[k]].id.as_str())
                .collect();
            warnings.push(format!(
                "{} accounts lie more than {} km from any road: {}",
                ids.len(),
                territory_roads::DEFAULT_SNAP_KM,
                ids.join(", ")
            ));
        }
        let bases: Vec<(f64, f64)> = reps
            .iter()
            .filter_map(|r| r.base.map(|b| (b.lat, b.lon)))
            .collect();
        let far_bases = net.snap(&bases, territory_roads::DEFAULT_SNAP_KM).far;
        if !far_bases.is_empty() {
            warnings.push(format!(
                "{} rep bases lie more than {} km from any road",
                far_bases.len(),
                territory_roads::DEFAULT_SNAP_KM
            ));
        }
        for w in &warnings {
            progress.warn(w);
        }
    }
    let workload = WorkloadModel {
        circuity: args.circuity,
        speed_kmh: args.speed,
        ..WorkloadModel::default()
    };
    let request = ScheduleRequest {
        accounts: &accounts,
        reps: &reps,
        owner: &owner,
        workload: &workload,
        appointments: &appointments,
        start,
        weeks: args.weeks,
        absences: &absences,
        holidays: &holidays,
        history: &history,
        previous: previous.as_ref().map(|p| &p.plan),
        freeze_days: args.freeze_days,
    };
    if !unassigned.is_empty() {
        let shown: Vec<&str> = unassigned.iter().take(5).map(String::as_str).collect();
        warnings.push(format!(
            "{} accounts have no rep in {} and are not planned: {}{} (all in summary.json `unassigned`)",
            unassigned.len(),
            args.assignment.as_ref().unwrap_or(&args.accounts).display(),
            shown.join(", "),
            if unassigned.len() > shown.len() { ", …" } else { "" }
        ));
        if let Some(w) = warnings.last() {
            progress.warn(w);
        }
    }
    let options = ScheduleOptions {
        seed: args.seed.seed,
        iterations: args.iterations,
        time_limit: Duration::from_secs_f64(args.time_limit),
        lunch,
        share_office: args.share_office,
        balance_weight: args.day_balance,
        anchored: args.cadence == CadenceArg::Anchored,
        change_cost: args.change_cost,
        stretch_intervals: !args.no_stretch,
        fill: match args.fill.as_deref() {
            None => None,
            Some("prospects") => Some(Fill::Prospects),
            Some(column) => {
                let known = column == "revenue"
                    || accounts.iter().any(|a| a.attributes.contains_key(column));
                if !known {
                    return Err(Failure::Input(format!(
                        "--fill '{column}': {} has no numeric column of that name (or say `prospects`)",
                        args.accounts.display()
                    )));
                }
                Some(Fill::Column(column.to_string()))
            }
        },
        fill_max_per_day: args.fill_max,
        part_time: match args.part_time {
            PartTimeArg::FewerDays => PartTime::FewerDays,
            PartTimeArg::ShorterDays => PartTime::ShorterDays,
            PartTimeArg::AsGiven => PartTime::AsGiven,
        },
        inter_day: args.iterations != Some(0),
    };
    territory::Progress::phase(&progress, "planning routes");
    let schedule =
        plan_visits_with_progress(&request, travel, &options, &progress).map_err(|e| match e {
            ScheduleError::NoBase { .. } => Failure::Input(format!("{}: {e}", args.reps.display())),
            ScheduleError::Lunch { .. } => Failure::Input(format!("--lunch: {e}")),
            other => Failure::Internal(other.to_string()),
        })?;
    territory::Progress::phase(&progress, "writing output");
    let parameters = RoutesParameters {
        start,
        weeks: args.weeks,
        travel: match &net {
            Some(n) => args.road.describe(n),
            None => format!("straight line ×{} at {} km/h", args.circuity, args.speed),
        },
        lunch: args.lunch.clone(),
        share_office: args.share_office,
        cadence: match args.cadence {
            CadenceArg::Horizon => "horizon".into(),
            CadenceArg::Anchored => "anchored".into(),
        },
        part_time: args
            .part_time
            .to_possible_value()
            .map(|v| v.get_name().to_string()),
        seed: args.seed.seed,
        iterations: args.iterations,
        inputs: territory_formats::RoutesInputs {
            appointments: shown(&args.appointments),
            absences: shown(&args.absences),
            holidays: shown(&args.holidays),
            history: shown(&args.history),
            previous: shown(&args.previous),
            freeze_days: args.freeze_days,
            fill: args.fill.clone(),
            fill_max: args.fill_max,
            stretch: !args.no_stretch,
        },
    };
    let mut summary = RoutesSummary::new(
        &accounts,
        &reps,
        &schedule,
        parameters,
        progress.elapsed_ms(),
    );
    summary.timings = progress.timings();
    for p in &summary.part_time {
        let days = |d: &[territory::Weekday]| {
            d.iter()
                .map(|w| format!("{w:?}").to_lowercase())
                .collect::<Vec<_>>()
                .join(",")
        };
        progress.warn(&format!(
            "rep {} (capacity {}): planned {} until {} ({} h a week; reps.csv: {} until {}, {} h; --part-time as-given keeps those)",
            p.rep,
            p.capacity,
            days(&p.days),
            p.end,
            p.week_hours,
            days(&p.days_before),
            p.end_before,
            p.week_hours_before
        ));
    }
    for st in &summary.stretched {
        let w = format!(
            "rep {}: the days hold {} of {} due visits ({} visits of {} accounts left out), so the rep's visit intervals stretch ×{} while this lasts (summary.json `stretched`)",
            st.rep,
            st.scheduled_visits,
            st.due_visits,
            st.short_visits,
            st.accounts_short,
            st.factor
        );
        progress.warn(&w);
        warnings.push(w);
    }
    summary.warnings = warnings;
    summary.unassigned = unassigned;
    if let (Some(dir), Some(p)) = (&args.previous, &previous) {
        let end = start + chrono::Days::new(args.weeks as u64 * 7);
        summary.replan = Some(ReplanSummary::new(
            dir,
            p,
            &reps,
            &schedule,
            (start, end),
            args.freeze_days,
            args.change_cost,
        ));
    }
    let draw =
        |a: territory::Location, b: territory::Location| road.as_ref().and_then(|r| r.path(a, b));
    let along_roads: Option<&territory_formats::PathFn<'_>> =
        if road.is_some() { Some(&draw) } else { None };
    let out = &args.out.out;
    write_routes(
        out,
        &accounts,
        &reps,
        &schedule,
        &summary,
        along_roads,
        previous.as_ref(),
        calendar_stamp(),
    )
    .map_err(|e| Failure::Internal(format!("cannot write {}: {e}", out.display())))?;
    if args.chatter.json {
        print_json(&summary)?;
    }
    let t = &summary.totals;
    progress.done(&format!(
        "routes: {} of {} visits scheduled over {} rep-days ({} appointments kept), {:.0} min travel, {:.1} km; {} accounts short{}; written to {}",
        t.scheduled_visits,
        t.due_visits,
        t.days_with_visits,
        t.appointments_kept,
        t.travel_min,
        t.travel_km,
        summary.unscheduled.iter().filter(|u| u.scheduled < u.due).count(),
        if summary.unscheduled.is_empty() { "" } else { " (reasons in summary.json)" },
        out.display()
    ));
    if !summary.filled.is_empty() {
        let added: f64 = summary.filled.iter().map(|f| f.added_travel_min).sum();
        progress.warn(&format!(
            "--fill: {} optional visits added where days had room, {added:.0} travel minutes in all (summary.json `filled`)",
            summary.filled.len()
        ));
    }
    if args.strict {
        let short = summary
            .unscheduled
            .iter()
            .filter(|u| u.scheduled < u.due)
            .count();
        let mut missed = Vec::new();
        if short > 0 {
            missed.push(format!("{short} accounts short of their due visits"));
        }
        if t.appointments_kept < appointments.len() {
            missed.push(format!(
                "{} of {} bookings not kept",
                appointments.len() - t.appointments_kept,
                appointments.len()
            ));
        }
        if !summary.unassigned.is_empty() {
            missed.push(format!(
                "{} accounts without a rep",
                summary.unassigned.len()
            ));
        }
        if !missed.is_empty() {
            return Err(Failure::Strict(format!(
                "the routes in {} miss: {}",
                out.display(),
                missed.join("; ")
            )));
        }
    }
    Ok(())
}

/// `--part-time` values.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum PartTimeArg {
    /// Fewer whole days.
    FewerDays,
    /// Shorter days.
    ShorterDays,
    /// The reps file's days and hours.
    AsGiven,
}

/// `--cadence` values.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum CadenceArg {
    /// Round the visits due to the horizon.
    Horizon,
    /// Fixed calendar weeks per account, for consecutive short horizons.
    Anchored,
}

/// `HH:MM-HH:MM/MIN`.
pub(crate) fn parse_lunch(text: &str) -> Result<Lunch, Failure> {
    let bad = || {
        Failure::Input(format!(
            "--lunch '{text}' is not like 12:00-13:30/30 (window, then minutes)"
        ))
    };
    let (window, minutes) = text.split_once('/').ok_or_else(bad)?;
    let (a, b) = window.split_once('-').ok_or_else(bad)?;
    let (earliest, latest) = (
        parse_clock(a).ok_or_else(bad)?,
        parse_clock(b).ok_or_else(bad)?,
    );
    let duration: u32 = minutes.trim().parse().map_err(|_| bad())?;
    if duration == 0 || earliest.saturating_add(duration) > latest {
        return Err(Failure::Input(format!(
            "--lunch '{text}': a break of {duration} min must fit inside its window"
        )));
    }
    Ok(Lunch {
        earliest,
        latest,
        duration,
    })
}

/// The rep of each account from the accounts file's `territory` column.
fn owners_from_accounts(
    accounts: &[territory::Account],
    lines: &[u64],
    rep_ids: &[&str],
    path: &std::path::Path,
) -> Result<Vec<Option<usize>>, Failure> {
    accounts
        .iter()
        .zip(lines)
        .map(|(a, line)| match &a.territory {
            None => Ok(None),
            Some(t) => rep_ids
                .iter()
                .position(|r| r == t)
                .map(Some)
                .ok_or_else(|| {
                    Failure::File(territory_formats::InputError::at(
                        path,
                        *line,
                        Some("territory"),
                        format!("'{t}' is not a rep id of the reps file (or pass --assignment)"),
                    ))
                }),
        })
        .collect()
}

/// The calendars' `DTSTAMP`: now, or `SOURCE_DATE_EPOCH` (seconds since
/// 1970) when set, so that builds of a plan can be reproduced byte for byte.
pub(crate) fn calendar_stamp() -> chrono::DateTime<chrono::Utc> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or(now);
    chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// A path as the summary records it.
fn shown(path: &Option<PathBuf>) -> Option<String> {
    path.as_ref().map(|p| p.display().to_string())
}
