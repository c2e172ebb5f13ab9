//! `territory rebalance` end to end: from a plan, after accounts come and go.

use serde_json::Value;

use crate::common::{run_json, sample, stderr, territory};

/// Plans the sample, then writes an accounts file with each account's territory,
/// dropping every 40th account and adding `added` new ones near existing ones.
pub(crate) fn current_plan_file(dir: &std::path::Path, added: usize) -> std::path::PathBuf {
    let plan_dir = dir.join("plan");
    let accounts = sample("accounts.csv");
    let reps = sample("reps.csv");
    let o = territory(&[
        "plan",
        "--accounts",
        accounts.to_str().unwrap(),
        "--reps",
        reps.to_str().unwrap(),
        "--out",
        plan_dir.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let assignment = std::fs::read_to_string(plan_dir.join("assignment.csv")).unwrap();
    let mut territory_of = std::collections::HashMap::new();
    for r in csv::Reader::from_reader(assignment.as_bytes()).records() {
        let r = r.unwrap();
        territory_of.insert(r[0].to_string(), r[1].to_string());
    }
    let text = std::fs::read_to_string(&accounts).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    headers.push("territory".into());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&headers).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    for (k, r) in rows.iter().enumerate() {
        if k % 40 == 3 {
            continue;
        }
        let mut fields: Vec<String> = r.iter().map(str::to_string).collect();
        fields.push(territory_of[&fields[0]].clone());
        w.write_record(&fields).unwrap();
    }
    for k in 0..added {
        let mut fields: Vec<String> = rows[(k * 37) % rows.len()]
            .iter()
            .map(str::to_string)
            .collect();
        fields[0] = format!("new-{k}");
        let lat: f64 = fields[2].parse().unwrap();
        fields[2] = format!("{:.6}", lat + 0.0003);
        fields.push(String::new());
        w.write_record(&fields).unwrap();
    }
    let path = dir.join("current.csv");
    std::fs::write(&path, w.into_inner().unwrap()).unwrap();
    path
}

pub(crate) fn rebalance(current: &std::path::Path, out: &std::path::Path, extra: &[&str]) -> Value {
    let reps = sample("reps.csv");
    let mut args = vec![
        "rebalance",
        "--accounts",
        current.to_str().unwrap(),
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

#[test]
fn rebalance_after_changes_moves_few_and_restores_balance() {
    let tmp = tempfile::tempdir().unwrap();
    let current = current_plan_file(tmp.path(), 60);
    let summary = rebalance(&current, &tmp.path().join("re"), &[]);
    assert_eq!(summary["command"], "rebalance");
    assert_eq!(
        summary["balanced"],
        Value::Bool(true),
        "{}",
        summary["criteria"]
    );
    let moved = summary["moved_accounts"].as_u64().unwrap();
    assert!(moved <= 180, "moved {moved} accounts for 60 added");
    assert_eq!(summary["moves"].as_array().unwrap().len() as u64, moved);
    let capped = rebalance(
        &current,
        &tmp.path().join("capped"),
        &["--max-moves", "2", "--disruption", "revenue"],
    );
    assert!(capped["moved_accounts"].as_u64().unwrap() <= 2);
}

#[test]
fn rebalance_needs_current_territories() {
    let tmp = tempfile::tempdir().unwrap();
    let accounts = sample("accounts.csv");
    let reps = sample("reps.csv");
    let out = tmp.path().join("out");
    let o = territory(&[
        "rebalance",
        "--accounts",
        accounts.to_str().unwrap(),
        "--reps",
        reps.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("territory"));
    assert!(!out.exists());
}

/// The sample's reps without `rep-10`.
fn reps_without_rep_10(dir: &std::path::Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(sample("reps.csv")).unwrap();
    let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with("rep-10,")).collect();
    let path = dir.join("reps9.csv");
    std::fs::write(&path, kept.join("\n") + "\n").unwrap();
    path
}

#[test]
fn a_move_cap_never_raises_moves_and_keeps_territories_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let current = current_plan_file(tmp.path(), 50);
    let reps = reps_without_rep_10(tmp.path());
    let run = |out: &str, extra: &[&str]| {
        let out = tmp.path().join(out);
        let mut args = vec![
            "rebalance",
            "--accounts",
            current.to_str().unwrap(),
            "--reps",
            reps.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--json",
            "--quiet",
        ];
        args.extend_from_slice(extra);
        run_json(&args)
    };
    let free = run("free", &[]);
    let forced = free["forced_moves"].as_u64().unwrap();
    assert!(forced > 0, "rep-10's accounts must move");
    let free_moves = free["moved_accounts"].as_u64().unwrap();
    let discretionary = free_moves - forced;
    // A cap the free rebalance meets changes nothing.
    let loose = run("loose", &["--max-moves", &(discretionary + 30).to_string()]);
    assert_eq!(loose["moved_accounts"], free["moved_accounts"]);
    // A binding cap: at most that many moves besides the forced ones, fewer in all.
    let cap = discretionary / 2;
    let tight = run("tight", &["--max-moves", &cap.to_string()]);
    let tight_moves = tight["moved_accounts"].as_u64().unwrap();
    assert_eq!(tight["forced_moves"].as_u64().unwrap(), forced);
    assert!(
        tight_moves <= forced + cap,
        "{tight_moves} > {forced} + {cap}"
    );
    assert!(tight_moves <= free_moves);
    assert_eq!(
        tight["contiguity"]["contiguous"],
        Value::Bool(true),
        "{}",
        tight["contiguity"]
    );
}

#[test]
fn rebalance_reads_the_current_territories_from_an_assignment() {
    let tmp = tempfile::tempdir().unwrap();
    let current = current_plan_file(tmp.path(), 20);
    let with_column = rebalance(&current, &tmp.path().join("a"), &[]);
    // The same accounts without the column, and the plan's assignment.csv beside them.
    let text = std::fs::read_to_string(&current).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let mut bare = csv::Writer::from_writer(Vec::new());
    let mut assignment = csv::Writer::from_writer(Vec::new());
    bare.write_record(headers.iter().take(headers.len() - 1))
        .unwrap();
    assignment.write_record(["account", "territory"]).unwrap();
    for r in reader.records() {
        let r = r.unwrap();
        bare.write_record(r.iter().take(r.len() - 1)).unwrap();
        if !r[r.len() - 1].is_empty() {
            assignment.write_record([&r[0], &r[r.len() - 1]]).unwrap();
        }
    }
    let bare_path = tmp.path().join("bare.csv");
    let assignment_path = tmp.path().join("current_assignment.csv");
    std::fs::write(&bare_path, bare.into_inner().unwrap()).unwrap();
    std::fs::write(&assignment_path, assignment.into_inner().unwrap()).unwrap();
    let with_file = rebalance(
        &bare_path,
        &tmp.path().join("b"),
        &["--assignment", assignment_path.to_str().unwrap()],
    );
    assert_eq!(with_file["moved_accounts"], with_column["moved_accounts"]);
    assert_eq!(
        std::fs::read(tmp.path().join("a/assignment.csv")).unwrap(),
        std::fs::read(tmp.path().join("b/assignment.csv")).unwrap()
    );
}
