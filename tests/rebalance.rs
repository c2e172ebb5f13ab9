//! `territory rebalance` end to end: from a plan, after accounts come and go.

use serde_json::Value;

use crate::common::{run_json, sample, stderr, territory};

/// Plans the sample, then writes an accounts file with each account's territory,
/// dropping every 40th account and adding `added` new ones near existing ones.
fn current_plan_file(dir: &std::path::Path, added: usize) -> std::path::PathBuf {
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

fn rebalance(current: &std::path::Path, out: &std::path::Path, extra: &[&str]) -> Value {
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
