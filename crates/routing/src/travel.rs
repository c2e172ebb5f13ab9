//! Travel times and distances between real-world locations.
//!
//! Field scheduling asks a [`TravelModel`] for the minutes and kilometres
//! between every pair of the locations one rep (or office) visits. The default,
//! [`StraightLine`], scales the great-circle distance by a circuity factor and
//! divides by an average speed; a road network can implement the same trait.

use territory::model::Location;
use territory::projection::EARTH_RADIUS_KM;

use super::Matrix;

/// Travel minutes and kilometres between all pairs of a list of locations.
#[derive(Debug, Clone, PartialEq)]
pub struct TravelMatrices {
    /// Minutes from row to column.
    pub minutes: Matrix,
    /// Kilometres from row to column, along the same path as the minutes.
    pub km: Matrix,
}

/// Why travel costs could not be computed (a road network failing, say).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("travel costs: {0}")]
pub struct TravelError(pub String);

/// A source of travel times and distances.
pub trait TravelModel: Sync {
    /// Matrices over `points`, in their order.
    fn matrices(&self, points: &[Location]) -> Result<TravelMatrices, TravelError>;
}

/// Great-circle distance × circuity, at an average speed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StraightLine {
    /// Road distance over straight-line distance (1.3 is typical of cities).
    pub circuity: f64,
    /// Average driving speed, km/h, door to door.
    pub speed_kmh: f64,
}

impl Default for StraightLine {
    fn default() -> Self {
        Self {
            circuity: 1.3,
            speed_kmh: 30.0,
        }
    }
}

impl StraightLine {
    /// Road kilometres between two locations.
    pub fn km(&self, a: Location, b: Location) -> f64 {
        haversine_km(a, b) * self.circuity
    }

    /// Driving minutes between two locations.
    ///
    /// ```
    /// use territory_routing::travel::StraightLine;
    /// use territory::Location;
    /// let model = StraightLine { circuity: 1.0, speed_kmh: 60.0 };
    /// // One degree of latitude is about 111 km: about 111 minutes at 60 km/h.
    /// let m = model.minutes(Location::new(60.0, 25.0), Location::new(61.0, 25.0));
    /// assert!((m - 111.2).abs() < 0.5);
    /// ```
    pub fn minutes(&self, a: Location, b: Location) -> f64 {
        self.km(a, b) / self.speed_kmh * 60.0
    }
}

impl TravelModel for StraightLine {
    fn matrices(&self, points: &[Location]) -> Result<TravelMatrices, TravelError> {
        if !(self.circuity >= 1.0 && self.circuity.is_finite()) {
            return Err(TravelError(format!(
                "circuity {} must be a finite factor of at least 1",
                self.circuity
            )));
        }
        if !(self.speed_kmh > 0.0 && self.speed_kmh.is_finite()) {
            return Err(TravelError(format!(
                "speed {} km/h must be positive",
                self.speed_kmh
            )));
        }
        let km = Matrix::from_fn(points.len(), |a, b| self.km(points[a], points[b]));
        let minutes = Matrix::from_fn(points.len(), |a, b| {
            self.km(points[a], points[b]) / self.speed_kmh * 60.0
        });
        Ok(TravelMatrices { minutes, km })
    }
}

/// Great-circle distance in kilometres (haversine formula).
///
/// ```
/// use territory_routing::travel::haversine_km;
/// use territory::Location;
/// let d = haversine_km(Location::new(60.1699, 24.9384), Location::new(59.4370, 24.7536));
/// assert!((d - 82.0).abs() < 1.5); // Helsinki to Tallinn
/// ```
pub fn haversine_km(a: Location, b: Location) -> f64 {
    let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
    let dp = p2 - p1;
    let dl = (b.lon - a.lon).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}
