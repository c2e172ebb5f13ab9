//! # territory-report
//!
//! One self-contained HTML file from a plan folder (and optionally a routes
//! folder, a KPI folder, and an earlier plan to compare with) written by
//! `territory plan` / `territory routes` / `territory kpi`: an SVG map of the
//! territories in colours that stay with each territory id (touching
//! territories differ), customers and prospects with tooltips, rep bases
//! labelled with the rep's name, each rep's route of a chosen day with
//! numbered stops; each rep's day table; the balance per criterion with its
//! tolerance band; per-territory KPIs; per rep, visits planned, done and
//! missed against the plan (from a KPI folder); what the map cannot show as
//! the summary says (territories drawn in pieces, bases outside their
//! territory); before/after; diagnostics and unscheduled visits. No tiles, no
//! CDN, no network: everything is inline.
//!
//! ```no_run
//! use std::path::Path;
//! use territory_report::{read_plan_folder, read_routes_folder, render, ReportOptions};
//! let plan = read_plan_folder(Path::new("plan"))?;
//! let routes = read_routes_folder(Path::new("routes"))?;
//! let html = render(&plan, Some(&routes), None, None, &ReportOptions::default());
//! std::fs::write("report.html", html)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! | item | what it does |
//! |---|---|
//! | [`read_plan_folder`], [`read_routes_folder`], [`read_kpi_folder`] | read the folders the other commands write, as their summary types |
//! | [`render`], [`ReportOptions`] | the HTML page |
//! | [`colour::territory_colours_of`] | the colours, kept from an earlier plan where possible |
//! | [`truth::piece_mismatches`], [`truth::bases_outside`] | where the drawing and the summary disagree |
//! | [`compare::compare`] | moved, new and removed accounts and territories |
//! | [`map::Frame`] | lon/lat to SVG pixels |

pub mod colour;
pub mod compare;
mod days;
mod folders;
pub mod html;
pub mod map;
mod script;
pub mod truth;
mod whatif;
mod whatif_script;

use std::collections::BTreeSet;
use std::fmt::Write;

pub use folders::{
    read_kpi_folder, read_plan_folder, read_routes_folder, AccountPoint, Base, KpiFolder, Line,
    PlanFolder, ReportError, RouteLine, RoutesFolder, TerritoryShape,
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

/// The report page; with `kpi`, each rep's plan-against-actual figures; with
/// `before`, the changes from that earlier plan too.
pub fn render(
    plan: &PlanFolder,
    routes: Option<&RoutesFolder>,
    kpi: Option<&KpiFolder>,
    before: Option<&PlanFolder>,
    options: &ReportOptions,
) -> String {
    let previous = before.map(|b| colour::territory_colours_of(b, None));
    let colour_of = colour::territory_colours_of(plan, previous.as_ref());
    let comparison = before.map(|b| compare::compare(b, plan));
    let mismatches = truth::piece_mismatches(plan);
    let outside = truth::bases_outside(plan);
    let days = routes.map(days::route_days).unwrap_or_default();
    let shown = options
        .day
        .clone()
        .filter(|d| days.iter().any(|(x, _)| x == d))
        .or_else(|| days.first().map(|d| d.0.clone()));
    let s = &plan.summary;
    let mut page = String::new();
    let _ = write!(
        page,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title><style>{style}</style></head><body><header><h1>{title}</h1><p>{command} · territory {version}{routes_note}{kpi_note}{compare_note}</p></header><main><pre id="errors"></pre><pre id="test-results"></pre>"#,
        title = escape(&options.title),
        style = html::STYLE,
        command = escape(&s.command),
        version = escape(&s.version),
        routes_note = routes
            .map(|r| format!(
                " · routes from {} for {} weeks",
                r.summary.parameters.start, r.summary.parameters.weeks
            ))
            .unwrap_or_default(),
        kpi_note = kpi
            .map(|k| format!(" · visits done from {} to {}", k.summary.from, k.summary.to))
            .unwrap_or_default(),
        compare_note = if before.is_some() {
            " · compared with an earlier plan"
        } else {
            ""
        },
    );
    let _ = write!(
        page,
        "<section>{}</section>",
        html::headline(plan, routes, &mismatches, &outside)
    );
    page.push_str("<section><h2>Map</h2>");
    page.push_str(r##"<p class="legend"><span><svg width="10" height="10"><circle cx="5" cy="5" r="3" fill="#1f3b73"/></svg> customer</span><span><svg width="10" height="10"><circle cx="5" cy="5" r="3" fill="#fff" stroke="#333"/></svg> prospect</span><span><svg width="10" height="10"><rect width="9" height="9" fill="#111"/></svg> rep base (name beside it)</span>"##);
    if !outside.is_empty() {
        page.push_str(r##"<span><svg width="14" height="14"><circle cx="7" cy="7" r="5" fill="none" stroke="#d7191c" stroke-width="2"/></svg> base outside its own territory</span>"##);
    }
    if routes.is_some() {
        page.push_str(r##"<span><svg width="14" height="14"><circle cx="7" cy="7" r="6" fill="#fff" stroke="#555"/><text x="7" y="10" font-size="8" text-anchor="middle">1</text></svg> stop of the day, in visiting order, in the territory's colour</span>"##);
    }
    if comparison.is_some() {
        page.push_str(r##"<span><svg width="14" height="14"><circle cx="7" cy="7" r="5" fill="none" stroke="#e66101" stroke-width="2"/></svg> moved</span><span><svg width="14" height="14"><circle cx="7" cy="7" r="5" fill="none" stroke="#1a9850" stroke-width="2"/></svg> new</span><span><svg width="10" height="10"><path d="M2 2l6 6m0-6l-6 6" stroke="#555" stroke-width="1.6"/></svg> removed</span>"##);
    }
    page.push_str("</p>");
    if let Some(r) = routes {
        page.push_str(&days::controls(r, &days, shown.as_deref()));
        page.push_str(r#"<p id="stop-info" class="note"></p>"#);
    }
    let layers = map::MapLayers {
        routes,
        shown_day: shown.as_deref(),
        comparison: comparison.as_ref(),
        bases_outside: outside
            .iter()
            .map(|b| b.territory.clone())
            .collect::<BTreeSet<_>>(),
        max_points: options.max_points,
    };
    page.push_str(&map::svg(plan, &colour_of, &layers));
    page.push_str("</section>");
    if whatif::available(plan) {
        let _ = write!(
            page,
            "<section><h2>What if: move accounts by hand</h2>{}{}</section>",
            whatif::controls(plan, plan.accounts.len() > options.max_points),
            whatif::data(plan)
        );
    }
    if let Some(notes) = html::map_notes(plan, &mismatches, &outside) {
        let _ = write!(page, "<section><h2>Map notes</h2>{notes}</section>");
    }
    if let Some(r) = routes {
        let _ = write!(
            page,
            r#"<section><h2>The day of each rep</h2><div id="day-table"></div>{}</section>"#,
            days::data(r)
        );
    }
    if let (Some(b), Some(c)) = (before, &comparison) {
        let _ = write!(
            page,
            "<section><h2>Before and after</h2>{}</section>",
            html::before_after(&b.summary, &plan.summary, c)
        );
    }
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
    if let Some(k) = kpi {
        let _ = write!(
            page,
            r#"<section id="kpi"><h2>Plan against actual, per rep</h2>{}</section>"#,
            html::rep_kpis(plan, &k.summary)
        );
    }
    if let Some(m) = html::moves(plan) {
        let _ = write!(page, "<section><h2>Moved accounts</h2>{m}</section>");
    }
    if let Some(p) = html::problems(plan, routes) {
        let _ = write!(page, "<section><h2>What could not be met</h2>{p}</section>");
    }
    page.push_str(script::SCRIPT);
    page.push_str(whatif_script::SCRIPT);
    page.push_str("</main></body></html>\n");
    page
}
