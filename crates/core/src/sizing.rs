//! How many territories the workload needs: the smallest count whose every
//! territory fits a rep's capacity, and a what-if table over a range of counts.

use std::ops::RangeInclusive;

use crate::criteria::Measure;
use crate::partition::{plan_with_progress, Plan, PlanError, PlanOptions};
use crate::problem::{Problem, ProblemBuilder, ProblemError};
use crate::progress::Progress;

/// A number in plain decimals when that is short, else in exponent form.
fn short(v: f64) -> String {
    if v == 0.0 || (1e-3..1e9).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// One row of the what-if table.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct SizingRow {
    /// Number of territories.
    pub territories: usize,
    /// Largest territory workload, hours per 4 weeks.
    pub max_workload_hours: f64,
    /// Mean territory workload, hours per 4 weeks.
    pub mean_workload_hours: f64,
    /// Mean straight-line km from an account to its territory centre (a travel indicator).
    pub mean_km_to_centre: f64,
    /// Largest relative deviation over all balance criteria.
    pub max_deviation: f64,
    /// Whether every territory's workload fits the capacity (when one was
    /// given); a territory holding an account heavier than the capacity by
    /// itself is exempt, as no count can make it fit.
    pub fits: Option<bool>,
}

/// An account whose workload alone exceeds a rep's capacity.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct OversizedAccount {
    /// Account id.
    pub account: String,
    /// Its workload, hours per 4 weeks.
    pub workload_hours: f64,
}

/// Most territory counts one what-if table plans (each count is a full plan).
pub const MAX_TABLE_COUNTS: usize = 200;

/// The sizing result: the table and, when a capacity was given, the chosen plan.
#[derive(Debug, Clone)]
pub struct Sizing {
    /// Total workload of all accounts, hours per 4 weeks.
    pub total_workload_hours: f64,
    /// The lower bound ⌈total / capacity⌉ when a capacity was given.
    pub lower_bound: Option<usize>,
    /// One row per territory count tried, in increasing order.
    pub rows: Vec<SizingRow>,
    /// The smallest count that fits, with its problem and plan.
    pub chosen: Option<(Problem, Plan)>,
    /// Accounts heavier than the capacity by themselves: each overloads the
    /// territory that holds it, whatever the count.
    pub oversized: Vec<OversizedAccount>,
}

/// Why sizing failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SizingError {
    /// The accounts or criteria are invalid.
    #[error(transparent)]
    Problem(#[from] ProblemError),
    /// Planning failed.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The capacity is not a positive number of hours.
    #[error("capacity {0} must be a positive number of hours per 4 weeks")]
    InvalidCapacity(f64),
    /// The capacity is so small that most accounts would need a rep of their own.
    #[error("a capacity of {} h per 4 weeks needs at least {needed} territories for {accounts} accounts; that is not a territory plan (check the unit: hours per 4 weeks)", short(*capacity))]
    CapacityTooSmall {
        /// The capacity asked for.
        capacity: f64,
        /// Territories it needs at least.
        needed: usize,
        /// Accounts to divide.
        accounts: usize,
    },
    /// The what-if range holds more counts than one table plans.
    #[error(
        "the range {from}..{to} holds more than {MAX_TABLE_COUNTS} territory counts; narrow it"
    )]
    RangeTooWide {
        /// First count asked for.
        from: usize,
        /// Last count asked for.
        to: usize,
    },
    /// Neither a capacity nor a range was given.
    #[error("give a capacity per rep, a range of territory counts, or both")]
    NothingToSize,
}

/// Sizes the territories of `builder`'s accounts (its reps, if any, are ignored:
/// the count is what is being decided; centres are free).
///
/// With `capacity_hours`, counts from ⌈total workload / capacity⌉ upwards are
/// planned until every territory's workload fits; with `range`, every count in
/// it is planned for the what-if table. The workload criterion is balanced
/// whatever the builder says, at its tolerance or 5%.
///
/// ```
/// use territory::{sizing::size, Account, Location, PlanOptions, Problem, NoProgress};
/// let accounts: Vec<Account> = (0..120)
///     .map(|i| Account::new(format!("a{i}"), Location::new(60.0 + (i % 12) as f64 * 0.01, 24.0 + (i / 12) as f64 * 0.01)))
///     .collect();
/// let s = size(Problem::builder().accounts(accounts), Some(40.0), None, &PlanOptions::default(), &NoProgress)?;
/// let (problem, plan) = s.chosen.expect("some count fits");
/// assert!(plan.metrics.territories.iter().all(|t| t.workload_hours <= 40.0));
/// assert!(problem.territories().len() >= s.lower_bound.unwrap());
/// # Ok::<(), territory::sizing::SizingError>(())
/// ```
pub fn size(
    builder: ProblemBuilder,
    capacity_hours: Option<f64>,
    range: Option<RangeInclusive<usize>>,
    options: &PlanOptions,
    progress: &dyn Progress,
) -> Result<Sizing, SizingError> {
    if let Some(h) = capacity_hours {
        if !(h.is_finite() && h > 0.0) {
            return Err(SizingError::InvalidCapacity(h));
        }
    }
    if capacity_hours.is_none() && range.is_none() {
        return Err(SizingError::NothingToSize);
    }
    if let Some(r) = &range {
        if r.end().saturating_sub(*r.start()) >= MAX_TABLE_COUNTS {
            return Err(SizingError::RangeTooWide {
                from: *r.start(),
                to: *r.end(),
            });
        }
    }
    let builder = builder
        .without_reps()
        .ensure_criterion(Measure::Workload, 0.05);
    let probe = builder.clone().territories(1).build()?;
    let n = probe.accounts().len();
    let total: f64 = probe.workload_hours().iter().sum();
    let hours = probe.workload_hours();
    let heavy: Vec<bool> = hours
        .iter()
        .map(|&w| capacity_hours.is_some_and(|h| w > h + 1e-9))
        .collect();
    let oversized: Vec<OversizedAccount> = (0..n)
        .filter(|&i| heavy[i])
        .map(|i| OversizedAccount {
            account: probe.accounts()[i].id.clone(),
            workload_hours: hours[i],
        })
        .collect();
    // Each oversized account needs a territory of its own; the rest fill theirs.
    let lower_bound = capacity_hours.map(|h| {
        let rest: f64 = (0..n).filter(|&i| !heavy[i]).map(|i| hours[i]).sum();
        let needed = oversized.len() as f64 + (rest / h).ceil();
        (needed.min(n as f64) as usize).max(1)
    });
    if let (Some(h), Some(k)) = (capacity_hours, lower_bound) {
        if k > 1 && k * 2 > n {
            return Err(SizingError::CapacityTooSmall {
                capacity: h,
                needed: k,
                accounts: n,
            });
        }
    }
    let mut rows = Vec::new();
    let mut chosen: Option<(Problem, Plan)> = None;
    let run = |k: usize, rows: &mut Vec<SizingRow>| -> Result<(Problem, Plan), SizingError> {
        progress.phase(&format!("sizing: {k} territories"));
        let problem = builder.clone().territories(k).build()?;
        let plan = plan_with_progress(&problem, options, progress)?;
        let loads: Vec<f64> = plan
            .metrics
            .territories
            .iter()
            .map(|t| t.workload_hours)
            .collect();
        let max = loads.iter().copied().fold(0.0, f64::max);
        let mut exempt = vec![false; k];
        for (i, &t) in plan.assignment.iter().enumerate() {
            exempt[t] |= heavy[i];
        }
        let fits = capacity_hours.map(|h| {
            loads
                .iter()
                .zip(&exempt)
                .all(|(&load, &exempt)| exempt || load <= h + 1e-9)
        });
        rows.push(SizingRow {
            territories: k,
            max_workload_hours: max,
            mean_workload_hours: total / k as f64,
            mean_km_to_centre: plan.metrics.compactness.sum_distance_km / n as f64,
            max_deviation: plan
                .metrics
                .criteria
                .iter()
                .map(|c| c.max_deviation)
                .fold(0.0, f64::max),
            fits,
        });
        Ok((problem, plan))
    };
    if let Some(range) = range {
        for k in (*range.start()).max(1)..=(*range.end()).min(n) {
            run(k, &mut rows)?;
        }
    }
    if let Some(start) = lower_bound {
        // The smallest count that fits, from the lower bound up (the range may start above it).
        chosen = None;
        for k in start..=n {
            if rows
                .iter()
                .any(|r| r.territories == k && r.fits == Some(false))
            {
                continue;
            }
            let (problem, plan) = run(k, &mut rows)?;
            if rows.last().and_then(|r| r.fits) == Some(true) {
                chosen = Some((problem, plan));
                break;
            }
        }
    }
    rows.sort_by_key(|r| r.territories);
    rows.dedup_by_key(|r| r.territories);
    Ok(Sizing {
        total_workload_hours: total,
        lower_bound,
        rows,
        chosen,
        oversized,
    })
}
