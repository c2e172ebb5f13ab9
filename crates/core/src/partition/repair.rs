//! From a fractional or priced assignment to a whole one inside the bands:
//! greedy repair of band violations at the least cost, then a polish pass of
//! cost-reducing moves that keep every band.

use super::balance::Balance;
use super::candidates::Candidates;

/// A whole assignment with its loads, kept in step by [`Assignment::apply`].
#[derive(Clone)]
pub(crate) struct Assignment {
    pub of: Vec<usize>,
    pub loads: Vec<f64>,
    c: usize,
}

impl Assignment {
    pub fn new(of: Vec<usize>, bal: &Balance, territories: usize) -> Self {
        let loads = bal.loads(&of, territories);
        Assignment {
            of,
            loads,
            c: bal.c,
        }
    }

    pub fn apply(&mut self, bal: &Balance, i: usize, to: usize) {
        let from = self.of[i];
        for (k, v) in bal.values(i).iter().enumerate() {
            self.loads[from * self.c + k] -= v;
            self.loads[to * self.c + k] += v;
        }
        self.of[i] = to;
    }

    /// Change in total band violation if `i` moved to `to`.
    pub fn violation_change(&self, bal: &Balance, i: usize, to: usize) -> f64 {
        let from = self.of[i];
        let mut delta = 0.0;
        for (k, v) in bal.values(i).iter().enumerate() {
            if *v == 0.0 {
                continue;
            }
            let (a, b) = (from * self.c + k, to * self.c + k);
            delta += bal.excess(a, self.loads[a] - v) - bal.excess(a, self.loads[a]);
            delta += bal.excess(b, self.loads[b] + v) - bal.excess(b, self.loads[b]);
        }
        delta
    }

    /// Whether moving `i` to `to` keeps both territories inside every band they are inside now.
    fn keeps_bands(&self, bal: &Balance, i: usize, to: usize) -> bool {
        let from = self.of[i];
        bal.values(i).iter().enumerate().all(|(k, v)| {
            let (a, b) = (from * self.c + k, to * self.c + k);
            let a_ok = self.loads[a] - v >= bal.lo[a] || self.loads[a] < bal.lo[a] && *v == 0.0;
            let b_ok = self.loads[b] + v <= bal.hi[b] || self.loads[b] > bal.hi[b] && *v == 0.0;
            a_ok && b_ok
        })
    }
}

/// Rounds an LP solution: whole rows keep their territory; split rows are then
/// placed one by one (largest share first) where they leave the least band
/// violation given the loads so far, ties to the larger share.
pub(crate) fn round(
    bal: &Balance,
    territories: usize,
    rows: &[Option<Vec<(usize, f64)>>],
    fixed_to: &[usize],
) -> (Assignment, usize) {
    // Interior-point shares are only accurate to the solver tolerance.
    const WHOLE: f64 = 0.99;
    let mut of: Vec<usize> = fixed_to.to_vec();
    let mut split: Vec<(f64, usize)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if let Some(r) = row {
            let top = r
                .iter()
                .copied()
                .fold((usize::MAX, f64::NEG_INFINITY), |b, s| {
                    if s.1 > b.1 {
                        s
                    } else {
                        b
                    }
                });
            of[i] = top.0;
            if top.1 < WHOLE {
                split.push((top.1, i));
            }
        }
    }
    // Loads of the whole rows only; split rows are added as they are placed.
    let mut asg = Assignment::new(of, bal, territories);
    for &(_, i) in &split {
        let j = asg.of[i];
        for (k, v) in bal.values(i).iter().enumerate() {
            asg.loads[j * asg.c + k] -= v;
        }
    }
    split.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in &split {
        let row = rows[i].as_ref().expect("split rows are free rows");
        let mut best = (f64::INFINITY, f64::NEG_INFINITY, usize::MAX);
        for &(j, share) in row.iter().filter(|(_, x)| *x > 1e-6) {
            let added: f64 = bal
                .values(i)
                .iter()
                .enumerate()
                .map(|(k, v)| {
                    let idx = j * asg.c + k;
                    bal.excess(idx, asg.loads[idx] + v) - bal.excess(idx, asg.loads[idx])
                })
                .sum();
            if added < best.0 - 1e-12 || (added <= best.0 + 1e-12 && share > best.1) {
                best = (added, share, j);
            }
        }
        // Numerically empty rows keep their largest share.
        let j = if best.2 == usize::MAX {
            asg.of[i]
        } else {
            best.2
        };
        asg.of[i] = j;
        for (k, v) in bal.values(i).iter().enumerate() {
            asg.loads[j * asg.c + k] += v;
        }
    }
    (asg, split.len())
}

/// Greedy repair: while some band is violated, move the accounts that reduce the
/// total violation at the least added cost per unit reduced. Stops when no move helps.
pub(crate) fn repair(asg: &mut Assignment, bal: &Balance, cand: &Candidates, territories: usize) {
    let n = asg.of.len();
    let c = bal.c;
    let mut stuck = vec![false; territories * c];
    // Every move touching territory j involves an account that has j as a candidate.
    let by_candidate = accounts_by_candidate(cand, territories);
    // A move changes two territories' loads; only bands of territories sharing
    // a candidate account with one of them can have been freed by it.
    let sharing = sharing_candidates(cand, &by_candidate);
    let unstick = |stuck: &mut [bool], changed: &[usize]| {
        for &t in changed {
            for &u in &sharing[t] {
                stuck[u * c..(u + 1) * c]
                    .iter_mut()
                    .for_each(|s| *s = false);
            }
        }
    };
    let mut changed: Vec<usize> = Vec::new();
    let mut lists = SwapLists::new(territories);
    let mut touched = vec![0u32; n];
    let mut stamp = 0u32;
    for _round in 0..(20 * territories * c).max(1000) {
        // The worst violated band not yet known to be stuck.
        let worst = (0..territories * c)
            .filter(|&idx| !stuck[idx])
            .map(|idx| (idx, bal.excess(idx, asg.loads[idx])))
            .filter(|(_, e)| *e > 1e-9)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let Some((idx, _)) = worst else { return };
        let (j, k) = (idx / c, idx % c);
        let over = asg.loads[idx] > bal.hi[idx];
        // Moves touching territory j on criterion k, scored by cost per violation removed.
        let mut moves: Vec<(f64, usize, usize)> = Vec::new();
        for &i in &by_candidate[j] {
            if bal.values(i)[k] == 0.0 || cand.len[i] < 2 {
                continue;
            }
            let here = asg.of[i];
            if over && here != j || !over && here == j {
                continue;
            }
            let Some(cost_here) = cand.cost_of(i, here) else {
                continue;
            };
            for (to, cost) in cand.of(i) {
                if to == here || (!over && to != j) {
                    continue;
                }
                let dv = asg.violation_change(bal, i, to);
                if dv < -1e-12 {
                    moves.push(((cost - cost_here) / -dv, i, to));
                }
            }
        }
        changed.clear();
        if moves.is_empty() {
            match lists.swap(asg, bal, cand, &by_candidate[j], j) {
                Some(other) => {
                    lists.changed(&[j, other]);
                    unstick(&mut stuck, &[j, other]);
                }
                None => stuck[idx] = true,
            }
            continue;
        }
        moves.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        stamp += 1;
        for (_, i, to) in moves {
            if touched[i] == stamp || bal.excess(idx, asg.loads[idx]) <= 1e-9 {
                continue;
            }
            if asg.violation_change(bal, i, to) < -1e-12 {
                changed.extend([asg.of[i], to]);
                asg.apply(bal, i, to);
                touched[i] = stamp;
            }
        }
        if changed.is_empty() {
            match lists.swap(asg, bal, cand, &by_candidate[j], j) {
                Some(other) => changed.extend([j, other]),
                None => stuck[idx] = true,
            }
        }
        changed.sort_unstable();
        changed.dedup();
        lists.changed(&changed);
        unstick(&mut stuck, &changed);
    }
}

/// For each territory, the territories that share a candidate account with
/// it (itself included), in increasing order.
fn sharing_candidates(cand: &Candidates, by_candidate: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut mark = vec![usize::MAX; by_candidate.len()];
    by_candidate
        .iter()
        .enumerate()
        .map(|(a, accounts)| {
            let mut list = Vec::new();
            for &i in accounts {
                for (t, _) in cand.of(i) {
                    if mark[t] != a {
                        mark[t] = a;
                        list.push(t);
                    }
                }
            }
            list.sort_unstable();
            list
        })
        .collect()
}

/// Reused lists of [`repair_swap`] (per territory, the accounts that could
/// go there from `j` and those that could come to `j` from there), and the
/// swaps known to fail.
///
/// A swap for `j` depends only on `j`'s accounts and loads and on those of
/// the territories its accounts may go to. A failed search is not repeated
/// until one of them changes: the greedy repair asked again after every
/// move nearby (at 131,072 cells into 1,000 territories, 45,000 failed
/// searches took 100 s).
struct SwapLists {
    out_of: Vec<Vec<(f64, usize)>>,
    into: Vec<Vec<(f64, usize)>>,
    listed: Vec<usize>,
    /// Per territory, the step at which its accounts last changed.
    changed_at: Vec<u64>,
    step: u64,
    /// Per territory, the step its swap search last failed at and the
    /// territories that search depended on.
    failed: Vec<Option<(u64, Vec<usize>)>>,
}

impl SwapLists {
    fn new(territories: usize) -> Self {
        SwapLists {
            out_of: vec![Vec::new(); territories],
            into: vec![Vec::new(); territories],
            listed: Vec::new(),
            changed_at: vec![0; territories],
            step: 0,
            failed: vec![None; territories],
        }
    }

    /// Records that accounts of `territories` moved.
    fn changed(&mut self, territories: &[usize]) {
        self.step += 1;
        for &t in territories {
            self.changed_at[t] = self.step;
        }
    }

    /// [`repair_swap`], unless it failed before and nothing it depends on
    /// changed since.
    fn swap(
        &mut self,
        asg: &mut Assignment,
        bal: &Balance,
        cand: &Candidates,
        near_j: &[usize],
        j: usize,
    ) -> Option<usize> {
        if let Some((at, on)) = &self.failed[j] {
            if on.iter().all(|&t| self.changed_at[t] <= *at) {
                return None;
            }
        }
        let done = repair_swap(asg, bal, cand, near_j, j, self);
        self.failed[j] = match done {
            Some(_) => None,
            None => {
                let mut on: Vec<usize> = self
                    .listed
                    .iter()
                    .copied()
                    .filter(|&t| !self.out_of[t].is_empty())
                    .collect();
                on.push(j);
                Some((self.step, on))
            }
        };
        done
    }
}

/// Accounts per side a swap considers with each neighbour (the cheapest).
const SWAP_SIDE: usize = 80;

/// The `SWAP_SIDE` cheapest of `list`, cheapest first (ties by account).
fn cheapest(list: &mut Vec<(f64, usize)>) {
    let by = |a: &(f64, usize), b: &(f64, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    if list.len() > SWAP_SIDE {
        list.select_nth_unstable_by(SWAP_SIDE - 1, by);
        list.truncate(SWAP_SIDE);
    }
    list.sort_by(by);
}

/// One swap between territory `j` and a neighbour that lowers the total band
/// violation, cheapest per unit of violation removed. Returns the neighbour
/// swapped with.
fn repair_swap(
    asg: &mut Assignment,
    bal: &Balance,
    cand: &Candidates,
    near_j: &[usize],
    j: usize,
    lists: &mut SwapLists,
) -> Option<usize> {
    let c = bal.c;
    // Accounts of j that could leave, and accounts elsewhere that could come in, by neighbour.
    for t in lists.listed.drain(..) {
        lists.out_of[t].clear();
        lists.into[t].clear();
    }
    let list = |lists: &mut SwapLists, t: usize| {
        if lists.out_of[t].is_empty() && lists.into[t].is_empty() {
            lists.listed.push(t);
        }
    };
    for &i in near_j {
        if cand.len[i] < 2 {
            continue;
        }
        let here = asg.of[i];
        let Some(cost_here) = cand.cost_of(i, here) else {
            continue;
        };
        if here == j {
            for (to, cost) in cand.of(i).filter(|(t, _)| *t != j) {
                list(lists, to);
                lists.out_of[to].push((cost - cost_here, i));
            }
        } else if let Some(cost) = cand.cost_of(i, j) {
            list(lists, here);
            lists.into[here].push((cost - cost_here, i));
        }
    }
    lists.listed.sort_unstable();
    let mut best: Option<(f64, usize, usize, usize)> = None;
    let mut base = vec![(0.0, 0.0); c];
    for &other in &lists.listed {
        if lists.out_of[other].is_empty() || lists.into[other].is_empty() {
            continue;
        }
        cheapest(&mut lists.out_of[other]);
        cheapest(&mut lists.into[other]);
        for (k, b) in base.iter_mut().enumerate() {
            let (a, o) = (j * c + k, other * c + k);
            *b = (bal.excess(a, asg.loads[a]), bal.excess(o, asg.loads[o]));
        }
        // A swap removes at most the two territories' whole excess, so a
        // pair costing more than `best` per that much cannot win; the lists
        // are cheapest first, so the rest of a row (and of the rows) is
        // skipped. Slightly widened for rounding: the same swap is found.
        let most = base.iter().map(|b| b.0 + b.1).sum::<f64>() * (1.0 + 1e-9) + 1e-12;
        let beaten = |dc: f64, best: &Option<(f64, usize, usize, usize)>| {
            dc > 0.0 && best.is_some_and(|b| dc / most > b.0)
        };
        let cheapest_in = lists.into[other].first().map_or(0.0, |e| e.0);
        for &(dc_i, i) in &lists.out_of[other] {
            if beaten(dc_i + cheapest_in, &best) {
                break;
            }
            let vi = bal.values(i);
            for &(dc_m, m) in &lists.into[other] {
                if beaten(dc_i + dc_m, &best) {
                    break;
                }
                let vm = bal.values(m);
                let mut dv = 0.0;
                for k in 0..c {
                    let d = vm[k] - vi[k];
                    if d == 0.0 {
                        continue;
                    }
                    let (a, b) = (j * c + k, other * c + k);
                    dv += bal.excess(a, asg.loads[a] + d) - base[k].0;
                    dv += bal.excess(b, asg.loads[b] - d) - base[k].1;
                }
                if dv < -1e-9 {
                    let score = (dc_i + dc_m) / -dv;
                    if best.is_none_or(|b| score < b.0) {
                        best = Some((score, i, m, other));
                    }
                }
            }
        }
    }
    match best {
        Some((_, i, m, other)) => {
            asg.apply(bal, i, other);
            asg.apply(bal, m, j);
            Some(other)
        }
        None => None,
    }
}

/// Cost-reducing single moves that keep every band, repeated until none is left
/// (or `passes` sweeps). Returns the number of moves made.
pub(crate) fn polish(
    asg: &mut Assignment,
    bal: &Balance,
    cand: &Candidates,
    passes: usize,
) -> usize {
    let n = asg.of.len();
    let mut total = 0;
    for _ in 0..passes {
        let mut moved = 0;
        for i in 0..n {
            if cand.len[i] < 2 {
                continue;
            }
            let here = asg.of[i];
            let Some(cost_here) = cand.cost_of(i, here) else {
                continue;
            };
            let mut best: Option<(f64, usize)> = None;
            for (to, cost) in cand.of(i) {
                if to != here
                    && cost < cost_here - 1e-12
                    && best.is_none_or(|b| cost < b.0)
                    && asg.keeps_bands(bal, i, to)
                {
                    best = Some((cost, to));
                }
            }
            if let Some((_, to)) = best {
                asg.apply(bal, i, to);
                moved += 1;
            }
        }
        total += moved;
        if moved == 0 {
            break;
        }
    }
    total
}

/// Cost-reducing swaps of two accounts between neighbouring territories that keep
/// every band; catches improvements single moves cannot make at tight tolerances.
pub(crate) fn swap_pass(
    asg: &mut Assignment,
    bal: &Balance,
    cand: &Candidates,
    territories: usize,
) -> usize {
    let n = asg.of.len();
    let c = bal.c;
    // Accounts that would rather be elsewhere, grouped by (from, to).
    let mut wants: std::collections::BTreeMap<(usize, usize), Vec<(f64, usize)>> =
        Default::default();
    for i in 0..n {
        if cand.len[i] < 2 {
            continue;
        }
        let here = asg.of[i];
        let Some(cost_here) = cand.cost_of(i, here) else {
            continue;
        };
        for (to, cost) in cand.of(i) {
            if to != here {
                wants
                    .entry((here, to))
                    .or_default()
                    .push((cost - cost_here, i));
            }
        }
    }
    let mut swaps = 0;
    let mut used = vec![false; n];
    for ((a, b), list) in &wants {
        if a > b {
            continue;
        }
        let Some(back) = wants.get(&(*b, *a)) else {
            continue;
        };
        let mut fwd: Vec<(f64, usize)> = list.iter().copied().filter(|x| x.0 < 0.0).collect();
        let mut bwd: Vec<(f64, usize)> = back.clone();
        fwd.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        bwd.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        bwd.truncate(64);
        for &(gain_i, i) in fwd.iter().take(64) {
            if used[i] || asg.of[i] != *a {
                continue;
            }
            for &(gain_m, m) in &bwd {
                if used[m] || asg.of[m] != *b || gain_i + gain_m >= -1e-12 {
                    continue;
                }
                // Net change in each band of a and b.
                let ok = (0..c).all(|k| {
                    let d = bal.values(m)[k] - bal.values(i)[k];
                    let (ia, ib) = (a * c + k, b * c + k);
                    let na = asg.loads[ia] + d;
                    let nb = asg.loads[ib] - d;
                    bal.excess(ia, na) <= bal.excess(ia, asg.loads[ia]) + 1e-12
                        && bal.excess(ib, nb) <= bal.excess(ib, asg.loads[ib]) + 1e-12
                });
                if ok {
                    asg.apply(bal, i, *b);
                    asg.apply(bal, m, *a);
                    used[i] = true;
                    used[m] = true;
                    swaps += 1;
                    break;
                }
            }
        }
    }
    let _ = territories;
    swaps
}

/// Moves accounts back to their current territory, least balance damage first,
/// until at most `limit` accounts are away from it (rebalancing with a cap).
/// Undoes moves, as [`trim_moves`], but only those that keep both territories
/// in one piece: the account must leave its territory without splitting it
/// and return next to a member of its home territory (`keeps_pieces`).
/// Stops when the cap is met or no such move is left.
pub(crate) fn trim_moves_connected(
    asg: &mut Assignment,
    bal: &Balance,
    cand: &Candidates,
    limit: usize,
    keeps_pieces: &mut dyn FnMut(&Assignment, usize, usize) -> bool,
) {
    let Some(d) = cand.disruption.as_ref() else {
        return;
    };
    loop {
        let moved: Vec<usize> = (0..asg.of.len())
            .filter(|&i| d.home[i].is_some_and(|h| h != asg.of[i]) && cand.len[i] > 1)
            .collect();
        if moved.len() <= limit {
            return;
        }
        let mut best: Option<(f64, usize, usize)> = None;
        for &i in &moved {
            let home = d.home[i].expect("moved accounts have a home");
            if !keeps_pieces(asg, i, home) {
                continue;
            }
            let change = asg.violation_change(bal, i, home);
            if best.is_none_or(|(c, b, _)| change.total_cmp(&c).then(i.cmp(&b)).is_lt()) {
                best = Some((change, i, home));
            }
        }
        let Some((_, i, home)) = best else { return };
        asg.apply(bal, i, home);
    }
}

/// Undoes moves (back to each account's current territory) until at most
/// `limit` accounts that still have their territory have moved, each time the
/// one whose return hurts balance least.
pub(crate) fn trim_moves(asg: &mut Assignment, bal: &Balance, cand: &Candidates, limit: usize) {
    let Some(d) = cand.disruption.as_ref() else {
        return;
    };
    loop {
        let moved: Vec<usize> = (0..asg.of.len())
            .filter(|&i| d.home[i].is_some_and(|h| h != asg.of[i]) && cand.len[i] > 1)
            .collect();
        if moved.len() <= limit {
            return;
        }
        let best = moved
            .iter()
            .map(|&i| {
                let home = d.home[i].expect("moved accounts have a home");
                (asg.violation_change(bal, i, home), i, home)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let Some((_, i, home)) = best else { return };
        asg.apply(bal, i, home);
    }
}

/// For each territory, the accounts that have it among their candidates.
fn accounts_by_candidate(cand: &Candidates, territories: usize) -> Vec<Vec<usize>> {
    let mut by = vec![Vec::new(); territories];
    for i in 0..cand.len.len() {
        for (j, _) in cand.of(i) {
            by[j].push(i);
        }
    }
    by
}
