//! `territory slots`: offers that keep every planned visit, with true detours.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::common::{run_json, sample, stderr, territory};
use crate::route_checker::km;
use crate::routes::{plan_sample, routes_args};

/// (lat, lon) by id, from a CSV with `id`, `lat`, `lon` columns.
fn places(path: &Path) -> HashMap<String, (f64, f64)> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (i, la, lo) = (col("id"), col("lat"), col("lon"));
    r.records()
        .map(|row| {
            let row = row.unwrap();
            (
                row[i].to_string(),
                (row[la].parse().unwrap(), row[lo].parse().unwrap()),
            )
        })
        .collect()
}

/// A leg in whole minutes, as the plan times it (×1.3 at 30 km/h, rounded up).
fn leg(a: (f64, f64), b: (f64, f64)) -> f64 {
    (km(a, b, 1.3) / 30.0 * 60.0 - 1e-9).ceil().max(0.0)
}

/// Travel minutes of a day: base → stops → base.
fn day_minutes(base: (f64, f64), stops: &[(f64, f64)]) -> f64 {
    let mut at = base;
    let mut sum = 0.0;
    for &s in stops {
        sum += leg(at, s);
        at = s;
    }
    sum + leg(at, base)
}

fn slots_args<'a>(routes: &'a str, extra: &[&'a str]) -> Vec<String> {
    let (a, r) = (sample("accounts.csv"), sample("reps.csv"));
    let mut args: Vec<String> = [
        "slots",
        "--accounts",
        a.to_str().unwrap(),
        "--reps",
        r.to_str().unwrap(),
        "--routes",
        routes,
        "--json",
        "--quiet",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// Every offer's detour equals a recount of its day with the visit put
/// between the two visits it names. Booking the best offer (`--book 1`)
/// changes only its day, which keeps every visit and gains the booked one
/// at the quoted time, by exactly the quoted travel; the folder passes the
/// checker, and a full re-plan with the new bookings keeps the booking.
#[test]
fn offers_have_true_detours_and_bookings_hold_in_a_replan() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let a = assignment.to_str().unwrap();
    let routes = tmp.path().join("routes");
    let args = routes_args(
        a,
        routes.to_str().unwrap(),
        &["--weeks", "2", "--iterations", "60"],
    );
    let before = run_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let visits = std::fs::read_to_string(routes.join("visits.csv")).unwrap();
    let accounts = places(&sample("accounts.csv"));
    let reps = places(&sample("reps.csv"));
    // A prospect the plan does not visit.
    let prospect = std::fs::read_to_string(&assignment)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|f| f[5] == "prospect" && !visits.contains(&format!(",{},", f[0])))
        .map(|f| f[0].to_string())
        .unwrap();
    let r = routes.to_str().unwrap();
    let extra = [
        "--account",
        prospect.as_str(),
        "--assignment",
        a,
        "--top",
        "8",
    ];
    let answer = run_json(
        &slots_args(r, &extra)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    crate::schemas::assert_valid(&answer, "slots");
    let offers = answer["slots"].as_array().unwrap();
    // The sample's days are nearly full: few rep-days have room.
    assert!(!offers.is_empty() && offers.len() <= 8, "{answer}");
    assert!(answer["reason"].is_null());
    let mut last = f64::NEG_INFINITY;
    for o in offers {
        let (rep, date) = (o["rep"].as_str().unwrap(), o["date"].as_str().unwrap());
        let added = o["added_travel_min"].as_f64().unwrap();
        assert!(added >= last, "offers are sorted");
        last = added;
        let day: Vec<&str> = visits
            .lines()
            .filter(|l| l.starts_with(&format!("{rep},{date},")))
            .map(|l| l.split(',').nth(3).unwrap())
            .collect();
        let at = match o["between"][0].as_str() {
            None => 0,
            Some(prev) => day.iter().position(|x| *x == prev).unwrap() + 1,
        };
        assert_eq!(day.get(at).copied(), o["between"][1].as_str(), "{o}");
        let stops: Vec<(f64, f64)> = day.iter().map(|x| accounts[*x]).collect();
        let mut with: Vec<(f64, f64)> = stops.clone();
        with.insert(at, accounts[&prospect]);
        let recount = day_minutes(reps[rep], &with) - day_minutes(reps[rep], &stops);
        assert_eq!(added, recount, "{o}");
        let band = if added < 15.0 {
            "green"
        } else if added < 45.0 {
            "amber"
        } else {
            "red"
        };
        assert_eq!(o["band"], band);
        assert!(o["back"].as_str().unwrap() <= o["day_end"].as_str().unwrap());
    }

    // Book the best offer: only its day changes, by exactly the quoted detour.
    let best = &offers[0];
    let (rep, date) = (
        best["rep"].as_str().unwrap(),
        best["date"].as_str().unwrap(),
    );
    let booked = tmp.path().join("booked");
    let ap = sample("appointments.csv");
    let mut extra = extra.to_vec();
    extra.extend(["--book", "1", "--appointments", ap.to_str().unwrap()]);
    extra.extend(["--out", booked.to_str().unwrap()]);
    run_json(
        &slots_args(r, &extra)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let day = format!("{rep},{date},");
    let rows = |text: &str, on_day: bool| -> Vec<String> {
        text.lines()
            .skip(1)
            .filter(|l| l.starts_with(&day) == on_day)
            .map(str::to_string)
            .collect()
    };
    let after = std::fs::read_to_string(booked.join("visits.csv")).unwrap();
    assert_eq!(
        rows(&after, false),
        rows(&visits, false),
        "other days unchanged"
    );
    let account = |l: &String| l.split(',').nth(3).unwrap().to_string();
    let mut was: Vec<String> = rows(&visits, true).iter().map(account).collect();
    was.push(prospect.clone());
    let mut now: Vec<String> = rows(&after, true).iter().map(account).collect();
    was.sort();
    now.sort();
    assert_eq!(
        now, was,
        "the day keeps every visit and gains the booked one"
    );
    let row = rows(&after, true)
        .into_iter()
        .find(|l| l.contains(&format!(",{prospect},")))
        .unwrap();
    let f: Vec<&str> = row.split(',').collect();
    assert_eq!((f[6], f[12]), (best["start"].as_str().unwrap(), "true"));
    let travel = |dir: &Path| -> f64 {
        let s: Value =
            serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
        s["reps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["rep"] == rep)
            .flat_map(|r| r["days"].as_array().unwrap().clone())
            .find(|d| d["date"] == date)
            .map(|d| d["travel_min"].as_f64().unwrap())
            .unwrap()
    };
    assert_eq!(
        travel(&booked) - travel(&routes),
        best["added_travel_min"].as_f64().unwrap()
    );
    let bookings = std::fs::read_to_string(booked.join("appointments.csv")).unwrap();
    let original = std::fs::read_to_string(&ap).unwrap();
    assert_eq!(
        bookings,
        format!(
            "{original}{prospect},{date},{},{}\n",
            best["start"].as_str().unwrap(),
            answer["duration_min"].as_f64().unwrap()
        )
    );
    let summary: Value =
        serde_json::from_slice(&std::fs::read(booked.join("summary.json")).unwrap()).unwrap();
    let t = |s: &Value, k: &str| s["totals"][k].as_u64().unwrap();
    assert_eq!(
        t(&summary, "appointments_kept"),
        t(&before, "appointments_kept") + 1
    );
    assert_eq!(
        t(&summary, "scheduled_visits"),
        t(&before, "scheduled_visits") + 1
    );

    // The booked folder passes the independent checker with the new bookings.
    // A slot with another rep than the account's hands the account over.
    let handed = booked.join("assignment.csv");
    let owner_now = if handed.exists() {
        handed.clone()
    } else {
        assignment.clone()
    };
    let owners = std::fs::read_to_string(&owner_now).unwrap();
    assert!(
        owners
            .lines()
            .any(|l| l.starts_with(&format!("{prospect},{rep},"))),
        "{rep}"
    );
    let paths = [
        sample("accounts.csv"),
        sample("reps.csv"),
        owner_now.clone(),
        booked.join("appointments.csv"),
    ];
    let setup = crate::route_checker::Setup {
        weeks: 2,
        ..crate::routes::sample_setup(&paths)
    };
    let violations = crate::route_checker::check(&setup, &booked);
    assert!(violations.is_empty(), "{violations:#?}");

    // A full re-plan with the new bookings keeps the booking at its time.
    let again = tmp.path().join("again");
    let mut args = routes_args(
        owner_now.to_str().unwrap(),
        again.to_str().unwrap(),
        &["--weeks", "2", "--iterations", "60"],
    );
    let at = args.iter().position(|x| x == "--appointments").unwrap();
    args[at + 1] = booked.join("appointments.csv").to_str().unwrap().into();
    let replan = run_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        t(&replan, "appointments_kept"),
        t(&before, "appointments_kept") + 1
    );
    let replanned = std::fs::read_to_string(again.join("visits.csv")).unwrap();
    assert!(replanned.lines().any(|l| l.starts_with(&day)
        && l.contains(&format!(",{prospect},"))
        && l.split(',').nth(6) == best["start"].as_str()));
}

/// A new account given by position; nothing fits when its window lies
/// outside every working day, and the reason says so.
#[test]
fn new_accounts_and_no_slot_reasons() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let routes = tmp.path().join("routes");
    let args = routes_args(
        assignment.to_str().unwrap(),
        routes.to_str().unwrap(),
        &["--weeks", "1", "--iterations", "30"],
    );
    run_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let r = routes.to_str().unwrap();
    let ok = run_json(
        &slots_args(
            r,
            &[
                "--lat",
                "60.19",
                "--lon",
                "24.93",
                "--duration",
                "45",
                "--days",
                "wed",
            ],
        )
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>(),
    );
    let offers = ok["slots"].as_array().unwrap();
    assert!(!offers.is_empty());
    assert!(offers
        .iter()
        .all(|o| o["weekday"] == "wed" && o["date"] == "2027-01-06"));
    assert_eq!(ok["reps"].as_array().unwrap().len(), 3);
    let night = run_json(
        &slots_args(
            r,
            &[
                "--lat",
                "60.19",
                "--lon",
                "24.93",
                "--windows",
                "20:00-22:00",
            ],
        )
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>(),
    );
    assert!(night["slots"].as_array().unwrap().is_empty());
    assert!(
        night["reason"].as_str().unwrap().contains("opening window"),
        "{night}"
    );
    let weekend = run_json(
        &slots_args(r, &["--lat", "60.19", "--lon", "24.93", "--days", "sun"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(
        weekend["reason"].as_str().unwrap().contains("accepts none"),
        "{weekend}"
    );
}

#[test]
fn bad_slot_requests_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let routes = tmp.path().join("routes");
    let args = routes_args(
        assignment.to_str().unwrap(),
        routes.to_str().unwrap(),
        &["--weeks", "1", "--iterations", "20"],
    );
    run_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let r = routes.to_str().unwrap();
    let plan = tmp.path().join("plan");
    for (extra, needle) in [
        (vec!["--account", "nobody"], "nobody"),
        (
            vec!["--lat", "60.1", "--lon", "24.9", "--from", "2027-13-01"],
            "--from",
        ),
        (
            vec!["--lat", "60.1", "--lon", "24.9", "--reps-allowed", "rep-99"],
            "rep-99",
        ),
        (vec!["--lat", "99", "--lon", "24.9"], "WGS84"),
        (
            vec!["--lat", "60.1", "--lon", "24.9", "--top", "0"],
            "--top",
        ),
        (
            vec!["--lat", "60.1", "--lon", "24.9", "--windows", "9-5"],
            "--windows",
        ),
    ] {
        let args = slots_args(r, &extra);
        let run = territory(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(run.status.code(), Some(2), "{extra:?}: {}", stderr(&run));
        assert!(
            stderr(&run).contains(needle) || String::from_utf8_lossy(&run.stdout).contains(needle),
            "{extra:?}: {}",
            stderr(&run)
        );
    }
    // --book refuses what would change more than the booked day.
    let prospect = std::fs::read_to_string(&assignment)
        .unwrap()
        .lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|f| f.get(5) == Some(&"prospect"))
        .map(|f| f[0].to_string())
        .unwrap();
    let ap = sample("appointments.csv");
    let holiday = tmp.path().join("holiday.csv");
    std::fs::write(&holiday, "date\n2027-01-05\n").unwrap();
    let out = tmp.path().join("booked");
    let o = out.to_str().unwrap();
    let a = assignment.to_str().unwrap();
    let ap = ap.to_str().unwrap();
    let h = holiday.to_str().unwrap();
    let p = prospect.as_str();
    for (extra, needle) in [
        (
            vec!["--account", p, "--assignment", a, "--book", "1", "--out", o],
            "--appointments",
        ),
        (
            vec![
                "--account",
                p,
                "--assignment",
                a,
                "--book",
                "1",
                "--appointments",
                ap,
                "--out",
                o,
                "--speed",
                "40",
            ],
            "travel",
        ),
        (
            vec![
                "--account",
                p,
                "--assignment",
                a,
                "--book",
                "1",
                "--appointments",
                ap,
                "--out",
                o,
                "--holidays",
                h,
            ],
            "no longer holds",
        ),
        (
            vec!["--lat", "60.1", "--lon", "24.9", "--book", "1", "--out", o],
            "--account",
        ),
    ] {
        let args = slots_args(r, &extra);
        let run = territory(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let text = format!("{}{}", stderr(&run), String::from_utf8_lossy(&run.stdout));
        assert_eq!(run.status.code(), Some(2), "{extra:?}: {text}");
        assert!(text.contains(needle), "{extra:?}: {text}");
        assert!(!out.exists(), "{extra:?} wrote {}", out.display());
    }
    let args = slots_args(plan.to_str().unwrap(), &["--lat", "60.1", "--lon", "24.9"]);
    let run = territory(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
}

/// An account the plan already visits: its offers take the asked length
/// (the planned visit keeps its own), and never fall on a day it is visited.
#[test]
fn offers_for_a_planned_account_take_the_asked_length() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let routes = tmp.path().join("routes");
    let args = routes_args(
        assignment.to_str().unwrap(),
        routes.to_str().unwrap(),
        &["--weeks", "1", "--iterations", "30"],
    );
    run_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let visits = std::fs::read_to_string(routes.join("visits.csv")).unwrap();
    let row: Vec<&str> = visits.lines().nth(1).unwrap().split(',').collect();
    let (account, visited_on) = (row[3], row[1]);
    let answer = run_json(
        &slots_args(
            routes.to_str().unwrap(),
            &["--account", account, "--duration", "50", "--top", "20"],
        )
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>(),
    );
    let offers = answer["slots"].as_array().unwrap();
    assert!(!offers.is_empty(), "{answer}");
    let minutes = |t: &str| {
        let (h, m) = t.split_once(':').unwrap();
        h.parse::<u32>().unwrap() * 60 + m.parse::<u32>().unwrap()
    };
    for o in offers {
        let (start, end) = (o["start"].as_str().unwrap(), o["end"].as_str().unwrap());
        assert_eq!(minutes(end) - minutes(start), 50, "{o}");
        assert!(!(o["date"] == visited_on && o["rep"] == row[0]), "{o}");
    }
}
