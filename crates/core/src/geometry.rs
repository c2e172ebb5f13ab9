//! Territory shapes: the union of each territory's accounts' Voronoi cells,
//! clipped to the (slightly enlarged) convex hull of all accounts. Above
//! 200,000 accounts the cells come from a thinned sample (one account per grid
//! cell and territory), which keeps drawing a million accounts to seconds.
//!
//! Clipping to the hull can cut a territory that is one piece of the
//! adjacency into several polygons (two neighbours whose shared cell edge lies
//! outside the hull). [`territory_polygons_on`] joins such pieces with a
//! narrow corridor along an adjacency edge actually used, so a territory
//! reported as one piece is drawn as one polygon.

use geo::{
    BooleanOps, Centroid, ConvexHull, Coord, LineString, MultiPoint, MultiPolygon, Point, Polygon,
    Scale,
};
use rayon::prelude::*;
use spade::{DelaunayTriangulation, Point2, Triangulation};

use crate::adjacency::Adjacency;

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

/// As [`territory_polygons`], then the pieces of each territory that its
/// accounts' edges in `adjacency` join are bridged by a corridor along one such
/// edge, so the drawing has as many polygons as the adjacency has pieces
/// (or fewer, where cells touch without an edge).
///
/// ```
/// // Two clusters of one territory, joined by an adjacency edge (2, 3) only.
/// let pts = [[0.0, 0.0], [1.0, 0.0], [0.5, 1.0], [10.0, 0.0], [11.0, 0.0], [10.5, 1.0], [5.0, 30.0]];
/// let asg = [0, 0, 0, 0, 0, 0, 1];
/// let adj = territory::Adjacency::from_pairs(7, &[(0, 1), (1, 2), (0, 2), (2, 3), (3, 4), (4, 5), (3, 5), (5, 6)]);
/// let shapes = territory::geometry::territory_polygons_on(&pts, &asg, 2, &adj);
/// assert_eq!(shapes[0].0.len(), 1);
/// ```
pub fn territory_polygons_on(
    points: &[[f64; 2]],
    assignment: &[usize],
    territories: usize,
    adjacency: &Adjacency,
) -> Vec<MultiPolygon<f64>> {
    let shapes = territory_polygons(points, assignment, territories);
    join_pieces(shapes, points, assignment, adjacency)
}

/// Bridges the pieces of every territory drawn in several polygons along
/// the adjacency edges between its accounts (a spanning forest of pieces).
fn join_pieces(
    shapes: Vec<MultiPolygon<f64>>,
    points: &[[f64; 2]],
    assignment: &[usize],
    adjacency: &Adjacency,
) -> Vec<MultiPolygon<f64>> {
    use geo::Intersects;
    let split: Vec<bool> = shapes.iter().map(|s| s.0.len() > 1).collect();
    if !split.contains(&true) || adjacency.nodes() != points.len() {
        return shapes;
    }
    let mut edges_of: Vec<Vec<(usize, usize)>> = vec![Vec::new(); shapes.len()];
    for &(a, b) in adjacency.edges() {
        let t = assignment[a];
        if t == assignment[b] && split[t] {
            edges_of[t].push((a, b));
        }
    }
    let (min, max) = bounds(points);
    let extent = (max[0] - min[0]).max(max[1] - min[1]).max(1e-9);
    shapes
        .into_par_iter()
        .zip(edges_of)
        .map(|(shape, mut edges)| {
            if shape.0.len() <= 1 || edges.is_empty() {
                return shape;
            }
            // Shortest edges first (a minimum spanning forest of the
            // pieces), so corridors stay short.
            let len2 = |&(a, b): &(usize, usize)| {
                (points[a][0] - points[b][0]).powi(2) + (points[a][1] - points[b][1]).powi(2)
            };
            edges.sort_by(|x, y| len2(x).total_cmp(&len2(y)).then(x.cmp(y)));
            let piece_of = |i: usize| {
                let p = Point::new(points[i][0], points[i][1]);
                shape.0.iter().position(|poly| poly.intersects(&p))
            };
            // An account sharing its spot with another territory's account
            // may have no cell of its own (the cell goes to one of them): it
            // is a node of its own, so pieces join through its spot.
            let pieces = shape.0.len();
            let mut cellless: Vec<usize> = edges
                .iter()
                .flat_map(|&(a, b)| [a, b])
                .filter(|&i| piece_of(i).is_none())
                .collect();
            cellless.sort_unstable();
            cellless.dedup();
            let node = |i: usize| {
                piece_of(i).or_else(|| cellless.binary_search(&i).ok().map(|k| pieces + k))
            };
            let mut uf = petgraph::unionfind::UnionFind::<usize>::new(pieces + cellless.len());
            let mut bridges = Vec::new();
            for (a, b) in edges {
                if let (Some(pa), Some(pb)) = (node(a), node(b)) {
                    if uf.union(pa, pb) {
                        bridges.push(corridor(points[a], points[b], extent));
                    }
                }
            }
            if bridges.is_empty() {
                return shape;
            }
            // Corridors sharing an end overlap, and overlapping members of
            // one multipolygon cancel out under the even-odd rule, cutting
            // the very joint they should make: they are joined among
            // themselves first, then to the shape in one union (one union per
            // corridor was most of the time spent writing a million accounts).
            shape.union(&geo::unary_union(bridges.iter()))
        })
        .collect()
}

/// A thin rectangle along the segment `a`–`b`, reaching a little past both
/// ends so it overlaps both accounts' cells.
fn corridor(a: [f64; 2], b: [f64; 2], extent: f64) -> Polygon<f64> {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len = dx.hypot(dy).max(1e-12);
    let w = (0.15 * len).min(extent / 150.0).max(extent * 1e-5) / 2.0;
    let (ux, uy) = (dx / len * w, dy / len * w);
    let (nx, ny) = (-uy, ux);
    let (a0, a1) = (a[0] - ux, a[1] - uy);
    let (b0, b1) = (b[0] + ux, b[1] + uy);
    Polygon::new(
        LineString::from(vec![
            (a0 + nx, a1 + ny),
            (b0 + nx, b1 + ny),
            (b0 - nx, b1 - ny),
            (a0 - nx, a1 - ny),
            (a0 + nx, a1 + ny),
        ]),
        Vec::new(),
    )
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

/// Whether each of `ps` lies in the area territory shapes are drawn over
/// (the enlarged hull of the accounts): a base beyond it is in no shape.
pub(crate) fn within_drawn_area(points: &[[f64; 2]], ps: &[[f64; 2]]) -> Vec<bool> {
    use geo::Intersects;
    if points.is_empty() {
        return vec![false; ps.len()];
    }
    let (min, max) = bounds(points);
    let area = clip_region(points, min, max);
    ps.iter()
        .map(|p| area.intersects(&Point::new(p[0], p[1])))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Three clusters of territory 0 around one of territory 1, joined by
    /// adjacency edges that share an account: corridors that overlap at
    /// that account must still make one polygon.
    #[test]
    fn corridors_sharing_an_end_join_all_pieces() {
        let mut pts = Vec::new();
        let mut asg = Vec::new();
        for &(cx, cy) in &[(0.0, 0.0), (20.0, 0.0), (0.0, 20.0)] {
            for k in 0..4 {
                pts.push([cx + (k % 2) as f64, cy + (k / 2) as f64]);
                asg.push(0);
            }
        }
        // Territory 1 fills the space between the clusters.
        for i in 0..6 {
            for j in 0..6 {
                let p = [4.0 + i as f64 * 2.5, 4.0 + j as f64 * 2.5];
                if p[0] + p[1] < 30.0 {
                    pts.push(p);
                    asg.push(1);
                }
            }
        }
        let n = pts.len();
        let mut pairs = vec![
            (0, 1),
            (1, 2),
            (2, 3),
            (4, 5),
            (5, 6),
            (6, 7),
            (8, 9),
            (9, 10),
            (10, 11),
        ];
        // Account 3 joins both other clusters.
        pairs.extend([(3, 4), (3, 8)]);
        pairs.extend((12..n - 1).map(|i| (i, i + 1)));
        let adj = Adjacency::from_pairs(n, &pairs);
        let plain = territory_polygons(&pts, &asg, 2);
        assert!(
            plain[0].0.len() >= 3,
            "the clusters are apart before joining"
        );
        let joined = territory_polygons_on(&pts, &asg, 2, &adj);
        assert_eq!(joined[0].0.len(), 1);
    }

    /// Corridors that cross outside the territory (two diagonals) must not
    /// cut each other: as members of one multipolygon their crossing would
    /// cancel out under the even-odd rule and split both.
    #[test]
    fn crossing_corridors_do_not_cut_each_other() {
        let mut pts = Vec::new();
        let mut asg = Vec::new();
        let corners = [(0.0, 0.0), (20.0, 20.0), (0.0, 20.0), (20.0, 0.0)];
        for &(cx, cy) in &corners {
            for k in 0..4 {
                pts.push([cx + (k % 2) as f64, cy + (k / 2) as f64]);
                asg.push(0);
            }
        }
        for i in 0..7 {
            for j in 0..7 {
                pts.push([3.0 + i as f64 * 2.4, 3.0 + j as f64 * 2.4]);
                asg.push(1);
            }
        }
        let n = pts.len();
        let mut pairs: Vec<(usize, usize)> = (0..4)
            .flat_map(|c| {
                [
                    (4 * c, 4 * c + 1),
                    (4 * c + 1, 4 * c + 2),
                    (4 * c + 2, 4 * c + 3),
                ]
            })
            .collect();
        // A–B and C–D, the two diagonals.
        pairs.extend([(3, 4), (11, 12)]);
        pairs.extend((16..n - 1).map(|i| (i, i + 1)));
        let adj = Adjacency::from_pairs(n, &pairs);
        assert_eq!(adj.components_per_territory(&asg, 2)[0], 2);
        let joined = territory_polygons_on(&pts, &asg, 2, &adj);
        // Crossing corridors of one territory may merge its two pieces in
        // the drawing (the report then flags it); they never split it.
        assert!(joined[0].0.len() <= 2, "{} polygons", joined[0].0.len());
    }
}
