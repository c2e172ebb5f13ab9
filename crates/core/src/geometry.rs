//! Territory shapes: the union of each territory's accounts' Voronoi cells,
//! clipped to the (slightly enlarged) convex hull of all accounts. Above
//! 200,000 accounts the cells come from a thinned sample (one account per grid
//! cell and territory), which keeps drawing a million accounts to seconds.

use geo::{
    BooleanOps, Centroid, ConvexHull, Coord, LineString, MultiPoint, MultiPolygon, Point, Polygon,
    Scale,
};
use rayon::prelude::*;
use spade::{DelaunayTriangulation, Point2, Triangulation};

/// One (multi)polygon per territory in the points' planar coordinates.
/// Territories without accounts get an empty multipolygon.
///
/// ```
/// let pts = [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [3.0, 0.5], [4.0, 0.0], [4.0, 1.0]];
/// let shapes = territory::geometry::territory_polygons(&pts, &[0, 0, 0, 0, 1, 1, 1], 2);
/// assert_eq!(shapes.len(), 2);
/// assert!(shapes.iter().all(|s| !s.0.is_empty()));
/// ```
pub fn territory_polygons(
    points: &[[f64; 2]],
    assignment: &[usize],
    territories: usize,
) -> Vec<MultiPolygon<f64>> {
    if points.len() > MAX_POINTS {
        // Shapes for a map do not need every account: one per grid cell and territory.
        let (thin_points, thin_assignment) = thin(points, assignment);
        return voronoi_union(&thin_points, &thin_assignment, territories);
    }
    voronoi_union(points, assignment, territories)
}

fn voronoi_union(
    points: &[[f64; 2]],
    assignment: &[usize],
    territories: usize,
) -> Vec<MultiPolygon<f64>> {
    let mut cells_by_territory: Vec<Vec<Polygon<f64>>> = vec![Vec::new(); territories];
    if points.is_empty() {
        return vec![MultiPolygon::new(Vec::new()); territories];
    }
    let (min, max) = bounds(points);
    let extent = (max[0] - min[0]).max(max[1] - min[1]).max(1.0);
    let mut tri: DelaunayTriangulation<Point2<f64>> = DelaunayTriangulation::new();
    // Far corners make every account's cell bounded.
    let far = 10.0 * extent;
    for (x, y) in [
        (min[0] - far, min[1] - far),
        (max[0] + far, min[1] - far),
        (max[0] + far, max[1] + far),
        (min[0] - far, max[1] + far),
    ] {
        let _ = tri.insert(Point2::new(x, y));
    }
    let mut owner: Vec<Option<usize>> = vec![None; 4];
    for i in crate::adjacency::spatial_order(points) {
        let p = points[i];
        if let Ok(h) = tri.insert(Point2::new(p[0], p[1])) {
            let v = h.index();
            if v >= owner.len() {
                owner.resize(v + 1, None);
            }
            owner[v].get_or_insert(i);
        }
    }
    for v in tri.vertices() {
        let Some(i) = owner.get(v.fix().index()).copied().flatten() else {
            continue;
        };
        let ring: Vec<Coord<f64>> = v
            .out_edges()
            .filter_map(|e| e.face().as_inner().map(|f| f.circumcenter()))
            .map(|c| Coord { x: c.x, y: c.y })
            .collect();
        if ring.len() >= 3 {
            cells_by_territory[assignment[i]].push(Polygon::new(LineString::new(ring), Vec::new()));
        }
    }
    let clip = clip_region(points, min, max);
    cells_by_territory
        .into_par_iter()
        .map(|cells| {
            if cells.is_empty() {
                return MultiPolygon::new(Vec::new());
            }
            geo::unary_union(cells.iter()).intersection(&clip)
        })
        .collect()
}

/// Above this many points, shapes are drawn from a thinned sample.
const MAX_POINTS: usize = 200_000;

/// Keeps the first point of each territory in each cell of a grid of about
/// 100,000 cells over the data.
fn thin(points: &[[f64; 2]], assignment: &[usize]) -> (Vec<[f64; 2]>, Vec<usize>) {
    let (min, max) = bounds(points);
    // Cells from the larger side, so points on a line are thinned too.
    let extent = (max[0] - min[0]).max(max[1] - min[1]).max(1e-9);
    let side = extent / (100_000f64).sqrt();
    let mut seen = std::collections::HashSet::new();
    let mut kept = (Vec::new(), Vec::new());
    for (p, &t) in points.iter().zip(assignment) {
        let key = (
            ((p[0] - min[0]) / side) as i64,
            ((p[1] - min[1]) / side) as i64,
            t,
        );
        if seen.insert(key) {
            kept.0.push(*p);
            kept.1.push(t);
        }
    }
    kept
}

fn bounds(points: &[[f64; 2]]) -> ([f64; 2], [f64; 2]) {
    let mut min = [f64::INFINITY; 2];
    let mut max = [f64::NEG_INFINITY; 2];
    for p in points {
        for d in 0..2 {
            min[d] = min[d].min(p[d]);
            max[d] = max[d].max(p[d]);
        }
    }
    (min, max)
}

/// The convex hull enlarged by 5% (at least 0.2 units) around its centroid; a box when the hull is flat.
fn clip_region(points: &[[f64; 2]], min: [f64; 2], max: [f64; 2]) -> MultiPolygon<f64> {
    let hull =
        MultiPoint::new(points.iter().map(|p| Point::new(p[0], p[1])).collect()).convex_hull();
    let extent = (max[0] - min[0]).max(max[1] - min[1]);
    if geo::Area::unsigned_area(&hull) > 1e-9 * extent * extent && extent > 0.0 {
        let centre = hull.centroid().unwrap_or(Point::new(0.0, 0.0));
        let factor = (1.05f64).max(1.0 + 0.4 / extent);
        return MultiPolygon::new(vec![hull.scale_around_point(factor, factor, centre)]);
    }
    let pad = (0.05 * extent).max(0.2);
    let (x0, y0, x1, y1) = (min[0] - pad, min[1] - pad, max[0] + pad, max[1] + pad);
    MultiPolygon::new(vec![Polygon::new(
        LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
        Vec::new(),
    )])
}
