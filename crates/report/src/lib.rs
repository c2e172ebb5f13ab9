//! # territory-report
//!
//! One self-contained HTML file from a plan folder (and optionally a routes
//! folder) written by `territory plan` / `territory routes`: an SVG map of the
//! territories in distinct colours (neighbours never share one), customers and
//! prospects, rep bases and each rep's route for a chosen day; the balance per
//! criterion with its tolerance band; per-territory KPIs; the accounts a
//! rebalance moved; diagnostics and unscheduled visits. No tiles, no CDN, no
//! network: everything is inline.
//!
//! ```no_run
//! use std::path::Path;
//! use territory_report::{read_plan_folder, read_routes_folder, render, ReportOptions};
//! let plan = read_plan_folder(Path::new("plan"))?;
//! let routes = read_routes_folder(Path::new("routes"))?;
//! let html = render(&plan, Some(&routes), &ReportOptions::default());
//! std::fs::write("report.html", html)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! | item | what it does |
//! |---|---|
//! | [`read_plan_folder`], [`read_routes_folder`] | read the folders the other commands write |
//! | [`render`], [`ReportOptions`] | the HTML page |
//! | [`colour::dsatur`], [`colour::territory_neighbours`] | distinct colours for touching territories |
//! | [`map::Frame`] | lon/lat to SVG pixels |

pub mod colour;
mod folders;
pub mod html;
pub mod map;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

pub use folders::{
    read_plan_folder, read_routes_folder, AccountPoint, Base, Line, PlanFolder, ReportError,
    RouteLine, RoutesFolder, TerritoryShape,
};
use html::escape;

/// Report settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    /// Page title.
    pub title: String,
    /// Day whose routes show first (`YYYY-MM-DD`); default the first day.
    pub day: Option<String>,
    /// Above this many accounts, points are drawn as shaded 4-pixel cells.
    pub max_points: usize,
}

impl Default for ReportOptions {
    fn default() -> Self {
        Self {
            title: "Territory plan".into(),
            day: None,
            max_points: 20_000,
        }
    }
}

/// Colour per territory id: neighbours (by the accounts' Delaunay edges) differ.
pub fn territory_colours(plan: &PlanFolder) -> BTreeMap<&str, &'static str> {
    let ids: Vec<&str> = plan.territories.iter().map(|t| t.id.as_str()).collect();
    let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, &t)| (t, i)).collect();
    let (positions, territory): (Vec<[f64; 2]>, Vec<usize>) = plan
        .accounts
        .iter()
        .filter_map(|a| index.get(a.territory.as_str()).map(|&t| (a.at, t)))
        .unzip();
    let neighbours = colour::territory_neighbours(&positions, &territory, ids.len());
    let colours = colour::dsatur(&neighbours);
    ids.into_iter()
        .zip(colours)
        .map(|(id, c)| (id, colour::PALETTE[c % colour::PALETTE.len()]))
        .collect()
}

/// The report page.
pub fn render(plan: &PlanFolder, routes: Option<&RoutesFolder>, options: &ReportOptions) -> String {
    let colour_of = territory_colours(plan);
    let mut days: Vec<String> = routes
        .map(|r| r.lines.iter().map(|l| l.date.clone()).collect())
        .unwrap_or_default();
    days.sort();
    days.dedup();
    let shown = options
        .day
        .clone()
        .filter(|d| days.contains(d))
        .or_else(|| days.first().cloned());
    let s = &plan.summary;
    let mut page = String::new();
    let _ = write!(
        page,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title><style>{style}</style></head><body><header><h1>{title}</h1><p>{command} · territory {version}{routes_note}</p></header><main><pre id="errors"></pre>"#,
        title = escape(&options.title),
        style = html::STYLE,
        command = escape(s["command"].as_str().unwrap_or("plan")),
        version = escape(s["version"].as_str().unwrap_or("")),
        routes_note = routes
            .map(|r| format!(
                " · routes from {} for {} weeks",
                escape(r.summary["parameters"]["start"].as_str().unwrap_or("")),
                r.summary["parameters"]["weeks"]
            ))
            .unwrap_or_default(),
    );
    let _ = write!(page, "<section>{}</section>", html::headline(plan, routes));
    page.push_str("<section><h2>Map</h2>");
    page.push_str(r##"<p class="legend"><span><svg width="10" height="10"><circle cx="5" cy="5" r="3" fill="#1f3b73"/></svg> customer</span><span><svg width="10" height="10"><circle cx="5" cy="5" r="3" fill="#fff" stroke="#333"/></svg> prospect</span><span><svg width="10" height="10"><rect width="9" height="9" fill="#111"/></svg> rep base</span>"##);
    if routes.is_some() {
        page.push_str(r##"<span><svg width="16" height="10"><line x1="0" y1="5" x2="16" y2="5" stroke="#b2182b" stroke-width="2"/></svg> route of the day</span>"##);
    }
    page.push_str("</p>");
    if !days.is_empty() {
        page.push_str(r#"<div class="controls"><label>Routes on <select id="day">"#);
        for d in &days {
            let selected = if Some(d) == shown.as_ref() {
                " selected"
            } else {
                ""
            };
            let _ = write!(
                page,
                r#"<option value="{0}"{selected}>{0}</option>"#,
                escape(d)
            );
        }
        page.push_str("</select></label></div>");
    }
    page.push_str(&map::svg(
        plan,
        routes,
        &colour_of,
        &days,
        shown.as_deref(),
        options.max_points,
    ));
    page.push_str("</section>");
    let _ = write!(
        page,
        "<section><h2>Balance</h2>{}</section>",
        html::balance(plan, &colour_of)
    );
    let _ = write!(
        page,
        "<section><h2>Territories</h2>{}</section>",
        html::kpis(plan, routes, &colour_of)
    );
    if let Some(m) = html::moves(plan) {
        let _ = write!(page, "<section><h2>Moved accounts</h2>{m}</section>");
    }
    if let Some(p) = html::problems(plan, routes) {
        let _ = write!(page, "<section><h2>What could not be met</h2>{p}</section>");
    }
    page.push_str(SCRIPT);
    page.push_str("</main></body></html>\n");
    page
}

/// Day switching; any script error is shown on the page (and checked by the
/// browser test).
const SCRIPT: &str = r#"<script>
(function () {
  var errors = document.getElementById('errors');
  window.addEventListener('error', function (e) { errors.textContent += 'error: ' + e.message + '\n'; });
  var select = document.getElementById('day');
  if (select) {
    select.addEventListener('change', function () {
      document.querySelectorAll('.route-day').forEach(function (g) {
        g.style.display = g.getAttribute('data-date') === select.value ? '' : 'none';
      });
    });
  }
  document.body.setAttribute('data-ready', String(document.querySelectorAll('#territories path.territory').length));
})();
</script>"#;
