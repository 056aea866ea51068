//! Criterion benchmarks of NetNym's credential lifecycle, with a raw `bbs_plus` baseline.
//!
//! Benchmark ids (`n` = attributes in the schema, attribute 0 being the link secret; the
//! trailing `2` = attributes disclosed):
//!
//! - `keygen`: `IssuerSecretKey::generate` + `IssuerPublicKey::from_secret` (10 attributes);
//! - `issue/{n}`: `Issuer::issue_blind` on a prepared request (checks the holder's commitment
//!   proof, then signs);
//! - `issue_holder/{n}`: `BlindIssuanceRequest::new` + `PendingIssuance::finish` (unblind and
//!   verify the signature);
//! - `present/{n}/2`: `Presentation::create` disclosing `a1`, `a2`;
//! - `parse_presentation/{n}/2`: `ParsedPresentation::from_json`;
//! - `verify_presentation/{n}/2`: `Verifier::verify` on an already parsed presentation;
//! - `bbs_plus_raw/prove/{n}/2`, `bbs_plus_raw/verify/{n}/2`: `bbs_plus`'s own
//!   `PoKOfSignatureG1Protocol::init` + `gen_proof` and `PoKOfSignatureG1Proof::verify` (with
//!   the Blake2b challenge, public key and params prepared once), for the same sizes;
//!   `bbs_plus_raw/verify_unprepared/{n}/2` passes unprepared key and params, so the library
//!   prepares the two G2 points for the pairing on every call.
//!
//! Proof and presentation sizes are printed to stderr (lines starting with `SIZE`) once per `n`.
//!
//! Run: `cargo bench -p netnym-benches --bench credential` (add
//! `-- --warm-up-time 1 --measurement-time 3` for a bounded run).

use std::hint::black_box;

use ark_serialize::CanonicalSerialize;
use criterion::{criterion_main, BatchSize, BenchmarkId, Criterion};
use netnym::{
    BlindIssuanceRequest, IssuanceOffer, IssuerPublicKey, IssuerSecretKey, ParsedPresentation,
    Presentation, Verifier,
};
use netnym_benches::{
    presentation_request, rng, schema, RawBbs, World, DISCLOSED, KEYGEN_SIZE, SIZES, VERIFY_AT,
};
use rand::RngCore;

fn keygen(c: &mut Criterion) {
    let schema = schema(KEYGEN_SIZE);
    let mut rng = rng(1);
    c.bench_function("keygen", |b| {
        b.iter(|| {
            let sk = IssuerSecretKey::generate(&mut rng);
            let pk = IssuerPublicKey::from_secret(&sk, black_box(&schema));
            (sk, pk)
        });
    });
}

fn issue(c: &mut Criterion) {
    let mut group = c.benchmark_group("issue");
    for n in SIZES {
        let world = World::new(n, 10 + n as u64);
        let pk = world.pk();
        let mut rng = rng(20 + n as u64);
        let offer = IssuanceOffer::new(&mut rng, pk);
        let (request, _pending) =
            BlindIssuanceRequest::new(&mut rng, pk, &offer, &world.link_secret).expect("request");
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| {
                world
                    .issuer
                    .issue_blind(
                        &mut rng,
                        black_box(&offer),
                        black_box(&request),
                        black_box(&world.attributes),
                    )
                    .expect("issue_blind")
            });
        });
    }
    group.finish();
}

fn issue_holder(c: &mut Criterion) {
    let mut group = c.benchmark_group("issue_holder");
    for n in SIZES {
        let world = World::new(n, 10 + n as u64);
        let pk = world.pk();
        let ls = &world.link_secret;
        let mut seeds = rng(30 + n as u64);
        let mut issuer_rng = rng(40 + n as u64);
        let offer = IssuanceOffer::new(&mut issuer_rng, pk);
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter_batched(
                // Setup (untimed): run the holder's request with a fresh seed and have the
                // issuer answer it. The routine replays the request from the same seed, which
                // yields the same commitment, so the response matches the timed `PendingIssuance`.
                || {
                    let seed = seeds.next_u64();
                    let (req, _pending) =
                        BlindIssuanceRequest::new(&mut rng(seed), pk, &offer, ls).expect("request");
                    let resp = world
                        .issuer
                        .issue_blind(&mut issuer_rng, &offer, &req, &world.attributes)
                        .expect("issue_blind");
                    (rng(seed), resp)
                },
                |(mut holder_rng, resp)| {
                    let (req, pending) = BlindIssuanceRequest::new(
                        &mut holder_rng,
                        black_box(pk),
                        black_box(&offer),
                        black_box(ls),
                    )
                    .expect("request");
                    let credential = pending.finish(pk, resp, ls).expect("finish");
                    (req, credential)
                },
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

fn presentation(c: &mut Criterion) {
    let worlds: Vec<World> = SIZES
        .iter()
        .map(|&n| World::new(n, 10 + n as u64))
        .collect();
    let mut rng = rng(50);
    // Everything the three groups need, built (and checked) once outside the timed loops.
    let fixtures: Vec<_> = worlds
        .iter()
        .map(|w| {
            let request = presentation_request(&mut rng, w.pk(), &DISCLOSED);
            let pres = Presentation::create(
                &mut rng,
                &request,
                &[(&w.credential, w.pk())],
                &w.link_secret,
            )
            .expect("present");
            let json = pres.to_json();
            let parsed = ParsedPresentation::from_json(&json).expect("parse");
            let verifier = Verifier::new([w.pk().clone()]);
            let verified = verifier
                .verify(&request, &parsed, VERIFY_AT)
                .expect("verify");
            assert_eq!(verified.credentials()[0].disclosed().len(), DISCLOSED.len());
            let raw = RawBbs::new(w.schema.len(), 60 + w.schema.len() as u64);
            let raw_proof = raw.prove(&mut rng);
            raw.verify(&raw_proof, true).expect("raw verify");
            eprintln!(
                "SIZE n={} disclosed={}: Presentation::proof_size={} B, presentation JSON={} B, \
                 bbs_plus PoKOfSignatureG1Proof compressed={} B",
                w.schema.len(),
                DISCLOSED.len(),
                pres.proof_size(),
                json.len(),
                raw_proof.compressed_size(),
            );
            (request, json, parsed, verifier)
        })
        .collect();

    let mut group = c.benchmark_group("present");
    for (w, (request, ..)) in worlds.iter().zip(&fixtures) {
        let id = BenchmarkId::new(w.schema.len().to_string(), DISCLOSED.len());
        let credentials = [(&w.credential, w.pk())];
        group.bench_function(id, |b| {
            b.iter(|| {
                Presentation::create(
                    &mut rng,
                    black_box(request),
                    black_box(&credentials),
                    black_box(&w.link_secret),
                )
                .expect("present")
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group("parse_presentation");
    for (w, (_, json, ..)) in worlds.iter().zip(&fixtures) {
        let id = BenchmarkId::new(w.schema.len().to_string(), DISCLOSED.len());
        group.bench_function(id, |b| {
            b.iter(|| ParsedPresentation::from_json(black_box(json)).expect("parse"));
        });
    }
    group.finish();

    let mut group = c.benchmark_group("verify_presentation");
    for (w, (request, _, parsed, verifier)) in worlds.iter().zip(&fixtures) {
        let id = BenchmarkId::new(w.schema.len().to_string(), DISCLOSED.len());
        group.bench_function(id, |b| {
            b.iter(|| {
                verifier
                    .verify(black_box(request), black_box(parsed), black_box(VERIFY_AT))
                    .expect("verify")
            });
        });
    }
    group.finish();
}

fn bbs_plus_raw(c: &mut Criterion) {
    let mut group = c.benchmark_group("bbs_plus_raw");
    let mut rng = rng(70);
    for n in SIZES {
        let raw = RawBbs::new(n, 60 + n as u64);
        let proof = raw.prove(&mut rng);
        group.bench_function(BenchmarkId::new(format!("prove/{n}"), 2), |b| {
            b.iter(|| black_box(&raw).prove(&mut rng));
        });
        group.bench_function(BenchmarkId::new(format!("verify/{n}"), 2), |b| {
            b.iter(|| {
                black_box(&raw)
                    .verify(black_box(&proof), true)
                    .expect("verify")
            });
        });
        group.bench_function(BenchmarkId::new(format!("verify_unprepared/{n}"), 2), |b| {
            b.iter(|| {
                black_box(&raw)
                    .verify(black_box(&proof), false)
                    .expect("verify")
            });
        });
    }
    group.finish();
}

/// The criterion group (a module so the macro's undocumented `pub fn` gets an `allow`).
pub mod harness {
    #![allow(missing_docs)]
    use super::{bbs_plus_raw, issue, issue_holder, keygen, presentation};
    criterion::criterion_group!(
        benches,
        keygen,
        issue,
        issue_holder,
        presentation,
        bbs_plus_raw
    );
}
criterion_main!(harness::benches);
