use ark_bls12_381::{Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::UniformRand;

use std::collections::BTreeSet;

use super::wire::POK_FIXED_LEN;
use super::*;
use crate::encoding::{b64, unb64};
use crate::encoding::{FR_LEN, G1_LEN};
use crate::error::Rejection;
use crate::pseudonym::scope_base;
use crate::request::CLOCK_SKEW;
use crate::test_support::non_subgroup_g1;
use crate::testing::{request_for, rng, World, NOW};
use crate::*;

const DISCLOSE: &[&str] = &["region", "birth_date"];

struct Case {
    world: World,
    request: PresentationRequest,
    presentation: Presentation,
    rng: rand_chacha::ChaCha20Rng,
}

fn case() -> Case {
    let mut rng = rng(2);
    let world = World::new(&mut rng);
    let request = world.request(&mut rng, DISCLOSE);
    let presentation = world.present(&mut rng, &request);
    Case {
        world,
        request,
        presentation,
        rng,
    }
}

/// Run the verifier on `p` (through its JSON form) and return the failed rule.
fn rule(c: &Case, p: &Presentation) -> &'static str {
    let parsed = ParsedPresentation::from_json(&p.to_json()).expect("structurally valid");
    c.world
        .verifier()
        .check(&c.request, &parsed, NOW + 1)
        .expect_err("must be rejected")
        .rule
}

#[test]
fn valid_presentation_verifies_and_exposes_only_requested_values() {
    let c = case();
    let v = c
        .world
        .verifier()
        .verify_json(&c.request, &c.presentation.to_json(), NOW + 1)
        .unwrap();
    assert_eq!(v.verifier_id(), "platform.example");
    let cred = &v.credentials()[0];
    assert_eq!(cred.schema_id(), "cn-network-id/v1");
    assert_eq!(cred.key_id(), c.world.pk().key_id());
    let names: Vec<&str> = cred.disclosed().iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["birth_date", "region"]); // schema order
    assert_eq!(
        cred.get("birth_date"),
        Some(&AttributeValue::Date(Date::parse("1990-01-01").unwrap()))
    );
    // Nothing undisclosed appears on the wire.
    let wire = String::from_utf8(c.presentation.to_json()).unwrap();
    for secret in ["Zhang", "310115199001011234", "2030-05-01"] {
        assert!(!wire.contains(secret), "{secret} leaked");
    }
}

#[test]
fn two_presentations_share_no_proof_component() {
    let mut c = case();
    let p2 = c.world.present(&mut c.rng, &c.request);
    let a = c.presentation.credentials[0].proof.encode();
    let b = p2.credentials[0].proof.encode();
    assert_eq!(a.len(), b.len());
    // Every 32-byte window differs: no element is reused between presentations.
    for (x, y) in a.chunks(32).zip(b.chunks(32)) {
        assert_ne!(x, y);
    }
}

#[test]
fn ver_003_replay_against_another_request_rejected() {
    let mut c = case();
    let other = c.world.request(&mut c.rng, DISCLOSE);
    let parsed = ParsedPresentation::from_json(&c.presentation.to_json()).unwrap();
    let err = c
        .world
        .verifier()
        .check(&other, &parsed, NOW + 1)
        .unwrap_err();
    assert_eq!(err.rule, "VER-003");
    assert_eq!(
        c.world.verifier().verify(&other, &parsed, NOW + 1),
        Err(VerifyError::InvalidPresentation)
    );
}

#[test]
fn ver_010_replay_with_forged_nonce_echo_rejected() {
    // Same nonce, different verifier: the request digest differs, so the challenge does.
    let mut c = case();
    let q = c.request.credentials().to_vec();
    let mut forged = PresentationRequest::new(&mut c.rng, "other.example", NOW, 600, q).unwrap();
    forged.nonce = c.request.nonce().to_vec();
    forged.digest = forged.compute_digest();
    let parsed = ParsedPresentation::from_json(&c.presentation.to_json()).unwrap();
    let err = c
        .world
        .verifier()
        .check(&forged, &parsed, NOW + 1)
        .unwrap_err();
    assert_eq!(err.rule, "VER-010");
}

#[test]
fn ver_004_expired_and_future_requests() {
    let c = case();
    let parsed = ParsedPresentation::from_json(&c.presentation.to_json()).unwrap();
    let v = c.world.verifier();
    assert!(v.verify(&c.request, &parsed, NOW + 600).is_ok());
    assert_eq!(
        v.verify(&c.request, &parsed, NOW + 601),
        Err(VerifyError::RequestExpired)
    );
    assert!(v.verify(&c.request, &parsed, NOW - CLOCK_SKEW).is_ok());
    assert_eq!(
        v.verify(&c.request, &parsed, NOW - CLOCK_SKEW - 1),
        Err(VerifyError::RequestExpired)
    );
}

#[test]
fn ver_005_credential_count_mismatch() {
    let c = case();
    let mut p = c.presentation.clone();
    p.credentials.push(p.credentials[0].clone());
    assert_eq!(rule(&c, &p), "VER-005");
}

#[test]
fn ver_006_another_issuers_key_rejected() {
    let mut c = case();
    // A credential from issuer B presented for a request accepting only issuer A.
    let b = World::new(&mut c.rng);
    let req_b = request_for(&mut c.rng, b.pk(), DISCLOSE);
    let pres_b = Presentation::build_pairs(
        &mut c.rng,
        &req_b,
        &[(&b.credential, b.pk())],
        &b.link_secret,
        true,
    )
    .unwrap();
    let mut p = pres_b.clone();
    p.nonce = c.presentation.nonce.clone();
    assert_eq!(rule(&c, &p), "VER-006");
    // The holder side refuses up front, too.
    assert_eq!(
        Presentation::create(
            &mut c.rng,
            &c.request,
            &[(&b.credential, b.pk())],
            &b.link_secret
        )
        .unwrap_err(),
        PresentError::IssuerNotAccepted { index: 0 }
    );
    // Relabelling B's proof with A's key id: the challenge binds A's key, so it fails.
    let mut p = pres_b;
    p.nonce = c.presentation.nonce.clone();
    *p.parts_mut(0).2 = c.world.pk().key_id();
    let r = rule(&c, &p);
    assert!(r == "VER-010" || r == "VER-011", "{r}");
    // A verifier that does not know a key rejects it even when the request lists it.
    let empty = Verifier::default();
    let parsed = ParsedPresentation::from_json(&c.presentation.to_json()).unwrap();
    assert_eq!(
        empty.check(&c.request, &parsed, NOW + 1).unwrap_err().rule,
        "VER-006"
    );
}

#[test]
fn ver_007_disclosure_must_match_request_exactly() {
    let c = case();
    // Extra attribute.
    let mut p = c.presentation.clone();
    p.parts_mut(0)
        .1
        .push(("given_name".into(), serde_json::json!("Wei")));
    assert_eq!(rule(&c, &p), "VER-007");
    // Missing attribute.
    let mut p = c.presentation.clone();
    p.parts_mut(0).1.pop();
    assert_eq!(rule(&c, &p), "VER-007");
    // Unknown attribute.
    let mut p = c.presentation.clone();
    p.parts_mut(0).1[0].0 = "nickname".into();
    assert_eq!(rule(&c, &p), "VER-007");
    // Duplicate key in the JSON is rejected at parse time.
    let wire = String::from_utf8(c.presentation.to_json()).unwrap();
    let dup = wire.replacen(
        "\"region\":\"310115\"",
        "\"region\":\"310115\",\"region\":\"310115\"",
        1,
    );
    assert_ne!(dup, wire);
    assert!(matches!(
        ParsedPresentation::from_json(dup.as_bytes()),
        Err(DecodeError::Json(m)) if m.contains("duplicate key")
    ));
}

#[test]
fn pre_004_and_ver_007_holder_secret_never_disclosed() {
    let mut c = case();
    let req = c.world.request(&mut c.rng, &["link_secret"]);
    assert_eq!(
        Presentation::create(
            &mut c.rng,
            &req,
            &[(&c.world.credential, c.world.pk())],
            &c.world.link_secret
        )
        .unwrap_err(),
        PresentError::CannotDisclose {
            index: 0,
            name: "link_secret".into()
        }
    );
}

#[test]
fn ver_008_ill_typed_disclosed_value_rejected() {
    let c = case();
    let mut p = c.presentation.clone();
    let d = p.parts_mut(0).1;
    let i = d.iter().position(|(n, _)| n == "birth_date").unwrap();
    d[i].1 = serde_json::json!("1990-02-30");
    assert_eq!(rule(&c, &p), "VER-008");
}

#[test]
fn ver_010_swapped_disclosed_value_rejected() {
    let c = case();
    let mut p = c.presentation.clone();
    let d = p.parts_mut(0).1;
    let i = d.iter().position(|(n, _)| n == "region").unwrap();
    d[i].1 = serde_json::json!("310116");
    assert_eq!(rule(&c, &p), "VER-010");
}

#[test]
fn ver_010_values_swapped_between_attributes_rejected() {
    let mut c = case();
    let req = c.world.request(&mut c.rng, &["issued_on", "birth_date"]);
    let mut p = c.world.present(&mut c.rng, &req);
    let d = p.parts_mut(0).1;
    let a = d.iter().position(|(n, _)| n == "issued_on").unwrap();
    let b = d.iter().position(|(n, _)| n == "birth_date").unwrap();
    let (va, vb) = (d[a].1.clone(), d[b].1.clone());
    d[a].1 = vb;
    d[b].1 = va;
    c.request = req;
    assert_eq!(rule(&c, &p), "VER-010");
}

#[test]
fn ver_010_tampered_responses_rejected() {
    let c = case();
    for which in 0..4 {
        let mut p = c.presentation.clone();
        let proof = p.parts_mut(0).0;
        match which {
            0 => proof.r1 += Fr::from(1u64),
            1 => proof.r2 += Fr::from(1u64),
            2 => proof.responses[0] += Fr::from(1u64),
            _ => proof.T2 = (proof.T2 + G1Affine::generator()).into_affine(),
        }
        assert_eq!(rule(&c, &p), "VER-010", "mutation {which}");
    }
}

#[test]
fn ver_009_wrong_number_of_responses_rejected() {
    let c = case();
    let mut p = c.presentation.clone();
    p.parts_mut(0).0.responses.push(Fr::from(7u64));
    assert_eq!(rule(&c, &p), "VER-009");
}

#[test]
fn ver_011_forged_signature_fails_pairing() {
    // A "credential" with a random (A, e, s): the Schnorr proofs are honest proofs of knowledge
    // of the representation, so only the pairing check can catch it.
    let mut c = case();
    let forged_sig = bbs_plus::signature::SignatureG1 {
        A: (G1Affine::generator() * Fr::rand(&mut c.rng)).into_affine(),
        e: Fr::rand(&mut c.rng),
        s: Fr::rand(&mut c.rng),
    };
    let forged = Credential::new(
        c.world.pk().key_id(),
        c.world.credential.attributes().clone(),
        forged_sig,
    );
    let p = Presentation::build_pairs(
        &mut c.rng,
        &c.request,
        &[(&forged, c.world.pk())],
        &c.world.link_secret,
        false,
    )
    .unwrap();
    assert_eq!(rule(&c, &p), "VER-011");
    // The holder-side check refuses to present it.
    assert_eq!(
        Presentation::create(
            &mut c.rng,
            &c.request,
            &[(&forged, c.world.pk())],
            &c.world.link_secret
        )
        .unwrap_err(),
        PresentError::LinkSecretMismatch
    );
}

#[test]
fn wire_008_identity_points_rejected() {
    let c = case();
    for (field_index, name) in [(0usize, "A'"), (1, "A_bar")] {
        let mut bytes = c.presentation.credentials[0].proof.encode();
        let start = field_index * G1_LEN;
        bytes[start..start + G1_LEN].copy_from_slice(&g1_bytes(&G1Affine::zero()));
        assert_eq!(
            PokParts::decode(&bytes).unwrap_err(),
            DecodeError::IdentityPoint { field: "proof" },
            "{name}"
        );
    }
}

#[test]
fn wire_007_non_subgroup_and_off_curve_points_rejected() {
    let c = case();
    let bad = non_subgroup_g1();
    for field_index in 0..5 {
        let mut bytes = c.presentation.credentials[0].proof.encode();
        let start = field_index * G1_LEN;
        bytes[start..start + G1_LEN].copy_from_slice(&bad);
        assert_eq!(
            PokParts::decode(&bytes).unwrap_err(),
            DecodeError::InvalidPoint { field: "proof" },
            "point {field_index}"
        );
        // An x coordinate with no point on the curve, or the compression flag cleared.
        let mut off = bytes.clone();
        off[start] &= 0x7f;
        assert_eq!(
            PokParts::decode(&off).unwrap_err(),
            DecodeError::InvalidPoint { field: "proof" }
        );
    }
}

#[test]
fn wire_009_non_canonical_scalar_rejected() {
    let c = case();
    let mut bytes = c.presentation.credentials[0].proof.encode();
    let start = 5 * G1_LEN;
    bytes[start..start + FR_LEN].copy_from_slice(&[0xff; FR_LEN]);
    assert_eq!(
        PokParts::decode(&bytes).unwrap_err(),
        DecodeError::InvalidScalar { field: "proof" }
    );
    // r (the group order) itself is not canonical either.
    use ark_ff::{BigInteger, PrimeField};
    let r = Fr::MODULUS.to_bytes_le();
    bytes[start..start + FR_LEN].copy_from_slice(&r);
    assert_eq!(
        PokParts::decode(&bytes).unwrap_err(),
        DecodeError::InvalidScalar { field: "proof" }
    );
}

#[test]
fn wire_006_truncated_and_padded_proofs_rejected() {
    let c = case();
    let bytes = c.presentation.credentials[0].proof.encode();
    let n = bytes.len();
    for cut in [1, 31, 33, n - POK_FIXED_LEN] {
        assert!(
            matches!(
                PokParts::decode(&bytes[..n - cut]),
                Err(DecodeError::Length { field: "proof", .. })
            ),
            "cut {cut}"
        );
    }
    let mut padded = bytes.clone();
    padded.push(0);
    assert!(matches!(
        PokParts::decode(&padded),
        Err(DecodeError::Length { field: "proof", .. })
    ));
    // Whole scalars cut or added still parse (the parser does not know the schema), and are
    // rejected by the response count check once the schema is known.
    for proof in [
        PokParts::decode(&bytes[..n - 32]).unwrap(),
        PokParts::decode(&[&bytes[..], &[0u8; 32]].concat()).unwrap(),
    ] {
        let mut p = c.presentation.clone();
        *p.parts_mut(0).0 = proof;
        assert_eq!(rule(&c, &p), "VER-009");
    }
}

#[test]
fn wire_001_to_005_envelope_rejections() {
    let c = case();
    let good: serde_json::Value = serde_json::from_slice(&c.presentation.to_json()).unwrap();
    let parse =
        |v: &serde_json::Value| ParsedPresentation::from_json(&serde_json::to_vec(v).unwrap());
    let mut v = good.clone();
    v["version"] = serde_json::json!(2);
    assert_eq!(
        parse(&v).unwrap_err(),
        DecodeError::UnsupportedVersion {
            found: 2,
            supported: 1
        }
    );
    let mut v = good.clone();
    v["type"] = serde_json::json!("netnym-issuance-request");
    assert!(matches!(parse(&v), Err(DecodeError::WrongType { .. })));
    let mut v = good.clone();
    v["extra"] = serde_json::json!(1);
    assert!(matches!(parse(&v), Err(DecodeError::Json(m)) if m.contains("unknown field")));
    let mut v = good.clone();
    v["credentials"][0]["proof"] = serde_json::json!("!!!");
    assert_eq!(
        parse(&v).unwrap_err(),
        DecodeError::Encoding {
            field: "proof",
            encoding: "unpadded base64url"
        }
    );
    let mut v = good.clone();
    let proof = v["credentials"][0]["proof"].as_str().unwrap().to_owned();
    v["credentials"][0]["proof"] = serde_json::json!(format!("{proof}="));
    assert!(matches!(
        parse(&v),
        Err(DecodeError::Encoding { field: "proof", .. })
    ));
    let mut v = good;
    v["credentials"] = serde_json::json!([]);
    assert!(matches!(
        parse(&v),
        Err(DecodeError::InvalidField {
            field: "credentials",
            ..
        })
    ));
    let huge = vec![b' '; MAX_PRESENTATION_BYTES + 1];
    assert_eq!(
        ParsedPresentation::from_json(&huge).unwrap_err(),
        DecodeError::TooLarge {
            limit: MAX_PRESENTATION_BYTES,
            actual: MAX_PRESENTATION_BYTES + 1
        }
    );
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(matches!(
        ParsedPresentation::from_json(deep.as_bytes()),
        Err(DecodeError::Json(_))
    ));
}

#[test]
fn key_001_identity_and_invalid_public_keys_rejected() {
    let c = case();
    let mut v: serde_json::Value = serde_json::from_slice(&c.world.pk().to_json()).unwrap();
    let mut identity = [0u8; 96];
    identity[0] = 0xc0; // compressed point at infinity
    v["public_key"] = serde_json::json!(b64(&identity));
    assert_eq!(
        IssuerPublicKey::from_json(&serde_json::to_vec(&v).unwrap()).unwrap_err(),
        DecodeError::IdentityPoint {
            field: "public_key"
        }
    );
    let mut v: serde_json::Value = serde_json::from_slice(&c.world.pk().to_json()).unwrap();
    let mut flipped = c.world.pk().public_key_bytes();
    flipped[50] ^= 1;
    v["public_key"] = serde_json::json!(b64(&flipped));
    assert_eq!(
        IssuerPublicKey::from_json(&serde_json::to_vec(&v).unwrap()).unwrap_err(),
        DecodeError::InvalidPoint {
            field: "public_key"
        }
    );
}

#[test]
fn key_002_key_id_must_match() {
    let mut c = case();
    let other = World::new(&mut c.rng);
    let mut v: serde_json::Value = serde_json::from_slice(&c.world.pk().to_json()).unwrap();
    v["key_id"] = serde_json::json!(other.pk().key_id().to_string());
    assert!(matches!(
        IssuerPublicKey::from_json(&serde_json::to_vec(&v).unwrap()),
        Err(DecodeError::InvalidField {
            field: "key_id",
            ..
        })
    ));
}

#[test]
fn req_rules_reject_bad_requests() {
    let c = case();
    let good: serde_json::Value = serde_json::from_slice(&c.request.to_json()).unwrap();
    let parse =
        |v: &serde_json::Value| PresentationRequest::from_json(&serde_json::to_vec(v).unwrap());
    assert_eq!(parse(&good).unwrap(), c.request);
    let mut v = good.clone();
    v["nonce"] = serde_json::json!(b64(&[0u8; 15]));
    assert!(matches!(
        parse(&v),
        Err(DecodeError::Length { field: "nonce", .. })
    ));
    let mut v = good.clone();
    v["verifier_id"] = serde_json::json!("has space");
    assert!(matches!(
        parse(&v),
        Err(DecodeError::InvalidField {
            field: "verifier_id",
            ..
        })
    ));
    let mut v = good.clone();
    v["expires_at"] = v["created_at"].clone();
    assert!(matches!(
        parse(&v),
        Err(DecodeError::InvalidField {
            field: "expires_at",
            ..
        })
    ));
    let mut v = good.clone();
    v["expires_at"] = serde_json::json!(NOW + MAX_REQUEST_TTL + 1);
    assert!(matches!(
        parse(&v),
        Err(DecodeError::InvalidField {
            field: "expires_at",
            ..
        })
    ));
    let mut v = good.clone();
    v["credentials"][0]["disclose"] = serde_json::json!(["region", "region"]);
    assert!(matches!(
        parse(&v),
        Err(DecodeError::InvalidField {
            field: "disclose",
            ..
        })
    ));
    let mut v = good.clone();
    v["credentials"][0]["issuer_key_ids"] = serde_json::json!([]);
    assert!(matches!(
        parse(&v),
        Err(DecodeError::InvalidField {
            field: "issuer_key_ids",
            ..
        })
    ));
    let mut v = good.clone();
    v["credentials"][0]["issuer_key_ids"] = serde_json::json!(["ABC"]);
    assert!(matches!(
        parse(&v),
        Err(DecodeError::Encoding {
            field: "key_id",
            ..
        })
    ));
    let mut v = good;
    v["created_at"] = serde_json::json!(-1);
    assert!(matches!(parse(&v), Err(DecodeError::Json(_))));
}

#[test]
fn request_digest_covers_every_field() {
    let c = case();
    let base = c.request.digest();
    let mut changed = Vec::new();
    let mut r = c.request.clone();
    r.verifier_id.push('x');
    changed.push(r.compute_digest());
    let mut r = c.request.clone();
    r.nonce[0] ^= 1;
    changed.push(r.compute_digest());
    let mut r = c.request.clone();
    r.created_at += 1;
    changed.push(r.compute_digest());
    let mut r = c.request.clone();
    r.expires_at += 1;
    changed.push(r.compute_digest());
    let mut r = c.request.clone();
    r.credentials[0].disclose.pop();
    changed.push(r.compute_digest());
    let mut r = c.request;
    r.credentials[0].schema_id.push('x');
    changed.push(r.compute_digest());
    for d in changed {
        assert_ne!(d, base);
    }
}

mod pseudonym_and_linking;

mod non_revocation;

mod predicates;

mod batch_and_reference;

/// Prepared credentials (spec/05-presentation.md §Prepared credentials).
mod prepared;

/// Checked credentials (spec/05-presentation.md §Checked credentials).
mod checked;

mod forgeries;

mod review;
