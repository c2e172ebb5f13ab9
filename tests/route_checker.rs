//! An independent checker of a `territory routes` folder.
//!
//! It shares no code with the engine: it re-reads the inputs (accounts, reps,
//! assignment, appointments) and the outputs (visits.csv, summary.json,
//! routes.geojson, calendars/*.ics), recomputes every travel leg from the
//! coordinates, and lists every broken rule: opening windows, accepted
//! weekdays, working hours, lunch, appointments, frequencies, spacing (from
//! the visit history too), frozen days of a re-plan, costs and calendar syntax.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use serde_json::Value;

/// What the run was asked for.
pub struct Setup<'a> {
    pub accounts: &'a Path,
    pub reps: &'a Path,
    pub assignment: &'a Path,
    pub appointments: Option<&'a Path>,
    pub start: NaiveDate,
    pub weeks: u32,
    pub circuity: f64,
    pub speed_kmh: f64,
    /// (earliest, latest, minutes)
    pub lunch: Option<(u32, u32, u32)>,
    /// Reps of one office may take each other's accounts.
    pub share_office: bool,
    /// Travel came from a road network: legs are checked for consistency and
    /// against the straight line (road ≥ straight), not recomputed.
    pub road: bool,
    /// `--cadence anchored`: an account due every 2, 4 or 8 weeks is due in
    /// the calendar weeks `w` (Mondays since 1970-01-05) with
    /// `(w + FNV-1a(id) mod every) mod every == 0`.
    pub anchored: bool,
    /// `--absences`: (rep, date, part of the day away or `None` for all of it).
    pub absences: Vec<(String, NaiveDate, Option<(u32, u32)>)>,
    /// `--holidays`: (date, office or `None` for everyone).
    pub holidays: Vec<(NaiveDate, Option<String>)>,
    /// `--history`: (account, date, status `done` | `missed` | `cancelled`).
    /// An account with a done or missed visit (and no booking in the
    /// horizon) is due every `28 / visits` days from its last done one (at
    /// once after a missed one), each visit within a quarter interval
    /// (at least a day) of its due date.
    pub history: Vec<(String, NaiveDate, String)>,
    /// `--previous DIR --freeze-days N`: each rep's first N working days
    /// that DIR covered are byte-identical rows of DIR's visits.csv, unless
    /// `replan.changed_visits` gives a reason that forces a re-plan.
    pub previous: Option<(std::path::PathBuf, u32)>,
}

/// Raw `visits.csv` lines by (rep, date), header left out.
fn lines_by_day(path: &Path) -> BTreeMap<(String, NaiveDate), Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out: BTreeMap<(String, NaiveDate), Vec<String>> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let mut f = line.splitn(3, ',');
        let rep = f.next().unwrap().to_string();
        let date = NaiveDate::parse_from_str(f.next().unwrap(), "%Y-%m-%d").unwrap();
        out.entry((rep, date)).or_default().push(line.to_string());
    }
    out
}

/// The history with visits on frozen days counted as done (when there is one).
fn with_frozen_past(past: &[(NaiveDate, bool)], frozen: &[NaiveDate]) -> Vec<(NaiveDate, bool)> {
    let mut p = past.to_vec();
    if !past.is_empty() {
        p.extend(frozen.iter().map(|&d| (d, true)));
    }
    p
}

/// Whether the first visit fell due before `start` (missed since the last
/// done one, or an interval on from it already past).
fn first_due_before(visits_per_4_weeks: f64, past: &[(NaiveDate, bool)], start: NaiveDate) -> bool {
    let last_done = past.iter().filter(|p| p.1).map(|p| p.0).max();
    let missed = past
        .iter()
        .filter(|p| !p.1 && last_done.is_none_or(|d| p.0 > d))
        .map(|p| p.0)
        .min();
    match (missed, last_done) {
        (Some(m), _) => m < start,
        (None, Some(d)) => {
            d + chrono::Days::new((28.0 / visits_per_4_weeks).round() as u64) < start
        }
        (None, None) => false,
    }
}

/// Due dates from a history, restated from the rule (not the engine's code):
/// `(dates in [start, end), tolerance in days)`, or `None` without a done or
/// missed visit.
fn history_due(
    visits_per_4_weeks: f64,
    past: &[(NaiveDate, bool)], // (date, done); missed otherwise
    start: NaiveDate,
    end: NaiveDate,
) -> Option<(Vec<NaiveDate>, i64)> {
    if past.is_empty() || visits_per_4_weeks <= 0.0 {
        return None;
    }
    let interval = 28.0 / visits_per_4_weeks;
    let last_done = past.iter().filter(|p| p.1).map(|p| p.0).max();
    let missed = past
        .iter()
        .filter(|p| !p.1 && last_done.is_none_or(|d| p.0 > d))
        .map(|p| p.0)
        .min();
    let first = match (missed, last_done) {
        (Some(m), _) => m,
        (None, Some(d)) => d + chrono::Days::new(interval.round() as u64),
        (None, None) => return None,
    }
    .max(start);
    let mut dates = Vec::new();
    for k in 0.. {
        let d = first + chrono::Days::new((k as f64 * interval).round() as u64);
        if d >= end {
            break;
        }
        dates.push(d);
    }
    Some((dates, ((interval / 4.0).floor() as i64).max(1)))
}

struct Acc {
    lat: f64,
    lon: f64,
    visits: f64,
    service: f64,
    windows: Vec<(u32, u32)>,
    days: Vec<u32>,
}

struct RepRow {
    office: String,
    lat: f64,
    lon: f64,
    days: Vec<u32>,
    start: u32,
    end: u32,
}

struct VisitRow {
    line: usize,
    rep: String,
    date: NaiveDate,
    sequence: usize,
    account: String,
    arrival: u32,
    start: u32,
    departure: u32,
    travel_min: f64,
    travel_km: f64,
    appointment: bool,
}

fn records(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn hm(text: &str) -> u32 {
    let (h, m) = text.trim().split_once(':').unwrap();
    h.parse::<u32>().unwrap() * 60 + m.parse::<u32>().unwrap()
}

fn day_number(text: &str) -> u32 {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .position(|d| text.trim().to_ascii_lowercase().starts_with(d))
        .unwrap() as u32
}

fn days_list(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for part in text
        .split([',', ';', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match part.split_once('-') {
            Some((a, b)) => out.extend(day_number(a)..=day_number(b)),
            None => out.push(day_number(part)),
        }
    }
    out
}

pub fn km(a: (f64, f64), b: (f64, f64), circuity: f64) -> f64 {
    let r = 6371.0088;
    let (p1, p2) = (a.0.to_radians(), b.0.to_radians());
    let (dp, dl) = (p2 - p1, (b.1 - a.1).to_radians());
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin() * circuity
}

/// Every violation found, as readable lines (empty: the plan is clean).
pub fn check(setup: &Setup, out: &Path) -> Vec<String> {
    let mut bad = Vec::new();
    let accounts: HashMap<String, Acc> = records(setup.accounts)
        .into_iter()
        .map(|r| {
            let customer = r
                .get("status")
                .is_none_or(|s| !s.trim().eq_ignore_ascii_case("prospect"));
            let num = |k: &str| {
                r.get(k)
                    .filter(|v| !v.is_empty())
                    .map(|v| v.parse::<f64>().unwrap())
            };
            let windows = r
                .get("windows")
                .filter(|w| !w.is_empty())
                .map(|w| {
                    w.split(';')
                        .map(|p| {
                            let (a, b) = p.split_once('-').unwrap();
                            (hm(a), hm(b))
                        })
                        .collect()
                })
                .unwrap_or_else(|| vec![(0, 24 * 60)]);
            (
                r["id"].clone(),
                Acc {
                    lat: r["lat"].parse().unwrap(),
                    lon: r["lon"].parse().unwrap(),
                    visits: num("visits").unwrap_or(if customer { 2.0 } else { 1.0 }),
                    service: num("service_min")
                        .unwrap_or(if customer { 30.0 } else { 45.0 })
                        .ceil(),
                    windows,
                    days: r.get("days").map(|d| days_list(d)).unwrap_or_default(),
                },
            )
        })
        .collect();
    let reps: HashMap<String, RepRow> = records(setup.reps)
        .into_iter()
        .map(|r| {
            let get = |k: &str, d: &str| {
                r.get(k)
                    .filter(|v| !v.is_empty())
                    .cloned()
                    .unwrap_or(d.into())
            };
            (
                r["id"].clone(),
                RepRow {
                    office: get("office", ""),
                    lat: r["lat"].parse().unwrap(),
                    lon: r["lon"].parse().unwrap(),
                    days: days_list(&get("days", "mon-fri")),
                    start: hm(&get("start", "08:30")),
                    end: hm(&get("end", "17:30")),
                },
            )
        })
        .collect();
    let owner: HashMap<String, String> = records(setup.assignment)
        .into_iter()
        .map(|r| (r["account"].clone(), r["territory"].clone()))
        .collect();
    let all_bookings: Vec<(String, NaiveDate, u32, u32, String)> = setup
        .appointments
        .map(|p| {
            records(p)
                .into_iter()
                .map(|r| {
                    let flex = r.get("flex").map_or("", |f| f.trim()).to_ascii_lowercase();
                    let time = r.get("time").filter(|t| !t.trim().is_empty());
                    (
                        r["account"].clone(),
                        NaiveDate::parse_from_str(&r["date"], "%Y-%m-%d").unwrap(),
                        time.map_or(0, |t| hm(t)),
                        r["duration_min"].parse().unwrap(),
                        if flex.is_empty() {
                            "fixed".into()
                        } else {
                            flex
                        },
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    // Fixed bookings: at their exact time. Flexible ones (`flex` day or
    // week): a visit shown as booked on that day (or a day of that week),
    // of the booked length, inside the account's windows and days.
    let appointments: Vec<(String, NaiveDate, u32, u32)> = all_bookings
        .iter()
        .filter(|b| b.4 == "fixed")
        .map(|b| (b.0.clone(), b.1, b.2, b.3))
        .collect();
    let monday = |d: NaiveDate| d - chrono::Days::new(d.weekday().num_days_from_monday() as u64);
    let flexible: Vec<(String, NaiveDate, u32, bool)> = all_bookings
        .iter()
        .filter(|b| b.4 != "fixed")
        .map(|b| (b.0.clone(), b.1, b.3, b.4 == "week"))
        .collect();
    let flex_allows = |f: &(String, NaiveDate, u32, bool), d: NaiveDate| {
        if f.3 {
            monday(f.1) == monday(d)
        } else {
            f.1 == d
        }
    };
    let end_date = setup.start + chrono::Days::new(setup.weeks as u64 * 7);
    let in_horizon = |d: NaiveDate| d >= setup.start && d < end_date;

    let visits: Vec<VisitRow> = records(&out.join("visits.csv"))
        .into_iter()
        .enumerate()
        .map(|(i, r)| VisitRow {
            line: i + 2,
            rep: r["rep"].clone(),
            date: NaiveDate::parse_from_str(&r["date"], "%Y-%m-%d").unwrap(),
            sequence: r["sequence"].parse().unwrap(),
            account: r["account"].clone(),
            arrival: hm(&r["arrival"]),
            start: hm(&r["start"]),
            departure: hm(&r["departure"]),
            travel_min: r["travel_min"].parse().unwrap(),
            travel_km: r["travel_km"].parse().unwrap(),
            appointment: r["appointment"] == "true",
        })
        .collect();
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let mut summary_days: HashMap<(String, NaiveDate), &Value> = HashMap::new();
    for rep in summary["reps"].as_array().unwrap() {
        for d in rep["days"].as_array().unwrap() {
            let date = NaiveDate::parse_from_str(d["date"].as_str().unwrap(), "%Y-%m-%d").unwrap();
            summary_days.insert((rep["rep"].as_str().unwrap().to_string(), date), d);
        }
    }

    // Frozen days: the earlier rows, byte for byte, unless a change forces it.
    let mut frozen_visits: Vec<(String, NaiveDate)> = Vec::new(); // (account, date)
    if let Some((dir, n)) = &setup.previous {
        let before = lines_by_day(&dir.join("visits.csv"));
        let after = lines_by_day(&out.join("visits.csv"));
        let earlier: Value =
            serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
        let from =
            NaiveDate::parse_from_str(earlier["parameters"]["start"].as_str().unwrap(), "%Y-%m-%d")
                .unwrap();
        let to = from + chrono::Days::new(earlier["parameters"]["weeks"].as_u64().unwrap() * 7);
        let forced: Vec<(String, String)> = summary["replan"]["changed_visits"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| {
                [
                    "rep_away",
                    "booking_changed",
                    "reassigned",
                    "account_removed",
                    "rep_removed",
                ]
                .contains(&c["reason"].as_str().unwrap())
            })
            .map(|c| {
                (
                    c["rep"].as_str().unwrap().to_string(),
                    c["date"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        for (rep_id, rep) in &reps {
            let frozen: Vec<NaiveDate> = setup
                .start
                .iter_days()
                .take_while(|d| *d < end_date)
                .filter(|d| rep.days.contains(&d.weekday().num_days_from_monday()))
                .take(*n as usize)
                .filter(|d| *d >= from && *d < to)
                .collect();
            for date in frozen {
                let key = (rep_id.clone(), date);
                let (old, new) = (before.get(&key), after.get(&key));
                if old == new {
                    for line in new.into_iter().flatten() {
                        let account = line.split(',').nth(3).unwrap().to_string();
                        if !line.contains(",true,") {
                            frozen_visits.push((account, date));
                        }
                    }
                } else if !forced.contains(&(rep_id.clone(), date.to_string())) {
                    bad.push(format!(
                        "{rep_id} {date}: a frozen day changed with no reason that forces it"
                    ));
                }
            }
        }
    }

    // Per rep-day: order, times, windows, travel, hours, lunch.
    let mut by_day: BTreeMap<(String, NaiveDate), Vec<&VisitRow>> = BTreeMap::new();
    for v in &visits {
        by_day.entry((v.rep.clone(), v.date)).or_default().push(v);
    }
    let minutes = |d_km: f64| (d_km / setup.speed_kmh * 60.0 - 1e-9).ceil().max(0.0);
    let mut total_travel = 0.0;
    for ((rep_id, date), rows) in &by_day {
        let Some(rep) = reps.get(rep_id) else {
            bad.push(format!("{rep_id}: unknown rep"));
            continue;
        };
        let here = format!("{rep_id} {date}");
        if !in_horizon(*date) {
            bad.push(format!("{here}: outside the horizon"));
        }
        if !rep.days.contains(&date.weekday().num_days_from_monday()) {
            bad.push(format!("{here}: the rep does not work on this weekday"));
        }
        let mut place = (rep.lat, rep.lon);
        let mut free_from = rep.start;
        let mut travel = 0.0;
        let mut legs: Vec<(u32, u32)> = Vec::new(); // (ready, arrival) per leg, for lunch
        for (k, v) in rows.iter().enumerate() {
            let at = format!("visits.csv:{} ({here} #{})", v.line, v.sequence);
            if v.sequence != k + 1 {
                bad.push(format!("{at}: sequence out of order"));
            }
            let Some(acc) = accounts.get(&v.account) else {
                bad.push(format!("{at}: unknown account {}", v.account));
                continue;
            };
            let same_office = |other: &String| {
                setup.share_office
                    && !rep.office.is_empty()
                    && reps.get(other).is_some_and(|o| o.office == rep.office)
            };
            if owner.get(&v.account) != Some(rep_id)
                && !owner.get(&v.account).is_some_and(same_office)
            {
                bad.push(format!("{at}: {} belongs to another rep", v.account));
            }
            let target = (acc.lat, acc.lon);
            let (leg_km, leg_min) = if setup.road {
                let straight = km(place, target, 1.0);
                if v.travel_km + 0.0011 < straight {
                    bad.push(format!(
                        "{at}: road {} km shorter than the straight line {straight:.3}",
                        v.travel_km
                    ));
                }
                (v.travel_km, v.travel_min)
            } else {
                let d = km(place, target, setup.circuity);
                (d, minutes(d))
            };
            if (v.travel_min - leg_min).abs() > 0.5 || (v.travel_km - leg_km).abs() > 0.0011 {
                bad.push(format!(
                    "{at}: travel {} min / {} km, recomputed {leg_min} / {leg_km:.3}",
                    v.travel_min, v.travel_km
                ));
            }
            travel += leg_min;
            if (v.arrival as f64) < free_from as f64 + leg_min {
                bad.push(format!(
                    "{at}: arrives {} but cannot before {}",
                    v.arrival,
                    free_from as f64 + leg_min
                ));
            }
            legs.push((free_from, v.arrival - leg_min as u32));
            if v.start < v.arrival {
                bad.push(format!("{at}: starts before arriving"));
            }
            let flexibly = flexible
                .iter()
                .find(|f| f.0 == v.account && flex_allows(f, *date));
            if v.appointment && flexibly.is_none() {
                let booked = appointments.iter().any(|a| {
                    a.0 == v.account && a.1 == *date && v.start == a.2 && v.departure == a.2 + a.3
                });
                if !booked {
                    bad.push(format!("{at}: appointment not at its booked time"));
                }
            } else {
                let length = flexible
                    .iter()
                    .find(|f| f.0 == v.account)
                    .map_or(acc.service as u32, |f| f.2);
                if v.departure != v.start + length {
                    bad.push(format!("{at}: visit length differs from the service time"));
                }
                if !acc
                    .windows
                    .iter()
                    .any(|&(a, b)| v.start >= a && v.departure <= b)
                {
                    bad.push(format!(
                        "{at}: {}-{} outside the opening windows {:?}",
                        v.start, v.departure, acc.windows
                    ));
                }
                if !acc.days.is_empty()
                    && !acc.days.contains(&date.weekday().num_days_from_monday())
                {
                    bad.push(format!("{at}: the account does not accept this weekday"));
                }
            }
            if v.arrival < rep.start {
                bad.push(format!("{at}: before the working day"));
            }
            free_from = v.departure;
            place = target;
        }
        let day = summary_days.get(&(rep_id.clone(), *date));
        let back_min = if setup.road {
            // The return leg is only in the summary: what is left of the day's travel.
            day.and_then(|d| d["travel_min"].as_f64()).unwrap_or(0.0) - travel
        } else {
            minutes(km(place, (rep.lat, rep.lon), setup.circuity))
        };
        if back_min < -0.5 {
            bad.push(format!(
                "{here}: summary travel below the legs in visits.csv"
            ));
        }
        travel += back_min;
        total_travel += travel;
        legs.push((free_from, u32::MAX));
        let Some(day) = day else {
            bad.push(format!("{here}: missing from summary.json"));
            continue;
        };
        // The summary's stop list is the day in visits.csv, stop by stop.
        let stops = day["stops"].as_array().cloned().unwrap_or_default();
        let listed: Vec<(String, u32, u32, u32, bool)> = stops
            .iter()
            .map(|s| {
                (
                    s["account"].as_str().unwrap_or("").to_string(),
                    hm(s["arrival"].as_str().unwrap_or("")),
                    hm(s["start"].as_str().unwrap_or("")),
                    hm(s["departure"].as_str().unwrap_or("")),
                    s["appointment"].as_bool().unwrap_or(false),
                )
            })
            .collect();
        let written: Vec<(String, u32, u32, u32, bool)> = rows
            .iter()
            .map(|v| {
                (
                    v.account.clone(),
                    v.arrival,
                    v.start,
                    v.departure,
                    v.appointment,
                )
            })
            .collect();
        if listed != written {
            bad.push(format!("{here}: summary stops differ from visits.csv"));
        }
        if (day["travel_min"].as_f64().unwrap() - travel).abs() > 0.5 {
            bad.push(format!(
                "{here}: summary travel {} min, recomputed {travel}",
                day["travel_min"]
            ));
        }
        let back = hm(day["back"].as_str().unwrap());
        let depart = hm(day["depart"].as_str().unwrap());
        // The day's hours after part-day absences: one touching the start or
        // the end trims that side; one in the middle leaves the longer part.
        let (mut day_start, mut day_end) = (rep.start, rep.end);
        for (_, _, hours) in setup
            .absences
            .iter()
            .filter(|(r, d, _)| r == rep_id && d == date)
        {
            if let Some((from, to)) = hours.filter(|(f, t)| *t > day_start && *f < day_end) {
                if from <= day_start {
                    day_start = to;
                } else if to >= day_end || from - day_start >= day_end - to {
                    day_end = from;
                } else {
                    day_start = to;
                }
            }
        }
        if depart < day_start || back > day_end {
            bad.push(format!("{here}: {depart}-{back} outside working hours"));
        }
        // A holiday (everyone's or the rep's office's) or an absence: the
        // rep's route may not overlap the time away.
        if setup
            .holidays
            .iter()
            .any(|(d, o)| d == date && o.as_ref().is_none_or(|o| *o == rep.office))
        {
            bad.push(format!("{here}: visits on a public holiday"));
        }
        for (r, d, hours) in &setup.absences {
            if r != rep_id || d != date {
                continue;
            }
            match hours {
                None => bad.push(format!("{here}: visits while the rep is away all day")),
                Some((from, to)) if depart < *to && back > *from => bad.push(format!(
                    "{here}: route {depart}-{back} overlaps the absence {from}-{to}"
                )),
                Some(_) => {}
            }
        }
        let lunch = day["lunch"].as_str().map(|l| {
            let (a, b) = l.split_once('-').unwrap();
            (hm(a), hm(b))
        });
        let mut last_ready = free_from;
        if let Some((ls, le)) = lunch {
            let Some((earliest, latest, minutes)) = setup.lunch else {
                bad.push(format!("{here}: a lunch break nobody asked for"));
                continue;
            };
            if le < ls || ls < earliest || le > latest || le - ls != minutes {
                bad.push(format!("{here}: lunch {ls}-{le} outside its window"));
            }
            if ls < depart || le > back {
                bad.push(format!(
                    "{here}: lunch {ls}-{le} outside the day {depart}-{back}"
                ));
            }
            // The break sits in a gap between visits (or before or after them).
            let fits = legs.iter().enumerate().any(|(k, &(ready, leave_by))| {
                let leave_by = if k + 1 == legs.len() {
                    back - back_min as u32
                } else {
                    leave_by
                };
                ls >= ready && le <= leave_by
            });
            if !fits {
                bad.push(format!(
                    "{here}: lunch {ls}-{le} overlaps a visit or a drive"
                ));
            }
            if le > free_from {
                last_ready = le.max(free_from);
            }
        } else if let Some((earliest, latest, minutes)) = setup.lunch {
            // Booked appointments over the window take precedence over the break.
            let booked_over = rows
                .iter()
                .any(|v| v.appointment && v.start < latest && v.departure > earliest);
            let due = back > earliest
                && depart + minutes < latest
                && day_start <= earliest
                && day_end >= latest;
            if due && !booked_over {
                bad.push(format!(
                    "{here}: no lunch break on a day spanning its window"
                ));
            }
        }
        // Working minutes: departure to return, less the break.
        let work = back as f64 - depart as f64 - lunch.map_or(0.0, |(a, b)| b as f64 - a as f64);
        let reported_work = day["work_min"].as_f64().unwrap();
        if work < 0.0 || (reported_work - work).abs() > 1.0 {
            bad.push(format!(
                "{here}: work {reported_work} min, recomputed {work}"
            ));
        }
        if (last_ready as f64 + back_min) > back as f64 + 0.5 || back > rep.end {
            bad.push(format!(
                "{here}: returns at {back}, cannot before {}",
                last_ready as f64 + back_min
            ));
        }
    }
    let totals = &summary["totals"];
    if (totals["travel_min"].as_f64().unwrap() - total_travel).abs() > 0.5 {
        bad.push(format!(
            "summary total travel {} min, recomputed {total_travel}",
            totals["travel_min"]
        ));
    }

    // Appointments kept exactly (or reported).
    let unscheduled: HashMap<String, (u64, u64)> = summary["unscheduled"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["account"].as_str().unwrap().to_string(),
                (u["due"].as_u64().unwrap(), u["scheduled"].as_u64().unwrap()),
            )
        })
        .collect();
    for (account, date, time, _) in appointments.iter().filter(|a| in_horizon(a.1)) {
        let kept = visits
            .iter()
            .any(|v| &v.account == account && v.date == *date && v.appointment && v.start == *time);
        if !kept && !unscheduled.contains_key(account) {
            bad.push(format!(
                "appointment of {account} on {date} neither kept nor reported"
            ));
        }
    }
    let week_in_horizon =
        |d: NaiveDate| (0..7).any(|k| in_horizon(monday(d) + chrono::Days::new(k)));
    for f in flexible.iter().filter(|f| {
        if f.3 {
            week_in_horizon(f.1)
        } else {
            in_horizon(f.1)
        }
    }) {
        let kept = visits
            .iter()
            .any(|v| v.account == f.0 && v.appointment && flex_allows(f, v.date));
        if !kept && !unscheduled.contains_key(&f.0) {
            bad.push(format!(
                "flexible booking of {} for {} neither kept nor reported",
                f.0, f.1
            ));
        }
    }

    // Frequencies and spacing.
    let mut per_account: HashMap<&str, Vec<&VisitRow>> = HashMap::new();
    for v in &visits {
        per_account.entry(v.account.as_str()).or_default().push(v);
    }
    for (id, acc) in &accounts {
        let Some(rep_id) = owner.get(id) else {
            continue;
        };
        let booked = all_bookings
            .iter()
            .filter(|a| {
                &a.0 == id
                    && if a.4 == "week" {
                        week_in_horizon(a.1)
                    } else {
                        in_horizon(a.1)
                    }
            })
            .count();
        let every = 4.0 / acc.visits;
        let anchored_every = (setup.anchored
            && booked == 0
            && acc.visits > 0.0
            && acc.visits < 4.0
            && (every - every.round()).abs() < 1e-9)
            .then_some(every.round() as i64);
        // With history the rhythm runs from the last done visit (visits on
        // frozen days count as done).
        let past: Vec<(NaiveDate, bool)> = setup
            .history
            .iter()
            .filter(|h| &h.0 == id && h.2 != "cancelled")
            .map(|h| (h.1, h.2 == "done"))
            .collect();
        let frozen_here: Vec<NaiveDate> = frozen_visits
            .iter()
            .filter(|f| &f.0 == id)
            .map(|f| f.1)
            .collect();
        let from_history = (booked == 0)
            .then(|| {
                history_due(
                    acc.visits,
                    &with_frozen_past(&past, &frozen_here),
                    setup.start,
                    end_date,
                )
            })
            .flatten();
        if let Some((dates, tol)) = &from_history {
            let mut planned: Vec<NaiveDate> = per_account
                .get(id.as_str())
                .map(|vs| {
                    vs.iter()
                        .filter(|v| !frozen_here.contains(&v.date))
                        .map(|v| v.date)
                        .collect()
                })
                .unwrap_or_default();
            planned.sort();
            // Overdue (first due before the horizon): the first visit within
            // the horizon's first week, the next ones an interval on from it.
            let overdue = dates.first().is_some_and(|&d| d == setup.start) && {
                let mut p = with_frozen_past(&past, &frozen_here);
                p.sort();
                first_due_before(acc.visits, &p, setup.start)
            };
            let dates: Vec<NaiveDate> = match (overdue, planned.first()) {
                (true, Some(&first)) => {
                    if (first - setup.start).num_days() >= 7 {
                        bad.push(format!(
                            "{id}: overdue, but its first visit {first} is not in the first week"
                        ));
                    }
                    let interval = 28.0 / acc.visits;
                    (0..dates.len())
                        .map(|k| first + chrono::Days::new((k as f64 * interval).round() as u64))
                        .collect()
                }
                _ => dates.clone(),
            };
            // Each visit near its own due date, in order.
            let mut next = 0;
            for d in &planned {
                match (next..dates.len()).find(|&k| (dates[k] - *d).num_days().abs() <= *tol) {
                    Some(k) => next = k + 1,
                    None => bad.push(format!(
                        "{id}: visit on {d} is not within {tol} days of a date due from its history {dates:?}"
                    )),
                }
            }
        }
        let due = match anchored_every {
            _ if from_history.is_some() => {
                from_history.as_ref().map_or(0, |h| h.0.len()) + frozen_here.len()
            }
            Some(every) => {
                let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                    (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
                });
                let phase = (hash % every as u64) as i64;
                let monday = NaiveDate::from_ymd_opt(1970, 1, 5).unwrap();
                let first = (setup.start - monday).num_days().div_euclid(7);
                (first..first + setup.weeks as i64)
                    .filter(|w| (w + phase).rem_euclid(every) == 0)
                    .count()
            }
            // Bookings and visits on frozen days both stay: a visit frozen
            // before a booking came into the horizon is one more.
            None => {
                let frozen_unbooked = frozen_here
                    .iter()
                    .filter(|d| !all_bookings.iter().any(|a| &a.0 == id && a.1 == **d))
                    .count();
                ((acc.visits * setup.weeks as f64 / 4.0 + 0.5 + 1e-9).floor() as usize)
                    .max(booked + frozen_unbooked)
            }
        };

        // Optional visits (`--fill`) come on top, for accounts not due.
        let filled = summary["filled"].as_array().map_or(0, |f| {
            f.iter().filter(|f| f["account"] == id.as_str()).count()
        });
        if filled > 0 && due > 0 {
            bad.push(format!("{id}: filled although {due} visits are due"));
        }
        let got = per_account.get(id.as_str()).map_or(0, Vec::len);
        if got > due + filled {
            bad.push(format!("{id}: {got} visits, only {due} due"));
        }
        if got < due {
            match unscheduled.get(id) {
                Some(&(d, s)) if d as usize == due && s as usize == got => {}
                _ => bad.push(format!(
                    "{id}: {got} of {due} visits and not reported as unscheduled"
                )),
            }
        }
        // Regular visits are spread: consecutive ones at least half the even
        // spacing apart in the rep's working days; weekly ones on one weekday.
        let visiting = per_account
            .get(id.as_str())
            .and_then(|vs| vs.first())
            .map_or(rep_id, |v| &v.rep);
        let rep = &reps[visiting];
        let working: Vec<NaiveDate> = setup
            .start
            .iter_days()
            .take_while(|d| *d < end_date)
            .filter(|d| rep.days.contains(&d.weekday().num_days_from_monday()))
            .collect();
        let regular: Vec<usize> = per_account
            .get(id.as_str())
            .map(|vs| {
                let mut idx: Vec<usize> = vs
                    .iter()
                    .filter(|v| !v.appointment)
                    .filter_map(|v| working.iter().position(|d| *d == v.date))
                    .collect();
                idx.sort();
                idx
            })
            .unwrap_or_default();
        let regular_due = due - booked;
        if regular.len() >= 2 && regular_due > 0 && booked == 0 && from_history.is_none() {
            let spacing = working.len() as f64 / regular_due as f64;
            let least = (spacing / 2.0).ceil() as usize;
            // Or, on the few days an account accepts, spread over those days.
            let accepted: Vec<usize> = (0..working.len())
                .filter(|&d| {
                    acc.days.is_empty()
                        || acc
                            .days
                            .contains(&working[d].weekday().num_days_from_monday())
                })
                .collect();
            let least_accepted = (accepted.len() / regular_due).max(1);
            let position = |d: usize| accepted.iter().position(|&a| a == d).unwrap_or(0);
            if regular
                .windows(2)
                .any(|w| w[1] - w[0] < least && position(w[1]) - position(w[0]) < least_accepted)
            {
                bad.push(format!(
                    "{id}: visits on working days {regular:?} closer than {least} days"
                ));
            }
            let per_week = rep.days.len() as f64;
            if (spacing - per_week).abs() < 1e-9 && acc.days.is_empty() {
                let weekdays: Vec<u32> = regular
                    .iter()
                    .map(|&d| working[d].weekday().num_days_from_monday())
                    .collect();
                // A visit whose weekday the rep was away (a holiday or an
                // absence) moves to a near day; the others keep the weekday.
                let away_on = |d: NaiveDate| {
                    setup
                        .holidays
                        .iter()
                        .any(|(h, o)| *h == d && o.as_ref().is_none_or(|o| *o == rep.office))
                        || setup
                            .absences
                            .iter()
                            .any(|(r, a, hours)| r == visiting && *a == d && hours.is_none())
                };
                let disturbed = regular.iter().any(|&d| {
                    let monday = working[d]
                        - chrono::Days::new(working[d].weekday().num_days_from_monday() as u64);
                    (0..7).any(|k| away_on(monday + chrono::Days::new(k)))
                });
                let mut usual = weekdays.clone();
                usual.sort_unstable();
                usual.dedup();
                let mixed = if disturbed {
                    // At most one other weekday, used only in weeks with a day away.
                    usual.len() > 2
                } else {
                    usual.len() > 1
                };
                if mixed {
                    bad.push(format!(
                        "{id}: weekly visits on different weekdays {weekdays:?}"
                    ));
                }
            }
        }
    }

    // Accounts with bookings: all their visits (booked ones included) keep at
    // least half the even spacing, so the regular ones work around the bookings.
    for (id, acc) in &accounts {
        let Some(rep_id) = owner.get(id) else {
            continue;
        };
        let Some(vs) = per_account.get(id.as_str()) else {
            continue;
        };
        if !vs.iter().any(|v| v.appointment) || vs.len() < 2 {
            continue;
        }
        let rep = &reps[rep_id];
        let working: Vec<NaiveDate> = setup
            .start
            .iter_days()
            .take_while(|d| *d < end_date)
            .filter(|d| rep.days.contains(&d.weekday().num_days_from_monday()))
            .collect();
        let mut idx: Vec<usize> = vs
            .iter()
            .filter_map(|v| working.iter().position(|d| *d == v.date))
            .collect();
        idx.sort();
        let least = ((working.len() as f64 / vs.len() as f64) / 2.0)
            .floor()
            .max(1.0) as usize;
        if acc.days.is_empty() && idx.windows(2).any(|w| w[1] - w[0] < least) {
            bad.push(format!(
                "{id}: visits and bookings on working days {idx:?} closer than {least} days"
            ));
        }
    }

    bad.extend(check_calendars(out, &visits));
    bad.extend(check_geojson(out, &by_day, setup.road));
    bad
}

/// RFC 5545 syntax of every calendar, and one event per visit.
fn check_calendars(out: &Path, visits: &[VisitRow]) -> Vec<String> {
    let mut bad = Vec::new();
    let mut events_per_rep: HashMap<String, usize> = HashMap::new();
    let mut uids = std::collections::HashSet::new();
    for entry in std::fs::read_dir(out.join("calendars")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        if !text.ends_with("\r\n") || text.replace("\r\n", "").contains('\n') {
            bad.push(format!("{name}.ics: lines must end in CRLF"));
        }
        let raw: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        if raw.iter().any(|l| l.len() > 75) {
            bad.push(format!("{name}.ics: a line is longer than 75 octets"));
        }
        // Unfold, then check structure.
        let mut lines: Vec<String> = Vec::new();
        for l in raw {
            match l.strip_prefix(' ') {
                Some(rest) => lines.last_mut().unwrap().push_str(rest),
                None => lines.push(l.to_string()),
            }
        }
        if lines.first().map(String::as_str) != Some("BEGIN:VCALENDAR")
            || lines.last().map(String::as_str) != Some("END:VCALENDAR")
        {
            bad.push(format!("{name}.ics: not wrapped in VCALENDAR"));
        }
        for required in ["VERSION:2.0", "PRODID:"] {
            if !lines.iter().any(|l| l.starts_with(required)) {
                bad.push(format!("{name}.ics: missing {required}"));
            }
        }
        let mut in_event = false;
        let mut props: Vec<String> = Vec::new();
        let mut dtstart = String::new();
        for l in &lines {
            match l.as_str() {
                "BEGIN:VEVENT" => {
                    if in_event {
                        bad.push(format!("{name}.ics: nested VEVENT"));
                    }
                    in_event = true;
                    props.clear();
                }
                "END:VEVENT" => {
                    for p in ["UID", "DTSTAMP", "DTSTART", "SUMMARY"] {
                        if !props.iter().any(|q| q == p) {
                            bad.push(format!("{name}.ics: a VEVENT lacks {p}"));
                        }
                    }
                    // A cancelled event withdraws an earlier plan's visit.
                    if !props.iter().any(|q| q == "STATUS:CANCELLED") {
                        *events_per_rep.entry(name.clone()).or_default() += 1;
                    }
                    in_event = false;
                }
                _ if in_event => {
                    let (key, value) = l.split_once(':').unwrap_or((l, ""));
                    props.push(key.split(';').next().unwrap().to_string());
                    if key == "STATUS" {
                        props.push(format!("STATUS:{value}"));
                    }
                    if key == "UID" && !uids.insert(value.to_string()) {
                        bad.push(format!("{name}.ics: duplicate UID {value}"));
                    }
                    if key == "DTSTART" {
                        dtstart = value.to_string();
                    }
                    if key == "DTEND" && value <= dtstart.as_str() {
                        bad.push(format!(
                            "{name}.ics: DTEND {value} not after DTSTART {dtstart}"
                        ));
                    }
                    if key.starts_with("DTSTART") || key.starts_with("DTEND") {
                        let ok = value.len() == 15
                            && NaiveDate::parse_from_str(&value[..8], "%Y%m%d").is_ok()
                            && &value[8..9] == "T"
                            && value[9..11].parse::<u32>().is_ok_and(|h| h < 24);
                        if !ok {
                            bad.push(format!("{name}.ics: bad date-time {value}"));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let mut per_rep: HashMap<String, usize> = HashMap::new();
    for v in visits {
        *per_rep.entry(v.rep.clone()).or_default() += 1;
    }
    if per_rep != events_per_rep {
        bad.push(format!(
            "calendars hold {:?} events per rep, visits.csv {:?}",
            events_per_rep, per_rep
        ));
    }
    bad
}

/// One LineString per rep-day with visits: base, stops, base (with the road
/// vertices in between when drawn along roads).
fn check_geojson(
    out: &Path,
    by_day: &BTreeMap<(String, NaiveDate), Vec<&VisitRow>>,
    along_roads: bool,
) -> Vec<String> {
    let mut bad = Vec::new();
    let g: Value =
        serde_json::from_slice(&std::fs::read(out.join("routes.geojson")).unwrap()).unwrap();
    let features = g["features"].as_array().unwrap();
    if features.len() != by_day.len() {
        bad.push(format!(
            "routes.geojson has {} lines for {} rep-days",
            features.len(),
            by_day.len()
        ));
    }
    for f in features {
        let p = &f["properties"];
        let key = (
            p["rep"].as_str().unwrap().to_string(),
            NaiveDate::parse_from_str(p["date"].as_str().unwrap(), "%Y-%m-%d").unwrap(),
        );
        let coords = f["geometry"]["coordinates"].as_array().unwrap();
        match by_day.get(&key) {
            Some(rows)
                if (coords.len() == rows.len() + 2
                    || (along_roads && coords.len() > rows.len() + 2))
                    && f["geometry"]["type"] == "LineString" => {}
            _ => bad.push(format!(
                "routes.geojson: line of {key:?} does not match visits.csv"
            )),
        }
    }
    bad
}
