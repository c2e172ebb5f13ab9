//! The validated territory problem and its builder.

use std::collections::HashMap;

use rayon::prelude::*;
use rstar::{primitives::GeomWithData, RTree};

use crate::criteria::{Criterion, Measure};
use crate::model::{Account, Location, Rep, Status};
use crate::projection::{dist2, Projection};

/// How an account's workload (hours per 4 weeks) is estimated.
///
/// Workload = visits × (service minutes + travel minutes per visit) / 60.
/// The travel share of a visit is estimated from the local account density:
/// the mean straight-line distance to the account's `neighbours` nearest other
/// accounts, times `circuity` (road distance over straight line), at
/// `speed_kmh`, capped at `max_travel_min`. A rep reaches a visit from one
/// nearby account and leaves for another, so this is the length of the legs a
/// visit adds to a day; it ignores the trip from and back to the base, which
/// the routing engine accounts for exactly.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct WorkloadModel {
    /// Visits per 4 weeks for a customer without a `visits` value.
    pub customer_visits: f64,
    /// Visits per 4 weeks for a prospect without a `visits` value.
    pub prospect_visits: f64,
    /// Minutes on site at a customer without a `service_min` value.
    pub customer_service_min: f64,
    /// Minutes on site at a prospect without a `service_min` value.
    pub prospect_service_min: f64,
    /// Road distance over straight-line distance.
    pub circuity: f64,
    /// Average driving speed.
    pub speed_kmh: f64,
    /// How many nearest accounts the travel share averages over.
    pub neighbours: usize,
    /// Upper bound on the travel share of one visit, in minutes.
    pub max_travel_min: f64,
}

impl Default for WorkloadModel {
    fn default() -> Self {
        Self {
            customer_visits: 2.0,
            prospect_visits: 1.0,
            customer_service_min: 30.0,
            prospect_service_min: 45.0,
            circuity: 1.3,
            speed_kmh: 30.0,
            neighbours: 3,
            max_travel_min: 60.0,
        }
    }
}

impl WorkloadModel {
    /// Checks every value: finite, visits and minutes ≥ 0, circuity ≥ 1,
    /// speed > 0.
    ///
    /// ```
    /// use territory::WorkloadModel;
    /// assert!(WorkloadModel::default().validate().is_ok());
    /// let slow = WorkloadModel { speed_kmh: 0.0, ..WorkloadModel::default() };
    /// assert!(slow.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), ProblemError> {
        let checks: [(&'static str, f64, bool, &'static str); 7] = [
            (
                "customer_visits",
                self.customer_visits,
                self.customer_visits >= 0.0,
                "must be ≥ 0",
            ),
            (
                "prospect_visits",
                self.prospect_visits,
                self.prospect_visits >= 0.0,
                "must be ≥ 0",
            ),
            (
                "customer_service_min",
                self.customer_service_min,
                self.customer_service_min >= 0.0,
                "must be ≥ 0",
            ),
            (
                "prospect_service_min",
                self.prospect_service_min,
                self.prospect_service_min >= 0.0,
                "must be ≥ 0",
            ),
            (
                "circuity",
                self.circuity,
                self.circuity >= 1.0,
                "must be ≥ 1",
            ),
            (
                "speed_kmh",
                self.speed_kmh,
                self.speed_kmh > 0.0,
                "must be > 0",
            ),
            (
                "max_travel_min",
                self.max_travel_min,
                self.max_travel_min >= 0.0,
                "must be ≥ 0",
            ),
        ];
        for (field, value, ok, expected) in checks {
            if !(value.is_finite() && ok) {
                return Err(ProblemError::WorkloadModel {
                    field,
                    value,
                    expected,
                });
            }
        }
        Ok(())
    }

    /// Visits per 4 weeks of an account, its own value or the default for its status.
    pub fn visits(&self, a: &Account) -> f64 {
        a.visits.unwrap_or(match a.status {
            Status::Customer => self.customer_visits,
            Status::Prospect => self.prospect_visits,
        })
    }

    /// Minutes on site per visit, its own value or the default for its status.
    pub fn service_min(&self, a: &Account) -> f64 {
        a.service_min.unwrap_or(match a.status {
            Status::Customer => self.customer_service_min,
            Status::Prospect => self.prospect_service_min,
        })
    }
}

/// Why a problem could not be built. Every variant names the offending item.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProblemError {
    /// A workload model value is out of range.
    #[error("workload model: {field} = {value} {expected}")]
    WorkloadModel {
        /// The field.
        field: &'static str,
        /// Its value.
        value: f64,
        /// What it must be.
        expected: &'static str,
    },
    /// Travel times to centres do not fit the problem.
    #[error("centre travel times: {0}")]
    CentreTravel(String),
    /// No accounts were given.
    #[error("no accounts to plan")]
    NoAccounts,
    /// Neither reps nor a number of territories were given, or it was zero.
    #[error("the number of territories must be at least 1 (give reps or a territory count)")]
    NoTerritories,
    /// More territories than accounts.
    #[error("{territories} territories requested but only {accounts} accounts")]
    TooManyTerritories {
        /// Requested territories.
        territories: usize,
        /// Available accounts.
        accounts: usize,
    },
    /// Reps and an explicit territory count disagree.
    #[error("{reps} reps given but {territories} territories requested")]
    TerritoryCountMismatch {
        /// Number of reps.
        reps: usize,
        /// Requested territories.
        territories: usize,
    },
    /// Two accounts share an id.
    #[error("duplicate account id '{0}'")]
    DuplicateAccount(String),
    /// Two reps share an id.
    #[error("duplicate rep id '{0}'")]
    DuplicateRep(String),
    /// An id is empty.
    #[error("an account or rep has an empty id")]
    EmptyId,
    /// A location is outside WGS84 ranges or not finite.
    #[error("'{id}': location ({lat}, {lon}) is not a valid WGS84 position")]
    InvalidLocation {
        /// Account or rep id.
        id: String,
        /// Latitude given.
        lat: f64,
        /// Longitude given.
        lon: f64,
    },
    /// A numeric field is negative, not finite, or beyond its limit
    /// ([`MAX_VISITS`], [`MAX_SERVICE_MIN`], [`MAX_AMOUNT`]).
    #[error("'{id}': {field} = {value} must be a finite number ≥ 0 within its limit (visits ≤ 1000 per 4 weeks, service ≤ 1440 min, amounts ≤ 1e15)")]
    InvalidValue {
        /// Account id.
        id: String,
        /// Field name.
        field: String,
        /// Value given.
        value: f64,
    },
    /// A rep's capacity is not a positive number.
    #[error("rep '{id}': capacity {value} must be a positive number")]
    InvalidCapacity {
        /// Rep id.
        id: String,
        /// Value given.
        value: f64,
    },
    /// A tolerance is not within (0, 10).
    #[error("criterion '{measure}': tolerance {value} must be a positive fraction such as 0.05")]
    InvalidTolerance {
        /// The criterion.
        measure: String,
        /// Value given.
        value: f64,
    },
    /// A criterion names a column no account has.
    #[error("criterion '{0}' is not a known measure nor a numeric column of any account")]
    UnknownAttribute(String),
    /// The same measure is listed twice.
    #[error("criterion '{0}' is listed twice")]
    DuplicateCriterion(String),
    /// A locked account has no current territory, or one that is not a rep.
    #[error("account '{account}' is locked but {}", match territory {
        Some(t) => format!("its territory '{t}' is not one of the reps"),
        None => "it has no territory to stay in".to_string(),
    })]
    LockedWithoutTerritory {
        /// Account id.
        account: String,
        /// Its current territory, if any.
        territory: Option<String>,
    },
    /// The compactness weight totals zero over all accounts.
    #[error("the compactness weight '{0}' totals zero over all accounts")]
    ZeroWeight(String),
    /// An adjacency pair refers to an account index out of range.
    #[error("adjacency pair ({0}, {1}) refers to an account that does not exist")]
    InvalidAdjacency(usize, usize),
}

/// One territory to be formed: a rep, or an anonymous slot when only a count is given.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct TerritorySpec {
    /// Territory id (the rep id, or `T01`, `T02`, ...).
    pub id: String,
    /// Rep name, if any.
    pub name: Option<String>,
    /// Fixed centre, when the rep has a base.
    pub base: Option<Location>,
    /// Relative share of every criterion's total.
    pub capacity: f64,
    /// The region of the rep's territory, when reps carry one (alignment levels).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// A validated problem: accounts, territories, criteria, and the derived
/// per-account values the engine works with. Build it with [`Problem::builder`].
#[derive(Debug, Clone)]
pub struct Problem {
    pub(crate) accounts: Vec<Account>,
    /// The reps as given, in territory order (empty without reps).
    pub(crate) reps: Vec<Rep>,
    pub(crate) territories: Vec<TerritorySpec>,
    pub(crate) criteria: Vec<Criterion>,
    pub(crate) workload_model: WorkloadModel,
    pub(crate) projection: Projection,
    pub(crate) points: Vec<[f64; 2]>,
    pub(crate) workload_hours: Vec<f64>,
    /// Criterion-major: `values[c][i]` is account `i`'s contribution to criterion `c`.
    pub(crate) values: Vec<Vec<f64>>,
    pub(crate) current: Vec<Option<usize>>,
    pub(crate) locked: Vec<bool>,
    pub(crate) adjacency: Option<Vec<(usize, usize)>>,
    pub(crate) centre_travel: Option<std::sync::Arc<CentreTravel>>,
    /// Per-account weight of compactness (Σ weight × squared distance), and
    /// the measure it comes from, when compactness is weighted.
    pub(crate) compactness_weights: Option<(Measure, std::sync::Arc<[f64]>)>,
}

/// Travel minutes from each territory's (fixed) centre to each account.
#[derive(Debug, Clone, PartialEq)]
pub struct CentreTravel {
    territories: usize,
    minutes: Vec<f64>,
}

impl CentreTravel {
    /// Minutes from territory `j`'s centre to account `i`.
    #[inline]
    pub fn minutes(&self, i: usize, j: usize) -> f64 {
        self.minutes[i * self.territories + j]
    }
}

impl Problem {
    /// The measure weighting compactness, when one was given
    /// ([`ProblemBuilder::compactness_weight`]).
    pub fn compactness_weight(&self) -> Option<&Measure> {
        self.compactness_weights.as_ref().map(|(m, _)| m)
    }

    /// The per-account compactness weights, when weighted.
    pub(crate) fn weights(&self) -> Option<&[f64]> {
        self.compactness_weights.as_ref().map(|(_, w)| &w[..])
    }

    /// Each account's compactness weight (1 when compactness is unweighted).
    pub fn weight(&self, i: usize) -> f64 {
        self.compactness_weights.as_ref().map_or(1.0, |(_, w)| w[i])
    }

    /// Travel minutes from territory centres to accounts, when compactness is
    /// measured in travel time ([`ProblemBuilder::centre_travel_minutes`]).
    pub fn centre_travel(&self) -> Option<&CentreTravel> {
        self.centre_travel.as_deref()
    }

    /// Starts a builder.
    ///
    /// ```
    /// use territory::{Account, Location, Measure, Problem, Status};
    /// let accounts: Vec<Account> = (0..40)
    ///     .map(|i| {
    ///         let status = if i % 3 == 0 { Status::Prospect } else { Status::Customer };
    ///         Account::new(format!("a{i}"), Location::new(60.0 + (i % 7) as f64 * 0.01, 24.0 + (i / 7) as f64 * 0.01))
    ///             .with_status(status)
    ///     })
    ///     .collect();
    /// let problem = Problem::builder()
    ///     .accounts(accounts)
    ///     .territories(4)
    ///     .criterion(Measure::Customers, 0.10)
    ///     .build()?;
    /// assert_eq!(problem.territories().len(), 4);
    /// # Ok::<(), territory::ProblemError>(())
    /// ```
    pub fn builder() -> ProblemBuilder {
        ProblemBuilder::default()
    }

    /// The accounts, in input order.
    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    /// The territories to form, in rep order.
    pub fn territories(&self) -> &[TerritorySpec] {
        &self.territories
    }

    /// The reps the problem was built with, in territory order: territory
    /// `j` is rep `j`'s. Empty when it was built with a territory count.
    pub fn reps(&self) -> &[Rep] {
        &self.reps
    }

    /// The balance criteria.
    pub fn criteria(&self) -> &[Criterion] {
        &self.criteria
    }

    /// The workload model used for the `workload` measure.
    pub fn workload_model(&self) -> &WorkloadModel {
        &self.workload_model
    }

    /// The planar projection of the accounts' positions.
    pub fn projection(&self) -> &Projection {
        &self.projection
    }

    /// Planar positions of the accounts in km, in account order.
    pub fn points(&self) -> &[[f64; 2]] {
        &self.points
    }

    /// Estimated workload hours per 4 weeks of each account.
    pub fn workload_hours(&self) -> &[f64] {
        &self.workload_hours
    }

    /// Account `i`'s contribution to criterion `c`.
    pub fn value(&self, criterion: usize, account: usize) -> f64 {
        self.values[criterion][account]
    }

    /// The current territory index of each account, when known.
    pub fn current_territories(&self) -> &[Option<usize>] {
        &self.current
    }

    /// Whether each account is locked to its current territory.
    pub fn locked(&self) -> &[bool] {
        &self.locked
    }

    /// Explicit adjacency between accounts (polygon units), if given.
    pub fn adjacency(&self) -> Option<&[(usize, usize)]> {
        self.adjacency.as_deref()
    }

    /// The adjacency the problem implies: its explicit pairs, or Delaunay on its points.
    pub fn adjacency_graph(&self) -> crate::adjacency::Adjacency {
        match &self.adjacency {
            Some(pairs) => crate::adjacency::Adjacency::from_pairs(self.accounts.len(), pairs),
            None => crate::adjacency::Adjacency::delaunay(&self.points),
        }
    }

    /// Each territory's share of every criterion's total (capacities normalised to sum 1).
    pub fn shares(&self) -> Vec<f64> {
        let total: f64 = self.territories.iter().map(|t| t.capacity).sum();
        self.territories
            .iter()
            .map(|t| t.capacity / total)
            .collect()
    }

    /// Total of criterion `c` over all accounts.
    pub fn total(&self, c: usize) -> f64 {
        self.values[c].iter().sum()
    }

    /// The value of a measure for one account (used for metrics of any measure).
    pub fn measure_value(&self, measure: &Measure, i: usize) -> f64 {
        measure_value(&self.accounts[i], measure, self.workload_hours[i])
    }
}

/// What a problem derived from another one keeps and changes (alignment
/// levels: the regions over all accounts, or one region's territories).
pub(crate) struct Derived<'a> {
    /// The parent's accounts it holds, in increasing order.
    pub members: &'a [usize],
    /// Its territories.
    pub territories: Vec<TerritorySpec>,
    /// The parent territory of each of them, to keep travel times from
    /// their bases; `None` drops travel times (centres that are no bases).
    pub parent_territories: Option<&'a [usize]>,
    /// Current territory (in `territories`) of each member.
    pub current: Vec<Option<usize>>,
    /// Tolerance of each criterion, in the parent's order.
    pub tolerances: Vec<f64>,
    /// Neighbour pairs among the members (member indices); `None` keeps the
    /// parent's source of adjacency (valid only when all accounts are kept).
    pub adjacency: Option<Vec<(usize, usize)>>,
}

impl Problem {
    /// A problem on some of this one's accounts with other territories and
    /// tolerances, keeping every derived value as it is here (projection,
    /// planar points, workload hours, criterion values, compactness weights),
    /// so that its plans and figures are those of the parent's accounts.
    pub(crate) fn derived(&self, d: Derived<'_>) -> Problem {
        let pick = |v: &[f64]| d.members.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        let criteria = self
            .criteria
            .iter()
            .zip(&d.tolerances)
            .map(|(c, &t)| Criterion::new(c.measure.clone(), t))
            .collect();
        let locked = d
            .members
            .iter()
            .zip(&d.current)
            .map(|(&i, c)| self.locked[i] && c.is_some())
            .collect();
        let centre_travel = match (&self.centre_travel, d.parent_territories) {
            (Some(t), Some(parents)) => {
                let k = parents.len();
                let mut minutes = Vec::with_capacity(d.members.len() * k);
                for &i in d.members {
                    minutes.extend(parents.iter().map(|&j| t.minutes(i, j)));
                }
                Some(std::sync::Arc::new(CentreTravel {
                    territories: k,
                    minutes,
                }))
            }
            _ => None,
        };
        let adjacency = match d.adjacency {
            Some(pairs) => Some(pairs),
            None => self.adjacency.clone(),
        };
        Problem {
            accounts: d
                .members
                .iter()
                .map(|&i| self.accounts[i].clone())
                .collect(),
            // Derived problems have territories of their own.
            reps: Vec::new(),
            territories: d.territories,
            criteria,
            workload_model: self.workload_model.clone(),
            projection: self.projection,
            points: d.members.iter().map(|&i| self.points[i]).collect(),
            workload_hours: pick(&self.workload_hours),
            values: self.values.iter().map(|v| pick(v)).collect(),
            current: d.current,
            locked,
            adjacency,
            centre_travel,
            compactness_weights: self
                .compactness_weights
                .as_ref()
                .map(|(m, w)| (m.clone(), std::sync::Arc::from(pick(w)))),
        }
    }
}

fn measure_value(a: &Account, measure: &Measure, workload_hours: f64) -> f64 {
    match measure {
        Measure::Accounts => 1.0,
        Measure::Customers => f64::from(u8::from(a.status == Status::Customer)),
        Measure::Prospects => f64::from(u8::from(a.status == Status::Prospect)),
        Measure::Revenue => a.revenue,
        Measure::Workload => workload_hours,
        Measure::Attribute(name) => a.attributes.get(name).copied().unwrap_or(0.0),
    }
}

/// Collects the parts of a [`Problem`]; [`ProblemBuilder::build`] validates them.
#[derive(Debug, Clone, Default)]
pub struct ProblemBuilder {
    accounts: Vec<Account>,
    reps: Vec<Rep>,
    territories: Option<usize>,
    criteria: Vec<Criterion>,
    workload_model: WorkloadModel,
    adjacency: Option<Vec<(usize, usize)>>,
    planar: bool,
    centre_travel: Option<CentreTravel>,
    travel_share: Option<Vec<f64>>,
    compactness_weight: Option<Measure>,
}

impl ProblemBuilder {
    /// Weights compactness by a measure (population, workload, revenue, any
    /// numeric column): the objective, its bound and the metrics become
    /// Σ weight × squared distance to the centre (the Hess model of
    /// districting), and free centres sit at weighted means.
    pub fn compactness_weight(mut self, measure: Measure) -> Self {
        self.compactness_weight = Some(measure);
        self
    }

    /// Travel minutes per visit for each account's workload (in input order),
    /// e.g. mean road minutes to its nearest neighbours, replacing the
    /// straight-line estimate of [`WorkloadModel`] (still capped at
    /// `max_travel_min`).
    pub fn travel_share_minutes(mut self, minutes: Vec<f64>) -> Self {
        self.travel_share = Some(minutes);
        self
    }

    /// Measures compactness in travel time: `minutes[i·K + j]` from territory
    /// `j`'s centre (its rep's base, which every rep must have) to account `i`,
    /// e.g. from a road network. Candidate territories and the objective then
    /// use these times instead of straight-line distance.
    pub fn centre_travel_minutes(mut self, minutes: Vec<f64>) -> Self {
        self.centre_travel = Some(CentreTravel {
            territories: self.reps.len().max(1),
            minutes,
        });
        self
    }

    /// Drops the reps, and with them every account's current territory and lock
    /// (sizing decides the count afresh; centres become free).
    pub fn without_reps(mut self) -> Self {
        self.reps.clear();
        // Times from the reps' bases no longer apply.
        self.centre_travel = None;
        self.territories = None;
        for a in &mut self.accounts {
            a.territory = None;
            a.locked = false;
        }
        self
    }

    /// Adds a criterion unless the measure is already balanced.
    pub fn ensure_criterion(mut self, measure: Measure, tolerance: f64) -> Self {
        if self.criteria.is_empty() {
            // Keep the documented default set, which includes workload.
            return self;
        }
        if !self.criteria.iter().any(|c| c.measure == measure) {
            self.criteria.push(Criterion::new(measure, tolerance));
        }
        self
    }

    /// Treats locations as planar coordinates (`lon` = x, `lat` = y, any finite
    /// values) instead of WGS84 degrees; distances are then in those units.
    pub fn planar(mut self, planar: bool) -> Self {
        self.planar = planar;
        self
    }

    /// The accounts to divide.
    pub fn accounts(mut self, accounts: Vec<Account>) -> Self {
        self.accounts = accounts;
        self
    }

    /// The reps: one territory each, centred on the rep's base when given.
    pub fn reps(mut self, reps: Vec<Rep>) -> Self {
        self.reps = reps;
        self
    }

    /// The number of territories (required without reps; must match them otherwise).
    pub fn territories(mut self, count: usize) -> Self {
        self.territories = Some(count);
        self
    }

    /// Adds a balance criterion. Without any, customers, prospects and workload at 5% are used.
    pub fn criterion(mut self, measure: Measure, tolerance: f64) -> Self {
        self.criteria.push(Criterion::new(measure, tolerance));
        self
    }

    /// Replaces the workload model.
    pub fn workload_model(mut self, model: WorkloadModel) -> Self {
        self.workload_model = model;
        self
    }

    /// Explicit adjacency between accounts by index (e.g. polygons sharing a boundary).
    /// Without it, adjacency comes from a Delaunay triangulation of the points.
    pub fn adjacency(mut self, pairs: Vec<(usize, usize)>) -> Self {
        self.adjacency = Some(pairs);
        self
    }

    /// Validates everything and derives per-account values.
    pub fn build(self) -> Result<Problem, ProblemError> {
        let ProblemBuilder {
            accounts,
            reps,
            territories,
            mut criteria,
            workload_model,
            adjacency,
            planar,
            centre_travel,
            travel_share,
            compactness_weight,
        } = self;
        workload_model.validate()?;
        if accounts.is_empty() {
            return Err(ProblemError::NoAccounts);
        }
        validate_accounts(&accounts, planar)?;
        // Checked before the specs are allocated: a huge count must not abort.
        let asked = if reps.is_empty() {
            territories.unwrap_or(0)
        } else {
            reps.len()
        };
        if asked > accounts.len() {
            return Err(ProblemError::TooManyTerritories {
                territories: asked,
                accounts: accounts.len(),
            });
        }
        let territories = territory_specs(&reps, territories, planar)?;
        if territories.len() > accounts.len() {
            return Err(ProblemError::TooManyTerritories {
                territories: territories.len(),
                accounts: accounts.len(),
            });
        }
        if criteria.is_empty() {
            criteria = [Measure::Customers, Measure::Prospects, Measure::Workload]
                .into_iter()
                .map(|m| Criterion::new(m, 0.05))
                .collect();
        }
        validate_criteria(&criteria, &accounts)?;
        if let Some(pairs) = &adjacency {
            if let Some(&(a, b)) = pairs
                .iter()
                .find(|(a, b)| *a >= accounts.len() || *b >= accounts.len())
            {
                return Err(ProblemError::InvalidAdjacency(a, b));
            }
        }

        let index: HashMap<&str, usize> = territories
            .iter()
            .enumerate()
            .map(|(j, t)| (t.id.as_str(), j))
            .collect();
        let mut current = Vec::with_capacity(accounts.len());
        let mut locked = Vec::with_capacity(accounts.len());
        for a in &accounts {
            let cur = a
                .territory
                .as_deref()
                .and_then(|t| index.get(t.trim()).copied());
            if a.locked && cur.is_none() {
                return Err(ProblemError::LockedWithoutTerritory {
                    account: a.id.clone(),
                    territory: a.territory.clone(),
                });
            }
            current.push(cur);
            locked.push(a.locked);
        }

        let projection = if planar {
            Projection::planar()
        } else {
            Projection::fitting(accounts.iter().map(|a| a.location))
        };
        let points: Vec<[f64; 2]> = accounts
            .iter()
            .map(|a| projection.forward(a.location))
            .collect();
        let workload_hours = match travel_share {
            Some(minutes) => {
                if minutes.len() != accounts.len() {
                    return Err(ProblemError::CentreTravel(format!(
                        "{} travel shares given for {} accounts",
                        minutes.len(),
                        accounts.len()
                    )));
                }
                accounts
                    .iter()
                    .zip(&minutes)
                    .map(|(a, &m)| {
                        let travel = if m.is_finite() && m >= 0.0 { m } else { 0.0 };
                        let travel = travel.min(workload_model.max_travel_min);
                        workload_model.visits(a) * (workload_model.service_min(a) + travel) / 60.0
                    })
                    .collect()
            }
            None => estimate_workload(&accounts, &points, &workload_model),
        };
        let values = criteria
            .iter()
            .map(|c| {
                accounts
                    .iter()
                    .zip(&workload_hours)
                    .map(|(a, &w)| measure_value(a, &c.measure, w))
                    .collect()
            })
            .collect();
        let centre_travel = match centre_travel {
            None => None,
            Some(t) => {
                let k = territories.len();
                if territories.iter().any(|t| t.base.is_none()) {
                    return Err(ProblemError::CentreTravel(
                        "every rep needs a base: travel times are measured from it".into(),
                    ));
                }
                if t.minutes.len() != accounts.len() * k {
                    return Err(ProblemError::CentreTravel(format!(
                        "{} times given for {} accounts × {k} territories",
                        t.minutes.len(),
                        accounts.len()
                    )));
                }
                if let Some(i) = t.minutes.iter().position(|m| !(m.is_finite() && *m >= 0.0)) {
                    return Err(ProblemError::CentreTravel(format!(
                        "account '{}' cannot be reached from the base of '{}'",
                        accounts[i / k].id,
                        territories[i % k].id
                    )));
                }
                Some(std::sync::Arc::new(CentreTravel {
                    territories: k,
                    minutes: t.minutes,
                }))
            }
        };
        let compactness_weights = match compactness_weight {
            None => None,
            Some(measure) => {
                let w: Vec<f64> = (0..accounts.len())
                    .map(|i| measure_value(&accounts[i], &measure, workload_hours[i]))
                    .collect();
                if w.iter().sum::<f64>() <= 0.0 {
                    return Err(ProblemError::ZeroWeight(measure.to_string()));
                }
                Some((measure, std::sync::Arc::from(w)))
            }
        };
        Ok(Problem {
            accounts,
            reps,
            territories,
            criteria,
            workload_model,
            projection,
            points,
            workload_hours,
            values,
            current,
            locked,
            adjacency,
            centre_travel,
            compactness_weights,
        })
    }
}

impl ProblemError {
    /// The account an error is about, and the field concerned, so that a
    /// reader can name the line the account came from.
    pub fn account(&self) -> Option<(&str, Option<&str>)> {
        match self {
            ProblemError::InvalidValue { id, field, .. } => Some((id, Some(field))),
            ProblemError::InvalidLocation { id, .. } => Some((id, Some("lat"))),
            ProblemError::LockedWithoutTerritory { account, .. } => {
                Some((account, Some("territory")))
            }
            ProblemError::DuplicateAccount(id) => Some((id, Some("id"))),
            _ => None,
        }
    }
}

/// Most visits per 4 weeks of one account (a visit every 40 minutes, day and night).
pub const MAX_VISITS: f64 = 1000.0;
/// Longest visit, in minutes (a whole day).
pub const MAX_SERVICE_MIN: f64 = 1440.0;
/// Largest revenue or numeric attribute of one account, so that sums over
/// millions of accounts stay finite and exact enough to balance.
pub const MAX_AMOUNT: f64 = 1e15;

fn validate_accounts(accounts: &[Account], planar: bool) -> Result<(), ProblemError> {
    let mut seen = HashMap::with_capacity(accounts.len());
    for a in accounts {
        if a.id.trim().is_empty() {
            return Err(ProblemError::EmptyId);
        }
        if seen.insert(a.id.as_str(), ()).is_some() {
            return Err(ProblemError::DuplicateAccount(a.id.clone()));
        }
        let finite = a.location.lat.is_finite() && a.location.lon.is_finite();
        if !(a.location.is_valid() || planar && finite) {
            return Err(ProblemError::InvalidLocation {
                id: a.id.clone(),
                lat: a.location.lat,
                lon: a.location.lon,
            });
        }
        let numbers = [
            ("revenue", Some(a.revenue)),
            ("visits", a.visits),
            ("service_min", a.service_min),
        ];
        let attributes = a.attributes.iter().map(|(k, v)| (k.as_str(), Some(*v)));
        for (field, value) in numbers.into_iter().chain(attributes) {
            let limit = match field {
                "visits" => MAX_VISITS,
                "service_min" => MAX_SERVICE_MIN,
                _ => MAX_AMOUNT,
            };
            if let Some(v) = value {
                if !v.is_finite() || v < 0.0 || v > limit {
                    return Err(ProblemError::InvalidValue {
                        id: a.id.clone(),
                        field: field.to_string(),
                        value: v,
                    });
                }
            }
        }
    }
    Ok(())
}

fn territory_specs(
    reps: &[Rep],
    count: Option<usize>,
    planar: bool,
) -> Result<Vec<TerritorySpec>, ProblemError> {
    if reps.is_empty() {
        let k = count.unwrap_or(0);
        if k == 0 {
            return Err(ProblemError::NoTerritories);
        }
        let width = k.to_string().len().max(2);
        return Ok((1..=k)
            .map(|j| TerritorySpec {
                id: format!("T{j:0width$}"),
                name: None,
                base: None,
                capacity: 1.0,
                region: None,
            })
            .collect());
    }
    if let Some(k) = count {
        if k != reps.len() {
            return Err(ProblemError::TerritoryCountMismatch {
                reps: reps.len(),
                territories: k,
            });
        }
    }
    let mut seen = HashMap::new();
    for r in reps {
        if r.id.trim().is_empty() {
            return Err(ProblemError::EmptyId);
        }
        if seen.insert(r.id.as_str(), ()).is_some() {
            return Err(ProblemError::DuplicateRep(r.id.clone()));
        }
        if !(r.capacity.is_finite() && r.capacity > 0.0) {
            return Err(ProblemError::InvalidCapacity {
                id: r.id.clone(),
                value: r.capacity,
            });
        }
        if let Some(b) = r.base {
            // Planar problems (research units, aggregated cells) place bases in km.
            if !(b.is_valid() || planar && b.lat.is_finite() && b.lon.is_finite()) {
                return Err(ProblemError::InvalidLocation {
                    id: r.id.clone(),
                    lat: b.lat,
                    lon: b.lon,
                });
            }
        }
    }
    Ok(reps
        .iter()
        .map(|r| TerritorySpec {
            id: r.id.clone(),
            name: r.name.clone(),
            base: r.base,
            capacity: r.capacity,
            region: r
                .region
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_string),
        })
        .collect())
}

fn validate_criteria(criteria: &[Criterion], accounts: &[Account]) -> Result<(), ProblemError> {
    for (k, c) in criteria.iter().enumerate() {
        if !(c.tolerance.is_finite() && c.tolerance > 0.0 && c.tolerance < 10.0) {
            return Err(ProblemError::InvalidTolerance {
                measure: c.measure.to_string(),
                value: c.tolerance,
            });
        }
        if criteria[..k].iter().any(|o| o.measure == c.measure) {
            return Err(ProblemError::DuplicateCriterion(c.measure.to_string()));
        }
        if let Measure::Attribute(name) = &c.measure {
            if !accounts.iter().any(|a| a.attributes.contains_key(name)) {
                return Err(ProblemError::UnknownAttribute(name.clone()));
            }
        }
    }
    Ok(())
}

/// Workload hours per account, as documented on [`WorkloadModel`].
fn estimate_workload(accounts: &[Account], points: &[[f64; 2]], model: &WorkloadModel) -> Vec<f64> {
    let tree = RTree::bulk_load(
        points
            .iter()
            .enumerate()
            .map(|(i, p)| GeomWithData::new(*p, i))
            .collect(),
    );
    let k = model.neighbours.max(1);
    points
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            let (mut sum, mut n) = (0.0, 0usize);
            for nb in tree
                .nearest_neighbor_iter(p)
                .filter(|nb| nb.data != i)
                .take(k)
            {
                sum += dist2(*p, *nb.geom()).sqrt();
                n += 1;
            }
            let km = if n == 0 { 0.0 } else { sum / n as f64 };
            let travel_min =
                (km * model.circuity / model.speed_kmh.max(1e-9) * 60.0).min(model.max_travel_min);
            let a = &accounts[i];
            model.visits(a) * (model.service_min(a) + travel_min) / 60.0
        })
        .collect()
}
