//! What compactness minimises, shared by the partition engine and the metrics.

/// What compactness minimises: the sum over accounts of the squared distance
/// to the territory centre (moment of inertia; centres at centroids), or of the
/// distance itself (p-median; centres at the member account that minimises it).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Σ squared distance (the default; favours round territories).
    #[default]
    SquaredDistance,
    /// Σ distance, with centres at accounts (the p-median of research benchmarks).
    Distance,
}

impl Objective {
    /// Cost of one account at squared distance `d2` from its centre.
    #[inline]
    pub fn cost(self, d2: f64) -> f64 {
        match self {
            Objective::SquaredDistance => d2,
            Objective::Distance => d2.sqrt(),
        }
    }
}
