//! # territory-roads
//!
//! Road networks for visit planning: import an OpenStreetMap `.osm.pbf`
//! extract, snap accounts to the roads, compute many-to-many travel-time and
//! distance matrices that plug straight into the routing engine, draw routes
//! along the roads, and cache matrices on disk.
//!
//! ```no_run
//! use territory_routing::TravelCost;
//! use territory_roads::{ImportOptions, MatrixCache, RoadNetwork};
//!
//! let net = RoadNetwork::from_pbf("andorra.osm.pbf", &ImportOptions::default())?;
//! let points = [(42.5063, 1.5218), (42.5440, 1.5120), (42.4630, 1.4900)];
//! let snap = net.snap(&points, 1.0);
//! for &i in &snap.far {
//!     eprintln!("point {i} is {:.1} km from the nearest road", snap.offroad_km[i]);
//! }
//! let m = net.matrix(&snap);
//! println!("0 → 1: {:.1} min, {:.2} km", m.cost(0, 1), m.dist_km(0, 1));
//! let route = net.point_path(&snap, 0, 1).expect("connected");
//! println!("{} vertices to draw", route.coords.len());
//!
//! // Repeated runs read the matrix from disk instead.
//! let cache = MatrixCache::user_default().expect("HOME is set");
//! let cached = cache.matrix(&net, &snap, &Default::default())?;
//! assert_eq!(cached.matrix, m);
//! # Ok::<(), territory_roads::RoadError>(())
//! ```
//!
//! ## Catalogue
//!
//! | step | API |
//! |---|---|
//! | import | [`RoadNetwork::from_pbf`] with [`ImportOptions`] (car profile, speeds, one-ways; [`parse_maxspeed`]) |
//! | snap | [`RoadNetwork::snap`] → [`Snapping`] (node per point, off-road legs, points beyond the limit) |
//! | matrix | [`RoadNetwork::matrix`] / [`RoadNetwork::matrix_with`] ([`MatrixOptions`], [`Algorithm`]) → [`TravelMatrix`] (implements [`TravelCost`](territory_routing::TravelCost)) |
//! | path | [`RoadNetwork::path`] between nodes, [`RoadNetwork::point_path`] between snapped points → [`RoadPath`] |
//! | plug in | [`RoadTravel`]: the route engine's [`TravelModel`](territory_routing::travel::TravelModel), with road paths for drawing |
//! | cache | [`MatrixCache`] ([`CacheKey`], [`hash_file`], [`Fnv1a`]) |
//! | inspect | [`RoadNetwork::stats`] ([`ImportStats`]), [`RoadNetwork::node_count`], [`RoadNetwork::edges`], [`RoadNetwork::coord`], [`haversine_m`] |
//!
//! ## Model
//!
//! The graph has one node per OSM node on a drivable way and one directed
//! edge per allowed direction of each way segment, timed at the way's speed
//! over the segment's great-circle length. Only the largest strongly connected
//! component is kept, so every pair of nodes is mutually reachable and every
//! matrix entry is finite. Travel times are exact integer milliseconds per
//! edge and distances integer centimetres; the fastest path is chosen, ties
//! going to the shorter one, so results do not depend on the algorithm or the
//! number of threads. Turn costs, traffic lights and turn restrictions are not
//! modelled.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

mod cache;
mod ch;
mod dijkstra;
mod graph;
mod import;
mod matrix;
mod partition_travel;
mod snap;
mod travel;

pub use cache::{hash_file, CacheKey, Cached, Fnv1a, MatrixCache};
pub use graph::{haversine_m, ImportStats};
pub use import::{parse_maxspeed, ImportOptions};
pub use matrix::{Algorithm, MatrixOptions, TravelMatrix};
pub use partition_travel::{plan_on_roads, PlanTravel, PlanTravelError};
pub use snap::Snapping;
pub use travel::RoadTravel;

use graph::{dist_cm, time_ms, Graph, Weight, INF};

/// Index of a node of a [`RoadNetwork`], `0..node_count()`.
pub type NodeId = u32;

/// The usual limit for [`RoadNetwork::snap`]: points farther than 1 km from
/// any road node are reported.
pub const DEFAULT_SNAP_KM: f64 = 1.0;

/// Errors from reading extracts and caching matrices.
#[derive(Debug, thiserror::Error)]
pub enum RoadError {
    /// The file could not be opened or read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a valid `.osm.pbf` (malformed, truncated).
    #[error("{}: not a readable OSM PBF file: {message}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the decoder reported.
        message: String,
    },
    /// The extract holds no drivable, connected roads.
    #[error("{}: no drivable roads found", path.display())]
    NoRoads {
        /// The file.
        path: PathBuf,
    },
}

/// A directed road edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// Tail node.
    pub from: NodeId,
    /// Head node.
    pub to: NodeId,
    /// Travel time in milliseconds.
    pub time_ms: u32,
    /// Length in centimetres.
    pub dist_cm: u32,
}

/// A route along the roads.
#[derive(Debug, Clone, PartialEq)]
pub struct RoadPath {
    /// Vertices `(lat, lon)` in travel order.
    pub coords: Vec<(f64, f64)>,
    /// Road nodes passed, in order.
    pub nodes: Vec<NodeId>,
    /// Travel time in minutes.
    pub time_min: f64,
    /// Length in km.
    pub dist_km: f64,
}

/// A routable road network: the largest strongly connected component of the
/// drivable roads of an extract, with a spatial index over its nodes.
#[derive(Debug)]
pub struct RoadNetwork {
    graph: Graph,
    index: snap::NodeIndex,
    ch: OnceLock<ch::Ch>,
    source_hash: u64,
    import: ImportOptions,
}

impl RoadNetwork {
    /// Imports an `.osm.pbf` extract (decoding blocks in parallel) and builds
    /// the graph.
    ///
    /// # Errors
    /// [`RoadError::Io`] if the file can't be read, [`RoadError::Read`] if it
    /// isn't valid PBF (never a panic), [`RoadError::NoRoads`] if it has no
    /// drivable roads.
    pub fn from_pbf(path: impl AsRef<Path>, opts: &ImportOptions) -> Result<Self, RoadError> {
        let path = path.as_ref();
        let source_hash = hash_file(path)?;
        let raw = import::read_pbf(path, opts)?;
        let graph = Graph::build(raw);
        if graph.len() < 2 {
            return Err(RoadError::NoRoads {
                path: path.to_path_buf(),
            });
        }
        let index = snap::NodeIndex::new(&graph.coords);
        Ok(Self {
            graph,
            index,
            ch: OnceLock::new(),
            source_hash,
            import: opts.clone(),
        })
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.graph.len()
    }

    /// What the import read and kept.
    pub fn stats(&self) -> ImportStats {
        self.graph.stats
    }

    /// Number of directed edges.
    pub fn edge_count(&self) -> usize {
        self.graph.fwd.head.len()
    }

    /// `(lat, lon)` of a node.
    pub fn coord(&self, v: NodeId) -> (f64, f64) {
        self.graph.coords[v as usize]
    }

    /// OSM id of a node.
    pub fn osm_id(&self, v: NodeId) -> i64 {
        self.graph.osm_ids[v as usize]
    }

    /// All directed edges, by tail then head.
    pub fn edges(&self) -> impl Iterator<Item = Edge> + '_ {
        let g = &self.graph.fwd;
        (0..self.graph.len() as u32).flat_map(move |v| {
            g.range(v).map(move |e| Edge {
                from: v,
                to: g.head[e],
                time_ms: time_ms(g.weight[e]) as u32,
                dist_cm: dist_cm(g.weight[e]) as u32,
            })
        })
    }

    /// FNV-1a hash of the extract's bytes (see [`MatrixCache`]).
    pub fn source_hash(&self) -> u64 {
        self.source_hash
    }

    /// The options the network was imported with.
    pub fn import_options(&self) -> &ImportOptions {
        &self.import
    }

    /// The nearest node to a position.
    pub fn nearest(&self, lat: f64, lon: f64) -> Option<NodeId> {
        self.index.nearest(lat, lon)
    }

    /// Attaches each `(lat, lon)` point to its nearest road node; points more
    /// than `max_km` away (or with non-finite coordinates) are listed in
    /// [`Snapping::far`]; [`DEFAULT_SNAP_KM`] is a sensible limit.
    pub fn snap(&self, points: &[(f64, f64)], max_km: f64) -> Snapping {
        snap::snap(&self.index, &self.graph.coords, points, max_km)
    }

    /// Builds the contraction hierarchy now rather than on the first matrix
    /// (a second or so on a small country).
    pub fn prepare(&self) {
        self.ch();
    }

    fn ch(&self) -> &ch::Ch {
        self.ch
            .get_or_init(|| ch::Ch::build(&self.graph.fwd, &self.graph.bwd))
    }

    /// Number of shortcuts in the contraction hierarchy, building it if needed.
    pub fn shortcut_count(&self) -> usize {
        self.ch().shortcuts
    }

    /// The travel matrix over snapped points with default options.
    pub fn matrix(&self, snap: &Snapping) -> TravelMatrix {
        self.matrix_with(snap, &MatrixOptions::default())
    }

    /// The travel matrix over snapped points (in parallel with rayon).
    ///
    /// Points that could not be snapped (non-finite coordinates) or that were
    /// snapped on another network get infinite entries.
    pub fn matrix_with(&self, snap: &Snapping, opts: &MatrixOptions) -> TravelMatrix {
        let n = snap.len();
        // Route between distinct nodes only.
        // (Nodes of another network are out of range: their entries are infinite.)
        let valid = |v: &NodeId| (*v as usize) < self.graph.len();
        let mut uniq: Vec<NodeId> = snap.nodes.iter().copied().filter(valid).collect();
        uniq.sort_unstable();
        uniq.dedup();
        let slot: Vec<Option<usize>> = snap
            .nodes
            .iter()
            .map(|v| uniq.binary_search(v).ok())
            .collect();
        let w = self.node_matrix(&uniq, &uniq, opts.algorithm);
        let u = uniq.len();
        let off_min: Vec<f64> = snap
            .offroad_km
            .iter()
            .map(|&km| km / opts.offroad_speed_kmh * 60.0)
            .collect();
        let mut times = vec![0.0; n * n];
        let mut dist = vec![0.0; n * n];
        for a in 0..n {
            for b in 0..n {
                if a == b {
                    continue;
                }
                let x = match (slot[a], slot[b]) {
                    (Some(i), Some(j)) => w[i * u + j],
                    _ => INF,
                };
                let (t, d) = if x == INF {
                    (f64::INFINITY, f64::INFINITY)
                } else {
                    (time_ms(x) as f64 / 60_000.0, dist_cm(x) as f64 / 100_000.0)
                };
                times[a * n + b] = off_min[a] + t + off_min[b];
                dist[a * n + b] = snap.offroad_km[a] + d + snap.offroad_km[b];
            }
        }
        TravelMatrix {
            n,
            times_min: times,
            dist_km: dist,
            offroad_km: snap.offroad_km.clone(),
        }
    }

    /// Travel minutes from every point of `from` to every point of `to`,
    /// row-major (`from.len()` rows), off-road legs included; unreachable
    /// pairs are infinite. Cheaper than a square matrix when one side is
    /// small (e.g. rep bases to accounts).
    pub fn minutes_between(
        &self,
        from: &Snapping,
        to: &Snapping,
        opts: &MatrixOptions,
    ) -> Vec<f64> {
        let unique = |snap: &Snapping| {
            let mut u: Vec<NodeId> = snap
                .nodes
                .iter()
                .copied()
                .filter(|v| (*v as usize) < self.graph.len())
                .collect();
            u.sort_unstable();
            u.dedup();
            u
        };
        let (us, ut) = (unique(from), unique(to));
        let w = self.node_matrix(&us, &ut, opts.algorithm);
        let off = |snap: &Snapping, i: usize| snap.offroad_km[i] / opts.offroad_speed_kmh * 60.0;
        let mut out = vec![f64::INFINITY; from.len() * to.len()];
        for a in 0..from.len() {
            let Ok(i) = us.binary_search(&from.nodes[a]) else {
                continue;
            };
            for b in 0..to.len() {
                let Ok(j) = ut.binary_search(&to.nodes[b]) else {
                    continue;
                };
                let x = w[i * ut.len() + j];
                if x != INF {
                    out[a * to.len() + b] =
                        off(from, a) + time_ms(x) as f64 / 60_000.0 + off(to, b);
                }
            }
        }
        out
    }

    /// For each point, the mean travel minutes to its `k` nearest other points
    /// (nearest by straight line), e.g. the travel share of a visit in a
    /// workload estimate. Computed in chunks so memory stays small.
    pub fn mean_minutes_to_nearest(
        &self,
        points: &[(f64, f64)],
        k: usize,
        opts: &MatrixOptions,
    ) -> Vec<f64> {
        use rstar::primitives::GeomWithData;
        use rstar::RTree;
        use territory::{Location, Projection};
        let projection =
            Projection::fitting(points.iter().map(|&(lat, lon)| Location::new(lat, lon)));
        let planar: Vec<[f64; 2]> = points
            .iter()
            .map(|&(lat, lon)| projection.forward(Location::new(lat, lon)))
            .collect();
        let tree = RTree::bulk_load(
            planar
                .iter()
                .enumerate()
                .map(|(i, p)| GeomWithData::new(*p, i))
                .collect(),
        );
        let near: Vec<Vec<usize>> = planar
            .iter()
            .enumerate()
            .map(|(i, p)| {
                tree.nearest_neighbor_iter(p)
                    .filter(|n| n.data != i)
                    .take(k)
                    .map(|n| n.data)
                    .collect()
            })
            .collect();
        let snap = self.snap(points, f64::INFINITY);
        let mut out = vec![0.0; points.len()];
        const CHUNK: usize = 256;
        for start in (0..points.len()).step_by(CHUNK) {
            let sources: Vec<usize> = (start..(start + CHUNK).min(points.len())).collect();
            let mut targets: Vec<usize> = sources
                .iter()
                .flat_map(|&i| near[i].iter().copied())
                .collect();
            targets.sort_unstable();
            targets.dedup();
            let pick = |idx: &[usize]| Snapping {
                points: idx.iter().map(|&i| snap.points[i]).collect(),
                nodes: idx.iter().map(|&i| snap.nodes[i]).collect(),
                offroad_km: idx.iter().map(|&i| snap.offroad_km[i]).collect(),
                far: Vec::new(),
                max_km: snap.max_km,
            };
            let m = self.minutes_between(&pick(&sources), &pick(&targets), opts);
            for (r, &i) in sources.iter().enumerate() {
                let times: Vec<f64> = near[i]
                    .iter()
                    .map(|t| m[r * targets.len() + targets.binary_search(t).expect("listed")])
                    .filter(|t| t.is_finite())
                    .collect();
                out[i] = if times.is_empty() {
                    0.0
                } else {
                    times.iter().sum::<f64>() / times.len() as f64
                };
            }
        }
        out
    }

    /// Packed weights between nodes, row-major `sources × targets`.
    fn node_matrix(&self, sources: &[NodeId], targets: &[NodeId], alg: Algorithm) -> Vec<Weight> {
        use rayon::prelude::*;
        match alg {
            Algorithm::ContractionHierarchy => self.ch().many_to_many(sources, targets),
            Algorithm::Dijkstra => {
                let n = self.graph.len();
                let mut is_target = vec![false; n];
                for &t in targets {
                    is_target[t as usize] = true;
                }
                let want = targets.len();
                let nt = targets.len().max(1);
                let mut out = vec![INF; sources.len() * targets.len()];
                out.par_chunks_mut(nt)
                    .zip(sources.par_iter())
                    .for_each_init(
                        || dijkstra::Search::new(n),
                        |s, (row, &src)| {
                            let mut left = want;
                            s.run(&self.graph.fwd, src, |v| {
                                if is_target[v as usize] {
                                    left -= 1;
                                }
                                left == 0
                            });
                            for (cell, &t) in row.iter_mut().zip(targets) {
                                *cell = s.dist[t as usize];
                            }
                        },
                    );
                out
            }
        }
    }

    /// The fastest route between two nodes (plain Dijkstra, stopping at the
    /// target); `None` if a node is out of range.
    pub fn path(&self, from: NodeId, to: NodeId) -> Option<RoadPath> {
        let n = self.graph.len();
        if from as usize >= n || to as usize >= n {
            return None;
        }
        let mut s = dijkstra::Search::new(n);
        s.run(&self.graph.fwd, from, |v| v == to);
        let w = s.dist[to as usize];
        if w == INF {
            return None;
        }
        let mut nodes = vec![to];
        let mut v = to;
        while v != from {
            v = s.pred[v as usize];
            nodes.push(v);
        }
        nodes.reverse();
        Some(RoadPath {
            coords: nodes.iter().map(|&v| self.coord(v)).collect(),
            nodes,
            time_min: time_ms(w) as f64 / 60_000.0,
            dist_km: dist_cm(w) as f64 / 100_000.0,
        })
    }

    /// The route between snapped points `a` and `b`: the off-road legs (at
    /// the default 15 km/h) and the road path, consistent with the matrix
    /// entry `(a, b)` under default options.
    pub fn point_path(&self, snap: &Snapping, a: usize, b: usize) -> Option<RoadPath> {
        let speed = MatrixOptions::default().offroad_speed_kmh;
        let mut p = self.path(*snap.nodes.get(a)?, *snap.nodes.get(b)?)?;
        if a == b {
            p.time_min = 0.0;
            p.dist_km = 0.0;
            p.coords = vec![snap.points[a]];
            return Some(p);
        }
        let off = snap.offroad_km[a] + snap.offroad_km[b];
        p.time_min += off / speed * 60.0;
        p.dist_km += off;
        p.coords.insert(0, snap.points[a]);
        p.coords.push(snap.points[b]);
        Some(p)
    }
}
