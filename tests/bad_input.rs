//! Bad input: a clear message naming file, line and field, exit code 2, nothing written.

use std::path::Path;

use crate::common::{sample, stderr, territory};

const HEADER: &str = "id,lat,lon,status,revenue\n";

/// Runs a plan on an accounts file with the given text and returns stderr; asserts exit 2
/// and that the output folder was not created.
fn rejects(accounts: &str, expected: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("accounts.csv");
    std::fs::write(&path, accounts).unwrap();
    rejects_file(&path, tmp.path(), &["--territories", "2"], expected)
}

fn rejects_file(path: &Path, dir: &Path, extra: &[&str], expected: &[&str]) -> String {
    let out = dir.join("out");
    let mut args = vec![
        "plan",
        "--accounts",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = territory(&args);
    let err = stderr(&o);
    assert_eq!(
        o.status.code(),
        Some(2),
        "exit code 2 expected; stderr: {err}"
    );
    for e in expected {
        assert!(err.contains(e), "stderr should mention {e:?}: {err}");
    }
    assert!(!out.exists(), "nothing may be written on bad input");
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("staging"))
        .collect();
    assert!(leftovers.is_empty());
    err
}

#[test]
fn missing_id() {
    rejects(
        &format!("{HEADER}a1,60.1,24.9,customer,10\n,60.2,24.9,customer,5\n"),
        &["accounts.csv:3", "'id'", "required"],
    );
}

#[test]
fn duplicate_id() {
    rejects(
        &format!("{HEADER}a1,60.1,24.9,customer,10\na1,60.2,24.9,customer,5\n"),
        &[":3", "'id'", "duplicate", "line 2"],
    );
}

#[test]
fn latitude_out_of_range() {
    rejects(
        &format!("{HEADER}a1,60.1,24.9,customer,10\na2,91.5,24.9,customer,5\n"),
        &[":3", "'lat'", "91.5"],
    );
}

#[test]
fn non_numeric_revenue() {
    rejects(
        &format!("{HEADER}a1,60.1,24.9,customer,lots\na2,60.2,24.9,customer,5\n"),
        &[":2", "'revenue'", "not a number"],
    );
}

#[test]
fn negative_revenue() {
    rejects(
        &format!("{HEADER}a1,60.1,24.9,customer,-3\na2,60.2,24.9,customer,5\n"),
        &[":2", "'revenue'", "negative"],
    );
}

#[test]
fn unknown_status() {
    rejects(
        &format!("{HEADER}a1,60.1,24.9,client,1\na2,60.2,24.9,customer,5\n"),
        &[":2", "'status'", "client"],
    );
}

#[test]
fn empty_file() {
    rejects("", &["accounts.csv", "empty"]);
}

#[test]
fn header_only() {
    rejects(HEADER, &["accounts.csv", "no data rows"]);
}

#[test]
fn wrong_delimiter() {
    rejects(
        "id;lat;lon\na1;60.1;24.9\na2;60.2;24.9\n",
        &["accounts.csv:1", "';'", "delimiter"],
    );
}

#[test]
fn nan_coordinate() {
    rejects(
        &format!("{HEADER}a1,NaN,24.9,customer,1\na2,60.2,24.9,customer,5\n"),
        &[":2", "'lat'", "NaN"],
    );
}

#[test]
fn nan_revenue() {
    rejects(
        &format!("{HEADER}a1,60.1,24.9,customer,nan\na2,60.2,24.9,customer,5\n"),
        &[":2", "'revenue'", "finite"],
    );
}

#[test]
fn missing_column() {
    rejects("id,lat\na1,60.1\n", &["accounts.csv:1", "'lon'", "missing"]);
}

#[test]
fn ragged_row() {
    rejects(
        &format!("{HEADER}a1,60.1,24.9,customer\n"),
        &[":2", "fields"],
    );
}

#[test]
fn bad_windows_and_days() {
    rejects(
        "id,lat,lon,windows\na1,60.1,24.9,17:00-08:00\na2,60.2,24.9,\n",
        &[":2", "'windows'"],
    );
    rejects(
        "id,lat,lon,days\na1,60.1,24.9,mon\na2,60.2,24.9,someday\n",
        &[":3", "'days'"],
    );
}

#[test]
fn text_in_a_criterion_column() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("accounts.csv");
    std::fs::write(
        &path,
        "id,lat,lon,floorspace\na1,60.1,24.9,100\na2,60.2,24.9,big\na3,60.3,24.9,50\n",
    )
    .unwrap();
    rejects_file(
        &path,
        tmp.path(),
        &["--territories", "2", "--balance", "floorspace"],
        &[":3", "'floorspace'", "big"],
    );
}

#[test]
fn bad_reps() {
    let tmp = tempfile::tempdir().unwrap();
    let reps = tmp.path().join("reps.csv");
    std::fs::write(
        &reps,
        "id,lat,lon,capacity\nr1,60.1,24.9,1\nr2,60.2,24.9,-1\n",
    )
    .unwrap();
    let accounts = sample("accounts.csv");
    rejects_file(
        &accounts,
        tmp.path(),
        &["--reps", reps.to_str().unwrap()],
        &["reps.csv:3", "'capacity'"],
    );
    std::fs::write(&reps, "id,lat,lon\nr1,60.1,24.9\nr1,60.2,24.9\n").unwrap();
    rejects_file(
        &accounts,
        tmp.path(),
        &["--reps", reps.to_str().unwrap()],
        &["reps.csv:3", "duplicate"],
    );
}

#[test]
fn bad_geojson() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("accounts.geojson");
    std::fs::write(&path, "{\"type\": \"FeatureCollection\", \"features\": [").unwrap();
    rejects_file(
        &path,
        tmp.path(),
        &["--territories", "2"],
        &["accounts.geojson", "GeoJSON"],
    );
    std::fs::write(
        &path,
        r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":{"type":"Point","coordinates":[24.9,60.1]},"properties":{"id":"a"}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[24.9,95.0]},"properties":{"id":"b"}}]}"#,
    )
    .unwrap();
    rejects_file(
        &path,
        tmp.path(),
        &["--territories", "2"],
        &["accounts.geojson: feature 2", "geometry"],
    );
    std::fs::write(
        &path,
        r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":{"type":"Point","coordinates":[24.9,60.1]},"properties":{"id":"a","Revenue":1,"revenue":2}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[24.8,60.1]},"properties":{"id":"b"}}]}"#,
    )
    .unwrap();
    rejects_file(
        &path,
        tmp.path(),
        &["--territories", "2"],
        &["accounts.geojson: feature 1", "different case"],
    );
}

#[test]
fn bad_arguments() {
    let accounts = sample("accounts.csv");
    let tmp = tempfile::tempdir().unwrap();
    rejects_file(
        &accounts,
        tmp.path(),
        &["--territories", "2", "--tolerance", "five"],
        &["--tolerance"],
    );
    rejects_file(&accounts, tmp.path(), &[], &["number of territories"]);
    rejects_file(
        &accounts,
        tmp.path(),
        &["--territories", "0"],
        &["at least 1"],
    );
    for starts in ["0", "1001", "many"] {
        rejects_file(
            &accounts,
            tmp.path(),
            &["--territories", "2", "--starts", starts],
            &["--starts"],
        );
    }
}

#[test]
fn degenerate_but_valid_inputs_plan() {
    // All accounts at one spot, a bare line, CRLF with a byte-order mark: valid input, exit 0.
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "same.csv",
            (0..40)
                .map(|i| {
                    format!(
                        "a{i},60.1,24.9,{}\n",
                        if i % 2 == 0 { "customer" } else { "prospect" }
                    )
                })
                .collect::<String>(),
        ),
        (
            "line.csv",
            (0..40)
                .map(|i| format!("a{i},60.1,{},customer\n", 24.0 + i as f64 * 0.01))
                .collect::<String>(),
        ),
    ];
    for (name, body) in cases {
        let path = tmp.path().join(name);
        std::fs::write(
            &path,
            format!(
                "\u{feff}id,lat,lon,status\r\n{}",
                body.replace('\n', "\r\n")
            ),
        )
        .unwrap();
        let out = tmp.path().join(format!("out-{name}"));
        let o = territory(&[
            "plan",
            "--accounts",
            path.to_str().unwrap(),
            "--territories",
            "4",
            "--balance",
            "accounts",
            "--out",
            out.to_str().unwrap(),
            "--json",
            "--quiet",
        ]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            s["balanced"],
            serde_json::Value::Bool(true),
            "{name}: {}",
            s["criteria"]
        );
        assert_eq!(
            s["contiguity"]["contiguous"],
            serde_json::Value::Bool(true),
            "{name}"
        );
    }
}

#[test]
fn points_mixed_with_polygons() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("mixed.geojson");
    std::fs::write(
        &path,
        r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[24.0,60.0],[24.1,60.0],[24.1,60.1],[24.0,60.0]]]},"properties":{"id":"p"}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[24.9,60.1]},"properties":{"id":"a"}}]}"#,
    )
    .unwrap();
    rejects_file(
        &path,
        tmp.path(),
        &["--territories", "1"],
        &["mixed.geojson: feature 2", "points"],
    );
}

/// A bad command line under `--json` still gives the JSON error on stdout.
#[test]
fn bad_command_lines_give_a_json_error_with_json() {
    let run = territory(&["slots", "--lat", "60", "--top", "abc", "--json"]);
    assert_eq!(run.status.code(), Some(2));
    let error: serde_json::Value = serde_json::from_slice(&run.stdout).expect("JSON on stdout");
    crate::schemas::assert_valid(&error, "error");
    assert_eq!(error["error"]["exit_code"], 2);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--top"),
        "{error}"
    );
}
