//! What the engine returns: the [`Plan`], its diagnostics and statistics,
//! and the errors.

use super::home::BaseOutside;
use super::lagrangian::Prices;
use crate::adjacency::Adjacency;
use crate::metrics::Metrics;

/// What kind of shortfall a [`Diagnostic`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DiagnosticKind {
    /// A criterion is outside its tolerance in some territories.
    ToleranceMissed,
    /// A criterion has a zero total and was not balanced.
    CriterionIgnored,
    /// Some territories are in more than one piece.
    NotContiguous,
}

/// A requirement the plan could not meet, and why. The plan is still the best found.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct Diagnostic {
    /// The kind of shortfall.
    pub kind: DiagnosticKind,
    /// The criterion concerned, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub criterion: Option<String>,
    /// Territories concerned.
    pub territories: Vec<String>,
    /// A sentence for people.
    pub message: String,
}

/// Facts about the solve, for reports and tuning.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct SolveStats {
    /// Location–allocation rounds run.
    pub rounds: usize,
    /// Candidate territories per account in the final solve.
    pub candidates: usize,
    /// Accounts free in the final balancing LP.
    pub lp_free_accounts: usize,
    /// Variables in the final balancing LP.
    pub lp_variables: usize,
    /// Band violation left in the LP optimum (0 = the tolerances are reachable).
    pub lp_slack: f64,
    /// Accounts the LP split between territories before rounding.
    pub split_accounts: usize,
    /// Fragments merged into a neighbour and border moves made by the
    /// contiguity repair (absent when it was off).
    pub contiguity_repair: Option<(usize, usize)>,
    /// Basic cells the accounts were aggregated into (very large problems only).
    pub aggregated_cells: Option<usize>,
    /// Wall time per phase in milliseconds (a phase may be missing when skipped).
    pub phase_ms: Vec<(String, u64)>,
}

/// A plan: every account's territory, the centres, and how good it is.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Territory index (into [`Problem::territories`](crate::Problem::territories)) per account.
    pub assignment: Vec<usize>,
    /// Planar centre of each territory (km, in the problem's projection).
    pub centres: Vec<[f64; 2]>,
    /// Quality measures.
    pub metrics: Metrics,
    /// What could not be met, and why.
    pub diagnostics: Vec<Diagnostic>,
    /// Rep bases left outside their own territory's shape, each with the
    /// constraint that kept them there (measured on the final assignment).
    pub bases_outside: Vec<BaseOutside>,
    /// Solve facts.
    pub stats: SolveStats,
    /// The adjacency used for contiguity.
    pub adjacency: Adjacency,
    /// The balancing LP's prices and the cost scale they are in, so that a
    /// plan on aggregated cells can bound the account-level problem.
    pub(crate) prices: Option<(Vec<Prices>, f64)>,
}

impl Plan {
    /// The territory of every account as the `owner` list a visit schedule
    /// takes (`ScheduleRequest::owner` in `territory-routing`), when
    /// the territories are the reps in order.
    pub fn owners(&self) -> Vec<Option<usize>> {
        self.assignment.iter().map(|&j| Some(j)).collect()
    }
}

/// Why planning failed (bad input is caught earlier, by [`crate::ProblemBuilder::build`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// The LP solver failed numerically.
    #[error("{0}")]
    Solver(String),
}
