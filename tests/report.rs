//! `territory report` on the sample plan and routes, opened in a headless
//! browser when one is installed (CI installs Debian's chromium).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{run_json, stderr, territory};
use crate::routes::{plan_sample, routes_args};

fn chromium() -> Option<PathBuf> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

fn sample_report(dir: &Path) -> PathBuf {
    let assignment = plan_sample(dir);
    let routes = dir.join("routes");
    let args = routes_args(
        assignment.to_str().unwrap(),
        routes.to_str().unwrap(),
        &["--iterations", "100", "--weeks", "1"],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_json(&args);
    let report = dir.join("report.html");
    let summary = run_json(&[
        "report",
        "--plan",
        dir.join("plan").to_str().unwrap(),
        "--routes",
        routes.to_str().unwrap(),
        "--out",
        report.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    assert_eq!(summary["territories"], 10);
    assert_eq!(summary["route_days"], 5);
    report
}

#[test]
fn report_is_self_contained_with_one_path_per_territory() {
    let tmp = tempfile::tempdir().unwrap();
    let report = sample_report(tmp.path());
    let html = std::fs::read_to_string(&report).unwrap();
    assert_eq!(html.matches(r#"class="territory""#).count(), 10);
    assert_eq!(html.matches(r#"class="route-day""#).count(), 5);
    assert!(html.contains(r#"id="kpis""#) && html.contains("workload by territory"));
    // Offline: nothing is fetched from anywhere.
    for remote in ["http://", "https://", "src=", "@import", "url("] {
        let hits: Vec<&str> = html
            .match_indices(remote)
            .map(|(i, _)| &html[i.saturating_sub(30)..(i + 40).min(html.len())])
            .filter(|ctx| !ctx.contains("http://www.w3.org/2000/svg"))
            .collect();
        assert!(hits.is_empty(), "{remote}: {hits:?}");
    }
}

#[test]
fn report_loads_in_a_browser_without_console_errors() {
    let Some(browser) = chromium() else {
        // Written past the test harness's capture, so a passing run shows it too.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "skipped: no chromium (CI installs it; apt-get install chromium)"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let report = sample_report(tmp.path());
    let url = format!("file://{}", report.display());
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ];
    let out = Command::new(&browser)
        .args(common)
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    let log = String::from_utf8_lossy(&out.stderr);
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    assert!(
        dom.contains(r#"data-ready="10""#),
        "the page script did not finish"
    );
    assert!(
        dom.contains(r#"<pre id="errors"></pre>"#),
        "page errors shown"
    );
    assert_eq!(dom.matches(r#"class="territory""#).count(), 10);

    // A screenshot for people, kept under target/ as a CI artefact.
    let png = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-sample.png");
    let _ = std::fs::remove_file(&png);
    let shot = Command::new(&browser)
        .args(common)
        .arg("--window-size=1280,2000")
        .arg(format!("--screenshot={}", png.display()))
        .arg(&url)
        .output()
        .expect("chromium runs");
    assert!(
        png.metadata().map(|m| m.len() > 10_000).unwrap_or(false),
        "no screenshot: {}",
        String::from_utf8_lossy(&shot.stderr)
    );
}

#[test]
fn report_rejects_a_folder_that_is_not_a_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r.html");
    let report = || {
        territory(&[
            "report",
            "--plan",
            tmp.path().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
    };
    // A summary from another command (or none of ours).
    std::fs::write(tmp.path().join("summary.json"), r#"{"command":"routes"}"#).unwrap();
    std::fs::write(tmp.path().join("territories.geojson"), "not json").unwrap();
    let o = report();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("summary.json"), "{}", stderr(&o));
    // A plan summary beside a broken map layer.
    std::fs::write(tmp.path().join("summary.json"), r#"{"command":"plan"}"#).unwrap();
    let o = report();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("territories.geojson"), "{}", stderr(&o));
    assert!(!out.exists());
}

#[test]
fn report_lists_the_moves_of_a_rebalance() {
    let tmp = tempfile::tempdir().unwrap();
    plan_sample(tmp.path());
    let plan = tmp.path().join("plan");
    // A rebalance summary carries its moves; mark two as a rebalance would.
    let path = plan.join("summary.json");
    let mut summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    summary["command"] = "rebalance".into();
    summary["moved_accounts"] = 2.into();
    summary["moves"] = serde_json::json!([
        {"account": "osm-n1007416273", "from": "rep-01", "to": "rep-02"},
        {"account": "a<b>&c", "from": "rep-03", "to": "rep-04"}
    ]);
    std::fs::write(&path, serde_json::to_vec(&summary).unwrap()).unwrap();
    let out = tmp.path().join("r.html");
    run_json(&[
        "report",
        "--plan",
        plan.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains(r#"id="moves""#));
    assert!(html.contains("osm-n1007416273"));
    // Text from the files is escaped, never markup.
    assert!(html.contains("a&lt;b&gt;&amp;c") && !html.contains("a<b>&c"));
}
