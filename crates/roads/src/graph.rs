//! Compact CSR road graph with lexicographic (time, distance) edge weights.

use crate::import::{Direction, RawNetwork};

/// Mean Earth radius in metres.
pub(crate) const EARTH_RADIUS_M: f64 = territory::projection::EARTH_RADIUS_KM * 1000.0;

/// Great-circle distance in metres between two `(lat, lon)` positions.
///
/// ```
/// let d = territory_roads::haversine_m((43.7384, 7.4246), (43.7311, 7.4197));
/// assert!((d - 902.0).abs() < 5.0);
/// ```
pub fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, la2) = (a.0.to_radians(), b.0.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.1 - a.1).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// An edge weight packing travel time (ms, high 32 bits) above distance (cm,
/// low 32 bits), so that comparing weights compares time first and breaks ties
/// by distance, and adding weights adds both. A path's distance only overflows
/// into its time beyond 42,949 km.
pub(crate) type Weight = u64;
/// No path.
pub(crate) const INF: Weight = u64::MAX;

#[inline]
pub(crate) fn pack(time_ms: u32, dist_cm: u32) -> Weight {
    ((time_ms as u64) << 32) | dist_cm as u64
}
#[inline]
pub(crate) fn time_ms(w: Weight) -> u64 {
    w >> 32
}
#[inline]
pub(crate) fn dist_cm(w: Weight) -> u64 {
    w & 0xffff_ffff
}

/// A forward or reverse adjacency in compressed sparse row form.
#[derive(Debug, Clone, Default)]
pub(crate) struct Csr {
    pub first: Vec<u32>,
    pub head: Vec<u32>,
    pub weight: Vec<Weight>,
}

impl Csr {
    /// From `(tail, head, weight)` triples sorted by tail.
    pub fn from_sorted(n: usize, edges: &[(u32, u32, Weight)]) -> Self {
        let mut first = vec![0u32; n + 1];
        for &(t, _, _) in edges {
            first[t as usize + 1] += 1;
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        Self {
            first,
            head: edges.iter().map(|e| e.1).collect(),
            weight: edges.iter().map(|e| e.2).collect(),
        }
    }

    #[inline]
    pub fn range(&self, v: u32) -> std::ops::Range<usize> {
        self.first[v as usize] as usize..self.first[v as usize + 1] as usize
    }
}

/// What an import found and kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportStats {
    /// Drivable ways read.
    pub ways: usize,
    /// Distinct OSM nodes on those ways.
    pub way_nodes: usize,
    /// Way nodes absent from the extract (ways clipped at its border).
    pub missing_nodes: usize,
    /// Directed edges before keeping the largest strongly connected component.
    pub edges_before_scc: usize,
    /// Nodes kept (largest strongly connected component).
    pub nodes: usize,
    /// Directed edges kept.
    pub edges: usize,
}

/// The routable graph: the largest strongly connected component.
#[derive(Debug, Clone)]
pub(crate) struct Graph {
    /// `(lat, lon)` per node.
    pub coords: Vec<(f64, f64)>,
    /// OSM node id per node.
    pub osm_ids: Vec<i64>,
    pub fwd: Csr,
    pub bwd: Csr,
    pub stats: ImportStats,
}

/// Morton (Z-order) key of a position, for a cache-friendly node order.
fn morton(lat: f64, lon: f64) -> u64 {
    let q = |x: f64, lo: f64, span: f64| (((x - lo) / span).clamp(0.0, 1.0) * 65535.0) as u64;
    let (y, x) = (q(lat, -90.0, 180.0), q(lon, -180.0, 360.0));
    let spread = |mut v: u64| {
        v &= 0xffff;
        v = (v | (v << 8)) & 0x00ff_00ff;
        v = (v | (v << 4)) & 0x0f0f_0f0f;
        v = (v | (v << 2)) & 0x3333_3333;
        v = (v | (v << 1)) & 0x5555_5555;
        v
    };
    (spread(y) << 1) | spread(x)
}

impl Graph {
    /// Builds the graph from a raw import: one node per OSM node used by a
    /// drivable way, one directed edge per allowed direction of each way
    /// segment (the fastest of parallel edges kept), restricted to the largest
    /// strongly connected component.
    pub fn build(raw: RawNetwork) -> Self {
        let n0 = raw.node_ids.len();
        let mut edges: Vec<(u32, u32, Weight)> = Vec::new();
        for w in &raw.ways {
            let mps = w.speed_kmh / 3.6;
            for pair in w.refs.windows(2) {
                let (Ok(a), Ok(b)) = (
                    raw.node_ids.binary_search(&pair[0]),
                    raw.node_ids.binary_search(&pair[1]),
                ) else {
                    continue;
                };
                if a == b {
                    continue;
                }
                let (ca, cb) = (raw.coords[a], raw.coords[b]);
                if ca.0.is_nan() || cb.0.is_nan() {
                    // A node missing from the extract (clipped way).
                    continue;
                }
                let m = haversine_m(ca, cb);
                let wgt = pack(
                    (m / mps * 1000.0).round() as u32,
                    (m * 100.0).round() as u32,
                );
                let (a, b) = (a as u32, b as u32);
                if w.direction != Direction::Backward {
                    edges.push((a, b, wgt));
                }
                if w.direction != Direction::Forward {
                    edges.push((b, a, wgt));
                }
            }
        }
        edges.sort_unstable();
        edges.dedup_by_key(|e| (e.0, e.1));
        let mut stats = ImportStats {
            ways: raw.ways.len(),
            way_nodes: n0,
            missing_nodes: raw.coords.iter().filter(|c| c.0.is_nan()).count(),
            edges_before_scc: edges.len(),
            ..Default::default()
        };

        // Largest strongly connected component.
        let mut g = petgraph::graph::DiGraph::<(), ()>::with_capacity(n0, edges.len());
        for _ in 0..n0 {
            g.add_node(());
        }
        for &(a, b, _) in &edges {
            g.add_edge(a.into(), b.into(), ());
        }
        let sccs = petgraph::algo::kosaraju_scc(&g);
        drop(g);
        let best = sccs
            .iter()
            .map(|c| {
                (
                    c.len(),
                    std::cmp::Reverse(c.iter().map(|v| v.index()).min()),
                )
            })
            .enumerate()
            .max_by_key(|(_, k)| *k)
            .map(|(i, _)| i);
        let mut keep: Vec<u32> = match best {
            Some(i) => sccs[i].iter().map(|v| v.index() as u32).collect(),
            None => Vec::new(),
        };
        drop(sccs);
        // Cache-friendly numbering: Z-order of the coordinates, ties by OSM id.
        keep.sort_unstable_by_key(|&v| {
            let (lat, lon) = raw.coords[v as usize];
            (morton(lat, lon), raw.node_ids[v as usize])
        });
        let mut new_id = vec![u32::MAX; n0];
        for (i, &v) in keep.iter().enumerate() {
            new_id[v as usize] = i as u32;
        }
        let n = keep.len();
        let mut fwd: Vec<(u32, u32, Weight)> = edges
            .iter()
            .filter_map(|&(a, b, w)| {
                let (a, b) = (new_id[a as usize], new_id[b as usize]);
                (a != u32::MAX && b != u32::MAX).then_some((a, b, w))
            })
            .collect();
        drop(edges);
        fwd.sort_unstable();
        let mut bwd: Vec<(u32, u32, Weight)> = fwd.iter().map(|&(a, b, w)| (b, a, w)).collect();
        bwd.sort_unstable();
        stats.nodes = n;
        stats.edges = fwd.len();
        Self {
            stats,
            coords: keep.iter().map(|&v| raw.coords[v as usize]).collect(),
            osm_ids: keep.iter().map(|&v| raw.node_ids[v as usize]).collect(),
            fwd: Csr::from_sorted(n, &fwd),
            bwd: Csr::from_sorted(n, &bwd),
        }
    }

    pub fn len(&self) -> usize {
        self.coords.len()
    }
}
