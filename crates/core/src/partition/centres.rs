//! Where free centres move between and after the engine's rounds: weighted
//! means, the member nearest the mean, or medoids.

use rayon::prelude::*;

use crate::projection::dist2;

/// Free centres move to the (weighted) mean of their accounts; fixed ones and
/// empty (or weightless) territories stay.
pub(super) fn centroids(
    points: &[[f64; 2]],
    weights: Option<&[f64]>,
    assignment: &[usize],
    centres: &[[f64; 2]],
    fixed: &[Option<[f64; 2]>],
) -> Vec<[f64; 2]> {
    let mut sum = vec![[0.0, 0.0, 0.0]; centres.len()];
    for (i, (p, &j)) in points.iter().zip(assignment).enumerate() {
        let w = weights.map_or(1.0, |w| w[i]);
        sum[j][0] += w * p[0];
        sum[j][1] += w * p[1];
        sum[j][2] += w;
    }
    centres
        .iter()
        .enumerate()
        .map(|(j, c)| match fixed.get(j).copied().flatten() {
            Some(f) => f,
            None if sum[j][2] > 0.0 => [sum[j][0] / sum[j][2], sum[j][1] / sum[j][2]],
            None => *c,
        })
        .collect()
}

/// Free centres move to the member account nearest their mean: since
/// Σ w·|p − c|² = Σ w·|p − m|² + W·|m − c|², that member minimises the weighted
/// squared distances among members. Fixed and empty territories stay.
pub(super) fn nearest_members(
    points: &[[f64; 2]],
    assignment: &[usize],
    means: &[[f64; 2]],
    fixed: &[Option<[f64; 2]>],
) -> Vec<[f64; 2]> {
    let mut best: Vec<Option<(f64, usize)>> = vec![None; means.len()];
    for (i, &j) in assignment.iter().enumerate() {
        let d = dist2(points[i], means[j]);
        if best[j].is_none_or(|(b, k)| d < b || d == b && i < k) {
            best[j] = Some((d, i));
        }
    }
    means
        .iter()
        .enumerate()
        .map(|(j, m)| match (fixed.get(j).copied().flatten(), best[j]) {
            (Some(f), _) => f,
            (None, Some((_, i))) => points[i],
            (None, None) => *m,
        })
        .collect()
}

/// Free centres move to the member account with the least total distance to the
/// others (the territory's medoid); fixed ones and empty territories stay.
pub(super) fn medoids(
    points: &[[f64; 2]],
    weights: Option<&[f64]>,
    assignment: &[usize],
    centres: &[[f64; 2]],
    fixed: &[Option<[f64; 2]>],
) -> Vec<[f64; 2]> {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); centres.len()];
    for (i, &j) in assignment.iter().enumerate() {
        members[j].push(i);
    }
    members
        .par_iter()
        .enumerate()
        .map(|(j, list)| {
            if let Some(f) = fixed.get(j).copied().flatten() {
                return f;
            }
            // Exact medoid for small territories; among the 200 accounts nearest
            // the centroid for large ones (the medoid lies near the centroid).
            let mut pool: Vec<usize> = list.clone();
            if pool.len() > 200 {
                let n = pool.len() as f64;
                let (x, y) = pool.iter().fold((0.0, 0.0), |(x, y), &i| {
                    (x + points[i][0], y + points[i][1])
                });
                let mean = [x / n, y / n];
                pool.sort_by(|&a, &b| {
                    dist2(points[a], mean)
                        .total_cmp(&dist2(points[b], mean))
                        .then(a.cmp(&b))
                });
                pool.truncate(200);
            }
            pool.iter()
                .map(|&c| {
                    (
                        list.iter()
                            .map(|&i| {
                                dist2(points[i], points[c]).sqrt() * weights.map_or(1.0, |w| w[i])
                            })
                            .sum::<f64>(),
                        c,
                    )
                })
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
                .map_or(centres[j], |(_, c)| points[c])
        })
        .collect()
}
