//! The SVG map: territory polygons, accounts with tooltips, rep bases with
//! their names, each rep-day's route in its territory's colour with numbered
//! stops, the changes against an earlier plan, and a scale bar.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use territory_formats::colours::stroke_of;

use crate::compare::Comparison;
use crate::folders::{Line, PlanFolder, RoutesFolder};
use crate::html::{escape, thousands};

/// Screen transform from `(lon, lat)` to SVG pixels (equirectangular around
/// the data's mid latitude, north up). The frame takes the data's aspect, so
/// the drawing fills it.
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
    /// A frame fitting every position into at most `width` × `height` pixels,
    /// shrunk to the data's aspect.
    ///
    /// ```
    /// // A tall area gets a tall frame.
    /// let f = territory_report::map::Frame::fitting([[0.0, 0.0], [0.1, 1.0]].iter(), 1000.0, 800.0);
    /// assert!(f.height > f.width && f.height <= 800.0);
    /// ```
    pub fn fitting<'a>(
        positions: impl Iterator<Item = &'a [f64; 2]>,
        width: f64,
        height: f64,
    ) -> Self {
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
        let s = ((width - 2.0 * MARGIN) / span_x).min((height - 2.0 * MARGIN) / span_y);
        Self {
            lon0: lo[0],
            lat1: hi[1],
            scale_x: s * c,
            scale_y: s,
            width: span_x * s + 2.0 * MARGIN,
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

    /// The transform for the page script, `lon0 lat1 scale_x scale_y margin`:
    /// x = margin + (lon − lon0) · scale_x, y = margin + (lat1 − lat) · scale_y.
    pub fn script_params(&self) -> String {
        format!(
            "{} {} {} {} {MARGIN}",
            self.lon0, self.lat1, self.scale_x, self.scale_y
        )
    }

    /// Kilometres per pixel (a degree of latitude is 111.32 km).
    pub fn km_per_pixel(&self) -> f64 {
        111.32 / self.scale_y
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

/// What the map draws besides the plan itself.
pub struct MapLayers<'a> {
    /// Routes, one group per rep-day.
    pub routes: Option<&'a RoutesFolder>,
    /// The day shown first.
    pub shown_day: Option<&'a str>,
    /// Changes against an earlier plan.
    pub comparison: Option<&'a Comparison>,
    /// Territories whose bases lie outside their own shape.
    pub bases_outside: BTreeSet<String>,
    /// Above this many accounts, points become shaded cells.
    pub max_points: usize,
}

/// The map as an SVG element, followed by the route days not shown first
/// (as text the page script draws when their day is picked).
pub fn svg(
    plan: &PlanFolder,
    colour_of: &BTreeMap<String, String>,
    layers: &MapLayers<'_>,
) -> String {
    let removed = layers
        .comparison
        .map(|c| c.removed_accounts.as_slice())
        .unwrap_or_default();
    let frame = Frame::fitting(
        plan.territories
            .iter()
            .flat_map(|t| t.polygons.iter().flatten().flatten())
            .chain(plan.accounts.iter().map(|a| &a.at))
            .chain(removed.iter().map(|a| &a.at))
            .chain(plan.bases.iter().map(|b| &b.at)),
        1000.0,
        800.0,
    );
    let fill = |id: &str| colour_of.get(id).map_or("#dddddd", String::as_str);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg id="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}" height="{h:.0}" role="img" aria-label="Territory map" data-frame="{frame}">"#,
        w = frame.width,
        h = frame.height,
        frame = frame.script_params()
    );
    s.push_str(r##"<rect width="100%" height="100%" fill="#f7f7f4"/><g id="territories">"##);
    let names: BTreeMap<&str, &str> = plan
        .territories
        .iter()
        .filter_map(|t| t.name.as_deref().map(|n| (t.id.as_str(), n)))
        .collect();
    for t in &plan.territories {
        let mut d = String::new();
        for polygon in &t.polygons {
            for ring in polygon {
                frame.path(&mut d, ring, true);
            }
        }
        let _ = write!(
            s,
            r##"<path class="territory" data-id="{id}" data-pieces="{pieces}" d="{d}" fill="{fill}" fill-opacity="0.75" stroke="#444" stroke-width="0.8" fill-rule="evenodd"><title>{id}{name}</title></path>"##,
            id = escape(&t.id),
            pieces = t.polygons.len(),
            fill = fill(&t.id),
            name = t
                .name
                .as_deref()
                .map(|n| format!(" · {}", escape(n)))
                .unwrap_or_default()
        );
    }
    s.push_str("</g>");
    accounts_layer(&mut s, plan, &frame, layers.max_points, &names);
    if let Some(c) = layers.comparison {
        changes_layer(&mut s, c, &frame);
    }
    let mut deferred = String::new();
    if let Some(routes) = layers.routes {
        routes_layer(
            &mut s,
            &mut deferred,
            routes,
            &frame,
            layers.shown_day,
            &fill,
        );
    }
    bases_layer(&mut s, plan, &frame, &layers.bases_outside);
    scale_bar(&mut s, &frame);
    s.push_str("</svg>");
    s.push_str(&deferred);
    s
}

fn account_title(
    name: Option<&str>,
    id: &str,
    prospect: bool,
    revenue: f64,
    visits: Option<f64>,
    territory: &str,
    rep: Option<&str>,
) -> String {
    format!(
        "{}{} · {} · revenue {}{} · {}{}",
        name.map(|n| format!("{} ", escape(n))).unwrap_or_default(),
        if name.is_some() {
            format!("({})", escape(id))
        } else {
            escape(id)
        },
        if prospect { "prospect" } else { "customer" },
        thousands(revenue),
        visits
            .map(|v| format!(" · {v} visits / 4 weeks"))
            .unwrap_or_default(),
        escape(territory),
        rep.map(|r| format!(" ({})", escape(r))).unwrap_or_default(),
    )
}

/// Customers as filled dots, prospects as rings, each with a tooltip; above
/// `max_points` accounts, one square per 4-pixel cell shaded by its count.
fn accounts_layer(
    s: &mut String,
    plan: &PlanFolder,
    frame: &Frame,
    max_points: usize,
    names: &BTreeMap<&str, &str>,
) {
    s.push_str(r#"<g id="accounts">"#);
    if plan.accounts.len() <= max_points {
        for a in &plan.accounts {
            let (x, y) = frame.xy(a.at);
            let (class, paint) = if a.prospect {
                (
                    "prospect",
                    r##"fill="#fff" stroke="#333" stroke-width="0.7""##,
                )
            } else {
                ("customer", r##"fill="#1f3b73""##)
            };
            let _ = write!(
                s,
                r#"<circle class="{class}" data-id="{}" data-t="{}" cx="{x:.1}" cy="{y:.1}" r="2.2" {paint}><title>{}</title></circle>"#,
                escape(&a.id),
                escape(&a.territory),
                account_title(
                    a.name.as_deref(),
                    &a.id,
                    a.prospect,
                    a.revenue,
                    a.visits,
                    &a.territory,
                    names.get(a.territory.as_str()).copied()
                )
            );
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

/// Moved accounts ringed in orange, new ones in green, removed ones as grey
/// crosses where they were.
fn changes_layer(s: &mut String, c: &Comparison, frame: &Frame) {
    s.push_str(r#"<g id="changes">"#);
    for m in &c.moved {
        let (x, y) = frame.xy(m.account.at);
        let _ = write!(
            s,
            r##"<circle class="moved" data-id="{}" cx="{x:.1}" cy="{y:.1}" r="5" fill="none" stroke="#e66101" stroke-width="2"><title>moved: {} from {} to {}</title></circle>"##,
            escape(&m.account.id),
            escape(m.account.name.as_deref().unwrap_or(&m.account.id)),
            escape(&m.from),
            escape(&m.account.territory)
        );
    }
    for a in &c.added_accounts {
        let (x, y) = frame.xy(a.at);
        let _ = write!(
            s,
            r##"<circle class="added" data-id="{}" cx="{x:.1}" cy="{y:.1}" r="5" fill="none" stroke="#1a9850" stroke-width="2"><title>new: {} in {}</title></circle>"##,
            escape(&a.id),
            escape(a.name.as_deref().unwrap_or(&a.id)),
            escape(&a.territory)
        );
    }
    for a in &c.removed_accounts {
        let (x, y) = frame.xy(a.at);
        let _ = write!(
            s,
            r##"<path class="removed" data-id="{}" d="M{:.1} {:.1}l6 6m0 -6l-6 6" stroke="#555" stroke-width="1.6"><title>removed: {} (was in {})</title></path>"##,
            escape(&a.id),
            x - 3.0,
            y - 3.0,
            escape(a.name.as_deref().unwrap_or(&a.id)),
            escape(&a.territory)
        );
    }
    s.push_str("</g>");
}

/// One group per rep-day (shown by the day and rep pickers), in the
/// territory's colour, darker, with numbered stops carrying their details.
/// Only the day shown first is drawn in the SVG; every other day's groups go
/// into `deferred` as the text of a `script.route-svg` element, which the page
/// script parses when that day is picked. A month of days for a thousand reps
/// then costs the browser one day's elements at load.
fn routes_layer<'a>(
    s: &mut String,
    deferred: &mut String,
    routes: &RoutesFolder,
    frame: &Frame,
    shown: Option<&str>,
    fill: &dyn Fn(&str) -> &'a str,
) {
    let mut stops: BTreeMap<(&str, String), Vec<&territory_formats::VisitRecord>> = BTreeMap::new();
    for v in &routes.visits {
        stops
            .entry((v.rep.as_str(), v.date.to_string()))
            .or_default()
            .push(v);
    }
    let mut by_day: BTreeMap<&str, Vec<&crate::folders::RouteLine>> = BTreeMap::new();
    for r in &routes.lines {
        by_day.entry(r.date.as_str()).or_default().push(r);
    }
    s.push_str(r#"<g id="routes">"#);
    for (date, mut lines) in by_day {
        lines.sort_by(|a, b| a.rep.cmp(&b.rep));
        let mut day = String::new();
        for r in lines {
            route_day(&mut day, r, &stops, frame, fill);
        }
        if Some(date) == shown {
            s.push_str(&day);
        } else {
            // Every name in the groups is escaped, so `</` only opens our
            // own closing tags and the text cannot end its script element.
            let _ = write!(
                deferred,
                r#"<script type="text/x-route-svg" class="route-svg" data-date="{}">{day}</script>"#,
                escape(date)
            );
        }
    }
    s.push_str("</g>");
}

/// One rep-day's group: the route line and its numbered stops.
fn route_day<'a>(
    s: &mut String,
    r: &crate::folders::RouteLine,
    stops: &BTreeMap<(&str, String), Vec<&territory_formats::VisitRecord>>,
    frame: &Frame,
    fill: &dyn Fn(&str) -> &'a str,
) {
    let colour = stroke_of(fill(&r.rep));
    let _ = write!(
        s,
        r#"<g class="route-day" data-date="{}" data-rep="{}">"#,
        escape(&r.date),
        escape(&r.rep)
    );
    let mut d = String::new();
    frame.path(&mut d, &r.line, false);
    let _ = write!(
        s,
        r##"<path class="route" d="{d}" fill="none" stroke="{colour}" stroke-width="2" stroke-linejoin="round" stroke-opacity="0.9"><title>{} {}: {} visits, {:.0} min travel</title></path>"##,
        escape(&r.rep),
        escape(&r.date),
        r.visits,
        r.travel_min
    );
    for v in stops
        .get(&(r.rep.as_str(), r.date.clone()))
        .into_iter()
        .flatten()
    {
        let (x, y) = frame.xy([v.lon, v.lat]);
        let info = format!(
            "{} · stop {}: {}{} · {}–{} · service {} min · travel {} min ({:.1} km){}{}",
            escape(&v.rep),
            v.sequence,
            if v.name.is_empty() {
                String::new()
            } else {
                format!("{} ", escape(&v.name))
            },
            if v.name.is_empty() {
                escape(&v.account)
            } else {
                format!("({})", escape(&v.account))
            },
            escape(&v.arrival),
            escape(&v.departure),
            v.service_min,
            v.travel_min,
            v.travel_km,
            if v.wait_min > 0.0 {
                format!(" · waits {} min", v.wait_min)
            } else {
                String::new()
            },
            if v.appointment { " · appointment" } else { "" },
        );
        let _ = write!(
            s,
            r##"<g class="stop" data-account="{acc}" data-seq="{seq}"><circle cx="{x:.1}" cy="{y:.1}" r="6" fill="#fff" stroke="{colour}" stroke-width="1.6"/><text x="{x:.1}" y="{ty:.1}" font-size="7.5" text-anchor="middle">{seq}</text><title>{info}</title></g>"##,
            acc = escape(&v.account),
            seq = v.sequence,
            ty = y + 2.6,
        );
    }
    s.push_str("</g>");
}

/// Bases as black squares with the rep's name beside them; a base outside
/// its own territory gets a red ring.
fn bases_layer(s: &mut String, plan: &PlanFolder, frame: &Frame, outside: &BTreeSet<String>) {
    s.push_str(r#"<g id="bases">"#);
    for b in &plan.bases {
        let (x, y) = frame.xy(b.at);
        let off = outside.contains(&b.territory);
        if off {
            let _ = write!(
                s,
                r##"<circle class="base-outside" data-t="{}" cx="{x:.1}" cy="{y:.1}" r="9" fill="none" stroke="#d7191c" stroke-width="2"/>"##,
                escape(&b.territory)
            );
        }
        let label = b.name.as_deref().unwrap_or(&b.territory);
        let _ = write!(
            s,
            r##"<rect class="base" data-t="{t}" x="{:.1}" y="{:.1}" width="9" height="9" fill="#111" stroke="#fff" stroke-width="1.5"><title>{t} base{name}{note}</title></rect><text class="base-label" x="{:.1}" y="{:.1}" font-size="11" font-weight="600" paint-order="stroke" stroke="#fff" stroke-width="3" stroke-linejoin="round">{label}</text>"##,
            x - 4.5,
            y - 4.5,
            x + 7.0,
            y - 6.0,
            t = escape(&b.territory),
            name = b
                .name
                .as_deref()
                .map(|n| format!(" · {}", escape(n)))
                .unwrap_or_default(),
            note = if off {
                " · outside its own territory"
            } else {
                ""
            },
            label = escape(label),
        );
    }
    s.push_str("</g>");
}

/// A bar of a round length (1, 2 or 5 × 10ⁿ km) about 120 pixels long.
fn scale_bar(s: &mut String, frame: &Frame) {
    let want = 120.0 * frame.km_per_pixel();
    let magnitude = 10f64.powf(want.log10().floor());
    let km = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .rfind(|&k| k <= want)
        .unwrap_or(magnitude);
    let px = km / frame.km_per_pixel();
    let (x, y) = (16.0, frame.height - 12.0);
    let label = if km >= 1.0 {
        format!("{km} km")
    } else {
        format!("{} m", km * 1000.0)
    };
    let _ = write!(
        s,
        r##"<g id="scale-bar" data-km="{km}"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="18" fill="#fff" fill-opacity="0.8"/><path d="M{x:.1} {:.1}v4h{px:.1}v-4" fill="none" stroke="#111" stroke-width="1.5"/><text x="{:.1}" y="{:.1}" font-size="10">{label}</text></g>"##,
        x - 4.0,
        y - 14.0,
        px + 8.0 + 40.0,
        y - 4.0,
        x + px + 4.0,
        y,
    );
}
