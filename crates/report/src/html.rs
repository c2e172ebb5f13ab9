//! The page around the map: headline figures, balance table and chart,
//! per-territory KPIs, moves, routes and diagnostics.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::Value;

use crate::folders::{PlanFolder, RoutesFolder};

/// Escapes text for HTML element content and attribute values.
///
/// ```
/// assert_eq!(territory_report::html::escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn thousands(v: f64) -> String {
    let n = v.round() as i64;
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
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

pub(crate) const STYLE: &str = r#"
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d1d1f;background:#fff}
header{padding:16px 24px;background:#1f3b73;color:#fff}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;opacity:.85}main{padding:16px 24px;max-width:1400px}
section{margin:0 0 28px}h2{font-size:16px;border-bottom:1px solid #ddd;padding-bottom:4px}
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:140px}
.card b{display:block;font-size:18px}.ok{color:#1a7f37}.miss{color:#b42318;font-weight:600}
table{border-collapse:collapse;font-size:13px}th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:right}
th:first-child,td:first-child,th.l,td.l{text-align:left}thead th{position:sticky;top:0;background:#fafafa}
.scroll{max-height:480px;overflow:auto;border:1px solid #eee}.swatch{display:inline-block;width:12px;height:12px;border:1px solid #555;vertical-align:middle;margin-right:6px}
.legend span{margin-right:16px}#map{border:1px solid #ddd;max-width:1000px;display:block}
.controls{margin:8px 0}#errors:empty{display:none}#errors{color:#b42318}
"#;

/// Headline cards.
pub(crate) fn headline(plan: &PlanFolder, routes: Option<&RoutesFolder>) -> String {
    let s = &plan.summary;
    let mut out = String::from(r#"<div class="cards">"#);
    let mut card = |label: &str, value: String, class: &str| {
        let _ = write!(
            out,
            r#"<div class="card">{label}<b class="{class}">{value}</b></div>"#
        );
    };
    card("Territories", thousands(num(&s["territories"])), "");
    card("Accounts", thousands(num(&s["accounts"])), "");
    let balanced = s["balanced"].as_bool().unwrap_or(false);
    card(
        "Balance",
        if balanced {
            "within tolerance".into()
        } else {
            "tolerance missed".into()
        },
        if balanced { "ok" } else { "miss" },
    );
    if let Some(r) = s["compactness"]["ratio_to_bound"].as_f64() {
        card("Compactness / LP bound", format!("{r:.3}"), "");
    }
    let contiguous = s["contiguity"]["contiguous"].as_bool().unwrap_or(false);
    card(
        "Contiguity",
        if contiguous {
            "every territory in one piece".into()
        } else {
            "fragmented".into()
        },
        if contiguous { "ok" } else { "miss" },
    );
    if num(&s["moved_accounts"]) > 0.0 {
        card("Moved accounts", thousands(num(&s["moved_accounts"])), "");
    }
    if let Some(r) = routes {
        let t = &r.summary["totals"];
        let (due, got) = (num(&t["due_visits"]), num(&t["scheduled_visits"]));
        card(
            "Visits scheduled",
            format!("{} / {}", thousands(got), thousands(due)),
            if got >= due { "ok" } else { "miss" },
        );
        card(
            "Travel",
            format!(
                "{:.0} h · {} km",
                num(&t["travel_min"]) / 60.0,
                thousands(num(&t["travel_km"]))
            ),
            "",
        );
    }
    out.push_str("</div>");
    out
}

/// Per criterion: the worst deviation, and a bar per territory against the band.
pub(crate) fn balance(plan: &PlanFolder, colour_of: &BTreeMap<&str, &str>) -> String {
    let s = &plan.summary;
    let mut out = String::from(
        r#"<table><thead><tr><th>criterion</th><th>total</th><th>tolerance</th><th>worst deviation</th><th></th></tr></thead><tbody>"#,
    );
    let criteria = s["criteria"].as_array().cloned().unwrap_or_default();
    for c in &criteria {
        let within = c["within_tolerance"].as_bool().unwrap_or(false);
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td>{}</td><td>±{}</td><td class="{}">{}</td><td class="{}">{}</td></tr>"#,
            escape(c["criterion"].as_str().unwrap_or("")),
            thousands(num(&c["total"])),
            pct(num(&c["tolerance"])),
            if within { "ok" } else { "miss" },
            pct(num(&c["max_deviation"])),
            if within { "ok" } else { "miss" },
            if within { "✓" } else { "✗" }
        );
    }
    out.push_str("</tbody></table>");
    let territories = s["territory_metrics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (ci, c) in criteria.iter().enumerate() {
        let name = c["criterion"].as_str().unwrap_or("");
        let tol = num(&c["tolerance"]);
        let devs: Vec<(String, f64)> = territories
            .iter()
            .map(|t| {
                let b = &t["balance"][ci];
                let target = num(&b["target"]);
                let signed = if target > 0.0 {
                    num(&b["value"]) / target - 1.0
                } else {
                    0.0
                };
                (t["id"].as_str().unwrap_or("").to_string(), signed)
            })
            .collect();
        out.push_str(&bar_chart(name, tol, &devs, colour_of));
    }
    out
}

/// Signed deviation per territory as bars around zero; the band is shaded.
fn bar_chart(
    name: &str,
    tol: f64,
    devs: &[(String, f64)],
    colour_of: &BTreeMap<&str, &str>,
) -> String {
    let (w, h, pad) = (1000.0, 150.0, 36.0);
    let reach = devs
        .iter()
        .map(|d| d.1.abs())
        .fold(tol * 1.5, f64::max)
        .max(0.01);
    let y = |v: f64| h / 2.0 - v / reach * (h / 2.0 - 10.0);
    let step = (w - pad) / devs.len().max(1) as f64;
    let mut s = format!(
        r##"<figure><figcaption>{} by territory: deviation from target, band ±{}</figcaption><svg class="chart" viewBox="0 0 {w} {h}" width="100%" style="max-width:1000px"><rect x="{pad}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#dff3e3"/><line x1="{pad}" x2="{w}" y1="{:.1}" y2="{:.1}" stroke="#888" stroke-width="0.5"/><text x="2" y="{:.1}" font-size="10">+{}</text><text x="2" y="{:.1}" font-size="10">−{}</text>"##,
        escape(name),
        pct(tol),
        y(tol),
        w - pad,
        y(-tol) - y(tol),
        y(0.0),
        y(0.0),
        y(tol) + 3.0,
        pct(tol),
        y(-tol) + 3.0,
        pct(tol),
    );
    for (i, (id, d)) in devs.iter().enumerate() {
        let x = pad + i as f64 * step;
        let (top, bottom) = if *d >= 0.0 {
            (y(*d), y(0.0))
        } else {
            (y(0.0), y(*d))
        };
        let out_of_band = d.abs() > tol + 1e-9;
        let _ = write!(
            s,
            r##"<rect class="bar" x="{x:.2}" y="{top:.1}" width="{:.2}" height="{:.1}" fill="{}" stroke="{}" stroke-width="{}"><title>{}: {:+.1}%</title></rect>"##,
            (step * 0.8).max(0.5),
            (bottom - top).max(0.5),
            colour_of.get(id.as_str()).copied().unwrap_or("#999"),
            if out_of_band { "#b42318" } else { "#555" },
            if out_of_band { 1.5 } else { 0.3 },
            escape(id),
            d * 100.0
        );
    }
    s.push_str("</svg></figure>");
    s
}

/// Per-territory KPIs, with routing figures when a routes folder is given.
pub(crate) fn kpis(
    plan: &PlanFolder,
    routes: Option<&RoutesFolder>,
    colour_of: &BTreeMap<&str, &str>,
) -> String {
    let weeks = routes
        .and_then(|r| r.summary["parameters"]["weeks"].as_f64())
        .unwrap_or(1.0)
        .max(1.0);
    let per_rep: BTreeMap<String, &Value> = routes
        .and_then(|r| r.summary["reps"].as_array())
        .map(|reps| {
            reps.iter()
                .map(|r| (r["rep"].as_str().unwrap_or("").to_string(), r))
                .collect()
        })
        .unwrap_or_default();
    let territories = plan.summary["territory_metrics"].as_array();
    // Plans with alignment levels name each territory's region.
    let levelled = territories
        .into_iter()
        .flatten()
        .any(|t| t["region"].is_string());
    let mut out = String::from(
        r#"<div class="scroll"><table id="kpis"><thead><tr><th>territory</th><th class="l">rep</th>"#,
    );
    if levelled {
        out.push_str(r#"<th class="l">region</th>"#);
    }
    out.push_str(
        "<th>accounts</th><th>customers</th><th>prospects</th><th>revenue</th><th>workload h</th>",
    );
    if routes.is_some() {
        out.push_str("<th>visits / week</th><th>travel h / week</th><th>utilisation</th>");
    }
    out.push_str("</tr></thead><tbody>");
    for t in territories.into_iter().flatten() {
        let id = t["id"].as_str().unwrap_or("");
        let _ = write!(
            out,
            r#"<tr><td><span class="swatch" style="background:{}"></span>{}</td><td class="l">{}</td>"#,
            colour_of.get(id).copied().unwrap_or("#ddd"),
            escape(id),
            escape(t["name"].as_str().unwrap_or("")),
        );
        if levelled {
            let _ = write!(
                out,
                r#"<td class="l">{}</td>"#,
                escape(t["region"].as_str().unwrap_or(""))
            );
        }
        let _ = write!(
            out,
            r#"<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1}</td>"#,
            thousands(num(&t["accounts"])),
            thousands(num(&t["customers"])),
            thousands(num(&t["prospects"])),
            thousands(num(&t["revenue"])),
            num(&t["workload_hours"])
        );
        if routes.is_some() {
            match per_rep.get(id) {
                Some(r) => {
                    let _ = write!(
                        out,
                        "<td>{:.1}</td><td>{:.1}</td><td>{}</td>",
                        num(&r["visits"]) / weeks,
                        num(&r["travel_min"]) / 60.0 / weeks,
                        pct(num(&r["utilisation"]))
                    );
                }
                None => out.push_str("<td></td><td></td><td></td>"),
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
    out
}

/// The accounts a rebalance moved (first 2,000).
pub(crate) fn moves(plan: &PlanFolder) -> Option<String> {
    let moves = plan.summary["moves"].as_array().filter(|m| !m.is_empty())?;
    let mut out = format!(
        r#"<p>{} accounts moved (revenue {}).</p><div class="scroll"><table id="moves"><thead><tr><th>account</th><th class="l">from</th><th class="l">to</th></tr></thead><tbody>"#,
        thousands(moves.len() as f64),
        thousands(num(&plan.summary["moved_revenue"]))
    );
    for m in moves.iter().take(2000) {
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td class="l">{}</td><td class="l">{}</td></tr>"#,
            escape(m["account"].as_str().unwrap_or("")),
            escape(m["from"].as_str().unwrap_or("")),
            escape(m["to"].as_str().unwrap_or(""))
        );
    }
    if moves.len() > 2000 {
        let _ = write!(
            out,
            r#"<tr><td colspan="3">… and {} more (summary.json)</td></tr>"#,
            moves.len() - 2000
        );
    }
    out.push_str("</tbody></table></div>");
    Some(out)
}

/// Diagnostics of the plan and unscheduled visits of the routes.
pub(crate) fn problems(plan: &PlanFolder, routes: Option<&RoutesFolder>) -> Option<String> {
    let mut items = Vec::new();
    for d in plan.summary["diagnostics"].as_array().into_iter().flatten() {
        items.push(escape(d["message"].as_str().unwrap_or(&d.to_string())));
    }
    if let Some(r) = routes {
        for u in r.summary["unscheduled"].as_array().into_iter().flatten() {
            items.push(format!(
                "{} ({}): {} of {} visits — {}",
                escape(u["account"].as_str().unwrap_or("")),
                escape(u["rep"].as_str().unwrap_or("")),
                num(&u["scheduled"]),
                num(&u["due"]),
                escape(u["reason"].as_str().unwrap_or(""))
            ));
        }
    }
    if items.is_empty() {
        return None;
    }
    let mut out = String::from(r#"<div class="scroll"><ul>"#);
    for i in items.iter().take(2000) {
        let _ = write!(out, "<li>{i}</li>");
    }
    out.push_str("</ul></div>");
    Some(out)
}
