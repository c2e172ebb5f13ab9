//! The failure classes of issue #15, one regression test each: outputs that
//! would damage inputs, failed and killed runs, panics and aborts on extreme
//! values, closed streams, hangs, wrong places in messages, long ids, silent
//! loss, and sizing with accounts heavier than a rep.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::{fixture, run_json, sample, stderr, territory};

/// Every file under `dir` with its bytes, to prove a folder untouched.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn plan_into(out: &Path, accounts: &Path) -> std::process::Output {
    territory(&[
        "plan",
        "--accounts",
        accounts.to_str().unwrap(),
        "--reps",
        sample("reps.csv").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ])
}

#[test]
fn outputs_that_would_overwrite_inputs_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // matrix --out its own points file.
    let points = dir.join("points.csv");
    std::fs::write(&points, "id,lat,lon\na,43.73,7.42\nb,43.74,7.43\n").unwrap();
    let before = std::fs::read(&points).unwrap();
    let o = territory(&[
        "matrix",
        "--osm",
        fixture("osm/monaco.osm.pbf").to_str().unwrap(),
        "--points",
        points.to_str().unwrap(),
        "--out",
        points.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is the input"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&points).unwrap(), before);
    // plan --out a folder holding the accounts file under an output's name.
    let data = dir.join("data");
    std::fs::create_dir(&data).unwrap();
    let accounts = data.join("assignment.csv");
    std::fs::copy(sample("accounts.csv"), &accounts).unwrap();
    let o = plan_into(&data, &accounts);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("data") && err.contains("assignment.csv"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&accounts).unwrap(),
        std::fs::read(sample("accounts.csv")).unwrap()
    );
    // A plan, then a report over its summary and routes into the plan folder.
    let plan = dir.join("plan");
    assert_eq!(
        plan_into(&plan, &sample("accounts.csv")).status.code(),
        Some(0)
    );
    let kept = snapshot(&plan);
    let o = territory(&[
        "report",
        "--plan",
        plan.to_str().unwrap(),
        "--out",
        plan.join("summary.json").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = territory(&[
        "routes",
        "--accounts",
        sample("accounts.csv").to_str().unwrap(),
        "--reps",
        sample("reps.csv").to_str().unwrap(),
        "--assignment",
        plan.join("assignment.csv").to_str().unwrap(),
        "--start",
        "2027-01-04",
        "--out",
        plan.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(snapshot(&plan), kept);
    // A folder of the user's own files is never replaced.
    let home = dir.join("home");
    std::fs::create_dir(&home).unwrap();
    std::fs::write(home.join("thesis.docx"), "mine").unwrap();
    let o = plan_into(&home, &sample("accounts.csv"));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("thesis.docx"), "{}", stderr(&o));
    assert_eq!(std::fs::read(home.join("thesis.docx")).unwrap(), b"mine");
}

#[test]
fn failed_and_killed_runs_leave_the_old_result_exactly_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = tmp.path().join("plan");
    assert_eq!(
        plan_into(&plan, &sample("accounts.csv")).status.code(),
        Some(0)
    );
    let kept = snapshot(&plan);
    // A bad input fails before anything is written.
    let bad = tmp.path().join("bad.csv");
    std::fs::write(&bad, "id,lat,lon\na,60.1,24.9\nb,north,24.9\n").unwrap();
    assert_eq!(plan_into(&plan, &bad).status.code(), Some(2));
    assert_eq!(snapshot(&plan), kept);
    // A run killed while it plans leaves the old folder, and the next run
    // removes its staging leftovers.
    let mut child = Command::new(env!("CARGO_BIN_EXE_territory"))
        .args([
            "routes",
            "--accounts",
            sample("accounts.csv").to_str().unwrap(),
            "--reps",
            sample("reps.csv").to_str().unwrap(),
            "--assignment",
            plan.join("assignment.csv").to_str().unwrap(),
            "--start",
            "2027-01-04",
            "--weeks",
            "8",
            "--iterations",
            "100000000",
            "--out",
            tmp.path().join("routes").to_str().unwrap(),
            "--quiet",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(800));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!tmp.path().join("routes").exists());
    // A staging folder of a killed run (no such process) is cleaned up.
    let stale = tmp.path().join(".plan.territory-staging-4294967290");
    std::fs::create_dir_all(stale.join("calendars")).unwrap();
    std::fs::write(stale.join("summary.json"), "half").unwrap();
    assert_eq!(
        plan_into(&plan, &sample("accounts.csv")).status.code(),
        Some(0)
    );
    assert_eq!(names(tmp.path()), ["bad.csv", "plan"]);
    let unchanged = |p: &PathBuf| !p.ends_with("summary.json");
    let again: Vec<_> = snapshot(&plan)
        .into_iter()
        .filter(|(p, _)| unchanged(p))
        .collect();
    let first: Vec<_> = kept.into_iter().filter(|(p, _)| unchanged(p)).collect();
    assert_eq!(again, first, "the same input plans the same files");
}

#[test]
fn extreme_values_are_bad_input_not_panics() {
    let tmp = tempfile::tempdir().unwrap();
    for (column, value) in [
        ("visits", "1e308"),
        ("service_min", "1e308"),
        ("revenue", "1e308"),
        ("population", "1e300"),
    ] {
        let path = tmp.path().join(format!("{column}.csv"));
        std::fs::write(
            &path,
            format!("id,lat,lon,{column}\na,60.1,24.9,1\nb,60.2,24.9,{value}\nc,60.2,24.8,2\n"),
        )
        .unwrap();
        let o = territory(&[
            "plan",
            "--accounts",
            path.to_str().unwrap(),
            "--territories",
            "2",
            "--balance",
            if column == "population" {
                "population"
            } else {
                "workload,revenue"
            },
            "--out",
            tmp.path().join("out").to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{column}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(":3: field '") && stderr(&o).contains(column),
            "{}",
            stderr(&o)
        );
    }
    // A huge count of territories, of weeks, of a what-if range.
    let a = sample("accounts.csv");
    let out = tmp.path().join("out");
    for args in [
        vec!["plan", "--territories", "18446744073709551615"],
        vec!["size", "--territories", "1..1000000000000"],
        vec!["size", "--capacity-hours", "1e-300"],
    ] {
        let mut full = args.clone();
        full.extend([
            "--accounts",
            a.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let o = territory(&full);
        assert!(
            matches!(o.status.code(), Some(0) | Some(2)),
            "{args:?}: {:?} {}",
            o.status,
            stderr(&o)
        );
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
}

#[test]
fn closed_and_full_streams_end_quietly_or_with_a_message() {
    let accounts = sample("accounts.csv");
    for args in [
        vec!["schema", "plan"],
        vec!["completions", "bash"],
        vec!["check", "--accounts", accounts.to_str().unwrap(), "--json"],
    ] {
        // A reader that closes at once: a normal end, no panic.
        let mut child = Command::new(env!("CARGO_BIN_EXE_territory"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
        // A full disk is a failure with a message.
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
        if let Ok(full) = full {
            let o = Command::new(env!("CARGO_BIN_EXE_territory"))
                .args(&args)
                .stdout(full)
                .output()
                .unwrap();
            assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
            assert!(
                stderr(&o).contains("cannot write to standard output"),
                "{}",
                stderr(&o)
            );
        }
    }
    // An error message to a closed stderr does not panic either.
    let o = Command::new(env!("CARGO_BIN_EXE_territory"))
        .args([
            "plan",
            "--accounts",
            "missing.csv",
            "--territories",
            "2",
            "--out",
            "x",
        ])
        .stderr(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn messages_name_the_physical_line_in_plain_words() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("a.csv");
    std::fs::write(
        &path,
        "id,lat,lon,territory,locked\r\n\r\na,60.1,24.9,T01,true\r\n\r\n\r\nb,60.2,24.9,rep-99,true\r\n",
    )
    .unwrap();
    let o = territory(&[
        "plan",
        "--accounts",
        path.to_str().unwrap(),
        "--territories",
        "1",
        "--out",
        tmp.path().join("out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("a.csv:6: field 'territory'"), "{err}");
    assert!(err.contains("'rep-99'") && !err.contains("Some("), "{err}");
}

#[test]
fn long_rep_ids_make_valid_calendar_names_and_no_account_is_lost() {
    let tmp = tempfile::tempdir().unwrap();
    let long = "r".repeat(300);
    let reps = tmp.path().join("reps.csv");
    std::fs::write(
        &reps,
        format!("id,lat,lon\n{long},60.17,24.94\nshort,60.18,24.95\n"),
    )
    .unwrap();
    let accounts = tmp.path().join("accounts.csv");
    std::fs::write(
        &accounts,
        "id,lat,lon,visits\na,60.170,24.941,4\nb,60.171,24.942,4\nc,60.181,24.951,4\nd,60.182,24.952,4\n",
    )
    .unwrap();
    let assignment = tmp.path().join("assignment.csv");
    std::fs::write(
        &assignment,
        format!("account,territory\na,{long}\nb,{long}\nc,short\n"),
    )
    .unwrap();
    let out = tmp.path().join("routes");
    let s = run_json(&[
        "routes",
        "--accounts",
        accounts.to_str().unwrap(),
        "--reps",
        reps.to_str().unwrap(),
        "--assignment",
        assignment.to_str().unwrap(),
        "--start",
        "2027-01-04",
        "--weeks",
        "1",
        "--out",
        out.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    let calendars = names(&out.join("calendars"));
    assert_eq!(calendars.len(), 2, "{calendars:?}");
    assert!(calendars.iter().all(|c| c.len() <= 84));
    // `d` has no rep: listed, not lost.
    assert_eq!(s["unassigned"], serde_json::json!(["d"]));
    let strict = territory(&[
        "routes",
        "--accounts",
        accounts.to_str().unwrap(),
        "--reps",
        reps.to_str().unwrap(),
        "--assignment",
        assignment.to_str().unwrap(),
        "--start",
        "2027-01-04",
        "--weeks",
        "1",
        "--out",
        out.to_str().unwrap(),
        "--strict",
        "--quiet",
    ]);
    assert_eq!(strict.status.code(), Some(3), "{}", stderr(&strict));
    assert!(
        stderr(&strict).contains("1 accounts without a rep"),
        "{}",
        stderr(&strict)
    );
}

#[test]
fn sizing_with_an_account_heavier_than_a_rep_still_plans() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("a.csv");
    let mut text = String::from("id,lat,lon,visits,service_min\n");
    for i in 0..60 {
        let heavy = if i == 7 { "100,600" } else { "2,30" };
        text += &format!(
            "a{i},{},{},{heavy}\n",
            60.1 + (i % 8) as f64 * 0.01,
            24.9 + (i / 8) as f64 * 0.01
        );
    }
    std::fs::write(&path, text).unwrap();
    let s = run_json(&[
        "size",
        "--accounts",
        path.to_str().unwrap(),
        "--capacity-hours",
        "40",
        "--out",
        tmp.path().join("sized").to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    assert_eq!(s["oversized_accounts"][0]["account"], "a7");
    assert!(s["chosen_territories"].as_u64().unwrap() >= 2, "{s}");
    assert!(tmp.path().join("sized/assignment.csv").exists());
    assert!(tmp.path().join("sized/sizing.json").exists());
}

#[test]
fn check_validates_everything_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let before = names(tmp.path());
    let s = run_json(&[
        "check",
        "--accounts",
        sample("accounts.csv").to_str().unwrap(),
        "--reps",
        sample("reps.csv").to_str().unwrap(),
        "--appointments",
        sample("appointments.csv").to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(s["accounts"], 1206);
    assert_eq!(s["reps"], 10);
    assert_eq!(s["appointments"], 15);
    assert_eq!(names(tmp.path()), before);
    let bad = tmp.path().join("bad.csv");
    std::fs::write(&bad, "id,lat,lon\na,60.1,24.9\na,60.2,24.9\n").unwrap();
    let o = territory(&["check", "--accounts", bad.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(2));
    let e: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(e["error"]["line"], 3);
    assert_eq!(e["error"]["field"], "id");
}

#[test]
fn the_districts_example_of_plan_help_runs_as_printed() {
    let help = territory(&["plan", "--help"]);
    let text = String::from_utf8_lossy(&help.stdout).into_owned();
    let line = text
        .lines()
        .find(|l| l.contains("districts/"))
        .expect("plan --help has a districts example");
    let tmp = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = line
        .split_whitespace()
        .skip(1)
        .map(str::to_string)
        .collect();
    let out = args.iter().position(|a| a == "--out").expect("--out") + 1;
    args[out] = tmp.path().join("leeds").display().to_string();
    let o = Command::new(env!("CARGO_BIN_EXE_territory"))
        .args(&args)
        .arg("--quiet")
        .current_dir(crate::common::root())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{line}: {}", stderr(&o));
    // A property the features lack is called missing, with the ones they have.
    let mut wrong = args.clone();
    let id = wrong.iter().position(|a| a == "--id-property").unwrap() + 1;
    wrong[id] = "code".into();
    let o = Command::new(env!("CARGO_BIN_EXE_territory"))
        .args(&wrong)
        .current_dir(crate::common::root())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("feature 1: field 'code': is missing (the feature has: "),
        "{}",
        stderr(&o)
    );
}
