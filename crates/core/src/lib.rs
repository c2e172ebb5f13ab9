//! # territory
//!
//! Balanced, compact sales territories. Accounts (customers and prospects with
//! revenue, visit frequencies and any numeric attribute) are divided among reps
//! so that every chosen criterion stays within a tolerance of each rep's fair
//! share, while keeping each territory geographically tight around its centre.
//!
//! ```
//! use territory::{plan, Account, Location, Measure, PlanOptions, Problem, Rep, Status};
//!
//! // A CRM hands over its accounts and reps...
//! let accounts: Vec<Account> = (0..200)
//!     .map(|i| {
//!         let (lat, lon) = (60.10 + (i % 20) as f64 * 0.005, 24.80 + (i / 20) as f64 * 0.01);
//!         let status = if i % 3 == 0 { Status::Prospect } else { Status::Customer };
//!         Account::new(format!("acc-{i}"), Location::new(lat, lon)).with_status(status)
//!     })
//!     .collect();
//! let reps = vec![
//!     Rep::new("north", Some(Location::new(60.19, 24.85))),
//!     Rep::new("south", Some(Location::new(60.11, 24.85))),
//!     Rep::new("east", Some(Location::new(60.15, 24.88))).with_capacity(0.5),
//! ];
//! // ...and asks for territories balanced on customers and prospects within 10%.
//! let problem = Problem::builder()
//!     .accounts(accounts)
//!     .reps(reps)
//!     .criterion(Measure::Customers, 0.10)
//!     .criterion(Measure::Prospects, 0.10)
//!     .build()?;
//! let plan = plan(&problem, &PlanOptions::default())?;
//! assert!(plan.metrics.balanced());
//! for t in &plan.metrics.territories {
//!     println!("{}: {} customers, {} prospects", t.id, t.customers, t.prospects);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Catalogue
//!
//! | item | what it does |
//! |---|---|
//! | [`Account`], [`Rep`], [`Location`], [`Status`] | the domain model |
//! | [`Measure`], [`Criterion`] | what is balanced, and within which tolerance |
//! | [`Problem`], [`ProblemBuilder`], [`ProblemError`] | a validated problem, typed errors for bad input |
//! | [`WorkloadModel`] | how visits, service time and travel become workload hours |
//! | [`plan()`], [`PlanOptions`], [`Plan`] | the partition engine (R-tree candidates, Lagrangian prices, LP balancer, repair, location–allocation) |
//! | [`partition::levels::plan_levels`], [`partition::levels::Levels`] | alignment levels: territories nested in regions, both balanced and contiguous |
//! | [`Metrics`] | balance per criterion, compactness against the LP bound, contiguity |
//! | [`Adjacency`] | Delaunay or given neighbours, pieces per territory |
//! | [`geometry::territory_polygons`], [`geometry::territory_polygons_on`] | territory shapes from Voronoi cells; pieces the hull clip cut apart rejoined along the adjacency used |
//! | [`sizing::size`] | how many territories the workload needs, and a what-if table |
//! | [`CentreTravel`], [`ProblemBuilder::centre_travel_minutes`], [`ProblemBuilder::travel_share_minutes`] | compactness and workload in travel time (e.g. from a road network) |
//! | [`model::clock`] | minutes after midnight as `HH:MM` |
//! | [`Progress`], [`NoProgress`] | progress callbacks (phases, details, counted steps) |
//! | [`Projection`] | planar km coordinates for WGS84 positions |
//!
//! Reps' dated visits over weeks, travel models and the research routing
//! solvers live in the `territory-routing` crate, which builds on this one;
//! its `examples/crm.rs` embeds the whole flow: CRM records in memory → plan →
//! four weeks of visits → figures to store back.

pub mod adjacency;
pub mod criteria;
pub mod geometry;
pub mod metrics;
pub mod model;
pub mod objective;
pub mod partition;
pub mod problem;
pub mod progress;
pub mod projection;
pub mod sizing;

pub use adjacency::Adjacency;
pub use criteria::{parse_tolerance, Criterion, Measure};
pub use metrics::Metrics;
pub use model::{Account, Location, Rep, Status, TimeWindow, Weekday};
pub use partition::{
    plan, plan_multistart, plan_with_progress, BaseOutside, BaseOutsideKind, CentreRule,
    Diagnostic, DiagnosticKind, DisruptionMeasure, NoProgress, Objective, Plan, PlanError,
    PlanOptions, Progress, Rebalance, Seeding, SolveStats,
};
pub use problem::{
    CentreTravel, Problem, ProblemBuilder, ProblemError, TerritorySpec, WorkloadModel,
};
pub use projection::Projection;
