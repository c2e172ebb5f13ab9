//! `--distance road --osm FILE`: road travel times from an OpenStreetMap extract.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use territory_roads::{ImportOptions, MatrixCache, RoadError, RoadNetwork, RoadTravel};

use crate::progress::StderrProgress;
use crate::Failure;

/// How travel is measured.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DistanceArg {
    /// Great-circle distance × circuity at an average speed.
    Straight,
    /// Fastest paths on the road network of --osm.
    Road,
}

/// Road-network options shared by the commands that measure travel.
#[derive(Args)]
pub(crate) struct RoadArgs {
    /// Travel model: straight line (× circuity, at a speed) or the road network of --osm.
    #[arg(long, value_enum, default_value = "straight")]
    pub distance: DistanceArg,
    /// OpenStreetMap extract (.osm.pbf) for --distance road.
    #[arg(long, value_name = "FILE")]
    pub osm: Option<PathBuf>,
    /// Folder for cached road matrices (default ~/.cache/territory).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Compute road matrices afresh, without the cache.
    #[arg(long)]
    pub no_cache: bool,
}

impl RoadArgs {
    /// The road network when `--distance road`; checks that `--osm` is given.
    pub fn network(&self, progress: &StderrProgress) -> Result<Option<RoadNetwork>, Failure> {
        match (self.distance, &self.osm) {
            (DistanceArg::Straight, None) => Ok(None),
            (DistanceArg::Straight, Some(_)) => Err(Failure::Input(
                "--osm is only read with --distance road".into(),
            )),
            (DistanceArg::Road, None) => Err(Failure::Input(
                "--distance road needs --osm FILE (an OpenStreetMap .osm.pbf extract)".into(),
            )),
            (DistanceArg::Road, Some(path)) => {
                territory::Progress::phase(progress, "reading road network");
                let net =
                    RoadNetwork::from_pbf(path, &ImportOptions::default()).map_err(road_failure)?;
                territory::Progress::detail(
                    progress,
                    &format!(
                        "{} road nodes, {} edges",
                        net.node_count(),
                        net.edge_count()
                    ),
                );
                Ok(Some(net))
            }
        }
    }

    /// The route engine's travel model over `net`, with the cache unless `--no-cache`.
    pub fn travel<'a>(&self, net: &'a RoadNetwork) -> RoadTravel<'a> {
        let travel = RoadTravel::new(net);
        match self.cache() {
            Some(cache) => travel.with_cache(cache),
            None => travel,
        }
    }

    /// The matrix cache, unless `--no-cache` (or no home folder).
    pub fn cache(&self) -> Option<MatrixCache> {
        matrix_cache(self.cache_dir.as_deref(), self.no_cache)
    }

    /// Describes the travel model for summaries.
    pub fn describe(&self, net: &RoadNetwork) -> String {
        format!(
            "road network {} ({} nodes, {} edges)",
            self.osm
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            net.node_count(),
            net.edge_count()
        )
    }
}

/// Puts road travel into a problem through [`territory_roads::plan_on_roads`]
/// (the workload's travel share, and with reps the minutes from each base);
/// here only the warnings are said.
pub(crate) fn apply_roads(
    builder: territory::ProblemBuilder,
    net: &RoadNetwork,
    accounts: &[territory::Account],
    reps: Option<&[territory::Rep]>,
    progress: &StderrProgress,
    warnings: &mut Vec<String>,
) -> Result<territory::ProblemBuilder, Failure> {
    use territory_roads::DEFAULT_SNAP_KM;
    territory::Progress::phase(progress, "road travel times");
    let travel = territory_roads::plan_on_roads(builder, net, accounts, reps)
        .map_err(|e| Failure::Input(e.to_string()))?;
    if !travel.far_accounts.is_empty() {
        let ids: Vec<&str> = travel
            .far_accounts
            .iter()
            .map(|&i| accounts[i].id.as_str())
            .collect();
        progress.warn(&format!(
            "{} accounts lie more than {DEFAULT_SNAP_KM} km from any road (first: {}; all in summary.json)",
            ids.len(),
            ids[..ids.len().min(20)].join(", ")
        ));
        warnings.push(format!(
            "{} accounts lie more than {DEFAULT_SNAP_KM} km from any road: {}",
            ids.len(),
            ids.join(", ")
        ));
    }
    if !travel.road_compactness {
        progress.warn(
            "without reps' bases, compactness stays straight-line; the roads set the workload's travel share",
        );
    }
    Ok(travel.builder)
}

/// The matrix cache of `--cache-dir` (default `~/.cache/territory`), unless `--no-cache`.
pub(crate) fn matrix_cache(dir: Option<&std::path::Path>, off: bool) -> Option<MatrixCache> {
    match (off, dir) {
        (true, _) => None,
        (false, Some(dir)) => Some(MatrixCache::new(dir)),
        (false, None) => MatrixCache::user_default(),
    }
}

/// Bad or unreadable extracts are bad input (exit 2).
pub(crate) fn road_failure(e: RoadError) -> Failure {
    Failure::Input(e.to_string())
}

/// The straight-line travel of `--circuity` and `--speed`, both checked.
pub(crate) fn straight_line(
    circuity: f64,
    speed: f64,
) -> Result<territory_routing::travel::StraightLine, Failure> {
    if !(circuity >= 1.0 && circuity.is_finite()) {
        return Err(Failure::Input(format!(
            "--circuity {circuity} must be at least 1"
        )));
    }
    if !(speed > 0.0 && speed.is_finite()) {
        return Err(Failure::Input(format!(
            "--speed {speed} must be a positive km/h"
        )));
    }
    Ok(territory_routing::travel::StraightLine {
        circuity,
        speed_kmh: speed,
    })
}
