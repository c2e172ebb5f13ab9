//! Initial centres: fixed rep bases first, then weighted k-means++ for the rest.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::projection::dist2;

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
