//! Blinks: recreate skips each insertion position with a small probability,
//! so equal-cost choices do not always fall the same way. One draw per
//! position is the hottest random use of the VRPTW search, so it comes from a
//! xorshift generator seeded from the search's ChaCha stream (deterministic
//! for a seed) rather than from ChaCha itself.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Skips positions with a fixed probability.
pub(crate) struct Blink {
    state: u64,
    threshold: u64,
}

impl Blink {
    /// A blinker with skip probability `p`, seeded from `rng`.
    pub fn new(p: f64, rng: &mut ChaCha8Rng) -> Self {
        Self {
            // xorshift needs a non-zero state.
            state: rng.random::<u64>() | 1,
            threshold: (p.clamp(0.0, 1.0) * u64::MAX as f64) as u64,
        }
    }

    /// Whether to skip the next position.
    #[inline]
    pub fn skip(&mut self) -> bool {
        // xorshift64* (Vigna 2016).
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_f491_4f6c_dd1d) < self.threshold
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn skips_about_as_often_as_asked_and_repeats_for_a_seed() {
        let draw = |seed| {
            let mut b = Blink::new(0.01, &mut ChaCha8Rng::seed_from_u64(seed));
            (0..100_000).filter(|_| b.skip()).count()
        };
        let n = draw(7);
        assert!((800..1200).contains(&n), "{n}");
        assert_eq!(n, draw(7));
        let mut never = Blink::new(0.0, &mut ChaCha8Rng::seed_from_u64(1));
        assert!((0..10_000).all(|_| !never.skip()));
    }
}
