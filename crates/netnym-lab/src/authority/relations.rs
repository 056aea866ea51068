//! The authority's adversaries.
//!
//! - [`transcript_match`]: a name-blind equality search of the challenge's values in what the
//!   coalition holds about each holder.
//! - [`signature_relations`]: group relations between the challenge's proofs and each holder's
//!   issued signature `(A, e)` and witness `C`, with the issuer key `x` and registry key `α`.
//!   spec/05-presentation.md gives `A' = r1·A`, `Ā = x·A'`, `d = r1·b − r2·h_0` with
//!   `b = (e + x)·A`, so `(e + x)·A' − d = r2·h_0`; spec/09-revocation.md gives the membership
//!   proof's `A' = r·C`, `Ā = α·A'`. With `r1`, `r2`, `r` uniform, each relation holds for
//!   *every* candidate holder for some randomizer, so nothing can be tested; the adversary
//!   therefore tries the randomizers a broken wallet would use: `A' = k·A` and `A' = k·C` for
//!   `1 ≤ k ≤ SMALL_RANDOMIZER`, `(e + x)·A' − d = k·h_0` for `0 ≤ k ≤ SMALL_R2`.

use std::collections::HashSet;

use ark_bls12_381::{Fr, G1Affine};
use ark_ec::CurveGroup;
use ark_serialize::CanonicalDeserialize;

use super::{compress, Knowledge, MIN_MATCH_LEN};
use crate::designs::View;
use crate::guess::{decide, Guess};

/// Names of the parts of the first credential's proofs (the lab's presentations have one).
const BBS_A_PRIME: &str = "credentials.0.proof.A_prime";
const BBS_A_BAR: &str = "credentials.0.proof.A_bar";
const BBS_D: &str = "credentials.0.proof.d";
const MEM_A_PRIME: &str = "credentials.0.non_revoked.proof.A_prime";
const MEM_A_BAR: &str = "credentials.0.non_revoked.proof.A_bar";

/// Counts, per holder, the challenge's values (at least [`MIN_MATCH_LEN`] bytes) that occur
/// anywhere, under any name, in the holder's labelled views; more wins.
#[must_use]
pub fn transcript_match(train: [&[&View]; 2], challenge: &View) -> Option<usize> {
    let mut score = [0.0; 2];
    for (h, views) in train.iter().enumerate() {
        let held: HashSet<&[u8]> = views
            .iter()
            .flat_map(|v| v.components.iter())
            .filter(|c| c.bytes.len() >= MIN_MATCH_LEN)
            .map(|c| c.bytes.as_slice())
            .collect();
        for c in &challenge.components {
            if c.bytes.len() >= MIN_MATCH_LEN && held.contains(c.bytes.as_slice()) {
                score[h] += 1.0;
            }
        }
    }
    decide(score)
}

fn point(v: &View, name: &str) -> Option<(G1Affine, [u8; 48])> {
    let c = v.components.iter().find(|c| c.name == name)?;
    let p = G1Affine::deserialize_compressed(c.bytes.as_slice()).ok()?;
    let mut raw = [0u8; 48];
    raw.copy_from_slice(c.bytes.get(..48)?);
    Some((p, raw))
}

/// The signature-relations adversary on `challenge` for holders `holders` of `k`.
///
/// It has material (`checked`) when the challenge carries a BBS+ proof with `Ā = x·A'` for one
/// of the authority's issuer keys and, if it carries a membership proof, `Ā = α·A'` there too:
/// relations every valid proof satisfies, which show the adversary reads the right elements
/// with the right keys. It then names the holder for which one of the small-randomizer
/// relations holds, if exactly one.
#[must_use]
pub fn signature_relations(k: &Knowledge, holders: [usize; 2], challenge: &View) -> Guess {
    let none = Guess::default();
    let (Some((a_prime, a_prime_raw)), Some((a_bar, _)), Some((d, _))) = (
        point(challenge, BBS_A_PRIME),
        point(challenge, BBS_A_BAR),
        point(challenge, BBS_D),
    ) else {
        return none;
    };
    if !k
        .issuer_keys
        .iter()
        .any(|x| (a_prime * *x).into_affine() == a_bar)
    {
        return none;
    }
    let membership = match (
        point(challenge, MEM_A_PRIME),
        point(challenge, MEM_A_BAR),
        k.registry_key,
    ) {
        (Some((m_prime, raw)), Some((m_bar, _)), Some(alpha)) => {
            if (m_prime * alpha).into_affine() != m_bar {
                return none;
            }
            Some(raw)
        }
        (None, None, _) => None,
        _ => return none,
    };
    let hit = |h: usize| {
        let Some(alg) = k.records.get(h).and_then(|r| r.algebra.as_ref()) else {
            return false;
        };
        let e_plus_x: Fr = alg.e + alg.x;
        let r2_h0 = (a_prime * e_plus_x - d).into_affine();
        alg.a_multiples.contains(&a_prime_raw)
            || k.h0_multiples.contains_key(&compress(&r2_h0))
            || membership.is_some_and(|m| alg.c_multiples.contains(&m))
    };
    let hits = holders.map(hit);
    Guess {
        holder: decide(hits.map(|b| if b { 1.0 } else { 0.0 })),
        checked: true,
    }
}
