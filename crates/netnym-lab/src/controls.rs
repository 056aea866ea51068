//! Positive controls (docs/lab.md §Positive controls): deliberately broken NetNym variants,
//! each one a real deployment whose presentations the core verifier accepts, with one thing
//! broken that some adversary must catch. An adversary scoring 0 on the real design means
//! "nothing to find" only if it scores near 1 on its control.
//!
//! The flaws are built inside the lab from the core library's public API: a wallet generator
//! that restarts or is stuck ([`StuckRng`]) is handed to the real prover; the authority's key
//! management and issuance and the platforms' pseudonym scope are configuration. No proof is
//! forged and no core code is changed.

use ark_bls12_381::Fr;
use serde::{Deserialize, Serialize};

use crate::adversary::{Adversary, Coalition};

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

/// The control an adversary must catch in a view (docs/lab.md §Positive controls): the flaw
/// it is built to find there. `None` when the adversary does not run in that view.
#[must_use]
pub fn designated(view: Coalition, adversary: Adversary) -> Option<Flaw> {
    use Adversary as A;
    use Coalition as C;
    if !Adversary::in_view(view).contains(&adversary) {
        return None;
    }
    Some(match (view, adversary) {
        // What the platforms can see: a claim repeated across platforms, repeated proof
        // elements, a per-holder envelope field.
        (C::Platforms, A::ExactMatch) => Flaw::SharedScope,
        (C::Platforms | C::AuthorityPlatforms, A::ComponentEquality | A::NearestNeighbour) => {
            Flaw::ReusedRandomness
        }
        (_, A::ByteChiSquare) => Flaw::PartitionedKeys,
        // What only the authority can see: a pseudonym it can compute, its own key choice, its
        // own signature and witness inside a proof.
        (C::Authority | C::AuthorityPlatforms, A::ExactMatch) => Flaw::NonBlindIssuance,
        (C::Authority, A::ComponentEquality | A::NearestNeighbour) => Flaw::PartitionedKeys,
        (_, A::TranscriptMatch | A::SignatureRelations) => Flaw::StuckRng,
    })
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::UniformRand;

    #[test]
    fn stuck_rng_draws_the_value_every_time() {
        let mut rng = StuckRng::at(7);
        for _ in 0..5 {
            assert_eq!(Fr::rand(&mut rng), Fr::from(7u64));
        }
        let mut rng = StuckRng::at(1);
        assert_eq!(Fr::rand(&mut rng), Fr::from(1u64));
    }

    #[test]
    fn every_adversary_has_a_control_in_every_view_it_runs_in() {
        for view in Coalition::ALL {
            for adv in Adversary::in_view(view) {
                assert!(designated(view, *adv).is_some(), "{view:?} {adv:?}");
            }
            assert_eq!(
                designated(Coalition::Authority, Adversary::ByteChiSquare),
                None
            );
        }
    }

    #[test]
    fn ids_round_trip() {
        for f in Flaw::ALL {
            assert_eq!(Flaw::parse(f.id()), Some(f));
        }
    }
}
