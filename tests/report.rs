//! `territory report` on the sample plan and routes, opened in a headless
//! browser when one is installed (CI installs Debian's chromium).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::{run_json, sample, stderr, territory};
use crate::rebalance::current_plan_file;
use crate::routes::{plan_sample, routes_args};

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

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
    // One group per rep-day, over the 5 days; one numbered stop per visit.
    let mut dates: Vec<&str> = html
        .match_indices(r#"class="route-day" data-date=""#)
        .map(|(i, m)| &html[i + m.len()..i + m.len() + 10])
        .collect();
    dates.dedup();
    assert_eq!(dates.len(), 5);
    let visits =
        std::fs::read_to_string(report.with_file_name("routes").join("visits.csv")).unwrap();
    assert_eq!(
        html.matches(r#"<g class="stop""#).count(),
        visits.lines().count() - 1
    );
    assert!(html.contains(r#"<option value="2027-01-04" selected>Mon 2027-01-04</option>"#));
    assert!(html.contains(r#"id="scale-bar""#) && html.contains(r#"class="base-label""#));
    assert!(html.contains("less compact than the best possible"));
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

    // Pick a rep and a day through the page's own pickers, read the stop
    // list, click the first stop: the page's test hook reports what it saw.
    let visits = std::fs::read_to_string(tmp.path().join("routes/visits.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(visits.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    // A day other than the one shown first, so its routes are drawn on
    // demand from the deferred text.
    let first_day = rows.iter().map(|r| r[1].to_string()).min().unwrap();
    let last = rows.iter().rev().find(|r| r[1] != *first_day).unwrap();
    let (rep, day) = (last[0].to_string(), last[1].to_string());
    let picked: Vec<&csv::StringRecord> =
        rows.iter().filter(|r| r[0] == rep && r[1] == day).collect();
    let expected: Vec<&str> = picked.iter().map(|r| r.get(3).unwrap()).collect();
    let out = Command::new(&browser)
        .args(common)
        .arg("--dump-dom")
        .arg(format!("{url}#test={rep},{day}"))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    let log = String::from_utf8_lossy(&out.stderr);
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    let results = test_results(&dom);
    assert_eq!(results["rep"], rep.as_str());
    assert_eq!(results["day"], day.as_str());
    assert_eq!(
        results["visible_routes"], 1,
        "only the picked rep's route shows"
    );
    let stops: Vec<&str> = results["stops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        stops, expected,
        "the stop list is the rep's day in visits.csv"
    );
    let first = picked[0];
    let info = results["info"].as_str().unwrap();
    assert_eq!(results["clicked"], first[3].to_string().as_str());
    for part in [&first[3], &first[5], &first[7]] {
        assert!(
            info.contains(part),
            "{part} missing from the stop details: {info}"
        );
    }
    assert!(
        info.contains(&format!("service {} min", &first[9])),
        "{info}"
    );

    // A screenshot for people, kept under target/ as a CI artefact.
    let png = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-sample.png");
    let _ = std::fs::remove_file(&png);
    let shot = Command::new(&browser)
        .args(common)
        .arg("--window-size=1280,2000")
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("{url}#test={rep},{day}"))
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
    // A plan summary of another shape (a renamed field) is refused, naming
    // the field, rather than read as zeros.
    std::fs::write(tmp.path().join("summary.json"), r#"{"command":"plan"}"#).unwrap();
    let o = report();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("summary.json"), "{}", stderr(&o));
    let real = tempfile::tempdir().unwrap();
    plan_sample(real.path());
    let mut summary = read_json(&real.path().join("plan/summary.json"));
    let metrics = summary
        .as_object_mut()
        .unwrap()
        .remove("territory_metrics")
        .unwrap();
    summary["territory_figures"] = metrics;
    std::fs::write(tmp.path().join("summary.json"), summary.to_string()).unwrap();
    let o = report();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("summary.json") && stderr(&o).contains("territory_metrics"),
        "{}",
        stderr(&o)
    );
    // A real plan summary beside a broken map layer.
    std::fs::copy(
        real.path().join("plan/summary.json"),
        tmp.path().join("summary.json"),
    )
    .unwrap();
    let o = report();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("territories.geojson"), "{}", stderr(&o));
    assert!(!out.exists());
}

/// Territory features of a plan's `territories.geojson`.
fn territory_features(plan: &Path) -> Vec<Value> {
    read_json(&plan.join("territories.geojson"))["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["kind"] == "territory")
        .cloned()
        .collect()
}

fn polygon_count(feature: &Value) -> usize {
    match feature["geometry"]["type"].as_str() {
        Some("Polygon") => 1,
        Some("MultiPolygon") => feature["geometry"]["coordinates"].as_array().unwrap().len(),
        other => panic!("not a polygon: {other:?}"),
    }
}

#[test]
fn a_territory_in_one_piece_is_drawn_as_one_polygon_or_flagged() {
    let tmp = tempfile::tempdir().unwrap();
    plan_sample(tmp.path());
    let plan = tmp.path().join("plan");
    let summary = read_json(&plan.join("summary.json"));
    let out = tmp.path().join("r.html");
    let report = run_json(&[
        "report",
        "--plan",
        plan.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    let html = std::fs::read_to_string(&out).unwrap();
    let features = territory_features(&plan);
    for t in summary["territory_metrics"].as_array().unwrap() {
        let id = t["id"].as_str().unwrap();
        let f = features
            .iter()
            .find(|f| f["properties"]["territory"] == id)
            .unwrap();
        let drawn = polygon_count(f);
        if t["components"] == 1 && drawn != 1 {
            // Allowed only when the page says so.
            assert!(
                html.contains(&format!(r#"<li class="pieces" data-id="{id}">"#)),
                "{id}: one piece, drawn in {drawn}, not flagged"
            );
            assert!(report["drawn_in_pieces"]
                .as_array()
                .unwrap()
                .contains(&id.into()));
        }
    }
    // On the sample every territory is one piece and drawn as one.
    assert!(features.iter().all(|f| polygon_count(f) == 1));
    assert_eq!(report["drawn_in_pieces"], serde_json::json!([]));
    // Every base outside its own shape is listed and ringed on the map.
    for id in report["bases_outside"].as_array().unwrap() {
        let id = id.as_str().unwrap();
        assert!(
            html.contains(&format!(r#"<li class="base-outside" data-id="{id}">"#)),
            "{id}"
        );
        assert!(
            html.contains(&format!(r#"<circle class="base-outside" data-t="{id}""#)),
            "{id}"
        );
    }
    // geojson.io draws the territories in the report's colours.
    for f in &features {
        let fill = f["properties"]["fill"].as_str().expect("simplestyle fill");
        assert!(f["properties"]["stroke"].is_string());
        let id = f["properties"]["territory"].as_str().unwrap();
        assert!(
            html.contains(&format!(r#"data-id="{id}" data-pieces="1" d="#))
                && html.contains(&format!(r#"fill="{fill}""#)),
            "{id}"
        );
    }
}

#[test]
fn report_compares_a_rebalance_with_the_plan_before() {
    let tmp = tempfile::tempdir().unwrap();
    let current = current_plan_file(tmp.path(), 30);
    let old = tmp.path().join("plan");
    // rep-10 leaves.
    let reps = std::fs::read_to_string(sample("reps.csv")).unwrap();
    let fewer: String = reps
        .lines()
        .filter(|l| !l.starts_with("rep-10,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let fewer_path = tmp.path().join("reps-9.csv");
    std::fs::write(&fewer_path, fewer).unwrap();
    let new = tmp.path().join("re");
    let summary = run_json(&[
        "rebalance",
        "--accounts",
        current.to_str().unwrap(),
        "--reps",
        fewer_path.to_str().unwrap(),
        "--out",
        new.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    let out = tmp.path().join("compare.html");
    let report = run_json(&[
        "report",
        "--plan",
        new.to_str().unwrap(),
        "--compare",
        old.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    let html = std::fs::read_to_string(&out).unwrap();
    // Moved accounts (with names) on the map: exactly the rebalance's moves.
    assert_eq!(report["moved_accounts"], summary["moved_accounts"]);
    assert_eq!(
        html.matches(r#"<circle class="moved""#).count(),
        summary["moved_accounts"].as_u64().unwrap() as usize
    );
    assert!(html.contains("moved: ") && html.contains(" to rep-0"));
    assert_eq!(html.matches(r#"<circle class="added""#).count(), 30);
    let dropped = 1206usize.div_ceil(40);
    assert_eq!(html.matches(r#"<path class="removed""#).count(), dropped);
    assert!(
        html.contains("1 removed (rep-10)"),
        "removed rep called out"
    );
    assert!(html.contains(r#"id="balance-before-after""#));
    assert!(html.contains(r#"id="territories-before-after""#));
    // The same rep keeps its colour: each territory's swatch is the old
    // plan's fill (all nine fit beside their new neighbours here).
    let old_fills: Vec<(String, String)> = territory_features(&old)
        .iter()
        .map(|f| {
            (
                f["properties"]["territory"].as_str().unwrap().to_string(),
                f["properties"]["fill"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut kept = 0;
    for (id, fill) in &old_fills {
        if html.contains(&format!(
            r#"<tr data-id="{id}"><td><span class="swatch" style="background:{fill}">"#
        )) {
            kept += 1;
        }
    }
    assert_eq!(kept, 9, "colours kept: {kept} of 9");
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

/// The `#test-results` JSON a page's test hook wrote.
fn test_results(dom: &str) -> Value {
    let text = dom
        .split(r#"<pre id="test-results">"#)
        .nth(1)
        .and_then(|t| t.split("</pre>").next())
        .expect("test results in the page");
    let text = text
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn report_edits_in_the_page_feed_a_rebalance_that_keeps_them() {
    let Some(browser) = chromium() else {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "skipped: no chromium");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    plan_sample(tmp.path());
    let plan = tmp.path().join("plan");
    let page = tmp.path().join("r.html");
    run_json(&[
        "report",
        "--plan",
        plan.to_str().unwrap(),
        "--out",
        page.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    let html = std::fs::read_to_string(&page).unwrap();
    // The accounts drawn on the map: id, territory, pixel position.
    let mut drawn: Vec<(String, String, f64, f64)> = Vec::new();
    for piece in html.split("<circle class=\"").skip(1) {
        if !(piece.starts_with("customer") || piece.starts_with("prospect")) {
            continue;
        }
        let attr = |name: &str| {
            let key = format!("{name}=\"");
            let start = piece.find(&key).unwrap() + key.len();
            piece[start..start + piece[start..].find('"').unwrap()].to_string()
        };
        drawn.push((
            attr("data-id"),
            attr("data-t"),
            attr("cx").parse().unwrap(),
            attr("cy").parse().unwrap(),
        ));
    }
    assert_eq!(drawn.len(), 1206);
    // A lasso round a square of the map near one of rep-04's accounts, and
    // the selection given to rep-09.
    let (_, _, x, y) = drawn.iter().find(|d| d.1 == "rep-04").unwrap().clone();
    let (x0, y0, x1, y1) = (x - 15.0, y - 15.0, x + 15.0, y + 15.0);
    let mut expected: Vec<&str> = drawn
        .iter()
        .filter(|d| d.2 > x0 && d.2 < x1 && d.3 > y0 && d.3 < y1)
        .map(|d| d.0.as_str())
        .collect();
    expected.sort_unstable();
    let whatif = format!("#whatif=rep-09,{x0},{y0},{x1},{y1}");
    let results = page_hook_results(&browser, &page, &whatif);
    let mut selected: Vec<&str> = results["selected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    selected.sort_unstable();
    assert!(!selected.is_empty());
    assert_eq!(
        selected, expected,
        "the lasso selects the accounts inside it"
    );
    assert_eq!(results["restored"], true, "undo restores the plan");
    let png = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-whatif.png");
    let _ = std::fs::remove_file(&png);
    Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .arg("--window-size=1280,1800")
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}{whatif}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        png.metadata().map(|m| m.len() > 10_000).unwrap_or(false),
        "no screenshot"
    );

    // The page's balance is a recount of the exported assignment.
    let csv_text = results["csv"].as_str().unwrap();
    let mut territory_of = std::collections::HashMap::new();
    let mut edited_ids: Vec<String> = Vec::new();
    for r in csv::Reader::from_reader(csv_text.as_bytes())
        .deserialize::<std::collections::HashMap<String, String>>()
    {
        let r = r.unwrap();
        // Edited: selected and not already in the territory given (an
        // account assigned where it already is stays as it was).
        let edited =
            selected.contains(&r["account"].as_str()) && r["previous_territory"] != "rep-09";
        assert_eq!(r["locked"] == "true", edited, "{}", r["account"]);
        if edited {
            assert_eq!(r["territory"], "rep-09");
            edited_ids.push(r["account"].clone());
        }
        territory_of.insert(r["account"].clone(), r["territory"].clone());
    }
    let mut sums: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for f in read_json(&plan.join("territories.geojson"))["features"]
        .as_array()
        .unwrap()
    {
        if f["properties"]["kind"] != "account" {
            continue;
        }
        let t = &territory_of[f["properties"]["id"].as_str().unwrap()];
        let values = f["properties"]["values"].as_array().unwrap();
        let entry = sums
            .entry(t.clone())
            .or_insert_with(|| vec![0.0; values.len()]);
        for (s, v) in entry.iter_mut().zip(values) {
            *s += v.as_f64().unwrap();
        }
    }
    for (t, recount) in &sums {
        let shown = results["sums"][t].as_array().unwrap();
        for (a, b) in recount.iter().zip(shown) {
            assert!((a - b.as_f64().unwrap()).abs() < 0.01, "{t}: {a} vs {b}");
        }
    }

    // The same lasso on a page whose accounts are shaded cells (as at
    // 100,000 accounts) selects the same accounts from the page's data, and
    // exports the same assignment.
    let cells_page = tmp.path().join("cells.html");
    run_json(&[
        "report",
        "--plan",
        plan.to_str().unwrap(),
        "--max-points",
        "100",
        "--out",
        cells_page.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    let cells_html = std::fs::read_to_string(&cells_page).unwrap();
    assert!(cells_html.contains(r#"class="cell""#) && cells_html.contains(r#"id="whatif""#));
    let on_cells = page_hook_results(&browser, &cells_page, &whatif);
    let mut picked: Vec<&str> = on_cells["selected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    picked.sort_unstable();
    assert_eq!(
        picked, selected,
        "the lasso on cells selects the same accounts"
    );
    assert_eq!(on_cells["csv"], results["csv"]);
    assert_eq!(on_cells["restored"], true);

    // `rebalance --assignment` completes the edit and keeps the locked accounts.
    let edited = tmp.path().join("assignment-edited.csv");
    std::fs::write(&edited, csv_text).unwrap();
    let re = tmp.path().join("re");
    run_json(&[
        "rebalance",
        "--accounts",
        sample("accounts.csv").to_str().unwrap(),
        "--reps",
        sample("reps.csv").to_str().unwrap(),
        "--assignment",
        edited.to_str().unwrap(),
        "--out",
        re.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    assert!(!edited_ids.is_empty(), "the lasso moved accounts");
    let after = std::fs::read_to_string(re.join("assignment.csv")).unwrap();
    for r in csv::Reader::from_reader(after.as_bytes())
        .deserialize::<std::collections::HashMap<String, String>>()
    {
        let r = r.unwrap();
        if edited_ids.contains(&r["account"]) {
            assert_eq!(
                r["territory"], "rep-09",
                "{} left its locked territory",
                r["account"]
            );
        }
    }
}

/// Opens the page with a test-hook fragment in headless chromium, checks
/// the console stayed empty, and returns what the hook wrote.
fn page_hook_results(browser: &Path, page: &Path, fragment: &str) -> Value {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
        ])
        .arg(format!("file://{}{fragment}", page.display()))
        .output()
        .expect("chromium runs");
    let log = String::from_utf8_lossy(&out.stderr);
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    test_results(&String::from_utf8_lossy(&out.stdout))
}

/// The thin-space thousands of the report's tables.
fn thousands(v: f64) -> String {
    let n = v.round() as i64;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A routes folder of one week and a KPI folder from a small history (every
/// 5th planned visit missed, every 11th cancelled, the rest done).
fn kpi_sample(dir: &Path) -> (PathBuf, PathBuf) {
    let assignment = plan_sample(dir);
    let routes = dir.join("routes");
    let args = routes_args(
        assignment.to_str().unwrap(),
        routes.to_str().unwrap(),
        &["--iterations", "30", "--weeks", "1"],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_json(&args);
    let visits = std::fs::read_to_string(routes.join("visits.csv")).unwrap();
    let mut history = String::from("account,date,status,rep\n");
    for (k, row) in csv::Reader::from_reader(visits.as_bytes())
        .records()
        .enumerate()
    {
        let row = row.unwrap();
        let status = match (k % 5, k % 11) {
            (0, _) => "missed",
            (_, 0) => "cancelled",
            _ => "done",
        };
        history.push_str(&format!("{},{},{status},{}\n", &row[3], &row[1], &row[0]));
    }
    let history_file = dir.join("history.csv");
    std::fs::write(&history_file, history).unwrap();
    let kpi = dir.join("kpi");
    run_json(&[
        "kpi",
        "--accounts",
        sample("accounts.csv").to_str().unwrap(),
        "--routes",
        routes.to_str().unwrap(),
        "--history",
        history_file.to_str().unwrap(),
        "--out",
        kpi.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    (routes, kpi)
}

/// The text of the `data-k="key"` cells in `row`, in order.
fn cells<'a>(row: &'a str, key: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    for tag in ["td", "th"] {
        let open = format!(r#"<{tag} data-k="{key}""#);
        for (i, _) in row.match_indices(&open) {
            let rest = &row[i..];
            let start = rest.find('>').unwrap() + 1;
            let end = rest.find(&format!("</{tag}>")).unwrap();
            out.push(&rest[start..end]);
        }
    }
    out
}

#[test]
fn report_kpi_section_shows_each_reps_figures_of_kpi_json() {
    let tmp = tempfile::tempdir().unwrap();
    let (routes, kpi) = kpi_sample(tmp.path());
    let out = tmp.path().join("report.html");
    let summary = run_json(&[
        "report",
        "--plan",
        tmp.path().join("plan").to_str().unwrap(),
        "--routes",
        routes.to_str().unwrap(),
        "--kpi",
        kpi.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    crate::schemas::assert_valid(&summary, "report");
    let json = read_json(&kpi.join("kpi.json"));
    let reps = json["reps"].as_array().unwrap();
    assert_eq!(summary["kpi"]["reps"], reps.len());
    assert_eq!(summary["kpi"]["from"], json["from"]);
    assert_eq!(summary["kpi"]["to"], json["to"]);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("Plan against actual, per rep"));
    for heading in [
        "visits planned",
        "visits done",
        "visits missed",
        "coverage",
        "accounts overdue",
        "new customers",
        ">Revenue<",
    ] {
        assert!(html.contains(heading), "{heading}");
    }
    let n = |v: &Value| thousands(v.as_f64().unwrap());
    let mut total: std::collections::BTreeMap<&str, f64> = Default::default();
    let mut missed_any = false;
    for rep in reps {
        let id = rep["rep"].as_str().unwrap();
        let open = format!(r#"<tr data-rep="{id}">"#);
        assert_eq!(html.matches(&open).count(), 1, "{id}: one KPI row");
        let start = html.find(&open).unwrap();
        let row = &html[start..start + html[start..].find("</tr>").unwrap()];
        for key in [
            "accounts",
            "planned",
            "done",
            "missed",
            "cancelled",
            "new_customers",
        ] {
            assert_eq!(cells(row, key), [n(&rep[key])], "{id} {key}");
            *total.entry(key).or_default() += rep[key].as_f64().unwrap();
        }
        missed_any |= rep["missed"].as_u64().unwrap() > 0;
        assert_eq!(
            cells(row, "accounts_covered"),
            [format!(
                "{} of {}",
                n(&rep["accounts_covered"]),
                n(&rep["accounts_due"])
            )],
            "{id}"
        );
        let coverage = match rep["coverage"].as_f64() {
            Some(c) => format!("{:.1}%", c * 100.0),
            None => "–".into(),
        };
        assert_eq!(cells(row, "coverage"), [coverage], "{id}");
        let overdue = rep["overdue"].as_array().unwrap();
        assert_eq!(
            cells(row, "overdue"),
            [thousands(overdue.len() as f64)],
            "{id}"
        );
        *total.entry("overdue").or_default() += overdue.len() as f64;
        let longest = overdue
            .iter()
            .map(|o| o["days_overdue"].as_i64().unwrap())
            .max();
        assert_eq!(
            cells(row, "days_overdue"),
            [longest.map_or("–".to_string(), |d| format!("{d} days"))],
            "{id}"
        );
        for o in overdue {
            let line = format!(
                r#"<tr class="overdue" data-rep="{id}"><td class="l">{id}</td><td class="l">{}</td>"#,
                o["account"].as_str().unwrap()
            );
            let at = html
                .find(&line)
                .unwrap_or_else(|| panic!("{id}: {o} not listed"));
            let tail = &html[at..at + html[at..].find("</tr>").unwrap()];
            assert!(
                tail.ends_with(&format!("<td>{}</td>", o["days_overdue"])),
                "{tail}"
            );
        }
        let sums = rep["sums"].as_object().unwrap();
        assert!(sums.contains_key("revenue"));
        let shown = cells(row, "sums");
        assert_eq!(shown.len(), sums.len(), "{id}");
        for (column, v) in sums {
            let cell = format!(r#"<td data-k="sums" data-column="{column}">{}</td>"#, n(v));
            assert!(row.contains(&cell), "{id}: {cell}");
        }
    }
    assert!(missed_any, "the history misses some visits");
    let start = html.find(r#"<tr id="kpi-total">"#).expect("a totals row");
    let row = &html[start..start + html[start..].find("</tr>").unwrap()];
    for (key, v) in &total {
        assert_eq!(cells(row, key), [thousands(*v)], "total {key}");
    }
}

#[test]
fn report_kpi_rejects_a_folder_that_is_not_a_kpi_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let (routes, kpi) = kpi_sample(tmp.path());
    let out = tmp.path().join("report.html");
    std::fs::write(&out, "earlier report").unwrap();
    let report = |kpi: &Path| {
        territory(&[
            "report",
            "--plan",
            tmp.path().join("plan").to_str().unwrap(),
            "--kpi",
            kpi.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let check = |kpi: &Path, words: &[&str]| {
        let o = report(kpi);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        for w in words {
            assert!(err.contains(w), "{w}: {err}");
        }
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "earlier report");
    };
    // A routes folder is not a KPI folder.
    check(&routes, &["kpi.json"]);
    // A kpi.json of another command.
    let fake = tmp.path().join("fake");
    std::fs::create_dir(&fake).unwrap();
    std::fs::write(fake.join("kpi.json"), r#"{"command":"routes"}"#).unwrap();
    check(&fake, &["kpi.json", "territory kpi"]);
    // A real kpi.json with a field missing, top level or per rep.
    let real = read_json(&kpi.join("kpi.json"));
    for (field, per_rep) in [("to", false), ("done", true), ("coverage", true)] {
        let mut broken = real.clone();
        if per_rep {
            broken["reps"][0].as_object_mut().unwrap().remove(field);
        } else {
            broken.as_object_mut().unwrap().remove(field);
        }
        std::fs::write(fake.join("kpi.json"), broken.to_string()).unwrap();
        check(&fake, &["kpi.json", field]);
    }
    // The real folder works.
    let o = report(&kpi);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// The KPI section in a real browser: the page runs without console errors
/// and the rendered per-rep rows carry kpi.json's figures; a screenshot is
/// kept under target/.
#[test]
fn report_kpi_section_renders_in_a_browser() {
    let Some(browser) = chromium() else {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "skipped: no chromium (CI installs it; apt-get install chromium)"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (routes, kpi) = kpi_sample(tmp.path());
    let out = tmp.path().join("report.html");
    run_json(&[
        "report",
        "--plan",
        tmp.path().join("plan").to_str().unwrap(),
        "--routes",
        routes.to_str().unwrap(),
        "--kpi",
        kpi.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    let url = format!("file://{}", out.display());
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ];
    let run = Command::new(&browser)
        .args(common)
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&run.stdout);
    let log = String::from_utf8_lossy(&run.stderr);
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    assert!(
        dom.contains(r#"<pre id="errors"></pre>"#),
        "page errors shown"
    );
    assert!(
        dom.contains(r#"id="kpis""#),
        "no KPI section in the rendered page"
    );
    let json = read_json(&kpi.join("kpi.json"));
    let section = &dom[dom.find(r#"id="kpis""#).unwrap()..];
    for rep in json["reps"].as_array().unwrap() {
        let id = rep["rep"].as_str().unwrap();
        let open = format!(r#"<tr data-rep="{id}">"#);
        let start = section
            .find(&open)
            .unwrap_or_else(|| panic!("{id}: no KPI row in the rendered page"));
        let row = &section[start..start + section[start..].find("</tr>").unwrap()];
        for key in ["planned", "done", "missed"] {
            assert_eq!(
                cells(row, key),
                [thousands(rep[key].as_f64().unwrap())],
                "{id} {key}"
            );
        }
    }
    let png = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-kpi.png");
    let _ = std::fs::remove_file(&png);
    let shot = Command::new(&browser)
        .args(common)
        .arg("--window-size=1280,5600")
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
