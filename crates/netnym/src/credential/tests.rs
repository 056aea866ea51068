use super::*;
use crate::encoding::{b64, unb64};
use crate::test_support::non_subgroup_g1;
use crate::testing::{rng, World};
use crate::{BlindIssuanceRequest, IssuanceOffer};

fn signature_checks() -> u64 {
    SIGNATURE_CHECKS.with(core::cell::Cell::get)
}

#[test]
fn check_verifies_the_signature_once_and_binds_the_link_secret() {
    let mut rng = rng(40);
    let w = World::new(&mut rng);
    let before = signature_checks();
    let checked = w.credential.clone().check(w.pk(), &w.link_secret).unwrap();
    assert_eq!(signature_checks(), before + 1);
    assert!(checked.has_link_secret(&w.link_secret));
    assert!(!checked.has_link_secret(&LinkSecret::generate(&mut rng)));
    assert_eq!(checked.credential().key_id(), w.pk().key_id());
    assert_eq!(
        checked.into_credential().to_json(),
        w.credential.to_json(),
        "checking changes nothing in the credential"
    );
}

#[test]
fn check_refuses_a_wrong_link_secret_or_key() {
    let mut rng = rng(41);
    let w = World::new(&mut rng);
    let other_ls = LinkSecret::generate(&mut rng);
    assert_eq!(
        w.credential.clone().check(w.pk(), &other_ls).unwrap_err(),
        CredentialError::InvalidSignature
    );
    let second = World::new(&mut rng);
    assert_eq!(
        w.credential
            .clone()
            .check(second.pk(), &w.link_secret)
            .unwrap_err(),
        CredentialError::WrongIssuerKey
    );
}

/// ISS-011 and ISS-012 run in `finish_checked` as in `finish`; its result is checked.
#[test]
fn finish_checked_gives_a_checked_credential() {
    let mut rng = rng(42);
    let w = World::new(&mut rng);
    let pk = w.pk();
    let attributes = w.credential.attributes().clone();
    let issue = |rng: &mut rand_chacha::ChaCha20Rng| {
        let offer = IssuanceOffer::new(rng, pk);
        let (req, pending) = BlindIssuanceRequest::new(rng, pk, &offer, &w.link_secret).unwrap();
        let resp = w
            .issuer
            .issue_blind(rng, &offer, &req, &attributes)
            .unwrap();
        (pending, resp)
    };
    let (pending, resp) = issue(&mut rng);
    let checked = pending.finish_checked(pk, resp, &w.link_secret).unwrap();
    assert!(checked.has_link_secret(&w.link_secret));
    let (pending, resp) = issue(&mut rng);
    assert_eq!(
        pending
            .finish_checked(pk, resp, &LinkSecret::generate(&mut rng))
            .unwrap_err(),
        CredentialError::LinkSecretMismatch
    );
}

/// Bytes from authenticated storage skip only the pairing: every decoding check remains.
#[test]
fn from_authenticated_json_skips_only_the_pairing() {
    let mut rng = rng(43);
    let w = World::new(&mut rng);
    let json = w.credential.to_json();
    let before = signature_checks();
    let checked =
        CheckedCredential::from_authenticated_json(&json, w.pk(), &w.link_secret).unwrap();
    assert_eq!(signature_checks(), before, "no pairing check on load");
    assert!(checked.has_link_secret(&w.link_secret));
    assert_eq!(*checked.credential().to_json(), *json);

    // WIRE-007: a signature whose A is outside the subgroup is still refused.
    let mut v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let mut sig = unb64("signature", v["signature"].as_str().unwrap()).unwrap();
    sig[..crate::encoding::G1_LEN].copy_from_slice(&non_subgroup_g1());
    v["signature"] = serde_json::Value::String(b64(&sig));
    let bad = serde_json::to_vec(&v).unwrap();
    assert_eq!(
        CheckedCredential::from_authenticated_json(&bad, w.pk(), &w.link_secret).unwrap_err(),
        DecodeError::InvalidPoint { field: "signature" }
    );
    // Another issuer's key is refused as by `Credential::from_json`.
    let second = World::new(&mut rng);
    assert!(matches!(
        CheckedCredential::from_authenticated_json(&json, second.pk(), &w.link_secret),
        Err(DecodeError::InvalidField {
            field: "issuer_key_id",
            ..
        })
    ));
}

#[test]
fn checked_credential_debug_is_redacted() {
    let mut rng = rng(44);
    let w = World::new(&mut rng);
    let checked = w.credential.clone().check(w.pk(), &w.link_secret).unwrap();
    let dbg = format!("{checked:?}");
    assert!(
        dbg.starts_with("CheckedCredential { credential: Credential { key_id: "),
        "{dbg}"
    );
    assert!(!dbg.contains("binding") && !dbg.contains("Zhang"), "{dbg}");
}
