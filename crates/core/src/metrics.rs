//! Plan quality: balance per criterion, compactness, contiguity.

use crate::adjacency::Adjacency;
use crate::model::{Location, Status};
use crate::problem::Problem;
use crate::projection::dist2;

/// The measures of one territory.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct TerritoryMetrics {
    /// Territory (rep) id.
    pub id: String,
    /// Rep name, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The region holding the territory, when planned with alignment levels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Centre used for compactness (the rep base, or the located centre).
    pub centre: Location,
    /// Number of accounts.
    pub accounts: usize,
    /// Existing customers.
    pub customers: usize,
    /// Prospects.
    pub prospects: usize,
    /// Revenue sum.
    pub revenue: f64,
    /// Workload hours per 4 weeks.
    pub workload_hours: f64,
    /// Per criterion (in problem order): value, target and relative deviation.
    pub balance: Vec<CriterionValue>,
    /// Σ squared km from the accounts to the centre.
    pub inertia_km2: f64,
    /// Connected pieces under the adjacency (1 = contiguous).
    pub components: usize,
}

/// A territory's value on one criterion against its target.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct CriterionValue {
    /// Criterion name.
    pub criterion: String,
    /// The territory's total.
    pub value: f64,
    /// Its target: the criterion total times the territory's capacity share.
    pub target: f64,
    /// |value − target| / target (0 when the target is 0).
    pub deviation: f64,
    /// Whether the deviation is within the criterion's tolerance.
    pub within_tolerance: bool,
}

/// One criterion over all territories.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct CriterionSummary {
    /// Criterion name.
    pub criterion: String,
    /// Allowed relative deviation.
    pub tolerance: f64,
    /// Total over all accounts.
    pub total: f64,
    /// Largest relative deviation over territories.
    pub max_deviation: f64,
    /// Whether every territory is within tolerance.
    pub within_tolerance: bool,
}

/// Compactness: moment of inertia, total distance, and the ratio of the
/// optimised one to the LP-relaxation lower bound.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Compactness {
    /// What the engine minimised: `squared_distance` or `distance`.
    pub objective: crate::objective::Objective,
    /// The measure weighting each account's distance (Σ weight × squared
    /// distance), when compactness is weighted; the km² and km figures below
    /// are then weighted too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
    /// Where territory centres stand: `base` (the reps' fixed bases), `mean`
    /// (the accounts' weighted mean) or `unit` (the member account nearest
    /// it); `mixed` when some territories have bases and others not.
    pub centre: String,
    /// Σ over accounts of squared km to their territory centre.
    pub inertia_km2: f64,
    /// Σ over accounts of km to their territory centre.
    pub sum_distance_km: f64,
    /// Σ over accounts of travel minutes from their territory's centre, when
    /// compactness is measured in travel time (then the objective, its bound
    /// and their ratio are in minutes², or minutes, too).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub travel_min: Option<f64>,
    /// A lower bound on the objective for any assignment meeting the tolerances
    /// with the same (final) centres: the Lagrangian bound of the balancing
    /// LP's relaxation, evaluated at the final centres when free centres moved
    /// to their final territories' centroids (beyond 2·10⁸ account–territory
    /// pairs, at the LP's centres), in km² or km as the objective, when the
    /// tolerances are reachable.
    pub lower_bound: Option<f64>,
    /// The objective over its lower bound (1.00 = provably optimal for these centres).
    pub ratio_to_bound: Option<f64>,
}

/// Whether every territory is one connected piece.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Contiguity {
    /// True when every territory is a single piece.
    pub contiguous: bool,
    /// Where adjacency came from: `delaunay` or `given`.
    pub adjacency: String,
    /// Ids of territories in more than one piece.
    pub fragmented: Vec<String>,
}

/// All quality measures of a plan.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Metrics {
    /// Per criterion, the worst deviation.
    pub criteria: Vec<CriterionSummary>,
    /// Compactness.
    pub compactness: Compactness,
    /// Contiguity.
    pub contiguity: Contiguity,
    /// Per territory, in territory order.
    pub territories: Vec<TerritoryMetrics>,
}

impl Metrics {
    /// Measures an assignment (territory index per account) with the given planar centres.
    ///
    /// `adjacency` defaults to the problem's explicit pairs or a Delaunay triangulation.
    pub fn evaluate(
        problem: &Problem,
        assignment: &[usize],
        centres: &[[f64; 2]],
        objective: crate::objective::Objective,
        lower_bound: Option<f64>,
        adjacency: &Adjacency,
    ) -> Metrics {
        let k = problem.territories.len();
        let shares = problem.shares();
        let components = adjacency.components_per_territory(assignment, k);
        let mut territories: Vec<TerritoryMetrics> = problem
            .territories
            .iter()
            .enumerate()
            .map(|(j, t)| TerritoryMetrics {
                id: t.id.clone(),
                name: t.name.clone(),
                region: None,
                centre: problem.projection.inverse(centres[j]),
                accounts: 0,
                customers: 0,
                prospects: 0,
                revenue: 0.0,
                workload_hours: 0.0,
                balance: Vec::new(),
                inertia_km2: 0.0,
                components: components[j],
            })
            .collect();
        let mut values = vec![vec![0.0; problem.criteria.len()]; k];
        for (i, &j) in assignment.iter().enumerate() {
            let a = &problem.accounts[i];
            let t = &mut territories[j];
            t.accounts += 1;
            match a.status {
                Status::Customer => t.customers += 1,
                Status::Prospect => t.prospects += 1,
            }
            t.revenue += a.revenue;
            t.workload_hours += problem.workload_hours[i];
            t.inertia_km2 += problem.weight(i) * dist2(problem.points[i], centres[j]);
            for (c, v) in values[j].iter_mut().enumerate() {
                *v += problem.values[c][i];
            }
        }
        let mut criteria = Vec::new();
        for (c, crit) in problem.criteria.iter().enumerate() {
            let total = problem.total(c);
            let mut worst: f64 = 0.0;
            for (j, t) in territories.iter_mut().enumerate() {
                let target = total * shares[j];
                let value = values[j][c];
                let deviation = if target > 0.0 {
                    (value - target).abs() / target
                } else {
                    0.0
                };
                worst = worst.max(deviation);
                t.balance.push(CriterionValue {
                    criterion: crit.measure.to_string(),
                    value,
                    target,
                    deviation,
                    within_tolerance: deviation <= crit.tolerance + 1e-9,
                });
            }
            criteria.push(CriterionSummary {
                criterion: crit.measure.to_string(),
                tolerance: crit.tolerance,
                total,
                max_deviation: worst,
                within_tolerance: worst <= crit.tolerance + 1e-9,
            });
        }
        let inertia: f64 = territories.iter().map(|t| t.inertia_km2).sum();
        let sum_distance: f64 = assignment
            .iter()
            .enumerate()
            .map(|(i, &j)| problem.weight(i) * dist2(problem.points[i], centres[j]).sqrt())
            .sum();
        let travel_min = problem.centre_travel().map(|t| {
            assignment
                .iter()
                .enumerate()
                .map(|(i, &j)| t.minutes(i, j))
                .sum::<f64>()
        });
        let achieved = match (problem.centre_travel(), objective) {
            (Some(t), o) => assignment
                .iter()
                .enumerate()
                .map(|(i, &j)| problem.weight(i) * o.cost(t.minutes(i, j).powi(2)))
                .sum(),
            (None, crate::objective::Objective::SquaredDistance) => inertia,
            (None, crate::objective::Objective::Distance) => sum_distance,
        };
        let fragmented: Vec<String> = territories
            .iter()
            .filter(|t| t.components > 1)
            .map(|t| t.id.clone())
            .collect();
        Metrics {
            criteria,
            compactness: Compactness {
                objective,
                weight: problem.compactness_weight().map(ToString::to_string),
                centre: match problem
                    .territories
                    .iter()
                    .filter(|t| t.base.is_some())
                    .count()
                {
                    0 => "mean",
                    b if b == k => "base",
                    _ => "mixed",
                }
                .to_string(),
                inertia_km2: inertia,
                sum_distance_km: sum_distance,
                travel_min,
                lower_bound,
                ratio_to_bound: lower_bound.filter(|b| *b > 0.0).map(|b| achieved / b),
            },
            contiguity: Contiguity {
                contiguous: fragmented.is_empty(),
                adjacency: if problem.adjacency.is_some() {
                    "given"
                } else {
                    "delaunay"
                }
                .to_string(),
                fragmented,
            },
            territories,
        }
    }

    /// Whether every criterion is within its tolerance.
    pub fn balanced(&self) -> bool {
        self.criteria.iter().all(|c| c.within_tolerance)
    }
}

/// p-median compactness: for each territory the member that minimises the sum
/// of distances to the other members (its medoid, the "centre unit" of the
/// territory design literature), and that sum over all territories.
/// Returns the total and each territory's medoid (account index).
pub fn medoid_compactness(
    points: &[[f64; 2]],
    assignment: &[usize],
    territories: usize,
) -> (f64, Vec<Option<usize>>) {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); territories];
    for (i, &j) in assignment.iter().enumerate() {
        members[j].push(i);
    }
    let mut total = 0.0;
    let mut medoids = Vec::with_capacity(territories);
    for list in &members {
        let best = list
            .iter()
            .map(|&c| {
                (
                    list.iter()
                        .map(|&i| dist2(points[i], points[c]).sqrt())
                        .sum::<f64>(),
                    c,
                )
            })
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        total += best.map_or(0.0, |b| b.0);
        medoids.push(best.map(|b| b.1));
    }
    (total, medoids)
}
