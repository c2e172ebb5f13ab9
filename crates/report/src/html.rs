//! The page around the map: headline figures in plain words, balance table
//! and labelled charts, per-territory KPIs, moves, what the map cannot show,
//! before/after, and diagnostics.

use std::collections::BTreeMap;
use std::fmt::Write;

use territory_formats::{KpiSummary, PlanSummary};

use crate::compare::Comparison;
use crate::folders::{PlanFolder, RoutesFolder};
use crate::truth::{BaseOutside, PieceMismatch};

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

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// A whole number with thin spaces between thousands.
pub fn thousands(v: f64) -> String {
    let n = v.round() as i64;
    let digits = n.unsigned_abs().to_string();
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
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:140px;max-width:260px}
.card b{display:block;font-size:18px}.card small{display:block;color:#555}.ok{color:#1a7f37}.miss{color:#b42318;font-weight:600}
table{border-collapse:collapse;font-size:13px}th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:right}
th:first-child,td:first-child,th.l,td.l{text-align:left}thead th{position:sticky;top:0;background:#fafafa}
.scroll{max-height:480px;overflow:auto;border:1px solid #eee}.swatch{display:inline-block;width:12px;height:12px;border:1px solid #555;vertical-align:middle;margin-right:6px}
.legend span{margin-right:16px}#map{border:1px solid #ddd;max-width:100%;height:auto;max-height:85vh;display:block}
.controls{margin:8px 0;display:flex;gap:16px;flex-wrap:wrap}#errors:empty{display:none}#errors{color:#b42318}
#test-results{display:none}#stop-info{min-height:1.4em;margin:6px 0;color:#333}.note{color:#555}.side{display:flex;gap:24px;flex-wrap:wrap}
.stop{cursor:pointer}
"#;

/// Headline cards, each figure with a sentence saying what it means.
pub(crate) fn headline(
    plan: &PlanFolder,
    routes: Option<&RoutesFolder>,
    mismatches: &[PieceMismatch],
    bases_outside: &[BaseOutside],
) -> String {
    let s = &plan.summary;
    let mut out = String::from(r#"<div class="cards">"#);
    let mut card = |label: &str, value: String, class: &str, words: String| {
        let _ = write!(
            out,
            r#"<div class="card">{label}<b class="{class}">{value}</b><small>{words}</small></div>"#
        );
    };
    card(
        "Territories",
        thousands(s.territories as f64),
        "",
        String::new(),
    );
    card("Accounts", thousands(s.accounts as f64), "", String::new());
    let worst = s.criteria.iter().max_by(|a, b| {
        (a.max_deviation / a.tolerance.max(1e-12))
            .total_cmp(&(b.max_deviation / b.tolerance.max(1e-12)))
    });
    card(
        "Balance",
        if s.balanced { "within tolerance" } else { "tolerance missed" }.into(),
        if s.balanced { "ok" } else { "miss" },
        worst
            .map(|c| {
                format!(
                    "the least balanced criterion, {}, is at most {} off a territory's fair share (allowed ±{})",
                    escape(&c.criterion),
                    pct(c.max_deviation),
                    pct(c.tolerance)
                )
            })
            .unwrap_or_default(),
    );
    if let Some(r) = s.compactness.ratio_to_bound {
        let centres = if s.compactness.centre == "base" {
            "reps' bases"
        } else {
            "centres"
        };
        card(
            "Compactness vs best possible",
            format!("{r:.3}"),
            "",
            if r <= 1.0005 {
                format!("territories are as compact as possible for these {centres}")
            } else {
                format!(
                    "territories are {:.0}% less compact than the best possible for these {centres} (1.000 = the LP lower bound)",
                    (r - 1.0) * 100.0
                )
            },
        );
    }
    let fragmented = s.contiguity.fragmented.len();
    let drawn_split = mismatches.iter().filter(|m| m.components == 1).count();
    card(
        "Contiguity",
        if fragmented == 0 {
            "every territory in one piece".into()
        } else {
            format!("{fragmented} territories in pieces")
        },
        if fragmented == 0 { "ok" } else { "miss" },
        format!(
            "on the {} neighbour graph{}",
            escape(&s.contiguity.adjacency),
            if drawn_split > 0 {
                format!("; {drawn_split} drawn in pieces on the map (see Map notes)")
            } else {
                "; the map draws each piece as one shape".into()
            }
        ),
    );
    if !bases_outside.is_empty() {
        card(
            "Bases outside own territory",
            bases_outside.len().to_string(),
            "miss",
            "ringed red on the map, listed under Map notes".into(),
        );
    }
    if s.moved_accounts > 0 {
        card(
            "Moved accounts",
            thousands(s.moved_accounts as f64),
            "",
            format!("revenue {} changes hands", thousands(s.moved_revenue)),
        );
    }
    if let Some(r) = routes {
        let t = &r.summary.totals;
        card(
            "Visits scheduled",
            format!(
                "{} / {}",
                thousands(t.scheduled_visits as f64),
                thousands(t.due_visits as f64)
            ),
            if t.scheduled_visits >= t.due_visits {
                "ok"
            } else {
                "miss"
            },
            if t.unscheduled_visits == 0 {
                "every due visit has a day and a time".into()
            } else {
                format!(
                    "{} due visits found no slot (reasons below)",
                    t.unscheduled_visits
                )
            },
        );
        card(
            "Travel",
            format!(
                "{:.0} h · {} km",
                t.travel_min / 60.0,
                thousands(t.travel_km)
            ),
            "",
            format!(
                "{:.0} min a working day on average",
                t.travel_min / t.days_with_visits.max(1) as f64
            ),
        );
    }
    out.push_str("</div>");
    out
}

/// Per criterion: the worst deviation in numbers and words, and a labelled
/// bar per territory against the band.
pub(crate) fn balance(plan: &PlanFolder, colour_of: &BTreeMap<String, String>) -> String {
    let s = &plan.summary;
    let mut out = String::from(
        r#"<table id="balance"><thead><tr><th>criterion</th><th>total</th><th>tolerance</th><th>worst deviation</th><th></th><th class="l">in words</th></tr></thead><tbody>"#,
    );
    for c in &s.criteria {
        let within = c.within_tolerance;
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td>{}</td><td>±{}</td><td class="{cls}">{}</td><td class="{cls}">{}</td><td class="l note">{}</td></tr>"#,
            escape(&c.criterion),
            thousands(c.total),
            pct(c.tolerance),
            pct(c.max_deviation),
            if within { "✓" } else { "✗" },
            if within {
                format!(
                    "every territory within {} of its fair share",
                    pct(c.tolerance)
                )
            } else {
                format!(
                    "some territory is {} off its fair share, more than the ±{} allowed",
                    pct(c.max_deviation),
                    pct(c.tolerance)
                )
            },
            cls = if within { "ok" } else { "miss" },
        );
    }
    out.push_str("</tbody></table>");
    for (ci, c) in s.criteria.iter().enumerate() {
        let devs: Vec<(String, String, f64)> = s
            .territory_metrics
            .iter()
            .map(|t| {
                let signed = t
                    .balance
                    .get(ci)
                    .filter(|b| b.target > 0.0)
                    .map_or(0.0, |b| b.value / b.target - 1.0);
                (
                    t.id.clone(),
                    t.name.clone().unwrap_or_else(|| t.id.clone()),
                    signed,
                )
            })
            .collect();
        out.push_str(&bar_chart(&c.criterion, c.tolerance, &devs, colour_of));
    }
    out
}

/// Signed deviation per territory as bars around zero, the band shaded, each
/// bar labelled with its rep (when there is room) and a tooltip.
fn bar_chart(
    name: &str,
    tol: f64,
    devs: &[(String, String, f64)],
    colour_of: &BTreeMap<String, String>,
) -> String {
    let labelled = devs.len() <= 60;
    let (w, plot_h, pad) = (1000.0, 150.0, 44.0);
    let h = if labelled { plot_h + 70.0 } else { plot_h };
    let reach = devs
        .iter()
        .map(|d| d.2.abs())
        .fold(tol * 1.5, f64::max)
        .max(0.01);
    let y = |v: f64| plot_h / 2.0 - v / reach * (plot_h / 2.0 - 10.0);
    let step = (w - pad) / devs.len().max(1) as f64;
    let mut s = format!(
        r##"<figure><figcaption>{} by territory: deviation from its fair share (target), green band = allowed ±{}{}</figcaption><svg class="chart" viewBox="0 0 {w} {h}" width="100%" style="max-width:1000px"><rect x="{pad}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#dff3e3"/><line x1="{pad}" x2="{w}" y1="{:.1}" y2="{:.1}" stroke="#888" stroke-width="0.5"/><text x="2" y="{:.1}" font-size="10">+{}</text><text x="2" y="{:.1}" font-size="10">0</text><text x="2" y="{:.1}" font-size="10">−{}</text>"##,
        escape(name),
        pct(tol),
        if labelled {
            ""
        } else {
            " (hover a bar for its territory)"
        },
        y(tol),
        w - pad,
        y(-tol) - y(tol),
        y(0.0),
        y(0.0),
        y(tol) + 3.0,
        pct(tol),
        y(0.0) + 3.0,
        y(-tol) + 3.0,
        pct(tol),
    );
    for (i, (id, label, d)) in devs.iter().enumerate() {
        let x = pad + i as f64 * step;
        let (top, bottom) = if *d >= 0.0 {
            (y(*d), y(0.0))
        } else {
            (y(0.0), y(*d))
        };
        let out_of_band = d.abs() > tol + 1e-9;
        let _ = write!(
            s,
            r##"<rect class="bar" data-id="{}" x="{x:.2}" y="{top:.1}" width="{:.2}" height="{:.1}" fill="{}" stroke="{}" stroke-width="{}"><title>{} ({}): {:+.1}%</title></rect>"##,
            escape(id),
            (step * 0.8).max(0.5),
            (bottom - top).max(0.5),
            colour_of.get(id).map_or("#999", String::as_str),
            if out_of_band { "#b42318" } else { "#555" },
            if out_of_band { 1.5 } else { 0.3 },
            escape(id),
            escape(label),
            d * 100.0
        );
        if labelled {
            let cx = x + step * 0.4;
            let _ = write!(
                s,
                r#"<text class="bar-label" x="{cx:.1}" y="{:.1}" font-size="10" text-anchor="end" transform="rotate(-40 {cx:.1} {:.1})">{}</text>"#,
                plot_h + 12.0,
                plot_h + 12.0,
                escape(label)
            );
        }
    }
    s.push_str("</svg></figure>");
    s
}

/// Per-territory KPIs, with routing figures when a routes folder is given.
pub(crate) fn kpis(
    plan: &PlanFolder,
    routes: Option<&RoutesFolder>,
    colour_of: &BTreeMap<String, String>,
) -> String {
    let weeks = routes.map_or(1.0, |r| f64::from(r.summary.parameters.weeks).max(1.0));
    let per_rep: BTreeMap<&str, &territory_formats::RepSummary> = routes
        .map(|r| r.summary.reps.iter().map(|r| (r.rep.as_str(), r)).collect())
        .unwrap_or_default();
    let territories = &plan.summary.territory_metrics;
    let levelled = territories.iter().any(|t| t.region.is_some());
    let mut out = String::from(
        r#"<div class="scroll"><table id="kpis"><thead><tr><th>territory</th><th class="l">rep</th>"#,
    );
    if levelled {
        out.push_str(r#"<th class="l">region</th>"#);
    }
    out.push_str(
        "<th>accounts</th><th>customers</th><th>prospects</th><th>revenue</th><th>workload h / 4 weeks</th><th>pieces</th>",
    );
    if routes.is_some() {
        out.push_str(r#"<th>visits / week</th><th>travel h / week</th><th title="minutes on duty over the working time available">utilisation</th>"#);
    }
    out.push_str("</tr></thead><tbody>");
    for t in territories {
        let _ = write!(
            out,
            r#"<tr data-id="{id}"><td><span class="swatch" style="background:{}"></span>{id}</td><td class="l">{}</td>"#,
            colour_of.get(&t.id).map_or("#ddd", String::as_str),
            escape(t.name.as_deref().unwrap_or("")),
            id = escape(&t.id),
        );
        if levelled {
            let _ = write!(
                out,
                r#"<td class="l">{}</td>"#,
                escape(t.region.as_deref().unwrap_or(""))
            );
        }
        let _ = write!(
            out,
            r#"<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1}</td><td>{}</td>"#,
            thousands(t.accounts as f64),
            thousands(t.customers as f64),
            thousands(t.prospects as f64),
            thousands(t.revenue),
            t.workload_hours,
            t.components
        );
        if routes.is_some() {
            match per_rep.get(t.id.as_str()) {
                Some(r) => {
                    let _ = write!(
                        out,
                        "<td>{:.1}</td><td>{:.1}</td><td>{}</td>",
                        r.visits as f64 / weeks,
                        r.travel_min / 60.0 / weeks,
                        pct(r.utilisation)
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

/// An account column name as a heading: `gross_profit` → "Gross profit".
fn heading(column: &str) -> String {
    let words = column.replace(['_', '-'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The coverage cell: a share, or a dash when nothing was due.
fn coverage(c: Option<f64>) -> String {
    c.map_or_else(|| "–".to_string(), pct)
}

/// Per rep, plan against actual from a KPI folder: visits planned, done,
/// missed and cancelled; coverage; overdue accounts; new customers; the sums
/// of the numeric account columns; a totals row; and the overdue accounts
/// with their days overdue. Every cell is `data-k` keyed by its `kpi.json`
/// field, so a test (or a script) can read the figures back.
pub(crate) fn rep_kpis(plan: &PlanFolder, kpi: &KpiSummary) -> String {
    let names: BTreeMap<&str, &str> = plan
        .summary
        .territory_metrics
        .iter()
        .filter_map(|t| t.name.as_deref().map(|n| (t.id.as_str(), n)))
        .collect();
    let account_names: BTreeMap<&str, &str> = plan
        .accounts
        .iter()
        .filter_map(|a| a.name.as_deref().map(|n| (a.id.as_str(), n)))
        .collect();
    // Revenue first, then the other columns in name order.
    let mut columns: Vec<&str> = Vec::new();
    for r in &kpi.reps {
        for c in r.sums.keys() {
            if !columns.contains(&c.as_str()) {
                columns.push(c);
            }
        }
    }
    columns.sort_by_key(|c| (*c != "revenue", *c));
    let mut out = format!(
        r#"<p>From {} to {}: what each rep's plan asked for, and what the visit history says happened.</p><div class="scroll"><table id="kpi-reps"><thead><tr><th class="l">rep</th><th class="l">name</th><th title="accounts the rep looks after">accounts</th><th title="visits on the rep's routes in the period">visits planned</th><th title="visits made, from the history">visits done</th><th title="visits that did not happen">visits missed</th><th title="visits called off">visits cancelled</th><th title="accounts visited at least as often as they should be, of the accounts due a visit">accounts seen often enough</th><th title="accounts seen often enough / accounts due a visit">coverage</th><th title="accounts still owed a visit on the day after the period">accounts overdue</th><th title="the longest wait among the overdue accounts">longest overdue</th><th title="prospects in the earlier accounts file that are customers now">new customers</th>"#,
        kpi.from, kpi.to
    );
    for c in &columns {
        let _ = write!(
            out,
            r#"<th title="sum over the rep's accounts">{}</th>"#,
            escape(&heading(c))
        );
    }
    out.push_str("</tr></thead><tbody>");
    let cell = |out: &mut String, key: &str, text: String| {
        let _ = write!(out, r#"<td data-k="{key}">{text}</td>"#);
    };
    let mut sums: BTreeMap<&str, f64> = BTreeMap::new();
    let (mut accounts, mut planned, mut done, mut missed, mut cancelled) = (0, 0, 0, 0, 0);
    let (mut due, mut covered, mut overdue, mut longest, mut new_customers) = (0, 0, 0, 0i64, 0);
    for r in &kpi.reps {
        let most = r.overdue.iter().map(|o| o.days_overdue).max();
        let _ = write!(
            out,
            r#"<tr data-rep="{id}"><td class="l">{id}</td><td class="l">{}</td>"#,
            escape(names.get(r.rep.as_str()).copied().unwrap_or("")),
            id = escape(&r.rep),
        );
        cell(&mut out, "accounts", thousands(r.accounts as f64));
        cell(&mut out, "planned", thousands(r.planned as f64));
        cell(&mut out, "done", thousands(r.done as f64));
        cell(&mut out, "missed", thousands(r.missed as f64));
        cell(&mut out, "cancelled", thousands(r.cancelled as f64));
        cell(
            &mut out,
            "accounts_covered",
            format!(
                "{} of {}",
                thousands(r.accounts_covered as f64),
                thousands(r.accounts_due as f64)
            ),
        );
        cell(&mut out, "coverage", coverage(r.coverage));
        cell(&mut out, "overdue", thousands(r.overdue.len() as f64));
        cell(
            &mut out,
            "days_overdue",
            most.map_or_else(|| "–".to_string(), |d| format!("{d} days")),
        );
        cell(&mut out, "new_customers", thousands(r.new_customers as f64));
        for c in &columns {
            let v = r.sums.get(*c).copied().unwrap_or(0.0);
            *sums.entry(c).or_insert(0.0) += v;
            let _ = write!(
                out,
                r#"<td data-k="sums" data-column="{}">{}</td>"#,
                escape(c),
                thousands(v)
            );
        }
        out.push_str("</tr>");
        accounts += r.accounts;
        planned += r.planned;
        done += r.done;
        missed += r.missed;
        cancelled += r.cancelled;
        due += r.accounts_due;
        covered += r.accounts_covered;
        overdue += r.overdue.len();
        longest = longest.max(most.unwrap_or(0));
        new_customers += r.new_customers;
    }
    out.push_str(r#"</tbody><tfoot><tr id="kpi-total"><th class="l">all reps</th><th></th>"#);
    let total = |out: &mut String, key: &str, text: String| {
        let _ = write!(out, r#"<th data-k="{key}">{text}</th>"#);
    };
    total(&mut out, "accounts", thousands(accounts as f64));
    total(&mut out, "planned", thousands(planned as f64));
    total(&mut out, "done", thousands(done as f64));
    total(&mut out, "missed", thousands(missed as f64));
    total(&mut out, "cancelled", thousands(cancelled as f64));
    total(
        &mut out,
        "accounts_covered",
        format!("{} of {}", thousands(covered as f64), thousands(due as f64)),
    );
    total(
        &mut out,
        "coverage",
        coverage((due > 0).then(|| covered as f64 / due as f64)),
    );
    total(&mut out, "overdue", thousands(overdue as f64));
    total(
        &mut out,
        "days_overdue",
        if overdue > 0 {
            format!("{longest} days")
        } else {
            "–".into()
        },
    );
    total(&mut out, "new_customers", thousands(new_customers as f64));
    for c in &columns {
        let _ = write!(
            out,
            r#"<th data-k="sums" data-column="{}">{}</th>"#,
            escape(c),
            thousands(sums.get(c).copied().unwrap_or(0.0))
        );
    }
    out.push_str("</tr></tfoot></table></div>");
    out.push_str(r#"<ul class="note"><li><b>Visits planned</b>: visits on the rep's routes in the period; <b>done</b>, <b>missed</b> and <b>cancelled</b> come from the visit history.</li><li><b>Coverage</b>: of the accounts due at least one visit in the period, the share visited at least as often as their visit frequency asks.</li><li><b>Accounts overdue</b>: accounts still owed a visit on the day after the period, listed below with how many days late they are.</li><li><b>New customers</b>: prospects in the earlier accounts file that are customers now (0 when no earlier file was given).</li><li>The money columns are sums over the accounts each rep looks after.</li></ul>"#);
    if overdue > 0 {
        out.push_str(r#"<h3>Overdue accounts</h3><div class="scroll"><table id="kpi-overdue"><thead><tr><th class="l">rep</th><th class="l">account</th><th class="l">name</th><th>days overdue</th></tr></thead><tbody>"#);
        let mut rows: Vec<(&str, &str, i64)> = kpi
            .reps
            .iter()
            .flat_map(|r| {
                r.overdue
                    .iter()
                    .map(move |o| (r.rep.as_str(), o.account.as_str(), o.days_overdue))
            })
            .collect();
        rows.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)).then(a.1.cmp(b.1)));
        for (rep, account, days) in rows.iter().take(2000) {
            let _ = write!(
                out,
                r#"<tr class="overdue" data-rep="{}"><td class="l">{}</td><td class="l">{}</td><td class="l">{}</td><td>{days}</td></tr>"#,
                escape(rep),
                escape(rep),
                escape(account),
                escape(account_names.get(account).copied().unwrap_or("")),
            );
        }
        if rows.len() > 2000 {
            let _ = write!(
                out,
                r#"<tr><td colspan="4">… and {} more (kpi.json)</td></tr>"#,
                rows.len() - 2000
            );
        }
        out.push_str("</tbody></table></div>");
    }
    out
}

/// What the map cannot show as the summary says: territories drawn in
/// another number of pieces, bases outside their own territory.
pub(crate) fn map_notes(
    plan: &PlanFolder,
    mismatches: &[PieceMismatch],
    bases_outside: &[BaseOutside],
) -> Option<String> {
    if mismatches.is_empty() && bases_outside.is_empty() {
        return None;
    }
    let adjacency = &plan.summary.contiguity.adjacency;
    let mut out = String::from(r#"<ul id="map-notes">"#);
    for m in mismatches {
        let why = if m.components == 1 {
            format!(
                "it is one piece on the {adjacency} neighbour graph, but some of its neighbour pairs are not joined by a shared boundary of the drawn shapes"
            )
        } else if m.drawn < m.components {
            format!(
                "it is {} pieces on the {adjacency} neighbour graph, but the drawn shapes of its pieces touch",
                m.components
            )
        } else {
            format!(
                "it is {} pieces on the {adjacency} neighbour graph",
                m.components
            )
        };
        let _ = write!(
            out,
            r#"<li class="pieces" data-id="{}">{} is drawn in {} piece{} because {why}.</li>"#,
            escape(&m.territory),
            escape(&m.territory),
            m.drawn,
            if m.drawn == 1 { "" } else { "s" },
        );
    }
    for b in bases_outside {
        let _ = write!(
            out,
            r#"<li class="base-outside" data-id="{}">The base of {}{} lies {} (ringed red on the map): the rep starts and ends every day outside the territory. {}</li>"#,
            escape(&b.territory),
            escape(&b.territory),
            b.name
                .as_deref()
                .map(|n| format!(" ({})", escape(n)))
                .unwrap_or_default(),
            b.inside
                .as_deref()
                .map(|t| format!("in {}'s territory", escape(t)))
                .unwrap_or_else(|| "outside every drawn territory".into()),
            match &b.reason {
                Some(r) => format!("The plan left it there: {}.", escape(r)),
                None => "The plan's summary gives no reason for it.".into(),
            }
        );
    }
    out.push_str("</ul>");
    Some(out)
}

/// The accounts a rebalance moved (first 2,000), with their names.
pub(crate) fn moves(plan: &PlanFolder) -> Option<String> {
    let moves = &plan.summary.moves;
    if moves.is_empty() {
        return None;
    }
    let names: BTreeMap<&str, &str> = plan
        .accounts
        .iter()
        .filter_map(|a| a.name.as_deref().map(|n| (a.id.as_str(), n)))
        .collect();
    let mut out = format!(
        r#"<p>{} accounts moved (revenue {}).</p><div class="scroll"><table id="moves"><thead><tr><th>account</th><th class="l">name</th><th class="l">from</th><th class="l">to</th></tr></thead><tbody>"#,
        thousands(moves.len() as f64),
        thousands(plan.summary.moved_revenue)
    );
    for m in moves.iter().take(2000) {
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td class="l">{}</td><td class="l">{}</td><td class="l">{}</td></tr>"#,
            escape(&m.account),
            escape(names.get(m.account.as_str()).copied().unwrap_or("")),
            escape(&m.from),
            escape(&m.to)
        );
    }
    if moves.len() > 2000 {
        let _ = write!(
            out,
            r#"<tr><td colspan="4">… and {} more (summary.json)</td></tr>"#,
            moves.len() - 2000
        );
    }
    out.push_str("</tbody></table></div>");
    Some(out)
}

/// Before and after: the changes, and the balance of both plans side by side.
pub(crate) fn before_after(old: &PlanSummary, new: &PlanSummary, c: &Comparison) -> String {
    let mut out = format!(
        r#"<p id="changes-summary">{} accounts moved (ringed orange on the map), {} new (green), {} removed (grey crosses); {} new territories{}, {} removed{}.</p>"#,
        thousands(c.moved.len() as f64),
        thousands(c.added_accounts.len() as f64),
        thousands(c.removed_accounts.len() as f64),
        c.added_territories.len(),
        list(&c.added_territories),
        c.removed_territories.len(),
        list(&c.removed_territories),
    );
    out.push_str(r#"<div class="side"><table id="balance-before-after"><thead><tr><th>criterion</th><th>tolerance</th><th>worst before</th><th>worst after</th></tr></thead><tbody>"#);
    for c in &new.criteria {
        let before = old.criteria.iter().find(|o| o.criterion == c.criterion);
        let cell = |dev: f64, within: bool| {
            format!(
                r#"<td class="{}">{}</td>"#,
                if within { "ok" } else { "miss" },
                pct(dev)
            )
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>±{}</td>{}{}</tr>",
            escape(&c.criterion),
            pct(c.tolerance),
            before.map_or("<td>–</td>".into(), |b| cell(
                b.max_deviation,
                b.within_tolerance
            )),
            cell(c.max_deviation, c.within_tolerance)
        );
    }
    out.push_str("</tbody></table>");
    out.push_str(
        r#"<div class="scroll"><table id="territories-before-after"><thead><tr><th>territory</th>"#,
    );
    for c in &new.criteria {
        let _ = write!(
            out,
            "<th>{0} before</th><th>{0} after</th>",
            escape(&c.criterion)
        );
    }
    out.push_str("</tr></thead><tbody>");
    let mut ids: Vec<&str> = new
        .territory_metrics
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    ids.extend(c.removed_territories.iter().map(String::as_str));
    for id in ids {
        let find = |s: &'_ PlanSummary| s.territory_metrics.iter().find(|t| t.id == id).cloned();
        let (b, a) = (find(old), find(new));
        let _ = write!(out, "<tr><td>{}</td>", escape(id));
        for crit in &new.criteria {
            for t in [&b, &a] {
                match t
                    .as_ref()
                    .and_then(|t| t.balance.iter().find(|v| v.criterion == crit.criterion))
                {
                    Some(v) => {
                        let _ = write!(
                            out,
                            r#"<td class="{}" title="{:+.1}% of target">{}</td>"#,
                            if v.within_tolerance { "" } else { "miss" },
                            if v.target > 0.0 {
                                (v.value / v.target - 1.0) * 100.0
                            } else {
                                0.0
                            },
                            thousands(v.value)
                        );
                    }
                    None => out.push_str("<td>–</td>"),
                }
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div></div>");
    out
}

fn list(ids: &[String]) -> String {
    if ids.is_empty() {
        String::new()
    } else {
        format!(" ({})", escape(&ids.join(", ")))
    }
}

/// Diagnostics of the plan and unscheduled visits of the routes.
pub(crate) fn problems(plan: &PlanFolder, routes: Option<&RoutesFolder>) -> Option<String> {
    let mut items = Vec::new();
    for d in &plan.summary.diagnostics {
        items.push(escape(&d.message));
    }
    if let Some(r) = routes {
        for u in &r.summary.unscheduled {
            items.push(format!(
                "{} ({}): {} of {} visits — {}",
                escape(&u.account),
                escape(&u.rep),
                u.scheduled,
                u.due,
                escape(&u.reason)
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
