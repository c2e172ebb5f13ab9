//! `territory solve` on the research instances kept as fixtures (`tests/data/research/`).

use serde_json::Value;

use crate::common::{fixture, stderr, territory};

#[test]
fn tdp_instance_is_balanced_contiguous_and_scored() {
    let file = fixture("research/2DU60-05-1.dat");
    let o = territory(&[
        "solve",
        "tdp",
        file.to_str().unwrap(),
        "--starts",
        "8",
        "--json",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["units"], 60);
    let territories = r["territories"].as_array().unwrap();
    assert_eq!(territories.len(), 4);
    let mut units: Vec<u64> = territories
        .iter()
        .flat_map(|t| t.as_array().unwrap().iter().map(|u| u.as_u64().unwrap()))
        .collect();
    units.sort_unstable();
    assert_eq!(
        units,
        (0..60).collect::<Vec<u64>>(),
        "every unit in exactly one territory"
    );
    assert!(r["max_deviation"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d.as_f64().unwrap() <= 0.05 + 1e-9));
    assert_eq!(r["contiguous"], Value::Bool(true));
    // The published heuristic reaches 5305.57 on this instance; we stay within 1%.
    let compactness = r["compactness"].as_f64().unwrap();
    assert!(compactness < 5305.57 * 1.01, "compactness {compactness}");
}

#[test]
fn malformed_tdp_is_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("bad.dat");
    std::fs::write(&path, "3\n0 1.0 2.0 5 5 5 0\n1 x 2.0 5 5 5 0\n").unwrap();
    let o = territory(&["solve", "tdp", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("bad.dat:3") && err.contains("'x'"), "{err}");
    std::fs::write(&path, "2\n0 1.0 2.0 5 5 5 0\n").unwrap();
    let o = territory(&["solve", "tdp", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("ends before"));
}

#[test]
fn tsplib_tour_visits_every_node_once_near_optimal() {
    let file = fixture("research/berlin52.tsp");
    let o = territory(&[
        "solve",
        "tsplib",
        file.to_str().unwrap(),
        "--time-limit",
        "0.5",
        "--json",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let route: Vec<u64> = r["routes"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let mut sorted = route.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        (2..=52).collect::<Vec<u64>>(),
        "nodes 2..52 once each, node 1 is the depot"
    );
    // Optimal tour length 7542 (TSPLIB).
    let cost = r["cost"].as_f64().unwrap();
    assert!((7542.0..7542.0 * 1.02).contains(&cost), "cost {cost}");
    let bad = tempfile::tempdir().unwrap();
    let path = bad.path().join("x.tsp");
    std::fs::write(
        &path,
        "NAME: x\nTYPE: TSP\nEDGE_WEIGHT_TYPE: GEO\nNODE_COORD_SECTION\n1 0 0\n",
    )
    .unwrap();
    let o = territory(&["solve", "tsplib", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("x.tsp:3") && stderr(&o).contains("EUC_2D"));
}

#[test]
fn solomon_routes_respect_windows_capacity_and_fleet() {
    let file = fixture("research/C101.txt");
    let o = territory(&[
        "solve",
        "solomon",
        file.to_str().unwrap(),
        "--time-limit",
        "1",
        "--json",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["feasible"], Value::Bool(true));
    // Independent check of the routes against the file.
    let text = std::fs::read_to_string(&file).unwrap();
    let rows: Vec<Vec<f64>> = text
        .lines()
        .skip_while(|l| !l.trim().starts_with("CUST NO."))
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().map(|t| t.parse().unwrap()).collect())
        .collect();
    let d = |a: usize, b: usize| {
        ((rows[a][1] - rows[b][1]).powi(2) + (rows[a][2] - rows[b][2]).powi(2)).sqrt()
    };
    let routes = r["routes"].as_array().unwrap();
    assert!(routes.len() <= 25, "fleet of 25");
    let mut seen = vec![false; rows.len()];
    let mut total = 0.0;
    for route in routes {
        let (mut t, mut load, mut prev) = (0.0f64, 0.0, 0usize);
        for c in route
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
        {
            assert!(!seen[c], "customer {c} visited twice");
            seen[c] = true;
            total += d(prev, c);
            t = (t + d(prev, c)).max(rows[c][4]);
            assert!(
                t <= rows[c][5] + 1e-6,
                "customer {c} served at {t} after its due date {}",
                rows[c][5]
            );
            t += rows[c][6];
            load += rows[c][3];
            prev = c;
        }
        total += d(prev, 0);
        assert!(
            t + d(prev, 0) <= rows[0][5] + 1e-6,
            "route returns after the depot closes"
        );
        assert!(load <= 200.0, "capacity 200");
    }
    assert!(seen[1..].iter().all(|s| *s), "every customer served");
    assert!((total - r["cost"].as_f64().unwrap()).abs() < 1e-6);
    // Best known distance 828.94; stay within 1%.
    assert!(total < 828.94 * 1.01, "cost {total}");
}

#[test]
fn pvrp_schedule_meets_frequencies_combinations_and_capacity() {
    let file = fixture("research/p01.txt");
    let o = territory(&[
        "solve",
        "pvrp",
        file.to_str().unwrap(),
        "--time-limit",
        "1",
        "--json",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["feasible"], Value::Bool(true));
    // Independent check against the file: header `type m n t`, t lines `D Q`, nodes.
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<Vec<f64>> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().map(|t| t.parse().unwrap()).collect())
        .collect();
    let (m, n, t) = (
        lines[0][1] as usize,
        lines[0][2] as usize,
        lines[0][3] as usize,
    );
    let capacity = lines[1][1];
    let nodes = &lines[1 + t..1 + t + n + 1];
    let d = |a: usize, b: usize| {
        ((nodes[a][1] - nodes[b][1]).powi(2) + (nodes[a][2] - nodes[b][2]).powi(2)).sqrt()
    };
    let days = r["routes"].as_array().unwrap();
    assert_eq!(days.len(), t);
    let mut visit_days: Vec<u64> = vec![0; n + 1];
    let mut total = 0.0;
    for (day, routes) in days.iter().enumerate() {
        let routes = routes.as_array().unwrap();
        assert!(routes.len() <= m, "at most {m} vehicles on day {day}");
        for route in routes {
            let route: Vec<usize> = route
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect();
            let load: f64 = route.iter().map(|&c| nodes[c][4]).sum();
            assert!(load <= capacity + 1e-9, "capacity");
            let mut prev = 0;
            for &c in &route {
                assert_eq!(
                    visit_days[c] >> day & 1,
                    0,
                    "customer {c} twice on day {day}"
                );
                visit_days[c] |= 1 << day;
                total += d(prev, c);
                prev = c;
            }
            total += d(prev, 0);
        }
    }
    for c in 1..=n {
        let combos: Vec<u64> = nodes[c][7..7 + nodes[c][6] as usize]
            .iter()
            .map(|v| *v as u64)
            .collect();
        assert!(
            combos.contains(&visit_days[c]),
            "customer {c} visited on days {:b}, allowed {combos:?}",
            visit_days[c]
        );
    }
    assert!((total - r["cost"].as_f64().unwrap()).abs() < 1e-6);
    assert!(total < 524.61 * 1.03, "cost {total} vs best known 524.61");
}

#[test]
fn malformed_pvrp_is_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("bad.txt");
    // Customer 1 asks for zero visits on an empty day combination.
    std::fs::write(
        &path,
        "1 1 1 2\r\n0 100\r\n0 100\r\n0 0 0 0 0 0 0\r\n1 10 10 5 3 0 1 0\r\n",
    )
    .unwrap();
    let o = territory(&["solve", "pvrp", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("bad.txt:5"), "{}", stderr(&o));
}
