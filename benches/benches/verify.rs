//! Issue 5 measurements, side by side in one run: the verification floor, selective disclosure
//! against `bbs_plus`'s own prover and verifier, and batch verification.
//!
//! Ids:
//! - `floor/two_pairing`: `e(A', w)·e(−Ā, g2)` as one multi-pairing with both G2 points
//!   prepared once: the least any BBS+ proof-of-knowledge verification costs;
//! - `floor/msm_g1/{n}`: a G1 multi-scalar multiplication of `n` random points (12 is the size
//!   of the second Schnorr check for 10 attributes with 2 disclosed);
//! - `sd10/netnym_verify`, `sd10/netnym_verify_reference`, `sd10/bbs_plus_verify`: verifying a
//!   10-attribute, 2-disclosed proof with NetNym's fast path (parsed input), with NetNym's
//!   reference verifier (the libraries' own checks) and with `bbs_plus` alone (challenge
//!   recomputation + `PoKOfSignatureG1Proof::verify`, key and params prepared once);
//! - `sd10/netnym_verify_precomputed`: the fast path with the schema's generator tables
//!   precomputed (`Verifier::precompute`), as a long-running verifier service runs it;
//! - `sd10/netnym_prove`, `sd10/bbs_plus_prove`: the same proof made by NetNym
//!   (`Presentation::create`, including its holder-side signature check) and by `bbs_plus`;
//! - `sd10/bbs_plus_prove_same_messages`: `bbs_plus`'s prover on the messages NetNym's
//!   credential signs (small attribute scalars, which make `b = g1 + h_0·s + Σ h_i·m_i`
//!   cheaper than with `sd10/bbs_plus_prove`'s random messages);
//! - `sd10/netnym_prove_checked`: the same one-shot proof from a `CheckedCredential` (the
//!   signature checked at issuance and stored authenticated, so `PRE-005` compares only the
//!   link secret, without pairings): what the CLI wallet does in each process;
//! - `sd10/netnym_prove_prepared`: NetNym's proof from a `PreparedCredential` (signature
//!   checked and tables built once, when the wallet loads the credential);
//!   `sd10/netnym_prepare`: that one-time preparation, for a fresh copy of the key (so it
//!   includes the schema's generator tables);
//! - `batch/{n}/one_by_one`, `batch/{n}/verify_batch`: `n` parsed presentations (10
//!   attributes, 2 disclosed, each for its own request) verified with `Verifier::verify` in a
//!   loop and with `Verifier::verify_batch`, both by a verifier with precomputed tables.
//!
//! Run: `cargo bench -p netnym-benches --bench verify -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use ark_bls12_381::{Bls12_381, Fr, G1Affine, G1Projective, G2Affine};
use ark_ec::{pairing::Pairing, AffineRepr, VariableBaseMSM};
use ark_std::UniformRand;
use criterion::{criterion_main, BatchSize, BenchmarkId, Criterion};
use netnym::{
    Holding, IssuerPublicKey, ParsedPresentation, PreparedCredential, Presentation,
    PresentationRequest, Verifier,
};
use netnym_benches::{presentation_request, rng, RawBbs, World, DISCLOSED, VERIFY_AT};

fn floor(c: &mut Criterion) {
    let mut rng = rng(500);
    let mut group = c.benchmark_group("floor");
    let a = G1Affine::rand(&mut rng);
    let b = G1Affine::rand(&mut rng);
    let q1: <Bls12_381 as Pairing>::G2Prepared = G2Affine::rand(&mut rng).into();
    let q2: <Bls12_381 as Pairing>::G2Prepared = G2Affine::rand(&mut rng).into();
    group.bench_function("two_pairing", |bench| {
        bench.iter(|| {
            Bls12_381::multi_pairing(
                [black_box(a), G1Affine::from(-black_box(b).into_group())],
                [q1.clone(), q2.clone()],
            )
        });
    });
    for n in [4usize, 12, 16, 64] {
        let points: Vec<G1Affine> = (0..n).map(|_| G1Affine::rand(&mut rng)).collect();
        let scalars: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        group.bench_function(BenchmarkId::new("msm_g1", n), |bench| {
            bench.iter(|| G1Projective::msm(black_box(&points), black_box(&scalars)));
        });
    }
    group.finish();
}

fn presentations(
    world: &World,
    n: usize,
    seed: u64,
) -> Vec<(PresentationRequest, ParsedPresentation)> {
    let mut rng = rng(seed);
    (0..n)
        .map(|_| {
            let req = presentation_request(&mut rng, world.pk(), &DISCLOSED);
            let p = Presentation::create(
                &mut rng,
                &req,
                &[(&world.credential, world.pk())],
                &world.link_secret,
            )
            .expect("presentation");
            let parsed = ParsedPresentation::from_json(&p.to_json()).expect("parse");
            (req, parsed)
        })
        .collect()
}

fn sd10(c: &mut Criterion) {
    let world = World::new(10, 510);
    let raw = RawBbs::new(10, 511);
    // The scalars `world.credential` signs: a random link secret, then `a_i = 1000·i + 7`.
    let raw_same = RawBbs::with_messages(
        core::iter::once(Fr::rand(&mut rng(516)))
            .chain((1..10u64).map(|i| Fr::from(1000 * i + 7)))
            .collect(),
        517,
    );
    let verifier = Verifier::new([world.pk().clone()]);
    let (req, parsed) = presentations(&world, 1, 512).remove(0);
    let raw_proof = raw.prove(&mut rng(513));
    let mut rng = rng(514);
    // Own copies of the key: tables built for one never reach `verifier`.
    let own_key = || IssuerPublicKey::from_json(&world.pk().to_json()).expect("key");
    let precomputed = Verifier::new([own_key()]).precompute();
    let holder_key = own_key();
    let prepared = PreparedCredential::new(&world.credential, &holder_key, &world.link_secret)
        .expect("prepared");
    let checked = world
        .credential
        .clone()
        .check(world.pk(), &world.link_secret)
        .expect("checked");
    let mut group = c.benchmark_group("sd10");
    group.bench_function("netnym_verify", |b| {
        b.iter(|| {
            verifier
                .verify(black_box(&req), black_box(&parsed), VERIFY_AT)
                .expect("ok")
        });
    });
    group.bench_function("netnym_verify_precomputed", |b| {
        b.iter(|| {
            precomputed
                .verify(black_box(&req), black_box(&parsed), VERIFY_AT)
                .expect("ok")
        });
    });
    group.bench_function("netnym_verify_reference", |b| {
        b.iter(|| {
            verifier
                .verify_reference(black_box(&req), black_box(&parsed), VERIFY_AT)
                .expect("ok")
        });
    });
    group.bench_function("bbs_plus_verify", |b| {
        b.iter(|| raw.verify(black_box(&raw_proof), true).expect("ok"));
    });
    group.bench_function("netnym_prove", |b| {
        b.iter(|| {
            Presentation::create(
                &mut rng,
                black_box(&req),
                &[(&world.credential, world.pk())],
                &world.link_secret,
            )
            .expect("ok")
        });
    });
    group.bench_function("netnym_prove_checked", |b| {
        b.iter(|| {
            Presentation::create_with(
                &mut rng,
                black_box(&req),
                &[Holding::from_checked(&checked, world.pk())],
                &world.link_secret,
                &[],
            )
            .expect("ok")
        });
    });
    group.bench_function("netnym_prove_prepared", |b| {
        b.iter(|| {
            Presentation::create_with(
                &mut rng,
                black_box(&req),
                &[prepared.holding()],
                &world.link_secret,
                &[],
            )
            .expect("ok")
        });
    });
    group.bench_function("netnym_prepare", |b| {
        b.iter_batched(
            own_key,
            |key| PreparedCredential::new(&world.credential, &key, &world.link_secret),
            BatchSize::PerIteration,
        );
    });
    let mut rng2 = netnym_benches::rng(515);
    group.bench_function("bbs_plus_prove", |b| {
        b.iter(|| raw.prove(&mut rng2));
    });
    group.bench_function("bbs_plus_prove_same_messages", |b| {
        b.iter(|| raw_same.prove(&mut rng2));
    });
    group.finish();
}

fn batch(c: &mut Criterion) {
    let world = World::new(10, 520);
    let verifier = Verifier::new([world.pk().clone()]).precompute();
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    for n in [100usize, 1000] {
        let items = presentations(&world, n, 521);
        let refs: Vec<(&PresentationRequest, &ParsedPresentation)> =
            items.iter().map(|(r, p)| (r, p)).collect();
        group.bench_function(BenchmarkId::new(n.to_string(), "one_by_one"), |b| {
            b.iter(|| {
                refs.iter()
                    .map(|(r, p)| verifier.verify(r, p, VERIFY_AT).is_ok())
                    .filter(|ok| *ok)
                    .count()
            });
        });
        group.bench_function(BenchmarkId::new(n.to_string(), "verify_batch"), |b| {
            b.iter_batched(
                || (),
                |()| {
                    let out = verifier.verify_batch(black_box(&refs), VERIFY_AT);
                    assert!(out.iter().all(Result::is_ok));
                    out.len()
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

fn benches() {
    let mut c = Criterion::default().configure_from_args();
    floor(&mut c);
    sd10(&mut c);
    batch(&mut c);
}

criterion_main!(benches);
