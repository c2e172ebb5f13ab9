//! Many-to-many travel-time and distance matrices.

use territory_routing::TravelCost;

/// How to compute a matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Algorithm {
    /// Contraction hierarchy (built once per network on first use) with
    /// bucket-based many-to-many queries. The default: on Andorra it is much
    /// faster than one Dijkstra per source (see `docs/BENCHMARKS.md`).
    #[default]
    ContractionHierarchy,
    /// One plain Dijkstra per distinct source node, in parallel.
    Dijkstra,
}

/// Matrix options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatrixOptions {
    /// Speed of the off-road leg between a point and its road node, km/h
    /// (default 15: walking a trolley or crawling across a car park).
    pub offroad_speed_kmh: f64,
    /// The shortest-path algorithm. Both give identical results.
    pub algorithm: Algorithm,
}

impl Default for MatrixOptions {
    fn default() -> Self {
        Self {
            offroad_speed_kmh: 15.0,
            algorithm: Algorithm::default(),
        }
    }
}

/// Travel times (minutes) and distances (km) between points, row-major
/// `from × to`.
///
/// Entry `(a, b)` is the off-road leg from point `a` to its road node, the
/// fastest road path to the node of `b` (ties broken by shorter distance), and
/// the off-road leg from that node to `b`; the distance is measured along that
/// same path. The diagonal is zero. [`TravelCost::cost`] is the time in
/// minutes, so the matrix plugs into the routing engine.
///
/// Road matrices are asymmetric (one-way streets). `territory_routing::tsp`
/// is documented for symmetric instances and was seen not to terminate on
/// this asymmetric matrix; give it a symmetrised copy such as
/// `Matrix::from_fn(n, |a, b| (m.cost(a, b) + m.cost(b, a)) / 2.0)`.
#[derive(Debug, Clone, PartialEq)]
pub struct TravelMatrix {
    pub(crate) n: usize,
    pub(crate) times_min: Vec<f64>,
    pub(crate) dist_km: Vec<f64>,
    pub(crate) offroad_km: Vec<f64>,
}

impl TravelMatrix {
    /// A matrix from its parts; `times_min` and `dist_km` hold `n × n` entries
    /// and `offroad_km` `n`. Returns `None` if the lengths don't agree.
    ///
    /// ```
    /// use territory_routing::TravelCost;
    /// use territory_roads::TravelMatrix;
    /// let m = TravelMatrix::from_parts(2, vec![0.0, 3.0, 4.0, 0.0], vec![0.0, 1.5, 2.0, 0.0], vec![0.0; 2]).unwrap();
    /// assert_eq!(m.cost(1, 0), 4.0);
    /// assert_eq!(m.dist_km(0, 1), 1.5);
    /// ```
    pub fn from_parts(
        n: usize,
        times_min: Vec<f64>,
        dist_km: Vec<f64>,
        offroad_km: Vec<f64>,
    ) -> Option<Self> {
        (times_min.len() == n * n && dist_km.len() == n * n && offroad_km.len() == n).then_some(
            Self {
                n,
                times_min,
                dist_km,
                offroad_km,
            },
        )
    }

    /// Number of points.
    pub fn size(&self) -> usize {
        self.n
    }

    /// Travel time from `a` to `b` in minutes.
    #[inline]
    pub fn time_min(&self, a: usize, b: usize) -> f64 {
        self.times_min[a * self.n + b]
    }

    /// Distance from `a` to `b` in km along the fastest path.
    #[inline]
    pub fn dist_km(&self, a: usize, b: usize) -> f64 {
        self.dist_km[a * self.n + b]
    }

    /// All times, row-major, minutes.
    pub fn times_min(&self) -> &[f64] {
        &self.times_min
    }

    /// All distances, row-major, km.
    pub fn distances_km(&self) -> &[f64] {
        &self.dist_km
    }

    /// Off-road leg per point, km (see [`Snapping`](crate::Snapping)).
    pub fn offroad_km(&self) -> &[f64] {
        &self.offroad_km
    }

    /// Indices of points whose off-road leg exceeds `max_km` (or that could
    /// not be snapped).
    pub fn far(&self, max_km: f64) -> Vec<usize> {
        (0..self.n)
            .filter(|&i| !self.offroad_km[i].is_finite() || self.offroad_km[i] > max_km)
            .collect()
    }

    /// The times as the core crate's dense [`Matrix`](territory_routing::Matrix).
    pub fn to_core_matrix(&self) -> territory_routing::Matrix {
        territory_routing::Matrix::from_fn(self.n, |a, b| self.time_min(a, b))
    }
}

impl TravelCost for TravelMatrix {
    fn len(&self) -> usize {
        self.n
    }

    #[inline]
    fn cost(&self, a: usize, b: usize) -> f64 {
        self.time_min(a, b)
    }
}
