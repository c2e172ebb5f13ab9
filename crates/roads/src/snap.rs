//! Snapping points to the nearest road node.

use rstar::primitives::GeomWithData;
use rstar::RTree;
use territory::{Location, Projection};

use crate::graph::haversine_m;
use crate::NodeId;

pub(crate) type Indexed = GeomWithData<[f64; 2], u32>;

/// An R-tree over road nodes in a local equirectangular projection (km).
#[derive(Debug, Clone)]
pub(crate) struct NodeIndex {
    pub projection: Projection,
    pub tree: RTree<Indexed>,
}

impl NodeIndex {
    pub fn new(coords: &[(f64, f64)]) -> Self {
        let (mut lo, mut hi) = ((f64::MAX, f64::MAX), (f64::MIN, f64::MIN));
        for &(lat, lon) in coords {
            lo = (lo.0.min(lat), lo.1.min(lon));
            hi = (hi.0.max(lat), hi.1.max(lon));
        }
        let projection = if coords.is_empty() {
            Projection::centred_at(Location::new(0.0, 0.0))
        } else {
            Projection::centred_at(Location::new((lo.0 + hi.0) / 2.0, (lo.1 + hi.1) / 2.0))
        };
        let items = coords
            .iter()
            .enumerate()
            .map(|(i, &(lat, lon))| {
                Indexed::new(projection.forward(Location::new(lat, lon)), i as u32)
            })
            .collect();
        Self {
            projection,
            tree: RTree::bulk_load(items),
        }
    }

    pub fn nearest(&self, lat: f64, lon: f64) -> Option<NodeId> {
        if !(lat.is_finite() && lon.is_finite()) {
            return None;
        }
        let p = self.projection.forward(Location::new(lat, lon));
        self.tree.nearest_neighbor(&p).map(|g| g.data)
    }
}

/// Where each point joins the road network.
///
/// Each point is attached to its nearest road node (in a local metric
/// projection) — a node, not the nearest point of a segment, so on a long
/// straight road without intermediate nodes the attachment can be farther than
/// the road itself. The straight line from the point to its node, the
/// *off-road leg*, is charged in matrices at
/// [`MatrixOptions::offroad_speed_kmh`](crate::MatrixOptions::offroad_speed_kmh)
/// (15 km/h by default) at both ends, so a point far from any road is not free.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapping {
    /// The snapped points, `(lat, lon)`.
    pub points: Vec<(f64, f64)>,
    /// The road node per point.
    pub nodes: Vec<NodeId>,
    /// Great-circle distance in km from each point to its node.
    pub offroad_km: Vec<f64>,
    /// Indices of points farther than the limit from any road node, for the
    /// caller to warn about by their own ids. They are still snapped.
    pub far: Vec<usize>,
    /// The limit used for `far`, in km.
    pub max_km: f64,
}

impl Snapping {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
}

pub(crate) fn snap(
    index: &NodeIndex,
    coords: &[(f64, f64)],
    points: &[(f64, f64)],
    max_km: f64,
) -> Snapping {
    use rayon::prelude::*;
    let found: Vec<(NodeId, f64)> = points
        .par_iter()
        .map(|&(lat, lon)| match index.nearest(lat, lon) {
            Some(v) => (v, haversine_m((lat, lon), coords[v as usize]) / 1000.0),
            _ => (0, f64::INFINITY),
        })
        .collect();
    Snapping {
        points: points.to_vec(),
        nodes: found.iter().map(|f| f.0).collect(),
        offroad_km: found.iter().map(|f| f.1).collect(),
        far: (0..points.len())
            .filter(|&i| !found[i].1.is_finite() || found[i].1 > max_km)
            .collect(),
        max_km,
    }
}
