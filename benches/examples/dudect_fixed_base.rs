//! dudect timing test (Reparaz, Balasch, Verbauwhede, "Dude, is my code constant time?", 2017)
//! of the provers' fixed-base multiplication (issue 11): for each target, inputs of two classes
//! are interleaved at random — a fixed secret (`Left`) and fresh random secrets (`Right`) —
//! each call is timed, and Welch's t-test compares the two timing distributions (cropped at
//! several percentiles; `dudect-bencher` prints the largest |t|). |t| above about 5 means the
//! time depends on the secret; below, no dependence was found at this sample size.
//!
//! Targets (`netnym::hazmat::FixedBase`, random base point):
//! - `lookup_ct_w6` / `lookup_vartime_w6`: recoding and the 43 table lookups of a width-6
//!   multiplication (the default window), without the additions (NetNym's own code, isolated
//!   from arkworks' arithmetic), constant-time vs indexed lookup; secret: the scalar;
//! - `mul_ct_w6` / `mul_vartime_w6`, `mul_ct_w4` / `mul_vartime_w4`: whole multiplications
//!   (what the provers run), including arkworks' field arithmetic; secret: the scalar;
//! - `mul_ct_w6_zero`: `mul_ct_w6` with the fixed scalar 0 (an edge case of the recoding);
//! - `digit_ct_b16` / `digit_vartime_b16`: the range prover's per-digit step for base 16: the
//!   secret digit's table among 16 width-4 tables, copied in constant time then used, vs
//!   indexed; secret: the digit (the scalar is random in both classes);
//! - `nym_ct` / `nym_arkworks`: the pseudonym `H(verifier id)·link_secret` as the prover
//!   computes it (a width-3 table of the public base built per call, a constant-time
//!   multiplication and normalisation), vs arkworks' variable-base multiplication; secret: the
//!   scalar.
//!
//! The `*_vartime_*` targets and `nym_arkworks` are positive controls: the indexed lookup (the provers' before
//! issue 11, then at width 8), which should show a dependence (the cache lines touched depend
//! on the secret).
//!
//! Run (bounded; `DUDECT_SAMPLES` calls per target, default 100 000):
//! `cargo run --release -p netnym-benches --features dudect --example dudect_fixed_base`
//! One target: append `-- --filter mul_ct_w6`.

use std::sync::OnceLock;

use ark_bls12_381::{Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_std::UniformRand;
use dudect_bencher::rand::Rng;
use dudect_bencher::{ctbench_main, BenchRng, Class, CtRunner};
use netnym::hazmat::{normalize, FixedBase};
use netnym_benches::{rng, ChaCha20Rng};
use rand::RngCore;

/// Calls per target.
fn samples() -> usize {
    std::env::var("DUDECT_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000)
}

fn table(w: usize) -> &'static FixedBase {
    static W6: OnceLock<FixedBase> = OnceLock::new();
    static W4: OnceLock<FixedBase> = OnceLock::new();
    let cell = if w == 4 { &W4 } else { &W6 };
    cell.get_or_init(|| FixedBase::new(&G1Affine::rand(&mut rng(1200)), w))
}

fn digit_tables() -> &'static [FixedBase] {
    static T: OnceLock<Vec<FixedBase>> = OnceLock::new();
    T.get_or_init(|| {
        let mut r = rng(1201);
        (0..16)
            .map(|_| FixedBase::new(&G1Affine::rand(&mut r), 4))
            .collect()
    })
}

/// The classes in random order, from a generator seeded by dudect's.
fn classes(bench_rng: &mut BenchRng) -> (Vec<Class>, ChaCha20Rng) {
    let mut r = rng(bench_rng.next_u64());
    let classes = (0..samples())
        .map(|_| {
            if r.next_u32() & 1 == 0 {
                Class::Left
            } else {
                Class::Right
            }
        })
        .collect();
    (classes, r)
}

/// The fixed secret scalar of the `Left` class.
fn fixed_scalar() -> Fr {
    Fr::rand(&mut rng(1202))
}

/// Scalars for `classes`: `fixed` for `Left`, random for `Right`.
fn scalars(classes: &[Class], fixed: Fr, r: &mut ChaCha20Rng) -> Vec<Fr> {
    classes
        .iter()
        .map(|c| match c {
            Class::Left => fixed,
            Class::Right => Fr::rand(r),
        })
        .collect()
}

fn run_scalar<T>(runner: &mut CtRunner, bench_rng: &mut BenchRng, fixed: Fr, f: impl Fn(&Fr) -> T) {
    let (classes, mut r) = classes(bench_rng);
    let inputs = scalars(&classes, fixed, &mut r);
    for (class, s) in classes.into_iter().zip(&inputs) {
        runner.run_one(class, || f(s));
    }
}

fn lookup_ct_w6(runner: &mut CtRunner, bench_rng: &mut BenchRng) {
    let t = table(6);
    run_scalar(runner, bench_rng, fixed_scalar(), |s| t.lookup(s));
}

fn lookup_vartime_w6(runner: &mut CtRunner, bench_rng: &mut BenchRng) {
    let t = table(6);
    run_scalar(runner, bench_rng, fixed_scalar(), |s| t.lookup_vartime(s));
}

fn mul_ct_w6(runner: &mut CtRunner, bench_rng: &mut BenchRng) {
    let t = table(6);
    run_scalar(runner, bench_rng, fixed_scalar(), |s| t.mul(s));
}

fn mul_vartime_w6(runner: &mut CtRunner, bench_rng: &mut BenchRng) {
    let t = table(6);
    run_scalar(runner, bench_rng, fixed_scalar(), |s| t.mul_vartime(s));
}

fn mul_ct_w4(runner: &mut CtRunner, bench_rng: &mut BenchRng) {
    let t = table(4);
    run_scalar(runner, bench_rng, fixed_scalar(), |s| t.mul(s));
}

fn mul_vartime_w4(runner: &mut CtRunner, bench_rng: &mut BenchRng) {
    let t = table(4);
    run_scalar(runner, bench_rng, fixed_scalar(), |s| t.mul_vartime(s));
}

fn mul_ct_w6_zero(runner: &mut CtRunner, bench_rng: &mut BenchRng) {
    let t = table(6);
    run_scalar(runner, bench_rng, Fr::from(0u64), |s| t.mul(s));
}

/// The pseudonym's multiplication as the prover runs it (`pseudonym.rs`): a width-3 table of
/// the public scope base built for the call, the secret multiplied, the result normalised in
/// constant time.
fn nym_ct(runner: &mut CtRunner, bench_rng: &mut BenchRng) {
    let base = scope_point();
    run_scalar(runner, bench_rng, fixed_scalar(), |s| {
        normalize(&[FixedBase::new(&base, 3).mul(s)])
    });
}

/// Control: arkworks' variable-base multiplication and normalisation (what the prover ran for
/// the pseudonym before).
fn nym_arkworks(runner: &mut CtRunner, bench_rng: &mut BenchRng) {
    let base = scope_point();
    run_scalar(runner, bench_rng, fixed_scalar(), |s| {
        (base * s).into_affine()
    });
}

/// A public point standing for `H(verifier id)`: any point other than the identity.
fn scope_point() -> G1Affine {
    (G1Affine::generator() * Fr::from(0x5eed_u64)).into_affine()
}

/// Digits for `classes`: 5 for `Left`, random below 16 for `Right`; a random scalar for both.
fn digits(classes: &[Class], r: &mut ChaCha20Rng) -> Vec<(usize, Fr)> {
    classes
        .iter()
        .map(|c| {
            let d = match c {
                Class::Left => 5,
                Class::Right => usize::try_from(r.next_u32() % 16).unwrap_or(0),
            };
            (d, Fr::rand(r))
        })
        .collect()
}

fn digit_ct_b16(runner: &mut CtRunner, bench_rng: &mut BenchRng) {
    let tables = digit_tables();
    let (classes, mut r) = classes(bench_rng);
    let inputs = digits(&classes, &mut r);
    for (class, (d, s)) in classes.into_iter().zip(&inputs) {
        runner.run_one(class, || FixedBase::select(tables, *d).map(|t| t.mul(s)));
    }
}

fn digit_vartime_b16(runner: &mut CtRunner, bench_rng: &mut BenchRng) {
    let tables = digit_tables();
    let (classes, mut r) = classes(bench_rng);
    let inputs = digits(&classes, &mut r);
    for (class, (d, s)) in classes.into_iter().zip(&inputs) {
        runner.run_one(class, || tables[*d].mul_vartime(s));
    }
}

ctbench_main!(
    nym_ct,
    nym_arkworks,
    lookup_ct_w6,
    lookup_vartime_w6,
    mul_ct_w6,
    mul_vartime_w6,
    mul_ct_w4,
    mul_vartime_w4,
    mul_ct_w6_zero,
    digit_ct_b16,
    digit_vartime_b16
);
