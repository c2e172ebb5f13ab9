//! The SVG map: territory polygons, accounts, rep bases and route lines.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::folders::{Line, PlanFolder, RoutesFolder};
use crate::html::escape;

/// Screen transform from `(lon, lat)` to SVG pixels (equirectangular around
/// the data's mid latitude, north up).
pub struct Frame {
    lon0: f64,
    lat1: f64,
    scale_x: f64,
    scale_y: f64,
    /// Width in pixels.
    pub width: f64,
    /// Height in pixels.
    pub height: f64,
}

const MARGIN: f64 = 12.0;

impl Frame {
    /// A frame fitting every position into `width` pixels.
    pub fn fitting<'a>(positions: impl Iterator<Item = &'a [f64; 2]>, width: f64) -> Self {
        let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for p in positions {
            for d in 0..2 {
                lo[d] = lo[d].min(p[d]);
                hi[d] = hi[d].max(p[d]);
            }
        }
        if !lo[0].is_finite() {
            (lo, hi) = ([0.0, 0.0], [1.0, 1.0]);
        }
        let c = ((lo[1] + hi[1]) / 2.0).to_radians().cos().max(0.01);
        let span_x = ((hi[0] - lo[0]) * c).max(1e-9);
        let span_y = (hi[1] - lo[1]).max(1e-9);
        let inner = width - 2.0 * MARGIN;
        let s = (inner / span_x).min(inner * 0.8 / span_y);
        Self {
            lon0: lo[0],
            lat1: hi[1],
            scale_x: s * c,
            scale_y: s,
            width,
            height: span_y * s + 2.0 * MARGIN,
        }
    }

    /// Pixel position.
    pub fn xy(&self, p: [f64; 2]) -> (f64, f64) {
        (
            MARGIN + (p[0] - self.lon0) * self.scale_x,
            MARGIN + (self.lat1 - p[1]) * self.scale_y,
        )
    }

    /// A path through `line`, dropping points closer than half a pixel.
    fn path(&self, out: &mut String, line: &Line, close: bool) {
        let mut last: Option<(f64, f64)> = None;
        for (k, &p) in line.iter().enumerate() {
            let (x, y) = self.xy(p);
            let keep = k + 1 == line.len()
                || last.is_none_or(|(lx, ly)| (x - lx).abs() + (y - ly).abs() >= 0.5);
            if keep {
                let _ = write!(
                    out,
                    "{}{x:.1} {y:.1}",
                    if last.is_none() { "M" } else { "L" }
                );
                last = Some((x, y));
            }
        }
        if close {
            out.push('Z');
        }
    }
}

/// The map as an SVG element.
pub fn svg(
    plan: &PlanFolder,
    routes: Option<&RoutesFolder>,
    colour_of: &BTreeMap<&str, &str>,
    days: &[String],
    shown_day: Option<&str>,
    max_points: usize,
) -> String {
    let frame = Frame::fitting(
        plan.territories
            .iter()
            .flat_map(|t| t.polygons.iter().flatten().flatten())
            .chain(plan.accounts.iter().map(|a| &a.at))
            .chain(plan.bases.iter().map(|b| &b.at)),
        1000.0,
    );
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg id="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.0} {h:.0}" width="100%" role="img" aria-label="Territory map">"#,
        w = frame.width,
        h = frame.height
    );
    s.push_str(r##"<rect width="100%" height="100%" fill="#f7f7f4"/><g id="territories">"##);
    for t in &plan.territories {
        let fill = colour_of.get(t.id.as_str()).copied().unwrap_or("#dddddd");
        let mut d = String::new();
        for polygon in &t.polygons {
            for ring in polygon {
                frame.path(&mut d, ring, true);
            }
        }
        let _ = write!(
            s,
            r##"<path class="territory" data-id="{id}" d="{d}" fill="{fill}" fill-opacity="0.75" stroke="#444" stroke-width="0.8" fill-rule="evenodd"><title>{id}{name}</title></path>"##,
            id = escape(&t.id),
            name = t
                .name
                .as_deref()
                .map(|n| format!(" · {}", escape(n)))
                .unwrap_or_default()
        );
    }
    s.push_str("</g>");
    accounts_layer(&mut s, plan, &frame, max_points);
    if let Some(routes) = routes {
        routes_layer(&mut s, routes, &frame, days, shown_day);
    }
    s.push_str(r#"<g id="bases">"#);
    for b in &plan.bases {
        let (x, y) = frame.xy(b.at);
        let _ = write!(
            s,
            r##"<rect class="base" x="{:.1}" y="{:.1}" width="9" height="9" fill="#111" stroke="#fff" stroke-width="1.5"><title>{} base{}</title></rect>"##,
            x - 4.5,
            y - 4.5,
            escape(&b.territory),
            b.name
                .as_deref()
                .map(|n| format!(" · {}", escape(n)))
                .unwrap_or_default()
        );
    }
    s.push_str("</g></svg>");
    s
}

/// Customers as filled dots, prospects as rings; above `max_points`
/// accounts, one square per 4-pixel cell shaded by its count instead.
fn accounts_layer(s: &mut String, plan: &PlanFolder, frame: &Frame, max_points: usize) {
    s.push_str(r#"<g id="accounts">"#);
    if plan.accounts.len() <= max_points {
        for a in &plan.accounts {
            let (x, y) = frame.xy(a.at);
            if a.prospect {
                let _ = write!(
                    s,
                    r##"<circle class="prospect" cx="{x:.1}" cy="{y:.1}" r="2" fill="#fff" stroke="#333" stroke-width="0.7"/>"##
                );
            } else {
                let _ = write!(
                    s,
                    r##"<circle class="customer" cx="{x:.1}" cy="{y:.1}" r="2" fill="#1f3b73"/>"##
                );
            }
        }
    } else {
        const CELL: f64 = 4.0;
        let mut cells: BTreeMap<(i64, i64), (u32, u32)> = BTreeMap::new();
        for a in &plan.accounts {
            let (x, y) = frame.xy(a.at);
            let e = cells
                .entry(((x / CELL) as i64, (y / CELL) as i64))
                .or_default();
            if a.prospect {
                e.1 += 1;
            } else {
                e.0 += 1;
            }
        }
        let most = cells.values().map(|c| c.0 + c.1).max().unwrap_or(1) as f64;
        for (&(cx, cy), &(customers, prospects)) in &cells {
            let n = (customers + prospects) as f64;
            let colour = if customers >= prospects {
                "#1f3b73"
            } else {
                "#7a7a7a"
            };
            let _ = write!(
                s,
                r#"<rect class="cell" x="{}" y="{}" width="{CELL}" height="{CELL}" fill="{colour}" fill-opacity="{:.2}"><title>{customers} customers, {prospects} prospects</title></rect>"#,
                cx as f64 * CELL,
                cy as f64 * CELL,
                0.25 + 0.75 * (n.ln_1p() / most.ln_1p())
            );
        }
    }
    s.push_str("</g>");
}

/// One group of route lines per date; only the shown day is visible.
fn routes_layer(
    s: &mut String,
    routes: &RoutesFolder,
    frame: &Frame,
    days: &[String],
    shown: Option<&str>,
) {
    s.push_str(r#"<g id="routes">"#);
    for day in days {
        let hidden = if Some(day.as_str()) == shown {
            ""
        } else {
            r#" style="display:none""#
        };
        let _ = write!(
            s,
            r#"<g class="route-day" data-date="{}"{hidden}>"#,
            escape(day)
        );
        for r in routes.lines.iter().filter(|r| &r.date == day) {
            let mut d = String::new();
            frame.path(&mut d, &r.line, false);
            let _ = write!(
                s,
                r##"<path class="route" d="{d}" fill="none" stroke="#b2182b" stroke-width="1.6" stroke-linejoin="round"><title>{} {}: {} visits, {:.0} min travel</title></path>"##,
                escape(&r.rep),
                escape(&r.date),
                r.visits,
                r.travel_min
            );
            for &p in &r.line[1..r.line.len().saturating_sub(1)] {
                let (x, y) = frame.xy(p);
                let _ = write!(
                    s,
                    r##"<circle cx="{x:.1}" cy="{y:.1}" r="2.6" fill="#b2182b"/>"##
                );
            }
        }
        s.push_str("</g>");
    }
    s.push_str("</g>");
}
