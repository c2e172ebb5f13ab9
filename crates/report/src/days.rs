//! The rep and day views: the pickers (days with their weekday, one rep or
//! all) and the data the page script turns into each rep's day table.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::{json, Value};

use crate::folders::RoutesFolder;
use crate::html::escape;

/// Dates with routes, sorted, each with its weekday (`mon`…`sun`).
pub fn route_days(routes: &RoutesFolder) -> Vec<(String, String)> {
    let mut weekday: BTreeMap<String, String> = BTreeMap::new();
    for r in &routes.summary.reps {
        for d in &r.days {
            weekday.insert(d.date.to_string(), d.weekday.clone());
        }
    }
    let mut days: Vec<String> = routes.lines.iter().map(|l| l.date.clone()).collect();
    days.sort();
    days.dedup();
    days.into_iter()
        .map(|d| {
            let w = weekday.get(&d).cloned().unwrap_or_default();
            (d, w)
        })
        .collect()
}

fn title_case(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The day and rep pickers.
pub(crate) fn controls(
    routes: &RoutesFolder,
    days: &[(String, String)],
    shown: Option<&str>,
) -> String {
    let mut out = String::from(r#"<div class="controls"><label>Day <select id="day">"#);
    for (d, w) in days {
        let _ = write!(
            out,
            r#"<option value="{0}"{1}>{2} {0}</option>"#,
            escape(d),
            if Some(d.as_str()) == shown {
                " selected"
            } else {
                ""
            },
            escape(&title_case(w))
        );
    }
    out.push_str(
        r#"</select></label><label>Rep <select id="rep"><option value="">all reps</option>"#,
    );
    for r in &routes.summary.reps {
        let _ = write!(
            out,
            r#"<option value="{}">{}{}</option>"#,
            escape(&r.rep),
            escape(&r.rep),
            r.name
                .as_deref()
                .map(|n| format!(" · {}", escape(n)))
                .unwrap_or_default()
        );
    }
    out.push_str("</select></label></div>");
    out
}

/// One day's figures per rep, and its stops per rep.
type DayData = (serde_json::Map<String, Value>, BTreeMap<String, Vec<Value>>);

/// Per rep-day figures and stops as JSON for the page script: the reps in
/// one element, and each day in an element of its own (`script.day-data`),
/// parsed only when that day is picked. `</` is escaped so the data cannot
/// close its script element.
pub(crate) fn data(routes: &RoutesFolder) -> String {
    let mut days: BTreeMap<String, DayData> = BTreeMap::new();
    for r in &routes.summary.reps {
        for d in &r.days {
            days.entry(d.date.to_string()).or_default().0.insert(
                r.rep.clone(),
                json!({
                    "visits": d.visits, "depart": d.depart, "back": d.back, "lunch": d.lunch,
                    "travel_min": d.travel_min, "travel_km": d.travel_km,
                    "work_min": d.work_min, "utilisation": d.utilisation,
                }),
            );
        }
    }
    for v in &routes.visits {
        days.entry(v.date.to_string())
            .or_default()
            .1
            .entry(v.rep.clone())
            .or_default()
            .push(json!([
                v.sequence,
                v.account,
                v.name,
                v.arrival,
                v.departure,
                v.service_min,
                v.travel_min,
                v.travel_km,
                v.appointment,
                v.wait_min
            ]));
    }
    let reps: Vec<Value> = routes
        .summary
        .reps
        .iter()
        .map(|r| json!({"id": r.rep, "name": r.name}))
        .collect();
    let mut out = script_json("id=\"route-data\"", &json!({ "reps": reps }));
    for (date, (figures, stops)) in days {
        out.push_str(&script_json(
            &format!("class=\"day-data\" data-date=\"{}\"", escape(&date)),
            &json!({"days": figures, "stops": stops}),
        ));
    }
    out
}

fn script_json(attributes: &str, value: &Value) -> String {
    format!(
        r#"<script type="application/json" {attributes}>{}</script>"#,
        value.to_string().replace("</", "<\\/")
    )
}
