//! The road network as the routing engine's [`TravelModel`].

use territory_routing::travel::{TravelError, TravelMatrices, TravelModel};

use territory::Location;
use territory_routing::Matrix;

use crate::{MatrixCache, MatrixOptions, RoadNetwork, DEFAULT_SNAP_KM};

/// Road travel times and distances for the route engine: points are snapped
/// to the nearest road node (the off-road leg is timed at the slow speed of
/// [`MatrixOptions`]), and matrices come from the disk cache when one is given.
///
/// ```no_run
/// use territory_routing::travel::TravelModel;
/// use territory::Location;
/// use territory_roads::{ImportOptions, RoadNetwork, RoadTravel};
/// let net = RoadNetwork::from_pbf("monaco.osm.pbf", &ImportOptions::default())?;
/// let travel = RoadTravel::new(&net);
/// let m = travel.matrices(&[Location::new(43.7384, 7.4246), Location::new(43.7311, 7.4197)])?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct RoadTravel<'a> {
    net: &'a RoadNetwork,
    options: MatrixOptions,
    cache: Option<MatrixCache>,
    snap_km: f64,
}

impl<'a> RoadTravel<'a> {
    /// Default matrix options, no cache.
    pub fn new(net: &'a RoadNetwork) -> Self {
        Self {
            net,
            options: MatrixOptions::default(),
            cache: None,
            snap_km: DEFAULT_SNAP_KM,
        }
    }

    /// Reads and stores matrices in `cache`.
    pub fn with_cache(mut self, cache: MatrixCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Matrix options (algorithm, off-road speed).
    pub fn with_options(mut self, options: MatrixOptions) -> Self {
        self.options = options;
        self
    }

    /// The vertices `(lon, lat)` of the fastest road path from `a` to `b`,
    /// including the off-road legs at both ends.
    pub fn path(&self, a: Location, b: Location) -> Option<Vec<[f64; 2]>> {
        let snap = self
            .net
            .snap(&[(a.lat, a.lon), (b.lat, b.lon)], self.snap_km);
        let p = self.net.point_path(&snap, 0, 1)?;
        let mut coords = vec![[a.lon, a.lat]];
        coords.extend(p.coords.iter().map(|&(lat, lon)| [lon, lat]));
        coords.push([b.lon, b.lat]);
        coords.dedup();
        Some(coords)
    }
}

impl TravelModel for RoadTravel<'_> {
    fn matrices(&self, points: &[Location]) -> Result<TravelMatrices, TravelError> {
        let pts: Vec<(f64, f64)> = points.iter().map(|l| (l.lat, l.lon)).collect();
        let snap = self.net.snap(&pts, self.snap_km);
        // A cache that cannot be read or written (read-only home, full disk)
        // only costs the recomputation.
        let m = match &self.cache {
            Some(cache) => match cache.matrix(self.net, &snap, &self.options) {
                Ok(cached) => cached.matrix,
                Err(_) => self.net.matrix_with(&snap, &self.options),
            },
            None => self.net.matrix_with(&snap, &self.options),
        };
        let n = points.len();
        Ok(TravelMatrices {
            minutes: Matrix::from_fn(n, |a, b| m.time_min(a, b)),
            km: Matrix::from_fn(n, |a, b| m.dist_km(a, b)),
        })
    }
}
