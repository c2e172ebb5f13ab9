//! What `territory slots --json` prints: the visit slots to offer, best first.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use territory::model::Rep;
use territory_routing::schedule::{SlotAnswer, SlotOffer};

use crate::routes_files::clock;

/// One slot to offer.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SlotRecord {
    /// Rep id.
    pub rep: String,
    /// Day of the visit.
    pub date: NaiveDate,
    /// Weekday, `mon` … `sun`.
    pub weekday: String,
    /// Start of the visit, `HH:MM`.
    pub start: String,
    /// End of the visit, `HH:MM`.
    pub end: String,
    /// Travel minutes the visit adds to the rep's day (legs rounded up to
    /// whole minutes, as `visits.csv` counts them).
    pub added_travel_min: f64,
    /// `green`, `amber` or `red` (see `--green`, `--amber`).
    pub band: String,
    /// The planned visits it goes between (account ids; `null` is the base).
    pub between: [Option<String>; 2],
    /// Return to the base with the visit, `HH:MM`.
    pub back: String,
    /// End of the rep's working day, `HH:MM` (the return is never later).
    pub day_end: String,
}

/// The slots for one account.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SlotsSummary {
    /// `slots`.
    pub command: String,
    /// Account id (the new account's given or made-up id).
    pub account: String,
    /// Length of the visit in minutes.
    pub duration_min: f64,
    /// First day offered.
    pub from: NaiveDate,
    /// Last day offered (inclusive).
    pub to: NaiveDate,
    /// Reps asked, in order of preference.
    pub reps: Vec<String>,
    /// Rep-days tried.
    pub days_tried: usize,
    /// Offers, least added travel first.
    pub slots: Vec<SlotRecord>,
    /// Why nothing fits (`null` when there are offers).
    pub reason: Option<String>,
}

impl SlotsSummary {
    /// The records of an answer; `ids` are account ids by index.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        account: &str,
        duration_min: f64,
        (from, to): (NaiveDate, NaiveDate),
        reps: &[Rep],
        candidates: &[usize],
        ids: &[&str],
        answer: &SlotAnswer,
    ) -> Self {
        let record = |o: &SlotOffer| SlotRecord {
            rep: reps[o.rep].id.clone(),
            date: o.date,
            weekday: territory_routing::schedule::calendar::weekday(o.date)
                .as_str()
                .to_string(),
            start: clock(o.start as f64),
            end: clock(o.end as f64),
            added_travel_min: o.added_travel_min,
            band: o.band.code().to_string(),
            between: [
                o.after.map(|a| ids[a].to_string()),
                o.before.map(|a| ids[a].to_string()),
            ],
            back: clock(o.back),
            day_end: clock(o.day_end as f64),
        };
        Self {
            command: "slots".into(),
            account: account.to_string(),
            duration_min,
            from,
            to,
            reps: candidates.iter().map(|&r| reps[r].id.clone()).collect(),
            days_tried: answer.days_tried,
            slots: answer.slots.iter().map(record).collect(),
            reason: answer.reason.as_ref().map(ToString::to_string),
        }
    }
}
