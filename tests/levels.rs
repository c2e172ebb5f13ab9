//! Alignment levels end to end: `--levels regions:R,territories:T` and the
//! reps file's `region` column; territories nested in regions, both levels
//! balanced and contiguous, both ids in every output; bad specs are exit 2.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::common::{run_json, sample, stderr, territory};
use crate::schemas::assert_valid;

/// Plans the sample with extra arguments into `dir/plan`; returns the summary.
fn plan(dir: &Path, reps: &Path, extra: &[&str]) -> Value {
    let out = dir.join("plan");
    let accounts = sample("accounts.csv");
    let mut args = vec![
        "plan",
        "--accounts",
        accounts.to_str().unwrap(),
        "--reps",
        reps.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    run_json(&args)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Region of each territory per the summary, checking that the regions'
/// territory lists partition the territories and agree with each territory's
/// own `region`.
fn region_of_territory(summary: &Value) -> BTreeMap<String, String> {
    let mut of = BTreeMap::new();
    for r in summary["regions"].as_array().expect("summary has regions") {
        let id = r["id"].as_str().unwrap();
        for t in r["territories"].as_array().unwrap() {
            let t = t.as_str().unwrap().to_string();
            assert!(
                of.insert(t.clone(), id.to_string()).is_none(),
                "territory {t} in two regions"
            );
        }
    }
    let territories = summary["territory_metrics"].as_array().unwrap();
    assert_eq!(of.len(), territories.len(), "every territory in a region");
    for t in territories {
        let id = t["id"].as_str().unwrap();
        assert_eq!(t["region"].as_str(), Some(of[id].as_str()), "{id}");
    }
    of
}

/// Every output of a levelled plan folder names both ids, consistently, and
/// territories lie inside their region. Returns the region of each account.
fn assert_nested_outputs(dir: &Path, summary: &Value) -> BTreeMap<String, String> {
    let of = region_of_territory(summary);
    let text = std::fs::read_to_string(dir.join("assignment.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header.last().map(String::as_str),
        Some("region"),
        "{header:?}"
    );
    let mut account_region = BTreeMap::new();
    for r in reader.records() {
        let r = r.unwrap();
        let (account, territory, region) = (&r[0], &r[1], &r[header.len() - 1]);
        assert_eq!(of[territory], region, "account {account}");
        account_region.insert(account.to_string(), region.to_string());
    }
    assert_eq!(account_region.len(), 1206);
    let geo = read_json(&dir.join("territories.geojson"));
    let mut kinds = BTreeSet::new();
    for f in geo["features"].as_array().unwrap() {
        let p = &f["properties"];
        kinds.insert(p["kind"].as_str().unwrap().to_string());
        let territory = p["territory"].as_str().unwrap();
        assert_eq!(p["region"].as_str(), Some(of[territory].as_str()), "{p}");
    }
    assert!(
        kinds.contains("territory") && kinds.contains("account"),
        "{kinds:?}"
    );
    let regions = read_json(&dir.join("regions.geojson"));
    let features = regions["features"].as_array().unwrap();
    assert_eq!(features.len(), summary["regions"].as_array().unwrap().len());
    for (f, r) in features.iter().zip(summary["regions"].as_array().unwrap()) {
        assert_eq!(f["properties"]["kind"], "region");
        assert_eq!(f["properties"]["region"], r["id"]);
        assert_eq!(f["properties"]["territories"], r["territories"]);
        assert_eq!(f["properties"]["accounts"], r["accounts"]);
        let kind = f["geometry"]["type"].as_str().unwrap();
        assert!(kind == "Polygon" || kind == "MultiPolygon", "{kind}");
    }
    let accounts: usize = summary["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["accounts"].as_u64().unwrap() as usize)
        .sum();
    assert_eq!(accounts, 1206);
    account_region
}

fn assert_balanced_levels(summary: &Value) {
    assert_eq!(summary["balanced"], true, "{}", summary["diagnostics"]);
    assert_eq!(summary["contiguity"]["contiguous"], true);
    for (c, r) in summary["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .zip(summary["region_criteria"].as_array().unwrap())
    {
        assert!(c["max_deviation"].as_f64().unwrap() <= c["tolerance"].as_f64().unwrap() + 1e-9);
        assert_eq!(r["criterion"], c["criterion"]);
        assert!(
            r["max_deviation"].as_f64().unwrap() <= r["tolerance"].as_f64().unwrap() + 1e-9,
            "{r}"
        );
        // Regions are planned at half the tolerance.
        let half = c["tolerance"].as_f64().unwrap() / 2.0;
        assert!((r["tolerance"].as_f64().unwrap() - half).abs() < 1e-12);
    }
    for r in summary["regions"].as_array().unwrap() {
        assert_eq!(r["contiguous"], true, "{}", r["id"]);
        assert_eq!(r["components"], 1);
    }
    assert_eq!(summary["diagnostics"], Value::Array(vec![]));
}

#[test]
fn levels_flag_plans_territories_nested_in_balanced_contiguous_regions() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = plan(
        tmp.path(),
        &sample("reps.csv"),
        &["--levels", "regions:3,territories:10"],
    );
    let dir = tmp.path().join("plan");
    assert_nested_outputs(&dir, &summary);
    assert_balanced_levels(&summary);
    // 10 territories over 3 regions: 4, 3, 3; ids R01..R03.
    let sizes: Vec<usize> = summary["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["territories"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, vec![4, 3, 3]);
    assert_eq!(summary["regions"][0]["id"], "R01");
    // summary.json on disk is the --json output, and both fit the schema.
    assert_eq!(
        read_json(&dir.join("summary.json"))["regions"],
        summary["regions"]
    );
    assert_valid(&summary, "plan");
    // The report shows each territory's region.
    let html = tmp.path().join("report.html");
    let o = territory(&[
        "report",
        "--plan",
        dir.to_str().unwrap(),
        "--out",
        html.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains(r#"<th class="l">region</th>"#));
    let first = summary["territory_metrics"][0]["region"].as_str().unwrap();
    assert!(page.contains(&format!(r#"<td class="l">{first}</td>"#)));
}

/// The sample's reps with a `region` column: west or east of the median base.
fn reps_with_regions(dir: &Path, missing_on_line: Option<usize>) -> std::path::PathBuf {
    let text = std::fs::read_to_string(sample("reps.csv")).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{},region\n", lines.next().unwrap());
    for (n, line) in lines.enumerate() {
        let lon: f64 = line.split(',').nth(3).unwrap().parse().unwrap();
        let region = if Some(n + 2) == missing_on_line {
            ""
        } else if lon < 24.945 {
            "west"
        } else {
            "east"
        };
        out.push_str(&format!("{line},{region}\n"));
    }
    let path = dir.join("reps.csv");
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn reps_region_column_gives_the_regions() {
    let tmp = tempfile::tempdir().unwrap();
    let reps = reps_with_regions(tmp.path(), None);
    let summary = plan(tmp.path(), &reps, &[]);
    let of = region_of_territory(&summary);
    assert_nested_outputs(&tmp.path().join("plan"), &summary);
    // Each territory is in its rep's region.
    let text = std::fs::read_to_string(&reps).unwrap();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let (id, region) = (cells[0], *cells.last().unwrap());
        assert_eq!(of[id], region, "{id}");
    }
    let ids: Vec<&str> = summary["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["west", "east"], "in order of first appearance");
    assert_eq!(summary["balanced"], true, "{}", summary["diagnostics"]);
    // --levels must agree with the column.
    let out = tmp.path().join("other");
    let accounts = sample("accounts.csv");
    let o = territory(&[
        "plan",
        "--accounts",
        accounts.to_str().unwrap(),
        "--reps",
        reps.to_str().unwrap(),
        "--levels",
        "regions:3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("names 2 in its region column"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

#[test]
fn reps_with_some_rows_missing_region_are_bad_input_naming_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let reps = reps_with_regions(tmp.path(), Some(5));
    let out = tmp.path().join("plan");
    let accounts = sample("accounts.csv");
    let o = territory(&[
        "plan",
        "--accounts",
        accounts.to_str().unwrap(),
        "--reps",
        reps.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("reps.csv:5") && err.contains("region"),
        "{err}"
    );
    let json: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["error"]["line"], 5);
    assert_eq!(json["error"]["field"], "region");
    assert!(!out.exists());
}

#[test]
fn bad_levels_specs_are_exit_2_with_a_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    let accounts = sample("accounts.csv");
    let reps = sample("reps.csv");
    let cases: [(&[&str], &str); 9] = [
        (
            &["--levels", "regions:0,territories:10"],
            "at least one region",
        ),
        (
            &["--levels", "regions:11,territories:10"],
            "each region needs at least one",
        ),
        (
            &["--levels", "regions:11"],
            "each region needs at least one",
        ),
        (&["--levels", "regions:3,territories:12"], "has 10 reps"),
        (&["--levels", "regions:three"], "not a whole number"),
        (&["--levels", "towns:3"], "unknown level 'towns'"),
        (&["--levels", "regions:2,regions:3"], "given twice"),
        (&["--levels", "territories:10"], "no regions count"),
        (&["--levels", "regions"], "not LEVEL:COUNT"),
    ];
    let run = |extra: &[&str], with_reps: bool| {
        let out = tmp.path().join("plan");
        let mut args = vec![
            "plan",
            "--accounts",
            accounts.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        if with_reps {
            args.extend(["--reps", reps.to_str().unwrap()]);
        }
        args.extend_from_slice(extra);
        let o = territory(&args);
        assert!(!out.exists(), "nothing written for {extra:?}");
        o
    };
    for (extra, expected) in cases {
        let o = run(extra, true);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {err}");
        assert!(
            err.contains("--levels") && err.contains(expected),
            "{extra:?}: {err}"
        );
    }
    // Without reps, T must match --territories.
    let o = run(
        &["--territories", "6", "--levels", "regions:2,territories:8"],
        false,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--territories is 6"), "{}", stderr(&o));
    let o = run(&["--territories", "6", "--levels", "regions:7"], false);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("7 regions cannot hold 6"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn free_centres_nest_too() {
    // No reps: --territories with levels, free centres at both levels.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("plan");
    let accounts = sample("accounts.csv");
    let summary = run_json(&[
        "plan",
        "--accounts",
        accounts.to_str().unwrap(),
        "--territories",
        "8",
        "--levels",
        "regions:2,territories:8",
        "--out",
        out.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    assert_nested_outputs(&out, &summary);
    assert_balanced_levels(&summary);
}

#[test]
fn without_levels_the_outputs_carry_no_region() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = plan(tmp.path(), &sample("reps.csv"), &[]);
    let dir = tmp.path().join("plan");
    for key in ["regions", "region_criteria"] {
        assert!(summary.get(key).is_none(), "{key}");
    }
    assert!(summary["territory_metrics"][0].get("region").is_none());
    assert!(!dir.join("regions.geojson").exists());
    let text = std::fs::read_to_string(dir.join("assignment.csv")).unwrap();
    assert_eq!(
        text.lines().next(),
        Some("account,territory,previous_territory,moved,locked,status,workload_hours")
    );
    assert!(!std::fs::read_to_string(dir.join("territories.geojson"))
        .unwrap()
        .contains("\"region\""));
}

#[test]
fn rebalance_keeps_accounts_in_their_region_and_rebalances_within_it() {
    let tmp = tempfile::tempdir().unwrap();
    let levels = ["--levels", "regions:3,territories:10"];
    let first = plan(tmp.path(), &sample("reps.csv"), &levels);
    let before = assert_nested_outputs(&tmp.path().join("plan"), &first);
    // Two reps of one region trade 0.3 of capacity: the region's share stays,
    // its territories' targets change.
    let region = first["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["territories"].as_array().unwrap().len() >= 3)
        .unwrap();
    let (a, b) = (
        region["territories"][0].as_str().unwrap(),
        region["territories"][1].as_str().unwrap(),
    );
    let text = std::fs::read_to_string(sample("reps.csv")).unwrap();
    let mut changed = String::new();
    for line in text.lines() {
        let mut cells: Vec<String> = line.split(',').map(String::from).collect();
        // The capacity column is the 5th (id,name,lat,lon,capacity,...).
        if cells[0] == a || cells[0] == b {
            let c: f64 = cells[4].parse().unwrap();
            cells[4] = format!("{}", if cells[0] == a { c + 0.3 } else { c - 0.3 });
        }
        changed.push_str(&cells.join(","));
        changed.push('\n');
    }
    let reps = tmp.path().join("reps2.csv");
    std::fs::write(&reps, changed).unwrap();
    let accounts = sample("accounts.csv");
    let assignment = tmp.path().join("plan/assignment.csv");
    let out = tmp.path().join("rebalanced");
    let summary = run_json(&[
        "rebalance",
        "--accounts",
        accounts.to_str().unwrap(),
        "--reps",
        reps.to_str().unwrap(),
        "--assignment",
        assignment.to_str().unwrap(),
        "--levels",
        "regions:3,territories:10",
        "--out",
        out.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    let after = assert_nested_outputs(&out, &summary);
    assert_eq!(before, after, "no account changed region");
    let moved = summary["moved_accounts"].as_u64().unwrap();
    assert!(moved > 0, "territories were rebalanced within the region");
    assert_eq!(summary["balanced"], true, "{}", summary["diagnostics"]);
    let of = region_of_territory(&summary);
    for m in summary["moves"].as_array().unwrap() {
        let (from, to) = (m["from"].as_str().unwrap(), m["to"].as_str().unwrap());
        assert_eq!(of[from], of[to], "{m}");
    }
}
