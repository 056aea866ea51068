//! Deterministic sub-generators: every random choice of a run comes from the run's seed and a
//! label, so results do not depend on thread scheduling.

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};

/// A generator for `(seed, label, a, b)`.
#[must_use]
pub fn rng(seed: u64, label: &str, a: u64, b: u64) -> ChaCha20Rng {
    let mut h = Sha256::new();
    h.update(b"netnym-lab/seed/v1");
    h.update(seed.to_le_bytes());
    h.update((label.len() as u64).to_le_bytes());
    h.update(label.as_bytes());
    h.update(a.to_le_bytes());
    h.update(b.to_le_bytes());
    ChaCha20Rng::from_seed(h.finalize().into())
}

/// A 64-bit hash of bytes (SHA-256, first 8 bytes): the value of a component in joins.
#[must_use]
pub fn hash64(parts: &[&[u8]]) -> u64 {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    let d = h.finalize();
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    u64::from_le_bytes(b)
}

/// SplitMix64 finaliser: a cheap bijective mix of a u64, for model values at population scale.
#[must_use]
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
