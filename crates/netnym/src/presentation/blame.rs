//! Finding the failing relation when a batch fails: every pairing equation re-checked on its
//! own, in spec order (spec/06-verification.md §Blame).

use super::verifier::TrustedRegistry;
use crate::error::Rejection;
use crate::keys::IssuerPublicKey;
use crate::predicate::Bound;
use crate::range::{commitment_key, RangeParams, RangeParts};
use ark_bls12_381::{Bls12_381, Fr, G1Affine};
use bbs_plus::proof::PoKOfSignatureG1Proof;
use std::collections::BTreeMap;
use vb_accumulator::proofs_cdh::MembershipProof;

/// Rules decided by proof relations, whose order differs between the batched and the
/// step-by-step paths.
pub(super) const CRYPTO_RULES: [&str; 6] = [
    "VER-010", "VER-011", "VER-015", "VER-019", "VER-021", "VER-022",
];

/// A BBS+ proof whose pairing equation is in the batch, with what `bbs_plus`'s own verifier
/// needs to re-check it.
pub(super) struct SignatureItem<'a> {
    pub(super) i: usize,
    pub(super) pk: &'a IssuerPublicKey,
    pub(super) revealed: BTreeMap<usize, Fr>,
    pub(super) missing: Option<BTreeMap<usize, Fr>>,
    pub(super) proof: PoKOfSignatureG1Proof<Bls12_381>,
    pub(super) challenge: Fr,
}

impl SignatureItem<'_> {
    /// `bbs_plus`'s own complete verification (Schnorr proofs and pairing).
    fn verify_with_bbs_plus(&self) -> bool {
        let pk = self.pk.prepared().clone();
        let params = self.pk.schema().params().clone();
        match &self.missing {
            None => self
                .proof
                .verify(&self.revealed, &self.challenge, pk, params)
                .is_ok(),
            Some(m) => self
                .proof
                .verify_partial(&self.revealed, &self.challenge, pk, params, m.clone())
                .is_ok(),
        }
    }
}

/// A pairing equation of the batch, kept to find the failing one when the batch fails.
pub(super) enum PairingItem<'a> {
    Signature(Box<SignatureItem<'a>>),
    Membership(
        usize,
        &'a TrustedRegistry,
        G1Affine,
        Fr,
        MembershipProof<Bls12_381>,
        Fr,
    ),
    Range(
        usize,
        Bound,
        &'a RangeParams,
        RangeParts,
        smc_range_proof::prelude::CLSRangeProof<Bls12_381>,
        Fr,
    ),
}

/// Re-check a presentation's pairing equations one by one, the membership and range proofs
/// with the libraries' own verifiers, the BBS+ proofs with a direct two-pairing check or, when
/// `reference`, with `bbs_plus`'s own complete verifier; the first failing one names the rule.
pub(super) fn blame_pairing(items: &[PairingItem<'_>], reference: bool) -> Option<Rejection> {
    let ck = commitment_key();
    for item in items {
        match item {
            PairingItem::Signature(s) => {
                let ok = if reference {
                    s.verify_with_bbs_plus()
                } else {
                    pairing_check(s.pk, &s.proof.A_prime, &s.proof.A_bar)
                };
                if !ok {
                    return Some(Rejection::new(
                        "VER-011",
                        format!("credential {}: pairing", s.i),
                    ));
                }
            }
            PairingItem::Membership(i, reg, value, resp, proof, challenge) => {
                let (ppk, pparams) = reg.key.prepared();
                if proof
                    .verify_partial(resp, value, challenge, ppk.clone(), pparams.clone())
                    .is_err()
                {
                    return Some(Rejection::new(
                        "VER-019",
                        format!("credential {i}: pairing"),
                    ));
                }
            }
            PairingItem::Range(i, b, params, parts, cls, challenge) => {
                if cls
                    .verify(
                        &parts.C,
                        challenge,
                        b.min,
                        b.max.saturating_add(1),
                        ck,
                        params.prepared().clone(),
                    )
                    .is_err()
                {
                    return Some(Rejection::new(
                        "VER-022",
                        format!("credential {i}: digit pairing for attribute {}", b.index),
                    ));
                }
            }
        }
    }
    None
}

pub(super) fn pairing_check(pk: &IssuerPublicKey, A_prime: &G1Affine, A_bar: &G1Affine) -> bool {
    use ark_ec::pairing::Pairing;
    use ark_ec::AffineRepr;
    use ark_ff::Zero;
    Bls12_381::multi_pairing(
        [
            <Bls12_381 as Pairing>::G1Prepared::from(*A_prime),
            <Bls12_381 as Pairing>::G1Prepared::from(G1Affine::from(-A_bar.into_group())),
        ],
        [pk.prepared().0.clone(), pk.g2_prepared().clone()],
    )
    // PairingOutput is written additively: `is_zero` means the product is 1 in GT.
    .is_zero()
}
