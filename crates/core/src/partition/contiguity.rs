//! Contiguity repair: every territory one connected piece of the adjacency
//! graph. Cut-off fragments join the neighbouring territory that hurts balance
//! and compactness least; balance is then restored by moving border accounts
//! only, never one whose removal would split its territory.

use std::collections::VecDeque;

use petgraph::unionfind::UnionFind;

use super::balance::Balance;
use super::border::BorderLists;
use super::repair::Assignment;
use super::repair_graph::Graph;
use super::territory_lists::TerritoryLists;

/// What the repair achieved.
pub(crate) struct Outcome {
    /// Fragments moved to a neighbouring territory.
    pub fragments_moved: usize,
    /// Border moves made to restore balance.
    pub balance_moves: usize,
}

/// Makes every territory contiguous where possible, then restores balance with
/// contiguity-preserving moves.
pub(crate) fn repair(
    asg: &mut Assignment,
    bal: &Balance,
    g: &Graph<'_>,
    territories: usize,
) -> Outcome {
    let fragments_moved = merge_all(asg, bal, g, territories, None);
    let balance_moves = rebalance_on_border(asg, bal, g, territories);
    Outcome {
        fragments_moved,
        balance_moves,
    }
}

/// Merges cut-off fragments into a neighbour until none is left (or 20
/// passes); fragments holding a locked account stay. Returns how many moved.
/// With `only`, just the fragments of those territories (a move that cut
/// pieces off those alone need not search the whole plan for more).
pub(crate) fn merge_all(
    asg: &mut Assignment,
    bal: &Balance,
    g: &Graph<'_>,
    territories: usize,
    only: Option<&[usize]>,
) -> usize {
    let mask: Option<Vec<bool>> = only.map(|list| {
        let mut mask = vec![false; territories];
        list.iter().for_each(|&t| mask[t] = true);
        mask
    });
    let mut fragments_moved = 0;
    for _pass in 0..20 {
        let moved = merge_fragments(asg, bal, g, territories, mask.as_deref());
        fragments_moved += moved;
        if moved == 0 {
            break;
        }
    }
    fragments_moved
}

/// Most accounts for which [`shake`] runs its perturbation rounds.
const SHAKE_MAX_ACCOUNTS: usize = 10_000;

/// Rounds in a row without improvement after which [`shake`] stops.
const SHAKE_STALL: usize = 1500;

/// Iterated local search on the band violation that border moves alone left:
/// a few random moves that keep every territory whole, then the border
/// descent again, keeping the result only when it is less out of band (or as
/// far out and cheaper). Tight tolerances on coarse units (a unit carrying
/// several percent of a territory) need such combinations. Deterministic for
/// a seed; a fixed number of rounds.
pub(crate) fn shake(
    asg: &mut Assignment,
    bal: &Balance,
    g: &Graph<'_>,
    territories: usize,
    rounds: usize,
    seed: u64,
) -> usize {
    use rand::{Rng, SeedableRng};
    let n = asg.of.len();
    if !(2..=SHAKE_MAX_ACCOUNTS).contains(&n) {
        return 0;
    }
    let total_cost = |a: &Assignment| (0..n).map(|i| g.cost(i, a.of[i])).sum::<f64>();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_5a4e);
    let mut best = asg.clone();
    let mut best_key = (bal.violation(&best.loads), total_cost(&best));
    let (mut seen, mut stamp) = (vec![0u32; n], 0u32);
    let (mut improved, mut stalled) = (0, 0);
    for _ in 0..rounds {
        if best_key.0 <= 1e-9 || stalled >= SHAKE_STALL {
            break;
        }
        let mut trial = best.clone();
        // Kicks land where bands are missed: accounts of an out-of-band
        // territory or bordering one (a kick far away only costs compactness).
        let out: Vec<bool> = (0..territories)
            .map(|j| {
                (0..bal.c).any(|k| bal.excess(j * bal.c + k, best.loads[j * bal.c + k]) > 1e-9)
            })
            .collect();
        let near: Vec<usize> = (0..n)
            .filter(|&i| out[best.of[i]] || g.neighbours(i).iter().any(|&m| out[best.of[m]]))
            .collect();
        let kicks = rng.random_range(1..=3);
        for _ in 0..kicks {
            for _attempt in 0..20 {
                let i = if near.is_empty() {
                    rng.random_range(0..n)
                } else {
                    near[rng.random_range(0..near.len())]
                };
                let nb = g.neighbours(i);
                if nb.is_empty() || g.locked[i] {
                    continue;
                }
                let to = trial.of[nb[rng.random_range(0..nb.len())]];
                if to != trial.of[i] && removable(&trial, g, i, &mut seen, &mut stamp) {
                    trial.apply(bal, i, to);
                    break;
                }
            }
        }
        rebalance_on_border(&mut trial, bal, g, territories);
        let key = (bal.violation(&trial.loads), total_cost(&trial));
        let better = key.0 < best_key.0 - 1e-12
            || (key.0 <= best_key.0 + 1e-12 && key.1 < best_key.1 - 1e-12);
        if better {
            best = trial;
            best_key = key;
            improved += 1;
            stalled = 0;
        } else {
            stalled += 1;
        }
    }
    *asg = best;
    improved
}

/// Components of each territory: `component[i]` is a representative, and the
/// main component of each territory is its largest.
fn components(
    asg: &Assignment,
    g: &Graph<'_>,
    territories: usize,
    mask: Option<&[bool]>,
) -> (Vec<usize>, Vec<usize>) {
    let n = asg.of.len();
    let mut uf: UnionFind<usize> = UnionFind::new(n);
    for i in 0..n {
        if mask.is_some_and(|m| !m[asg.of[i]]) {
            continue;
        }
        for &m in g.neighbours(i) {
            if m > i && asg.of[m] == asg.of[i] {
                uf.union(i, m);
            }
        }
    }
    let component: Vec<usize> = (0..n).map(|i| uf.find(i)).collect();
    let mut size = vec![0usize; n];
    for &c in &component {
        size[c] += 1;
    }
    let mut main = vec![usize::MAX; territories];
    for i in 0..n {
        let (t, c) = (asg.of[i], component[i]);
        // Largest piece; ties to the piece with the smallest representative.
        if main[t] == usize::MAX
            || size[c] > size[main[t]]
            || (size[c] == size[main[t]] && c < main[t])
        {
            main[t] = c;
        }
    }
    (component, main)
}

/// Moves every non-main fragment to an adjacent territory. Returns how many moved.
fn merge_fragments(
    asg: &mut Assignment,
    bal: &Balance,
    g: &Graph<'_>,
    territories: usize,
    mask: Option<&[bool]>,
) -> usize {
    let n = asg.of.len();
    let (component, main) = components(asg, g, territories, mask);
    let mut members: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for i in 0..n {
        if mask.is_some_and(|m| !m[asg.of[i]]) {
            continue;
        }
        if component[i] != main[asg.of[i]] {
            members.entry(component[i]).or_default().push(i);
        }
    }
    // Small fragments first: they are the cheap, obvious fixes.
    let mut fragments: Vec<Vec<usize>> = members.into_values().collect();
    fragments.sort_by_key(|f| (f.len(), f[0]));
    let mut moved = 0;
    for fragment in fragments {
        if fragment.iter().any(|&i| g.locked[i]) {
            continue;
        }
        let from = asg.of[fragment[0]];
        if fragment.iter().any(|&i| asg.of[i] != from) {
            continue;
        }
        let mut options: Vec<usize> = fragment
            .iter()
            .flat_map(|&i| g.neighbours(i).iter().map(|&m| asg.of[m]))
            .filter(|&t| t != from)
            .collect();
        options.sort_unstable();
        options.dedup();
        let best = options
            .into_iter()
            .map(|to| {
                let dv = fragment_violation_change(asg, bal, &fragment, from, to);
                let dc: f64 = fragment
                    .iter()
                    .map(|&i| g.cost(i, to) - g.cost(i, from))
                    .sum();
                (dv, dc, to)
            })
            .min_by(|a, b| {
                a.0.total_cmp(&b.0)
                    .then(a.1.total_cmp(&b.1))
                    .then(a.2.cmp(&b.2))
            });
        if let Some((_, _, to)) = best {
            for &i in &fragment {
                asg.apply(bal, i, to);
            }
            moved += 1;
        }
    }
    moved
}

fn fragment_violation_change(
    asg: &Assignment,
    bal: &Balance,
    fragment: &[usize],
    from: usize,
    to: usize,
) -> f64 {
    let c = bal.c;
    let mut delta = 0.0;
    for k in 0..c {
        let v: f64 = fragment.iter().map(|&i| bal.values(i)[k]).sum();
        let (a, b) = (from * c + k, to * c + k);
        delta += bal.excess(a, asg.loads[a] - v) - bal.excess(a, asg.loads[a]);
        delta += bal.excess(b, asg.loads[b] + v) - bal.excess(b, asg.loads[b]);
    }
    delta
}

/// Whether `i` can leave its territory without splitting it: all its
/// same-territory neighbours stay connected to each other without it.
///
/// Most accounts answer locally: in a triangulation the neighbours of an
/// account inside its territory, or on a border it meets once, are joined by
/// edges among themselves. Otherwise searches grow from each group of joined
/// neighbours in turn, and the first to run out proves a split: a cut-off
/// spur costs its own size, not the whole territory's (at a million
/// accounts, whole-territory searches were half the contiguity repair).
pub(crate) fn removable(
    asg: &Assignment,
    g: &Graph<'_>,
    i: usize,
    seen: &mut [u32],
    stamp: &mut u32,
) -> bool {
    let t = asg.of[i];
    let same: Vec<usize> = g
        .neighbours(i)
        .iter()
        .copied()
        .filter(|&m| asg.of[m] == t)
        .collect();
    if same.len() <= 1 {
        // A leaf (or isolated) account: leaving cannot split the rest.
        return true;
    }
    // Groups of the same-territory neighbours joined by direct edges.
    let mut group: Vec<usize> = (0..same.len()).collect();
    fn root(group: &mut [usize], mut a: usize) -> usize {
        while group[a] != a {
            group[a] = group[group[a]];
            a = group[a];
        }
        a
    }
    let mut groups = same.len();
    for (a, &u) in same.iter().enumerate() {
        for &m in g.neighbours(u) {
            if let Some(b) = same.iter().position(|&x| x == m) {
                let (ra, rb) = (root(&mut group, a), root(&mut group, b));
                if ra != rb {
                    group[rb] = ra;
                    groups -= 1;
                }
            }
        }
    }
    if groups == 1 {
        return true;
    }
    // One search per group, labelled `base + group`, grown in turn; groups
    // whose searches meet are merged.
    if *stamp > u32::MAX - 2 * same.len() as u32 - 2 {
        seen.iter_mut().for_each(|s| *s = 0);
        *stamp = 0;
    }
    let base = *stamp + 1;
    *stamp += same.len() as u32 + 1;
    seen[i] = *stamp;
    let mut queues: Vec<VecDeque<usize>> = vec![VecDeque::new(); same.len()];
    for (a, &u) in same.iter().enumerate() {
        let r = root(&mut group, a);
        seen[u] = base + r as u32;
        queues[r].push_back(u);
    }
    let mut turn = 0;
    loop {
        let r = turn % same.len();
        turn += 1;
        if root(&mut group, r) != r {
            continue;
        }
        let Some(u) = queues[r].pop_front() else {
            // This group's side is searched out without meeting another.
            return false;
        };
        for &m in g.neighbours(u) {
            if m == i || asg.of[m] != t {
                continue;
            }
            if seen[m] >= base && seen[m] < base + same.len() as u32 {
                let other = root(&mut group, (seen[m] - base) as usize);
                if other != r {
                    group[other] = r;
                    let moved = std::mem::take(&mut queues[other]);
                    queues[r].extend(moved);
                    groups -= 1;
                    if groups == 1 {
                        return true;
                    }
                }
            } else {
                seen[m] = base + r as u32;
                queues[r].push_back(m);
            }
        }
    }
}

/// Territory member lists and border lists kept in step with moves (for
/// scans per territory), and which territories touch which, recomputed for
/// a territory only after a move on or next to its border.
pub(crate) struct Members {
    pub lists: TerritoryLists,
    border: BorderLists,
    touching: Vec<Vec<usize>>,
    stale: Vec<bool>,
    /// Territories that lost or gained an account since [`Members::near_recent`].
    recent: Vec<usize>,
    /// Scratch for the search in [`Members::near_recent`].
    reached: Vec<u32>,
    round: u32,
}

impl Members {
    pub fn new(of: &[usize], territories: usize) -> Self {
        let mut lists = TerritoryLists::new(territories, of.len());
        for (i, &t) in of.iter().enumerate() {
            lists.insert(t, i);
        }
        Members {
            lists,
            border: BorderLists::lazy(territories, of.len()),
            touching: vec![Vec::new(); territories],
            stale: vec![true; territories],
            recent: Vec::new(),
            reached: vec![0; territories],
            round: 0,
        }
    }

    pub fn relocate(&mut self, g: &Graph<'_>, asg: &Assignment, i: usize, from: usize, to: usize) {
        self.lists.remove(from, i);
        self.lists.insert(to, i);
        self.border.moved(asg, g, i, from);
        self.stale[from] = true;
        self.stale[to] = true;
        self.recent.extend([from, to]);
        for &m in g.neighbours(i) {
            self.stale[asg.of[m]] = true;
        }
    }

    /// The territories at most `radius` borders away from one that changed
    /// since the last call (those included), and forgets the changes.
    pub fn near_recent(&mut self, g: &Graph<'_>, asg: &Assignment, radius: usize) -> Vec<usize> {
        self.round += 1;
        let mark = self.round;
        let mut frontier: Vec<usize> = std::mem::take(&mut self.recent);
        frontier.retain(|&t| {
            let new = self.reached[t] != mark;
            self.reached[t] = mark;
            new
        });
        let mut near = frontier.clone();
        for _ in 0..radius {
            let mut next = Vec::new();
            for &t in &frontier {
                for &u in self.touching(g, asg, t).to_vec().iter() {
                    if self.reached[u] != mark {
                        self.reached[u] = mark;
                        next.push(u);
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            near.extend_from_slice(&next);
            frontier = next;
        }
        near
    }

    /// The territories sharing a border with `t`, in increasing order.
    pub fn touching(&mut self, g: &Graph<'_>, asg: &Assignment, t: usize) -> &[usize] {
        if self.stale[t] {
            let mut next: Vec<usize> = self
                .border
                .of(asg, g, t, &self.lists[t])
                .iter()
                .flat_map(|&i| g.neighbours(i).iter().map(|&m| asg.of[m]))
                .filter(|&u| u != t)
                .collect();
            next.sort_unstable();
            next.dedup();
            self.touching[t] = next;
            self.stale[t] = false;
        }
        &self.touching[t]
    }

    /// The accounts of `t` with a neighbour in another territory.
    pub fn border(&mut self, g: &Graph<'_>, asg: &Assignment, t: usize) -> &[usize] {
        self.border.of(asg, g, t, &self.lists[t])
    }
}

/// Most links of an ejection chain.
const MAX_LINKS: usize = 10;

/// How many borders away from a move a stuck band is tried again: a chain
/// runs up to [`MAX_LINKS`] links, so a move further away cannot change it.
const UNSTICK_RADIUS: usize = MAX_LINKS;

/// Greedy balance repair restricted to border accounts whose move keeps both
/// territories connected: single moves first, then border swaps between two
/// neighbouring territories. Returns the number of moves.
fn rebalance_on_border(
    asg: &mut Assignment,
    bal: &Balance,
    g: &Graph<'_>,
    territories: usize,
) -> usize {
    // The tabu search that follows does better than more rounds here on
    // many territories (each failing round tries its chains).
    let rounds = (50 * territories * bal.c).clamp(2000, 10_000);
    rebalance_on_border_from(asg, bal, g, territories, None, rounds)
}

/// As [`rebalance_on_border`], for the bands now further out than
/// `baseline` (each band's excess before some moves) when given: those moves
/// are undone in balance without chasing what was out of band before them.
/// At most `rounds` repair steps.
pub(crate) fn rebalance_on_border_from(
    asg: &mut Assignment,
    bal: &Balance,
    g: &Graph<'_>,
    territories: usize,
    baseline: Option<&[f64]>,
    rounds: usize,
) -> usize {
    let n = asg.of.len();
    let c = bal.c;
    let mut members = Members::new(&asg.of, territories);
    let mut seen = vec![0u32; n];
    let mut stamp = 0u32;
    let mut moves = 0;
    let mut stuck = vec![false; territories * c];
    // A band found stuck is tried again once a move lands within reach of
    // its chains; moves further away cannot have freed it. With no band
    // stuck there is nothing to search for (the search reaches hundreds of
    // territories at a radius of 10).
    let unstick = |stuck: &mut [bool], members: &mut Members, asg: &Assignment| {
        let radius = if stuck.contains(&true) {
            UNSTICK_RADIUS
        } else {
            0
        };
        for t in members.near_recent(g, asg, radius) {
            stuck[t * c..(t + 1) * c]
                .iter_mut()
                .for_each(|s| *s = false);
        }
    };
    for _ in 0..rounds {
        let worst = (0..territories * c)
            .filter(|&idx| !stuck[idx])
            .map(|idx| {
                let e = bal.excess(idx, asg.loads[idx]);
                (idx, baseline.map_or(e, |b| e - b[idx]))
            })
            .filter(|(_, e)| *e > 1e-9)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let Some((idx, _)) = worst else { break };
        let j = idx / c;
        // Border pairs (account, territory it could join) touching j.
        let mut border: Vec<(usize, usize)> = Vec::new();
        for &i in members.border(g, asg, j) {
            for &m in g.neighbours(i) {
                let t = asg.of[m];
                if t != j {
                    border.push((i, t));
                    border.push((m, j));
                }
            }
        }
        border.sort_unstable();
        border.dedup();
        let mut best: Option<(f64, usize, usize)> = None;
        for &(i, to) in &border {
            if g.locked[i] {
                continue;
            }
            let here = asg.of[i];
            let dv = asg.violation_change(bal, i, to);
            if dv >= -1e-12 {
                continue;
            }
            let score = (g.cost(i, to) - g.cost(i, here)) / -dv;
            if best.is_none_or(|b| score < b.0) && removable(asg, g, i, &mut seen, &mut stamp) {
                best = Some((score, i, to));
            }
        }
        if let Some((_, i, to)) = best {
            let from = asg.of[i];
            asg.apply(bal, i, to);
            members.relocate(g, asg, i, from, to);
            moves += 1;
            unstick(&mut stuck, &mut members, asg);
            continue;
        }
        // No single move helps: try a swap across one of j's borders, then a chain.
        if chain(
            asg,
            bal,
            g,
            &mut members,
            idx,
            territories,
            &mut seen,
            &mut stamp,
        ) {
            moves += 1;
            unstick(&mut stuck, &mut members, asg);
        } else if let Some((i, m)) = border_swap(asg, bal, g, &border, j, &mut seen, &mut stamp) {
            let (a, b) = (asg.of[i], asg.of[m]);
            asg.apply(bal, i, b);
            members.relocate(g, asg, i, a, b);
            asg.apply(bal, m, a);
            members.relocate(g, asg, m, b, a);
            moves += 2;
            unstick(&mut stuck, &mut members, asg);
        } else {
            // Failed chains leave `recent` holding territories they undid.
            members.near_recent(g, asg, 0);
            stuck[idx] = true;
        }
    }
    moves
}

/// An ejection chain for band `idx` (territory j, criterion k): passes one
/// border account along a path of neighbouring territories, j → t1 → ... → tm,
/// until a territory with room takes it (or, for a band under its lower limit,
/// the reverse). Each link moves the cheapest removable border account carrying
/// criterion k. Kept only if the total violation falls; otherwise undone.
#[allow(clippy::too_many_arguments)]
fn chain(
    asg: &mut Assignment,
    bal: &Balance,
    g: &Graph<'_>,
    members: &mut Members,
    idx: usize,
    territories: usize,
    seen: &mut [u32],
    stamp: &mut u32,
) -> bool {
    const MAX_GOALS: usize = 12;
    let c = bal.c;
    let (j, k) = (idx / c, idx % c);
    let over = asg.loads[idx] > bal.hi[idx];
    // Territory graph by breadth-first search from j, shortest paths first.
    let mut parent = vec![usize::MAX; territories];
    let mut depth = vec![usize::MAX; territories];
    depth[j] = 0;
    let mut queue = VecDeque::from([j]);
    // Territories with room on every criterion in the direction of the flow.
    let has_room = |u: usize| {
        (0..c).all(|q| {
            let x = u * c + q;
            let need = if q == k {
                bal.typical[q]
            } else {
                0.5 * bal.typical[q]
            };
            if over {
                bal.hi[x] - asg.loads[x] >= need
            } else {
                asg.loads[x] - bal.lo[x] >= need
            }
        })
    };
    let mut goals = Vec::new();
    while let Some(t) = queue.pop_front() {
        if depth[t] >= MAX_LINKS || goals.len() >= MAX_GOALS {
            continue;
        }
        let next: Vec<usize> = members
            .touching(g, asg, t)
            .iter()
            .copied()
            .filter(|&u| depth[u] == usize::MAX)
            .collect();
        for u in next {
            depth[u] = depth[t] + 1;
            parent[u] = t;
            if has_room(u) && goals.len() < MAX_GOALS {
                goals.push(u);
            }
            queue.push_back(u);
        }
    }
    goals
        .into_iter()
        .any(|goal| run_chain(asg, bal, g, members, &parent, j, k, goal, over, seen, stamp))
}

/// Moves one account along each link of the path from `j` to `goal` (or back
/// for an under-filled band); keeps the moves only if the total violation falls.
#[allow(clippy::too_many_arguments)]
fn run_chain(
    asg: &mut Assignment,
    bal: &Balance,
    g: &Graph<'_>,
    members: &mut Members,
    parent: &[usize],
    j: usize,
    k: usize,
    goal: usize,
    over: bool,
    seen: &mut [u32],
    stamp: &mut u32,
) -> bool {
    let mut path = vec![goal];
    while *path.last().expect("non-empty") != j {
        path.push(parent[*path.last().expect("non-empty")]);
    }
    path.reverse();
    // Links in flow order: over → accounts flow from j outwards; under → towards j.
    let links: Vec<(usize, usize)> = if over {
        path.windows(2).map(|w| (w[0], w[1])).collect()
    } else {
        path.windows(2).rev().map(|w| (w[1], w[0])).collect()
    };
    let before = bal.violation(&asg.loads);
    let mut done: Vec<(usize, usize, usize)> = Vec::new();
    let mut completed = 0;
    'links: for (from, to) in links {
        // When no account carrying criterion k touches `to`, up to three other
        // border accounts move first to bring such accounts to the border.
        for exposing in 0..=3 {
            let carry = exposing < 3;
            let pick = border_pick(asg, bal, g, members, from, to, Some(k), seen, stamp);
            if let Some(i) = pick {
                asg.apply(bal, i, to);
                members.relocate(g, asg, i, from, to);
                done.push((i, from, to));
                completed += 1;
                continue 'links;
            }
            if !carry {
                break 'links;
            }
            let Some(e) = border_pick(asg, bal, g, members, from, to, None, seen, stamp) else {
                break 'links;
            };
            asg.apply(bal, e, to);
            members.relocate(g, asg, e, from, to);
            done.push((e, from, to));
        }
    }
    if completed == path.len() - 1 && bal.violation(&asg.loads) < before - 1e-9 {
        return true;
    }
    for (i, from, to) in done.into_iter().rev() {
        asg.apply(bal, i, from);
        members.relocate(g, asg, i, to, from);
    }
    false
}

/// The removable account of `from` bordering `to` that breaks the two bands
/// least (then the cheapest), among those carrying criterion `k` when given.
#[allow(clippy::too_many_arguments)]
fn border_pick(
    asg: &Assignment,
    bal: &Balance,
    g: &Graph<'_>,
    members: &mut Members,
    from: usize,
    to: usize,
    k: Option<usize>,
    seen: &mut [u32],
    stamp: &mut u32,
) -> Option<usize> {
    let mut options: Vec<(f64, f64, usize)> = members
        .border(g, asg, from)
        .iter()
        .copied()
        .filter(|&i| {
            !g.locked[i]
                && k.is_none_or(|k| bal.values(i)[k] != 0.0)
                && g.neighbours(i).iter().any(|&m| asg.of[m] == to)
        })
        .map(|i| {
            (
                asg.violation_change(bal, i, to),
                g.cost(i, to) - g.cost(i, from),
                i,
            )
        })
        .collect();
    options.sort_by(|a, b| {
        a.0.total_cmp(&b.0)
            .then(a.1.total_cmp(&b.1))
            .then(a.2.cmp(&b.2))
    });
    options
        .iter()
        .take(50)
        .find(|&&(_, _, i)| removable(asg, g, i, seen, stamp))
        .map(|&(_, _, i)| i)
}

/// The best swap of an account leaving `j` and one entering it from the same
/// neighbour, lowering the total violation, both moves keeping contiguity.
fn border_swap(
    asg: &Assignment,
    bal: &Balance,
    g: &Graph<'_>,
    border: &[(usize, usize)],
    j: usize,
    seen: &mut [u32],
    stamp: &mut u32,
) -> Option<(usize, usize)> {
    let c = bal.c;
    let outgoing: Vec<(usize, usize)> = border
        .iter()
        .copied()
        .filter(|&(i, _)| asg.of[i] == j && !g.locked[i])
        .collect();
    let incoming: Vec<(usize, usize)> = border
        .iter()
        .copied()
        .filter(|&(m, _)| asg.of[m] != j && !g.locked[m])
        .collect();
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for &(i, t) in &outgoing {
        for &(m, _) in incoming.iter().filter(|&&(m, _)| asg.of[m] == t) {
            // Each must keep a neighbour in its new territory once the other has left it.
            let i_anchored = g.neighbours(i).iter().any(|&x| x != m && asg.of[x] == t);
            let m_anchored = g.neighbours(m).iter().any(|&x| x != i && asg.of[x] == j);
            if !i_anchored || !m_anchored {
                continue;
            }
            let mut dv = 0.0;
            for k in 0..c {
                let d = bal.values(m)[k] - bal.values(i)[k];
                let (a, b) = (j * c + k, t * c + k);
                dv += bal.excess(a, asg.loads[a] + d) - bal.excess(a, asg.loads[a]);
                dv += bal.excess(b, asg.loads[b] - d) - bal.excess(b, asg.loads[b]);
            }
            if dv >= -1e-12 {
                continue;
            }
            let dc = g.cost(i, t) - g.cost(i, j) + g.cost(m, j) - g.cost(m, t);
            pairs.push((dc / -dv, i, m));
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    pairs
        .into_iter()
        .take(200)
        .find(|&(_, i, m)| removable(asg, g, i, seen, stamp) && removable(asg, g, m, seen, stamp))
        .map(|(_, i, m)| (i, m))
}
