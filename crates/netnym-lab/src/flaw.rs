//! The deliberate flaws of the positive controls (docs/lab.md §Positive controls), as the
//! designs apply them: what each breaks, and the broken random generator of [`Flaw::StuckRng`].

use ark_bls12_381::Fr;
use serde::{Deserialize, Serialize};

/// A deliberate flaw in a NetNym deployment (applied to design d).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Flaw {
    /// The wallet restarts its random generator from the same per-holder seed at every
    /// presentation: `r1`, `r2`, every blinding and every range-proof and membership
    /// randomizer repeat, so `A'`, `Ā`, `d`, `T1`, `T2` and the commitments repeat.
    ReusedRandomness,
    /// The wallet's generator is stuck: every scalar it draws is [`STUCK_VALUE`]
    /// (`crate::designs::STUCK_VALUE`, 1), so `r1 = 1` and `A' = A` (the signature is not
    /// randomized), `d = b − h_0`, and the membership proof's `A'` is the witness `C`.
    ///
    /// [`STUCK_VALUE`]: crate::designs::STUCK_VALUE
    StuckRng,
    /// The authority issues under 16 keys (the most one query may accept, REQ-006) and picks a
    /// holder's key from its revocation id (`id mod 16`): the key id in every presentation
    /// tells which of 16 classes the holder is in; the two holders of every pair differ.
    PartitionedKeys,
    /// Issuance is not blind: the authority's enrollment generates the link secret, so the
    /// authority knows it and can compute the holder's pseudonym `H(scope)·ls` at any platform.
    NonBlindIssuance,
    /// The pseudonym is scoped to one name for every platform (the holder's, or the nation's)
    /// instead of to each platform: both platforms' requests carry the same verifier id, so the
    /// holder shows the same pseudonym at both.
    SharedScope,
}

impl Flaw {
    /// Every flaw, in report order.
    pub const ALL: [Self; 5] = [
        Self::SharedScope,
        Self::ReusedRandomness,
        Self::PartitionedKeys,
        Self::NonBlindIssuance,
        Self::StuckRng,
    ];

    /// Stable id.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Self::ReusedRandomness => "reused-randomness",
            Self::StuckRng => "stuck-rng",
            Self::PartitionedKeys => "partitioned-keys",
            Self::NonBlindIssuance => "non-blind-issuance",
            Self::SharedScope => "shared-scope",
        }
    }

    /// One-line description.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Self::ReusedRandomness => {
                "wallet reuses its randomness (generator restarted from one seed per holder)"
            }
            Self::StuckRng => {
                "wallet generator stuck at 1: A' = A (signature not randomized), d = b - h_0"
            }
            Self::PartitionedKeys => {
                "authority issues under 16 keys, holder's key = revocation id mod 16"
            }
            Self::NonBlindIssuance => "authority generates (so knows) the holder's link secret",
            Self::SharedScope => "pseudonym scoped to one name for all platforms, not per platform",
        }
    }

    /// Parse an id.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.id() == s)
    }

    /// The verifier id (pseudonym scope) a platform uses under this flaw.
    #[must_use]
    pub fn verifier_id(flaw: Option<Self>, platform: &str) -> String {
        match flaw {
            Some(Self::SharedScope) => SHARED_SCOPE.to_owned(),
            _ => platform.to_owned(),
        }
    }
}

/// The one verifier id both platforms use under [`Flaw::SharedScope`].
pub const SHARED_SCOPE: &str = "shared-scope.example";

/// A broken random generator for [`Flaw::StuckRng`]: it repeats one 32-byte block, chosen so
/// that every field element the prover draws (`Fr::rand`, four little-endian 64-bit limbs read
/// as the Montgomery form, as arkworks 0.4 samples) equals `value`.
///
/// # Security
/// Deliberately broken; exists only to show what the adversaries catch. `CryptoRng` is
/// implemented because the prover requires it, which is exactly how such a bug ships.
#[derive(Debug, Clone)]
pub struct StuckRng {
    block: [u8; 32],
    pos: usize,
}

impl StuckRng {
    /// A generator whose every scalar draw is `value`.
    #[must_use]
    pub fn at(value: u64) -> Self {
        // `Fr.0` is the Montgomery representation arkworks' sampler fills directly.
        let limbs = Fr::from(value).0 .0;
        let mut block = [0u8; 32];
        for (chunk, limb) in block.chunks_exact_mut(8).zip(limbs) {
            chunk.copy_from_slice(&limb.to_le_bytes());
        }
        Self { block, pos: 0 }
    }
}

impl rand_core::RngCore for StuckRng {
    fn next_u32(&mut self) -> u32 {
        rand_core::impls::next_u32_via_fill(self)
    }
    fn next_u64(&mut self) -> u64 {
        rand_core::impls::next_u64_via_fill(self)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            *b = self.block[self.pos];
            self.pos = (self.pos + 1) % self.block.len();
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl rand_core::CryptoRng for StuckRng {}
