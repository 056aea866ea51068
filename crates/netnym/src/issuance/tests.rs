use ark_bls12_381::{Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::UniformRand;

use super::*;
use crate::testing::{citizen, rng, World};

fn setup() -> (rand_chacha::ChaCha20Rng, World, IssuanceOffer) {
    let mut r = rng(1);
    let w = World::new(&mut r);
    let offer = IssuanceOffer::new(&mut r, w.pk());
    (r, w, offer)
}

#[test]
fn iss_blind_issuance_round_trip_over_json() {
    let (mut r, w, offer) = setup();
    let pk = w.pk();
    let offer = IssuanceOffer::from_json(&offer.to_json()).unwrap();
    let (req, pending) = BlindIssuanceRequest::new(&mut r, pk, &offer, &w.link_secret).unwrap();
    let req = BlindIssuanceRequest::from_json(&req.to_json()).unwrap();
    assert_eq!(req.committed(), ["link_secret"]);
    let resp = w
        .issuer
        .issue_blind(&mut r, &offer, &req, &citizen(pk.schema()))
        .unwrap();
    let resp = IssuanceResponse::from_json(&resp.to_json(), pk).unwrap();
    let cred = pending.finish(pk, resp, &w.link_secret).unwrap();
    cred.verify(pk, &w.link_secret).unwrap();
    // The credential survives the wallet round trip.
    let again = Credential::from_json(&cred.to_json(), pk).unwrap();
    again.verify(pk, &w.link_secret).unwrap();
    // And binds the link secret: another secret does not verify.
    let other = LinkSecret::generate(&mut r);
    assert_eq!(
        cred.verify(pk, &other),
        Err(CredentialError::InvalidSignature)
    );
}

#[test]
fn iss_authority_never_sees_link_secret() {
    let (mut r, w, offer) = setup();
    let (req, _) = BlindIssuanceRequest::new(&mut r, w.pk(), &offer, &w.link_secret).unwrap();
    let wire = String::from_utf8(req.to_json()).unwrap();
    let ls_b64 = b64(&*w.link_secret.to_bytes());
    assert!(!wire.contains(&ls_b64));
    // Two requests for the same secret are unlinkable commitments (fresh blinding).
    let (req2, _) = BlindIssuanceRequest::new(&mut r, w.pk(), &offer, &w.link_secret).unwrap();
    assert_ne!(req.commitment, req2.commitment);
}

#[test]
fn iss_002_wrong_issuer_key_rejected() {
    let (mut r, w, offer) = setup();
    let other = World::new(&mut r);
    let other_offer = IssuanceOffer::new(&mut r, other.pk());
    let (req, _) =
        BlindIssuanceRequest::new(&mut r, other.pk(), &other_offer, &w.link_secret).unwrap();
    assert_eq!(
        w.issuer
            .issue_blind(&mut r, &offer, &req, &citizen(w.pk().schema()))
            .unwrap_err(),
        IssueError::WrongIssuerKey
    );
    // The holder also refuses to answer an offer for another key.
    assert_eq!(
        BlindIssuanceRequest::new(&mut r, w.pk(), &other_offer, &w.link_secret).unwrap_err(),
        IssueError::WrongIssuerKey
    );
}

#[test]
fn iss_003_request_for_another_offer_rejected() {
    let (mut r, w, offer) = setup();
    let (req, _) = BlindIssuanceRequest::new(&mut r, w.pk(), &offer, &w.link_secret).unwrap();
    let fresh = IssuanceOffer::new(&mut r, w.pk());
    assert_eq!(
        w.issuer
            .issue_blind(&mut r, &fresh, &req, &citizen(w.pk().schema()))
            .unwrap_err(),
        IssueError::NonceMismatch
    );
}

#[test]
fn iss_004_commitment_to_clear_attribute_rejected() {
    let (mut r, w, offer) = setup();
    let pk = w.pk();
    let schema = pk.schema();
    // A holder commits to `birth_date` (a clear attribute) with an honest proof over the
    // bases it claims; the authority must refuse before signing.
    let bd = schema.index_of("birth_date").unwrap();
    let bases = committed_bases(schema, &[bd]);
    let (b, m) = (Fr::rand(&mut r), Fr::from(1u64));
    let commitment = (bases[0] * b + bases[1] * m).into_affine();
    let sc = SchnorrCommitment::new(&bases, vec![Fr::rand(&mut r), Fr::rand(&mut r)]);
    let c = issuance_challenge(pk, offer.nonce(), &[bd], &bases, &commitment, &sc.t);
    let resp = sc.response(&[b, m], &c).unwrap();
    let req = BlindIssuanceRequest {
        key_id: pk.key_id(),
        nonce: *offer.nonce(),
        committed: vec!["birth_date".to_owned()],
        commitment,
        t: sc.t,
        responses: resp.0,
    };
    let req = BlindIssuanceRequest::from_json(&req.to_json()).unwrap();
    assert_eq!(
        w.issuer
            .issue_blind(&mut r, &offer, &req, &citizen(schema))
            .unwrap_err(),
        IssueError::CommitsToClearAttribute("birth_date".into())
    );
    // Committing to the link secret *and* a clear attribute is refused the same way.
    let (honest, _) = BlindIssuanceRequest::new(&mut r, pk, &offer, &w.link_secret).unwrap();
    let extra = honest.responses[0];
    let both = honest.with_committed(
        vec!["link_secret".into(), "region".into()],
        vec![extra, extra, extra],
    );
    assert_eq!(
        w.issuer
            .issue_blind(&mut r, &offer, &both, &citizen(schema))
            .unwrap_err(),
        IssueError::CommitsToClearAttribute("region".into())
    );
}

#[test]
fn iss_004_unknown_or_missing_commitment_rejected() {
    let (mut r, w, offer) = setup();
    let schema = w.pk().schema();
    let (honest, _) = BlindIssuanceRequest::new(&mut r, w.pk(), &offer, &w.link_secret).unwrap();
    let unknown = honest
        .clone()
        .with_committed(vec!["nickname".into()], honest.responses.clone());
    assert_eq!(
        w.issuer
            .issue_blind(&mut r, &offer, &unknown, &citizen(schema))
            .unwrap_err(),
        IssueError::CommitsToUnknownAttribute("nickname".into())
    );
    let twice = honest.clone().with_committed(
        vec!["link_secret".into(), "link_secret".into()],
        honest.responses,
    );
    assert!(matches!(
        w.issuer
            .issue_blind(&mut r, &offer, &twice, &citizen(schema)),
        Err(IssueError::Malformed(DecodeError::InvalidField {
            field: "committed",
            ..
        }))
    ));
}

#[test]
fn iss_005_identity_commitment_rejected_at_decode() {
    let (mut r, w, offer) = setup();
    let (mut req, _) = BlindIssuanceRequest::new(&mut r, w.pk(), &offer, &w.link_secret).unwrap();
    *req.parts_mut().0 = G1Affine::zero();
    assert_eq!(
        BlindIssuanceRequest::from_json(&req.to_json()),
        Err(DecodeError::IdentityPoint {
            field: "commitment"
        })
    );
}

#[test]
fn iss_006_invalid_commitment_proof_rejected() {
    let (mut r, w, offer) = setup();
    let schema = w.pk().schema();
    let (req, _) = BlindIssuanceRequest::new(&mut r, w.pk(), &offer, &w.link_secret).unwrap();
    // Tampered response.
    let mut bad = req.clone();
    bad.parts_mut().2[1] += Fr::from(1u64);
    assert_eq!(
        w.issuer
            .issue_blind(&mut r, &offer, &bad, &citizen(schema))
            .unwrap_err(),
        IssueError::InvalidCommitmentProof
    );
    // Commitment swapped for another valid point: the proof no longer opens it.
    let mut bad = req;
    *bad.parts_mut().0 = (G1Affine::generator() * Fr::rand(&mut r)).into_affine();
    assert_eq!(
        w.issuer
            .issue_blind(&mut r, &offer, &bad, &citizen(schema))
            .unwrap_err(),
        IssueError::InvalidCommitmentProof
    );
    // A proof made for another offer (nonce) cannot be re-pointed at this one.
    let other_offer = IssuanceOffer::new(&mut r, w.pk());
    let (other, _) =
        BlindIssuanceRequest::new(&mut r, w.pk(), &other_offer, &w.link_secret).unwrap();
    let mut replay = other;
    replay.nonce = *offer.nonce();
    assert_eq!(
        w.issuer
            .issue_blind(&mut r, &offer, &replay, &citizen(schema))
            .unwrap_err(),
        IssueError::InvalidCommitmentProof
    );
}

#[test]
fn iss_007_attributes_for_another_schema_rejected() {
    let (mut r, w, offer) = setup();
    let other = Schema::from_json(
        w.pk()
            .schema()
            .to_json()
            .replace("cn-network-id/v1", "other/v1")
            .as_bytes(),
    )
    .unwrap();
    let (req, _) = BlindIssuanceRequest::new(&mut r, w.pk(), &offer, &w.link_secret).unwrap();
    assert!(matches!(
        w.issuer.issue_blind(&mut r, &offer, &req, &citizen(&other)),
        Err(IssueError::Attributes(_))
    ));
}

#[test]
fn iss_010_to_012_holder_checks_the_response() {
    let (mut r, w, offer) = setup();
    let pk = w.pk();
    let (req, pending) = BlindIssuanceRequest::new(&mut r, pk, &offer, &w.link_secret).unwrap();
    let resp = w
        .issuer
        .issue_blind(&mut r, &offer, &req, &citizen(pk.schema()))
        .unwrap();
    // ISS-012: wrong link secret.
    let other = LinkSecret::generate(&mut r);
    assert_eq!(
        PendingIssuance {
            key_id: pending.key_id,
            nonce: pending.nonce,
            commitment: pending.commitment,
            blinding: pending.blinding,
        }
        .finish(pk, resp.clone(), &other)
        .unwrap_err(),
        CredentialError::LinkSecretMismatch
    );
    // ISS-011: a response whose signed attributes were altered does not verify.
    let mut json: serde_json::Value = serde_json::from_slice(&resp.to_json()).unwrap();
    json["attributes"]["region"] = serde_json::json!("110101");
    let altered = IssuanceResponse::from_json(&serde_json::to_vec(&json).unwrap(), pk).unwrap();
    // A second pending issuance for the same offer: the nonce matches, the signature does not.
    let (_, pending2) = BlindIssuanceRequest::new(&mut r, pk, &offer, &w.link_secret).unwrap();
    assert_eq!(
        pending2.finish(pk, altered, &w.link_secret).unwrap_err(),
        CredentialError::InvalidSignature
    );
    // ISS-010: a response checked against another issuer key.
    let other_world = World::new(&mut r);
    let (_, pending3) = BlindIssuanceRequest::new(&mut r, pk, &offer, &w.link_secret).unwrap();
    assert_eq!(
        pending3
            .finish(other_world.pk(), resp, &w.link_secret)
            .unwrap_err(),
        CredentialError::WrongIssuerKey
    );
}

#[test]
fn secrets_are_redacted_in_debug() {
    let (mut r, w, offer) = setup();
    let (_, pending) = BlindIssuanceRequest::new(&mut r, w.pk(), &offer, &w.link_secret).unwrap();
    let sk_bytes = b64(&fr_bytes(w.issuer.secret_key().scalar()));
    for text in [
        format!("{:?}", w.issuer),
        format!("{:?}", w.issuer.secret_key()),
        format!("{:?}", w.link_secret),
        format!("{pending:?}"),
        format!("{:?}", w.credential),
    ] {
        assert!(text.contains("..") && !text.contains(&sk_bytes), "{text}");
        assert!(!text.contains("Fp("), "{text}");
    }
}

#[test]
fn key_json_round_trips_and_secret_key_is_checked() {
    let (_, w, _) = setup();
    let sk = IssuerSecretKey::from_json(&w.issuer.secret_key().to_json()).unwrap();
    assert_eq!(&sk, w.issuer.secret_key());
    let zero = br#"{"type":"netnym-issuer-secret-key","version":1,"secret_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#;
    assert_eq!(
        IssuerSecretKey::from_json(zero),
        Err(DecodeError::InvalidScalar {
            field: "secret_key"
        })
    );
    assert_eq!(
        LinkSecret::from_bytes(&w.link_secret.to_bytes()[..31]),
        Err(DecodeError::Length {
            field: "link_secret",
            expected: 32,
            actual: 31
        })
    );
}

mod review;
