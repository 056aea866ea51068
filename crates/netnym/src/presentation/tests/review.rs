//! Review-derived tests (issue 11, item 5): fresh randomness in every presentation, and the
//! batch weights' binding of the responses.

use super::*;
use crate::encoding::fr_bytes;
use crate::pairing::PairingBatch;
use crate::presentation::statement::{
    append_statement, new_transcript, query_bounds, CHALLENGE_DST,
};
use crate::range::{digit_count, RangeParams};
use crate::Predicate;
use ark_ff::{Field, One, Zero};
use std::collections::{BTreeMap, HashSet};

/// Presentations in the default run of the freshness test (the full 10,000 run is
/// `pre_fresh_randomness_10000_presentations`, ignored by default for its run time).
const FRESH_DEFAULT: usize = 2_000;

/// Every group element and scalar of a presentation's binary proofs, from their wire bytes, by
/// kind; the pseudonym `nym` apart (equal by design for one holder and one verifier id).
#[derive(Default)]
struct Elements {
    points: Vec<[u8; G1_LEN]>,
    scalars: Vec<[u8; FR_LEN]>,
    nyms: HashSet<[u8; G1_LEN]>,
}

impl Elements {
    /// Split `bytes` by `layout` (`true`: a point, `false`: a scalar), repeating its `tail` part
    /// to the end.
    fn take(&mut self, bytes: &[u8], head: &[bool], tail: &[bool]) {
        let mut rest = bytes;
        let mut kinds = head.iter().chain(tail.iter().cycle());
        while !rest.is_empty() {
            let point = *kinds.next().unwrap();
            let len = if point { G1_LEN } else { FR_LEN };
            let (x, r) = rest.split_at(len);
            if point {
                self.points.push(x.try_into().unwrap());
            } else {
                self.scalars.push(x.try_into().unwrap());
            }
            rest = r;
        }
    }

    /// Collect from a presentation's JSON: BBS+ proofs `A' ‖ Ā ‖ d ‖ T1 ‖ T2 ‖ scalars`, range
    /// proofs `C ‖ t ‖ z_r ‖ D ‖ resp_r ‖ (A' ‖ Ā ‖ t ‖ r1 ‖ r2)*`, pseudonym `t` (and `nym`).
    fn add(&mut self, json: &[u8]) {
        let v: serde_json::Value = serde_json::from_slice(json).unwrap();
        let bin = |v: &serde_json::Value| unb64("f", v.as_str().unwrap()).unwrap();
        for c in v["credentials"].as_array().unwrap() {
            let proof = bin(&c["proof"]);
            self.take(&proof, &[true; 5], &[false]);
            for r in c["ranges"].as_array().unwrap() {
                let range = bin(r);
                self.take(
                    &range,
                    &[true, true, false, true, false],
                    &[true, true, true, false, false],
                );
            }
            assert!(c.get("non_revoked").is_none());
        }
        let nym = &v["pseudonym"];
        self.nyms.insert(bin(&nym["nym"]).try_into().unwrap());
        self.take(&bin(&nym["proof"]), &[true], &[]);
    }
}

/// `n` presentations of one prepared credential, answering one request with a predicate
/// (`age_at_least 18`, public parameters, base 16), a disclosed attribute and a pseudonym: no
/// point or scalar of any proof repeats, within a presentation or across them (spec/02-crypto:
/// `r1`, `r2` and every blinding are fresh per presentation). Excluded as equal by design: the
/// pseudonym itself (one per holder and verifier id, NYM-001: checked to be one value) and the
/// disclosed value (JSON, not a proof element). The request is the same for all, so a prover
/// that reused any randomness would repeat a commitment.
fn fresh_randomness(n: usize) {
    let mut rng = rng(31);
    let world = World::new(&mut rng);
    let params = RangeParams::generate(&mut rng, 16).unwrap();
    let pk = world.pk();
    let prepared = PreparedCredential::new(&world.credential, pk, &world.link_secret).unwrap();
    let q = CredentialQuery::new(pk.schema().id(), [pk.key_id()], ["nationality".to_owned()])
        .unwrap()
        .with_predicates([Predicate::AgeAtLeast(18)])
        .unwrap();
    let request = PresentationRequest::new(&mut rng, "shop.example", NOW, 600, vec![q])
        .unwrap()
        .with_range_params(params.id())
        .with_pseudonym();
    let verifier = world.verifier().with_range_params(params.clone());
    let mut all = Elements::default();
    let mut per_presentation = None;
    for k in 0..n {
        let p = Presentation::create_with(
            &mut rng,
            &request,
            &[prepared.holding()],
            &world.link_secret,
            &[&params],
        )
        .unwrap();
        let json = p.to_json();
        if k % 250 == 0 {
            verifier.verify_json(&request, &json, NOW + 1).unwrap();
        }
        let before = (all.points.len(), all.scalars.len());
        all.add(&json);
        let counts = (all.points.len() - before.0, all.scalars.len() - before.1);
        assert_eq!(*per_presentation.get_or_insert(counts), counts);
    }
    let (points, scalars) = per_presentation.unwrap();
    // 5 BBS+ points, C, t, D, 3 per digit, pseudonym t; r1, r2, the responses of the 10 hidden
    // attributes, of −r3 and of s', z_r, resp_r, 2 per digit.
    let bounds = query_bounds(pk.schema(), &request.credentials()[0], &request).unwrap();
    let digits = digit_count(16, bounds[0].min, bounds[0].max);
    assert_eq!(
        (points, scalars),
        (5 + 3 + 3 * digits + 1, 2 + 12 + 2 + 2 * digits)
    );
    let distinct_points: HashSet<_> = all.points.iter().collect();
    let distinct_scalars: HashSet<_> = all.scalars.iter().collect();
    assert_eq!(distinct_points.len(), n * points);
    assert_eq!(distinct_scalars.len(), n * scalars);
    assert_eq!(all.nyms.len(), 1);
}

#[test]
fn pre_fresh_randomness_no_element_repeats() {
    fresh_randomness(FRESH_DEFAULT);
}

#[test]
#[ignore = "10,000 presentations: about 32 s of CPU (93 s wall on a loaded 2-core machine)"]
fn pre_fresh_randomness_10000_presentations() {
    fresh_randomness(10_000);
}

/// The challenge of a one-credential presentation without predicates, membership or
/// pseudonym, recomputed as the verifier does (statement.rs).
fn challenge(pk: &IssuerPublicKey, request: &PresentationRequest, p: &Presentation) -> Fr {
    let schema = pk.schema();
    let c = &p.credentials[0];
    let revealed: BTreeMap<usize, Fr> = c
        .disclosed
        .0
        .iter()
        .map(|(name, v)| {
            let i = schema.index_of(name).unwrap();
            let value = AttributeValue::from_json(&schema.attributes()[i], v).unwrap();
            (i, value.to_scalar())
        })
        .collect();
    let total = schema.len() - revealed.len() + 2;
    let proof = c.proof.to_proof(total, &BTreeSet::new()).unwrap();
    let mut contribution = Vec::new();
    proof
        .challenge_contribution(&revealed, schema.params(), &mut contribution)
        .unwrap();
    let mut tr = new_transcript(request, 1);
    append_statement(&mut tr, pk, &revealed, &[], &contribution);
    let c = tr.challenge(CHALLENGE_DST);
    // The first BBS+ relation holds under it: `A'·r1 + h_0·r2 − (Ā − d)·c − T1 = 0`.
    let pr = &p.credentials[0].proof;
    let h0 = schema.params().h_0;
    assert!(
        (pr.A_prime * pr.r1 + h0 * pr.r2 - (pr.A_bar.into_group() - pr.d) * c - pr.t1).is_zero()
    );
    c
}

/// The first random weight of the last presentation of a batch whose presentations have these
/// challenges and proof digests, as `PairingBatch::absorb` chains them — or, with no digests,
/// as the weights were derived before the fix (challenges only).
fn weight_of_last(items: &[(Fr, Option<[u8; 32]>)]) -> Fr {
    use ark_std::rand::{rngs::StdRng, RngCore, SeedableRng};
    use sha2::{Digest, Sha256};
    let mut chain = [0u8; 32];
    for (c, digest) in items {
        let mut h = Sha256::new();
        h.update(b"NetNym-v1:pairing-batch");
        h.update(chain);
        h.update(fr_bytes(c));
        if let Some(d) = digest {
            h.update(d);
        }
        chain = h.finalize().into();
    }
    let mut bytes = [0u8; 16];
    StdRng::from_seed(chain).fill_bytes(&mut bytes);
    Fr::from(u128::from_le_bytes(bytes))
}

/// Regression for the fixed batch-weight bug (spec/06-verification.md §Pairing batch: until
/// the fix only the challenges were absorbed). A challenge covers the commitments but not the
/// responses, so with weights from the challenges alone a prover knows every weight before
/// choosing its responses: it can put an error `δ1` in the first Schnorr relation of one
/// presentation (weight 1, the batch's first) and `δ2 = −δ1/w` in another's (weight `w`), both
/// on the shared generator `h_0`; the weighted sum is then zero and the batch accepts two
/// invalid presentations. The weights now also absorb each presentation's proof digest
/// (responses included), so `w` changes with `δ2` and the errors no longer cancel.
///
/// Checked with the digest dropped from `PairingBatch::absorb` (by hand, not committed): this
/// batch then verified both presentations.
#[test]
fn ver_010_errors_cancelling_under_challenge_only_weights_refused_by_the_batch() {
    let mut c = case();
    let verifier = c.world.verifier();
    let pk = c.world.pk().clone();
    let request2 = c.world.request(&mut c.rng, DISCLOSE);
    let request3 = c.world.request(&mut c.rng, DISCLOSE);
    let mut p1 = c.presentation.clone();
    let mut p2 = c.world.present(&mut c.rng, &request2);
    let p3 = c.world.present(&mut c.rng, &request3);
    let (c1, c2) = (
        challenge(&pk, &c.request, &p1),
        challenge(&pk, &request2, &p2),
    );
    // The weight P2's first relation gets when weights come from the challenges only.
    let w_old = weight_of_last(&[(c1, None), (c2, None)]);
    let delta1 = Fr::rand(&mut c.rng);
    let delta2 = -delta1 * w_old.inverse().unwrap();
    p1.parts_mut(0).0.r2 += delta1;
    p2.parts_mut(0).0.r2 += delta2;
    // Under those weights the two errors on `h_0` cancel: `1·δ1 + w_old·δ2 = 0`.
    assert!((delta1 + w_old * delta2).is_zero());
    // The verifier's weights: the batch's first relation has weight 1; P2's first is drawn
    // after its digest, which covers `δ2`, is absorbed (the replica above agrees with
    // `PairingBatch`), and the errors do not cancel.
    let (d1, d2) = (p1.proof_digest(), p2.proof_digest());
    let mut batch = PairingBatch::new(true);
    batch.absorb(&c1, &d1);
    assert!(batch.weight().is_one());
    batch.absorb(&c2, &d2);
    let w = batch.weight();
    assert_eq!(w, weight_of_last(&[(c1, Some(d1)), (c2, Some(d2))]));
    assert_ne!(w, w_old);
    assert!(!(delta1 + w * delta2).is_zero());
    let parsed: Vec<ParsedPresentation> = [&p1, &p2, &p3]
        .iter()
        .map(|p| ParsedPresentation::from_json(&p.to_json()).unwrap())
        .collect();
    let results = verifier.verify_batch(
        &[(&c.request, &parsed[0]), (&request2, &parsed[1])],
        NOW + 1,
    );
    assert_eq!(
        results,
        [
            Err(VerifyError::InvalidPresentation),
            Err(VerifyError::InvalidPresentation)
        ]
    );
    // With an honest presentation after them: it alone verifies.
    let results = verifier.verify_batch(
        &[
            (&c.request, &parsed[0]),
            (&request2, &parsed[1]),
            (&request3, &parsed[2]),
        ],
        NOW + 1,
    );
    assert_eq!(
        results[..2],
        [
            Err(VerifyError::InvalidPresentation),
            Err(VerifyError::InvalidPresentation)
        ]
    );
    assert!(results[2].is_ok());
    // Each alone fails its first Schnorr relation.
    for (r, p) in [(&c.request, &parsed[0]), (&request2, &parsed[1])] {
        assert_eq!(verifier.check(r, p, NOW + 1).unwrap_err().rule, "VER-010");
    }
}
