//! Alignment levels: territories nested in regions.
//!
//! A two-level hierarchy is planned top down with the one-level engine
//! ([`plan_with_progress`]):
//!
//! 1. **Regions**: the accounts are divided into R regions as if each were a
//!    territory whose share is the sum of its territories' shares (T spread
//!    over R as evenly as possible, or each region's reps), centred on the
//!    mean of its reps' bases when every one of them has a base (free
//!    otherwise), at a tolerance tighter than the territories' (by default
//!    half), so that the territories nested in a region can still all meet
//!    the plan's band.
//! 2. **Territories**: each region's accounts are planned into its
//!    territories as a problem of their own (in parallel; the result is the
//!    same on any thread count), with the band of each criterion narrowed so
//!    that every territory within it is within the requested tolerance of
//!    its *global* target (the criterion's total × its share of all
//!    territories). Rep bases stay fixed; locked accounts stay in their
//!    territory, and so in its region; contiguity is on the same adjacency,
//!    restricted to the region, so territories are contiguous within their
//!    region and regions are contiguous on the whole graph.
//!
//! A rebalance keeps every account in the region of its current territory
//! when the regions are within their band (and in one piece); otherwise the
//! region level is rebalanced first (moving as little as possible). The
//! territories are then rebalanced within each region.
//!
//! Figures ([`LevelledPlan::plan`]'s metrics and diagnostics) are measured
//! on the final assignment against the whole problem, and the regions'
//! figures ([`LevelledPlan::region_metrics`]) against the region band.

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::{
    plan_with_progress, CentreRule, Diagnostic, DiagnosticKind, NoProgress, Objective, Plan,
    PlanError, PlanOptions, Progress, Rebalance, SolveStats,
};
use crate::adjacency::Adjacency;
use crate::metrics::Metrics;
use crate::model::Location;
use crate::problem::{Derived, Problem, TerritorySpec};
use crate::projection::dist2;

/// The smallest tolerance a region's territories are planned at (the engine
/// needs a band; below it the region's total alone misses the global band).
const MIN_TOLERANCE: f64 = 1e-4;

/// Why a levelled plan could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LevelsError {
    /// No region was asked for.
    #[error("at least one region is needed")]
    NoRegions,
    /// More regions than territories.
    #[error(
        "{regions} regions cannot hold {territories} territories: each region needs at least one"
    )]
    MoreRegionsThanTerritories {
        /// Regions asked for.
        regions: usize,
        /// Territories asked for.
        territories: usize,
    },
    /// The levels and the problem count territories differently.
    #[error("the levels ask for {levels} territories but the problem has {problem}")]
    TerritoryCountMismatch {
        /// Territories of the levels.
        levels: usize,
        /// Territories of the problem.
        problem: usize,
    },
    /// The reps give regions, and the levels ask for another number of them.
    #[error("the levels ask for {levels} regions but the reps name {given}")]
    RegionCountMismatch {
        /// Regions of the levels.
        levels: usize,
        /// Distinct regions the reps name.
        given: usize,
    },
    /// Some reps name a region and this one does not.
    #[error("territory '{0}' has no region while other reps name one")]
    MissingRegion(String),
    /// The region tolerance factor is not in (0, 1].
    #[error("the region tolerance factor {0} must be in (0, 1]")]
    RegionTolerance(f64),
    /// A region received fewer accounts than it has territories.
    #[error("region '{region}' holds {accounts} accounts for {territories} territories")]
    RegionTooSmall {
        /// The region.
        region: String,
        /// Its accounts.
        accounts: usize,
        /// Its territories.
        territories: usize,
    },
    /// The engine failed on one of the levels.
    #[error(transparent)]
    Plan(#[from] PlanError),
}

/// Two alignment levels: `regions` regions, each holding some of the
/// problem's territories. Build with [`Levels::new`] (regions formed from
/// the territories by count) or [`Levels::from_reps`] (the reps' `region`).
#[derive(Debug, Clone, PartialEq)]
pub struct Levels {
    regions: usize,
    territories: usize,
    /// Region per territory and the regions' ids, when the reps give them.
    given: Option<(Vec<usize>, Vec<String>)>,
    region_tolerance: f64,
}

impl Levels {
    /// `regions` regions holding `territories` territories in all, spread as
    /// evenly as possible (the first regions take one more when they do not
    /// divide). Reps with bases are grouped by a balanced bisection of their
    /// bases, others in their order.
    ///
    /// ```
    /// use territory::partition::levels::Levels;
    /// assert!(Levels::new(8, 80).is_ok());
    /// assert!(Levels::new(0, 80).is_err());
    /// assert!(Levels::new(9, 8).is_err());
    /// ```
    pub fn new(regions: usize, territories: usize) -> Result<Levels, LevelsError> {
        if regions == 0 {
            return Err(LevelsError::NoRegions);
        }
        if regions > territories {
            return Err(LevelsError::MoreRegionsThanTerritories {
                regions,
                territories,
            });
        }
        Ok(Levels {
            regions,
            territories,
            given: None,
            region_tolerance: 0.5,
        })
    }

    /// The regions the problem's reps name ([`crate::Rep::region`]), in the
    /// order they first appear; `None` when no rep names one, an error when
    /// only some do.
    pub fn from_reps(problem: &Problem) -> Result<Option<Levels>, LevelsError> {
        let specs = problem.territories();
        if specs.iter().all(|t| t.region.is_none()) {
            return Ok(None);
        }
        let mut names: Vec<String> = Vec::new();
        let mut of = Vec::with_capacity(specs.len());
        for t in specs {
            let name = t
                .region
                .as_deref()
                .ok_or_else(|| LevelsError::MissingRegion(t.id.clone()))?;
            let r = match names.iter().position(|n| n == name) {
                Some(r) => r,
                None => {
                    names.push(name.to_string());
                    names.len() - 1
                }
            };
            of.push(r);
        }
        Ok(Some(Levels {
            regions: names.len(),
            territories: specs.len(),
            given: Some((of, names)),
            region_tolerance: 0.5,
        }))
    }

    /// Plans the regions at `factor` × each criterion's tolerance (default
    /// 0.5): tighter leaves the territories more room within their region.
    pub fn with_region_tolerance(mut self, factor: f64) -> Result<Levels, LevelsError> {
        if !(factor.is_finite() && factor > 0.0 && factor <= 1.0) {
            return Err(LevelsError::RegionTolerance(factor));
        }
        self.region_tolerance = factor;
        Ok(self)
    }

    /// Number of regions.
    pub fn regions(&self) -> usize {
        self.regions
    }

    /// Number of territories.
    pub fn territories(&self) -> usize {
        self.territories
    }

    /// The region tolerance factor.
    pub fn region_tolerance(&self) -> f64 {
        self.region_tolerance
    }

    /// Region index per territory, and the regions' ids.
    fn grouping(&self, problem: &Problem) -> (Vec<usize>, Vec<String>) {
        if let Some(given) = &self.given {
            return given.clone();
        }
        let (r, t) = (self.regions, self.territories);
        let sizes: Vec<usize> = (0..r).map(|g| t / r + usize::from(g < t % r)).collect();
        let specs = problem.territories();
        let mut of = vec![0; t];
        if specs.iter().all(|s| s.base.is_some()) {
            let points: Vec<[f64; 2]> = specs
                .iter()
                .map(|s| {
                    s.base
                        .map_or([0.0, 0.0], |b| problem.projection().forward(b))
                })
                .collect();
            bisect(&points, (0..t).collect(), &sizes, 0, &mut of);
        } else {
            let mut j = 0;
            for (g, &size) in sizes.iter().enumerate() {
                for slot in of.iter_mut().skip(j).take(size) {
                    *slot = g;
                }
                j += size;
            }
        }
        let width = r.to_string().len().max(2);
        let names = (1..=r).map(|g| format!("R{g:0width$}")).collect();
        (of, names)
    }
}

/// Splits `items` (territories) into regions `first..first + sizes.len()`
/// of the given sizes by recursive median cuts across the wider extent of
/// their bases.
fn bisect(
    points: &[[f64; 2]],
    mut items: Vec<usize>,
    sizes: &[usize],
    first: usize,
    of: &mut [usize],
) {
    if sizes.len() <= 1 {
        for i in items {
            of[i] = first;
        }
        return;
    }
    let extent = |axis: usize| {
        let (lo, hi) = items
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &i| {
                (lo.min(points[i][axis]), hi.max(points[i][axis]))
            });
        hi - lo
    };
    let axis = usize::from(extent(1) > extent(0));
    items.sort_by(|&a, &b| points[a][axis].total_cmp(&points[b][axis]).then(a.cmp(&b)));
    let half = sizes.len() / 2;
    let left: usize = sizes[..half].iter().sum();
    let right = items.split_off(left);
    bisect(points, items, &sizes[..half], first, of);
    bisect(points, right, &sizes[half..], first + half, of);
}

/// One region of a levelled plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// Region id (the reps' `region`, or `R01`, `R02`, ...).
    pub id: String,
    /// Its territories (indices into [`Problem::territories`]).
    pub territories: Vec<usize>,
    /// Its fixed centre (the mean of its reps' bases), when every rep has one.
    pub base: Option<Location>,
    /// The tolerance each criterion's band was planned at for its
    /// territories, so that each is within the plan's tolerance of its
    /// global target (narrower when the region's total is off its share).
    pub territory_tolerances: Vec<f64>,
}

/// A plan with two levels: territories nested in regions.
#[derive(Debug, Clone)]
pub struct LevelledPlan {
    /// The territories over the whole problem: assignment, centres, figures
    /// against the plan's tolerances (each territory's metrics name its
    /// region), and the diagnostics of both levels.
    pub plan: Plan,
    /// The regions, in order.
    pub regions: Vec<Region>,
    /// Region index of each territory.
    pub territory_region: Vec<usize>,
    /// Region index of each account.
    pub account_region: Vec<usize>,
    /// The regions' figures: per criterion against the region tolerance,
    /// per region its totals, targets, deviations and pieces.
    pub region_metrics: Metrics,
    /// The region tolerance of each criterion.
    pub region_tolerances: Vec<f64>,
}

/// Plans territories nested in regions (see the module documentation).
///
/// ```
/// use territory::partition::levels::{plan_levels, Levels};
/// use territory::{Account, Location, Measure, NoProgress, PlanOptions, Problem, Status};
/// let accounts: Vec<Account> = (0..240)
///     .map(|i| {
///         let status = if i % 3 == 0 { Status::Prospect } else { Status::Customer };
///         let location = Location::new(60.0 + (i % 16) as f64 * 0.01, 24.0 + (i / 16) as f64 * 0.01);
///         Account::new(format!("a{i}"), location).with_status(status)
///     })
///     .collect();
/// let problem = Problem::builder()
///     .accounts(accounts)
///     .territories(6)
///     .criterion(Measure::Customers, 0.10)
///     .criterion(Measure::Prospects, 0.10)
///     .build()?;
/// let levels = Levels::new(2, 6)?;
/// let levelled = plan_levels(&problem, &levels, &PlanOptions::default(), &NoProgress)?;
/// assert_eq!(levelled.regions.len(), 2);
/// // Every account lies in the region of its territory.
/// for (i, &j) in levelled.plan.assignment.iter().enumerate() {
///     assert_eq!(levelled.account_region[i], levelled.territory_region[j]);
/// }
/// assert!(levelled.plan.metrics.balanced());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn plan_levels(
    problem: &Problem,
    levels: &Levels,
    options: &PlanOptions,
    progress: &dyn Progress,
) -> Result<LevelledPlan, LevelsError> {
    let n = problem.accounts().len();
    let kt = problem.territories().len();
    if levels.territories != kt {
        return Err(LevelsError::TerritoryCountMismatch {
            levels: levels.territories,
            problem: kt,
        });
    }
    let started = std::time::Instant::now();
    let (territory_region, names) = levels.grouping(problem);
    let rk = names.len();
    let specs = problem.territories();
    let projection = problem.projection();
    let mut members_of: Vec<Vec<usize>> = vec![Vec::new(); rk];
    for (j, &r) in territory_region.iter().enumerate() {
        members_of[r].push(j);
    }
    let capacity_all: f64 = specs.iter().map(|t| t.capacity).sum();
    let region_specs: Vec<TerritorySpec> = names
        .iter()
        .zip(&members_of)
        .map(|(id, ts)| {
            let bases: Option<Vec<[f64; 2]>> = ts
                .iter()
                .map(|&j| specs[j].base.map(|b| projection.forward(b)))
                .collect();
            let base = bases.filter(|b| !b.is_empty()).map(|b| {
                let m = b.len() as f64;
                let (x, y) = b.iter().fold((0.0, 0.0), |(x, y), p| (x + p[0], y + p[1]));
                projection.inverse([x / m, y / m])
            });
            TerritorySpec {
                id: id.clone(),
                name: None,
                base,
                capacity: ts.iter().map(|&j| specs[j].capacity).sum(),
                region: None,
            }
        })
        .collect();
    let tolerances: Vec<f64> = problem.criteria().iter().map(|c| c.tolerance).collect();
    let region_tolerances: Vec<f64> = tolerances
        .iter()
        .map(|t| t * levels.region_tolerance)
        .collect();
    let all: Vec<usize> = (0..n).collect();
    let region_problem = problem.derived(Derived {
        members: &all,
        territories: region_specs.clone(),
        parent_territories: None,
        current: problem
            .current_territories()
            .iter()
            .map(|c| c.map(|j| territory_region[j]))
            .collect(),
        tolerances: region_tolerances.clone(),
        adjacency: None,
    });
    let mut adjacency = problem.adjacency_graph();
    if let Some(limit) = options.max_edge_km {
        adjacency = adjacency.without_longer_than(problem.points(), limit);
    }

    // Level 1: regions.
    progress.phase("planning regions");
    let region_options = PlanOptions {
        start_centres: None,
        ..options.clone()
    };
    let kept = options
        .rebalance
        .as_ref()
        .and_then(|_| kept_regions(&region_problem, options, &adjacency));
    let (account_region, region_metrics, region_stats, region_diags) = match kept {
        Some((home, metrics)) => {
            progress.detail("regions within their band: every account stays in its region");
            (home, metrics, None, Vec::new())
        }
        None if rk == 1 => {
            let home = vec![0; n];
            let centres = centres_of(&region_problem, &home, 1, options);
            let metrics = Metrics::evaluate(
                &region_problem,
                &home,
                &centres,
                options.objective,
                None,
                &adjacency,
            );
            (home, metrics, None, Vec::new())
        }
        None => {
            let region_plan = plan_with_progress(&region_problem, &region_options, progress)?;
            (
                region_plan.assignment,
                region_plan.metrics,
                Some(region_plan.stats),
                region_plan.diagnostics,
            )
        }
    };
    let region_ms = started.elapsed().as_millis() as u64;

    // Level 2: the territories of each region.
    progress.phase("planning territories within regions");
    let mut region_accounts: Vec<Vec<usize>> = vec![Vec::new(); rk];
    for (i, &r) in account_region.iter().enumerate() {
        region_accounts[r].push(i);
    }
    for (r, accounts) in region_accounts.iter().enumerate() {
        if accounts.len() < members_of[r].len() {
            return Err(LevelsError::RegionTooSmall {
                region: names[r].clone(),
                accounts: accounts.len(),
                territories: members_of[r].len(),
            });
        }
    }
    let region_moves = problem
        .current_territories()
        .iter()
        .zip(&account_region)
        .filter(|(c, &r)| c.is_some_and(|j| territory_region[j] != r))
        .count();
    let regions: Vec<Region> = (0..rk)
        .map(|r| Region {
            id: names[r].clone(),
            territories: members_of[r].clone(),
            base: region_specs[r].base,
            territory_tolerances: (0..tolerances.len())
                .map(|c| {
                    nested_tolerance(
                        problem,
                        c,
                        &region_accounts[r],
                        region_specs[r].capacity / capacity_all,
                    )
                })
                .collect(),
        })
        .collect();
    let done = AtomicUsize::new(0);
    let sub_plans: Vec<RegionPlan> = (0..rk)
        .into_par_iter()
        .map(|r| {
            let out = plan_region(
                problem,
                options,
                &adjacency,
                &regions[r],
                &region_accounts[r],
                budget(options, region_moves, region_accounts[r].len(), n),
            );
            progress.advance(done.fetch_add(1, Ordering::Relaxed) + 1, rk);
            out
        })
        .collect::<Result<_, _>>()?;

    let mut assignment = vec![0; n];
    let mut centres = vec![[0.0, 0.0]; kt];
    let mut territory_stats = Vec::new();
    let mut engine_outside: Vec<super::BaseOutside> = Vec::new();
    for (r, sub) in sub_plans.into_iter().enumerate() {
        engine_outside.extend(sub.bases_outside);
        let (local, local_centres, stats) = (sub.assignment, sub.centres, sub.stats);
        for (&i, &l) in region_accounts[r].iter().zip(&local) {
            assignment[i] = regions[r].territories[l];
        }
        for (&j, c) in regions[r].territories.iter().zip(local_centres) {
            centres[j] = c;
        }
        territory_stats.extend(stats);
    }
    progress.phase("measuring");
    let mut metrics = Metrics::evaluate(
        problem,
        &assignment,
        &centres,
        options.objective,
        None,
        &adjacency,
    );
    if options.centre == CentreRule::Unit && metrics.compactness.centre == "mean" {
        metrics.compactness.centre = "unit".into();
    }
    for (t, &r) in metrics.territories.iter_mut().zip(&territory_region) {
        t.region = Some(names[r].clone());
    }
    let mut diagnostics = territory_diagnostics(problem, &metrics, &regions, &territory_region);
    diagnostics.extend(region_diagnostics(&region_metrics, region_diags));
    // Each region placed its bases among its own accounts; the truth is on
    // all of them, where a base may lie nearest an account of another region.
    let homes = super::home::home_accounts(problem);
    let blocked: Vec<Option<super::home::Blocked>> = specs_of(problem)
        .iter()
        .map(|t| {
            engine_outside
                .iter()
                .find(|b| &b.territory == t && b.held_by.is_some())
                .map(|b| super::home::Blocked {
                    kind: b.kind,
                    criterion: b.criterion.clone(),
                    message: b.message.clone(),
                })
        })
        .collect();
    let bases_outside = super::home::outside(problem, &assignment, &homes, &blocked, &|_, i| {
        super::home::Blocked {
            kind: super::BaseOutsideKind::OtherRegion,
            criterion: None,
            message: format!(
                "account '{}', nearest the base, is in region '{}', planned apart",
                problem.accounts()[i].id,
                names[account_region[i]]
            ),
        }
    });
    let stats = merge_stats(
        region_stats,
        territory_stats,
        region_ms,
        started.elapsed().as_millis() as u64 - region_ms,
    );
    Ok(LevelledPlan {
        plan: Plan {
            assignment,
            centres,
            metrics,
            diagnostics,
            bases_outside,
            stats,
            adjacency,
            prices: None,
        },
        regions,
        territory_region,
        account_region,
        region_metrics,
        region_tolerances,
    })
}

/// In a rebalance, the current regions when they are all known, within the
/// region band and (with contiguity) in one piece each: nothing moves across
/// regions then.
fn kept_regions(
    region_problem: &Problem,
    options: &PlanOptions,
    adjacency: &Adjacency,
) -> Option<(Vec<usize>, Metrics)> {
    let home: Vec<usize> = region_problem
        .current_territories()
        .iter()
        .copied()
        .collect::<Option<_>>()?;
    let k = region_problem.territories().len();
    let centres = centres_of(region_problem, &home, k, options);
    let metrics = Metrics::evaluate(
        region_problem,
        &home,
        &centres,
        options.objective,
        None,
        adjacency,
    );
    let whole = !options.contiguity || metrics.contiguity.contiguous;
    (metrics.balanced() && whole).then_some((home, metrics))
}

/// The most accounts a region's territory rebalance may move: what the cap
/// leaves after the region level, shared by the regions' account counts.
fn budget(options: &PlanOptions, region_moves: usize, accounts: usize, n: usize) -> Option<usize> {
    let cap = options.rebalance.as_ref()?.max_moves?;
    let left = cap.saturating_sub(region_moves);
    Some(((left as f64) * accounts as f64 / n.max(1) as f64).floor() as usize)
}

/// The tolerance that keeps each territory of a region within the plan's
/// tolerance of its global target, on criterion `c`: the band around the
/// region's own target (its total × the territory's share of the region)
/// that lies inside the global band. `share` is the region's share of all
/// territories.
fn nested_tolerance(problem: &Problem, c: usize, accounts: &[usize], share: f64) -> f64 {
    let tol = problem.criteria()[c].tolerance;
    let total = problem.total(c);
    if total <= 0.0 || share <= 0.0 {
        return tol;
    }
    let region: f64 = accounts.iter().map(|&i| problem.value(c, i)).sum();
    // The region's target over its global target: every territory's own
    // target is this many times its global one.
    let rho = region / total / share;
    if rho <= 0.0 {
        return MIN_TOLERANCE;
    }
    ((1.0 + tol) / rho - 1.0)
        .min(1.0 - (1.0 - tol) / rho)
        .clamp(MIN_TOLERANCE, tol)
}

/// One region's territories: the local territory (index into the region's
/// territories) of each of its accounts, their centres, the engine's facts.
struct RegionPlan {
    assignment: Vec<usize>,
    centres: Vec<[f64; 2]>,
    stats: Option<SolveStats>,
    /// The region engine's bases outside (on the region's accounts).
    bases_outside: Vec<super::BaseOutside>,
}

/// Plans one region's territories on its accounts.
fn plan_region(
    problem: &Problem,
    options: &PlanOptions,
    adjacency: &Adjacency,
    region: &Region,
    accounts: &[usize],
    max_moves: Option<usize>,
) -> Result<RegionPlan, LevelsError> {
    let specs = problem.territories();
    let mut local = vec![usize::MAX; specs.len()];
    for (l, &j) in region.territories.iter().enumerate() {
        local[j] = l;
    }
    let mut index = vec![usize::MAX; problem.accounts().len()];
    for (l, &i) in accounts.iter().enumerate() {
        index[i] = l;
    }
    let pairs: Vec<(usize, usize)> = adjacency
        .edges()
        .iter()
        .filter(|(a, b)| index[*a] != usize::MAX && index[*b] != usize::MAX)
        .map(|&(a, b)| (index[a], index[b]))
        .collect();
    let sub = problem.derived(Derived {
        members: accounts,
        territories: region
            .territories
            .iter()
            .map(|&j| specs[j].clone())
            .collect(),
        parent_territories: Some(&region.territories),
        current: accounts
            .iter()
            .map(|&i| {
                problem.current_territories()[i]
                    .map(|j| local[j])
                    .filter(|&l| l != usize::MAX)
            })
            .collect(),
        tolerances: region.territory_tolerances.clone(),
        adjacency: Some(pairs),
    });
    let k = region.territories.len();
    if k == 1 {
        let of = vec![0; accounts.len()];
        let centres = centres_of(&sub, &of, 1, options);
        return Ok(RegionPlan {
            assignment: of,
            centres,
            stats: None,
            bases_outside: Vec::new(),
        });
    }
    let sub_options = PlanOptions {
        start_centres: None,
        rebalance: options.rebalance.as_ref().map(|r| Rebalance {
            measure: r.measure,
            max_moves,
        }),
        // The adjacency given is already the parent's, with long edges dropped.
        max_edge_km: None,
        ..options.clone()
    };
    let plan = plan_with_progress(&sub, &sub_options, &NoProgress)?;
    Ok(RegionPlan {
        assignment: plan.assignment,
        centres: plan.centres,
        stats: Some(plan.stats),
        bases_outside: plan.bases_outside,
    })
}

/// Centres of an assignment as the engine places them: fixed bases, else the
/// (weighted) mean of the accounts (or the member nearest it).
fn centres_of(problem: &Problem, of: &[usize], k: usize, options: &PlanOptions) -> Vec<[f64; 2]> {
    let mut sum = vec![[0.0f64; 3]; k];
    for (i, &j) in of.iter().enumerate() {
        let w = problem.weight(i);
        let p = problem.points()[i];
        sum[j][0] += w * p[0];
        sum[j][1] += w * p[1];
        sum[j][2] += w;
    }
    (0..k)
        .map(|j| {
            if let Some(b) = problem.territories()[j].base {
                return problem.projection().forward(b);
            }
            let mean = if sum[j][2] > 0.0 {
                [sum[j][0] / sum[j][2], sum[j][1] / sum[j][2]]
            } else {
                // Weightless territory: the plain mean of its accounts.
                let (mut x, mut y, mut m) = (0.0, 0.0, 0.0);
                for (i, _) in of.iter().enumerate().filter(|(_, &t)| t == j) {
                    x += problem.points()[i][0];
                    y += problem.points()[i][1];
                    m += 1.0;
                }
                [x / f64::max(m, 1.0), y / f64::max(m, 1.0)]
            };
            let unit = options.centre == CentreRule::Unit
                && options.objective == Objective::SquaredDistance
                || options.objective == Objective::Distance;
            if !unit {
                return mean;
            }
            of.iter()
                .enumerate()
                .filter(|(_, &t)| t == j)
                .map(|(i, _)| problem.points()[i])
                .min_by(|a, b| dist2(*a, mean).total_cmp(&dist2(*b, mean)))
                .unwrap_or(mean)
        })
        .collect()
}

/// What the territories miss against the plan's own bands, and why: a
/// region whose total is off its share by more than the tolerance cannot
/// hold territories all within it (its territories' loads average its
/// total); otherwise the engine did not find a split within the band.
fn territory_diagnostics(
    problem: &Problem,
    metrics: &Metrics,
    regions: &[Region],
    territory_region: &[usize],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (c, summary) in metrics.criteria.iter().enumerate() {
        if problem.total(c) <= 0.0 {
            out.push(Diagnostic {
                kind: DiagnosticKind::CriterionIgnored,
                criterion: Some(summary.criterion.clone()),
                territories: Vec::new(),
                message: format!(
                    "criterion '{}' totals zero over all accounts; it was not balanced",
                    summary.criterion
                ),
            });
            continue;
        }
        if summary.within_tolerance {
            continue;
        }
        let missing: Vec<usize> = (0..metrics.territories.len())
            .filter(|&j| !metrics.territories[j].balance[c].within_tolerance)
            .collect();
        let mut reasons = Vec::new();
        let mut seen = vec![false; regions.len()];
        for &j in &missing {
            let r = territory_region[j];
            if std::mem::replace(&mut seen[r], true) {
                continue;
            }
            let region = &regions[r];
            let tol = summary.tolerance;
            let (value, target) = region.territories.iter().fold((0.0, 0.0), |(v, t), &j| {
                let b = &metrics.territories[j].balance[c];
                (v + b.value, t + b.target)
            });
            let off = if target > 0.0 {
                value / target - 1.0
            } else {
                0.0
            };
            reasons.push(if off.abs() > tol + 1e-9 {
                format!(
                    "region {} holds {:+.1}% of its territories' share, so they cannot all be within {:.1}%",
                    region.id,
                    off * 100.0,
                    tol * 100.0
                )
            } else {
                format!(
                    "region {} ({:+.1}% of its share) was split within ±{:.2}% of its own targets and its territories still miss",
                    region.id,
                    off * 100.0,
                    region.territory_tolerances[c] * 100.0
                )
            });
        }
        let ids: Vec<String> = missing
            .iter()
            .map(|&j| metrics.territories[j].id.clone())
            .collect();
        out.push(Diagnostic {
            kind: DiagnosticKind::ToleranceMissed,
            criterion: Some(summary.criterion.clone()),
            territories: ids.clone(),
            message: format!(
                "criterion '{}' deviates up to {:.1}% (tolerance {:.1}%) in {} territor{}: {}",
                summary.criterion,
                summary.max_deviation * 100.0,
                summary.tolerance * 100.0,
                ids.len(),
                if ids.len() == 1 { "y" } else { "ies" },
                reasons.join("; ")
            ),
        });
    }
    if !metrics.contiguity.contiguous {
        out.push(Diagnostic {
            kind: DiagnosticKind::NotContiguous,
            criterion: None,
            territories: metrics.contiguity.fragmented.clone(),
            message: format!(
                "{} territories are in more than one piece of the {} adjacency",
                metrics.contiguity.fragmented.len(),
                metrics.contiguity.adjacency
            ),
        });
    }
    out
}

/// What the region level misses against its own band, and its pieces. The
/// engine's own diagnostics of the region level give the reason of a miss.
fn region_diagnostics(metrics: &Metrics, engine: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (c, summary) in metrics.criteria.iter().enumerate() {
        if summary.within_tolerance || summary.total <= 0.0 {
            continue;
        }
        let missing: Vec<String> = metrics
            .territories
            .iter()
            .filter(|t| !t.balance[c].within_tolerance)
            .map(|t| t.id.clone())
            .collect();
        let reason = engine
            .iter()
            .find(|d| {
                d.kind == DiagnosticKind::ToleranceMissed
                    && d.criterion.as_deref() == Some(summary.criterion.as_str())
            })
            .and_then(|d| d.message.split_once(": ").map(|(_, r)| r.to_string()))
            .unwrap_or_else(|| "the regions were kept as they are".into());
        out.push(Diagnostic {
            kind: DiagnosticKind::ToleranceMissed,
            criterion: Some(summary.criterion.clone()),
            territories: missing.clone(),
            message: format!(
                "regions: criterion '{}' deviates up to {:.1}% (region tolerance {:.2}%) in {} region{}: {}",
                summary.criterion,
                summary.max_deviation * 100.0,
                summary.tolerance * 100.0,
                missing.len(),
                if missing.len() == 1 { "" } else { "s" },
                reason
            ),
        });
    }
    if !metrics.contiguity.contiguous {
        out.push(Diagnostic {
            kind: DiagnosticKind::NotContiguous,
            criterion: None,
            territories: metrics.contiguity.fragmented.clone(),
            message: format!(
                "{} regions are in more than one piece of the {} adjacency",
                metrics.contiguity.fragmented.len(),
                metrics.contiguity.adjacency
            ),
        });
    }
    out
}

/// The engine facts of both levels: the regions' plan and the territories'
/// plans summed (rounds and candidates at their largest, slack the worst).
fn merge_stats(
    region: Option<SolveStats>,
    territories: Vec<SolveStats>,
    region_ms: u64,
    territory_ms: u64,
) -> SolveStats {
    let mut out = SolveStats {
        rounds: 0,
        candidates: 0,
        lp_free_accounts: 0,
        lp_variables: 0,
        lp_slack: 0.0,
        split_accounts: 0,
        contiguity_repair: None,
        aggregated_cells: None,
        phase_ms: vec![
            ("regions".to_string(), region_ms),
            ("territories within regions".to_string(), territory_ms),
        ],
    };
    for s in region.iter().chain(&territories) {
        out.rounds = out.rounds.max(s.rounds);
        out.candidates = out.candidates.max(s.candidates);
        out.lp_free_accounts += s.lp_free_accounts;
        out.lp_variables += s.lp_variables;
        out.lp_slack = out.lp_slack.max(s.lp_slack);
        out.split_accounts += s.split_accounts;
        if let Some((a, b)) = s.contiguity_repair {
            let (x, y) = out.contiguity_repair.unwrap_or((0, 0));
            out.contiguity_repair = Some((x + a, y + b));
        }
        if let Some(cells) = s.aggregated_cells {
            out.aggregated_cells = Some(out.aggregated_cells.unwrap_or(0) + cells);
        }
    }
    out
}

#[cfg(test)]
mod tests;

/// The territory ids, in order.
fn specs_of(problem: &Problem) -> Vec<String> {
    problem.territories().iter().map(|t| t.id.clone()).collect()
}
