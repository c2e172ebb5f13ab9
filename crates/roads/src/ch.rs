//! Contraction hierarchies with bucket-based many-to-many queries.
//!
//! Nodes are contracted one at a time in order of a lazily updated priority,
//! *2 × edge difference + deleted neighbours* (shortcuts added minus edges
//! removed, plus how many neighbours were already contracted, which spreads
//! contraction evenly; the weights were tuned on a 90,000-node grid test). Before adding a shortcut `u → v → w` a witness search (Dijkstra
//! from `u` avoiding `v`, bounded by the shortcut's weight and a settled-node
//! limit) looks for an equally good path; a limited search may miss a witness,
//! which only adds a superfluous shortcut. Weights are exact integers packing
//! (time, distance), so queries return exactly the plain Dijkstra optimum.
//!
//! Queries search upwards only (stall-on-demand prunes nodes reached
//! suboptimally). Many-to-many: one backward upward search per target leaves
//! `(target, weight)` in a bucket at every node it settles; one forward upward
//! search per source scans the buckets of the nodes it settles.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use crate::graph::{Csr, Weight, INF};

/// A contraction hierarchy over a graph.
#[derive(Debug, Clone)]
pub(crate) struct Ch {
    /// Upward edges `v → w` (rank of `w` above `v`), stored at `v`.
    pub up: Csr,
    /// Upward edges reversed: `w → v` with `w` ranked above `v`, stored at `v`.
    pub down: Csr,
    /// Shortcuts added during contraction.
    pub shortcuts: usize,
}

struct Witness {
    dist: Vec<Weight>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<(Weight, u32)>>,
}

impl Witness {
    fn new(n: usize) -> Self {
        Self {
            dist: vec![INF; n],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    /// Dijkstra from `src` in the remaining graph avoiding `avoid`, up to weight
    /// `limit` and `max_settled` settled nodes. Afterwards `dist` holds upper
    /// bounds on path weights that avoid `avoid`.
    fn run(
        &mut self,
        out: &[Vec<(u32, Weight)>],
        src: u32,
        avoid: u32,
        limit: Weight,
        max_settled: usize,
    ) {
        for &v in &self.touched {
            self.dist[v as usize] = INF;
        }
        self.touched.clear();
        self.heap.clear();
        self.dist[src as usize] = 0;
        self.touched.push(src);
        self.heap.push(Reverse((0, src)));
        let mut settled = 0;
        while let Some(Reverse((d, v))) = self.heap.pop() {
            if d > self.dist[v as usize] {
                continue;
            }
            if d > limit || settled >= max_settled {
                break;
            }
            settled += 1;
            for &(w, wt) in &out[v as usize] {
                if w == avoid {
                    continue;
                }
                let nd = d + wt;
                let dw = &mut self.dist[w as usize];
                if nd < *dw {
                    if *dw == INF {
                        self.touched.push(w);
                    }
                    *dw = nd;
                    self.heap.push(Reverse((nd, w)));
                }
            }
        }
    }
}

struct Contraction {
    out: Vec<Vec<(u32, Weight)>>,
    inn: Vec<Vec<(u32, Weight)>>,
    deleted: Vec<i32>,
}

/// Settled-node limit of the witness searches that estimate a priority.
const SIM_SETTLED: usize = 20;
/// Settled-node limit of the witness searches when contracting (a missed
/// witness costs a superfluous shortcut, so this one is more thorough).
const CONTRACT_SETTLED: usize = 1000;

impl Contraction {
    /// Calls `emit(u, w, weight)` for every shortcut contracting `v` needs.
    fn shortcuts(
        &self,
        v: u32,
        wit: &mut Witness,
        max_settled: usize,
        mut emit: impl FnMut(u32, u32, Weight),
    ) {
        let out = &self.out[v as usize];
        for &(u, wu) in &self.inn[v as usize] {
            let Some(max_out) = out.iter().filter(|e| e.0 != u).map(|e| e.1).max() else {
                continue;
            };
            wit.run(&self.out, u, v, wu + max_out, max_settled);
            for &(w, ww) in out {
                if w != u && wit.dist[w as usize] > wu + ww {
                    emit(u, w, wu + ww);
                }
            }
        }
    }

    fn priority(&self, v: u32, wit: &mut Witness) -> i32 {
        let mut added = 0i32;
        self.shortcuts(v, wit, SIM_SETTLED, |_, _, _| added += 1);
        let removed = (self.out[v as usize].len() + self.inn[v as usize].len()) as i32;
        2 * (added - removed) + self.deleted[v as usize]
    }
}

fn add_or_improve(list: &mut Vec<(u32, Weight)>, to: u32, w: Weight) {
    match list.iter_mut().find(|e| e.0 == to) {
        Some(e) => e.1 = e.1.min(w),
        None => list.push((to, w)),
    }
}

impl Ch {
    /// Contracts the graph given by its forward and reverse adjacency.
    pub fn build(fwd: &Csr, bwd: &Csr) -> Self {
        let n = fwd.first.len() - 1;
        let mut c = Contraction {
            out: vec![Vec::new(); n],
            inn: vec![Vec::new(); n],
            deleted: vec![0; n],
        };
        for v in 0..n as u32 {
            c.out[v as usize] = fwd.range(v).map(|e| (fwd.head[e], fwd.weight[e])).collect();
            c.inn[v as usize] = bwd.range(v).map(|e| (bwd.head[e], bwd.weight[e])).collect();
        }
        let mut prio: Vec<i32> = (0..n as u32)
            .into_par_iter()
            .map_init(|| Witness::new(n), |wit, v| c.priority(v, wit))
            .collect();
        let mut heap: BinaryHeap<Reverse<(i32, u32)>> = (0..n as u32)
            .map(|v| Reverse((prio[v as usize], v)))
            .collect();
        let mut contracted = vec![false; n];
        let mut wit = Witness::new(n);
        let mut up: Vec<(u32, u32, Weight)> = Vec::new();
        let mut down: Vec<(u32, u32, Weight)> = Vec::new();
        let mut new_edges: Vec<(u32, u32, Weight)> = Vec::new();
        let mut neighbours: Vec<u32> = Vec::new();
        let mut shortcuts = 0;
        while let Some(Reverse((p, v))) = heap.pop() {
            if contracted[v as usize] || p != prio[v as usize] {
                continue;
            }
            // Lazy update: contract only if still the minimum.
            let np = c.priority(v, &mut wit);
            if np != p {
                prio[v as usize] = np;
                if heap.peek().is_some_and(|Reverse((top, _))| np > *top) {
                    heap.push(Reverse((np, v)));
                    continue;
                }
            }
            contracted[v as usize] = true;
            new_edges.clear();
            c.shortcuts(v, &mut wit, CONTRACT_SETTLED, |u, w, wt| {
                new_edges.push((u, w, wt))
            });
            shortcuts += new_edges.len();
            let out = std::mem::take(&mut c.out[v as usize]);
            let inn = std::mem::take(&mut c.inn[v as usize]);
            neighbours.clear();
            for &(w, wt) in &out {
                up.push((v, w, wt));
                c.inn[w as usize].retain(|e| e.0 != v);
                neighbours.push(w);
            }
            for &(u, wt) in &inn {
                down.push((v, u, wt));
                c.out[u as usize].retain(|e| e.0 != v);
                neighbours.push(u);
            }
            for &(u, w, wt) in &new_edges {
                add_or_improve(&mut c.out[u as usize], w, wt);
                add_or_improve(&mut c.inn[w as usize], u, wt);
            }
            neighbours.sort_unstable();
            neighbours.dedup();
            for &x in &neighbours {
                c.deleted[x as usize] += 1;
            }
            for &x in &neighbours {
                let np = c.priority(x, &mut wit);
                if np != prio[x as usize] {
                    prio[x as usize] = np;
                    heap.push(Reverse((np, x)));
                }
            }
        }
        up.sort_unstable();
        down.sort_unstable();
        Self {
            up: Csr::from_sorted(n, &up),
            down: Csr::from_sorted(n, &down),
            shortcuts,
        }
    }

    /// Weights `sources × targets`, row-major.
    pub fn many_to_many(&self, sources: &[u32], targets: &[u32]) -> Vec<Weight> {
        let n = self.up.first.len() - 1;
        // Backward search spaces, one per target.
        let spaces: Vec<Vec<(u32, Weight)>> = targets
            .par_iter()
            .map_init(
                || UpSearch::new(n),
                |s, &t| s.run(&self.down, &self.up, t).to_vec(),
            )
            .collect();
        let mut first = vec![0u32; n + 1];
        for sp in &spaces {
            for &(x, _) in sp {
                first[x as usize + 1] += 1;
            }
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        let mut fill = first.clone();
        let mut bucket = vec![(0u32, 0 as Weight); first[n] as usize];
        for (t, sp) in spaces.iter().enumerate() {
            for &(x, d) in sp {
                bucket[fill[x as usize] as usize] = (t as u32, d);
                fill[x as usize] += 1;
            }
        }
        drop(spaces);
        let nt = targets.len();
        let mut out = vec![INF; sources.len() * nt];
        out.par_chunks_mut(nt.max(1))
            .zip(sources.par_iter())
            .for_each_init(
                || UpSearch::new(n),
                |s, (row, &src)| {
                    for &(x, d) in s.run(&self.up, &self.down, src) {
                        let b = &bucket[first[x as usize] as usize..first[x as usize + 1] as usize];
                        for &(t, dt) in b {
                            let cell = &mut row[t as usize];
                            *cell = (*cell).min(d + dt);
                        }
                    }
                },
            );
        out
    }

    /// Weight of the best path from `s` to `t`.
    #[cfg(test)]
    pub fn query(&self, s: u32, t: u32) -> Weight {
        self.many_to_many(&[s], &[t])[0]
    }
}

/// An upward Dijkstra with stall-on-demand.
struct UpSearch {
    dist: Vec<Weight>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<(Weight, u32)>>,
    settled: Vec<(u32, Weight)>,
}

impl UpSearch {
    fn new(n: usize) -> Self {
        Self {
            dist: vec![INF; n],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
            settled: Vec::new(),
        }
    }

    /// Settles the upward search space of `src` in `g`; `stall` holds the
    /// edges entering each node from above (in search direction). Returns the
    /// settled, non-stalled nodes with their weights.
    fn run(&mut self, g: &Csr, stall: &Csr, src: u32) -> &[(u32, Weight)] {
        for &v in &self.touched {
            self.dist[v as usize] = INF;
        }
        self.touched.clear();
        self.heap.clear();
        self.settled.clear();
        self.dist[src as usize] = 0;
        self.touched.push(src);
        self.heap.push(Reverse((0, src)));
        'pop: while let Some(Reverse((d, v))) = self.heap.pop() {
            if d > self.dist[v as usize] {
                continue;
            }
            for e in stall.range(v) {
                let dy = self.dist[stall.head[e] as usize];
                if dy != INF && dy + stall.weight[e] < d {
                    continue 'pop;
                }
            }
            self.settled.push((v, d));
            for e in g.range(v) {
                let (w, nd) = (g.head[e], d + g.weight[e]);
                let dw = &mut self.dist[w as usize];
                if nd < *dw {
                    if *dw == INF {
                        self.touched.push(w);
                    }
                    *dw = nd;
                    self.heap.push(Reverse((nd, w)));
                }
            }
        }
        &self.settled
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dijkstra::Search;
    use crate::graph::pack;

    /// Timing on a larger perturbed grid (a worst case for CH):
    /// `cargo test --release -p territory-roads --lib -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn ch_build_time_on_a_large_grid() {
        let side = 300u32;
        let mut s = 7u64;
        let mut rnd = |k: u64| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 33) % k
        };
        let mut edges = Vec::new();
        for y in 0..side {
            for x in 0..side {
                let v = y * side + x;
                for (dx, dy) in [(1, 0), (0, 1)] {
                    if x + dx >= side || y + dy >= side || rnd(4) == 0 {
                        continue;
                    }
                    let w = v + dx + dy * side;
                    let wt = pack(5000 + rnd(20000) as u32, 10000);
                    edges.push((v, w, wt));
                    edges.push((w, v, wt));
                }
            }
        }
        let n = (side * side) as usize;
        edges.sort_unstable();
        let fwd = Csr::from_sorted(n, &edges);
        let mut rev: Vec<_> = edges.iter().map(|&(a, b, w)| (b, a, w)).collect();
        rev.sort_unstable();
        let bwd = Csr::from_sorted(n, &rev);
        let t = std::time::Instant::now();
        let ch = Ch::build(&fwd, &bwd);
        let build = t.elapsed();
        let pts: Vec<u32> = (0..2000).map(|_| rnd(n as u64) as u32).collect();
        let t = std::time::Instant::now();
        let m = ch.many_to_many(&pts, &pts);
        let query = t.elapsed();
        let mut search = Search::new(n);
        search.run(&fwd, pts[0], |_| false);
        for (j, &p) in pts.iter().enumerate() {
            assert_eq!(m[j], search.dist[p as usize]);
        }
        eprintln!(
            "{n} nodes, {} edges: CH build {build:?} ({} shortcuts), 2000x2000 {query:?}",
            edges.len(),
            ch.shortcuts
        );
    }

    /// A 25 × 25 grid with some one-way and missing streets and few distinct
    /// weights (many ties); CH must equal Dijkstra on every pair.
    #[test]
    fn ch_equals_dijkstra_on_a_grid() {
        let side = 25u32;
        let mut s = 99u64;
        let mut rnd = |k: u64| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 33) % k
        };
        let mut edges = Vec::new();
        for y in 0..side {
            for x in 0..side {
                let v = y * side + x;
                for (dx, dy) in [(1, 0), (0, 1)] {
                    let (nx, ny) = (x + dx, y + dy);
                    if nx >= side || ny >= side || rnd(10) == 0 {
                        continue;
                    }
                    let w = v + dx + dy * side;
                    let wt = pack(1000 * (1 + rnd(3) as u32), 100 * (1 + rnd(2) as u32));
                    match rnd(6) {
                        0 => edges.push((v, w, wt)),
                        1 => edges.push((w, v, wt)),
                        _ => {
                            edges.push((v, w, wt));
                            edges.push((w, v, wt));
                        }
                    }
                }
            }
        }
        let n = (side * side) as usize;
        edges.sort_unstable();
        let fwd = Csr::from_sorted(n, &edges);
        let mut rev: Vec<_> = edges.iter().map(|&(a, b, w)| (b, a, w)).collect();
        rev.sort_unstable();
        let bwd = Csr::from_sorted(n, &rev);
        let ch = Ch::build(&fwd, &bwd);
        let all: Vec<u32> = (0..n as u32).collect();
        let m = ch.many_to_many(&all, &all);
        let mut search = Search::new(n);
        for s in 0..n as u32 {
            search.run(&fwd, s, |_| false);
            for t in 0..n {
                assert_eq!(m[s as usize * n + t], search.dist[t], "{s}->{t}");
            }
        }
        assert_eq!(ch.query(3, 400), m[3 * n + 400]);
    }
}
