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
        if self.no_cache {
            return None;
        }
        match &self.cache_dir {
            Some(dir) => Some(MatrixCache::new(dir)),
            None => MatrixCache::user_default(),
        }
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

/// Bad or unreadable extracts are bad input (exit 2).
pub(crate) fn road_failure(e: RoadError) -> Failure {
    Failure::Input(e.to_string())
}
