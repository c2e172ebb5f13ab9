//! An earlier routes folder read back for a re-plan (`routes --previous`).

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use territory::model::{parse_clock, Rep};
use territory_routing::schedule::{PreviousPlan, PreviousVisit, Schedule};

use crate::error::InputError;
use crate::routes_files::{RoutesSummary, VisitRecord};

/// An earlier routes folder: the plan for the engine and the rows as read
/// (which still name accounts and reps no longer in the input).
#[derive(Debug, Clone)]
pub struct PreviousRoutes {
    /// The plan, with today's account and rep indices.
    pub plan: PreviousPlan,
    /// `visits.csv` rows, in the order of [`PreviousPlan::visits`].
    pub records: Vec<VisitRecord>,
}

/// Reads `summary.json` (for the dates it covered) and `visits.csv` of a
/// folder `territory routes` wrote; ids not in `account_ids` or `rep_ids`
/// get no index (their visits are reported as changed).
pub fn read_previous_routes(
    dir: &Path,
    account_ids: &[&str],
    rep_ids: &[&str],
) -> Result<PreviousRoutes, InputError> {
    let summary_path = dir.join("summary.json");
    let bytes = std::fs::read(&summary_path).map_err(|e| {
        InputError::file(
            &summary_path,
            format!("cannot read ({e}); --previous needs a folder written by `territory routes`"),
        )
    })?;
    let summary: RoutesSummary = serde_json::from_slice(&bytes).map_err(|e| {
        InputError::at(
            &summary_path,
            e.line() as u64,
            None,
            format!("not a routes summary: {e}"),
        )
    })?;
    if summary.command != "routes" {
        return Err(InputError::file(
            &summary_path,
            format!("written by `{}`, not by `routes`", summary.command),
        ));
    }
    let start = summary.parameters.start;
    let end = start + chrono::Days::new(summary.parameters.weeks as u64 * 7);
    let visits_path = dir.join("visits.csv");
    let records = crate::read_visits(&visits_path)?;
    let accounts: HashMap<&str, usize> = account_ids
        .iter()
        .enumerate()
        .map(|(i, &a)| (a, i))
        .collect();
    let reps: HashMap<&str, usize> = rep_ids.iter().enumerate().map(|(i, &r)| (r, i)).collect();
    let mut visits = Vec::with_capacity(records.len());
    for (k, r) in records.iter().enumerate() {
        let line = k as u64 + 2;
        let clock = |field: &str, text: &str| {
            parse_clock(text).map(f64::from).ok_or_else(|| {
                InputError::at(
                    &visits_path,
                    line,
                    Some(field),
                    format!("'{text}' is not a time like 08:30"),
                )
            })
        };
        if !(end > r.date && r.date >= start) {
            return Err(InputError::at(
                &visits_path,
                line,
                Some("date"),
                format!(
                    "{} lies outside the plan's own horizon ({start} to {end}, from summary.json)",
                    r.date
                ),
            ));
        }
        visits.push(PreviousVisit {
            account: accounts.get(r.account.as_str()).copied(),
            rep: reps.get(r.rep.as_str()).copied(),
            date: r.date,
            arrival: clock("arrival", &r.arrival)?,
            start: clock("start", &r.start)?,
            departure: clock("departure", &r.departure)?,
            travel_min: r.travel_min,
            travel_km: r.travel_km,
            appointment: r.appointment,
        });
    }
    Ok(PreviousRoutes {
        plan: PreviousPlan { start, end, visits },
        records,
    })
}

/// An earlier visit that moved to another day or rep, or was dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ChangedVisit {
    /// Account id.
    pub account: String,
    /// Rep of the earlier plan.
    pub rep: String,
    /// Date of the earlier plan.
    pub date: chrono::NaiveDate,
    /// `moved_day`, `moved_rep` or `dropped`.
    pub change: String,
    /// Rep now (absent when dropped).
    pub new_rep: Option<String>,
    /// Date now (absent when dropped).
    pub new_date: Option<chrono::NaiveDate>,
    /// Why: `rep_away`, `booking_changed`, `reassigned`, `account_removed`,
    /// `rep_removed`, `not_due`, `no_room` or `replanned` (moving saved more
    /// travel than the change cost).
    pub reason: String,
}

/// What a re-plan kept and changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReplanSummary {
    /// The earlier routes folder.
    pub previous: String,
    /// Working days frozen per rep (`--freeze-days`).
    pub freeze_days: u32,
    /// Rep-days kept exactly as they were.
    pub frozen_days: usize,
    /// Travel minutes a move had to save (`--change-cost`).
    pub change_cost_min: f64,
    /// Earlier visits inside this horizon.
    pub previous_visits: usize,
    /// Of them, on the same day with the same rep now.
    pub kept_visits: usize,
    /// Moved to another day or rep, or dropped, one record each.
    pub changed_visits: Vec<ChangedVisit>,
}

impl ReplanSummary {
    /// The changes of `schedule` against the earlier folder, with ids;
    /// `horizon` is `[start, end)` of the new plan.
    pub fn new(
        previous: &Path,
        routes: &PreviousRoutes,
        reps: &[Rep],
        schedule: &Schedule,
        horizon: (chrono::NaiveDate, chrono::NaiveDate),
        freeze_days: u32,
        change_cost_min: f64,
    ) -> Self {
        let inside = routes
            .plan
            .visits
            .iter()
            .filter(|v| v.date >= horizon.0 && v.date < horizon.1)
            .count();
        let changed_visits: Vec<ChangedVisit> = schedule
            .changes
            .iter()
            .map(|c| {
                let record = &routes.records[c.previous];
                let change = match c.to {
                    None => "dropped",
                    Some((r, _)) if reps[r].id != record.rep => "moved_rep",
                    Some(_) => "moved_day",
                };
                ChangedVisit {
                    account: record.account.clone(),
                    rep: record.rep.clone(),
                    date: record.date,
                    change: change.into(),
                    new_rep: c.to.map(|(r, _)| reps[r].id.clone()),
                    new_date: c.to.map(|(_, d)| d),
                    reason: c.reason.code().into(),
                }
            })
            .collect();
        Self {
            previous: previous.display().to_string(),
            freeze_days,
            frozen_days: schedule.frozen_days,
            change_cost_min,
            previous_visits: inside,
            kept_visits: inside.saturating_sub(changed_visits.len()),
            changed_visits,
        }
    }
}
