//! Plain Dijkstra on the CSR graph: one-to-many rows and single paths.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::graph::{Csr, Weight, INF};

/// Reusable search state: tentative weights reset through a touched list.
pub(crate) struct Search {
    pub dist: Vec<Weight>,
    pub pred: Vec<u32>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<(Weight, u32)>>,
}

impl Search {
    pub fn new(n: usize) -> Self {
        Self {
            dist: vec![INF; n],
            pred: vec![u32::MAX; n],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    fn reset(&mut self) {
        for &v in &self.touched {
            self.dist[v as usize] = INF;
            self.pred[v as usize] = u32::MAX;
        }
        self.touched.clear();
        self.heap.clear();
    }

    /// Runs from `source` until `stop(settled)` returns true or everything
    /// reachable is settled. Ties pop in node-id order, so the search — and
    /// the predecessor tree — is deterministic.
    pub fn run(&mut self, g: &Csr, source: u32, mut stop: impl FnMut(u32) -> bool) {
        self.reset();
        self.dist[source as usize] = 0;
        self.touched.push(source);
        self.heap.push(Reverse((0, source)));
        while let Some(Reverse((d, v))) = self.heap.pop() {
            if d > self.dist[v as usize] {
                continue;
            }
            if stop(v) {
                return;
            }
            for e in g.range(v) {
                let (w, nd) = (g.head[e], d + g.weight[e]);
                let dw = &mut self.dist[w as usize];
                if nd < *dw {
                    if *dw == INF {
                        self.touched.push(w);
                    }
                    *dw = nd;
                    self.pred[w as usize] = v;
                    self.heap.push(Reverse((nd, w)));
                }
            }
        }
    }
}
