use super::*;
use crate::range::{KeyedRangeVerifier, RangeParams};
use crate::revocation::{InMemoryRevokedSet, RevocationAuthority};
use crate::testing::{citizen_with, issue_with};
use crate::Predicate;

/// Unix time of a UTC date at noon.
fn at(date: &str) -> u64 {
    u64::from(Date::parse(date).unwrap().days()) * 86_400 - 2_208_988_800 + 43_200
}

struct Env {
    rng: rand_chacha::ChaCha20Rng,
    world: World,
    params: RangeParams,
}

fn env(base: u16) -> Env {
    let mut rng = rng(7);
    let world = World::new(&mut rng);
    let params = RangeParams::generate(&mut rng, base).unwrap();
    Env { rng, world, params }
}

impl Env {
    fn holder(&mut self, changes: &[(&str, serde_json::Value)]) -> Credential {
        let attrs = citizen_with(self.world.pk().schema(), changes);
        issue_with(
            &mut self.rng,
            &self.world.issuer,
            &self.world.link_secret,
            &attrs,
        )
    }
    fn request(&mut self, preds: Vec<Predicate>, now: u64) -> PresentationRequest {
        let q = CredentialQuery::new(
            self.world.pk().schema().id(),
            [self.world.pk().key_id()],
            [],
        )
        .unwrap()
        .with_predicates(preds)
        .unwrap();
        PresentationRequest::new(&mut self.rng, "platform.example", now, 600, vec![q])
            .unwrap()
            .with_range_params(self.params.id())
    }
    fn present(
        &mut self,
        req: &PresentationRequest,
        cred: &Credential,
    ) -> Result<Presentation, PresentError> {
        Presentation::create_with(
            &mut self.rng,
            req,
            &[Holding::new(cred, self.world.pk())],
            &self.world.link_secret,
            &[&self.params],
        )
    }
    fn verifier(&self) -> Verifier {
        self.world.verifier().with_range_params(self.params.clone())
    }
    fn check(
        &self,
        v: &Verifier,
        req: &PresentationRequest,
        p: &Presentation,
    ) -> Result<VerifiedPresentation, &'static str> {
        let parsed = ParsedPresentation::from_json(&p.to_json()).expect("valid structure");
        v.check(req, &parsed, req.created_at() + 1)
            .map_err(|r| r.rule)
    }
    /// Satisfied: verifies. Unsatisfied: the wallet refuses (PRE-007) and even without
    /// its check the range prover cannot build a proof.
    fn expect(&mut self, cred: &Credential, preds: Vec<Predicate>, now: u64, ok: bool) {
        let req = self.request(preds.clone(), now);
        if ok {
            let p = self.present(&req, cred).unwrap();
            let v = self.check(&self.verifier(), &req, &p).unwrap();
            assert!(v.credentials()[0].disclosed().is_empty());
        } else {
            assert!(
                matches!(
                    self.present(&req, cred).unwrap_err(),
                    PresentError::PredicateNotSatisfied { index: 0, .. }
                ),
                "{preds:?} at {now}"
            );
            let forced = Presentation::build(
                &mut self.rng,
                &req,
                &[Holding::new(cred, self.world.pk())],
                &self.world.link_secret,
                &[&self.params],
                false,
            );
            assert!(matches!(
                forced.unwrap_err(),
                PresentError::PredicateNotSatisfied { index: 0, .. }
            ));
        }
    }
}

#[test]
fn age_at_least_boundary_days() {
    let mut e = env(16);
    let now = at("2025-11-24");
    // Exactly 18 today.
    let eighteen = e.holder(&[("birth_date", "2007-11-24".into())]);
    e.expect(&eighteen, vec![Predicate::AgeAtLeast(18)], now, true);
    // 17 years and 364 days.
    let almost = e.holder(&[("birth_date", "2007-11-25".into())]);
    e.expect(&almost, vec![Predicate::AgeAtLeast(18)], now, false);
    // ... who turns 18 the next day.
    e.expect(
        &almost,
        vec![Predicate::AgeAtLeast(18)],
        at("2025-11-25"),
        true,
    );
}

#[test]
fn age_below_boundary_days() {
    let mut e = env(16);
    let now = at("2025-11-24");
    // Turns 18 tomorrow: still below 18 today, not tomorrow.
    let almost = e.holder(&[("birth_date", "2007-11-25".into())]);
    e.expect(&almost, vec![Predicate::AgeBelow(18)], now, true);
    e.expect(
        &almost,
        vec![Predicate::AgeBelow(18)],
        at("2025-11-25"),
        false,
    );
}

#[test]
fn prd_002_leap_day_birthdays() {
    let mut e = env(16);
    let leapling = e.holder(&[("birth_date", "2008-02-29".into())]);
    // 2026 is not a leap year: 29 February 2008 + 18 years is 1 March 2026 (the cutoff
    // 28 February 2008 is before the birth date).
    e.expect(
        &leapling,
        vec![Predicate::AgeAtLeast(18)],
        at("2026-02-28"),
        false,
    );
    e.expect(
        &leapling,
        vec![Predicate::AgeAtLeast(18)],
        at("2026-03-01"),
        true,
    );
    // On 29 February 2028, someone born 28 February 2010 is 18 (cutoff 28 February
    // 2010, as 2010 has no 29 February).
    let born = e.holder(&[("birth_date", "2010-02-28".into())]);
    e.expect(
        &born,
        vec![Predicate::AgeAtLeast(18)],
        at("2028-02-29"),
        true,
    );
    e.expect(
        &born,
        vec![Predicate::AgeAtLeast(18)],
        at("2028-02-27"),
        false,
    );
}

#[test]
fn valid_on_boundary_days() {
    let mut e = env(16);
    let c = e.world.credential.clone(); // issued 2020-05-01, expires 2030-05-01
    let now = at("2025-11-24");
    for (date, ok) in [
        ("2020-05-01", true),
        ("2030-05-01", true),
        ("2020-04-30", false),
        ("2030-05-02", false),
    ] {
        e.expect(&c, vec![Predicate::ValidOn(date.into())], now, ok);
    }
}

#[test]
fn region_within_prefixes() {
    let mut e = env(16);
    let c = e.world.credential.clone(); // region 310115
    let now = at("2025-11-24");
    for (prefix, ok) in [
        ("31", true),
        ("3101", true),
        ("310115", true),
        ("32", false),
        ("310116", false),
        ("3", true),
    ] {
        e.expect(&c, vec![Predicate::RegionWithin(prefix.into())], now, ok);
    }
}

#[test]
fn general_range_on_uint_and_dates() {
    let mut e = env(64);
    let c = e.world.credential.clone(); // revocation_id 42
    let now = at("2025-11-24");
    let range = |min: Option<u64>, max: Option<u64>| {
        Predicate::Range(RangeSpec {
            attribute: "revocation_id".into(),
            min: min.map(Into::into),
            max: max.map(Into::into),
        })
    };
    e.expect(&c, vec![range(Some(42), Some(42))], now, true);
    e.expect(&c, vec![range(Some(43), None)], now, false);
    e.expect(&c, vec![range(None, Some(41))], now, false);
    e.expect(&c, vec![range(None, None)], now, true);
}

#[test]
fn several_predicates_in_one_proof_base_64() {
    let mut e = env(64);
    let c = e.world.credential.clone();
    e.expect(
        &c,
        vec![
            Predicate::AgeAtLeast(18),
            Predicate::AgeBelow(60),
            Predicate::ValidOn("2025-11-24".into()),
            Predicate::RegionWithin("31".into()),
        ],
        at("2025-11-24"),
        true,
    );
}

#[test]
fn ver_010_proof_for_a_weaker_predicate_does_not_verify_for_a_stronger_one() {
    let mut e = env(16);
    let almost = e.holder(&[("birth_date", "2007-11-25".into())]);
    let now = at("2025-11-24");
    let weak = e.request(vec![Predicate::AgeAtLeast(17)], now);
    let strong = e.request(vec![Predicate::AgeAtLeast(18)], now);
    let mut p = e.present(&weak, &almost).unwrap();
    p.nonce = strong.nonce().to_vec();
    // The verifier recomputes the bound from its own request: challenge differs.
    assert_eq!(e.check(&e.verifier(), &strong, &p).unwrap_err(), "VER-010");
}

#[test]
fn tampering_any_range_sub_proof_fails_the_whole_presentation() {
    let mut e = env(16);
    let c = e.world.credential.clone();
    let req = e.request(vec![Predicate::AgeAtLeast(18)], at("2025-11-24"));
    let p = e.present(&req, &c).unwrap();
    let v = e.verifier();
    e.check(&v, &req, &p).unwrap();
    let one = Fr::from(1u64);
    let g = G1Affine::generator();
    type Mutation = Box<dyn Fn(&mut RangeParts)>;
    let cases: Vec<(&str, Mutation)> = vec![
        ("VER-010", Box::new(move |r| r.C = (r.C + g).into_affine())),
        ("VER-010", Box::new(move |r| r.t = (r.t + g).into_affine())),
        ("VER-021", Box::new(move |r| r.z_r += one)),
        ("VER-010", Box::new(move |r| r.D = (r.D + g).into_affine())),
        ("VER-022", Box::new(move |r| r.resp_r += one)),
        ("VER-022", Box::new(move |r| r.digits[0].r1 += one)),
        ("VER-022", Box::new(move |r| r.digits[1].r2 += one)),
        (
            "VER-010",
            Box::new(move |r| r.digits[0].A_bar = (r.digits[0].A_bar + g).into_affine()),
        ),
        (
            "VER-020",
            Box::new(|r| {
                r.digits.pop();
            }),
        ),
        (
            "VER-020",
            Box::new(|r| {
                let d = r.digits[0].clone();
                r.digits.push(d);
            }),
        ),
    ];
    for (rule, f) in cases {
        let mut t = p.clone();
        f(&mut t.credentials[0].ranges[0]);
        assert_eq!(e.check(&v, &req, &t).unwrap_err(), rule);
    }
    let mut t = p.clone();
    t.credentials[0].ranges.clear();
    assert_eq!(e.check(&v, &req, &t).unwrap_err(), "VER-020");
    // The BBS+ response of birth_date is shared with the opening proof.
    let mut t = p;
    let pos = e.world.pk().schema().index_of("birth_date").unwrap();
    t.parts_mut(0).0.responses[pos] += one;
    assert_eq!(e.check(&v, &req, &t).unwrap_err(), "VER-010");
}

#[test]
fn ver_022_digit_proofs_on_non_signatures_fail_the_pairing_batch() {
    let mut e = env(16);
    let c = e.world.credential.clone();
    let req = e.request(vec![Predicate::AgeAtLeast(18)], at("2025-11-24"));
    // A holder with corrupted parameters (it skipped RNG-002): its digit proofs satisfy
    // every Schnorr relation but not the pairing equations.
    let bad = e.params.with_corrupt_signatures();
    let p = Presentation::create_with(
        &mut e.rng,
        &req,
        &[Holding::new(&c, e.world.pk())],
        &e.world.link_secret,
        &[&bad],
    )
    .unwrap();
    assert_eq!(e.check(&e.verifier(), &req, &p).unwrap_err(), "VER-022");
    // Swapping in another presentation's digit proof changes the challenge (VER-010).
    let good = e.present(&req, &c).unwrap();
    let other = e.present(&req, &c).unwrap();
    let mut t = good;
    t.credentials[0].ranges[0].digits[0] = other.credentials[0].ranges[0].digits[0].clone();
    assert_eq!(e.check(&e.verifier(), &req, &t).unwrap_err(), "VER-010");
}

#[test]
fn keyed_verification_variant() {
    let mut e = env(16);
    let keyed = KeyedRangeVerifier::generate(&mut e.rng, 16).unwrap();
    let public = keyed.public_params().clone();
    let c = e.world.credential.clone();
    let q = CredentialQuery::new(e.world.pk().schema().id(), [e.world.pk().key_id()], [])
        .unwrap()
        .with_predicates([
            Predicate::AgeAtLeast(18),
            Predicate::RegionWithin("31".into()),
        ])
        .unwrap();
    let req = PresentationRequest::new(&mut e.rng, "shop.example", at("2025-11-24"), 600, vec![q])
        .unwrap()
        .with_range_params(public.id());
    let p = Presentation::create_with(
        &mut e.rng,
        &req,
        &[Holding::new(&c, e.world.pk())],
        &e.world.link_secret,
        &[&e.params, &public],
    )
    .unwrap();
    let v = e.world.verifier().with_keyed_range_verifier(keyed);
    e.check(&v, &req, &p).unwrap();
    // Anyone without the key cannot verify it, even with the public parameters.
    let outsider = e.world.verifier().with_range_params(public);
    assert_eq!(e.check(&outsider, &req, &p).unwrap_err(), "VER-020");
    // Tampering is caught without pairings.
    let mut t = p;
    t.credentials[0].ranges[1].digits[0].r2 += Fr::from(1u64);
    assert_eq!(e.check(&v, &req, &t).unwrap_err(), "VER-022");
}

#[test]
fn pre_010_and_ver_020_range_params_must_be_named_and_known() {
    let mut e = env(16);
    let c = e.world.credential.clone();
    let req = e.request(vec![Predicate::AgeAtLeast(18)], at("2025-11-24"));
    let err = Presentation::create_with(
        &mut e.rng,
        &req,
        &[Holding::new(&c, e.world.pk())],
        &e.world.link_secret,
        &[],
    )
    .unwrap_err();
    assert_eq!(err, PresentError::RangeParams { index: 0 });
    let p = e.present(&req, &c).unwrap();
    assert_eq!(
        e.check(&e.world.verifier(), &req, &p).unwrap_err(),
        "VER-020"
    );
    // REQ-009: a request with predicates but no parameters round-trips (the builder can
    // make it) and is unanswerable: the wallet refuses it (PRE-010).
    let mut j: serde_json::Value = serde_json::from_slice(&req.to_json()).unwrap();
    j.as_object_mut().unwrap().remove("range_params");
    let bare = PresentationRequest::from_json(&serde_json::to_vec(&j).unwrap()).unwrap();
    assert_eq!(bare.range_params(), None);
    assert_eq!(
        PresentationRequest::from_json(&bare.to_json()).unwrap(),
        bare
    );
    let err = Presentation::create_with(
        &mut e.rng,
        &bare,
        &[Holding::new(&c, e.world.pk())],
        &e.world.link_secret,
        &[&e.params],
    )
    .unwrap_err();
    assert_eq!(err, PresentError::RangeParams { index: 0 });
    // The request round-trips.
    assert_eq!(PresentationRequest::from_json(&req.to_json()).unwrap(), req);
}

/// disclose 2 + age + validity + region + pseudonym + non-revocation, two sub-proof kinds
/// and one challenge.
#[test]
fn full_presentation() {
    let mut e = env(16);
    let (auth, genesis) = RevocationAuthority::generate(&mut e.rng, 1000).unwrap();
    let set = InMemoryRevokedSet::default();
    let w = auth.witness(42, &genesis, &set).unwrap();
    let q = CredentialQuery::new(
        e.world.pk().schema().id(),
        [e.world.pk().key_id()],
        ["nationality".to_owned(), "document_type".to_owned()],
    )
    .unwrap()
    .with_predicates([
        Predicate::AgeAtLeast(18),
        Predicate::ValidOn("2025-11-24".into()),
        Predicate::RegionWithin("31".into()),
    ])
    .unwrap()
    .with_non_revocation(NonRevocation::new(auth.public_key().id(), 0, 0))
    .unwrap();
    let req = PresentationRequest::new(&mut e.rng, "shop.example", at("2025-11-24"), 600, vec![q])
        .unwrap()
        .with_range_params(e.params.id())
        .with_pseudonym();
    let req = PresentationRequest::from_json(&req.to_json()).unwrap();
    let c = e.world.credential.clone();
    let p = Presentation::create_with(
        &mut e.rng,
        &req,
        &[Holding::new(&c, e.world.pk()).with_witness(&w)],
        &e.world.link_secret,
        &[&e.params],
    )
    .unwrap();
    let mut v = e.verifier().with_registry(auth.public_key().clone());
    v.add_epoch(&genesis).unwrap();
    let out = e.check(&v, &req, &p).unwrap();
    assert_eq!(out.credentials()[0].disclosed().len(), 2);
    assert!(out.pseudonym().is_some());
    // Four range proofs (validity is two bounds), one membership proof.
    assert_eq!(p.credentials[0].ranges.len(), 4);
    assert!(p.credentials[0].non_revoked.is_some());
}
