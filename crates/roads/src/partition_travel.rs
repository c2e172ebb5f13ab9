//! Road travel for territory planning: the travel share of each account's
//! workload from its nearest neighbours by road, and, when every rep has a
//! base, compactness measured in road minutes from the bases.

use territory::{Account, ProblemBuilder, Rep};

use crate::{MatrixOptions, RoadNetwork, DEFAULT_SNAP_KM};

/// What [`plan_on_roads`] could not do as asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanTravelError {
    /// Road compactness runs from every rep's base; this rep has none.
    #[error("--distance road measures travel from each rep's base, but rep '{0}' has no lat/lon")]
    RepWithoutBase(String),
}

/// A problem builder with road travel applied, and what the caller should
/// know about it.
pub struct PlanTravel {
    /// The builder with the travel share (and, with bases, the road minutes
    /// from each base to each account) set.
    pub builder: ProblemBuilder,
    /// Accounts more than [`DEFAULT_SNAP_KM`] from any road (indices).
    pub far_accounts: Vec<usize>,
    /// Whether compactness is in road minutes (false without reps' bases:
    /// it stays straight-line, and only the workload's travel share uses roads).
    pub road_compactness: bool,
}

/// Applies road travel to a territory problem: each account's travel share
/// from the mean road minutes to its 3 nearest accounts, and with reps whose
/// bases are all given, the minutes from every base to every account as the
/// compactness measure.
///
/// ```no_run
/// use territory::{Account, Location, Problem};
/// use territory_roads::{plan_on_roads, ImportOptions, RoadNetwork};
/// let net = RoadNetwork::from_pbf("monaco.osm.pbf", &ImportOptions::default())?;
/// let accounts = vec![Account::new("a", Location::new(43.7384, 7.4246))];
/// let travel = plan_on_roads(Problem::builder().accounts(accounts.clone()), &net, &accounts, None)?;
/// let problem = travel.builder.territories(1).build()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn plan_on_roads(
    mut builder: ProblemBuilder,
    net: &RoadNetwork,
    accounts: &[Account],
    reps: Option<&[Rep]>,
) -> Result<PlanTravel, PlanTravelError> {
    let options = MatrixOptions::default();
    let points: Vec<(f64, f64)> = accounts
        .iter()
        .map(|a| (a.location.lat, a.location.lon))
        .collect();
    let to = net.snap(&points, DEFAULT_SNAP_KM);
    let far_accounts = to.far.clone();
    builder = builder.travel_share_minutes(net.mean_minutes_to_nearest(&points, 3, &options));
    let Some(reps) = reps.filter(|r| !r.is_empty()) else {
        return Ok(PlanTravel {
            builder,
            far_accounts,
            road_compactness: false,
        });
    };
    if let Some(r) = reps.iter().find(|r| r.base.is_none()) {
        return Err(PlanTravelError::RepWithoutBase(r.id.clone()));
    }
    let bases: Vec<(f64, f64)> = reps
        .iter()
        .filter_map(|r| r.base.map(|b| (b.lat, b.lon)))
        .collect();
    let from = net.snap(&bases, DEFAULT_SNAP_KM);
    let rows = net.minutes_between(&from, &to, &options);
    let (k, n) = (bases.len(), points.len());
    // Rows are per base; the problem wants account-major minutes.
    let mut minutes = vec![0.0; n * k];
    for j in 0..k {
        for i in 0..n {
            minutes[i * k + j] = rows[j * n + i];
        }
    }
    Ok(PlanTravel {
        builder: builder.centre_travel_minutes(minutes),
        far_accounts,
        road_compactness: true,
    })
}
