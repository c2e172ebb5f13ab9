//! The routes folder: `visits.csv`, `routes.geojson`, `calendars/REP.ics` and
//! `summary.json`.

use std::path::Path;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use territory::model::parse_clock;
use territory::{Account, Location, Rep};
use territory_routing::schedule::{available_min, calendar::weekday, fnv1a, RepDay, Schedule};

use crate::output::write_files_atomically;

/// Settings echoed in the summary.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RoutesParameters {
    /// First day of the horizon.
    pub start: NaiveDate,
    /// Weeks planned.
    pub weeks: u32,
    /// Travel model, e.g. `straight-line ×1.3 at 30 km/h`.
    pub travel: String,
    /// Lunch break, e.g. `12:00-13:30/30`, if any.
    pub lunch: Option<String>,
    /// Whether reps of one office shared their accounts.
    pub share_office: bool,
    /// `horizon` or `anchored` (see `territory routes --help`).
    pub cadence: String,
    /// `fewer-days`, `shorter-days` or `as-given` (`routes --part-time`);
    /// absent in summaries written before it existed.
    #[serde(default)]
    pub part_time: Option<String>,
    /// Seed.
    pub seed: u64,
    /// Iterations per rep requested (`None`: automatic).
    pub iterations: Option<usize>,
    /// The inputs beyond accounts and reps that shaped the plan, as given
    /// (`--appointments`, `--absences`, `--holidays`, `--history`,
    /// `--previous`), so a reader knows what the figures rest on.
    #[serde(default)]
    pub inputs: RoutesInputs,
}

/// The optional inputs of a routes run (paths as given on the command line).
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RoutesInputs {
    /// Bookings file.
    pub appointments: Option<String>,
    /// Absences file.
    pub absences: Option<String>,
    /// Public holidays file.
    pub holidays: Option<String>,
    /// Visit history file.
    pub history: Option<String>,
    /// Earlier routes folder re-planned from.
    pub previous: Option<String>,
    /// Working days kept from it.
    pub freeze_days: u32,
    /// `--fill` (`prospects` or a column), if any.
    pub fill: Option<String>,
    /// `--fill-max` (0: no cap).
    pub fill_max: usize,
    /// Whether a shortage was shared by the accounts' rhythm (not `--no-stretch`).
    pub stretch: bool,
}

/// Totals over all reps.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RoutesTotals {
    /// Visits due in the horizon (appointments included).
    pub due_visits: usize,
    /// Visits scheduled.
    pub scheduled_visits: usize,
    /// Visits due but not scheduled.
    pub unscheduled_visits: usize,
    /// Appointments kept at their booked time.
    pub appointments_kept: usize,
    /// Appointments outside the horizon (skipped).
    pub appointments_outside_horizon: usize,
    /// Travel minutes (legs rounded up to whole minutes, as on the calendar).
    pub travel_min: f64,
    /// Travel kilometres.
    pub travel_km: f64,
    /// Minutes on duty (departure to return, less lunch).
    pub work_min: f64,
    /// Rep-days with at least one visit.
    pub days_with_visits: usize,
    /// Balance of working minutes over the rep-days with visits.
    pub day_length: Spread,
    /// Search iterations run.
    pub iterations: usize,
}

/// Mean, standard deviation and range of a quantity.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Spread {
    /// Mean.
    pub mean: f64,
    /// Standard deviation.
    pub std: f64,
    /// Smallest.
    pub min: f64,
    /// Largest.
    pub max: f64,
}

impl Spread {
    /// The engine's spread, rounded for the summary.
    fn of(values: &[f64]) -> Self {
        let s = territory_routing::schedule::Spread::of(values);
        Self {
            mean: round1(s.mean),
            std: round1(s.std),
            min: s.min,
            max: s.max,
        }
    }
}

/// One rep-day in the summary.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DaySummary {
    /// Date.
    pub date: NaiveDate,
    /// Weekday (`mon`…`sun`).
    pub weekday: String,
    /// Visits.
    pub visits: usize,
    /// Departure from the base, `HH:MM` (empty days: none).
    pub depart: Option<String>,
    /// Return to the base.
    pub back: Option<String>,
    /// Lunch break `HH:MM-HH:MM`.
    pub lunch: Option<String>,
    /// Travel minutes.
    pub travel_min: f64,
    /// Travel kilometres.
    pub travel_km: f64,
    /// Minutes on duty.
    pub work_min: f64,
    /// Minutes on duty over the working day's length.
    pub utilisation: f64,
    /// Working hours of the day, `HH:MM-HH:MM` (shorter than the rep's on a
    /// part-day absence).
    pub hours: String,
    /// The visits in order.
    pub stops: Vec<StopSummary>,
}

/// One visit of a day, as `--json` and `summary.json` carry it.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StopSummary {
    /// Account id.
    pub account: String,
    /// Arrival, `HH:MM`.
    pub arrival: String,
    /// Start of the visit (after any wait for the window), `HH:MM`.
    pub start: String,
    /// Departure, `HH:MM`.
    pub departure: String,
    /// Travel minutes from the previous stop (or the base).
    pub travel_min: f64,
    /// Travel kilometres from the previous stop (or the base).
    pub travel_km: f64,
    /// Whether the visit is a booked appointment.
    pub appointment: bool,
}

/// One rep in the summary.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RepSummary {
    /// Rep id.
    pub rep: String,
    /// Name.
    pub name: Option<String>,
    /// Visits scheduled.
    pub visits: usize,
    /// Travel minutes.
    pub travel_min: f64,
    /// Travel kilometres.
    pub travel_km: f64,
    /// Minutes on duty.
    pub work_min: f64,
    /// Minutes on duty over the working time available.
    pub utilisation: f64,
    /// Each working day.
    pub days: Vec<DaySummary>,
}

/// An account with fewer visits than due.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UnscheduledRecord {
    /// Account id.
    pub account: String,
    /// Rep id.
    pub rep: String,
    /// Visits due.
    pub due: usize,
    /// Visits scheduled.
    pub scheduled: usize,
    /// Stable reason code.
    pub reason_code: String,
    /// Reason in words.
    pub reason: String,
}

/// An account late at the start of the horizon (from `--history`).
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OverdueRecord {
    /// Account id.
    pub account: String,
    /// Rep id.
    pub rep: String,
    /// When the visit was due.
    pub due: NaiveDate,
    /// Days late on the first day of the horizon.
    pub days_overdue: i64,
}

/// A rep whose days could not hold every due visit (with `--history`), and
/// how much its accounts' intervals stretch while that lasts.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StretchRecord {
    /// Rep id.
    pub rep: String,
    /// Visits due over visits planned: the factor the rep's visit intervals
    /// lengthen by while the shortage lasts (1.25: weekly becomes about
    /// every 8.75 days).
    pub factor: f64,
    /// Visits due in the horizon.
    pub due_visits: usize,
    /// Visits planned.
    pub scheduled_visits: usize,
    /// Visits that found no room (their accounts are in `unscheduled`, reason `no_room`).
    pub short_visits: usize,
    /// Accounts with a visit left out.
    pub accounts_short: usize,
}

/// A part-time rep whose week was cut to its capacity (`routes --part-time`).
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PartTimeRecord {
    /// Rep id.
    pub rep: String,
    /// The rep's capacity.
    pub capacity: f64,
    /// Working days planned (the reps file's days were `days_before`).
    pub days: Vec<territory::Weekday>,
    /// Working days in the reps file.
    pub days_before: Vec<territory::Weekday>,
    /// End of the working day planned, HH:MM.
    pub end: String,
    /// End of the working day in the reps file, HH:MM.
    pub end_before: String,
    /// Working hours per week planned.
    pub week_hours: f64,
    /// Working hours per week in the reps file.
    pub week_hours_before: f64,
}

/// An optional visit added where a day had room (`routes --fill`).
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FilledRecord {
    /// Account id.
    pub account: String,
    /// Rep id.
    pub rep: String,
    /// Day of the visit.
    pub date: NaiveDate,
    /// Travel minutes it added to the day.
    pub added_travel_min: f64,
    /// Its priority (1 for `--fill prospects`, else the column's value).
    pub priority: f64,
}

/// What `summary.json` holds (and `--json` prints).
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RoutesSummary {
    /// `routes`.
    pub command: String,
    /// Version of the tool.
    pub version: String,
    /// Settings.
    pub parameters: RoutesParameters,
    /// Totals.
    pub totals: RoutesTotals,
    /// Per rep and day.
    pub reps: Vec<RepSummary>,
    /// Accounts short of their due visits, or with a booking not kept, with
    /// reasons: empty when everything due is planned.
    pub unscheduled: Vec<UnscheduledRecord>,
    /// Accounts with a visit frequency but no visit due in this horizon
    /// (reason `not_due_in_horizon`); not an alarm.
    pub not_due_in_horizon: Vec<UnscheduledRecord>,
    /// Accounts the history made due before the horizon began.
    pub overdue: Vec<OverdueRecord>,
    /// Reps whose days could not hold every due visit, with the factor
    /// their accounts' intervals stretch by (with `--history`; empty when
    /// every rep's days hold its due visits).
    #[serde(default)]
    pub stretched: Vec<StretchRecord>,
    /// Optional visits added where days had room (`--fill`), not counted in
    /// `totals.scheduled_visits`; empty without `--fill`.
    #[serde(default)]
    pub filled: Vec<FilledRecord>,
    /// Part-time reps whose week was cut to their capacity; the slots of
    /// inside sales follow the same weeks. Empty when none was cut.
    #[serde(default)]
    pub part_time: Vec<PartTimeRecord>,
    /// Against the earlier plan (`--previous`): frozen days and every
    /// visit moved or dropped, with its reason; absent without one.
    #[serde(default)]
    pub replan: Option<crate::ReplanSummary>,
    /// Ids of input accounts that no rep owns (no territory in the
    /// assignment), so nothing was planned for them.
    pub unassigned: Vec<String>,
    /// Wall time of the whole command in milliseconds.
    pub elapsed_ms: u64,
    /// Wall time per phase, in order.
    pub timings: Vec<crate::PhaseTiming>,
    /// Things worth checking (e.g. accounts far from any road).
    pub warnings: Vec<String>,
}

/// Vertices `(lon, lat)` of the path from one location to another (e.g.
/// along the roads), or `None` for a straight segment.
pub type PathFn<'a> = dyn Fn(Location, Location) -> Option<Vec<[f64; 2]>> + 'a;

impl RoutesSummary {
    /// Collects the summary of a schedule.
    pub fn new(
        accounts: &[Account],
        reps: &[Rep],
        schedule: &Schedule,
        parameters: RoutesParameters,
        elapsed_ms: u64,
    ) -> Self {
        // The figures come from the engine; the summary rounds and formats.
        let figures = schedule.rep_figures();
        let mut rep_summaries: Vec<RepSummary> = figures
            .iter()
            .map(|f| RepSummary {
                rep: reps[f.rep].id.clone(),
                name: reps[f.rep].name.clone(),
                visits: f.visits,
                travel_min: round1(f.travel_min),
                travel_km: round3(f.travel_km),
                work_min: round1(f.work_min),
                utilisation: round3(f.utilisation),
                days: Vec::new(),
            })
            .collect();
        let mut at = 0;
        for day in &schedule.days {
            // Days come grouped by rep, in the figures' order.
            while at + 1 < figures.len() && figures[at].rep != day.rep {
                at += 1;
            }
            let busy = !day.stops.is_empty();
            rep_summaries[at].days.push(DaySummary {
                date: day.date,
                weekday: weekday(day.date).as_str().to_string(),
                visits: day.stops.len(),
                depart: busy.then(|| clock(day.depart)),
                back: busy.then(|| clock(day.back)),
                lunch: day.lunch.map(|(a, b)| format!("{}-{}", clock(a), clock(b))),
                travel_min: round1(day.travel_min()),
                travel_km: round3(day.travel_km()),
                work_min: round1(day.work_min()),
                utilisation: round3(day.work_min() / available_min(day)),
                hours: format!(
                    "{}-{}",
                    clock(day.hours.0 as f64),
                    clock(day.hours.1 as f64)
                ),
                stops: day
                    .stops
                    .iter()
                    .map(|s| StopSummary {
                        account: accounts[s.account].id.clone(),
                        arrival: clock(s.arrival),
                        start: clock(s.start),
                        departure: clock(s.departure),
                        travel_min: round1(s.travel_min),
                        travel_km: round3(s.travel_km),
                        appointment: s.appointment,
                    })
                    .collect(),
            });
        }
        let busy = schedule.busy_day_lengths();
        let record = |u: &territory_routing::schedule::Unscheduled| UnscheduledRecord {
            account: accounts[u.account].id.clone(),
            rep: reps[u.rep].id.clone(),
            due: u.due,
            scheduled: u.scheduled,
            reason_code: u.reason.code().to_string(),
            reason: u.reason.to_string(),
        };
        let unscheduled: Vec<UnscheduledRecord> = schedule.unscheduled.iter().map(record).collect();
        let not_due_in_horizon: Vec<UnscheduledRecord> =
            schedule.not_due.iter().map(record).collect();
        Self {
            command: "routes".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            parameters,
            totals: RoutesTotals {
                due_visits: schedule.due_visits,
                scheduled_visits: schedule.scheduled_visits,
                unscheduled_visits: schedule
                    .due_visits
                    .saturating_sub(schedule.scheduled_visits),
                appointments_kept: schedule.appointments_kept,
                appointments_outside_horizon: schedule.appointments_outside,
                travel_min: round1(schedule.travel_min()),
                travel_km: round3(schedule.travel_km()),
                work_min: round1(busy.iter().sum()),
                days_with_visits: busy.len(),
                day_length: Spread::of(&busy),
                iterations: schedule.iterations,
            },
            reps: rep_summaries,
            unscheduled,
            not_due_in_horizon,
            overdue: schedule
                .overdue
                .iter()
                .map(|o| OverdueRecord {
                    account: accounts[o.account].id.clone(),
                    rep: reps[o.rep].id.clone(),
                    due: o.due,
                    days_overdue: o.days_overdue,
                })
                .collect(),
            filled: schedule
                .filled
                .iter()
                .map(|f| FilledRecord {
                    account: accounts[f.account].id.clone(),
                    rep: reps[f.rep].id.clone(),
                    date: f.date,
                    added_travel_min: round1(f.added_travel_min),
                    priority: f.priority,
                })
                .collect(),
            part_time: schedule
                .part_time
                .iter()
                .map(|p| PartTimeRecord {
                    rep: reps[p.rep].id.clone(),
                    capacity: p.capacity,
                    days: p.days.clone(),
                    days_before: p.days_before.clone(),
                    end: clock(p.end as f64),
                    end_before: clock(p.end_before as f64),
                    week_hours: round1(p.week_min as f64 / 60.0),
                    week_hours_before: round1(p.week_min_before as f64 / 60.0),
                })
                .collect(),
            stretched: schedule
                .stretches
                .iter()
                .map(|s| StretchRecord {
                    rep: reps[s.rep].id.clone(),
                    factor: round3(s.factor),
                    due_visits: s.due,
                    scheduled_visits: s.scheduled,
                    short_visits: s.short,
                    accounts_short: s.accounts_short,
                })
                .collect(),
            elapsed_ms,
            timings: Vec::new(),
            replan: None,
            unassigned: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

/// Writes the routes folder atomically; route lines follow `path` when given,
/// calendar UIDs continue `previous`, and `stamp` is the calendars' `DTSTAMP`.
#[allow(clippy::too_many_arguments)]
pub fn write_routes(
    dir: &Path,
    accounts: &[Account],
    reps: &[Rep],
    schedule: &Schedule,
    summary: &RoutesSummary,
    path: Option<&PathFn<'_>>,
    previous: Option<&crate::PreviousRoutes>,
    stamp: chrono::DateTime<chrono::Utc>,
) -> std::io::Result<()> {
    let files = routes_files(accounts, reps, schedule, summary, path, previous, stamp)?;
    write_files_atomically(dir, &files)
}

/// The files of a routes folder (name relative to the folder, bytes), as
/// [`write_routes`] writes them, for a caller that adds its own.
pub fn routes_files(
    accounts: &[Account],
    reps: &[Rep],
    schedule: &Schedule,
    summary: &RoutesSummary,
    path: Option<&PathFn<'_>>,
    previous: Option<&crate::PreviousRoutes>,
    stamp: chrono::DateTime<chrono::Utc>,
) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let ids = visit_ids(accounts, reps, schedule, previous);
    let mut files = vec![
        (
            "visits.csv".to_string(),
            visits_csv(accounts, reps, schedule, &ids)?,
        ),
        (
            "routes.geojson".to_string(),
            crate::to_json_bytes(&routes_geojson(accounts, reps, schedule, path)),
        ),
        ("summary.json".to_string(), crate::to_json_bytes(summary)),
    ];
    let mut seen = std::collections::HashSet::new();
    for (r, rep) in reps.iter().enumerate() {
        let days: Vec<(&RepDay, &Vec<(String, u32)>)> = schedule
            .days
            .iter()
            .zip(&ids)
            .filter(|(d, _)| d.rep == r)
            .collect();
        // Earlier visits of this rep dropped by the re-plan, or handed to
        // another rep: cancelled events.
        let dropped: Vec<&VisitRecord> = previous.map_or_else(Vec::new, |p| {
            schedule
                .changes
                .iter()
                .filter(|c| c.to.is_none_or(|(to, _)| reps[to].id != rep.id))
                .map(|c| &p.records[c.previous])
                .filter(|v| v.rep == rep.id)
                .collect()
        });
        if days.is_empty() && dropped.is_empty() {
            continue;
        }
        let mut name = file_name(&rep.id);
        while !seen.insert(name.clone()) {
            name.push('_');
        }
        files.push((
            format!("calendars/{name}.ics"),
            ics(accounts, rep, &days, &dropped, stamp).into_bytes(),
        ));
    }
    Ok(files)
}

/// One row of `visits.csv`, as [`write_routes`] writes it (for readers such
/// as the report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitRecord {
    /// Rep id.
    pub rep: String,
    /// Date, `YYYY-MM-DD`.
    pub date: NaiveDate,
    /// Position in the day, from 1.
    pub sequence: usize,
    /// Account id.
    pub account: String,
    /// Account name (may be empty).
    pub name: String,
    /// Arrival, `HH:MM`.
    pub arrival: String,
    /// Start of service, `HH:MM`.
    pub start: String,
    /// Departure, `HH:MM`.
    pub departure: String,
    /// Minutes waiting for the window to open.
    pub wait_min: f64,
    /// Minutes on site.
    pub service_min: f64,
    /// Travel minutes from the previous stop (or the base).
    pub travel_min: f64,
    /// Travel kilometres from the previous stop.
    pub travel_km: f64,
    /// Whether the visit is a booked appointment.
    pub appointment: bool,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Calendar UID of the visit: kept when a re-plan moves it (empty in
    /// folders written before it existed).
    #[serde(default)]
    pub visit_id: String,
    /// Calendar `SEQUENCE`: raised each time a re-plan changes the visit.
    #[serde(default)]
    pub revision: u32,
}

/// A new visit's calendar UID: its rep, account and date, hashed.
fn fresh_visit_id(rep: &str, account: &str, date: NaiveDate) -> String {
    let key = [
        rep.as_bytes(),
        &[0x1f],
        account.as_bytes(),
        &[0x1f],
        date.to_string().as_bytes(),
    ]
    .concat();
    format!("{}-{:016x}", ics_date(date), fnv1a(&key))
}

/// `(visit_id, revision)` of every stop, by day and stop: an earlier visit's
/// UID is kept, its revision raised when its rep, date or times changed.
fn visit_ids(
    accounts: &[Account],
    reps: &[Rep],
    schedule: &Schedule,
    previous: Option<&crate::PreviousRoutes>,
) -> Vec<Vec<(String, u32)>> {
    schedule
        .days
        .iter()
        .map(|day| {
            let rep = &reps[day.rep].id;
            day.stops
                .iter()
                .map(|s| {
                    let account = &accounts[s.account].id;
                    match (s.previous, previous) {
                        // A visit handed to another rep is a new event in
                        // that rep's calendar (the old one is cancelled in
                        // the old rep's), so one UID never lives in two calendars.
                        (Some(k), Some(p)) if p.records[k].rep == *rep => {
                            let v = &p.records[k];
                            let id = if v.visit_id.is_empty() {
                                fresh_visit_id(&v.rep, &v.account, v.date)
                            } else {
                                v.visit_id.clone()
                            };
                            let same = v.rep == *rep
                                && v.date == day.date
                                && v.start == clock(s.start)
                                && v.departure == clock(s.departure);
                            (id, v.revision + u32::from(!same))
                        }
                        _ => (fresh_visit_id(rep, account, day.date), 0),
                    }
                })
                .collect()
        })
        .collect()
}

fn visits_csv(
    accounts: &[Account],
    reps: &[Rep],
    schedule: &Schedule,
    ids: &[Vec<(String, u32)>],
) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "rep",
        "date",
        "sequence",
        "account",
        "name",
        "arrival",
        "start",
        "departure",
        "wait_min",
        "service_min",
        "travel_min",
        "travel_km",
        "appointment",
        "lat",
        "lon",
        "visit_id",
        "revision",
    ])?;
    for (day, ids) in schedule.days.iter().zip(ids) {
        for (k, s) in day.stops.iter().enumerate() {
            let a = &accounts[s.account];
            w.write_record([
                reps[day.rep].id.as_str(),
                &day.date.to_string(),
                &(k + 1).to_string(),
                a.id.as_str(),
                a.name.as_deref().unwrap_or(""),
                &clock(s.arrival),
                &clock(s.start),
                &clock(s.departure),
                &format!("{}", (s.start - s.arrival).round()),
                &format!("{}", (s.departure - s.start).round()),
                &format!("{}", s.travel_min.round()),
                &format!("{:.3}", s.travel_km),
                if s.appointment { "true" } else { "false" },
                &format!("{:.6}", a.location.lat),
                &format!("{:.6}", a.location.lon),
                &ids[k].0,
                &ids[k].1.to_string(),
            ])?;
        }
    }
    w.into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

fn routes_geojson(
    accounts: &[Account],
    reps: &[Rep],
    schedule: &Schedule,
    path: Option<&PathFn<'_>>,
) -> Value {
    let features: Vec<Value> = schedule
        .days
        .iter()
        .filter(|d| !d.stops.is_empty())
        .map(|day| {
            let rep = &reps[day.rep];
            let base = rep.base.expect("scheduled reps have bases");
            let mut stops = vec![base];
            stops.extend(day.stops.iter().map(|s| accounts[s.account].location));
            stops.push(base);
            let mut coords: Vec<[f64; 2]> = vec![[round6(base.lon), round6(base.lat)]];
            for pair in stops.windows(2) {
                let leg = path.and_then(|p| p(pair[0], pair[1]));
                match leg {
                    Some(vertices) => coords.extend(
                        vertices.iter().skip(1).map(|v| [round6(v[0]), round6(v[1])]),
                    ),
                    None => coords.push([round6(pair[1].lon), round6(pair[1].lat)]),
                }
            }
            json!({
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coords},
                "properties": {
                    "rep": rep.id,
                    "rep_name": rep.name,
                    "along_roads": path.is_some(),
                    "date": day.date.to_string(),
                    "weekday": weekday(day.date).as_str(),
                    "visits": day.stops.len(),
                    "accounts": day.stops.iter().map(|s| accounts[s.account].id.as_str()).collect::<Vec<_>>(),
                    "depart": clock(day.depart),
                    "back": clock(day.back),
                    "travel_min": round1(day.travel_min()),
                    "travel_km": round3(day.travel_km()),
                    "work_min": round1(day.work_min()),
                }
            })
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

/// An RFC 5545 calendar of one rep's visits, in floating local time.
fn ics(
    accounts: &[Account],
    rep: &Rep,
    days: &[(&RepDay, &Vec<(String, u32)>)],
    dropped: &[&VisitRecord],
    stamp: chrono::DateTime<chrono::Utc>,
) -> String {
    let mut out = String::new();
    let mut line = |text: &str| fold_line(&mut out, text);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line(&format!(
        "PRODID:-//territory//routes {}//EN",
        env!("CARGO_PKG_VERSION")
    ));
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    line(&format!(
        "X-WR-CALNAME:{}",
        escape_text(&format!(
            "Visits {}",
            rep.name.as_deref().unwrap_or(&rep.id)
        ))
    ));
    // When the calendar was written (RFC 5545 §3.8.7.2), in UTC.
    let dtstamp = stamp.format("%Y%m%dT%H%M%SZ").to_string();
    for (day, ids) in days {
        for (k, s) in day.stops.iter().enumerate() {
            let a = &accounts[s.account];
            let title = a.name.as_deref().unwrap_or(&a.id);
            line("BEGIN:VEVENT");
            // One UID per visit, kept when a re-plan moves it, so that
            // re-importing updates the event instead of duplicating it.
            line(&format!("UID:{}@territory", ids[k].0));
            line(&format!("SEQUENCE:{}", ids[k].1));
            line(&format!("DTSTAMP:{dtstamp}"));
            line(&format!("DTSTART:{}", ics_time(day.date, s.start)));
            // A zero-length visit has no DTEND (RFC 5545 §3.6.1: it then lasts 0).
            if s.departure > s.start {
                line(&format!("DTEND:{}", ics_time(day.date, s.departure)));
            }
            let kind = if s.appointment {
                "Appointment"
            } else {
                "Visit"
            };
            line(&format!(
                "SUMMARY:{}",
                escape_text(&format!("{kind}: {title}"))
            ));
            line(&format!(
                "LOCATION:{}",
                escape_text(&format!(
                    "{title} ({:.6}, {:.6})",
                    a.location.lat, a.location.lon
                ))
            ));
            line(&format!("GEO:{:.6};{:.6}", a.location.lat, a.location.lon));
            line(&format!(
                "DESCRIPTION:{}",
                escape_text(&format!(
                    "Account {} ({}). Stop {} of {} on this day; arrive {}, {} min travel from the previous stop.",
                    a.id,
                    a.status,
                    k + 1,
                    day.stops.len(),
                    clock(s.arrival),
                    s.travel_min.round()
                ))
            ));
            line(&format!("CATEGORIES:{}", kind.to_ascii_uppercase()));
            line("TRANSP:OPAQUE");
            line("END:VEVENT");
        }
    }
    for v in dropped {
        let (Some(start), Some(end)) = (parse_clock(&v.start), parse_clock(&v.departure)) else {
            continue;
        };
        let id = if v.visit_id.is_empty() {
            fresh_visit_id(&v.rep, &v.account, v.date)
        } else {
            v.visit_id.clone()
        };
        line("BEGIN:VEVENT");
        line(&format!("UID:{id}@territory"));
        line(&format!("SEQUENCE:{}", v.revision + 1));
        line(&format!("DTSTAMP:{dtstamp}"));
        line(&format!("DTSTART:{}", ics_time(v.date, start as f64)));
        if end > start {
            line(&format!("DTEND:{}", ics_time(v.date, end as f64)));
        }
        let title = if v.name.is_empty() {
            &v.account
        } else {
            &v.name
        };
        line(&format!(
            "SUMMARY:{}",
            escape_text(&format!("Cancelled: {title}"))
        ));
        line("STATUS:CANCELLED");
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

fn ics_date(d: NaiveDate) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

fn ics_time(d: NaiveDate, minutes: f64) -> String {
    let m = minutes.round() as u32;
    // 24:00 is 00:00 of the next day.
    let date = d + chrono::Days::new((m / (24 * 60)) as u64);
    let m = m % (24 * 60);
    format!("{}T{:02}{:02}00", ics_date(date), m / 60, m % 60)
}

/// RFC 5545 §3.3.11 TEXT escaping.
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line folded at 75 octets (RFC 5545 §3.1), CRLF-terminated.
fn fold_line(out: &mut String, text: &str) {
    let mut width = 0;
    for c in text.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

/// A file name from an id: letters, digits, `-`, `_` and `.` kept, others `_`.
fn file_name(id: &str) -> String {
    let name: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = if name.is_empty() || name.starts_with('.') {
        format!("rep{name}")
    } else {
        name
    };
    // File systems allow 255 bytes per name: long ids keep a readable start
    // and a stable hash of the whole id, so distinct reps never share a file.
    const MAX: usize = 80;
    if name.len() <= MAX {
        return name;
    }
    let hash = territory_routing::schedule::fnv1a(id.as_bytes());
    format!("{}-{hash:016x}", &name[..MAX - 17])
}

/// Minutes after midnight as `HH:MM`.
pub fn clock(minutes: f64) -> String {
    territory::model::clock(minutes)
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_names_are_valid_for_any_id() {
        let long = "r".repeat(300);
        let name = file_name(&long);
        assert!(name.len() <= 80, "{}", name.len());
        assert_eq!(name, file_name(&long));
        assert_ne!(name, file_name(&format!("{long}x")));
        assert_eq!(file_name("../etc"), "rep.._etc");
        assert_eq!(file_name(""), "rep");
        assert_eq!(file_name(&"é".repeat(200)).len(), 80);
    }

    #[test]
    fn folds_long_lines_on_char_boundaries() {
        let mut out = String::new();
        let text = format!("DESCRIPTION:{}", "ä".repeat(60));
        fold_line(&mut out, &text);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{text}\r\n"));
    }

    #[test]
    fn escapes_text_values() {
        assert_eq!(escape_text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        assert_eq!(file_name("rep/1 x"), "rep_1_x");
        assert_eq!(clock(8.0 * 60.0 + 5.0), "08:05");
    }
}
