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
        .map(|&c| members.iter().map(|&i| dist2(points[i], points[c]).sqrt()).sum::<f64>())
        .fold(f64::INFINITY, f64::min)
        .min(if members.is_empty() { 0.0 } else { f64::INFINITY })
}

/// Improves the assignment by border moves while the p-median cost falls.
/// `neighbours(i)` lists i's adjacent accounts; `removable(asg, i)` says whether i
/// can leave its territory without splitting it. Returns the moves made.
pub(crate) fn improve(
    asg: &mut Assignment,
    bal: &Balance,
    points: &[[f64; 2]],
    locked: &[bool],
    territories: usize,
    neighbours: &dyn Fn(usize) -> Vec<usize>,
    removable: &mut dyn FnMut(&Assignment, usize) -> bool,
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
            let mut targets: Vec<usize> = neighbours(i).into_iter().map(|m| asg.of[m]).filter(|&t| t != from).collect();
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
                let delta = medoid_cost(points, &rest) + medoid_cost(points, &grown) - cost[from] - cost[to];
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
        if !improved {
            break;
        }
    }
    moves
}
