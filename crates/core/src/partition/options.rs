//! What the engine is asked to do: [`PlanOptions`] and the choices in it.

use crate::objective::Objective;

/// What a rebalance minimises when it moves accounts away from their current territory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisruptionMeasure {
    /// The number of accounts moved.
    #[default]
    Accounts,
    /// The revenue of the accounts moved.
    Revenue,
}

/// Minimal-disruption rebalancing: start from each account's current territory
/// and move as little as possible to restore balance.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, schemars::JsonSchema)]
pub struct Rebalance {
    /// What moving costs.
    pub measure: DisruptionMeasure,
    /// Most accounts that may move (accounts of removed reps not counted).
    pub max_moves: Option<usize>,
}

/// How free centres are placed before location–allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Seeding {
    /// Balanced recursive bisection of the accounts by mass (deterministic; the
    /// default, robust on strongly clustered data).
    Bisection,
    /// k-means++ (D² sampling) drawn with the seed.
    KMeansPlusPlus,
}

/// Tuning of the partition engine. The defaults suit 10 to 1,000,000 accounts.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct PlanOptions {
    /// Seed for the k-means++ draw of free centres.
    pub seed: u64,
    /// How free centres start (k-means++ is always used when some centres are fixed).
    pub seeding: Seeding,
    /// Most location–allocation rounds for free centres.
    pub max_rounds: usize,
    /// Candidate territories per account to start with (grown when the LP cannot balance).
    pub candidates: usize,
    /// Most accounts left free in one balancing LP.
    pub lp_max_accounts: usize,
    /// What compactness minimises.
    pub objective: Objective,
    /// Above this many accounts, plan on basic cells first (see `aggregate_cells`).
    pub aggregate_above: usize,
    /// About how many cells a very large problem is aggregated into.
    pub aggregate_cells: usize,
    /// Rebalance from the current territories instead of planning afresh.
    pub rebalance: Option<Rebalance>,
    /// Fraction (0..1) of each band's half-width the LP keeps free for rounding
    /// split accounts into whole ones; larger is safer for balance, smaller
    /// leaves more room for compactness.
    pub rounding_margin: f64,
    /// Starting positions of free centres (planar, one per territory), in place of seeding.
    #[serde(skip)]
    pub start_centres: Option<Vec<[f64; 2]>>,
    /// Make every territory one connected piece of the adjacency graph.
    pub contiguity: bool,
    /// Drop Delaunay neighbours farther apart than this (km), so water or
    /// mountains do not join territories.
    pub max_edge_km: Option<f64>,
    /// Most sign-based price steps per pricing (fewer when the band violation stops falling).
    pub ascent_iterations: usize,
    /// Most re-pricings of a partial-frontier LP with its own duals.
    pub lp_refinements: usize,
    /// Where free centres end: the (weighted) mean of their accounts, or the
    /// member account nearest that mean (the Hess and p-median convention).
    pub centre: CentreRule,
    /// Runs of the engine from different starts, the best plan kept
    /// (pieces, then band violation, then objective). `None`: automatic,
    /// more than one only on problems of at most 2,000 accounts with free
    /// centres, contiguity, the squared-distance objective and a band of ±2%
    /// or tighter, where one start's descent often ends in a worse basin.
    pub starts: Option<usize>,
}

/// Where a free territory centre is placed in the final plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CentreRule {
    /// The (weighted) mean of the territory's accounts.
    #[default]
    Mean,
    /// The member account that minimises Σ weight × squared distance: the one
    /// nearest the weighted mean.
    Unit,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self {
            seed: 1,
            seeding: Seeding::Bisection,
            max_rounds: 30,
            candidates: 10,
            lp_max_accounts: 150_000,
            objective: Objective::SquaredDistance,
            start_centres: None,
            rebalance: None,
            aggregate_above: 200_000,
            aggregate_cells: 100_000,
            rounding_margin: 0.25,
            contiguity: true,
            max_edge_km: None,
            ascent_iterations: 60,
            lp_refinements: 3,
            centre: CentreRule::Mean,
            starts: None,
        }
    }
}
