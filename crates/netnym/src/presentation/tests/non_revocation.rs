use super::*;
use crate::revocation::{EpochEntry, InMemoryRevokedSet, RevocationAuthority};

/// The fixture citizen's revocation id.
const ID: u64 = 42;

struct Reg {
    auth: RevocationAuthority,
    set: InMemoryRevokedSet,
    log: Vec<EpochEntry>,
}

impl Reg {
    fn new(c: &mut Case) -> Self {
        let (auth, genesis) = RevocationAuthority::generate(&mut c.rng, 64).unwrap();
        Self {
            auth,
            set: InMemoryRevokedSet::default(),
            log: vec![genesis],
        }
    }
    fn revoke(&mut self, ids: &[u64]) {
        let next = self
            .auth
            .revoke(self.log.last().unwrap(), ids, &mut self.set)
            .unwrap();
        self.log.push(next);
    }
    fn verifier(&self, c: &Case) -> Verifier {
        let mut v = c
            .world
            .verifier()
            .with_registry(self.auth.public_key().clone());
        for e in &self.log {
            v.add_epoch(e).unwrap();
        }
        v
    }
    fn request(&self, c: &mut Case, min: u64, max: u64) -> PresentationRequest {
        let q = CredentialQuery::new(
            c.world.pk().schema().id(),
            [c.world.pk().key_id()],
            ["region".to_owned()],
        )
        .unwrap()
        .with_non_revocation(NonRevocation::new(self.auth.public_key().id(), min, max))
        .unwrap();
        PresentationRequest::new(&mut c.rng, "platform.example", NOW, 600, vec![q])
            .unwrap()
            .with_pseudonym()
    }
}

fn present(
    c: &mut Case,
    req: &PresentationRequest,
    w: &MembershipWitness,
    check: bool,
) -> Result<Presentation, PresentError> {
    Presentation::build(
        &mut c.rng,
        req,
        &[Holding::new(&c.world.credential, c.world.pk()).with_witness(w)],
        &c.world.link_secret,
        &[],
        check,
    )
}

fn check(
    reg: &Reg,
    c: &Case,
    req: &PresentationRequest,
    p: &Presentation,
) -> Result<VerifiedPresentation, &'static str> {
    let parsed = ParsedPresentation::from_json(&p.to_json()).expect("structurally valid");
    reg.verifier(c)
        .check(req, &parsed, NOW + 1)
        .map_err(|r| r.rule)
}

#[test]
fn non_revoked_credential_proves_membership() {
    let mut c = case();
    let reg = Reg::new(&mut c);
    let w = reg.auth.witness(ID, &reg.log[0], &reg.set).unwrap();
    let req = reg.request(&mut c, 0, 0);
    let p = present(&mut c, &req, &w, true).unwrap();
    let v = check(&reg, &c, &req, &p).unwrap();
    assert!(v.pseudonym().is_some());
    // The revocation id itself is never on the wire.
    let wire = String::from_utf8(p.to_json()).unwrap();
    assert!(!wire.contains("revocation_id"));
}

#[test]
fn revoked_credential_cannot_prove_membership_after_the_epoch_update() {
    let mut c = case();
    let mut reg = Reg::new(&mut c);
    let mut w = reg.auth.witness(ID, &reg.log[0], &reg.set).unwrap();
    reg.revoke(&[3, ID]);
    // The holder cannot update its witness past its own revocation ...
    assert_eq!(
        w.clone().update(&reg.log[1]).unwrap_err(),
        RevocationError::Revoked(ID)
    );
    // ... refuses a request that accepts only the new epoch ...
    let req = reg.request(&mut c, 1, 1);
    assert!(matches!(
        present(&mut c, &req, &w, true).unwrap_err(),
        PresentError::Revocation { index: 0, .. }
    ));
    // ... and a cheating holder's proof against the stale value is rejected (VER-017).
    let p = present(&mut c, &req, &w, false).unwrap();
    assert_eq!(check(&reg, &c, &req, &p).unwrap_err(), "VER-017");
    // Claiming epoch 1 with the stale witness: the verifier hashes epoch 1's value, so
    // the challenge differs and the whole proof fails (VER-010, the first Schnorr check).
    w.epoch = 1;
    let p = present(&mut c, &req, &w, false).unwrap();
    assert_eq!(check(&reg, &c, &req, &p).unwrap_err(), "VER-010");
}

#[test]
fn other_holders_update_and_keep_proving() {
    let mut c = case();
    let mut reg = Reg::new(&mut c);
    let mut w = reg.auth.witness(ID, &reg.log[0], &reg.set).unwrap();
    reg.revoke(&[1, 2]);
    reg.revoke(&[60]);
    for e in &reg.log[1..] {
        w.update(e).unwrap();
    }
    let req = reg.request(&mut c, 2, 2);
    let p = present(&mut c, &req, &w, true).unwrap();
    check(&reg, &c, &req, &p).unwrap();
}

#[test]
fn ver_017_stale_accumulator_rejected_when_window_excludes_it() {
    let mut c = case();
    let mut reg = Reg::new(&mut c);
    let w = reg.auth.witness(ID, &reg.log[0], &reg.set).unwrap();
    reg.revoke(&[5]);
    // A window that still accepts epoch 0 accepts the stale (but genuine) proof ...
    let lenient = reg.request(&mut c, 0, 1);
    let p = present(&mut c, &lenient, &w, true).unwrap();
    check(&reg, &c, &lenient, &p).unwrap();
    // ... one that starts at epoch 1 rejects it.
    let strict = reg.request(&mut c, 1, 1);
    let p = present(&mut c, &strict, &w, false).unwrap();
    assert_eq!(check(&reg, &c, &strict, &p).unwrap_err(), "VER-017");
}

#[test]
fn ver_016_proof_presence_must_match_request() {
    let mut c = case();
    let reg = Reg::new(&mut c);
    let w = reg.auth.witness(ID, &reg.log[0], &reg.set).unwrap();
    let req = reg.request(&mut c, 0, 0);
    let mut p = present(&mut c, &req, &w, true).unwrap();
    p.credentials[0].non_revoked = None;
    assert_eq!(check(&reg, &c, &req, &p).unwrap_err(), "VER-016");
    // And a proof nobody asked for is refused too.
    let plain = request_for(&mut c.rng, c.world.pk(), &["region"]).with_pseudonym();
    let mut p2 = c.world.present(&mut c.rng, &plain);
    p2.credentials[0].non_revoked = present(&mut c, &req, &w, true).unwrap().credentials[0]
        .non_revoked
        .clone();
    assert_eq!(check(&reg, &c, &plain, &p2).unwrap_err(), "VER-016");
}

#[test]
fn ver_018_unknown_registry_or_epoch() {
    let mut c = case();
    let reg = Reg::new(&mut c);
    let w = reg.auth.witness(ID, &reg.log[0], &reg.set).unwrap();
    let req = reg.request(&mut c, 0, 5);
    let p = present(&mut c, &req, &w, true).unwrap();
    let parsed = ParsedPresentation::from_json(&p.to_json()).unwrap();
    // A verifier that does not trust the registry.
    let r = c
        .world
        .verifier()
        .check(&req, &parsed, NOW + 1)
        .unwrap_err();
    assert_eq!(r.rule, "VER-018");
    // A verifier that trusts it but has not seen epoch 0.
    let v = c
        .world
        .verifier()
        .with_registry(reg.auth.public_key().clone());
    assert_eq!(v.check(&req, &parsed, NOW + 1).unwrap_err().rule, "VER-018");
}

#[test]
fn ver_019_tampered_membership_proof_fails_the_whole_presentation() {
    let mut c = case();
    let reg = Reg::new(&mut c);
    let w = reg.auth.witness(ID, &reg.log[0], &reg.set).unwrap();
    let req = reg.request(&mut c, 0, 0);
    let p = present(&mut c, &req, &w, true).unwrap();
    let mut t = p.clone();
    t.credentials[0].non_revoked.as_mut().unwrap().response += Fr::from(1u64);
    assert_eq!(check(&reg, &c, &req, &t).unwrap_err(), "VER-019");
    let mut t = p.clone();
    let m = t.credentials[0].non_revoked.as_mut().unwrap();
    m.t = (m.t + G1Affine::generator()).into_affine();
    assert_eq!(check(&reg, &c, &req, &t).unwrap_err(), "VER-010");
    let mut t = p.clone();
    let m = t.credentials[0].non_revoked.as_mut().unwrap();
    m.A_bar = (m.A_bar + G1Affine::generator()).into_affine();
    assert_eq!(check(&reg, &c, &req, &t).unwrap_err(), "VER-010");
    // Flipping the BBS+ response of the revocation id breaks both sub-proofs.
    let mut t = p;
    let (parts, _, _) = t.parts_mut(0);
    let idx = c.world.pk().schema().index_of("revocation_id").unwrap();
    // Witness positions: hidden messages in index order (region, index 7, is revealed).
    let pos = idx - usize::from(idx > 7);
    parts.responses[pos] += Fr::from(1u64);
    assert_eq!(check(&reg, &c, &req, &t).unwrap_err(), "VER-010");
}

#[test]
fn pre_009_witness_must_match_credential_and_registry() {
    let mut c = case();
    let reg = Reg::new(&mut c);
    let req = reg.request(&mut c, 0, 0);
    // Another id's witness.
    let other = reg.auth.witness(7, &reg.log[0], &reg.set).unwrap();
    assert!(matches!(
        present(&mut c, &req, &other, true).unwrap_err(),
        PresentError::Revocation { index: 0, .. }
    ));
    // A cheating holder using another member's witness is caught (VER-019).
    let p = present(&mut c, &req, &other, false).unwrap();
    assert_eq!(check(&reg, &c, &req, &p).unwrap_err(), "VER-019");
    // No witness at all.
    let err = Presentation::create(
        &mut c.rng,
        &req,
        &[(&c.world.credential, c.world.pk())],
        &c.world.link_secret,
    )
    .unwrap_err();
    assert!(matches!(err, PresentError::Revocation { index: 0, .. }));
}
