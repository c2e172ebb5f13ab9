//! # territory-routing
//!
//! Reps' visits, week after week, over a territory plan from the `territory`
//! crate: which accounts on which day, in which order, honouring visit
//! frequencies, opening hours, booked appointments and the working day.
//!
//! The engine reaches travel only through [`TravelModel`] (minutes and km
//! between real positions) and [`TravelCost`] (a matrix over indices), so a
//! road network (`territory-roads`) can replace the straight line.
//!
//! ```
//! use territory_routing::chrono::NaiveDate;
//! use territory_routing::{plan_visits, Account, Location, Rep, ScheduleOptions, ScheduleRequest};
//! use territory_routing::{StraightLine, WorkloadModel};
//!
//! let rep = Rep::new("anna", Some(Location::new(60.17, 24.94)));
//! let accounts: Vec<Account> = (0..8)
//!     .map(|i| Account::new(format!("a{i}"), Location::new(60.16 + i as f64 * 0.003, 24.93)).with_visits(2.0))
//!     .collect();
//! let owner = vec![Some(0); accounts.len()];
//! let workload = WorkloadModel::default();
//! let start = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
//! let request = ScheduleRequest::new(&accounts, std::slice::from_ref(&rep), &owner, &workload, start, 4);
//! let options = ScheduleOptions { iterations: Some(100), ..ScheduleOptions::default() };
//! let schedule = plan_visits(&request, &StraightLine::default(), &options)?;
//! assert_eq!(schedule.scheduled_visits, 16); // fortnightly, over four weeks
//! # Ok::<(), territory_routing::ScheduleError>(())
//! ```
//!
//! ## Catalogue
//!
//! | item | what it does |
//! |---|---|
//! | [`plan_visits`], [`ScheduleRequest`], [`Schedule`] | reps' dated visits over weeks: frequencies as day patterns, opening windows, weekdays, appointments (fixed or flexible), working hours, lunch, shared offices, history, re-planning with a freeze; unscheduled visits with reasons |
//! | [`plan_visits_for_plan`] | from a territory plan to its reps' visits in one call |
//! | [`schedule::slots`], [`schedule::book_slot`] | visit slots for a phone booking, and the plan with one booked |
//! | [`schedule::calendar`] | working dates and evenly spread visit patterns |
//! | [`kpi::kpis`] | plan against actual per rep |
//! | [`TravelModel`], [`StraightLine`], [`travel::haversine_km`] | travel minutes and km between real positions (great circle × circuity at a speed, or a road network) |
//! | [`TravelCost`], [`Matrix`] | travel costs between indexed locations |
//! | [`tsp`], [`vrptw`], [`pvrp`] | research instances: tour optimisation (2-opt, Or-opt, iterated local search), VRP with time windows and periodic VRP (ruin and recreate) |
//!
//! The model types (`Account`, `Rep`, `Location`, `WorkloadModel`, …) and
//! `chrono` are re-exported, so an embedder needs only this crate to plan
//! visits. `examples/crm.rs` embeds the whole flow: CRM records in memory →
//! territories → four weeks of visits → figures to store back.

mod anneal;
mod blink;
pub mod kpi;
pub mod pvrp;
pub mod schedule;
pub mod travel;
pub mod tsp;
pub mod vrptw;

/// Dates in schedules are `chrono` types; this is the version they use.
pub use chrono;
pub use schedule::{
    plan_visits, plan_visits_for_plan, Appointment, Flex, Lunch, Schedule, ScheduleError,
    ScheduleOptions, ScheduleRequest,
};
pub use territory::model::{Account, Location, Rep, Status, TimeWindow, Weekday};
pub use territory::WorkloadModel;
pub use travel::{StraightLine, TravelError, TravelModel};

/// Travel cost between locations indexed `0..len()`.
pub trait TravelCost: Sync {
    /// Number of locations.
    fn len(&self) -> usize;
    /// Cost of going from `a` to `b`.
    fn cost(&self, a: usize, b: usize) -> f64;
    /// Whether there are no locations.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A dense cost matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    n: usize,
    costs: Vec<f64>,
}

impl Matrix {
    /// A matrix from a cost function over `n` locations.
    ///
    /// ```
    /// use territory_routing::{Matrix, TravelCost};
    /// let m = Matrix::from_fn(3, |a, b| (a as f64 - b as f64).abs());
    /// assert_eq!(m.cost(0, 2), 2.0);
    /// ```
    pub fn from_fn(n: usize, f: impl Fn(usize, usize) -> f64 + Sync) -> Self {
        use rayon::prelude::*;
        let costs = (0..n * n)
            .into_par_iter()
            .map(|k| f(k / n, k % n))
            .collect();
        Self { n, costs }
    }

    /// TSPLIB `EUC_2D` distances: the nearest integer of the Euclidean distance.
    pub fn euclidean_rounded(points: &[[f64; 2]]) -> Self {
        Self::from_fn(points.len(), |a, b| {
            let (dx, dy) = (points[a][0] - points[b][0], points[a][1] - points[b][1]);
            (dx * dx + dy * dy).sqrt().round()
        })
    }

    /// Plain Euclidean distances.
    pub fn euclidean(points: &[[f64; 2]]) -> Self {
        Self::from_fn(points.len(), |a, b| {
            let (dx, dy) = (points[a][0] - points[b][0], points[a][1] - points[b][1]);
            (dx * dx + dy * dy).sqrt()
        })
    }
}

impl TravelCost for Matrix {
    fn len(&self) -> usize {
        self.n
    }

    #[inline]
    fn cost(&self, a: usize, b: usize) -> f64 {
        self.costs[a * self.n + b]
    }
}

/// The README's library examples (territories, then visits), compiled and run
/// as doctests here, where both crates are in reach.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
