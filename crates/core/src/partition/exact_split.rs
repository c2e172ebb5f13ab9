//! Every split of a small pair of territories into two connected sides.
//!
//! Random spanning trees offer only the cuts of the trees drawn; when the
//! pair holds a few dozen units at most, all its connected bipartitions can
//! be listed instead, so a pair that has a split inside both bands gets one.
//! Each connected side holding the pair's first unit is listed once (include
//! or exclude each unit on the side's frontier, in order); the other side
//! must be connected too. Once some split is inside both bands, a side that
//! already carries more of a criterion than either territory may hold is not
//! grown further (loads only grow with the side).

/// Pairs of at most this many units are split exactly (the masks are `u64`).
pub(crate) const MAX_UNITS: usize = 40;

/// Sides listed per pair at most; past it the listing stops and says so.
pub(crate) const MAX_SIDES: usize = 200_000;

/// The pair's local graph and what a side is scored by.
pub(crate) struct Pair<'a> {
    /// Neighbours of each local unit, as a bit mask.
    pub adjacent: &'a [u64],
    /// Each unit's row of sums (`width` values).
    pub own: &'a [f64],
    pub width: usize,
    /// Row indices of the loads that, once past `cap`, rule a side out.
    pub capped: &'a [(usize, f64)],
}

/// The best split found: the side holding unit 0 as a mask, its score, and
/// whether every split was seen.
pub(crate) struct Found<K> {
    pub side: Option<(u64, K)>,
    pub complete: bool,
    pub listed: usize,
}

/// Lists the connected sides `S` holding unit 0 whose rest is connected and
/// non-empty, scoring each by `score(sums of S, mask of S)`: `None` rules the
/// side out. `better(a, b)` says whether key `a` beats `b`; `feasible(key)`
/// whether a key is inside both bands, after which capped loads prune.
pub(crate) fn best_split<K: Copy>(
    pair: &Pair<'_>,
    start: Option<K>,
    score: &mut dyn FnMut(&[f64], u64) -> Option<K>,
    better: &dyn Fn(K, K) -> bool,
    feasible: &dyn Fn(K) -> bool,
) -> Found<K> {
    let m = pair.adjacent.len();
    let all = if m == 64 { u64::MAX } else { (1u64 << m) - 1 };
    let mut search = Search {
        pair,
        all,
        best: start.map(|k| (0, k)),
        improved: false,
        pruning: start.is_some_and(feasible),
        listed: 0,
        stopped: false,
        sums: vec![0.0; (m + 1) * pair.width],
        score,
        better,
        feasible,
    };
    if (2..=MAX_UNITS).contains(&m) {
        search.sums[..pair.width].copy_from_slice(&pair.own[..pair.width]);
        search.extend(1, 1, pair.adjacent[0] & all & !1, 1);
    }
    Found {
        side: if search.improved { search.best } else { None },
        complete: !search.stopped && m <= MAX_UNITS,
        listed: search.listed,
    }
}

struct Search<'p, 'f, K> {
    pair: &'p Pair<'p>,
    all: u64,
    best: Option<(u64, K)>,
    improved: bool,
    pruning: bool,
    listed: usize,
    stopped: bool,
    /// Sums of the side at each depth, one row per depth.
    sums: Vec<f64>,
    score: &'f mut dyn FnMut(&[f64], u64) -> Option<K>,
    better: &'f dyn Fn(K, K) -> bool,
    feasible: &'f dyn Fn(K) -> bool,
}

impl<K: Copy> Search<'_, '_, K> {
    /// `side` at `depth` (its sums in row `depth - 1`), growable through
    /// `frontier`, never through `excluded`.
    fn extend(&mut self, side: u64, depth: usize, frontier: u64, excluded: u64) {
        if self.stopped {
            return;
        }
        self.listed += 1;
        if self.listed > MAX_SIDES {
            self.stopped = true;
            return;
        }
        let width = self.pair.width;
        let row = (depth - 1) * width;
        if self.pruning
            && self
                .pair
                .capped
                .iter()
                .any(|&(k, cap)| self.sums[row + k] > cap)
        {
            return;
        }
        let rest = self.all & !side;
        if rest != 0 && connected(self.pair.adjacent, rest) {
            if let Some(key) = (self.score)(&self.sums[row..row + width], side) {
                if self.best.is_none_or(|(_, b)| (self.better)(key, b)) {
                    self.best = Some((side, key));
                    self.improved = true;
                    self.pruning = self.pruning || (self.feasible)(key);
                }
            }
        }
        // Include each frontier unit in turn, the earlier ones excluded.
        let mut open = frontier;
        let mut barred = excluded;
        while open != 0 {
            let v = open.trailing_zeros() as usize;
            let bit = 1u64 << v;
            open &= !bit;
            let grown = side | bit;
            let next = (open | self.pair.adjacent[v]) & self.all & !grown & !barred;
            let (src, dst) = (row, row + width);
            for x in 0..width {
                self.sums[dst + x] = self.sums[src + x] + self.pair.own[v * width + x];
            }
            self.extend(grown, depth + 1, next, barred);
            barred |= bit;
        }
    }
}

/// Whether the units of `set` (non-empty) form one connected piece.
fn connected(adjacent: &[u64], set: u64) -> bool {
    let mut reached = set & set.wrapping_neg();
    loop {
        let mut grown = reached;
        let mut todo = reached;
        while todo != 0 {
            let v = todo.trailing_zeros() as usize;
            todo &= todo - 1;
            grown |= adjacent[v] & set;
        }
        if grown == reached {
            return reached == set;
        }
        reached = grown;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path of `m` units with unit weights: the connected splits are the
    /// m − 1 prefixes; the balanced one is found.
    #[test]
    fn a_path_splits_at_its_middle() {
        let m = 6;
        let adjacent: Vec<u64> = (0..m)
            .map(|i| {
                let mut a = 0u64;
                if i > 0 {
                    a |= 1 << (i - 1);
                }
                if i + 1 < m {
                    a |= 1 << (i + 1);
                }
                a
            })
            .collect();
        let own = vec![1.0; m];
        let pair = Pair {
            adjacent: &adjacent,
            own: &own,
            width: 1,
            capped: &[],
        };
        let mut seen = Vec::new();
        let found = best_split(
            &pair,
            None,
            &mut |s: &[f64], mask| {
                seen.push(mask);
                Some((s[0] - 3.0).abs())
            },
            &|a, b| a < b,
            &|k| k == 0.0,
        );
        assert!(found.complete);
        assert_eq!(found.side.map(|(mask, _)| mask), Some(0b000111));
        // Connected sides holding unit 0 with a connected rest: the 5 prefixes.
        seen.sort_unstable();
        assert_eq!(seen, vec![0b1, 0b11, 0b111, 0b1111, 0b11111]);
    }

    /// A 3 × 3 grid: every listed side and its rest are connected, and no
    /// side is listed twice.
    #[test]
    fn grid_sides_are_connected_and_distinct() {
        let idx = |r: usize, c: usize| r * 3 + c;
        let mut adjacent = vec![0u64; 9];
        for r in 0..3 {
            for c in 0..3 {
                if r + 1 < 3 {
                    adjacent[idx(r, c)] |= 1 << idx(r + 1, c);
                    adjacent[idx(r + 1, c)] |= 1 << idx(r, c);
                }
                if c + 1 < 3 {
                    adjacent[idx(r, c)] |= 1 << idx(r, c + 1);
                    adjacent[idx(r, c + 1)] |= 1 << idx(r, c);
                }
            }
        }
        let own = vec![1.0; 9];
        let pair = Pair {
            adjacent: &adjacent,
            own: &own,
            width: 1,
            capped: &[],
        };
        let mut seen = Vec::new();
        best_split(
            &pair,
            None,
            &mut |_, mask| {
                seen.push(mask);
                None::<f64>
            },
            &|a, b| a < b,
            &|_| false,
        );
        let count = seen.len();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), count, "a side listed twice");
        for &s in &seen {
            assert!(s & 1 == 1 && connected(&adjacent, s));
            assert!(connected(&adjacent, 0x1ff & !s));
        }
        // Brute force over all subsets holding unit 0.
        let brute = (1u64..0x1ff)
            .filter(|s| s & 1 == 1)
            .filter(|&s| connected(&adjacent, s) && connected(&adjacent, 0x1ff & !s))
            .count();
        assert_eq!(seen.len(), brute);
    }
}
