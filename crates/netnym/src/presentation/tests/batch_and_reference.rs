use super::*;
use crate::range::RangeParams;
use crate::revocation::{InMemoryRevokedSet, RevocationAuthority};
use crate::Predicate;

struct Env {
    rng: rand_chacha::ChaCha20Rng,
    world: World,
    params: RangeParams,
    verifier: Verifier,
    /// The same trust, with its own copy of the key (so of the schema) and precomputed
    /// generator tables.
    tabled: Verifier,
    prepared: PreparedCredential,
    witness: MembershipWitness,
    registry: KeyId,
}

fn env() -> Env {
    let mut rng = rng(11);
    let world = World::new(&mut rng);
    let params = RangeParams::generate(&mut rng, 16).unwrap();
    let (auth, genesis) = RevocationAuthority::generate(&mut rng, 100).unwrap();
    let witness = auth
        .witness(42, &genesis, &InMemoryRevokedSet::default())
        .unwrap();
    let mut verifier = world
        .verifier()
        .with_range_params(params.clone())
        .with_registry(auth.public_key().clone());
    verifier.add_epoch(&genesis).unwrap();
    let own_key = IssuerPublicKey::from_json(&world.pk().to_json()).unwrap();
    let mut tabled = Verifier::new([own_key])
        .precompute()
        .with_range_params(params.clone())
        .with_registry(auth.public_key().clone());
    tabled.add_epoch(&genesis).unwrap();
    // The prover's tables are for its own copy of the key too: `verifier` keeps the
    // untabled path.
    let holder_key = IssuerPublicKey::from_json(&world.pk().to_json()).unwrap();
    let prepared =
        PreparedCredential::new(&world.credential, &holder_key, &world.link_secret).unwrap();
    assert!(world.pk().schema().tables_if_built().is_none());
    Env {
        rng,
        world,
        params,
        verifier,
        tabled,
        prepared,
        witness,
        registry: auth.public_key().id(),
    }
}

/// Request kinds: plain disclosure, predicates, pseudonym, non-revocation, everything.
fn request(e: &mut Env, kind: usize) -> PresentationRequest {
    let mut q = CredentialQuery::new(
        e.world.pk().schema().id(),
        [e.world.pk().key_id()],
        ["nationality".to_owned()],
    )
    .unwrap();
    if kind == 1 || kind == 4 {
        q = q
            .with_predicates([
                Predicate::AgeAtLeast(18),
                Predicate::RegionWithin("31".into()),
            ])
            .unwrap();
    }
    if kind == 3 || kind == 4 {
        q = q
            .with_non_revocation(NonRevocation::new(e.registry, 0, 0))
            .unwrap();
    }
    let mut r = PresentationRequest::new(&mut e.rng, "shop.example", NOW, 600, vec![q])
        .unwrap()
        .with_range_params(e.params.id());
    if kind == 2 || kind == 4 {
        r = r.with_pseudonym();
    }
    r
}

fn present(e: &mut Env, req: &PresentationRequest) -> Presentation {
    Presentation::create_with(
        &mut e.rng,
        req,
        &[Holding::new(&e.world.credential, e.world.pk()).with_witness(&e.witness)],
        &e.world.link_secret,
        &[&e.params],
    )
    .unwrap()
}

/// The same, from the prepared credential's tables.
fn present_prepared(e: &mut Env, req: &PresentationRequest) -> Presentation {
    let holding = e.prepared.holding().with_witness(&e.witness);
    Presentation::create_with(
        &mut e.rng,
        req,
        &[holding],
        &e.world.link_secret,
        &[&e.params],
    )
    .unwrap()
}

/// Fast (batched), fast with precomputed tables, and reference (each equation by the
/// libraries' own verifiers, BBS+ by `bbs_plus`'s complete verifier) agree on valid
/// presentations, from the library prover and from a prepared credential, and on every
/// single-byte mutation of every binary field.
#[test]
fn fast_and_reference_verifiers_agree_on_valid_and_mutated_proofs() {
    let mut e = env();
    let mut compared = 0;
    let mut rejected = 0;
    for (kind, prepared) in (0..5).flat_map(|k| [(k, false), (k, true)]) {
        let req = request(&mut e, kind);
        let p = if prepared {
            present_prepared(&mut e, &req)
        } else {
            present(&mut e, &req)
        };
        let json: serde_json::Value = serde_json::from_slice(&p.to_json()).unwrap();
        let parsed = ParsedPresentation::from_json(&p.to_json()).unwrap();
        let fast = e.verifier.verify(&req, &parsed, NOW + 1);
        let reference = e.verifier.verify_reference(&req, &parsed, NOW + 1);
        let tabled = e.tabled.verify(&req, &parsed, NOW + 1);
        assert!(fast.is_ok(), "kind {kind}, prepared {prepared}");
        assert_eq!(fast, reference);
        assert_eq!(fast, tabled);
        // Every binary field of the presentation.
        let mut fields = vec![vec!["credentials".to_owned(), "0".into(), "proof".into()]];
        if let Some(r) = json["credentials"][0]["ranges"].as_array() {
            for k in 0..r.len() {
                fields.push(vec![
                    "credentials".into(),
                    "0".into(),
                    "ranges".into(),
                    k.to_string(),
                ]);
            }
        }
        if json["credentials"][0].get("non_revoked").is_some() {
            fields.push(vec![
                "credentials".into(),
                "0".into(),
                "non_revoked".into(),
                "proof".into(),
            ]);
        }
        if json.get("pseudonym").is_some() {
            fields.push(vec!["pseudonym".into(), "proof".into()]);
        }
        for path in fields {
            let ptr = format!("/{}", path.join("/"));
            let text = json.pointer(&ptr).unwrap().as_str().unwrap().to_owned();
            let bytes = unb64("f", &text).unwrap();
            // A spread of positions, each flipped in its low bit.
            for pos in (0..bytes.len()).step_by(29) {
                let mut b = bytes.clone();
                b[pos] ^= 1;
                let mut m = json.clone();
                *m.pointer_mut(&ptr).unwrap() = serde_json::Value::String(b64(&b));
                let Ok(parsed) = ParsedPresentation::from_json(&serde_json::to_vec(&m).unwrap())
                else {
                    continue; // not a valid encoding: never reaches either verifier
                };
                let fast = e.verifier.verify(&req, &parsed, NOW + 1);
                let reference = e.verifier.verify_reference(&req, &parsed, NOW + 1);
                let tabled = e.tabled.verify(&req, &parsed, NOW + 1);
                assert_eq!(fast, reference, "{ptr} byte {pos}");
                assert_eq!(fast, tabled, "{ptr} byte {pos}");
                compared += 1;
                rejected += usize::from(fast.is_err());
            }
        }
    }
    assert!(compared > 100, "{compared}");
    // Every decodable single-bit flip of a proof is rejected.
    assert_eq!(rejected, compared);
}

#[test]
fn batch_verification_reports_exactly_the_invalid_presentations() {
    let mut e = env();
    let mut reqs = Vec::new();
    let mut pres = Vec::new();
    for k in 0..10 {
        let req = request(&mut e, k % 5);
        let p = if k % 2 == 0 {
            present(&mut e, &req)
        } else {
            present_prepared(&mut e, &req)
        };
        reqs.push(req);
        pres.push(p);
    }
    // 3: a Schnorr response tampered (caught before the batch).
    pres[3].parts_mut(0).0.r1 += Fr::from(1u64);
    // 6: a forged signature that passes every Schnorr check: only the pairing batch fails.
    let forged = Credential::new(
        e.world.pk().key_id(),
        e.world.credential.attributes().clone(),
        bbs_plus::signature::SignatureG1 {
            A: G1Affine::rand(&mut e.rng),
            e: Fr::rand(&mut e.rng),
            s: Fr::rand(&mut e.rng),
        },
    );
    let req6 = request(&mut e, 0);
    pres[6] = Presentation::build_pairs(
        &mut e.rng,
        &req6,
        &[(&forged, e.world.pk())],
        &e.world.link_secret,
        false,
    )
    .unwrap();
    reqs[6] = req6;
    let parsed: Vec<ParsedPresentation> = pres
        .iter()
        .map(|p| ParsedPresentation::from_json(&p.to_json()).unwrap())
        .collect();
    let items: Vec<(&PresentationRequest, &ParsedPresentation)> =
        reqs.iter().zip(&parsed).collect();
    let results = e.verifier.verify_batch(&items, NOW + 1);
    assert_eq!(results, e.tabled.verify_batch(&items, NOW + 1));
    for (k, r) in results.iter().enumerate() {
        if k == 3 || k == 6 {
            assert_eq!(r, &Err(VerifyError::InvalidPresentation), "{k}");
        } else {
            let single = e.verifier.verify(&reqs[k], &parsed[k], NOW + 1);
            assert_eq!(r, &single, "{k}");
            assert!(r.is_ok(), "{k}");
        }
    }
    // Expired for all: every one reports it.
    let late = e.verifier.verify_batch(&items, NOW + 10_000);
    assert!(late.iter().all(|r| r == &Err(VerifyError::RequestExpired)));
    // An all-valid batch.
    let ok: Vec<_> = items
        .iter()
        .enumerate()
        .filter(|(k, _)| *k != 3 && *k != 6)
        .map(|(_, x)| *x)
        .collect();
    assert!(e
        .verifier
        .verify_batch(&ok, NOW + 1)
        .iter()
        .all(Result::is_ok));
}
