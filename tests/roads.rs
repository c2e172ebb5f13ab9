//! Road travel times from OpenStreetMap extracts through the CLI:
//! `territory routes --distance road` and `territory matrix`.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::Value;

use crate::common::{fixture, run_json, stderr, territory};
use crate::route_checker::{check, Setup};

/// 60 accounts spread over Monaco in two territories, deterministic.
fn monaco_case(dir: &Path) -> (PathBuf, PathBuf) {
    let mut rows = String::from("id,lat,lon,status,visits,service_min,windows,territory\n");
    let mut x: u64 = 7;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..60 {
        let (lat, lon) = (43.728 + next() * 0.018, 7.412 + next() * 0.020);
        let windows = if i % 4 == 0 {
            "09:00-12:00;14:00-18:00"
        } else {
            ""
        };
        let rep = if lon < 7.422 { "r1" } else { "r2" };
        rows.push_str(&format!(
            "m{i:02},{lat:.6},{lon:.6},{},{},30,{windows},{rep}\n",
            if i % 3 == 0 { "prospect" } else { "customer" },
            [1, 2, 4][i % 3]
        ));
    }
    let accounts = dir.join("accounts.csv");
    std::fs::write(&accounts, rows).unwrap();
    let reps = dir.join("reps.csv");
    std::fs::write(
        &reps,
        "id,name,lat,lon\nr1,West,43.7350,7.4160\nr2,East,43.7400,7.4270\n",
    )
    .unwrap();
    (accounts, reps)
}

#[test]
fn routes_on_monaco_roads_pass_the_checker_and_follow_the_roads() {
    let tmp = tempfile::tempdir().unwrap();
    let (accounts, reps) = monaco_case(tmp.path());
    let osm = fixture("osm/monaco.osm.pbf");
    let out = tmp.path().join("routes");
    let summary = run_json(&[
        "routes",
        "--accounts",
        accounts.to_str().unwrap(),
        "--reps",
        reps.to_str().unwrap(),
        "--start",
        "2027-01-04",
        "--distance",
        "road",
        "--osm",
        osm.to_str().unwrap(),
        "--cache-dir",
        tmp.path().join("cache").to_str().unwrap(),
        "--lunch",
        "12:00-14:00/30",
        "--out",
        out.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    assert_eq!(
        summary["totals"]["due_visits"],
        summary["totals"]["scheduled_visits"]
    );
    assert!(summary["parameters"]["travel"]
        .as_str()
        .unwrap()
        .starts_with("road network"));
    // The owner of each account is the accounts file's territory column.
    let assignment = tmp.path().join("assignment.csv");
    let mut a = String::from("account,territory\n");
    for line in std::fs::read_to_string(&accounts).unwrap().lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        a.push_str(&format!("{},{}\n", cells[0], cells[cells.len() - 1]));
    }
    std::fs::write(&assignment, a).unwrap();
    let setup = Setup {
        accounts: &accounts,
        reps: &reps,
        assignment: &assignment,
        appointments: None,
        start: NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
        weeks: 4,
        circuity: 1.0,
        speed_kmh: 1.0,
        lunch: Some((12 * 60, 14 * 60, 30)),
        share_office: false,
        road: true,
        anchored: false,
        absences: Vec::new(),
        holidays: Vec::new(),
        history: Vec::new(),
        previous: None,
    };
    let violations = check(&setup, &out);
    assert!(violations.is_empty(), "{violations:#?}");
    // Lines follow the streets: far more vertices than stops.
    let geo: Value =
        serde_json::from_slice(&std::fs::read(out.join("routes.geojson")).unwrap()).unwrap();
    for f in geo["features"].as_array().unwrap() {
        let stops = f["properties"]["visits"].as_u64().unwrap() as usize;
        let vertices = f["geometry"]["coordinates"].as_array().unwrap().len();
        assert!(f["properties"]["along_roads"].as_bool().unwrap());
        assert!(
            vertices > 2 * (stops + 2),
            "{vertices} vertices for {stops} stops"
        );
    }
    // Road travel is longer than the straight-line model's.
    let straight = run_json(&[
        "routes",
        "--accounts",
        accounts.to_str().unwrap(),
        "--reps",
        reps.to_str().unwrap(),
        "--start",
        "2027-01-04",
        "--lunch",
        "12:00-14:00/30",
        "--circuity",
        "1.0",
        "--out",
        tmp.path().join("straight").to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    assert!(
        summary["totals"]["travel_km"].as_f64().unwrap()
            > straight["totals"]["travel_km"].as_f64().unwrap()
    );
}

#[test]
fn matrix_exports_road_times_and_names_points_off_the_road() {
    let tmp = tempfile::tempdir().unwrap();
    let points = tmp.path().join("points.csv");
    std::fs::write(
        &points,
        "id,lat,lon\ncasino,43.7394,7.4280\npalace,43.7314,7.4197\nport,43.7352,7.4230\nsea,43.70,7.45\n",
    )
    .unwrap();
    let osm = fixture("osm/monaco.osm.pbf");
    let out = tmp.path().join("m.json");
    let cache = tmp.path().join("cache");
    let args = [
        "matrix",
        "--osm",
        osm.to_str().unwrap(),
        "--points",
        points.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--cache-dir",
        cache.to_str().unwrap(),
        "--json",
        "--quiet",
    ];
    let first = run_json(&args);
    assert_eq!(first["far_from_road"], serde_json::json!(["sea"]));
    assert_eq!(first["from_cache"], false);
    let second = run_json(&args);
    assert_eq!(second["from_cache"], true);
    let m: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let minutes = m["minutes"].as_array().unwrap();
    assert_eq!(minutes.len(), 4);
    for (a, row) in minutes.iter().enumerate() {
        assert_eq!(row[a].as_f64(), Some(0.0));
        for (b, v) in row.as_array().unwrap().iter().enumerate() {
            if a != b {
                assert!(v.as_f64().unwrap() > 0.0);
            }
        }
    }
}

#[test]
fn bad_road_input_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let (accounts, reps) = monaco_case(tmp.path());
    let truncated = tmp.path().join("truncated.osm.pbf");
    let bytes = std::fs::read(fixture("osm/monaco.osm.pbf")).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    let out = tmp.path().join("out");
    let base = [
        "routes",
        "--accounts",
        accounts.to_str().unwrap(),
        "--reps",
        reps.to_str().unwrap(),
        "--start",
        "2027-01-04",
        "--out",
        out.to_str().unwrap(),
    ];
    for (extra, message) in [
        (vec!["--distance", "road"], "--osm"),
        (
            vec!["--distance", "road", "--osm", truncated.to_str().unwrap()],
            "truncated.osm.pbf",
        ),
    ] {
        let mut args = base.to_vec();
        args.extend(extra);
        let o = territory(&args);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(message), "{}", stderr(&o));
        assert!(!out.exists());
    }
}

#[test]
fn plan_measures_compactness_in_road_minutes() {
    let tmp = tempfile::tempdir().unwrap();
    let (accounts, reps) = monaco_case(tmp.path());
    let osm = fixture("osm/monaco.osm.pbf");
    let plan = |extra: &[&str], out: &str| {
        let out = tmp.path().join(out);
        let mut args = vec![
            "plan",
            "--accounts",
            accounts.to_str().unwrap(),
            "--reps",
            reps.to_str().unwrap(),
            "--balance",
            "customers,prospects,workload",
            "--tolerance",
            "10%",
            "--out",
            out.to_str().unwrap(),
            "--json",
            "--quiet",
        ];
        args.extend_from_slice(extra);
        run_json(&args)
    };
    let road = plan(
        &["--distance", "road", "--osm", osm.to_str().unwrap()],
        "road",
    );
    let straight = plan(&[], "straight");
    let c = &road["compactness"];
    assert!(c["travel_min"].as_f64().unwrap() > 0.0);
    assert!(straight["compactness"].get("travel_min").is_none());
    assert!(c["ratio_to_bound"].as_f64().unwrap() >= 0.999);
    assert_eq!(road["balanced"], true);
    // The workload's travel share comes from the roads: totals differ.
    let workload = |s: &Value| {
        s["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["criterion"] == "workload")
            .unwrap()["total"]
            .as_f64()
            .unwrap()
    };
    assert!((workload(&road) - workload(&straight)).abs() > 1e-6);
    // Road mode needs every rep's base.
    let no_base = tmp.path().join("reps_no_base.csv");
    std::fs::write(&no_base, "id,lat,lon\nr1,43.7350,7.4160\nr2,,\n").unwrap();
    let o = territory(&[
        "plan",
        "--accounts",
        accounts.to_str().unwrap(),
        "--reps",
        no_base.to_str().unwrap(),
        "--distance",
        "road",
        "--osm",
        osm.to_str().unwrap(),
        "--out",
        tmp.path().join("x").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("r2"), "{}", stderr(&o));
}
