//! Positive controls (docs/lab.md §Positive controls): deliberately broken NetNym variants,
//! each one a real deployment whose presentations the core verifier accepts, with one thing
//! broken that some adversary must catch. An adversary scoring 0 on the real design means
//! "nothing to find" only if it scores near 1 on its control.
//!
//! The flaws are built inside the lab from the core library's public API: a wallet generator
//! that restarts or is stuck ([`StuckRng`]) is handed to the real prover; the authority's key
//! management and issuance and the platforms' pseudonym scope are configuration. No proof is
//! forged and no core code is changed.

use crate::adversary::{Adversary, Coalition};
pub use crate::flaw::{Flaw, StuckRng, SHARED_SCOPE};

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
        (C::Platforms | C::AuthorityPlatforms, A::ComponentEquality | A::NearestNeighbour)
        | (_, A::Learned) => Flaw::ReusedRandomness,
        (_, A::ByteChiSquare) => Flaw::PartitionedKeys,
        // What only the authority can see: a pseudonym it can compute, its own key choice, its
        // own signature and witness inside a proof.
        (C::Authority | C::AuthorityPlatforms, A::ExactMatch) => Flaw::NonBlindIssuance,
        (C::Authority, A::ComponentEquality | A::NearestNeighbour) => Flaw::PartitionedKeys,
        (_, A::TranscriptMatch | A::SignatureRelations) => Flaw::StuckRng,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bls12_381::Fr;
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
