//! Initial centres: given starting positions, a balanced bisection of the
//! accounts, or k-means++ around the fixed rep bases; in a rebalance, the
//! centroids of the current territories.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::projection::dist2;

use super::{Run, Seeding};

/// The centres a run starts from: the given starting positions (fixed
/// centres stay at their bases), a balanced bisection, or k-means++; in a
/// rebalance, free centres sit at the centroid of their current accounts.
pub(super) fn starting_centres(run: &Run<'_>) -> Vec<[f64; 2]> {
    let (problem, options, bal, fixed) = (run.problem, run.options, run.bal, run.fixed);
    let n = problem.accounts.len();
    let kt = problem.territories.len();
    let mut centres = if let Some(start) = options.start_centres.as_ref().filter(|c| c.len() == kt)
    {
        // Given starting positions for free centres; fixed ones stay at their bases.
        fixed
            .iter()
            .zip(start)
            .map(|(f, s)| f.unwrap_or(*s))
            .collect()
    } else if fixed.iter().all(Option::is_none) && options.seeding == Seeding::Bisection {
        // Mass = the account's mean share over the criteria, so parts start balanced on all of them.
        let mass: Vec<f64> = (0..n)
            .map(|i| bal.values(i).iter().sum::<f64>() / bal.c.max(1) as f64 + 1e-9)
            .collect();
        bisection_centres(&problem.points, &mass, &problem.shares())
    } else {
        seed_centres(&problem.points, &vec![1.0; n], fixed, options.seed)
    };
    if options.rebalance.is_some() {
        // Free centres sit at the centroid of their territory's current accounts.
        let current: Vec<usize> = problem
            .current
            .iter()
            .map(|c| c.unwrap_or(usize::MAX))
            .collect();
        let mut sum = vec![[0.0f64; 3]; kt];
        for (p, &j) in problem.points.iter().zip(&current) {
            if j != usize::MAX {
                sum[j][0] += p[0];
                sum[j][1] += p[1];
                sum[j][2] += 1.0;
            }
        }
        for j in 0..kt {
            if fixed[j].is_none() && sum[j][2] > 0.0 {
                centres[j] = [sum[j][0] / sum[j][2], sum[j][1] / sum[j][2]];
            }
        }
    }
    centres
}

/// Chooses `fixed.len()` centres: `Some` entries are kept, `None` ones are drawn by
/// k-means++ (D² sampling, weighted by `weights`) given the centres already placed.
pub(crate) fn seed_centres(
    points: &[[f64; 2]],
    weights: &[f64],
    fixed: &[Option<[f64; 2]>],
    seed: u64,
) -> Vec<[f64; 2]> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut placed: Vec<[f64; 2]> = fixed.iter().flatten().copied().collect();
    let mut d2: Vec<f64> = vec![f64::INFINITY; points.len()];
    for c in &placed {
        update_nearest(points, &mut d2, *c);
    }
    let mut chosen = Vec::new();
    for _ in 0..fixed.iter().filter(|f| f.is_none()).count() {
        let next = if placed.is_empty() {
            pick_weighted(weights.iter().copied(), weights.iter().sum(), &mut rng)
        } else {
            let mass = |i: usize| weights[i] * if d2[i].is_finite() { d2[i] } else { 0.0 };
            let total: f64 = (0..points.len()).map(mass).sum();
            if total > 0.0 {
                pick_weighted((0..points.len()).map(mass), total, &mut rng)
            } else {
                // Every point coincides with a centre: fall back to uniform picks.
                rng.random_range(0..points.len())
            }
        };
        let c = points[next];
        update_nearest(points, &mut d2, c);
        placed.push(c);
        chosen.push(c);
    }
    let mut free = chosen.into_iter();
    fixed
        .iter()
        .map(|f| f.unwrap_or_else(|| free.next().expect("one drawn centre per free slot")))
        .collect()
}

fn update_nearest(points: &[[f64; 2]], d2: &mut [f64], c: [f64; 2]) {
    for (p, d) in points.iter().zip(d2.iter_mut()) {
        *d = d.min(dist2(*p, c));
    }
}

fn pick_weighted(masses: impl Iterator<Item = f64>, total: f64, rng: &mut ChaCha8Rng) -> usize {
    let target = rng.random::<f64>() * total;
    let mut acc = 0.0;
    let mut last = 0;
    for (i, m) in masses.enumerate() {
        if m > 0.0 {
            last = i;
        }
        acc += m;
        if acc > target && m > 0.0 {
            return i;
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_fixed_and_is_deterministic() {
        let pts: Vec<[f64; 2]> = (0..100)
            .map(|i| [(i % 10) as f64, (i / 10) as f64])
            .collect();
        let w = vec![1.0; 100];
        let fixed = [Some([0.5, 0.5]), None, None];
        let a = seed_centres(&pts, &w, &fixed, 7);
        let b = seed_centres(&pts, &w, &fixed, 7);
        assert_eq!(a, b);
        assert_eq!(a[0], [0.5, 0.5]);
        assert_ne!(a[1], a[2]);
    }
}

/// Balanced recursive bisection: splits the points at the weighted median of
/// their longer axis, recursively, into parts whose masses follow `shares`, and
/// returns each part's centroid. Territories start balanced and compact, so
/// dense areas get as many centres as their mass calls for (k-means++ spreads
/// centres over space instead, and starves dense cities).
pub(crate) fn bisection_centres(
    points: &[[f64; 2]],
    mass: &[f64],
    shares: &[f64],
) -> Vec<[f64; 2]> {
    let mut centres = vec![[0.0, 0.0]; shares.len()];
    let order: Vec<usize> = (0..points.len()).collect();
    let slots: Vec<usize> = (0..shares.len()).collect();
    split(points, mass, shares, order, &slots, &mut centres);
    centres
}

fn split(
    points: &[[f64; 2]],
    mass: &[f64],
    shares: &[f64],
    mut members: Vec<usize>,
    slots: &[usize],
    centres: &mut [[f64; 2]],
) {
    if slots.len() == 1 || members.len() <= 1 {
        let centre = centroid(points, &members);
        for &s in slots {
            centres[s] = centre;
        }
        return;
    }
    let (lo, hi) = members.iter().fold(
        ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]),
        |(mut lo, mut hi), &i| {
            for d in 0..2 {
                lo[d] = lo[d].min(points[i][d]);
                hi[d] = hi[d].max(points[i][d]);
            }
            (lo, hi)
        },
    );
    let axis = usize::from(hi[1] - lo[1] > hi[0] - lo[0]);
    members.sort_by(|&a, &b| points[a][axis].total_cmp(&points[b][axis]).then(a.cmp(&b)));
    let half = slots.len() / 2;
    let left_share: f64 = slots[..half].iter().map(|&s| shares[s]).sum();
    let all_share: f64 = slots.iter().map(|&s| shares[s]).sum();
    let total: f64 = members.iter().map(|&i| mass[i]).sum();
    let goal = total * left_share / all_share;
    let mut acc = 0.0;
    let mut cut = 0;
    while cut < members.len() - 1 && acc + mass[members[cut]] / 2.0 < goal {
        acc += mass[members[cut]];
        cut += 1;
    }
    // Every part keeps at least one point per slot when possible.
    let cut = cut.clamp(
        half.min(members.len() - 1).max(1),
        members.len().saturating_sub(slots.len() - half).max(1),
    );
    let right = members.split_off(cut);
    split(points, mass, shares, members, &slots[..half], centres);
    split(points, mass, shares, right, &slots[half..], centres);
}

fn centroid(points: &[[f64; 2]], members: &[usize]) -> [f64; 2] {
    if members.is_empty() {
        return [0.0, 0.0];
    }
    let n = members.len() as f64;
    let (x, y) = members.iter().fold((0.0, 0.0), |(x, y), &i| {
        (x + points[i][0], y + points[i][1])
    });
    [x / n, y / n]
}

#[cfg(test)]
mod bisection_tests {
    use super::*;

    #[test]
    fn parts_follow_shares() {
        let pts: Vec<[f64; 2]> = (0..1000)
            .map(|i| [(i % 50) as f64, (i / 50) as f64])
            .collect();
        let mass = vec![1.0; 1000];
        let c = bisection_centres(&pts, &mass, &[1.0, 1.0, 2.0]);
        assert_eq!(c.len(), 3);
        assert!(c.iter().all(|p| p[0].is_finite() && p[1].is_finite()));
        assert_ne!(c[0], c[1]);
    }
}

/// Splits `members` into spatially compact groups of at most `size` points by
/// recursive median cuts along the longer axis (used to aggregate very large
/// problems into basic cells). Deterministic; halves run in parallel.
pub(crate) fn compact_groups(
    points: &[[f64; 2]],
    mut members: Vec<usize>,
    size: usize,
) -> Vec<Vec<usize>> {
    if members.len() <= size.max(1) {
        return vec![members];
    }
    let (lo, hi) = members.iter().fold(
        ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]),
        |(mut lo, mut hi), &i| {
            for d in 0..2 {
                lo[d] = lo[d].min(points[i][d]);
                hi[d] = hi[d].max(points[i][d]);
            }
            (lo, hi)
        },
    );
    let axis = usize::from(hi[1] - lo[1] > hi[0] - lo[0]);
    let mid = members.len() / 2;
    members.select_nth_unstable_by(mid, |&a, &b| {
        points[a][axis].total_cmp(&points[b][axis]).then(a.cmp(&b))
    });
    let right = members.split_off(mid);
    let (mut a, b) = rayon::join(
        || compact_groups(points, members, size),
        || compact_groups(points, right, size),
    );
    a.extend(b);
    a
}
