//! Planar projection of WGS84 positions, so distances are in kilometres.

use crate::model::Location;

/// Mean Earth radius in kilometres (IUGG).
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// An equirectangular projection centred on the data: x east and y north in km.
///
/// Accurate to a fraction of a percent within a few hundred kilometres of the
/// centre, which is what territory cutting needs; it keeps squared distances
/// cheap for the compactness objective.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    lat0: f64,
    lon0: f64,
    cos_lat0: f64,
    planar: bool,
}

impl Projection {
    /// A projection centred at a location.
    pub fn centred_at(centre: Location) -> Self {
        Self {
            lat0: centre.lat,
            lon0: centre.lon,
            cos_lat0: centre.lat.to_radians().cos().max(1e-6),
            planar: false,
        }
    }

    /// No projection: locations already hold planar coordinates, `lon` as x and
    /// `lat` as y (research instances).
    pub fn planar() -> Self {
        Self {
            lat0: 0.0,
            lon0: 0.0,
            cos_lat0: 1.0,
            planar: true,
        }
    }

    /// Whether locations are planar coordinates rather than WGS84.
    pub fn is_planar(&self) -> bool {
        self.planar
    }

    /// A projection centred on the mean of the given locations (the origin if none).
    pub fn fitting(locations: impl IntoIterator<Item = Location>) -> Self {
        let (mut lat, mut lon, mut n) = (0.0, 0.0, 0usize);
        for l in locations {
            lat += l.lat;
            lon += l.lon;
            n += 1;
        }
        let n = n.max(1) as f64;
        Self::centred_at(Location::new(lat / n, lon / n))
    }

    /// Planar coordinates `[x, y]` in km.
    pub fn forward(&self, l: Location) -> [f64; 2] {
        if self.planar {
            return [l.lon, l.lat];
        }
        let k = EARTH_RADIUS_KM.to_radians();
        [
            (l.lon - self.lon0) * self.cos_lat0 * k,
            (l.lat - self.lat0) * k,
        ]
    }

    /// Back from planar km to WGS84.
    pub fn inverse(&self, p: [f64; 2]) -> Location {
        if self.planar {
            return Location::new(p[1], p[0]);
        }
        let k = EARTH_RADIUS_KM.to_radians();
        Location::new(p[1] / k + self.lat0, p[0] / (self.cos_lat0 * k) + self.lon0)
    }
}

/// Squared Euclidean distance between two planar points.
#[inline]
pub fn dist2(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (a[0] - b[0], a[1] - b[1]);
    dx * dx + dy * dy
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_measures_km() {
        let p = Projection::centred_at(Location::new(60.17, 24.94));
        let a = Location::new(60.20, 25.00);
        let back = p.inverse(p.forward(a));
        assert!((back.lat - a.lat).abs() < 1e-9 && (back.lon - a.lon).abs() < 1e-9);
        // One degree of latitude is about 111.2 km.
        let d = dist2(
            p.forward(Location::new(60.0, 24.94)),
            p.forward(Location::new(61.0, 24.94)),
        )
        .sqrt();
        assert!((d - 111.19).abs() < 0.1, "{d}");
    }
}
