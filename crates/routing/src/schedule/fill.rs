//! Optional visits in the room the due ones leave (`routes --fill`).
//!
//! Accounts with no visit due in the horizon (typically prospects not yet
//! visited) may get one visit where a day of their rep still has room:
//! highest priority first, then the smallest detour. A visit is only ever
//! inserted into a day that stays feasible, so no due visit moves or goes.

use chrono::NaiveDate;

use territory::model::{Account, Status};

/// Which accounts may fill the gaps, and in what order.
#[derive(Debug, Clone, PartialEq)]
pub enum Fill {
    /// Prospects not due in the horizon, all alike (smallest detour first).
    Prospects,
    /// Accounts not due whose numeric column of this name is above 0,
    /// highest first.
    Column(String),
}

impl Fill {
    /// The account's priority, `None` when it may not fill a gap.
    pub fn priority(&self, account: &Account) -> Option<f64> {
        match self {
            Self::Prospects => (account.status == Status::Prospect).then_some(1.0),
            Self::Column(name) => {
                let value = if name == "revenue" {
                    Some(account.revenue)
                } else {
                    account.attributes.get(name).copied()
                };
                value.filter(|v| *v > 0.0 && v.is_finite())
            }
        }
    }
}

/// A visit added where a day had room.
#[derive(Debug, Clone, PartialEq)]
pub struct Filled {
    /// Account index.
    pub account: usize,
    /// Rep index.
    pub rep: usize,
    /// Day of the visit.
    pub date: NaiveDate,
    /// Travel minutes it added to the day (legs rounded up, as the plan
    /// reports travel).
    pub added_travel_min: f64,
    /// Its priority.
    pub priority: f64,
}
