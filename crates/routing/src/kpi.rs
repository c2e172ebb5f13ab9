//! Plan against actual, per rep: visits planned, done and missed, coverage of
//! the visit frequencies, overdue accounts, new customers, and the sums of
//! the accounts' numeric columns (revenue, gross profit, collected, ...).
//!
//! ```
//! use chrono::NaiveDate;
//! use territory_routing::kpi::{kpis, KpiRequest, PlannedVisit};
//! use territory_routing::schedule::{PastVisit, VisitStatus};
//! use territory::{Account, Location, WorkloadModel};
//!
//! let d = |day| NaiveDate::from_ymd_opt(2027, 1, day).unwrap();
//! let mut a = Account::new("a", Location::new(60.17, 24.94));
//! a.visits = Some(4.0); // weekly
//! let planned = [PlannedVisit { account: 0, rep: 0, date: d(5) }];
//! let history = [PastVisit { account: 0, date: d(5), status: VisitStatus::Done }];
//! let request = KpiRequest {
//!     accounts: std::slice::from_ref(&a),
//!     rep_ids: &["anna".to_string()],
//!     owner: &[Some(0)],
//!     planned: &planned,
//!     history: &history,
//!     history_rep: &[None],
//!     from: d(4),
//!     to: d(10),
//!     previous_status: None,
//!     workload: &WorkloadModel::default(),
//! };
//! let k = kpis(&request);
//! assert_eq!((k[0].planned, k[0].done, k[0].missed), (1, 1, 0));
//! assert_eq!(k[0].coverage, Some(1.0));
//! ```

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::schedule::{due_dates, PastVisit, VisitStatus};
use territory::model::{Account, Status};
use territory::problem::WorkloadModel;

/// A visit of a plan (a routes folder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedVisit {
    /// Account index.
    pub account: usize,
    /// Rep index.
    pub rep: usize,
    /// Day of the visit.
    pub date: NaiveDate,
}

/// What the figures are computed from.
#[derive(Debug, Clone, Copy)]
pub struct KpiRequest<'a> {
    /// The accounts (status, visits per 4 weeks, numeric columns).
    pub accounts: &'a [Account],
    /// Rep ids, by rep index.
    pub rep_ids: &'a [String],
    /// Rep index per account (`None`: no rep, left out).
    pub owner: &'a [Option<usize>],
    /// Planned visits.
    pub planned: &'a [PlannedVisit],
    /// Visits that happened (or did not).
    pub history: &'a [PastVisit],
    /// The rep who made (or missed) each history row, when known; otherwise
    /// the account's owner is credited.
    pub history_rep: &'a [Option<usize>],
    /// First day counted.
    pub from: NaiveDate,
    /// Last day counted (inclusive).
    pub to: NaiveDate,
    /// Each account's status in an earlier accounts file (for new customers).
    pub previous_status: Option<&'a [Option<Status>]>,
    /// Default visit frequencies by status.
    pub workload: &'a WorkloadModel,
}

/// One rep's figures over the period.
#[derive(Debug, Clone, PartialEq)]
pub struct RepKpi {
    /// Rep index.
    pub rep: usize,
    /// Accounts the rep owns.
    pub accounts: usize,
    /// Visits planned in the period.
    pub planned: usize,
    /// Visits done.
    pub done: usize,
    /// Visits missed.
    pub missed: usize,
    /// Visits cancelled.
    pub cancelled: usize,
    /// Accounts with at least one visit due in the period.
    pub accounts_due: usize,
    /// Of those, accounts visited (done) at least as often as their frequency asks.
    pub accounts_covered: usize,
    /// `accounts_covered / accounts_due` (`None` when nothing was due).
    pub coverage: Option<f64>,
    /// Accounts overdue at the end of the period: (account, days overdue).
    pub overdue: Vec<(usize, i64)>,
    /// Accounts that were prospects in the previous accounts file and are customers now.
    pub new_customers: usize,
    /// Sums of `revenue` and every numeric column over the rep's accounts.
    pub sums: BTreeMap<String, f64>,
}

/// The figures per rep, in rep order.
pub fn kpis(request: &KpiRequest<'_>) -> Vec<RepKpi> {
    let k = request.rep_ids.len();
    let in_period = |d: NaiveDate| d >= request.from && d <= request.to;
    let days = ((request.to - request.from).num_days() + 1).max(0) as u32;
    let mut out: Vec<RepKpi> = (0..k)
        .map(|rep| RepKpi {
            rep,
            accounts: 0,
            planned: 0,
            done: 0,
            missed: 0,
            cancelled: 0,
            accounts_due: 0,
            accounts_covered: 0,
            coverage: None,
            overdue: Vec::new(),
            new_customers: 0,
            sums: BTreeMap::new(),
        })
        .collect();
    for v in request.planned.iter().filter(|v| in_period(v.date)) {
        if let Some(r) = out.get_mut(v.rep) {
            r.planned += 1;
        }
    }
    let mut past_of: Vec<Vec<PastVisit>> = vec![Vec::new(); request.accounts.len()];
    let mut done_in_period = vec![0usize; request.accounts.len()];
    for (h, p) in request.history.iter().enumerate() {
        if p.date > request.to || p.account >= request.accounts.len() {
            continue;
        }
        past_of[p.account].push(*p);
        if !in_period(p.date) {
            continue;
        }
        let rep = request
            .history_rep
            .get(h)
            .copied()
            .flatten()
            .or(request.owner[p.account]);
        let Some(r) = rep.and_then(|r| out.get_mut(r)) else {
            continue;
        };
        match p.status {
            VisitStatus::Done => {
                r.done += 1;
                done_in_period[p.account] += 1;
            }
            VisitStatus::Missed => r.missed += 1,
            VisitStatus::Cancelled => r.cancelled += 1,
        }
    }
    for (i, acc) in request.accounts.iter().enumerate() {
        let Some(r) = request.owner[i].and_then(|r| out.get_mut(r)) else {
            continue;
        };
        r.accounts += 1;
        let per_4_weeks = request.workload.visits(acc);
        // Visits per 4 weeks over the period's days, rounded as a horizon is.
        let due = due_in_days(per_4_weeks, days);
        if due > 0 {
            r.accounts_due += 1;
            if done_in_period[i] >= due {
                r.accounts_covered += 1;
            }
        }
        let day_after = request.to + chrono::Days::new(1);
        if let Some(d) = due_dates(per_4_weeks, &past_of[i], day_after, 1) {
            if d.days_overdue > 0 {
                r.overdue.push((i, d.days_overdue));
            }
        }
        if let Some(prev) = request.previous_status {
            if prev.get(i).copied().flatten() == Some(Status::Prospect)
                && acc.status == Status::Customer
            {
                r.new_customers += 1;
            }
        }
        *r.sums.entry("revenue".into()).or_insert(0.0) += acc.revenue;
        for (name, v) in &acc.attributes {
            *r.sums.entry(name.clone()).or_insert(0.0) += v;
        }
    }
    for r in &mut out {
        r.coverage =
            (r.accounts_due > 0).then(|| r.accounts_covered as f64 / r.accounts_due as f64);
    }
    out
}

/// Visits due in `days` days at `per_4_weeks` visits per 4 weeks, rounded to
/// the nearest whole visit (halves up).
fn due_in_days(per_4_weeks: f64, days: u32) -> usize {
    let due = per_4_weeks * days as f64 / 28.0;
    if due.is_finite() && due > 0.0 {
        (due + 0.5 + 1e-9).floor() as usize
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use territory::model::Location;

    #[test]
    fn counts_coverage_overdue_and_new_customers() {
        let d = |day| NaiveDate::from_ymd_opt(2027, 1, day).unwrap();
        let mut weekly = Account::new("w", Location::new(60.0, 25.0));
        weekly.visits = Some(4.0);
        weekly.attributes.insert("collected".into(), 5.0);
        let mut monthly = Account::new("m", Location::new(60.0, 25.0)).with_revenue(100.0);
        monthly.visits = Some(1.0);
        let accounts = [weekly, monthly];
        let visit = |account, day, status| PastVisit {
            account,
            date: d(day),
            status,
        };
        let history = [
            visit(0, 4, VisitStatus::Done),
            visit(0, 11, VisitStatus::Missed),
            visit(1, 1, VisitStatus::Done),
        ];
        let request = KpiRequest {
            accounts: &accounts,
            rep_ids: &["r".to_string()],
            owner: &[Some(0), Some(0)],
            planned: &[
                PlannedVisit {
                    account: 0,
                    rep: 0,
                    date: d(4),
                },
                PlannedVisit {
                    account: 0,
                    rep: 0,
                    date: d(11),
                },
            ],
            history: &history,
            history_rep: &[None, None, None],
            from: d(4),
            to: d(17),
            previous_status: Some(&[Some(Status::Customer), Some(Status::Prospect)]),
            workload: &WorkloadModel::default(),
        };
        let k = &kpis(&request)[0];
        assert_eq!((k.planned, k.done, k.missed), (2, 1, 1));
        // Weekly over 14 days: 2 due, 1 done (not covered); monthly: 1 due in 14 days (0.5 rounds up), none done.
        assert_eq!((k.accounts_due, k.accounts_covered), (2, 0));
        // The weekly account missed on the 11th: 7 days overdue on the 18th.
        assert_eq!(k.overdue, vec![(0, 7)]);
        assert_eq!(k.new_customers, 1);
        assert_eq!(k.sums["revenue"], 100.0);
        assert_eq!(k.sums["collected"], 5.0);
    }
}
