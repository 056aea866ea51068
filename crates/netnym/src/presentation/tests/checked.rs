use super::*;
use crate::credential::SIGNATURE_CHECKS;
use crate::testing::issue;

fn signature_checks() -> u64 {
    SIGNATURE_CHECKS.with(core::cell::Cell::get)
}

fn checked(c: &Case) -> CheckedCredential {
    c.world
        .credential
        .clone()
        .check(c.world.pk(), &c.world.link_secret)
        .unwrap()
}

#[test]
fn pre_005_checked_credential_proves_without_a_pairing_and_verifies() {
    let mut c = case();
    let checked = checked(&c);
    let before = signature_checks();
    let p = Presentation::create_with(
        &mut c.rng,
        &c.request,
        &[Holding::from_checked(&checked, c.world.pk())],
        &c.world.link_secret,
        &[],
    )
    .unwrap();
    assert_eq!(signature_checks(), before, "PRE-005 skipped the pairing");
    let parsed = ParsedPresentation::from_json(&p.to_json()).unwrap();
    let v = c.world.verifier();
    assert!(v.verify(&c.request, &parsed, NOW + 1).is_ok());
    assert!(v.verify_reference(&c.request, &parsed, NOW + 1).is_ok());
    // Same shape as a presentation from the plain credential.
    assert_eq!(p.proof_size(), c.presentation.proof_size());
    assert_eq!(p.to_json().len(), c.presentation.to_json().len());
}

#[test]
fn pre_005_checked_credential_refuses_a_wrong_link_secret_without_a_pairing() {
    let mut c = case();
    let checked = checked(&c);
    let other_ls = LinkSecret::generate(&mut c.rng);
    let before = signature_checks();
    assert_eq!(
        Presentation::create_with(
            &mut c.rng,
            &c.request,
            &[Holding::from_checked(&checked, c.world.pk())],
            &other_ls,
            &[],
        )
        .unwrap_err(),
        PresentError::LinkSecretMismatch
    );
    assert_eq!(signature_checks(), before, "refused without a pairing");
}

/// The plain path keeps its full signature check: one per presentation.
#[test]
fn pre_005_plain_credential_is_checked_with_pairings_every_time() {
    let mut c = case();
    let before = signature_checks();
    c.world.present(&mut c.rng, &c.request);
    assert_eq!(signature_checks(), before + 1);
    let other_ls = LinkSecret::generate(&mut c.rng);
    assert_eq!(
        Presentation::create(
            &mut c.rng,
            &c.request,
            &[(&c.world.credential, c.world.pk())],
            &other_ls
        )
        .unwrap_err(),
        PresentError::LinkSecretMismatch
    );
    assert_eq!(signature_checks(), before + 2);
}

/// A holding whose public `credential` field was pointed at another credential is refused:
/// the check vouches for one credential only.
#[test]
fn pre_005_checked_holding_of_another_credential_is_refused() {
    let mut c = case();
    let checked = checked(&c);
    let cred2 = issue(&mut c.rng, &c.world.issuer, &c.world.link_secret);
    let mut h = Holding::from_checked(&checked, c.world.pk());
    h.credential = &cred2;
    assert_eq!(
        Presentation::create_with(&mut c.rng, &c.request, &[h], &c.world.link_secret, &[])
            .unwrap_err(),
        PresentError::Internal("checked credential is another")
    );
}

/// What the check is trusted for: a checked credential whose signature was never valid (here
/// made without a check, which only the crate can do) is not caught by PRE-005, and the
/// verifier rejects the proof (VER-011). This is why only a check or authenticated storage
/// makes a `CheckedCredential`.
#[test]
fn pre_005_checked_credential_with_a_bad_signature_fails_verification() {
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
    let unchecked = CheckedCredential::new_checked(forged, &c.world.link_secret);
    let p = Presentation::create_with(
        &mut c.rng,
        &c.request,
        &[Holding::from_checked(&unchecked, c.world.pk())],
        &c.world.link_secret,
        &[],
    )
    .unwrap();
    assert_eq!(rule(&c, &p), "VER-011");
}

/// Checked and plain holdings combine in one presentation, with a pseudonym (VER-014).
#[test]
fn ver_014_checked_and_plain_credentials_combine() {
    let mut c = case();
    let second = World::new(&mut c.rng);
    let cred2 = issue(&mut c.rng, &second.issuer, &c.world.link_secret);
    let q1 = c.request.credentials()[0].clone();
    let q2 = CredentialQuery::new(
        second.pk().schema().id(),
        [second.pk().key_id()],
        ["nationality".to_owned()],
    )
    .unwrap();
    let request = PresentationRequest::new(&mut c.rng, "platform.example", NOW, 300, vec![q1, q2])
        .unwrap()
        .with_pseudonym();
    let checked = checked(&c);
    let before = signature_checks();
    let p = Presentation::create_with(
        &mut c.rng,
        &request,
        &[
            Holding::from_checked(&checked, c.world.pk()),
            Holding::new(&cred2, second.pk()),
        ],
        &c.world.link_secret,
        &[],
    )
    .unwrap();
    assert_eq!(
        signature_checks(),
        before + 1,
        "only the plain holding paired"
    );
    let v = Verifier::new([c.world.pk().clone(), second.pk().clone()]);
    let parsed = ParsedPresentation::from_json(&p.to_json()).unwrap();
    assert!(v.verify(&request, &parsed, NOW + 1).is_ok());
}
