use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use super::*;

#[test]
fn rng_001_base_limits() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    for base in [0, 1, 257] {
        assert_eq!(
            RangeParams::generate(&mut rng, base).unwrap_err().rule(),
            "WIRE-010"
        );
    }
    assert_eq!(RangeParams::generate(&mut rng, 4).unwrap().base(), 4);
}

#[test]
fn rng_002_params_round_trip_and_every_signature_is_checked() {
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let p = RangeParams::generate(&mut rng, 16).unwrap();
    let back = RangeParams::from_json(&p.to_json()).unwrap();
    assert_eq!(back, p);
    assert_eq!(back.kind(), RangeKind::Public);
    // Replace one digit's signature with another digit's: a valid point, a wrong signature.
    let mut v: serde_json::Value = serde_json::from_slice(&p.to_json()).unwrap();
    let s0 = v["signatures"][0].clone();
    v["signatures"][5] = s0;
    let err = RangeParams::from_json(&serde_json::to_vec(&v).unwrap()).unwrap_err();
    assert_eq!(
        err,
        DecodeError::InvalidField {
            field: "signatures",
            reason: "a digit signature does not verify".to_owned()
        }
    );
    // Missing a signature.
    let mut v: serde_json::Value = serde_json::from_slice(&p.to_json()).unwrap();
    v["signatures"].as_array_mut().unwrap().pop();
    let err = RangeParams::from_json(&serde_json::to_vec(&v).unwrap()).unwrap_err();
    assert_eq!(err.rule(), "WIRE-010");
    // Changing the kind changes the id.
    let mut v: serde_json::Value = serde_json::from_slice(&p.to_json()).unwrap();
    v["kind"] = "keyed".into();
    let err = RangeParams::from_json(&serde_json::to_vec(&v).unwrap()).unwrap_err();
    assert_eq!(
        err,
        DecodeError::InvalidField {
            field: "id",
            reason: "does not match the parameters".to_owned()
        }
    );
}

#[test]
fn rng_003_keyed_verifier_round_trip_redacted() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let k = KeyedRangeVerifier::generate(&mut rng, 8).unwrap();
    assert_eq!(k.public_params().kind(), RangeKind::Keyed);
    let json = k.to_json();
    let back = KeyedRangeVerifier::from_json(&json).unwrap();
    assert_eq!(back.public_params(), k.public_params());
    // Holders check keyed parameters with pairings too.
    RangeParams::from_json(&k.public_params().to_json()).unwrap();
    let secret = serde_json::from_slice::<serde_json::Value>(&json).unwrap()["secret_key"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!format!("{k:?}").contains(&secret));
}

/// `digit_count` must agree with the library: a proof with that many digits verifies.
#[test]
fn digit_count_matches_the_library() {
    use ark_ff::UniformRand;
    use smc_range_proof::prelude::CLSRangeProofProtocol;
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let ck = commitment_key();
    for base in [2u16, 3, 16, 64] {
        let p = RangeParams::generate(&mut rng, base).unwrap();
        for (min, max, v) in [
            (0u64, 45_000u64, 33_000u64),
            (310_000, 319_999, 310_115),
            (5, 5, 5),
            (0, 2_958_463, 2_958_463),
            (7, 8, 7),
        ] {
            let r = Fr::rand(&mut rng);
            let proto = CLSRangeProofProtocol::init_given_base(
                &mut rng,
                v,
                r,
                min,
                max + 1,
                base,
                ck,
                p.params(),
            )
            .unwrap();
            assert_eq!(
                proto.pok_sigs.len(),
                digit_count(base, min, max),
                "base {base} [{min}, {max}]"
            );
            // The fast verifier's contribution and sum relation equal the library's.
            let C = ck.commit(&Fr::from(v), &r);
            let challenge = Fr::rand(&mut rng);
            let proof = proto.gen_proof(&challenge);
            let parts = RangeParts {
                C,
                t: ark_ec::AffineRepr::zero(),
                z_r: Fr::zero(),
                D: proof.D,
                resp_r: proof.resp_r,
                digits: proof
                    .pok_sigs
                    .iter()
                    .map(|d| {
                        let sc = d.sc.as_ref().unwrap();
                        DigitProof {
                            A_prime: d.A_prime,
                            A_bar: d.A_bar,
                            t: sc.t,
                            r1: sc.response1,
                            r2: sc.response2,
                        }
                    })
                    .collect(),
            };
            let mut ours = Vec::new();
            parts.cls_contribution(&p.params().bb_sig_params.g1, &mut ours);
            let mut theirs = Vec::new();
            proof
                .challenge_contribution(&C, ck, p.params(), &mut theirs)
                .unwrap();
            assert_eq!(ours.len(), theirs.len(), "base {base} [{min}, {max}]");
            let first = ours.iter().zip(&theirs).position(|(a, b)| a != b);
            assert_eq!(first, None, "base {base} [{min}, {max}] of {}", ours.len());
            proof
                .verify_except_pairings(&C, &challenge, min, max + 1, ck, p.prepared())
                .unwrap();
            let rel = parts.sum_relation(base, min, max + 1, &challenge).unwrap();
            let sum = C * rel.c + ck.g * rel.g + ck.h * rel.h - parts.D;
            assert!(sum.is_zero(), "base {base} [{min}, {max}]");
            // A wrong challenge, or bounds the proof is not for, break the relation.
            let bad = parts.sum_relation(base, min, max + 1, &(challenge + Fr::from(1u64)));
            let bad = bad.unwrap();
            assert!(!(C * bad.c + ck.g * bad.g + ck.h * bad.h - parts.D).is_zero());
            assert!(parts
                .sum_relation(base, max + 1, max + 1, &challenge)
                .is_none());
        }
    }
}

/// Every value of `[0, range]` is a sum `Σ d_i·G_i` with digits `d_i < base`, and no larger
/// value is (the sumset property the CLS proof relies on), for the ported boundaries.
#[test]
fn sumset_boundaries_cover_exactly_the_range() {
    for base in [2u16, 3, 4, 5, 16] {
        for range in 0u128..=200 {
            let b1 = u128::from(base - 1);
            if range % b1 != 0 {
                continue;
            }
            let g = sumset_boundaries(range, base);
            let mut reachable = std::collections::BTreeSet::from([0u128]);
            for gi in &g {
                let mut next = std::collections::BTreeSet::new();
                for r in &reachable {
                    for d in 0..u128::from(base) {
                        next.insert(r + d * gi);
                    }
                }
                reachable = next;
            }
            let expected: std::collections::BTreeSet<u128> = (0..=range).collect();
            assert_eq!(reachable, expected, "base {base}, range {range}, G {g:?}");
        }
    }
}

#[test]
fn wire_006_range_proof_lengths() {
    let short = vec![0u8; RANGE_FIXED_LEN - 1];
    assert_eq!(RangeParts::decode(&short).unwrap_err().rule(), "WIRE-006");
    let odd = vec![0u8; RANGE_FIXED_LEN + DIGIT_LEN + 1];
    assert_eq!(RangeParts::decode(&odd).unwrap_err().rule(), "WIRE-006");
}

#[test]
fn rng_004_keyed_secret_without_digit_signatures_refused() {
    for x in [Fr::from(0u64), -Fr::from(5u64)] {
        let w = format!(
            r#"{{"type":"netnym-keyed-range-verifier","version":1,"base":16,"secret_key":"{}"}}"#,
            b64(&fr_bytes(&x))
        );
        assert_eq!(
            KeyedRangeVerifier::from_json(w.as_bytes()).unwrap_err(),
            DecodeError::InvalidScalar {
                field: "secret_key"
            }
        );
    }
}

/// The tabled prover's proofs are the library's: its own verifier accepts them, for several
/// bases and bounds, at both ends of each range; a value outside is refused.
#[test]
fn tabled_prover_proofs_pass_the_library_verifier() {
    use ark_ec::CurveGroup;
    use ark_ff::UniformRand;
    let mut rng = ChaCha20Rng::seed_from_u64(6);
    let ck = commitment_key();
    for base in [2u16, 3, 16, 64] {
        let p = RangeParams::generate(&mut rng, base).unwrap();
        let tables = p.prover_tables().unwrap();
        for (min, max) in [
            (0u64, 45_000u64),
            (310_000, 319_999),
            (5, 5),
            (7, 8),
            (0, 1 << 40),
        ] {
            for v in [min, max, min + (max - min) / 3] {
                let r = Fr::rand(&mut rng);
                let C = prover::commit(&Fr::from(v), &r).into_affine();
                assert_eq!(C, ck.commit(&Fr::from(v), &r));
                let proto =
                    prover::TabledCls::init(&mut rng, tables, base, v, r, min, max + 1).unwrap();
                let mut contribution = Vec::new();
                proto.contribution(&C, &p.params().bb_sig_params.g1, &mut contribution);
                let challenge = Fr::rand(&mut rng);
                let parts = proto.parts(C, &challenge);
                let mut lib = Vec::new();
                let proof = parts.cls_proof(base).unwrap();
                proof
                    .challenge_contribution(&C, ck, p.params(), &mut lib)
                    .unwrap();
                assert_eq!(contribution, lib, "base {base} {v} in [{min}, {max}]");
                proof
                    .verify(&C, &challenge, min, max + 1, ck, p.prepared().clone())
                    .unwrap();
                assert_eq!(parts.digits.len(), digit_count(base, min, max));
            }
            let r = Fr::rand(&mut rng);
            assert!(
                prover::TabledCls::init(&mut rng, tables, base, max + 1, r, min, max + 1).is_none()
            );
        }
    }
    // Keyed parameters have no prover tables.
    let kv = KeyedRangeVerifier::generate(&mut rng, 16).unwrap();
    assert!(kv.public_params().prover_tables().is_none());
}
