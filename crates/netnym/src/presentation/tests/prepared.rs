use super::*;
use crate::error::CredentialError;
use crate::testing::issue;

#[test]
fn pre_005_prepared_credential_is_checked_once_and_its_link_secret_every_time() {
    let mut c = case();
    let other_ls = LinkSecret::generate(&mut c.rng);
    assert_eq!(
        PreparedCredential::new(&c.world.credential, c.world.pk(), &other_ls).unwrap_err(),
        CredentialError::InvalidSignature
    );
    let second = World::new(&mut c.rng);
    assert_eq!(
        PreparedCredential::new(&c.world.credential, second.pk(), &c.world.link_secret)
            .unwrap_err(),
        CredentialError::WrongIssuerKey
    );
    let p =
        PreparedCredential::new(&c.world.credential, c.world.pk(), &c.world.link_secret).unwrap();
    assert_eq!(
        Presentation::create_with(&mut c.rng, &c.request, &[p.holding()], &other_ls, &[])
            .unwrap_err(),
        PresentError::LinkSecretMismatch
    );
    // A holding pairing the tables with another credential is refused.
    let cred2 = issue(&mut c.rng, &c.world.issuer, &c.world.link_secret);
    let mut h = Holding::new(&cred2, c.world.pk());
    h.prepared = Some(&p);
    assert_eq!(
        Presentation::create_with(&mut c.rng, &c.request, &[h], &c.world.link_secret, &[])
            .unwrap_err(),
        PresentError::Internal("prepared credential is another")
    );
    let ok = Presentation::create_with(
        &mut c.rng,
        &c.request,
        &[p.holding()],
        &c.world.link_secret,
        &[],
    )
    .unwrap();
    let parsed = ParsedPresentation::from_json(&ok.to_json()).unwrap();
    let v = c.world.verifier();
    assert!(v.verify(&c.request, &parsed, NOW + 1).is_ok());
    assert!(v.verify_reference(&c.request, &parsed, NOW + 1).is_ok());
    // Same shape as the library prover's proof.
    assert_eq!(ok.proof_size(), c.presentation.proof_size());
    assert_eq!(ok.to_json().len(), c.presentation.to_json().len());
}

/// Two issuers' credentials, prepared or not in every combination, with a pseudonym: the
/// second proof omits the link secret's response either way (VER-014), and both verifiers
/// accept.
#[test]
fn ver_014_prepared_and_library_proofs_combine() {
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
    let req = PresentationRequest::new(&mut c.rng, "bank.example", NOW, 600, vec![q1, q2])
        .unwrap()
        .with_pseudonym();
    let p1 =
        PreparedCredential::new(&c.world.credential, c.world.pk(), &c.world.link_secret).unwrap();
    let p2 = PreparedCredential::new(&cred2, second.pk(), &c.world.link_secret).unwrap();
    let verifier = Verifier::new([c.world.pk().clone(), second.pk().clone()]);
    let mut nyms = BTreeSet::new();
    for (a, b) in [(false, true), (true, false), (true, true)] {
        let h1 = if a {
            p1.holding()
        } else {
            Holding::new(&c.world.credential, c.world.pk())
        };
        let h2 = if b {
            p2.holding()
        } else {
            Holding::new(&cred2, second.pk())
        };
        let p = Presentation::create_with(&mut c.rng, &req, &[h1, h2], &c.world.link_secret, &[])
            .unwrap();
        assert_eq!(p.credentials[1].proof.responses.len(), 12 - 1);
        let parsed = ParsedPresentation::from_json(&p.to_json()).unwrap();
        let fast = verifier.verify(&req, &parsed, NOW + 1).unwrap();
        let reference = verifier.verify_reference(&req, &parsed, NOW + 1).unwrap();
        assert_eq!(fast, reference);
        nyms.insert(g1_bytes(&fast.pseudonym().unwrap().0));
        // A tampered response of the prepared proof is caught.
        let mut bad = p.clone();
        bad.parts_mut(1).0.r2 += Fr::from(1u64);
        let parsed = ParsedPresentation::from_json(&bad.to_json()).unwrap();
        assert_eq!(rule_of(&verifier, &req, &parsed), "VER-010");
    }
    assert_eq!(nyms.len(), 1, "same pseudonym whichever prover");
}

fn rule_of(v: &Verifier, req: &PresentationRequest, p: &ParsedPresentation) -> &'static str {
    v.check(req, p, NOW + 1).unwrap_err().rule
}

#[test]
fn prepared_credential_debug_shows_only_the_key() {
    let c = case();
    let p =
        PreparedCredential::new(&c.world.credential, c.world.pk(), &c.world.link_secret).unwrap();
    let dbg = format!("{p:?}");
    assert!(dbg.starts_with("PreparedCredential { key_id: "), "{dbg}");
    assert!(
        !dbg.contains("messages") && !dbg.contains("credential:"),
        "{dbg}"
    );
}
