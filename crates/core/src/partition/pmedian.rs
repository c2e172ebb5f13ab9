//! Local search for the p-median objective (Σ distance to each territory's
//! medoid, the "centre unit" of territory design research): single border moves
//! that keep every band and contiguity, with the medoids re-chosen after each
//! move. Only for small problems: a move is priced by recomputing two medoids.

use super::balance::Balance;
use super::repair::Assignment;
use crate::projection::dist2;

/// The medoid cost of a set: min over members c of Σ distance to c.
fn medoid_cost(points: &[[f64; 2]], members: &[usize]) -> f64 {
    members
        .iter()
        .map(|&c| {
            members
                .iter()
                .map(|&i| dist2(points[i], points[c]).sqrt())
                .sum::<f64>()
        })
        .fold(f64::INFINITY, f64::min)
        .min(if members.is_empty() {
            0.0
        } else {
            f64::INFINITY
        })
}

/// Improves the assignment by border moves while the p-median cost falls.
/// `neighbours(i)` lists i's adjacent accounts; `removable(asg, i)` says whether i
/// can leave its territory without splitting it. Returns the moves made.
#[allow(clippy::too_many_arguments)]
pub(crate) fn improve(
    asg: &mut Assignment,
    bal: &Balance,
    points: &[[f64; 2]],
    locked: &[bool],
    territories: usize,
    neighbours: &dyn Fn(usize) -> Vec<usize>,
    removable: &mut dyn FnMut(&Assignment, usize) -> bool,
    contiguous: bool,
    max_passes: usize,
) -> usize {
    let n = asg.of.len();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); territories];
    for i in 0..n {
        members[asg.of[i]].push(i);
    }
    let mut cost: Vec<f64> = members.iter().map(|m| medoid_cost(points, m)).collect();
    let c = bal.c;
    let mut moves = 0;
    for _ in 0..max_passes {
        let mut improved = false;
        for i in 0..n {
            if locked[i] {
                continue;
            }
            let from = asg.of[i];
            if members[from].len() <= 1 {
                continue;
            }
            let mut targets: Vec<usize> = neighbours(i)
                .into_iter()
                .map(|m| asg.of[m])
                .filter(|&t| t != from)
                .collect();
            targets.sort_unstable();
            targets.dedup();
            let mut best: Option<(f64, usize, Vec<usize>, Vec<usize>)> = None;
            for to in targets {
                // Both territories must stay inside every band they are inside now.
                let keeps = bal.values(i).iter().enumerate().all(|(k, v)| {
                    let (a, b) = (from * c + k, to * c + k);
                    bal.excess(a, asg.loads[a] - v) <= bal.excess(a, asg.loads[a]) + 1e-12
                        && bal.excess(b, asg.loads[b] + v) <= bal.excess(b, asg.loads[b]) + 1e-12
                });
                if !keeps {
                    continue;
                }
                let rest: Vec<usize> = members[from].iter().copied().filter(|&x| x != i).collect();
                let mut grown = members[to].clone();
                grown.push(i);
                let delta = medoid_cost(points, &rest) + medoid_cost(points, &grown)
                    - cost[from]
                    - cost[to];
                if delta < -1e-9 && best.as_ref().is_none_or(|b| delta < b.0) {
                    best = Some((delta, to, rest, grown));
                }
            }
            if let Some((_, to, rest, grown)) = best {
                if !removable(asg, i) {
                    continue;
                }
                asg.apply(bal, i, to);
                cost[from] = medoid_cost(points, &rest);
                cost[to] = medoid_cost(points, &grown);
                members[from] = rest;
                members[to] = grown;
                moves += 1;
                improved = true;
            }
        }
        if !improved
            && !swap_pass(
                asg,
                bal,
                points,
                locked,
                &mut members,
                &mut cost,
                neighbours,
                contiguous,
            )
        {
            break;
        }
        if !improved {
            moves += 2;
        }
    }
    moves
}

/// One improving swap of two adjacent border accounts between their
/// territories (both stay inside their bands and connected). Returns whether it swapped.
#[allow(clippy::too_many_arguments)]
fn swap_pass(
    asg: &mut Assignment,
    bal: &Balance,
    points: &[[f64; 2]],
    locked: &[bool],
    members: &mut [Vec<usize>],
    cost: &mut [f64],
    neighbours: &dyn Fn(usize) -> Vec<usize>,
    contiguous: bool,
) -> bool {
    let n = asg.of.len();
    let c = bal.c;
    let mut best: Option<(f64, usize, usize)> = None;
    for i in 0..n {
        if locked[i] {
            continue;
        }
        let a = asg.of[i];
        // Partners: accounts of neighbouring territories next to i's territory.
        let mut partners: Vec<usize> = neighbours(i)
            .into_iter()
            .filter(|&m| asg.of[m] != a && !locked[m])
            .flat_map(|m| std::iter::once(m).chain(neighbours(m)))
            .filter(|&m| asg.of[m] != a && !locked[m] && m > i)
            .collect();
        partners.sort_unstable();
        partners.dedup();
        for m in partners {
            let b = asg.of[m];
            let fits = (0..c).all(|k| {
                let d = bal.values(m)[k] - bal.values(i)[k];
                let (x, y) = (a * c + k, b * c + k);
                bal.excess(x, asg.loads[x] + d) <= bal.excess(x, asg.loads[x]) + 1e-12
                    && bal.excess(y, asg.loads[y] - d) <= bal.excess(y, asg.loads[y]) + 1e-12
            });
            if !fits {
                continue;
            }
            let new_a: Vec<usize> = members[a]
                .iter()
                .copied()
                .filter(|&x| x != i)
                .chain([m])
                .collect();
            let new_b: Vec<usize> = members[b]
                .iter()
                .copied()
                .filter(|&x| x != m)
                .chain([i])
                .collect();
            let delta =
                medoid_cost(points, &new_a) + medoid_cost(points, &new_b) - cost[a] - cost[b];
            if delta < -1e-9 && best.is_none_or(|x| delta < x.0) {
                best = Some((delta, i, m));
            }
        }
    }
    let Some((_, i, m)) = best else { return false };
    let (a, b) = (asg.of[i], asg.of[m]);
    asg.apply(bal, i, b);
    asg.apply(bal, m, a);
    // Keep the swap only if both territories are still in one piece.
    let split = contiguous
        && !(connected(asg, &members_after(members, a, i, m), neighbours)
            && connected(asg, &members_after(members, b, m, i), neighbours));
    if split {
        asg.apply(bal, i, a);
        asg.apply(bal, m, b);
        return false;
    }
    members[a] = members_after(members, a, i, m);
    members[b] = members_after(members, b, m, i);
    cost[a] = medoid_cost(points, &members[a]);
    cost[b] = medoid_cost(points, &members[b]);
    true
}

fn members_after(members: &[Vec<usize>], t: usize, out: usize, into: usize) -> Vec<usize> {
    members[t]
        .iter()
        .copied()
        .filter(|&x| x != out)
        .chain([into])
        .collect()
}

/// Whether the accounts in `set` (all of one territory) form one piece.
fn connected(asg: &Assignment, set: &[usize], neighbours: &dyn Fn(usize) -> Vec<usize>) -> bool {
    let Some(&first) = set.first() else {
        return true;
    };
    let t = asg.of[first];
    let mut seen = std::collections::HashSet::from([first]);
    let mut stack = vec![first];
    while let Some(u) = stack.pop() {
        for m in neighbours(u) {
            if asg.of[m] == t && seen.insert(m) {
                stack.push(m);
            }
        }
    }
    seen.len() == set.len()
}
