//! Criterion benchmarks of predicates, pseudonyms and non-revocation on `cn-network-id/v1`
//! (issue 3): each statement alone, and the full presentation.
//!
//! Ids: `predicates/prove/{case}` (`Presentation::create_with`) and
//! `predicates/verify/{case}` (`Verifier::verify` on a parsed presentation), where `{case}` is
//! - `disclose2`: disclose `nationality` and `document_type` only (the baseline every other
//!   case adds to);
//! - `age_at_least_b16`, `age_at_least_b64`: `age_at_least: 18` with public range parameters of
//!   base 16 / 64;
//! - `age_below_b16`, `valid_on_b16` (two range proofs), `region_within_b16`;
//! - `age_at_least_kv16`: `age_at_least: 18` with a platform's keyed parameters (verification
//!   without pairings for the range proof);
//! - `pseudonym`: the per-platform pseudonym;
//! - `non_revocation`: membership in a 100 000-id accumulator (CDH variant);
//! - `full_b16`, `full_b64`: disclose 2 + `age_at_least: 18` + `valid_on` + `region_within: 31`
//!   + pseudonym + non-revocation.
//!
//! Every case except `disclose2` also discloses the same two attributes. Proof sizes (binary
//! proof bytes, `Presentation::proof_size`, and JSON bytes) are printed to stderr on lines
//! starting with `SIZE`.
//!
//! Run: `cargo bench -p netnym-benches --bench predicates -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{criterion_main, BatchSize, Criterion};
use netnym::{
    AttributeValue, Attributes, BlindIssuanceRequest, CredentialQuery, Date, Holding,
    InMemoryRevokedSet, IssuanceOffer, Issuer, IssuerPublicKey, IssuerSecretKey,
    KeyedRangeVerifier, LinkSecret, NonRevocation, ParsedPresentation, Predicate,
    PreparedCredential, Presentation, PresentationRequest, RangeParams, RevocationAuthority,
    Schema, Verifier,
};
use netnym_benches::rng;

/// 2025-11-24T16:00:00Z.
const NOW: u64 = 1_764_000_000;

struct Case {
    name: &'static str,
    request: PresentationRequest,
    verifier: Verifier,
    params: Vec<RangeParams>,
    witness: bool,
}

struct Fixture {
    issuer: Issuer,
    /// The credential prepared with the holder's own copy of the key (so the verifiers of
    /// `verify/*` keep their untabled schema).
    prepared: PreparedCredential,
    /// A verifier with its own copy of the key, generator tables precomputed.
    precomputed: Verifier,
    link_secret: LinkSecret,
    credential: netnym::Credential,
    witness: netnym::MembershipWitness,
    cases: Vec<Case>,
}

#[allow(clippy::too_many_lines)]
fn fixture() -> Fixture {
    let mut rng = rng(77);
    let schema = Schema::cn_network_id_v1();
    let issuer = Issuer::new(IssuerSecretKey::generate(&mut rng), &schema);
    let pk = issuer.public_key().clone();
    let link_secret = LinkSecret::generate(&mut rng);
    let date = |y, m, d| AttributeValue::Date(Date::from_ymd(y, m, d).expect("date"));
    let text = |s: &str| AttributeValue::String(s.to_owned());
    let code = |s: &str| AttributeValue::Code(s.to_owned());
    let attributes = Attributes::new(
        &schema,
        [
            ("revocation_id", AttributeValue::Uint(4242)),
            ("document_type", code("01")),
            ("document_number", text("310115199001011234")),
            ("family_name", text("Zhang")),
            ("given_name", text("Wei")),
            ("birth_date", date(1990, 1, 1)),
            ("region", code("310115")),
            ("nationality", text("CHN")),
            ("issued_on", date(2020, 5, 1)),
            ("expires_on", date(2030, 5, 1)),
        ]
        .map(|(n, v)| (n.to_owned(), v)),
    )
    .expect("attributes");
    let offer = IssuanceOffer::new(&mut rng, &pk);
    let (req, pending) =
        BlindIssuanceRequest::new(&mut rng, &pk, &offer, &link_secret).expect("request");
    let resp = issuer
        .issue_blind(&mut rng, &offer, &req, &attributes)
        .expect("issue");
    let credential = pending.finish(&pk, resp, &link_secret).expect("finish");

    let (auth, genesis) = RevocationAuthority::generate(&mut rng, 100_000).expect("registry");
    let witness = auth
        .witness(4242, &genesis, &InMemoryRevokedSet::default())
        .expect("witness");
    let b16 = RangeParams::generate(&mut rng, 16).expect("params");
    let b64 = RangeParams::generate(&mut rng, 64).expect("params");
    let kv16 = KeyedRangeVerifier::generate(&mut rng, 16).expect("params");
    let kv16_public = kv16.public_params().clone();

    let mut base_verifier = Verifier::new([pk.clone()])
        .with_range_params(b16.clone())
        .with_range_params(b64.clone())
        .with_registry(auth.public_key().clone());
    base_verifier.add_epoch(&genesis).expect("epoch");
    let kv_verifier = base_verifier.clone().with_keyed_range_verifier(kv16);
    let own_key = || IssuerPublicKey::from_json(&pk.to_json()).expect("key");
    let mut precomputed = Verifier::new([own_key()])
        .precompute()
        .with_range_params(b16.clone())
        .with_range_params(b64.clone())
        .with_registry(auth.public_key().clone());
    precomputed.add_epoch(&genesis).expect("epoch");
    let prepared =
        PreparedCredential::new(&credential, &own_key(), &link_secret).expect("prepared");

    let disclose = || ["nationality".to_owned(), "document_type".to_owned()];
    let query = |preds: Vec<Predicate>, nonrev: bool| {
        let mut q = CredentialQuery::new(schema.id(), [pk.key_id()], disclose())
            .expect("query")
            .with_predicates(preds)
            .expect("predicates");
        if nonrev {
            q = q
                .with_non_revocation(NonRevocation::new(auth.public_key().id(), 0, 0))
                .expect("non-revocation");
        }
        q
    };
    let full = || {
        vec![
            Predicate::AgeAtLeast(18),
            Predicate::ValidOn("2025-11-24".into()),
            Predicate::RegionWithin("31".into()),
        ]
    };
    let mut cases = Vec::new();
    let mut add = |name: &'static str,
                   preds: Vec<Predicate>,
                   params: Option<&RangeParams>,
                   nym: bool,
                   nonrev: bool,
                   verifier: &Verifier| {
        let mut r = PresentationRequest::new(
            &mut rng,
            "shop.example",
            NOW,
            600,
            vec![query(preds, nonrev)],
        )
        .expect("request");
        if let Some(p) = params {
            r = r.with_range_params(p.id());
        }
        if nym {
            r = r.with_pseudonym();
        }
        cases.push(Case {
            name,
            request: r,
            verifier: verifier.clone(),
            params: params.into_iter().cloned().collect(),
            witness: nonrev,
        });
    };
    let v = &base_verifier;
    add("disclose2", vec![], None, false, false, v);
    add(
        "age_at_least_b16",
        vec![Predicate::AgeAtLeast(18)],
        Some(&b16),
        false,
        false,
        v,
    );
    add(
        "age_at_least_b64",
        vec![Predicate::AgeAtLeast(18)],
        Some(&b64),
        false,
        false,
        v,
    );
    add(
        "age_below_b16",
        vec![Predicate::AgeBelow(60)],
        Some(&b16),
        false,
        false,
        v,
    );
    add(
        "valid_on_b16",
        vec![Predicate::ValidOn("2025-11-24".into())],
        Some(&b16),
        false,
        false,
        v,
    );
    add(
        "region_within_b16",
        vec![Predicate::RegionWithin("31".into())],
        Some(&b16),
        false,
        false,
        v,
    );
    add(
        "age_at_least_kv16",
        vec![Predicate::AgeAtLeast(18)],
        Some(&kv16_public),
        false,
        false,
        &kv_verifier,
    );
    add("pseudonym", vec![], None, true, false, v);
    add("non_revocation", vec![], None, false, true, v);
    add("full_b16", full(), Some(&b16), true, true, v);
    add("full_b64", full(), Some(&b64), true, true, v);
    Fixture {
        issuer,
        prepared,
        precomputed,
        link_secret,
        credential,
        witness,
        cases,
    }
}

fn present(f: &Fixture, case: &Case, rng: &mut rand_chacha::ChaCha20Rng) -> Presentation {
    let pk = f.issuer.public_key();
    let mut holding = Holding::new(&f.credential, pk);
    if case.witness {
        holding = holding.with_witness(&f.witness);
    }
    let params: Vec<&RangeParams> = case.params.iter().collect();
    Presentation::create_with(rng, &case.request, &[holding], &f.link_secret, &params)
        .expect("presentation")
}

fn present_prepared(f: &Fixture, case: &Case, rng: &mut rand_chacha::ChaCha20Rng) -> Presentation {
    let mut holding = f.prepared.holding();
    if case.witness {
        holding = holding.with_witness(&f.witness);
    }
    let params: Vec<&RangeParams> = case.params.iter().collect();
    Presentation::create_with(rng, &case.request, &[holding], &f.link_secret, &params)
        .expect("presentation")
}

fn predicates(c: &mut Criterion) {
    let f = fixture();
    let mut rng = rng(78);
    let mut group = c.benchmark_group("predicates");
    for case in &f.cases {
        let p = present(&f, case, &mut rng);
        let json = p.to_json();
        eprintln!(
            "SIZE predicates/{}: proof {} bytes, json {} bytes",
            case.name,
            p.proof_size(),
            json.len()
        );
        let parsed = ParsedPresentation::from_json(&json).expect("parse");
        case.verifier
            .verify(&case.request, &parsed, NOW + 1)
            .expect("verifies");
        group.bench_function(format!("prove/{}", case.name), |b| {
            b.iter(|| present(&f, black_box(case), &mut rng));
        });
        group.bench_function(format!("verify/{}", case.name), |b| {
            b.iter_batched(
                || parsed.clone(),
                |parsed| {
                    case.verifier
                        .verify(black_box(&case.request), &parsed, NOW + 1)
                        .expect("verifies")
                },
                BatchSize::SmallInput,
            );
        });
        if case.name.starts_with("full") || case.name == "disclose2" {
            group.bench_function(format!("prove_prepared/{}", case.name), |b| {
                b.iter(|| present_prepared(&f, black_box(case), &mut rng));
            });
            f.precomputed
                .verify(&case.request, &parsed, NOW + 1)
                .expect("verifies");
            group.bench_function(format!("verify_precomputed/{}", case.name), |b| {
                b.iter_batched(
                    || parsed.clone(),
                    |parsed| {
                        f.precomputed
                            .verify(black_box(&case.request), &parsed, NOW + 1)
                            .expect("verifies")
                    },
                    BatchSize::SmallInput,
                );
            });
        }
    }
    group.finish();
}

fn benches() {
    let mut c = Criterion::default().configure_from_args();
    predicates(&mut c);
}

criterion_main!(benches);
