//! Recombination of neighbouring territories: merge two territories that
//! touch, draw random spanning trees of the merged accounts on the adjacency,
//! and cut the tree edge that splits them best, each side contiguous by
//! construction. "Best" is lexicographic: first the pair's band violation,
//! then Σ weight × squared distance to the centres (the Hess objective).
//! A pair of at most 40 accounts is re-split over all its connected
//! bipartitions instead (`exact_split`); the trees run only when that
//! listing was cut short without finding a better split.
//!
//! Border moves of one account at a time cannot reach tight tolerances on
//! coarse units: with 8–10 units a territory, one unit carries a tenth of a
//! territory's population, and a ±0.5% band needs several units to change
//! sides at once. A tree cut moves any connected block in one step, and the
//! subtree sums make each of the tree's cuts cost O(criteria) to score.
//! (This is the ReCom step of redistricting practice, used here as a
//! descent: a pair is re-split only when the split is better.)
//!
//! Locked accounts and the home accounts of bases that are home stay in their
//! territories. Deterministic for a seed: the pairs and trees are drawn in
//! sequence from one generator.

use rand::{Rng, SeedableRng};

use super::balance::Balance;
use super::exact_split;
use super::repair::Assignment;

/// What the recombination works with.
pub(crate) struct Recombine<'a> {
    pub offsets: &'a [usize],
    pub targets: &'a [usize],
    pub points: &'a [[f64; 2]],
    /// Compactness weights (1 each when `None`).
    pub weights: Option<&'a [f64]>,
    /// A fixed centre per territory (the rep's base), `None` when free.
    pub fixed: &'a [Option<[f64; 2]>],
    /// Accounts that must stay in their territory.
    pub frozen: &'a [bool],
    pub territories: usize,
    pub seed: u64,
}

/// What a recombination did.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Recombined {
    /// Pairs re-split for the better.
    pub improved: usize,
    /// Full passes over the pairs.
    pub sweeps: usize,
}

/// Pairs of more accounts than this are left to the border moves: a spanning
/// tree of them costs more than the cuts it offers are worth.
const MAX_PAIR: usize = 4_000;

/// Account visits (tree nodes scored) by the descents: a base plus a share
/// per account, at most about a few seconds.
const BUDGET_BASE: usize = 1_000_000;
const BUDGET_PER_ACCOUNT: usize = 100;
const BUDGET_MAX: usize = 40_000_000;

/// Passes over all pairs at most (the descent usually stops well before).
const MAX_SWEEPS: usize = 40;

/// Re-splits pairs of neighbouring territories while that lowers the band
/// violation, or keeps it and lowers the objective. Territories in pieces are
/// left alone (their pairs are skipped).
///
/// While some band is missed, a first descent breaks ties on the violation by
/// how far the loads sit from their targets (Σ squared offsets, in band
/// widths): pulling neighbours towards their targets opens the slack through
/// which an excess can travel across several territories, where the
/// violation alone sees no gain in a pair whose other side is at its bound.
pub(crate) fn recombine(asg: &mut Assignment, bal: &Balance, r: &Recombine<'_>) -> Recombined {
    let n = asg.of.len();
    let kt = r.territories;
    let mut out = Recombined::default();
    if n < 3 || kt < 2 {
        return out;
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(r.seed ^ 0x7ec0_4b1e);
    let mut work = Work::new(&asg.of, kt);
    let mut spent = 0usize;
    let small = n <= ANNEAL_MAX_ACCOUNTS && narrowest_tolerance(bal) <= ANNEAL_TOLERANCE;
    let start = bal.violation(&asg.loads);
    if start > 1e-9 {
        let before = asg.clone();
        descend(
            asg,
            bal,
            r,
            Goal::Centred,
            &mut work,
            &mut rng,
            &mut spent,
            &mut out,
        );
        if small && bal.violation(&asg.loads) > 1e-9 {
            anneal(asg, bal, r, Goal::Centred, &mut work, &mut rng, &mut out);
        }
        // Centring costs compactness: it is kept only when it paid in band.
        if bal.violation(&asg.loads) >= start - 1e-9 * (1.0 + start) {
            *asg = before;
            work.reset(&asg.of);
        }
    }
    descend(
        asg,
        bal,
        r,
        Goal::Compact,
        &mut work,
        &mut rng,
        &mut spent,
        &mut out,
    );
    if small {
        anneal(asg, bal, r, Goal::Compact, &mut work, &mut rng, &mut out);
        spent = 0;
        descend(
            asg,
            bal,
            r,
            Goal::Compact,
            &mut work,
            &mut rng,
            &mut spent,
            &mut out,
        );
    }
    out
}

/// The descent is followed by annealing on problems of at most this many
/// accounts with a band this narrow or narrower (±2%): there single border
/// moves rarely keep the bands, so compactness is left on the table that
/// only block moves can take; at wider bands the border polish does it.
const ANNEAL_MAX_ACCOUNTS: usize = 5_000;
const ANNEAL_TOLERANCE: f64 = 0.02;

/// Annealing steps at most, and account visits over them: 4,000 per account
/// (about 0.2 s for 300 units), at most 10⁷.
const ANNEAL_STEPS: usize = 300_000;
const ANNEAL_BUDGET: usize = 10_000_000;
const ANNEAL_VISITS_PER_ACCOUNT: usize = 4_000;
/// About 700 proposals per pair of neighbours (a territory has about 3).
const ANNEAL_STEPS_PER_TERRITORY: usize = 2_000;

/// Simulated annealing over re-splits: a random pair, one random spanning
/// tree, a random cut of it no further out of band, taken by the Metropolis
/// rule; the temperature falls geometrically from 5% of a territory's mean
/// cost to a thousandth of that. The best plan seen is kept. The band
/// violation never rises, so a plan inside its bands stays inside.
/// With the `Centred` goal the tie-break is the loads' offset from their
/// targets (in squared band widths) and the temperature starts at 0.05.
fn anneal(
    asg: &mut Assignment,
    bal: &Balance,
    r: &Recombine<'_>,
    goal: Goal,
    w: &mut Work,
    rng: &mut rand_chacha::ChaCha8Rng,
    out: &mut Recombined,
) {
    let kt = r.territories;
    let c = bal.c;
    let mut cost_now: f64 = match goal {
        Goal::Compact => (0..kt).map(|t| territory_cost(r, &w.lists[t], t)).sum(),
        Goal::Centred => (0..kt)
            .map(|t| {
                offset(
                    bal,
                    t,
                    Side {
                        sums: &padded(&asg.loads[t * c..(t + 1) * c]),
                    },
                )
            })
            .sum(),
    };
    let mut viol_now = bal.violation(&asg.loads);
    let mut best = (viol_now, cost_now);
    let mut best_of = asg.of.clone();
    let start = match goal {
        Goal::Compact => 0.05 * cost_now / kt as f64,
        Goal::Centred => 0.05,
    };
    if start <= 0.0 {
        return;
    }
    let mean_pair = 2 * asg.of.len() / kt;
    let visits = ANNEAL_BUDGET.min(ANNEAL_VISITS_PER_ACCOUNT * asg.of.len());
    let steps = ANNEAL_STEPS
        .min(visits / mean_pair.max(1))
        .min(ANNEAL_STEPS_PER_TERRITORY * kt);
    let mut pairs = Vec::new();
    for step in 0..steps {
        if step % (4 * kt) == 0 {
            pairs = touching_pairs(&asg.of, r, kt);
            if pairs.is_empty() {
                return;
            }
        }
        let temperature = start * (1e-3f64).powf(step as f64 / steps as f64);
        let pair = pairs[rng.random_range(0..pairs.len())];
        let o = resplit(
            asg,
            bal,
            r,
            pair,
            goal,
            Pick::Metropolis(temperature),
            w,
            rng,
        );
        if o.changed {
            viol_now += o.after.0 - o.before.0;
            cost_now += o.after.1 - o.before.1;
            if better((viol_now, cost_now), best) {
                best = (viol_now, cost_now);
                best_of.clone_from(&asg.of);
                out.improved += 1;
            }
        }
    }
    if asg.of != best_of {
        *asg = Assignment::new(best_of, bal, kt);
        w.reset(&asg.of);
    }
}

/// A territory's loads in the layout of a side's sums (criteria after the slots).
fn padded(loads: &[f64]) -> Vec<f64> {
    let mut row = vec![0.0; SLOTS];
    row.extend_from_slice(loads);
    row
}

/// Σ w d² of a territory's accounts to its centre (fixed, or their weighted mean).
fn territory_cost(r: &Recombine<'_>, members: &[usize], t: usize) -> f64 {
    let wt = |i: usize| r.weights.map_or(1.0, |ws| ws[i]);
    if let Some(f) = r.fixed.get(t).copied().flatten() {
        return members.iter().map(|&i| wt(i) * d2(r.points[i], f)).sum();
    }
    let (mut sw, mut sx, mut sy) = (0.0, 0.0, 0.0);
    for &i in members {
        sw += wt(i);
        sx += wt(i) * r.points[i][0];
        sy += wt(i) * r.points[i][1];
    }
    if sw <= 0.0 {
        return 0.0;
    }
    let c = [sx / sw, sy / sw];
    members.iter().map(|&i| wt(i) * d2(r.points[i], c)).sum()
}

/// What breaks ties on the band violation.
#[derive(Clone, Copy, PartialEq)]
enum Goal {
    /// Loads near their targets.
    Centred,
    /// Σ weight × squared distance.
    Compact,
}

#[allow(clippy::too_many_arguments)]
fn descend(
    asg: &mut Assignment,
    bal: &Balance,
    r: &Recombine<'_>,
    goal: Goal,
    work: &mut Work,
    rng: &mut rand_chacha::ChaCha8Rng,
    spent: &mut usize,
    out: &mut Recombined,
) {
    let kt = r.territories;
    let budget = (BUDGET_BASE + BUDGET_PER_ACCOUNT * asg.of.len()).min(BUDGET_MAX);
    for _ in 0..MAX_SWEEPS {
        out.sweeps += 1;
        let mut pairs = touching_pairs(&asg.of, r, kt);
        // A seeded shuffle: no pair is always served first.
        for i in (1..pairs.len()).rev() {
            pairs.swap(i, rng.random_range(0..=i));
        }
        let mut changed = false;
        for (a, b) in pairs {
            if *spent >= budget {
                return;
            }
            let o = resplit(asg, bal, r, (a, b), goal, Pick::Best, work, rng);
            *spent += o.work;
            if o.changed {
                out.improved += 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// Territory pairs that share an adjacency edge, sorted.
fn touching_pairs(of: &[usize], r: &Recombine<'_>, kt: usize) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for (i, &a) in of.iter().enumerate() {
        for &m in &r.targets[r.offsets[i]..r.offsets[i + 1]] {
            let b = of[m];
            if a < b {
                pairs.push((a, b));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs.retain(|&(a, b)| a < kt && b < kt);
    pairs
}

/// Scratch space reused across pairs.
struct Work {
    /// Local index of each account in the pair, `usize::MAX` outside it.
    local: Vec<usize>,
    members: Vec<usize>,
    /// Local adjacency of the pair (CSR).
    offsets: Vec<usize>,
    targets: Vec<usize>,
    parent: Vec<usize>,
    in_tree: Vec<bool>,
    order: Vec<usize>,
    children_count: Vec<usize>,
    /// Per local node: subtree sums of [w, wx, wy, w(x²+y²), w·d²(a), w·d²(b), frozen a, frozen b, criteria...].
    sums: Vec<f64>,
    best_parent: Vec<usize>,
    /// Each territory's accounts in index order, kept in step with the moves.
    lists: Vec<Vec<usize>>,
    /// Valid cuts of the current tree (node, subtree to a, key), when annealing.
    cuts: Vec<(usize, bool, (f64, f64))>,
}

/// Fixed slots in a node's subtree sums before the criteria.
const SLOTS: usize = 8;

impl Work {
    fn new(of: &[usize], territories: usize) -> Self {
        let mut lists = vec![Vec::new(); territories];
        for (i, &t) in of.iter().enumerate() {
            if t < territories {
                lists[t].push(i);
            }
        }
        let n = of.len();
        Work {
            lists,
            cuts: Vec::new(),
            local: vec![usize::MAX; n],
            members: Vec::new(),
            offsets: Vec::new(),
            targets: Vec::new(),
            parent: Vec::new(),
            in_tree: Vec::new(),
            order: Vec::new(),
            children_count: Vec::new(),
            sums: Vec::new(),
            best_parent: Vec::new(),
        }
    }
}

impl Work {
    /// The member lists again, after the assignment was replaced.
    fn reset(&mut self, of: &[usize]) {
        for list in &mut self.lists {
            list.clear();
        }
        for (i, &t) in of.iter().enumerate() {
            if t < self.lists.len() {
                self.lists[t].push(i);
            }
        }
    }
}

/// The score of one side assigned to territory `t`: its band excess and cost.
struct Side<'s> {
    sums: &'s [f64],
}

/// How a re-split chooses among the cuts.
#[derive(Clone, Copy)]
enum Pick {
    /// The best cut of many trees, taken only when better than the split now.
    Best,
    /// A random cut of one tree that is no further out of band, taken by the
    /// Metropolis rule at this temperature (in the objective's units).
    Metropolis(f64),
}

/// What one re-split did: whether it changed the split, the nodes scored,
/// and the pair's (violation, tie-break) before and after.
struct Outcome {
    changed: bool,
    work: usize,
    before: (f64, f64),
    after: (f64, f64),
}

/// Re-splits the pair `(a, b)` by a cut of random spanning trees, chosen
/// as `pick` says.
#[allow(clippy::too_many_arguments)]
fn resplit(
    asg: &mut Assignment,
    bal: &Balance,
    r: &Recombine<'_>,
    (a, b): (usize, usize),
    goal: Goal,
    pick: Pick,
    w: &mut Work,
    rng: &mut rand_chacha::ChaCha8Rng,
) -> Outcome {
    let unchanged = |work: usize| Outcome {
        changed: false,
        work,
        before: (0.0, 0.0),
        after: (0.0, 0.0),
    };
    let c = bal.c;
    let width = SLOTS + c;
    // The pair's accounts in index order, and their local graph.
    w.members.clear();
    let (la, lb) = (&w.lists[a], &w.lists[b]);
    let (mut x, mut y) = (0, 0);
    while x < la.len() || y < lb.len() {
        let i = if y >= lb.len() || x < la.len() && la[x] < lb[y] {
            x += 1;
            la[x - 1]
        } else {
            y += 1;
            lb[y - 1]
        };
        w.local[i] = w.members.len();
        w.members.push(i);
    }
    let m = w.members.len();
    let release = |w: &mut Work| {
        for &i in &w.members {
            w.local[i] = usize::MAX;
        }
    };
    if !(3..=MAX_PAIR).contains(&m) {
        release(w);
        return unchanged(m);
    }
    w.offsets.clear();
    w.targets.clear();
    w.offsets.push(0);
    for &i in &w.members {
        for &nb in &r.targets[r.offsets[i]..r.offsets[i + 1]] {
            let l = w.local[nb];
            if l != usize::MAX {
                w.targets.push(l);
            }
        }
        w.offsets.push(w.targets.len());
    }
    if !connected(&w.offsets, &w.targets, m) {
        release(w);
        return unchanged(m);
    }
    // Each member's own row of sums.
    let base_of = |t: usize| r.fixed.get(t).copied().flatten();
    let (fa, fb) = (base_of(a), base_of(b));
    let mut own = vec![0.0; m * width];
    let mut frozen_total = [0.0f64; 2];
    for (l, &i) in w.members.iter().enumerate() {
        let p = r.points[i];
        let wt = r.weights.map_or(1.0, |ws| ws[i]);
        let row = &mut own[l * width..(l + 1) * width];
        row[0] = wt;
        row[1] = wt * p[0];
        row[2] = wt * p[1];
        row[3] = wt * (p[0] * p[0] + p[1] * p[1]);
        row[4] = fa.map_or(0.0, |f| wt * d2(p, f));
        row[5] = fb.map_or(0.0, |f| wt * d2(p, f));
        if r.frozen[i] {
            let side = usize::from(asg.of[i] == b);
            row[6 + side] = 1.0;
            frozen_total[side] += 1.0;
        }
        row[SLOTS..].copy_from_slice(bal.values(i));
    }
    let mut total = vec![0.0; width];
    for l in 0..m {
        for (s, v) in total.iter_mut().zip(&own[l * width..(l + 1) * width]) {
            *s += v;
        }
    }
    // The current split's score.
    let mut now_a = vec![0.0; width];
    for (l, &i) in w.members.iter().enumerate() {
        if asg.of[i] == a {
            for (s, v) in now_a.iter_mut().zip(&own[l * width..(l + 1) * width]) {
                *s += v;
            }
        }
    }
    let now_b: Vec<f64> = total.iter().zip(&now_a).map(|(t, x)| t - x).collect();
    let score = |sa: &[f64], sb: &[f64]| -> (f64, f64) {
        let viol = excess(bal, a, Side { sums: sa }) + excess(bal, b, Side { sums: sb });
        let tie = match goal {
            Goal::Compact => cost(Side { sums: sa }, 4, fa) + cost(Side { sums: sb }, 5, fb),
            Goal::Centred => offset(bal, a, Side { sums: sa }) + offset(bal, b, Side { sums: sb }),
        };
        (viol, tie)
    };
    let current = score(&now_a, &now_b);
    let mut work_done = m;
    if matches!(pick, Pick::Best) && m <= exact_split::MAX_UNITS {
        let exact = split_exactly(bal, w, &own, &total, (a, b), current, &score);
        work_done += exact.listed;
        if let Some((mask, (key, side_to_a))) = exact.side {
            let in_side: Vec<bool> = (0..m).map(|l| mask >> l & 1 == 1).collect();
            assign(asg, bal, w, (a, b), &in_side, side_to_a);
            release(w);
            return Outcome {
                changed: true,
                work: work_done,
                before: current,
                after: key,
            };
        }
        if exact.complete {
            release(w);
            return unchanged(work_done);
        }
    }
    let mut best = current;
    let mut best_cut: Option<(usize, bool)> = None;
    let trees = match pick {
        Pick::Best => (4_000 / m).clamp(8, 200),
        Pick::Metropolis(_) => 1,
    };
    w.cuts.clear();
    let mut rest = vec![0.0; width];
    for _ in 0..trees {
        spanning_tree(w, m, rng);
        work_done += 2 * m;
        // Subtree sums, leaves first (reverse of the order from the root).
        w.sums.clear();
        w.sums.extend_from_slice(&own);
        for idx in (1..m).rev() {
            let v = w.order[idx];
            let p = w.parent[v];
            let (lo, hi) = if p < v { (p, v) } else { (v, p) };
            let (left, right) = w.sums.split_at_mut(hi * width);
            let (pv, vv) = if p < v {
                (&mut left[lo * width..(lo + 1) * width], &right[..width])
            } else {
                (&mut right[..width], &left[lo * width..(lo + 1) * width])
            };
            for (s, x) in pv.iter_mut().zip(vv.iter()) {
                *s += x;
            }
        }
        let mut tree_best: Option<(usize, bool)> = None;
        for idx in 1..m {
            let v = w.order[idx];
            let sub = &w.sums[v * width..(v + 1) * width];
            for (x, (t, s)) in rest.iter_mut().zip(total.iter().zip(sub)) {
                *x = t - s;
            }
            // The subtree to a (and the rest to b), or the subtree to b.
            for sub_to_a in [true, false] {
                let (sa, sb) = if sub_to_a {
                    (sub, &rest[..])
                } else {
                    (&rest[..], sub)
                };
                // Frozen accounts of a all on a's side, of b all on b's.
                if sa[7] > 0.5 || sb[6] > 0.5 {
                    continue;
                }
                let key = score(sa, sb);
                match pick {
                    Pick::Best => {
                        if better(key, best) {
                            best = key;
                            tree_best = Some((v, sub_to_a));
                        }
                    }
                    Pick::Metropolis(_) => {
                        if key.0 <= current.0 + 1e-9 * (1.0 + current.0) {
                            w.cuts.push((v, sub_to_a, key));
                        }
                    }
                }
            }
        }
        if let Pick::Metropolis(temperature) = pick {
            if !w.cuts.is_empty() {
                let (v, to_a, key) = w.cuts[rng.random_range(0..w.cuts.len())];
                let rise = key.1 - current.1;
                if rise <= 0.0 || rng.random::<f64>() < (-rise / temperature.max(1e-300)).exp() {
                    best = key;
                    tree_best = Some((v, to_a));
                }
            }
        }
        if let Some(cut) = tree_best {
            best_cut = Some(cut);
            w.best_parent.clone_from(&w.parent);
        }
    }
    let Some((v, sub_to_a)) = best_cut else {
        release(w);
        return unchanged(work_done);
    };
    // Apply: the subtree of v (on the best tree) to one side, the rest to the other.
    let mut in_sub = vec![false; m];
    in_sub[v] = true;
    // Walk each node up to v or the root; memoised by in_sub / settled.
    let mut settled = vec![false; m];
    settled[v] = true;
    let mut path = Vec::new();
    for start in 0..m {
        let mut u = start;
        path.clear();
        while !settled[u] {
            path.push(u);
            let p = w.best_parent[u];
            if p == usize::MAX {
                break;
            }
            u = p;
        }
        let inside = settled[u] && in_sub[u];
        for &x in &path {
            settled[x] = true;
            in_sub[x] = inside;
        }
    }
    assign(asg, bal, w, (a, b), &in_sub, sub_to_a);
    release(w);
    Outcome {
        changed: true,
        work: work_done,
        before: current,
        after: best,
    }
}

/// The (violation, tie-break) key of a pair split from its two sides' sums.
type SplitScore<'s> = dyn Fn(&[f64], &[f64]) -> (f64, f64) + 's;

/// Gives the pair's members marked `in_side` to `a` when `side_to_a` (the
/// others to `b`), or the other way round.
fn assign(
    asg: &mut Assignment,
    bal: &Balance,
    w: &mut Work,
    (a, b): (usize, usize),
    in_side: &[bool],
    side_to_a: bool,
) {
    w.lists[a].clear();
    w.lists[b].clear();
    for (l, &inside) in in_side.iter().enumerate() {
        let i = w.members[l];
        let to = if inside == side_to_a { a } else { b };
        if asg.of[i] != to {
            asg.apply(bal, i, to);
        }
        w.lists[to].push(i);
    }
}

/// The best of all connected splits of the pair (see `exact_split`), better
/// than `current`: the side holding the pair's first member as a mask, its
/// key, and whether that side goes to `a`.
fn split_exactly(
    bal: &Balance,
    w: &Work,
    own: &[f64],
    total: &[f64],
    (a, b): (usize, usize),
    current: (f64, f64),
    score: &SplitScore<'_>,
) -> exact_split::Found<((f64, f64), bool)> {
    let (c, width) = (bal.c, SLOTS + bal.c);
    let m = w.members.len();
    let adjacent: Vec<u64> = (0..m)
        .map(|l| {
            w.targets[w.offsets[l]..w.offsets[l + 1]]
                .iter()
                .fold(0u64, |mask, &t| mask | 1 << t)
        })
        .collect();
    // A side heavier than either band's top, or leaving the rest lighter than
    // either band's bottom, fits neither territory (loads only grow with it).
    let capped: Vec<(usize, f64)> = (0..c)
        .filter(|&k| (0..m).all(|l| own[l * width + SLOTS + k] >= 0.0))
        .map(|k| {
            let (x, y) = (a * c + k, b * c + k);
            let top = bal.hi[x].max(bal.hi[y]);
            let floor = bal.lo[x].min(bal.lo[y]);
            (SLOTS + k, top.min(total[SLOTS + k] - floor) + 1e-9)
        })
        .collect();
    let pair = exact_split::Pair {
        adjacent: &adjacent,
        own,
        width,
        capped: &capped,
    };
    let mut rest = vec![0.0; width];
    let mut side_score = |side: &[f64], _mask: u64| {
        for (x, (t, s)) in rest.iter_mut().zip(total.iter().zip(side)) {
            *x = t - s;
        }
        // Frozen accounts of a all on a's side, of b all on b's.
        let to_a = (side[7] < 0.5 && rest[6] < 0.5).then(|| (score(side, &rest), true));
        let to_b = (side[6] < 0.5 && rest[7] < 0.5).then(|| (score(&rest, side), false));
        match (to_a, to_b) {
            (Some(x), Some(y)) => Some(if better(y.0, x.0) { y } else { x }),
            (x, y) => x.or(y),
        }
    };
    exact_split::best_split(
        &pair,
        Some((current, true)),
        &mut side_score,
        &|x: ((f64, f64), bool), y: ((f64, f64), bool)| better(x.0, y.0),
        &|x: ((f64, f64), bool)| x.0 .0 <= 1e-9,
    )
}

/// Lexicographic: less band violation, or as little and a lower cost.
fn better(key: (f64, f64), than: (f64, f64)) -> bool {
    let tol = 1e-9 * (1.0 + than.0.abs());
    if key.0 < than.0 - tol {
        return true;
    }
    key.0 <= than.0 + tol && key.1 < than.1 - 1e-9 * (1.0 + than.1.abs())
}

fn excess(bal: &Balance, t: usize, side: Side<'_>) -> f64 {
    let c = bal.c;
    (0..c)
        .map(|k| bal.excess(t * c + k, side.sums[SLOTS + k]))
        .sum()
}

/// The narrowest relative half-width of any band.
fn narrowest_tolerance(bal: &Balance) -> f64 {
    bal.lo
        .iter()
        .zip(&bal.hi)
        .filter(|(lo, hi)| **hi + **lo > 0.0)
        .map(|(lo, hi)| (hi - lo) / (hi + lo))
        .fold(f64::INFINITY, f64::min)
}

/// Σ over criteria of the squared offset from the band's middle, in band widths.
fn offset(bal: &Balance, t: usize, side: Side<'_>) -> f64 {
    let c = bal.c;
    (0..c)
        .map(|k| {
            let idx = t * c + k;
            let (lo, hi) = (bal.lo[idx], bal.hi[idx]);
            let width = (hi - lo).max(1e-12);
            let d = (side.sums[SLOTS + k] - 0.5 * (lo + hi)) / width;
            d * d
        })
        .sum()
}

/// Σ w d² of a side to its centre: the fixed base (slot `fixed_slot`), or
/// the weighted mean, where it is Σ w r² − |Σ w p|² / Σ w.
fn cost(side: Side<'_>, fixed_slot: usize, fixed: Option<[f64; 2]>) -> f64 {
    let s = side.sums;
    if fixed.is_some() {
        return s[fixed_slot];
    }
    if s[0] <= 0.0 {
        return 0.0;
    }
    (s[3] - (s[1] * s[1] + s[2] * s[2]) / s[0]).max(0.0)
}

fn d2(p: [f64; 2], q: [f64; 2]) -> f64 {
    let (dx, dy) = (p[0] - q[0], p[1] - q[1]);
    dx * dx + dy * dy
}

fn connected(offsets: &[usize], targets: &[usize], m: usize) -> bool {
    let mut seen = vec![false; m];
    let mut stack = vec![0];
    seen[0] = true;
    let mut count = 1;
    while let Some(u) = stack.pop() {
        for &v in &targets[offsets[u]..offsets[u + 1]] {
            if !seen[v] {
                seen[v] = true;
                count += 1;
                stack.push(v);
            }
        }
    }
    count == m
}

/// A uniform random spanning tree of the local graph (Wilson's algorithm:
/// loop-erased random walks into the tree grown so far), rooted at a random
/// node; fills `parent` (root: `usize::MAX`) and `order` (root first, each
/// node after its parent).
fn spanning_tree(w: &mut Work, m: usize, rng: &mut rand_chacha::ChaCha8Rng) {
    w.parent.clear();
    w.parent.resize(m, usize::MAX);
    w.in_tree.clear();
    w.in_tree.resize(m, false);
    let root = rng.random_range(0..m);
    w.in_tree[root] = true;
    for start in 0..m {
        let mut u = start;
        while !w.in_tree[u] {
            let nb = &w.targets[w.offsets[u]..w.offsets[u + 1]];
            w.parent[u] = nb[rng.random_range(0..nb.len())];
            u = w.parent[u];
        }
        let mut u = start;
        while !w.in_tree[u] {
            w.in_tree[u] = true;
            u = w.parent[u];
        }
    }
    // Root first, then breadth first down the tree.
    w.children_count.clear();
    w.children_count.resize(m + 1, 0);
    for v in 0..m {
        if v != root {
            w.children_count[w.parent[v] + 1] += 1;
        }
    }
    for v in 0..m {
        w.children_count[v + 1] += w.children_count[v];
    }
    let mut children = vec![0usize; m.saturating_sub(1)];
    let mut fill = w.children_count.clone();
    for v in 0..m {
        if v != root {
            let p = w.parent[v];
            children[fill[p]] = v;
            fill[p] += 1;
        }
    }
    w.order.clear();
    w.order.push(root);
    let mut head = 0;
    while head < w.order.len() {
        let u = w.order[head];
        head += 1;
        for &v in &children[w.children_count[u]..w.children_count[u + 1]] {
            w.order.push(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Account, Location, Measure, Problem, Rep};

    /// An `nx` × `ny` grid of units (x east, y north, index x·ny + y) with
    /// rook adjacency.
    fn grid(
        nx: usize,
        ny: usize,
        pop: impl Fn(usize, usize) -> f64,
    ) -> (Problem, Vec<(usize, usize)>) {
        let mut accounts = Vec::new();
        for x in 0..nx {
            for y in 0..ny {
                let mut a = Account::new(
                    format!("u{x}{y}"),
                    Location::new(50.0 + 0.01 * y as f64, 10.0 + 0.01 * x as f64),
                );
                a.attributes.insert("population".into(), pop(x, y));
                accounts.push(a);
            }
        }
        let mut pairs = Vec::new();
        for x in 0..nx {
            for y in 0..ny {
                let i = x * ny + y;
                if x + 1 < nx {
                    pairs.push((i, i + ny));
                }
                if y + 1 < ny {
                    pairs.push((i, i + 1));
                }
            }
        }
        let problem = Problem::builder()
            .accounts(accounts)
            .reps(vec![Rep::new("A", None), Rep::new("B", None)])
            .criterion(Measure::Attribute("population".into()), 0.005)
            .build()
            .unwrap();
        (problem, pairs)
    }

    fn csr(n: usize, pairs: &[(usize, usize)]) -> (Vec<usize>, Vec<usize>) {
        let mut adj = vec![Vec::new(); n];
        for &(a, b) in pairs {
            adj[a].push(b);
            adj[b].push(a);
        }
        let mut offsets = vec![0];
        let mut targets = Vec::new();
        for l in adj {
            targets.extend(l);
            offsets.push(targets.len());
        }
        (offsets, targets)
    }

    fn pieces(of: &[usize], offsets: &[usize], targets: &[usize], t: usize) -> usize {
        let n = of.len();
        let mut seen = vec![false; n];
        let mut count = 0;
        for s in 0..n {
            if of[s] != t || seen[s] {
                continue;
            }
            count += 1;
            let mut stack = vec![s];
            seen[s] = true;
            while let Some(u) = stack.pop() {
                for &v in &targets[offsets[u]..offsets[u + 1]] {
                    if of[v] == t && !seen[v] {
                        seen[v] = true;
                        stack.push(v);
                    }
                }
            }
        }
        count
    }

    /// Population 1 everywhere except a heavy column: an even split by
    /// columns is out of a ±0.5% band, and single border moves cannot fix it
    /// (each unit is 1/12 of a territory), but a re-split can.
    #[test]
    fn a_pair_out_of_a_tight_band_is_resplit_into_two_contiguous_balanced_halves() {
        let (problem, pairs) = grid(6, 4, |x, y| if x == 0 { 3.0 } else { 1.0 + (y % 2) as f64 });
        let n = problem.accounts.len();
        let (offsets, targets) = csr(n, &pairs);
        let bal = Balance::new(&problem);
        let of: Vec<usize> = (0..n).map(|i| usize::from(i >= 12)).collect();
        let mut asg = Assignment::new(of, &bal, 2);
        assert!(bal.violation(&asg.loads) > 0.0, "precondition");
        let frozen = vec![false; n];
        let r = Recombine {
            offsets: &offsets,
            targets: &targets,
            points: &problem.points,
            weights: None,
            fixed: &[None, None],
            frozen: &frozen,
            territories: 2,
            seed: 3,
        };
        let done = recombine(&mut asg, &bal, &r);
        assert!(done.improved >= 1);
        assert!(bal.violation(&asg.loads) <= 1e-9, "{:?}", asg.loads);
        assert_eq!(pieces(&asg.of, &offsets, &targets, 0), 1);
        assert_eq!(pieces(&asg.of, &offsets, &targets, 1), 1);
        // Same seed, same result.
        let mut again = Assignment::new((0..n).map(|i| usize::from(i >= 12)).collect(), &bal, 2);
        recombine(&mut again, &bal, &r);
        assert_eq!(again.of, asg.of);
    }

    /// Uniform population, a balanced but stretched split: the re-split
    /// keeps the band and lowers Σ squared distance; frozen units stay where
    /// they are.
    #[test]
    fn a_balanced_pair_is_made_more_compact_and_frozen_units_stay() {
        let (problem, pairs) = grid(8, 3, |_, _| 1.0);
        let n = problem.accounts.len();
        let (offsets, targets) = csr(n, &pairs);
        let bal = Balance::new(&problem);
        // A: the south row and the west half of the middle row; B the rest.
        // Balanced (12 each) but long and thin.
        let of: Vec<usize> = (0..n)
            .map(|i| {
                let (x, y) = (i / 3, i % 3);
                usize::from(!(y == 0 || y == 1 && x < 4))
            })
            .collect();
        let cost_of = |of: &[usize]| {
            let mut total = 0.0;
            for t in 0..2 {
                let pts: Vec<[f64; 2]> = (0..n)
                    .filter(|&i| of[i] == t)
                    .map(|i| problem.points[i])
                    .collect();
                let k = pts.len() as f64;
                let mx = pts.iter().map(|p| p[0]).sum::<f64>() / k;
                let my = pts.iter().map(|p| p[1]).sum::<f64>() / k;
                total += pts.iter().map(|p| d2(*p, [mx, my])).sum::<f64>();
            }
            total
        };
        let before = cost_of(&of);
        let mut asg = Assignment::new(of, &bal, 2);
        let mut frozen = vec![false; n];
        frozen[0] = true; // u00, in A
        frozen[23] = true; // u72, in B
        let r = Recombine {
            offsets: &offsets,
            targets: &targets,
            points: &problem.points,
            weights: None,
            fixed: &[None, None],
            frozen: &frozen,
            territories: 2,
            seed: 1,
        };
        recombine(&mut asg, &bal, &r);
        assert!(bal.violation(&asg.loads) <= 1e-9);
        let after = cost_of(&asg.of);
        assert!(after < 0.8 * before, "{after} vs {before}");
        assert_eq!(asg.of[0], 0);
        assert_eq!(asg.of[23], 1);
        assert_eq!(pieces(&asg.of, &offsets, &targets, 0), 1);
        assert_eq!(pieces(&asg.of, &offsets, &targets, 1), 1);
    }
}
