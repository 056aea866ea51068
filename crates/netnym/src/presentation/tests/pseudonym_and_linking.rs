use super::*;
use crate::testing::issue;

fn nym_request(c: &mut Case, verifier: &str) -> PresentationRequest {
    let q = c.request.credentials().to_vec();
    PresentationRequest::new(&mut c.rng, verifier, NOW, 600, q)
        .unwrap()
        .with_pseudonym()
}

fn verify(
    c: &Case,
    req: &PresentationRequest,
    p: &Presentation,
) -> Result<VerifiedPresentation, Rejection> {
    let parsed = ParsedPresentation::from_json(&p.to_json()).expect("parses");
    c.world.verifier().check(req, &parsed, NOW + 1)
}

#[test]
fn nym_stable_per_platform_and_different_across_platforms() {
    let mut c = case();
    let shop1 = nym_request(&mut c, "shop.example");
    let shop2 = nym_request(&mut c, "shop.example");
    let rail = nym_request(&mut c, "rail.example");
    let p = c.world.present(&mut c.rng, &shop1);
    let n1 = verify(&c, &shop1, &p).unwrap().pseudonym().unwrap();
    let p = c.world.present(&mut c.rng, &shop2);
    let n2 = verify(&c, &shop2, &p).unwrap().pseudonym().unwrap();
    let p = c.world.present(&mut c.rng, &rail);
    let n3 = verify(&c, &rail, &p).unwrap().pseudonym().unwrap();
    assert_eq!(n1, n2, "same holder, same platform: same account");
    assert_ne!(n1, n3, "different platforms: different nyms");
    // Another holder at the same platform gets another nym.
    let other = LinkSecret::generate(&mut c.rng);
    let cred = issue(&mut c.rng, &c.world.issuer, &other);
    let p = Presentation::create(&mut c.rng, &shop1, &[(&cred, c.world.pk())], &other).unwrap();
    assert_ne!(verify(&c, &shop1, &p).unwrap().pseudonym().unwrap(), n1);
    // The nym is H(scope) * link_secret.
    let expected = (scope_base("shop.example") * c.world.link_secret.scalar()).into_affine();
    assert_eq!(n1, Pseudonym(expected));
}

#[test]
fn ver_013_pseudonym_presence_must_match_request() {
    let mut c = case();
    let with = nym_request(&mut c, "platform.example");
    // A presentation without a nym for a request that asks for one.
    let mut p = c.world.present(&mut c.rng, &with);
    p.pseudonym = None;
    assert_eq!(verify(&c, &with, &p).unwrap_err().rule, "VER-013");
    // A nym nobody asked for.
    let mut p = c.presentation.clone();
    p.pseudonym = Some(PseudonymProof {
        nym: G1Affine::generator(),
        t: G1Affine::generator(),
    });
    assert_eq!(rule(&c, &p), "VER-013");
}

#[test]
fn ver_015_nym_must_belong_to_the_credential_link_secret() {
    let mut c = case();
    let req = nym_request(&mut c, "shop.example");
    let good = c.world.present(&mut c.rng, &req);
    // Swap in another holder's nym (honest for that holder): the response does not open it.
    let other = LinkSecret::generate(&mut c.rng);
    let mut p = good.clone();
    let ps = p.pseudonym.as_mut().unwrap();
    ps.nym = (scope_base("shop.example") * other.scalar()).into_affine();
    let r = verify(&c, &req, &p).unwrap_err().rule;
    // The nym is in the challenge, so the BBS+ proof fails first.
    assert_eq!(r, "VER-010");
    // A nym proof commitment that does not match fails on the pseudonym check itself.
    let mut p = good.clone();
    p.pseudonym.as_mut().unwrap().t = G1Affine::generator();
    assert_eq!(verify(&c, &req, &p).unwrap_err().rule, "VER-010");
    // A cheating holder proving a nym of another secret with the link secret's blinding:
    // the transcript is consistent, the BBS+ proofs verify, the nym proof does not.
    let cheat = Presentation::build_inner(
        &mut c.rng,
        &req,
        &[Holding::new(&c.world.credential, c.world.pk())],
        &c.world.link_secret,
        &[],
        true,
        &other,
    )
    .unwrap();
    assert_eq!(verify(&c, &req, &cheat).unwrap_err().rule, "VER-015");
    // Identity nym is refused at decoding (NYM-003).
    let mut v: serde_json::Value = serde_json::from_slice(&good.to_json()).unwrap();
    v["pseudonym"]["nym"] = serde_json::json!(b64(&g1_bytes(&G1Affine::zero())));
    assert_eq!(
        ParsedPresentation::from_json(&serde_json::to_vec(&v).unwrap()).unwrap_err(),
        DecodeError::IdentityPoint { field: "nym" }
    );
}

fn two_issuers(c: &mut Case) -> (World, PresentationRequest) {
    // A second issuer (another authority) issues to the same holder's link secret.
    let second = World::new(&mut c.rng);
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
    (second, req)
}

#[test]
fn ver_014_two_credentials_sharing_the_link_secret() {
    let mut c = case();
    let (second, req) = two_issuers(&mut c);
    let cred2 = issue(&mut c.rng, &second.issuer, &c.world.link_secret);
    let verifier = Verifier::new([c.world.pk().clone(), second.pk().clone()]);
    let p = Presentation::create(
        &mut c.rng,
        &req,
        &[(&c.world.credential, c.world.pk()), (&cred2, second.pk())],
        &c.world.link_secret,
    )
    .unwrap();
    // 11 attributes: credential 0 hides 9 (+ d, h_0) = 11 responses; credential 1 hides 10
    // (+ 2) = 12 witnesses but omits the link secret's response, which credential 0 carries.
    assert_eq!(p.credentials[0].proof.responses.len(), 11);
    assert_eq!(p.credentials[1].proof.responses.len(), 12 - 1);
    let parsed = ParsedPresentation::from_json(&p.to_json()).unwrap();
    let v = verifier.check(&req, &parsed, NOW + 1).unwrap();
    assert_eq!(v.credentials().len(), 2);
    assert_eq!(
        v.credentials()[1].get("nationality"),
        Some(&AttributeValue::String("CHN".into()))
    );
    assert!(v.pseudonym().is_some());
}

#[test]
fn ver_014_credentials_of_two_holders_cannot_be_combined() {
    let mut c = case();
    let (second, req) = two_issuers(&mut c);
    // The second credential belongs to another holder (another link secret).
    let other = LinkSecret::generate(&mut c.rng);
    let cred2 = issue(&mut c.rng, &second.issuer, &other);
    let verifier = Verifier::new([c.world.pk().clone(), second.pk().clone()]);
    // The honest wallet refuses.
    assert_eq!(
        Presentation::create(
            &mut c.rng,
            &req,
            &[(&c.world.credential, c.world.pk()), (&cred2, second.pk())],
            &c.world.link_secret,
        )
        .unwrap_err(),
        PresentError::LinkSecretMismatch
    );
    // A cheating prover using each credential's own link secret in its own proof cannot
    // make the shared response work: splice the second holder's proof in.
    let mine = issue(&mut c.rng, &second.issuer, &c.world.link_secret);
    let p_a = Presentation::create(
        &mut c.rng,
        &req,
        &[(&c.world.credential, c.world.pk()), (&mine, second.pk())],
        &c.world.link_secret,
    )
    .unwrap();
    let theirs = issue(&mut c.rng, &c.world.issuer, &other);
    let p_b = Presentation::build_pairs(
        &mut c.rng,
        &req,
        &[(&theirs, c.world.pk()), (&cred2, second.pk())],
        &other,
        true,
    )
    .unwrap();
    let mut spliced = p_a;
    spliced.credentials[1] = p_b.credentials[1].clone();
    let parsed = ParsedPresentation::from_json(&spliced.to_json()).unwrap();
    assert_eq!(
        verifier.check(&req, &parsed, NOW + 1).unwrap_err().rule,
        "VER-010"
    );
}

#[test]
fn ver_009_second_credential_must_omit_exactly_the_link_secret_response() {
    let mut c = case();
    let (second, req) = two_issuers(&mut c);
    let cred2 = issue(&mut c.rng, &second.issuer, &c.world.link_secret);
    let verifier = Verifier::new([c.world.pk().clone(), second.pk().clone()]);
    let mut p = Presentation::create(
        &mut c.rng,
        &req,
        &[(&c.world.credential, c.world.pk()), (&cred2, second.pk())],
        &c.world.link_secret,
    )
    .unwrap();
    p.credentials[1].proof.responses.push(Fr::from(1u64));
    let parsed = ParsedPresentation::from_json(&p.to_json()).unwrap();
    assert_eq!(
        verifier.check(&req, &parsed, NOW + 1).unwrap_err().rule,
        "VER-009"
    );
}
