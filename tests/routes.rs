//! `territory routes` end to end, verified by the independent checker.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::Value;

use crate::common::{run_json, sample, stderr, territory, territory_env};
use crate::route_checker::{check, Setup};

const START: &str = "2027-01-04";
const LUNCH: &str = "11:30-13:30/30";

/// Plans the sample into `dir/plan`; returns its assignment.csv.
pub fn plan_sample(dir: &Path) -> PathBuf {
    let plan = dir.join("plan");
    let (a, r) = (sample("accounts.csv"), sample("reps.csv"));
    run_json(&[
        "plan",
        "--accounts",
        a.to_str().unwrap(),
        "--reps",
        r.to_str().unwrap(),
        "--out",
        plan.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    plan.join("assignment.csv")
}

/// Arguments of `territory routes` on the sample with appointments and lunch.
pub fn routes_args<'a>(assignment: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<String> {
    let (a, r, ap) = (
        sample("accounts.csv"),
        sample("reps.csv"),
        sample("appointments.csv"),
    );
    let mut args: Vec<String> = [
        "routes",
        "--accounts",
        a.to_str().unwrap(),
        "--reps",
        r.to_str().unwrap(),
        "--assignment",
        assignment,
        "--appointments",
        ap.to_str().unwrap(),
        "--start",
        START,
        "--lunch",
        LUNCH,
        "--out",
        out,
        "--json",
        "--quiet",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// The checker's setup for the sample with `routes_args`' options (4 weeks).
pub fn sample_setup<'a>(paths: &'a [PathBuf; 4]) -> Setup<'a> {
    Setup {
        accounts: &paths[0],
        reps: &paths[1],
        assignment: &paths[2],
        appointments: Some(&paths[3]),
        start: NaiveDate::parse_from_str(START, "%Y-%m-%d").unwrap(),
        weeks: 4,
        circuity: 1.3,
        speed_kmh: 30.0,
        lunch: Some((11 * 60 + 30, 13 * 60 + 30, 30)),
        share_office: false,
        road: false,
        anchored: false,
        absences: Vec::new(),
        holidays: Vec::new(),
        history: Vec::new(),
        previous: None,
    }
}

#[test]
fn sample_four_weeks_pass_the_independent_checker() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let out = tmp.path().join("routes");
    let args = routes_args(
        assignment.to_str().unwrap(),
        out.to_str().unwrap(),
        &["--iterations", "400"],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let summary = run_json(&args);
    let totals = &summary["totals"];
    assert_eq!(totals["due_visits"], totals["scheduled_visits"], "{totals}");
    assert!(totals["due_visits"].as_u64().unwrap() > 1500);
    assert_eq!(totals["appointments_kept"], 15);
    assert_eq!(summary["unscheduled"].as_array().unwrap().len(), 0);
    assert_eq!(summary["reps"].as_array().unwrap().len(), 10);
    let paths = [
        sample("accounts.csv"),
        sample("reps.csv"),
        assignment.clone(),
        sample("appointments.csv"),
    ];
    let violations = check(&sample_setup(&paths), &out);
    assert!(violations.is_empty(), "{violations:#?}");
    for f in [
        "visits.csv",
        "routes.geojson",
        "summary.json",
        "calendars/rep-01.ics",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let on_disk: Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(on_disk["totals"], summary["totals"]);

    // The checker is not blind: a visit moved out of its window, a visit
    // dropped, and a calendar line left unfolded are all caught.
    let visits = std::fs::read_to_string(out.join("visits.csv")).unwrap();
    let mut lines: Vec<String> = visits.lines().map(str::to_string).collect();
    let row = lines
        .iter()
        .position(|l| l.split(',').count() == 17 && l.contains(",false,"))
        .expect("a plain row");
    let mut cells: Vec<String> = lines[row].split(',').map(str::to_string).collect();
    // Columns: rep, date, sequence, account, name, arrival, start, departure, ...
    cells[5] = "23:00".into();
    cells[6] = "23:00".into();
    cells[7] = format!("23:{}", cells[9]);
    lines[row] = cells.join(",");
    let tampered = tmp.path().join("tampered");
    copy_dir(&out, &tampered);
    std::fs::write(tampered.join("visits.csv"), lines.join("\n") + "\n").unwrap();
    let found = check(&sample_setup(&paths), &tampered);
    assert!(
        found.iter().any(|v| v.contains("opening windows")),
        "{found:#?}"
    );
    let dropped = tmp.path().join("dropped");
    copy_dir(&out, &dropped);
    let fewer: Vec<&str> = visits
        .lines()
        .enumerate()
        .filter(|&(i, l)| i != 1 || l.is_empty())
        .map(|(_, l)| l)
        .collect();
    std::fs::write(dropped.join("visits.csv"), fewer.join("\n") + "\n").unwrap();
    let found = check(&sample_setup(&paths), &dropped);
    assert!(
        found
            .iter()
            .any(|v| v.contains("not reported as unscheduled")),
        "{found:#?}"
    );
    let ics = dropped.join("calendars/rep-01.ics");
    let text = std::fs::read_to_string(&ics).unwrap().replace("\r\n ", "");
    std::fs::write(&ics, text).unwrap();
    let found = check(&sample_setup(&paths), &dropped);
    assert!(found.iter().any(|v| v.contains("75 octets")), "{found:#?}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.join("calendars")).unwrap();
    for entry in walk(from) {
        let rel = entry.strip_prefix(from).unwrap();
        std::fs::copy(&entry, to.join(rel)).unwrap();
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn same_seed_same_routes_on_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(format!("routes{threads}"));
        let args = routes_args(
            assignment.to_str().unwrap(),
            out.to_str().unwrap(),
            &["--iterations", "150"],
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = territory_env(&args, &[("RAYON_NUM_THREADS", threads)]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        outputs.push(std::fs::read(out.join("visits.csv")).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
}

/// A small hand-made case with one reason of each kind.
#[test]
fn unschedulable_visits_come_with_reasons() {
    let tmp = tempfile::tempdir().unwrap();
    let accounts = tmp.path().join("accounts.csv");
    std::fs::write(
        &accounts,
        "id,lat,lon,status,visits,service_min,windows,days,territory\n\
         ok,60.170,24.940,customer,4,30,,,r1\n\
         night,60.171,24.941,customer,1,30,20:00-22:00,,r1\n\
         mondays,60.172,24.942,customer,8,30,,mon,r1\n\
         weekend,60.173,24.943,customer,1,30,,sat,r1\n\
         long,60.174,24.944,customer,1,600,,,r1\n\
         rare,60.175,24.945,customer,0.5,30,,,r1\n",
    )
    .unwrap();
    let reps = tmp.path().join("reps.csv");
    std::fs::write(&reps, "id,lat,lon\nr1,60.170,24.940\n").unwrap();
    let out = tmp.path().join("routes");
    let summary = run_json(&[
        "routes",
        "--accounts",
        accounts.to_str().unwrap(),
        "--reps",
        reps.to_str().unwrap(),
        "--start",
        START,
        "--weeks",
        "2",
        "--out",
        out.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    let reasons: std::collections::HashMap<&str, &str> = summary["unscheduled"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["account"].as_str().unwrap(),
                u["reason_code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(reasons.get("night"), Some(&"no_window_fits"));
    assert_eq!(reasons.get("mondays"), Some(&"frequency_impossible"));
    assert_eq!(reasons.get("weekend"), Some(&"no_accepted_day"));
    assert_eq!(reasons.get("long"), Some(&"day_too_short"));
    // Not due in this horizon is not an alarm: it has its own list.
    assert!(!reasons.contains_key("rare"));
    let not_due: Vec<&str> = summary["not_due_in_horizon"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["account"].as_str().unwrap())
        .collect();
    assert_eq!(not_due, ["rare"]);
    assert_eq!(
        summary["not_due_in_horizon"][0]["reason_code"],
        "not_due_in_horizon"
    );
    assert!(!reasons.contains_key("ok"));
    // Weekly over two weeks: two visits on the same weekday.
    let visits = std::fs::read_to_string(out.join("visits.csv")).unwrap();
    let days: Vec<NaiveDate> = visits
        .lines()
        .filter(|l| l.contains(",ok,"))
        .map(|l| NaiveDate::parse_from_str(l.split(',').nth(1).unwrap(), "%Y-%m-%d").unwrap())
        .collect();
    assert_eq!(days.len(), 2);
    assert_eq!((days[1] - days[0]).num_days(), 7);
}

#[test]
fn bad_routes_input_exits_2_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = tmp.path().join("assignment.csv");
    std::fs::write(&assignment, "account,territory\nosm-n1007416273,rep-01\n").unwrap();
    let bad_appointments = tmp.path().join("appointments.csv");
    std::fs::write(
        &bad_appointments,
        "account,date,time,duration_min\nosm-n1007416273,2027-01-05,25:00,30\n",
    )
    .unwrap();
    let bad_assignment = tmp.path().join("bad_assignment.csv");
    std::fs::write(
        &bad_assignment,
        "account,territory\nosm-n1007416273,nobody\n",
    )
    .unwrap();
    let (a, r) = (sample("accounts.csv"), sample("reps.csv"));
    let out = tmp.path().join("out");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "--assignment",
                assignment.to_str().unwrap(),
                "--appointments",
                bad_appointments.to_str().unwrap(),
                "--start",
                START,
            ],
            "appointments.csv:2: field 'time'",
        ),
        (
            vec![
                "--assignment",
                bad_assignment.to_str().unwrap(),
                "--start",
                START,
            ],
            "bad_assignment.csv:2: field 'territory'",
        ),
        (
            vec![
                "--assignment",
                assignment.to_str().unwrap(),
                "--start",
                "2027-13-01",
            ],
            "--start",
        ),
        (
            vec![
                "--assignment",
                assignment.to_str().unwrap(),
                "--start",
                START,
                "--lunch",
                "12:00-12:20/30",
            ],
            "--lunch",
        ),
    ];
    for (extra, message) in cases {
        let mut args = vec![
            "routes",
            "--accounts",
            a.to_str().unwrap(),
            "--reps",
            r.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        let o = territory(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(message), "{message}: {}", stderr(&o));
        assert!(!out.exists());
    }
}

#[test]
fn reps_of_one_office_share_a_checked_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let out = tmp.path().join("routes");
    let args = routes_args(
        assignment.to_str().unwrap(),
        out.to_str().unwrap(),
        &["--iterations", "200", "--share-office"],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let summary = run_json(&args);
    assert_eq!(
        summary["totals"]["due_visits"],
        summary["totals"]["scheduled_visits"]
    );
    let paths = [
        sample("accounts.csv"),
        sample("reps.csv"),
        assignment.clone(),
        sample("appointments.csv"),
    ];
    let setup = Setup {
        share_office: true,
        ..sample_setup(&paths)
    };
    let violations = check(&setup, &out);
    assert!(violations.is_empty(), "{violations:#?}");
}

/// Edge cases found in review: a break before a late first visit, an
/// appointment over the lunch window, clashing appointments, and an office
/// rep who owns no accounts.
#[test]
fn edge_cases_stay_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let accounts = tmp.path().join("accounts.csv");
    std::fs::write(
        &accounts,
        "id,lat,lon,status,visits,service_min,windows,days,territory\n\
         late,60.175,24.940,customer,4,30,12:40-17:00,,r1\n\
         booked,60.172,24.942,customer,1,30,,,r1\n\
         clash1,60.171,24.943,customer,4,30,,,r1\n\
         clash2,60.176,24.944,customer,4,30,,,r1\n\
         mwf,60.173,24.941,customer,12,20,,\"mon,wed,fri\",r1\n\
         rhythm,60.174,24.945,customer,4,30,,,r1\n\
         shared1,60.180,24.950,customer,4,60,,,r2\n\
         shared2,60.181,24.951,customer,4,60,,,r2\n\
         shared3,60.182,24.952,customer,4,60,,,r2\n",
    )
    .unwrap();
    let reps = tmp.path().join("reps.csv");
    std::fs::write(
        &reps,
        "id,lat,lon,start,end,office\nr1,60.17,24.94,08:00,17:00,\nr2,60.18,24.95,08:00,10:00,HQ\nr3,60.18,24.95,08:00,17:00,HQ\n",
    )
    .unwrap();
    let appointments = tmp.path().join("appointments.csv");
    std::fs::write(
        &appointments,
        "account,date,time,duration_min\nbooked,2027-01-05,09:00,255\nclash1,2027-01-06,10:00,60\nclash2,2027-01-06,10:30,60\nrhythm,2027-01-13,15:00,30\n",
    )
    .unwrap();
    let assignment = tmp.path().join("assignment.csv");
    std::fs::write(
        &assignment,
        "account,territory\nlate,r1\nbooked,r1\nclash1,r1\nclash2,r1\nmwf,r1\nrhythm,r1\nshared1,r2\nshared2,r2\nshared3,r2\n",
    )
    .unwrap();
    let out = tmp.path().join("routes");
    let summary = run_json(&[
        "routes",
        "--accounts",
        accounts.to_str().unwrap(),
        "--reps",
        reps.to_str().unwrap(),
        "--assignment",
        assignment.to_str().unwrap(),
        "--appointments",
        appointments.to_str().unwrap(),
        "--start",
        START,
        "--lunch",
        LUNCH,
        "--share-office",
        "--out",
        out.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    let totals = &summary["totals"];
    // Every due visit is scheduled: the clashing booking's visit moves to a
    // regular day, three-a-week on Mon/Wed/Fri uses every such day, and the
    // office's second rep takes what the two-hour rep cannot.
    assert_eq!(
        totals["due_visits"], totals["scheduled_visits"],
        "{summary}"
    );
    assert_eq!(totals["appointments_kept"], 3);
    let reasons: Vec<(&str, &str)> = summary["unscheduled"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["account"].as_str().unwrap(),
                u["reason_code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(reasons, vec![("clash2", "appointment_conflict")]);
    for rep in summary["reps"].as_array().unwrap() {
        for day in rep["days"].as_array().unwrap() {
            assert!(day["work_min"].as_f64().unwrap() >= 0.0, "{day}");
        }
    }
    let paths = [accounts, reps, assignment, appointments];
    let setup = Setup {
        accounts: &paths[0],
        reps: &paths[1],
        assignment: &paths[2],
        appointments: Some(&paths[3]),
        share_office: true,
        ..sample_setup(&[
            sample("accounts.csv"),
            sample("reps.csv"),
            sample("reps.csv"),
            sample("appointments.csv"),
        ])
    };
    let violations = check(&setup, &out);
    assert!(violations.is_empty(), "{violations:#?}");
}

/// A weekly job: four one-week runs with an anchored cadence visit every
/// account exactly as often as four weeks at once would, each run checked.
#[test]
fn weekly_runs_with_an_anchored_cadence_keep_each_accounts_rhythm() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let paths = [
        sample("accounts.csv"),
        sample("reps.csv"),
        assignment.clone(),
        sample("appointments.csv"),
    ];
    let mut visits: std::collections::HashMap<String, Vec<usize>> = Default::default();
    for week in 0..4u64 {
        let start = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap() + chrono::Days::new(7 * week);
        let out = tmp.path().join(format!("week{week}"));
        let start_text = start.to_string();
        let args = routes_args(
            assignment.to_str().unwrap(),
            out.to_str().unwrap(),
            &[
                "--weeks",
                "1",
                "--cadence",
                "anchored",
                "--iterations",
                "60",
            ],
        );
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        let at = args.iter().position(|a| *a == "--start").unwrap();
        args[at + 1] = &start_text;
        let summary = run_json(&args);
        // Accounts not due this week are listed apart, so an empty
        // `unscheduled` means every due visit is planned.
        let alarms: Vec<&Value> = summary["unscheduled"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["reason_code"] == "not_due_in_horizon")
            .collect();
        assert!(alarms.is_empty(), "{alarms:?}");
        assert!(summary["not_due_in_horizon"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["reason"].as_str().unwrap().contains("anchored cadence")));
        let setup = Setup {
            start,
            weeks: 1,
            anchored: true,
            ..sample_setup(&paths)
        };
        let violations = check(&setup, &out);
        assert!(violations.is_empty(), "week {week}: {violations:#?}");
        let text = std::fs::read_to_string(out.join("visits.csv")).unwrap();
        let mut r = csv::Reader::from_reader(text.as_bytes());
        for row in r.records() {
            let row = row.unwrap();
            visits
                .entry(row[3].to_string())
                .or_default()
                .push(week as usize);
        }
    }
    let accounts = std::fs::read_to_string(sample("accounts.csv")).unwrap();
    let mut r = csv::Reader::from_reader(accounts.as_bytes());
    let headers = r.headers().unwrap().clone();
    let (id_col, visits_col) = (
        headers.iter().position(|h| h == "id").unwrap(),
        headers.iter().position(|h| h == "visits").unwrap(),
    );
    let booked = std::fs::read_to_string(sample("appointments.csv")).unwrap();
    for row in r.records() {
        let row = row.unwrap();
        let id = &row[id_col];
        if booked.contains(id) {
            continue;
        }
        let per_4: f64 = row[visits_col].parse().unwrap();
        let weeks = visits.get(id).cloned().unwrap_or_default();
        assert_eq!(
            weeks.len() as f64,
            per_4,
            "{id}: visited in weeks {weeks:?}"
        );
        if per_4 == 2.0 {
            assert_eq!(
                weeks[1] - weeks[0],
                2,
                "{id}: fortnightly in weeks {weeks:?}"
            );
        }
    }
}

/// Holidays and absences: nobody works on 6 January (Epiphany in Finland),
/// rep-02 is away on the 5th and rep-03 on the morning of the 7th. Their
/// visits move to other days, the booking on the holiday is reported, and
/// the independent checker agrees.
#[test]
fn holidays_and_absences_move_visits_and_report_bookings_on_them() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let holidays = tmp.path().join("holidays.csv");
    std::fs::write(&holidays, "date,office\n2027-01-06,\n").unwrap();
    let absences = tmp.path().join("absences.csv");
    std::fs::write(
        &absences,
        "rep,date,from,to\nrep-02,2027-01-05,,\nrep-03,2027-01-07,08:00,12:00\n",
    )
    .unwrap();
    let out = tmp.path().join("routes");
    let args = routes_args(
        assignment.to_str().unwrap(),
        out.to_str().unwrap(),
        &[
            "--weeks",
            "4",
            "--iterations",
            "80",
            "--holidays",
            holidays.to_str().unwrap(),
            "--absences",
            absences.to_str().unwrap(),
        ],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let summary = run_json(&args);
    let paths = [
        sample("accounts.csv"),
        sample("reps.csv"),
        assignment.clone(),
        sample("appointments.csv"),
    ];
    let day = |d: u32| NaiveDate::from_ymd_opt(2027, 1, d).unwrap();
    let setup = Setup {
        weeks: 4,
        absences: vec![
            ("rep-02".into(), day(5), None),
            ("rep-03".into(), day(7), Some((8 * 60, 12 * 60))),
        ],
        holidays: vec![(day(6), None)],
        ..sample_setup(&paths)
    };
    let violations = check(&setup, &out);
    assert!(violations.is_empty(), "{violations:#?}");
    let visits = std::fs::read_to_string(out.join("visits.csv")).unwrap();
    assert!(!visits.contains(",2027-01-06,"), "visits on the holiday");
    assert!(
        !visits.lines().any(|l| l.starts_with("rep-02,2027-01-05,")),
        "rep-02 is away on the 5th"
    );
    // The booking on the holiday is reported; every other due visit moved.
    let reasons: Vec<(&str, &str)> = summary["unscheduled"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["account"].as_str().unwrap(),
                u["reason_code"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        reasons.contains(&("osm-n1514631250", "appointment_rep_away")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().all(|(_, r)| *r == "appointment_rep_away"),
        "{reasons:?}"
    );
}

#[test]
fn bad_absences_holidays_and_history_exit_2_naming_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let cases = [
        (
            "--absences",
            "rep,date\nrep-01,2027-01-05\nrep-99,2027-01-05\n",
            "away.csv:3:",
            "rep-99",
        ),
        (
            "--absences",
            "rep,date,from,to\nrep-01,2027-01-05,09:00,\n",
            "away.csv:2:",
            "to",
        ),
        (
            "--absences",
            "rep,date,from,to\nrep-01,2027-01-05,12:00,09:00\n",
            "away.csv:2:",
            "later",
        ),
        (
            "--history",
            "account,date,status\nnope,2027-01-05,done\n",
            "away.csv:2:",
            "nope",
        ),
        (
            "--history",
            "account,date,status\nosm-n1369465692,2027-01-05,visited\n",
            "away.csv:2:",
            "done, missed, cancelled",
        ),
        (
            "--holidays",
            "date\n2027-13-01\n",
            "away.csv:2:",
            "2027-13-01",
        ),
    ];
    for (flag, text, line, word) in cases {
        let file = tmp.path().join("away.csv");
        std::fs::write(&file, text).unwrap();
        let out = tmp.path().join("routes-bad");
        let args = routes_args(
            assignment.to_str().unwrap(),
            out.to_str().unwrap(),
            &[flag, file.to_str().unwrap()],
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = territory(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{flag} {text}: {err}");
        assert!(err.contains(line) && err.contains(word), "{err}");
        assert!(!out.exists(), "nothing written");
    }
}

/// The weekly loop's memory: four past weeks all done except a few missed
/// visits, then two weeks planned from that history. Each account's first
/// visit falls one interval after its last done visit (within a quarter of
/// the interval), missed ones come back at once and are reported overdue.
#[test]
fn history_keeps_each_accounts_rhythm_and_brings_missed_visits_back() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let past = tmp.path().join("past");
    let args = routes_args(
        assignment.to_str().unwrap(),
        past.to_str().unwrap(),
        &["--iterations", "60"],
    );
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    let at = args.iter().position(|a| *a == "--start").unwrap();
    args[at + 1] = "2026-12-07";
    // No bookings in the past weeks.
    let ap = args.iter().position(|a| *a == "--appointments").unwrap();
    args.drain(ap..ap + 2);
    run_json(&args);
    let visits = std::fs::read_to_string(past.join("visits.csv")).unwrap();
    let mut last: std::collections::HashMap<String, NaiveDate> = Default::default();
    let mut rows: Vec<(String, NaiveDate)> = Vec::new();
    for row in csv::Reader::from_reader(visits.as_bytes()).records() {
        let row = row.unwrap();
        let date = NaiveDate::parse_from_str(&row[1], "%Y-%m-%d").unwrap();
        let e = last.entry(row[3].to_string()).or_insert(date);
        *e = (*e).max(date);
        rows.push((row[3].to_string(), date));
    }
    // Every 15th account (in id order) missed its last visit.
    let mut ids: Vec<&String> = last.keys().collect();
    ids.sort();
    let missed: Vec<String> = ids.iter().step_by(15).map(|s| s.to_string()).collect();
    let mut history = String::from("account,date,status\n");
    for (account, date) in &rows {
        let status = if missed.contains(account) && last[account] == *date {
            "missed"
        } else {
            "done"
        };
        history.push_str(&format!("{account},{date},{status}\n"));
    }
    let history_file = tmp.path().join("history.csv");
    std::fs::write(&history_file, history).unwrap();

    let out = tmp.path().join("next");
    let args = routes_args(
        assignment.to_str().unwrap(),
        out.to_str().unwrap(),
        &[
            "--weeks",
            "2",
            "--iterations",
            "60",
            "--history",
            history_file.to_str().unwrap(),
        ],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let summary = run_json(&args);
    let start = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
    let next = std::fs::read_to_string(out.join("visits.csv")).unwrap();
    let mut first: std::collections::HashMap<String, NaiveDate> = Default::default();
    for row in csv::Reader::from_reader(next.as_bytes()).records() {
        let row = row.unwrap();
        let date = NaiveDate::parse_from_str(&row[1], "%Y-%m-%d").unwrap();
        let e = first.entry(row[3].to_string()).or_insert(date);
        *e = (*e).min(date);
    }
    let booked = std::fs::read_to_string(sample("appointments.csv")).unwrap();
    let accounts = std::fs::read_to_string(sample("accounts.csv")).unwrap();
    let mut r = csv::Reader::from_reader(accounts.as_bytes());
    let headers = r.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id_col, visits_col) = (col("id"), col("visits"));
    let overdue: std::collections::HashMap<&str, i64> = summary["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["account"].as_str().unwrap(),
                o["days_overdue"].as_i64().unwrap(),
            )
        })
        .collect();
    let mut checked = 0;
    for row in r.records() {
        let row = row.unwrap();
        let id = &row[id_col];
        let Some(&done) = last.get(id) else { continue };
        if booked.contains(id) {
            continue;
        }
        let interval = 28.0 / row[visits_col].parse::<f64>().unwrap();
        let tolerance = ((interval / 4.0).floor() as i64).max(1);
        let (due, late) = if missed.iter().any(|m| m == id) {
            (done, (start - done).num_days())
        } else {
            let due = done + chrono::Days::new(interval.round() as u64);
            (due, (start - due).num_days().max(0))
        };
        assert_eq!(overdue.get(id).copied().unwrap_or(0), late, "{id}");
        let due = due.max(start);
        if due >= start + chrono::Days::new(14) {
            assert!(!first.contains_key(id), "{id}: visited before it is due");
            continue;
        }
        let got = first.get(id).copied();
        let Some(got) = got else {
            panic!("{id}: due on {due} and not visited");
        };
        if late > 0 {
            // Overdue: back within the first week.
            assert!(
                got >= start && (got - start).num_days() < 7,
                "{id}: overdue {late} days, first visit {got}"
            );
        } else {
            assert!(
                (got - due).num_days().abs() <= tolerance,
                "{id}: due {due} (±{tolerance} days), first visit {got}"
            );
        }
        checked += 1;
    }
    assert!(checked > 300, "{checked}");
}

/// `territory kpi` on two planned weeks: week 1 done, every 7th visit of
/// week 2 missed, the rest done. Each rep's figures equal a recount from the
/// files themselves.
#[test]
fn kpi_figures_equal_an_independent_recount() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let routes = tmp.path().join("routes");
    let args = routes_args(
        assignment.to_str().unwrap(),
        routes.to_str().unwrap(),
        &["--weeks", "2", "--iterations", "60"],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_json(&args);
    let visits = std::fs::read_to_string(routes.join("visits.csv")).unwrap();
    let mut history = String::from("account,date,status,rep\n");
    let mut planned: std::collections::BTreeMap<String, usize> = Default::default();
    let mut done: std::collections::BTreeMap<String, usize> = Default::default();
    let mut missed: std::collections::BTreeMap<String, usize> = Default::default();
    let mut owner: std::collections::HashMap<String, String> = Default::default();
    for (k, row) in csv::Reader::from_reader(visits.as_bytes())
        .records()
        .enumerate()
    {
        let row = row.unwrap();
        let (rep, date, account) = (&row[0], &row[1], &row[3]);
        *planned.entry(rep.to_string()).or_default() += 1;
        owner.insert(account.to_string(), rep.to_string());
        let status = if date >= "2027-01-11" && k % 7 == 0 {
            *missed.entry(rep.to_string()).or_default() += 1;
            "missed"
        } else {
            *done.entry(rep.to_string()).or_default() += 1;
            "done"
        };
        history.push_str(&format!("{account},{date},{status},{rep}\n"));
    }
    let history_file = tmp.path().join("history.csv");
    std::fs::write(&history_file, history).unwrap();
    let out = tmp.path().join("kpi");
    let a = sample("accounts.csv");
    let kpi = run_json(&[
        "kpi",
        "--accounts",
        a.to_str().unwrap(),
        "--routes",
        routes.to_str().unwrap(),
        "--history",
        history_file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    assert_eq!(kpi["from"], "2027-01-04");
    assert_eq!(kpi["to"], "2027-01-17");
    // Revenue per rep, recounted over the accounts its plan visits.
    let accounts = std::fs::read_to_string(&a).unwrap();
    let mut r = csv::Reader::from_reader(accounts.as_bytes());
    let headers = r.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id_col, revenue_col) = (col("id"), col("revenue"));
    let mut revenue: std::collections::BTreeMap<String, f64> = Default::default();
    for row in r.records() {
        let row = row.unwrap();
        if let Some(rep) = owner.get(&row[id_col]) {
            *revenue.entry(rep.clone()).or_default() +=
                row[revenue_col].parse::<f64>().unwrap_or(0.0);
        }
    }
    let reps = kpi["reps"].as_array().unwrap();
    assert!(!reps.is_empty());
    for rep in reps {
        let id = rep["rep"].as_str().unwrap();
        let n =
            |m: &std::collections::BTreeMap<String, usize>| m.get(id).copied().unwrap_or(0) as u64;
        assert_eq!(rep["planned"].as_u64().unwrap(), n(&planned), "{id}");
        assert_eq!(rep["done"].as_u64().unwrap(), n(&done), "{id}");
        assert_eq!(rep["missed"].as_u64().unwrap(), n(&missed), "{id}");
        let sum = rep["sums"]["revenue"].as_f64().unwrap();
        let want = revenue.get(id).copied().unwrap_or(0.0);
        assert!(
            (sum - want).abs() < 1e-6 * want.max(1.0),
            "{id}: {sum} vs {want}"
        );
        // A missed visit is still owed at the end of the period.
        if n(&missed) > 0 {
            assert!(!rep["overdue"].as_array().unwrap().is_empty(), "{id}");
        }
        let c = rep["coverage"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&c), "{id}: {c}");
    }
    assert!(out.join("kpi.csv").exists() && out.join("kpi.json").exists());
}

/// When the days are full, accounts already late keep their visits: 25
/// weekly accounts of two hours each at the base, 20 due on the same two
/// days and 5 overdue (a missed visit in the history).
#[test]
fn overdue_accounts_keep_their_visits_when_days_are_full() {
    let tmp = tempfile::tempdir().unwrap();
    let accounts = tmp.path().join("accounts.csv");
    let mut text = String::from("id,lat,lon,status,visits,service_min,territory\n");
    for i in 0..25 {
        text.push_str(&format!("a{i:02},60.170,24.940,customer,4,120,r1\n"));
    }
    std::fs::write(&accounts, text).unwrap();
    let reps = tmp.path().join("reps.csv");
    std::fs::write(
        &reps,
        "id,lat,lon,start,end\nr1,60.170,24.940,08:30,17:30\n",
    )
    .unwrap();
    let history = tmp.path().join("history.csv");
    let mut h = String::from("account,date,status\n");
    for i in 0..25 {
        let status = if i % 5 == 4 { "missed" } else { "done" };
        h.push_str(&format!("a{i:02},2026-12-28,{status}\n"));
    }
    std::fs::write(&history, h).unwrap();
    let out = tmp.path().join("routes");
    let summary = run_json(&[
        "routes",
        "--accounts",
        accounts.to_str().unwrap(),
        "--reps",
        reps.to_str().unwrap(),
        "--history",
        history.to_str().unwrap(),
        "--start",
        START,
        "--weeks",
        "1",
        "--out",
        out.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    let overdue: Vec<&str> = summary["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["account"].as_str().unwrap())
        .collect();
    assert_eq!(overdue, ["a04", "a09", "a14", "a19", "a24"]);
    let short: Vec<&str> = summary["unscheduled"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["account"].as_str().unwrap())
        .collect();
    // The 20 on time are due on Monday or Tuesday (±1 day of the 4th), with
    // room for 8; the 5 late ones may come any day of the week, so all 5
    // are planned and 12 of the others are short.
    assert_eq!(short.len(), 12, "{short:?}");
    assert!(short.iter().all(|a| !overdue.contains(a)), "{short:?}");
    // The shortage is reported with the factor the rep's intervals stretch by.
    let t = &summary["totals"];
    let (due, made) = (
        t["due_visits"].as_u64().unwrap(),
        t["scheduled_visits"].as_u64().unwrap(),
    );
    assert_eq!((due, made), (25, 13));
    let stretched = summary["stretched"].as_array().unwrap();
    assert_eq!(stretched.len(), 1, "{stretched:?}");
    let s = &stretched[0];
    assert_eq!(s["rep"], "r1");
    assert_eq!(s["due_visits"], due);
    assert_eq!(s["scheduled_visits"], made);
    assert_eq!(s["short_visits"], 12);
    assert_eq!(s["accounts_short"], 12);
    let factor = (due as f64 / made as f64 * 1000.0).round() / 1000.0;
    assert_eq!(s["factor"].as_f64().unwrap(), factor);
}

#[test]
fn bad_kpi_input_exits_2_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let routes = tmp.path().join("routes");
    let args = routes_args(
        assignment.to_str().unwrap(),
        routes.to_str().unwrap(),
        &["--weeks", "1", "--iterations", "20"],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_json(&args);
    let a = sample("accounts.csv");
    let history = tmp.path().join("history.csv");
    let out = tmp.path().join("kpi");
    let cases: [(&str, &[&str], &str); 3] = [
        (
            "account,date,status\nnope,2027-01-04,done\n",
            &[],
            "history.csv:2:",
        ),
        (
            "account,date,status\nosm-n1369465692,2027-01-04,done\n",
            &["--from", "2027-02-30"],
            "--from",
        ),
        (
            "account,date,status\nosm-n1369465692,2027-01-04,done\n",
            &["--from", "2027-01-10", "--to", "2027-01-05"],
            "before",
        ),
    ];
    for (text, extra, word) in cases {
        std::fs::write(&history, text).unwrap();
        let mut args = vec![
            "kpi",
            "--accounts",
            a.to_str().unwrap(),
            "--routes",
            routes.to_str().unwrap(),
            "--history",
            history.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = territory(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(word), "{err}");
        assert!(!out.exists(), "nothing written");
    }
}

/// (account, rep, date) of every visit in `visits.csv` on or after `from`.
fn visit_keys(dir: &Path, from: &str) -> std::collections::BTreeSet<(String, String, String)> {
    let text = std::fs::read_to_string(dir.join("visits.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[1] >= from)
        .map(|f| (f[3].to_string(), f[0].to_string(), f[1].to_string()))
        .collect()
}

/// Two weeks planned, then re-planned from their second week with the
/// first two working days frozen and rep-04 away on one of them: the frozen
/// days are byte-identical, rep-04's day moves with reason `rep_away`, the
/// changes listed are exactly the earlier visits no longer in place, and the
/// change cost keeps the plan closer to the earlier one than a fresh plan.
#[test]
fn replanning_keeps_frozen_days_and_reports_every_change() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let a = assignment.to_str().unwrap();
    let first = tmp.path().join("week1");
    let args = routes_args(
        a,
        first.to_str().unwrap(),
        &["--weeks", "2", "--iterations", "80"],
    );
    run_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let absences = tmp.path().join("absences.csv");
    std::fs::write(&absences, "rep,date\nrep-04,2027-01-12\n").unwrap();
    let replan = |out: &Path, previous: bool| {
        let mut extra = vec![
            "--weeks",
            "2",
            "--iterations",
            "80",
            "--absences",
            absences.to_str().unwrap(),
        ];
        if previous {
            extra.extend(["--previous", first.to_str().unwrap(), "--freeze-days", "2"]);
        }
        let mut args = routes_args(a, out.to_str().unwrap(), &extra);
        let at = args.iter().position(|x| x == "--start").unwrap();
        args[at + 1] = "2027-01-11".into();
        run_json(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let second = tmp.path().join("week2");
    let summary = replan(&second, true);
    let fresh = tmp.path().join("fresh");
    replan(&fresh, false);

    // Frozen days: every rep's rows of the 11th and 12th, except rep-04's 12th.
    let rows = |dir: &Path| -> Vec<String> {
        let text = std::fs::read_to_string(dir.join("visits.csv")).unwrap();
        text.lines()
            .filter(|l| {
                (l.contains(",2027-01-11,") || l.contains(",2027-01-12,"))
                    && !l.starts_with("rep-04,2027-01-12,")
            })
            .map(str::to_string)
            .collect()
    };
    let frozen_before = rows(&first);
    assert!(frozen_before.len() > 50, "{}", frozen_before.len());
    assert_eq!(rows(&second), frozen_before, "frozen days changed");
    let r = &summary["replan"];
    assert_eq!(r["frozen_days"], 19, "{r}");

    // The changes are exactly the earlier visits no longer in place.
    let before = visit_keys(&first, "2027-01-11");
    let after = visit_keys(&second, "2027-01-11");
    let gone: std::collections::BTreeSet<_> = before.difference(&after).cloned().collect();
    let changed = r["changed_visits"].as_array().unwrap();
    let listed: std::collections::BTreeSet<(String, String, String)> = changed
        .iter()
        .map(|c| {
            (
                c["account"].as_str().unwrap().to_string(),
                c["rep"].as_str().unwrap().to_string(),
                c["date"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(listed, gone);
    assert_eq!(r["previous_visits"], before.len());
    assert_eq!(r["kept_visits"], before.len() - gone.len());
    for c in changed {
        let reason = c["reason"].as_str().unwrap();
        if c["rep"] == "rep-04" && c["date"] == "2027-01-12" {
            assert_eq!(reason, "rep_away", "{c}");
        }
        match c["change"].as_str().unwrap() {
            "dropped" => assert!(c["new_date"].is_null()),
            _ => {
                let key = (
                    c["account"].as_str().unwrap().to_string(),
                    c["new_rep"].as_str().unwrap().to_string(),
                    c["new_date"].as_str().unwrap().to_string(),
                );
                assert!(after.contains(&key), "{c}");
            }
        }
    }
    assert!(changed.iter().any(|c| c["reason"] == "rep_away"));
    assert!(!visit_keys(&second, "2027-01-12")
        .iter()
        .any(|(_, rep, date)| rep == "rep-04" && date == "2027-01-12"));
    // Stability costs a little travel but changes far less than a fresh plan.
    let fresh_gone = before.difference(&visit_keys(&fresh, "2027-01-11")).count();
    assert!(
        gone.len() * 2 < fresh_gone,
        "{} changed with --previous, {fresh_gone} from scratch",
        gone.len()
    );

    // Calendars: a visit moved to another day keeps its UID with SEQUENCE
    // raised; one dropped or handed to another rep is a CANCELLED event in
    // its old rep's calendar (and a new event in the new rep's).
    let ids = |dir: &Path| -> std::collections::BTreeMap<(String, String, String), (String, u32)> {
        let text = std::fs::read_to_string(dir.join("visits.csv")).unwrap();
        text.lines()
            .skip(1)
            .map(|l| l.split(',').collect::<Vec<_>>())
            .map(|f| {
                let n = f.len();
                (
                    (f[3].to_string(), f[0].to_string(), f[1].to_string()),
                    (f[n - 2].to_string(), f[n - 1].parse().unwrap()),
                )
            })
            .collect()
    };
    let (old_ids, new_ids) = (ids(&first), ids(&second));
    // DTSTAMP is when the calendar was written (here SOURCE_DATE_EPOCH).
    let ics = std::fs::read_to_string(second.join("calendars/rep-01.ics")).unwrap();
    assert!(ics.contains("DTSTAMP:20270101T000000Z"), "{}", &ics[..400]);
    for c in changed {
        let key = |rep: &str, date: &str| {
            (
                c["account"].as_str().unwrap().to_string(),
                rep.to_string(),
                date.to_string(),
            )
        };
        let (uid, revision) =
            &old_ids[&key(c["rep"].as_str().unwrap(), c["date"].as_str().unwrap())];
        if c["change"] != "moved_day" {
            let rep = c["rep"].as_str().unwrap();
            let ics = std::fs::read_to_string(second.join(format!("calendars/{rep}.ics"))).unwrap();
            let event = ics
                .split("BEGIN:VEVENT")
                .find(|e| e.contains(&format!("UID:{uid}@territory")))
                .unwrap_or_else(|| panic!("no event for dropped {c}"));
            assert!(event.contains("STATUS:CANCELLED"), "{event}");
            assert!(
                event.contains(&format!("SEQUENCE:{}", revision + 1)),
                "{event}"
            );
            if c["change"] == "moved_rep" {
                let rep = c["new_rep"].as_str().unwrap();
                let new = &new_ids[&key(rep, c["new_date"].as_str().unwrap())];
                assert_ne!(&new.0, uid, "{c}");
                let ics =
                    std::fs::read_to_string(second.join(format!("calendars/{rep}.ics"))).unwrap();
                assert!(ics.contains(&format!("UID:{}@territory", new.0)), "{c}");
            }
        } else {
            let new = &new_ids[&key(
                c["new_rep"].as_str().unwrap(),
                c["new_date"].as_str().unwrap(),
            )];
            assert_eq!(new, &(uid.clone(), revision + 1), "{c}");
        }
    }

    // The re-plan passes the independent checker.
    let paths = [
        sample("accounts.csv"),
        sample("reps.csv"),
        assignment.clone(),
        sample("appointments.csv"),
    ];
    let setup = Setup {
        start: NaiveDate::from_ymd_opt(2027, 1, 11).unwrap(),
        weeks: 2,
        absences: vec![(
            "rep-04".into(),
            NaiveDate::from_ymd_opt(2027, 1, 12).unwrap(),
            None,
        )],
        previous: Some((first.clone(), 2)),
        ..sample_setup(&paths)
    };
    let violations = check(&setup, &second);
    assert!(violations.is_empty(), "{violations:#?}");

    // A folder that is not a routes folder, or --previous as --out: exit 2, nothing written.
    let plan_dir = assignment.parent().unwrap().to_str().unwrap().to_string();
    let bad_out = tmp.path().join("bad");
    for (previous, out) in [
        (plan_dir.as_str(), bad_out.to_str().unwrap()),
        (first.to_str().unwrap(), first.to_str().unwrap()),
    ] {
        let listing_before = std::fs::read(first.join("visits.csv")).unwrap();
        let args = routes_args(a, out, &["--weeks", "1", "--previous", previous]);
        let run = territory(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
        assert!(stderr(&run).contains("previous") || stderr(&run).contains("summary.json"));
        assert!(!bad_out.exists());
        assert_eq!(
            std::fs::read(first.join("visits.csv")).unwrap(),
            listing_before
        );
    }
}

/// A previous plan whose `visits.csv` has a bad row: exit 2 naming the file,
/// the line and the field, and nothing written.
#[test]
fn malformed_previous_visits_exit_2_naming_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let a = assignment.to_str().unwrap();
    let first = tmp.path().join("week1");
    let args = routes_args(
        a,
        first.to_str().unwrap(),
        &["--weeks", "1", "--iterations", "20"],
    );
    run_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let text = std::fs::read_to_string(first.join("visits.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let third: Vec<&str> = lines[2].split(',').collect();
    for (field, at, value) in [("date", 1, "2027-02-30"), ("start", 6, "25:99")] {
        let bad = tmp.path().join(format!("bad-{field}"));
        std::fs::create_dir(&bad).unwrap();
        std::fs::copy(first.join("summary.json"), bad.join("summary.json")).unwrap();
        let mut row = third.clone();
        row[at] = value;
        let mut rows = lines.clone();
        let joined = row.join(",");
        rows[2] = &joined;
        std::fs::write(bad.join("visits.csv"), rows.join("\n") + "\n").unwrap();
        let out = tmp.path().join(format!("out-{field}"));
        let args = routes_args(
            a,
            out.to_str().unwrap(),
            &["--weeks", "1", "--previous", bad.to_str().unwrap()],
        );
        let run = territory(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let err = stderr(&run);
        assert_eq!(run.status.code(), Some(2), "{err}");
        assert!(err.contains("visits.csv:3"), "{err}");
        assert!(err.contains(value) && err.contains(field), "{err}");
        assert!(!out.exists());
    }
}

/// Accounts handed to another rep between two plans: their earlier visits
/// are `moved_rep` (reason `reassigned`), cancelled in the old rep's
/// calendar under their old UID, and new events (new UIDs) in the new rep's.
#[test]
fn reassigned_visits_are_cancelled_in_the_old_reps_calendar() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let first = tmp.path().join("week1");
    let args = routes_args(
        assignment.to_str().unwrap(),
        first.to_str().unwrap(),
        &["--weeks", "2", "--iterations", "40"],
    );
    run_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    // Three accounts rep-01 visits on Thursday the 14th go to rep-02.
    let visits = std::fs::read_to_string(first.join("visits.csv")).unwrap();
    let booked = std::fs::read_to_string(sample("appointments.csv")).unwrap();
    let moved: Vec<(String, String, u32)> = visits
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[0] == "rep-01" && f[1] == "2027-01-14" && !booked.contains(f[3]))
        .take(3)
        .map(|f| {
            let n = f.len();
            (
                f[3].to_string(),
                f[n - 2].to_string(),
                f[n - 1].parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(moved.len(), 3);
    let text = std::fs::read_to_string(&assignment).unwrap();
    let edited: String = text
        .lines()
        .map(|l| {
            let mut f: Vec<String> = l.split(',').map(str::to_string).collect();
            if moved.iter().any(|m| m.0 == f[0]) {
                f[1] = "rep-02".into();
            }
            f.join(",") + "\n"
        })
        .collect();
    let edited_path = tmp.path().join("edited.csv");
    std::fs::write(&edited_path, edited).unwrap();
    let second = tmp.path().join("week2");
    let mut args = routes_args(
        edited_path.to_str().unwrap(),
        second.to_str().unwrap(),
        &[
            "--weeks",
            "2",
            "--iterations",
            "40",
            "--previous",
            first.to_str().unwrap(),
            "--freeze-days",
            "2",
        ],
    );
    let at = args.iter().position(|x| x == "--start").unwrap();
    args[at + 1] = "2027-01-11".into();
    let summary = run_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let old_ics = std::fs::read_to_string(second.join("calendars/rep-01.ics")).unwrap();
    let new_ics = std::fs::read_to_string(second.join("calendars/rep-02.ics")).unwrap();
    let after = std::fs::read_to_string(second.join("visits.csv")).unwrap();
    for (account, uid, revision) in &moved {
        let change = summary["replan"]["changed_visits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["account"] == account.as_str() && c["date"] == "2027-01-14")
            .unwrap_or_else(|| panic!("{account}: no change listed"));
        assert_eq!(change["reason"], "reassigned", "{change}");
        let event = old_ics
            .split("BEGIN:VEVENT")
            .find(|e| e.contains(&format!("UID:{uid}@territory")))
            .unwrap_or_else(|| panic!("{account}: not cancelled in rep-01's calendar"));
        assert!(event.contains("STATUS:CANCELLED"), "{event}");
        assert!(
            event.contains(&format!("SEQUENCE:{}", revision + 1)),
            "{event}"
        );
        if change["change"] == "moved_rep" {
            assert_eq!(change["new_rep"], "rep-02");
            let row = after
                .lines()
                .find(|l| l.starts_with("rep-02,") && l.contains(&format!(",{account},")))
                .unwrap();
            let new_uid = row.split(',').rev().nth(1).unwrap();
            assert_ne!(new_uid, uid);
            assert!(new_ics.contains(&format!("UID:{new_uid}@territory")));
            assert!(!new_ics.contains(&format!("UID:{uid}@territory")));
        }
    }
    assert!(summary["replan"]["changed_visits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["change"] == "moved_rep"));
}

/// Flexible bookings (`flex` day or week) land inside their freedom, show as
/// booked, take the booked length, and pass the checker; a bad `flex` value
/// exits 2 naming the line.
#[test]
fn flexible_bookings_land_inside_their_freedom() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let a = assignment.to_str().unwrap();
    let booked = std::fs::read_to_string(sample("appointments.csv")).unwrap();
    // Three customers without bookings or restricted weekdays.
    let accounts = std::fs::read_to_string(sample("accounts.csv")).unwrap();
    let mut r = csv::Reader::from_reader(accounts.as_bytes());
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let picked: Vec<String> = r
        .records()
        .map(Result::unwrap)
        .filter(|row| &row[col("status")] == "customer" && row[col("days")].is_empty())
        .map(|row| row[col("id")].to_string())
        .filter(|id| !booked.contains(id.as_str()))
        .take(3)
        .collect();
    let file = tmp.path().join("flex.csv");
    let mut text = String::from("account,date,time,duration_min,flex\n");
    for line in booked.lines().skip(1) {
        text.push_str(&format!("{line},\n"));
    }
    text.push_str(&format!("{},2027-01-07,,50,day\n", picked[0]));
    text.push_str(&format!("{},2027-01-13,,40,week\n", picked[1]));
    text.push_str(&format!("{},2027-01-05,09:00,35,day\n", picked[2]));
    std::fs::write(&file, text).unwrap();
    let out = tmp.path().join("routes");
    let mut args = routes_args(
        a,
        out.to_str().unwrap(),
        &["--weeks", "2", "--iterations", "80"],
    );
    let at = args.iter().position(|x| x == "--appointments").unwrap();
    args[at + 1] = file.to_str().unwrap().into();
    let summary = run_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let visits = std::fs::read_to_string(out.join("visits.csv")).unwrap();
    let rows = |id: &str| -> Vec<Vec<String>> {
        visits
            .lines()
            .map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>())
            .filter(|f| f[3] == id && f[12] == "true")
            .collect()
    };
    let on = |id: &str| rows(id);
    let day0 = on(&picked[0]);
    assert_eq!(day0.len(), 1, "{day0:?}");
    assert_eq!(day0[0][1], "2027-01-07");
    assert_eq!(day0[0][9], "50");
    let week = on(&picked[1]);
    assert_eq!(week.len(), 1, "{week:?}");
    assert!(
        ("2027-01-11".."2027-01-16").contains(&week[0][1].as_str()),
        "{week:?}"
    );
    assert_eq!(week[0][9], "40");
    let timed = on(&picked[2]);
    assert_eq!((timed.len(), timed[0][1].as_str()), (1, "2027-01-05"));
    assert!(
        summary["unscheduled"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| !picked.contains(&u["account"].as_str().unwrap().to_string())),
        "{}",
        summary["unscheduled"]
    );
    let paths = [
        sample("accounts.csv"),
        sample("reps.csv"),
        assignment.clone(),
        file.clone(),
    ];
    let setup = Setup {
        weeks: 2,
        ..sample_setup(&paths)
    };
    let violations = check(&setup, &out);
    assert!(violations.is_empty(), "{violations:#?}");

    // Re-planned with the first week frozen: every frozen day holds, the
    // flexible bookings among them included.
    let again = tmp.path().join("again");
    let mut args = routes_args(
        a,
        again.to_str().unwrap(),
        &[
            "--weeks",
            "2",
            "--iterations",
            "80",
            "--previous",
            out.to_str().unwrap(),
            "--freeze-days",
            "5",
        ],
    );
    args[at + 1] = file.to_str().unwrap().into();
    let replan = run_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(replan["replan"]["frozen_days"], 50, "{}", replan["replan"]);
    assert_eq!(
        replan["totals"]["appointments_kept"],
        summary["totals"]["appointments_kept"]
    );
    let kept = std::fs::read_to_string(again.join("visits.csv")).unwrap();
    assert!(kept.lines().any(|l| l.contains(",2027-01-07,")
        && l.contains(&format!(",{},", picked[0]))
        && l.contains(",true,")));

    std::fs::write(
        &file,
        format!(
            "account,date,time,duration_min,flex\n{},2027-01-07,,50,month\n",
            picked[0]
        ),
    )
    .unwrap();
    let bad = tmp.path().join("bad");
    let mut args = routes_args(a, bad.to_str().unwrap(), &["--weeks", "2"]);
    args[at + 1] = file.to_str().unwrap().into();
    let run = territory(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(
        stderr(&run).contains(":2") && stderr(&run).contains("month"),
        "{}",
        stderr(&run)
    );
    assert!(!bad.exists());
}

/// `--fill prospects` adds visits of prospects not due in the horizon where
/// days have room: every due visit is still planned, the fills are listed
/// with the travel they add (which is what the plan's travel grows by), and
/// the checker passes.
#[test]
fn fill_adds_prospects_without_pushing_out_due_visits() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let a = assignment.to_str().unwrap();
    let plain = tmp.path().join("plain");
    let filled = tmp.path().join("filled");
    let run = |out: &Path, extra: &[&str]| {
        let mut e = vec!["--weeks", "1", "--iterations", "60"];
        e.extend_from_slice(extra);
        let args = routes_args(a, out.to_str().unwrap(), &e);
        run_json(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let before = run(&plain, &[]);
    let after = run(&filled, &["--fill", "prospects"]);
    let t = |s: &Value, k: &str| s["totals"][k].as_u64().unwrap();
    assert_eq!(t(&after, "due_visits"), t(&before, "due_visits"));
    assert_eq!(
        t(&after, "scheduled_visits"),
        t(&before, "scheduled_visits")
    );
    assert_eq!(after["unscheduled"], before["unscheduled"]);
    let fills = after["filled"].as_array().unwrap();
    assert!(fills.len() > 20, "{}", fills.len());
    let prospects: std::collections::BTreeSet<String> = std::fs::read_to_string(&assignment)
        .unwrap()
        .lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f.get(5) == Some(&"prospect"))
        .map(|f| f[0].to_string())
        .collect();
    let visits = std::fs::read_to_string(filled.join("visits.csv")).unwrap();
    let rows: Vec<Vec<&str>> = visits
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(
        rows.len() as u64,
        t(&after, "scheduled_visits") + fills.len() as u64
    );
    for f in fills {
        let id = f["account"].as_str().unwrap();
        assert!(prospects.contains(id), "{id} is not a prospect");
        assert!(
            rows.iter()
                .any(|r| r[3] == id && r[0] == f["rep"] && r[1] == f["date"]),
            "{f}"
        );
    }
    // The fills come after the search, so the due visits' routes are the
    // same and the plan's travel grows by exactly the fills' own.
    let added: f64 = fills
        .iter()
        .map(|f| f["added_travel_min"].as_f64().unwrap())
        .sum();
    let travel = |s: &Value| s["totals"]["travel_min"].as_f64().unwrap();
    assert!(
        (travel(&after) - travel(&before) - added).abs() < 0.05,
        "{added}"
    );
    let paths = [
        sample("accounts.csv"),
        sample("reps.csv"),
        assignment.clone(),
        sample("appointments.csv"),
    ];
    let setup = Setup {
        weeks: 1,
        ..sample_setup(&paths)
    };
    let violations = check(&setup, &filled);
    assert!(violations.is_empty(), "{violations:#?}");
    // At most two per rep-day with --fill-max 2.
    let capped = run(
        &tmp.path().join("capped"),
        &["--fill", "prospects", "--fill-max", "2"],
    );
    let capped = capped["filled"].as_array().unwrap();
    let mut per_day: std::collections::BTreeMap<(String, String), usize> = Default::default();
    for f in capped {
        *per_day
            .entry((f["rep"].to_string(), f["date"].to_string()))
            .or_default() += 1;
    }
    assert!(per_day.values().all(|&n| n <= 2), "{per_day:?}");
    assert!(!capped.is_empty() && capped.len() < fills.len());
    // An unknown column is refused.
    let bad = tmp.path().join("bad");
    let args = routes_args(
        a,
        bad.to_str().unwrap(),
        &["--weeks", "1", "--fill", "nonsense"],
    );
    let out = territory(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("nonsense"));
}

/// History rows dated on or after --start are not history: they are left
/// out with a warning, and the account's rhythm runs from its real past.
#[test]
fn history_from_the_future_is_left_out_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let history = tmp.path().join("history.csv");
    std::fs::write(
        &history,
        "account,date,status\nosm-n1007416307,2026-12-01,done\nosm-n1007416307,2030-01-01,done\n",
    )
    .unwrap();
    let out = tmp.path().join("routes");
    let args = routes_args(
        assignment.to_str().unwrap(),
        out.to_str().unwrap(),
        &[
            "--weeks",
            "2",
            "--iterations",
            "30",
            "--history",
            history.to_str().unwrap(),
        ],
    );
    let summary = run_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let warnings = summary["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("1 rows")
                && w.as_str().unwrap().contains("left out")),
        "{warnings:?}"
    );
    // Monthly, last seen on 1 December: overdue, not "not due".
    let overdue = summary["overdue"].as_array().unwrap();
    assert!(
        overdue.iter().any(|o| o["account"] == "osm-n1007416307"),
        "{overdue:?}"
    );
}

/// One command's folder never replaces another's: routes (or a booking)
/// into a plan folder, or a plan into a routes folder, exits 2 and leaves
/// the folder as it was.
#[test]
fn a_routes_folder_never_replaces_a_plan_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let plan = assignment.parent().unwrap().to_path_buf();
    let copy = tmp.path().join("plan-copy");
    std::fs::create_dir(&copy).unwrap();
    for f in std::fs::read_dir(&plan).unwrap() {
        let f = f.unwrap().path();
        if f.is_file() {
            std::fs::copy(&f, copy.join(f.file_name().unwrap())).unwrap();
        }
    }
    let before = std::fs::read(copy.join("summary.json")).unwrap();
    let args = routes_args(
        assignment.to_str().unwrap(),
        copy.to_str().unwrap(),
        &["--weeks", "1", "--iterations", "20"],
    );
    let run = territory(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(stderr(&run).contains("territory plan"), "{}", stderr(&run));
    assert_eq!(std::fs::read(copy.join("summary.json")).unwrap(), before);
    // And the other way round.
    let routes = tmp.path().join("routes");
    let args = routes_args(
        assignment.to_str().unwrap(),
        routes.to_str().unwrap(),
        &["--weeks", "1", "--iterations", "20"],
    );
    run_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let (a, r) = (sample("accounts.csv"), sample("reps.csv"));
    let run = territory(&[
        "plan",
        "--accounts",
        a.to_str().unwrap(),
        "--reps",
        r.to_str().unwrap(),
        "--out",
        routes.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(routes.join("visits.csv").exists());
}

/// A week booking whose week only partly overlaps the horizon lands in the
/// overlap; a re-plan that moves it inside its week does not call that a
/// booking change.
#[test]
fn week_bookings_overlapping_the_horizon_and_replans() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let a = assignment.to_str().unwrap();
    let file = tmp.path().join("week.csv");
    std::fs::write(
        &file,
        "account,date,time,duration_min,flex\nosm-n1007416307,2027-01-04,,40,week\n",
    )
    .unwrap();
    let out = tmp.path().join("routes");
    let mut args = routes_args(
        a,
        out.to_str().unwrap(),
        &["--weeks", "1", "--iterations", "40"],
    );
    let at = args.iter().position(|x| x == "--appointments").unwrap();
    args[at + 1] = file.to_str().unwrap().into();
    let s = args.iter().position(|x| x == "--start").unwrap();
    args[s + 1] = "2027-01-06".into();
    let summary = run_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        summary["totals"]["appointments_outside_horizon"], 0,
        "{}",
        summary["totals"]
    );
    assert_eq!(
        summary["totals"]["appointments_kept"], 1,
        "{}",
        summary["totals"]
    );
    let visits = std::fs::read_to_string(out.join("visits.csv")).unwrap();
    let row = visits
        .lines()
        .find(|l| l.contains(",osm-n1007416307,") && l.contains(",true,"))
        .expect("the week booking is planned");
    let date = row.split(',').nth(1).unwrap();
    assert!(("2027-01-06".."2027-01-11").contains(&date), "{row}");

    // Re-planned from that plan: wherever the booking goes in its week, no
    // change is put down to the booking.
    let again = tmp.path().join("again");
    let mut args = routes_args(
        a,
        again.to_str().unwrap(),
        &[
            "--weeks",
            "1",
            "--iterations",
            "40",
            "--previous",
            out.to_str().unwrap(),
        ],
    );
    args[at + 1] = file.to_str().unwrap().into();
    args[s + 1] = "2027-01-06".into();
    let replan = run_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let changes = replan["replan"]["changed_visits"].as_array().unwrap();
    assert!(
        changes.iter().all(|c| c["reason"] != "booking_changed"),
        "{changes:?}"
    );
}

/// Flexible bookings of one account share one length and one per day:
/// otherwise exit 2 naming the line.
#[test]
fn conflicting_flexible_bookings_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let file = tmp.path().join("flex.csv");
    for (rows, needle) in [
        (
            "osm-n1007988753,2027-01-05,,30,day\nosm-n1007988753,2027-01-05,,30,day\n",
            "twice",
        ),
        (
            "osm-n1007988753,2027-01-05,,60,week\nosm-n1007988753,2027-01-14,,45,week\n",
            "share one length",
        ),
    ] {
        std::fs::write(
            &file,
            format!("account,date,time,duration_min,flex\n{rows}"),
        )
        .unwrap();
        let out = tmp.path().join("routes");
        let mut args = routes_args(
            assignment.to_str().unwrap(),
            out.to_str().unwrap(),
            &["--weeks", "2"],
        );
        let at = args.iter().position(|x| x == "--appointments").unwrap();
        args[at + 1] = file.to_str().unwrap().into();
        let run = territory(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
        assert!(
            stderr(&run).contains(":3") && stderr(&run).contains(needle),
            "{}",
            stderr(&run)
        );
        assert!(!out.exists());
    }
}

/// A flexible booking that cannot be kept (here: on a Friday the account
/// does not accept) is reported as `flexible_booking_not_kept`, and the
/// account's regular visits still come.
#[test]
fn a_flexible_booking_not_kept_is_reported_and_regular_visits_come() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let file = tmp.path().join("flex.csv");
    // osm-n1369465662 accepts Monday to Thursday.
    std::fs::write(
        &file,
        "account,date,time,duration_min,flex\nosm-n1369465662,2027-01-08,,30,day\n",
    )
    .unwrap();
    let out = tmp.path().join("routes");
    let mut args = routes_args(
        assignment.to_str().unwrap(),
        out.to_str().unwrap(),
        &["--weeks", "2", "--iterations", "40"],
    );
    let at = args.iter().position(|x| x == "--appointments").unwrap();
    args[at + 1] = file.to_str().unwrap().into();
    let summary = run_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let u = summary["unscheduled"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["account"] == "osm-n1369465662")
        .unwrap_or_else(|| panic!("not reported: {}", summary["unscheduled"]));
    assert_eq!(u["reason_code"], "flexible_booking_not_kept");
    assert_eq!(u["scheduled"], u["due"], "{u}");
    assert_eq!(summary["totals"]["appointments_kept"], 0);
    let visits = std::fs::read_to_string(out.join("visits.csv")).unwrap();
    assert!(visits
        .lines()
        .filter(|l| l.contains(",osm-n1369465662,"))
        .all(|l| !l.contains(",2027-01-08,") && l.contains(",false,")));
}

/// `kpi`: history rows naming a rep the routes folder does not plan are
/// counted for the account's rep, with a warning that names the rep.
#[test]
fn kpi_warns_of_history_rows_with_unknown_reps() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let routes = tmp.path().join("routes");
    let args = routes_args(
        assignment.to_str().unwrap(),
        routes.to_str().unwrap(),
        &["--weeks", "1", "--iterations", "20"],
    );
    run_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let history = tmp.path().join("history.csv");
    std::fs::write(
        &history,
        "account,date,status,rep\nosm-n1007416273,2027-01-04,done,rep-77\n",
    )
    .unwrap();
    let run = territory(&[
        "kpi",
        "--accounts",
        sample("accounts.csv").to_str().unwrap(),
        "--routes",
        routes.to_str().unwrap(),
        "--history",
        history.to_str().unwrap(),
        "--out",
        tmp.path().join("kpi").to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(stderr(&run).contains("rep-77"), "{}", stderr(&run));
}

/// The weekdays (mon, tue, ...) on which `rep` has visits in `visits.csv`.
fn weekdays_of(dir: &Path, rep: &str) -> std::collections::BTreeSet<String> {
    let visits = std::fs::read_to_string(dir.join("visits.csv")).unwrap();
    visits
        .lines()
        .skip(1)
        .filter(|l| l.starts_with(&format!("{rep},")))
        .map(|l| {
            let date = NaiveDate::parse_from_str(l.split(',').nth(1).unwrap(), "%Y-%m-%d").unwrap();
            date.format("%a").to_string().to_lowercase()
        })
        .collect()
}

/// The sample's rep-10 works at capacity 0.5: by default its week is cut to
/// three weekdays spread over the week (Mon, Wed, Fri), every due visit is
/// still planned, the checker passes, and `slots` offers it no other day.
/// `--part-time as-given` keeps the reps file's five days.
#[test]
fn a_half_time_rep_works_three_days_and_is_offered_no_other() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let a = assignment.to_str().unwrap();
    let out = tmp.path().join("routes");
    let args = routes_args(a, out.to_str().unwrap(), &["--iterations", "60"]);
    let summary = run_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    crate::schemas::assert_valid(&summary, "routes");
    let cut = summary["part_time"].as_array().unwrap();
    assert_eq!(cut.len(), 1, "{cut:?}");
    assert_eq!(cut[0]["rep"], "rep-10");
    assert_eq!(cut[0]["days"], serde_json::json!(["mon", "wed", "fri"]));
    assert_eq!(cut[0]["days_before"].as_array().unwrap().len(), 5);
    assert_eq!(summary["parameters"]["part_time"], "fewer-days");
    let week = cut[0]["week_hours"].as_f64().unwrap();
    assert!((week - 27.0).abs() < 1e-6, "3 days of 9 h: {week}");
    let totals = &summary["totals"];
    assert_eq!(totals["due_visits"], totals["scheduled_visits"], "{totals}");
    let days = weekdays_of(&out, "rep-10");
    assert!(
        days.iter()
            .all(|d| ["mon", "wed", "fri"].contains(&d.as_str())),
        "{days:?}"
    );
    let paths = [
        sample("accounts.csv"),
        sample("reps.csv"),
        assignment.clone(),
        sample("appointments.csv"),
    ];
    let violations = check(&sample_setup(&paths), &out);
    assert!(violations.is_empty(), "{violations:#?}");

    // Offers for rep-10 at its own base, over the four weeks: only its days.
    let reps = std::fs::read_to_string(sample("reps.csv")).unwrap();
    let row: Vec<&str> = reps
        .lines()
        .find(|l| l.starts_with("rep-10,"))
        .unwrap()
        .split(',')
        .collect();
    let (s, r) = (sample("accounts.csv"), sample("reps.csv"));
    let offers = run_json(&[
        "slots",
        "--accounts",
        s.to_str().unwrap(),
        "--reps",
        r.to_str().unwrap(),
        "--routes",
        out.to_str().unwrap(),
        "--lat",
        row[2],
        "--lon",
        row[3],
        "--duration",
        "30",
        "--reps-allowed",
        "rep-10",
        "--top",
        "50",
        "--json",
        "--quiet",
    ]);
    let offered = offers["slots"].as_array().unwrap();
    assert!(!offered.is_empty(), "{offers}");
    for o in offered {
        let date = NaiveDate::parse_from_str(o["date"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        let day = date.format("%a").to_string().to_lowercase();
        assert!(["mon", "wed", "fri"].contains(&day.as_str()), "{o}");
    }

    let given = tmp.path().join("given");
    let args = routes_args(
        a,
        given.to_str().unwrap(),
        &["--iterations", "60", "--part-time", "as-given"],
    );
    let summary = run_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(summary["part_time"].as_array().unwrap().is_empty());
    assert!(weekdays_of(&given, "rep-10").len() > 3);
}
