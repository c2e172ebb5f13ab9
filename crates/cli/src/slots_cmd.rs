//! `territory slots`: the visit slots to offer on the phone, from a routes
//! folder, least added travel first.

use std::path::{Path, PathBuf};

use clap::Args;
use territory::model::{parse_days, parse_windows, Account, Location};
use territory::WorkloadModel;
use territory_formats::{
    check_output, parse_iso_date, read_absences, read_accounts, read_assignment, read_holidays,
    read_previous_routes, read_reps, routes_files, write_files_atomically, OutputKind,
    PreviousRoutes, RoutesSummary, SlotsSummary,
};
use territory_routing::schedule::{
    book_slot, nearest_reps, slots, DetourBands, RepDay, Schedule, SlotRequest,
};
use territory_routing::travel::TravelModel;

use crate::flags::{Chatter, ReadFlags};
use crate::progress::StderrProgress;
use crate::road_args::RoadArgs;
use crate::routes_cmd::parse_lunch;
use crate::{print_json, Failure};

/// Reps asked by default: the account's own and the nearest others.
const DEFAULT_REPS: usize = 3;

/// Arguments of `territory slots`.
#[derive(Args)]
#[command(after_help = "Examples:
  territory slots --accounts data/accounts.csv --reps data/reps.csv --routes routes --account osm-n1007416273
  territory slots --accounts data/accounts.csv --reps data/reps.csv --routes routes --lat 60.19 --lon 24.93 --windows 09:00-12:00 --duration 45 --from 2027-01-11 --to 2027-01-15 --json

Every slot keeps every planned visit (their times may shift inside their
windows), bookings at their times, working hours, absences, holidays and the
routes folder's lunch break. Offers are the best position of each rep-day,
least added travel first: green under --green minutes, amber under --amber,
red above.")]
pub(crate) struct SlotsArgs {
    /// Accounts: CSV or GeoJSON, as for `routes`.
    #[arg(long, value_name = "FILE")]
    accounts: PathBuf,
    /// Reps: CSV, as for `routes`.
    #[arg(long, value_name = "FILE")]
    reps: PathBuf,
    /// The routes folder to fit the visit into.
    #[arg(long, value_name = "DIR")]
    routes: PathBuf,
    /// The account to visit (an id of --accounts).
    #[arg(
        long,
        value_name = "ID",
        required_unless_present = "lat",
        conflicts_with = "lat"
    )]
    account: Option<String>,
    /// A new account's latitude (with --lon).
    #[arg(
        long,
        value_name = "DEG",
        requires = "lon",
        allow_negative_numbers = true
    )]
    lat: Option<f64>,
    /// A new account's longitude.
    #[arg(
        long,
        value_name = "DEG",
        requires = "lat",
        allow_negative_numbers = true
    )]
    lon: Option<f64>,
    /// A new account's opening windows, e.g. 08:00-12:00;13:00-16:00.
    #[arg(long, value_name = "WINDOWS", requires = "lat")]
    windows: Option<String>,
    /// A new account's accepted weekdays, e.g. mon,wed.
    #[arg(long, value_name = "DAYS", requires = "lat")]
    days: Option<String>,
    /// Length of the visit in minutes (default: the account's service time).
    #[arg(long, value_name = "MIN")]
    duration: Option<u32>,
    /// First day to offer (default: the routes folder's first).
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last day to offer, inclusive (default: the folder's last).
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// Reps to offer, in order (default: the account's own rep, then the
    /// two based nearest to it).
    #[arg(long, value_name = "REP,REP", value_delimiter = ',')]
    reps_allowed: Vec<String>,
    /// Account → territory, to know the account's own rep when the plan
    /// does not visit it (default: the accounts file's `territory` column).
    #[arg(long, value_name = "FILE")]
    assignment: Option<PathBuf>,
    /// Reps away, as for `routes`.
    #[arg(long, value_name = "FILE")]
    absences: Option<PathBuf>,
    /// Public holidays, as for `routes`.
    #[arg(long, value_name = "FILE")]
    holidays: Option<PathBuf>,
    /// Book the N-th offer (from 1): write the routes folder with only that
    /// day re-planned to --out, the bookings with the new one to
    /// --out/appointments.csv and, when the slot is with another rep than
    /// the account's, --assignment with the account handed to that rep to
    /// --out/assignment.csv (the inputs stay as they are).
    #[arg(long, value_name = "N", requires = "out")]
    book: Option<usize>,
    /// The bookings file the plan was made with, extended by --book.
    #[arg(long, value_name = "FILE", requires = "book")]
    appointments: Option<PathBuf>,
    /// Folder to write with --book (a new folder; the routes folder stays).
    #[arg(long, value_name = "DIR", requires = "book")]
    out: Option<PathBuf>,
    /// Offers to list.
    #[arg(long, value_name = "N", default_value_t = 5)]
    top: usize,
    /// Added travel minutes under which a slot is green.
    #[arg(long, value_name = "MIN", default_value_t = DetourBands::default().green)]
    green: f64,
    /// Added travel minutes under which a slot is amber (red above).
    #[arg(long, value_name = "MIN", default_value_t = DetourBands::default().amber)]
    amber: f64,
    #[command(flatten)]
    road: RoadArgs,
    /// Road distance over straight-line distance (as the routes were planned).
    #[arg(long, value_name = "X", default_value_t = 1.3)]
    circuity: f64,
    /// Average driving speed, km/h (as the routes were planned).
    #[arg(long, value_name = "KMH", default_value_t = 30.0)]
    speed: f64,
    #[command(flatten)]
    read: ReadFlags,
    #[command(flatten)]
    pub chatter: Chatter,
}

pub(crate) fn run(args: SlotsArgs) -> Result<(), Failure> {
    let progress = StderrProgress::new(args.chatter);
    let read_options = args.read.options()?;
    if !(args.green >= 0.0 && args.amber >= args.green && args.amber.is_finite()) {
        return Err(Failure::Input(format!(
            "--green {} and --amber {} must be minutes with green ≤ amber",
            args.green, args.amber
        )));
    }
    let straight = crate::road_args::straight_line(args.circuity, args.speed)?;
    if args.duration == Some(0) || args.duration.is_some_and(|d| d > 24 * 60) {
        return Err(Failure::Input(
            "--duration must be between 1 and 1440 minutes".into(),
        ));
    }
    if let Some(out) = &args.out {
        let mut inputs: Vec<PathBuf> = vec![
            args.accounts.clone(),
            args.reps.clone(),
            args.routes.join("summary.json"),
            args.routes.join("visits.csv"),
        ];
        inputs.extend(
            [
                &args.assignment,
                &args.absences,
                &args.holidays,
                &args.appointments,
            ]
            .into_iter()
            .flatten()
            .cloned(),
        );
        if out == &args.routes {
            return Err(Failure::Input(format!(
                "--out {} is the --routes folder: a booking is written to a new folder, the plan stays",
                out.display()
            )));
        }
        let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
        check_output(out, OutputKind::Folder, &inputs)?;
        territory_formats::check_replaces_own(out, &["routes"])?;
    }
    if args.book.is_some() && args.account.is_none() {
        return Err(Failure::Input(
            "--book needs --account ID: add the new account to the accounts file first, so the bookings and the assignment can name it".into(),
        ));
    }
    if args.top == 0 {
        return Err(Failure::Input("--top must be at least 1".into()));
    }
    if args.book == Some(0) {
        return Err(Failure::Input("--book counts offers from 1".into()));
    }
    territory::Progress::phase(&progress, "reading input");
    let mut accounts = read_accounts(&args.accounts, &read_options)?.accounts;
    let mut reps = read_reps(&args.reps, &read_options)?;
    let summary_path = args.routes.join("summary.json");
    let text = std::fs::read_to_string(&summary_path).map_err(|e| {
        Failure::Input(format!(
            "{}: cannot read ({e}); --routes needs a folder written by `territory routes`",
            summary_path.display()
        ))
    })?;
    let routes: RoutesSummary = serde_json::from_str(&text).map_err(|e| {
        Failure::Input(format!(
            "{}: not a routes summary of this version: {e}",
            summary_path.display()
        ))
    })?;
    // Part-time reps work the weeks the routes were planned on, not reps.csv's.
    for p in &routes.part_time {
        let rep = reps.iter_mut().find(|r| r.id == p.rep).ok_or_else(|| {
            Failure::Input(format!(
                "{}: part_time names rep '{}', which is not in {}",
                summary_path.display(),
                p.rep,
                args.reps.display()
            ))
        })?;
        let end = territory::model::parse_clock(&p.end).ok_or_else(|| {
            Failure::Input(format!(
                "{}: part_time end '{}' of rep '{}' is not HH:MM",
                summary_path.display(),
                p.end,
                p.rep
            ))
        })?;
        rep.days = p.days.clone();
        rep.end = end.max(rep.start + 1);
    }
    // A new account goes last, so the plan's indices stay as they are.
    let target = match (&args.account, args.lat, args.lon) {
        (Some(id), _, _) => accounts.iter().position(|a| &a.id == id).ok_or_else(|| {
            Failure::Input(format!(
                "--account '{id}' is not in {}",
                args.accounts.display()
            ))
        })?,
        (None, Some(lat), Some(lon)) => {
            let location = Location::new(lat, lon);
            if !location.is_valid() {
                return Err(Failure::Input(format!(
                    "--lat {lat} --lon {lon} is not a valid WGS84 position"
                )));
            }
            let mut a = Account::new("new-account", location);
            if let Some(w) = &args.windows {
                a.windows = parse_windows(w).ok_or_else(|| {
                    Failure::Input(format!(
                        "--windows '{w}' is not like 08:00-12:00;13:00-16:00"
                    ))
                })?;
            }
            if let Some(d) = &args.days {
                a.days = parse_days(d).ok_or_else(|| {
                    Failure::Input(format!("--days '{d}' is not like mon,wed or mon-fri"))
                })?;
            }
            a.status = territory::Status::Prospect;
            accounts.push(a);
            accounts.len() - 1
        }
        _ => {
            return Err(Failure::Input(
                "give --account ID, or --lat and --lon".into(),
            ))
        }
    };
    let account_ids: Vec<&str> = accounts.iter().map(|a| a.id.as_str()).collect();
    let rep_ids: Vec<&str> = reps.iter().map(|r| r.id.as_str()).collect();
    let previous = read_previous_routes(&args.routes, &account_ids, &rep_ids)?;
    let plan = &previous.plan;
    let date = |flag: &str, text: &Option<String>, default| match text {
        Some(t) => parse_iso_date(t)
            .ok_or_else(|| Failure::Input(format!("{flag} '{t}' is not a date like 2027-01-04"))),
        None => Ok(default),
    };
    let from = date("--from", &args.from, plan.start)?;
    let to = date("--to", &args.to, plan.end - chrono::Days::new(1))?;
    if to < from {
        return Err(Failure::Input(format!("--to {to} is before --from {from}")));
    }
    let absences = match &args.absences {
        Some(p) => read_absences(p, &read_options, &rep_ids)?,
        None => Vec::new(),
    };
    let holidays = match &args.holidays {
        Some(p) => read_holidays(p, &read_options)?,
        None => Vec::new(),
    };
    let lunch = routes
        .parameters
        .lunch
        .as_deref()
        .map(parse_lunch)
        .transpose()?;
    // The account's own rep: the one whose plan visits it, else the assignment.
    let planned_by = plan
        .visits
        .iter()
        .find(|v| v.account == Some(target))
        .and_then(|v| v.rep);
    let assigned = match &args.assignment {
        Some(p) => read_assignment(p, &read_options, &account_ids, &rep_ids)?
            .get(target)
            .copied()
            .flatten(),
        None => accounts[target]
            .territory
            .as_deref()
            .and_then(|t| rep_ids.iter().position(|r| *r == t)),
    };
    let candidates: Vec<usize> = if args.reps_allowed.is_empty() {
        nearest_reps(
            &reps,
            accounts[target].location,
            planned_by.or(assigned),
            DEFAULT_REPS,
        )
    } else {
        args.reps_allowed
            .iter()
            .map(|id| {
                rep_ids.iter().position(|r| r == id).ok_or_else(|| {
                    Failure::Input(format!(
                        "--reps-allowed '{id}' is not a rep of {}",
                        args.reps.display()
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .fold(Vec::new(), |mut seen, r| {
                if !seen.contains(&r) {
                    seen.push(r);
                }
                seen
            })
    };
    let net = args.road.network(&progress)?;
    let road = net.as_ref().map(|n| args.road.travel(n));
    let travel: &dyn TravelModel = match &road {
        Some(r) => r,
        None => &straight,
    };
    let described = match &net {
        Some(n) => args.road.describe(n),
        None => format!("straight line ×{} at {} km/h", args.circuity, args.speed),
    };
    if described != routes.parameters.travel {
        progress.warn(&format!(
            "the routes were planned with {}, the slots use {described}: the quoted detours follow the slots' travel",
            routes.parameters.travel
        ));
    }
    let workload = WorkloadModel {
        circuity: args.circuity,
        speed_kmh: args.speed,
        ..WorkloadModel::default()
    };
    territory::Progress::phase(&progress, "finding slots");
    let request = SlotRequest {
        accounts: &accounts,
        reps: &reps,
        workload: &workload,
        plan,
        account: target,
        duration_min: args.duration,
        from,
        to,
        candidates: &candidates,
        absences: &absences,
        holidays: &holidays,
        lunch,
        top: args.top,
        bands: DetourBands {
            green: args.green,
            amber: args.amber,
        },
    };
    let answer = slots(&request, travel).map_err(|e| match e {
        territory_routing::schedule::ScheduleError::NoBase { .. } => {
            Failure::Input(format!("{}: {e}", args.reps.display()))
        }
        other => Failure::Internal(other.to_string()),
    })?;
    let duration = args
        .duration
        .map_or_else(|| workload.service_min(&accounts[target]).ceil(), f64::from);
    let out = SlotsSummary::new(
        account_ids[target],
        duration,
        (from, to),
        &reps,
        &candidates,
        &account_ids,
        &answer,
    );
    if let (Some(n), Some(dir)) = (args.book, &args.out) {
        let offer = answer.slots.get(n - 1).ok_or_else(|| {
            Failure::Input(format!(
                "--book {n}: {} slots were offered{}",
                answer.slots.len(),
                out.reason
                    .as_ref()
                    .map_or(String::new(), |r| format!(" ({r})"))
            ))
        })?;
        check_bookable(
            &args, &previous, &routes, &described, target, offer.rep, &rep_ids,
        )?;
        territory::Progress::phase(&progress, "booking");
        let days = book_slot(&request, offer, travel).map_err(|e| Failure::Input(e.to_string()))?;
        let booking = Booking {
            account: account_ids[target],
            date: offer.date,
            start: offer.start,
            duration: offer.end - offer.start,
        };
        let files = booked_folder(
            &accounts, &reps, days, &routes, &previous, &booking, &progress,
        )?;
        let mut files = files;
        files.push((
            "appointments.csv".into(),
            with_booking(args.appointments.as_deref(), &booking)?,
        ));
        // Bookings stay with the account's owner: a slot with another rep
        // hands the account to that rep, in a copy of the assignment.
        let owner = planned_by.or(assigned);
        if owner != Some(offer.rep) {
            let Some(path) = &args.assignment else {
                return Err(Failure::Input(format!(
                    "--book {n}: the slot is with {}, but the account's rep is {}; give --assignment FILE so the booked folder can carry the account's new rep (or --reps-allowed to offer only its own)",
                    rep_ids[offer.rep],
                    owner.map_or("none", |o| rep_ids[o])
                )));
            };
            files.push((
                "assignment.csv".into(),
                with_owner(path, booking.account, rep_ids[offer.rep])?,
            ));
        }
        write_files_atomically(dir, &files)
            .map_err(|e| Failure::Internal(format!("cannot write {}: {e}", dir.display())))?;
    }
    if args.chatter.json {
        print_json(&out)?;
    }
    let mut lines = vec![format!(
        "slots for {} ({} min) from {from} to {to}, reps {}: {} rep-days tried",
        out.account,
        out.duration_min,
        out.reps.join(", "),
        out.days_tried
    )];
    for (k, s) in out.slots.iter().enumerate() {
        lines.push(format!(
            "  {}. {} {} {} {}-{}  +{:.0} min travel ({})  between {} and {}, back {} (day ends {})",
            k + 1,
            s.rep,
            s.weekday,
            s.date,
            s.start,
            s.end,
            s.added_travel_min,
            s.band,
            s.between[0].as_deref().unwrap_or("base"),
            s.between[1].as_deref().unwrap_or("base"),
            s.back,
            s.day_end
        ));
    }
    if let Some(reason) = &out.reason {
        lines.push(format!("  no slot: {reason}"));
    }
    progress.done(&lines.join("\n"));
    Ok(())
}

/// A visit booked from an offer.
struct Booking<'a> {
    account: &'a str,
    date: chrono::NaiveDate,
    start: u32,
    duration: u32,
}

/// The routes folder's files with the booked day re-planned: figures
/// recounted from the days, the plan's lists carried over (no other visit
/// changed) less the booked account where it fell short.
fn booked_folder(
    accounts: &[Account],
    reps: &[territory::Rep],
    days: Vec<RepDay>,
    routes: &RoutesSummary,
    previous: &PreviousRoutes,
    booking: &Booking<'_>,
    progress: &StderrProgress,
) -> Result<Vec<(String, Vec<u8>)>, Failure> {
    // Optional visits (`routes --fill`) stay out of the due visits' count.
    let scheduled: usize = days.iter().map(|d| d.stops.len()).sum::<usize>() - routes.filled.len();
    let kept = days
        .iter()
        .flat_map(|d| &d.stops)
        .filter(|s| s.appointment)
        .count();
    let visits_now = days
        .iter()
        .flat_map(|d| &d.stops)
        .filter(|s| accounts[s.account].id == booking.account)
        .count();
    // The account's due visits: as the plan counted them, or its visits now.
    let due_before = routes
        .unscheduled
        .iter()
        .find(|u| u.account == booking.account)
        .map_or(visits_now - 1, |u| u.due);
    let schedule = Schedule {
        days,
        unscheduled: Vec::new(),
        not_due: Vec::new(),
        overdue: Vec::new(),
        due_visits: routes.totals.due_visits - due_before + due_before.max(visits_now),
        scheduled_visits: scheduled,
        appointments_kept: kept,
        appointments_outside: routes.totals.appointments_outside_horizon,
        iterations: 0,
        frozen_days: 0,
        changes: Vec::new(),
        stretches: Vec::new(),
        filled: Vec::new(),
        part_time: Vec::new(),
    };
    let mut summary = RoutesSummary::new(
        accounts,
        reps,
        &schedule,
        routes.parameters.clone(),
        progress.elapsed_ms(),
    );
    summary.timings = progress.timings();
    summary.part_time = routes.part_time.clone();
    let short = |u: &territory_formats::UnscheduledRecord| {
        u.account != booking.account || u.due > visits_now
    };
    summary.unscheduled = routes
        .unscheduled
        .iter()
        .filter(|u| short(u))
        .cloned()
        .collect();
    summary.not_due_in_horizon = routes
        .not_due_in_horizon
        .iter()
        .filter(|u| u.account != booking.account)
        .cloned()
        .collect();
    summary.overdue = routes.overdue.clone();
    summary.stretched = routes.stretched.clone();
    summary.filled = routes.filled.clone();
    summary.unassigned = routes.unassigned.clone();
    summary.warnings = vec![format!(
        "booked {} on {} at {} for {} min; only that rep-day was planned again",
        booking.account,
        booking.date,
        territory_formats::clock(booking.start as f64),
        booking.duration
    )];
    routes_files(
        accounts,
        reps,
        &schedule,
        &summary,
        None,
        Some(previous),
        crate::routes_cmd::calendar_stamp(),
    )
    .map_err(|e| Failure::Internal(format!("cannot lay out the routes folder: {e}")))
}

/// The bookings file with the new booking appended in its own columns (a
/// new file with the standard header without one).
fn with_booking(file: Option<&Path>, booking: &Booking<'_>) -> Result<Vec<u8>, Failure> {
    let (headers, mut bytes) = match file {
        Some(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| Failure::Input(format!("{}: cannot read: {e}", path.display())))?;
            let headers: Vec<String> = csv::Reader::from_reader(bytes.as_slice())
                .headers()
                .map_err(|e| Failure::Input(format!("{}: {e}", path.display())))?
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .collect();
            (headers, bytes)
        }
        None => {
            let headers: Vec<String> = ["account", "date", "time", "duration_min"]
                .map(String::from)
                .to_vec();
            let line = headers.join(",") + "\n";
            (headers, line.into_bytes())
        }
    };
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let row: Vec<String> = headers
        .iter()
        .map(|h| match h.as_str() {
            "account" => booking.account.to_string(),
            "date" => booking.date.to_string(),
            "time" => territory_formats::clock(booking.start as f64),
            "duration_min" => booking.duration.to_string(),
            _ => String::new(),
        })
        .collect();
    w.write_record(&row)
        .map_err(|e| Failure::Internal(format!("cannot write the booking: {e}")))?;
    bytes.extend(
        w.into_inner()
            .map_err(|e| Failure::Internal(e.to_string()))?,
    );
    Ok(bytes)
}

/// The assignment file with `account` given to `rep` (its row changed, or
/// a row added), every other byte as it was.
fn with_owner(path: &Path, account: &str, rep: &str) -> Result<Vec<u8>, Failure> {
    let bad = |e: String| Failure::Input(format!("{}: {e}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read: {e}")))?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or_else(|| bad(format!("no `{name}` column")))
    };
    let (a, t) = (col("account")?, col("territory")?);
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Failure::Internal(format!("cannot write the assignment: {e}"));
    w.write_record(&headers).map_err(fail)?;
    let mut found = false;
    for row in reader.records() {
        let row = row.map_err(|e| bad(e.to_string()))?;
        if row.get(a) == Some(account) {
            found = true;
            let fields: Vec<&str> = row
                .iter()
                .enumerate()
                .map(|(k, f)| if k == t { rep } else { f })
                .collect();
            w.write_record(&fields).map_err(fail)?;
        } else {
            w.write_record(&row).map_err(fail)?;
        }
    }
    if !found {
        let fields: Vec<&str> = (0..headers.len())
            .map(|k| match k {
                _ if k == a => account,
                _ if k == t => rep,
                _ => "",
            })
            .collect();
        w.write_record(&fields).map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Failure::Internal(format!("cannot write the assignment: {e}")))
}

/// What `--book` needs before it writes: the folder's own travel, every
/// bookings it holds, a `visits.csv` whose rows all name known accounts and
/// reps (numbered 1.. per day, each UID once), and, for a slot with another
/// rep, an account the plan does not already visit with its own rep.
fn check_bookable(
    args: &SlotsArgs,
    previous: &PreviousRoutes,
    routes: &RoutesSummary,
    described: &str,
    target: usize,
    rep: usize,
    rep_ids: &[&str],
) -> Result<(), Failure> {
    let visits = args.routes.join("visits.csv");
    if described != routes.parameters.travel {
        return Err(Failure::Input(format!(
            "--book needs the travel the folder was planned with ({}), not {described}: only the booked day may change",
            routes.parameters.travel
        )));
    }
    let booked = previous.records.iter().filter(|r| r.appointment).count();
    if booked > 0 && args.appointments.is_none() {
        return Err(Failure::Input(format!(
            "--book: {} holds {booked} booked visits; give --appointments FILE (the bookings it was planned with) so the new bookings file keeps them",
            args.routes.display()
        )));
    }
    let mut uids = std::collections::HashSet::new();
    let mut last: Option<(&str, chrono::NaiveDate, usize)> = None;
    for (k, (record, visit)) in previous
        .records
        .iter()
        .zip(&previous.plan.visits)
        .enumerate()
    {
        let line = k + 2;
        let bad = |what: String| Failure::Input(format!("{}:{line}: {what}", visits.display()));
        if visit.account.is_none() {
            return Err(bad(format!(
                "account '{}' is not in {}",
                record.account,
                args.accounts.display()
            )));
        }
        if visit.rep.is_none() {
            return Err(bad(format!(
                "rep '{}' is not in {}",
                record.rep,
                args.reps.display()
            )));
        }
        if !record.visit_id.is_empty() && !uids.insert(record.visit_id.as_str()) {
            return Err(bad(format!("visit_id '{}' occurs twice", record.visit_id)));
        }
        let expected = match last {
            Some((r, d, n)) if r == record.rep && d == record.date => n + 1,
            _ => 1,
        };
        if record.sequence != expected {
            return Err(bad(format!(
                "sequence {} where {expected} was expected (the day's visits are numbered 1, 2, …)",
                record.sequence
            )));
        }
        last = Some((record.rep.as_str(), record.date, record.sequence));
    }
    let own: Vec<usize> = previous
        .plan
        .visits
        .iter()
        .filter(|v| v.account == Some(target))
        .filter_map(|v| v.rep)
        .collect();
    if let Some(&other) = own.iter().find(|&&r| r != rep) {
        return Err(Failure::Input(format!(
            "--book: the slot is with {}, but {} already visits the account in this plan; book with it (--reps-allowed {})",
            rep_ids[rep], rep_ids[other], rep_ids[other]
        )));
    }
    Ok(())
}
