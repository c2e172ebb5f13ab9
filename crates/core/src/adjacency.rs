//! Which accounts neighbour each other: a Delaunay triangulation of the points,
//! or explicit pairs (polygons sharing a boundary). Used for contiguity.

use petgraph::unionfind::UnionFind;
use spade::{DelaunayTriangulation, Point2, Triangulation};

/// Undirected neighbour pairs between accounts (by index), each once with `a < b`.
#[derive(Debug, Clone, PartialEq)]
pub struct Adjacency {
    nodes: usize,
    edges: Vec<(usize, usize)>,
}

impl Adjacency {
    /// Adjacency from explicit pairs; self-pairs and duplicates are dropped.
    pub fn from_pairs(nodes: usize, pairs: &[(usize, usize)]) -> Self {
        let mut edges: Vec<(usize, usize)> = pairs
            .iter()
            .filter(|(a, b)| a != b && *a < nodes && *b < nodes)
            .map(|&(a, b)| (a.min(b), a.max(b)))
            .collect();
        edges.sort_unstable();
        edges.dedup();
        Self { nodes, edges }
    }

    /// Delaunay adjacency of planar points. Points at the same position are
    /// neighbours of each other and share the neighbours of their position.
    ///
    /// ```
    /// let adj = territory::Adjacency::delaunay(&[[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]);
    /// assert!(adj.edges().contains(&(0, 3)));
    /// assert!(adj.edges().contains(&(0, 1)));
    /// ```
    pub fn delaunay(points: &[[f64; 2]]) -> Self {
        let mut tri: DelaunayTriangulation<Point2<f64>> = DelaunayTriangulation::new();
        // The first account at each position owns the vertex; later ones hang off it.
        let mut owner_of_vertex: Vec<usize> = Vec::new();
        let mut pairs = Vec::new();
        // Inserting in a space-filling-curve order keeps each point's location
        // walk short: far faster than input order on large inputs.
        let mut vertex_of: Vec<usize> = vec![usize::MAX; points.len()];
        for i in spatial_order(points) {
            let p = points[i];
            match tri.insert(Point2::new(p[0], p[1])) {
                Ok(h) => {
                    let v = h.index();
                    if v == owner_of_vertex.len() {
                        owner_of_vertex.push(i);
                    } else {
                        pairs.push((owner_of_vertex[v], i));
                    }
                    vertex_of[i] = v;
                }
                Err(_) => vertex_of[i] = usize::MAX,
            }
        }
        for e in tri.undirected_edges() {
            let [a, b] = e.vertices();
            pairs.push((
                owner_of_vertex[a.fix().index()],
                owner_of_vertex[b.fix().index()],
            ));
        }
        // Duplicates share their owner's neighbours.
        let mut extra = Vec::new();
        let mut hangers: Vec<Vec<usize>> = vec![Vec::new(); owner_of_vertex.len()];
        for (i, &v) in vertex_of.iter().enumerate() {
            if v != usize::MAX && owner_of_vertex[v] != i {
                hangers[v].push(i);
            }
        }
        for &(a, b) in &pairs {
            if let (Some(va), Some(vb)) = (vertex_of.get(a), vertex_of.get(b)) {
                if va != vb {
                    for &h in hangers.get(*va).into_iter().flatten() {
                        extra.push((h, b));
                    }
                    for &h in hangers.get(*vb).into_iter().flatten() {
                        extra.push((a, h));
                    }
                }
            }
        }
        pairs.extend(extra);
        // Accounts at one position are neighbours of each other (a ring past a
        // few hundred, to keep the edge count bounded).
        for (v, group) in hangers.iter().enumerate() {
            let owner = owner_of_vertex[v];
            if group.len() <= 256 {
                for (x, &a) in group.iter().enumerate() {
                    for &b in &group[x + 1..] {
                        pairs.push((a, b));
                    }
                }
            } else {
                pairs.extend(group.windows(2).map(|w| (w[0], w[1])));
                pairs.push((group[group.len() - 1], owner));
            }
        }
        Self::from_pairs(points.len(), &pairs)
    }

    /// The same adjacency without pairs farther apart than `max_len` (planar
    /// units), so water or mountains do not join territories.
    pub fn without_longer_than(&self, points: &[[f64; 2]], max_len: f64) -> Self {
        let limit = max_len * max_len;
        let edges = self
            .edges
            .iter()
            .copied()
            .filter(|&(a, b)| crate::projection::dist2(points[a], points[b]) <= limit)
            .collect();
        Self {
            nodes: self.nodes,
            edges,
        }
    }

    /// Neighbour lists per node (compressed rows: offsets and targets).
    pub fn neighbours(&self) -> (Vec<usize>, Vec<usize>) {
        let mut degree = vec![0usize; self.nodes + 1];
        for &(a, b) in &self.edges {
            degree[a] += 1;
            degree[b] += 1;
        }
        let mut offsets = vec![0usize; self.nodes + 1];
        for i in 0..self.nodes {
            offsets[i + 1] = offsets[i] + degree[i];
        }
        let mut fill = offsets.clone();
        let mut targets = vec![0usize; offsets[self.nodes]];
        for &(a, b) in &self.edges {
            targets[fill[a]] = b;
            fill[a] += 1;
            targets[fill[b]] = a;
            fill[b] += 1;
        }
        (offsets, targets)
    }

    /// Number of nodes (accounts).
    pub fn nodes(&self) -> usize {
        self.nodes
    }

    /// The neighbour pairs, sorted, `a < b`.
    pub fn edges(&self) -> &[(usize, usize)] {
        &self.edges
    }

    /// Number of connected pieces each territory falls into under this adjacency
    /// (0 for an empty territory).
    pub fn components_per_territory(&self, assignment: &[usize], territories: usize) -> Vec<usize> {
        let mut uf: UnionFind<usize> = UnionFind::new(self.nodes);
        for &(a, b) in &self.edges {
            if assignment[a] == assignment[b] {
                uf.union(a, b);
            }
        }
        let mut roots: Vec<Vec<usize>> = vec![Vec::new(); territories];
        for (i, &t) in assignment.iter().enumerate() {
            roots[t].push(uf.find(i));
        }
        roots
            .into_iter()
            .map(|mut r| {
                r.sort_unstable();
                r.dedup();
                r.len()
            })
            .collect()
    }
}

/// Indices of `points` in Morton (Z-curve) order of their position on a
/// 65,536 × 65,536 grid over the bounding box: neighbours in the order are
/// mostly neighbours in the plane.
pub(crate) fn spatial_order(points: &[[f64; 2]]) -> Vec<usize> {
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in points {
        for d in 0..2 {
            lo[d] = lo[d].min(p[d]);
            hi[d] = hi[d].max(p[d]);
        }
    }
    let scale = |v: f64, d: usize| -> u32 {
        let span = (hi[d] - lo[d]).max(1e-12);
        (((v - lo[d]) / span) * 65_535.0).clamp(0.0, 65_535.0) as u32
    };
    let spread = |mut v: u64| -> u64 {
        v &= 0xffff;
        v = (v | (v << 8)) & 0x00ff_00ff;
        v = (v | (v << 4)) & 0x0f0f_0f0f;
        v = (v | (v << 2)) & 0x3333_3333;
        (v | (v << 1)) & 0x5555_5555
    };
    let mut keyed: Vec<(u64, usize)> = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                spread(u64::from(scale(p[0], 0))) | (spread(u64::from(scale(p[1], 1))) << 1),
                i,
            )
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_pieces() {
        // A row of five points: 0-1-2-3-4; territory 0 = {0, 1, 3} is in two pieces.
        let pts: Vec<[f64; 2]> = (0..5).map(|i| [i as f64, (i % 2) as f64 * 0.01]).collect();
        let adj = Adjacency::from_pairs(5, &[(0, 1), (1, 2), (2, 3), (3, 4)]);
        assert_eq!(
            adj.components_per_territory(&[0, 0, 1, 0, 1], 2),
            vec![2, 2]
        );
        let del = Adjacency::delaunay(&pts);
        assert!(del.edges().contains(&(1, 2)));
    }
}
