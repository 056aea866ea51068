//! Cost of the constant-time table lookups of the tabled provers (issue 11), both variants in
//! one run (`netnym::hazmat`, feature `hazmat`).
//!
//! Ids (random scalars, a pool of 1 024 cycled, so the variable-time lookup touches as many
//! cache lines as in a real proof):
//! - `fixed_base/ct/{w}`: one fixed-base multiplication `k·P` with the constant-time recoding
//!   and lookups the provers use, window `w` (8: schema generators and prepared credentials;
//!   4: range digit signatures; 5 to 7: for comparison);
//! - `fixed_base/vartime/{w}`: the same with each window's entry read directly by index (the
//!   lookup the provers used before);
//! - `digit_table/select_ct/{base}`: the range prover's constant-time choice of a secret
//!   digit's table among `base` width-4 tables (one per digit and per range proof digit); the
//!   variable-time prover indexed the table instead (no cost);
//! - `pseudonym/ct/{w}`: a presentation's pseudonym and its Schnorr commitment as the prover
//!   computes them (a width-`w` table of the public scope base built per presentation, two
//!   constant-time multiplications, one constant-time normalisation; the prover uses `w = 3`);
//!   `pseudonym/arkworks`: arkworks' two variable-base multiplications and normalisation (the
//!   prover's code before).
//!
//! Times are the benchmark thread's CPU time (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`), not
//! wall time, so that time slices given to other processes on a shared machine do not count
//! (cache lines they evict still do).
//!
//! Run:
//! `cargo bench -p netnym-benches --bench constant_time -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::Duration;

use ark_bls12_381::{Fr, G1Affine, G1Projective};
use ark_ec::CurveGroup;
use ark_std::UniformRand;
use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{criterion_main, BenchmarkId, Criterion};
use netnym::hazmat::{normalize, FixedBase};
use netnym_benches::rng;
use nix::time::{clock_gettime, ClockId};

/// CPU time of the calling thread, as a criterion measurement.
struct ThreadCpuTime;

impl ThreadCpuTime {
    fn now() -> Duration {
        clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID)
            .map(Duration::from)
            .expect("CLOCK_THREAD_CPUTIME_ID")
    }
}

/// Criterion's wall-time formatter (nanoseconds, shown in the best unit) fits CPU time too.
static WALL: WallTime = WallTime;

impl Measurement for ThreadCpuTime {
    type Intermediate = Duration;
    type Value = Duration;

    fn start(&self) -> Duration {
        Self::now()
    }
    fn end(&self, start: Duration) -> Duration {
        Self::now().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, d: &Duration) -> f64 {
        d.as_secs_f64() * 1e9
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        WALL.formatter()
    }
}

fn fixed_base(c: &mut Criterion<ThreadCpuTime>) {
    let mut rng = rng(1100);
    let p = G1Affine::rand(&mut rng);
    let scalars: Vec<Fr> = (0..1024).map(|_| Fr::rand(&mut rng)).collect();
    let mut group = c.benchmark_group("fixed_base");
    for w in [8usize, 7, 6, 5, 4] {
        let table = FixedBase::new(&p, w);
        let mut i = 0usize;
        group.bench_function(BenchmarkId::new("ct", w), |b| {
            b.iter(|| {
                i = (i + 1) % scalars.len();
                table.mul(black_box(&scalars[i]))
            });
        });
        group.bench_function(BenchmarkId::new("vartime", w), |b| {
            b.iter(|| {
                i = (i + 1) % scalars.len();
                table.mul_vartime(black_box(&scalars[i]))
            });
        });
    }
    group.finish();
}

fn digit_table(c: &mut Criterion<ThreadCpuTime>) {
    let mut rng = rng(1101);
    let mut group = c.benchmark_group("digit_table");
    for base in [16usize, 64] {
        let tables: Vec<FixedBase> = (0..base)
            .map(|_| FixedBase::new(&G1Affine::rand(&mut rng), 4))
            .collect();
        let mut d = 0usize;
        group.bench_function(BenchmarkId::new("select_ct", base), |b| {
            b.iter(|| {
                d = (d + 7) % base;
                FixedBase::select(black_box(&tables), black_box(d)).expect("in range")
            });
        });
    }
    group.finish();
}

fn pseudonym(c: &mut Criterion<ThreadCpuTime>) {
    let mut rng = rng(1102);
    let base = G1Affine::rand(&mut rng);
    let scalars: Vec<Fr> = (0..1024).map(|_| Fr::rand(&mut rng)).collect();
    let mut group = c.benchmark_group("pseudonym");
    let mut i = 0usize;
    for w in [2usize, 3, 4] {
        group.bench_function(BenchmarkId::new("ct", w), |b| {
            b.iter(|| {
                i = (i + 2) % scalars.len();
                let table = FixedBase::new(black_box(&base), w);
                normalize(&[table.mul(&scalars[i]), table.mul(&scalars[i + 1])])
            });
        });
    }
    group.bench_function("arkworks", |b| {
        b.iter(|| {
            i = (i + 2) % scalars.len();
            G1Projective::normalize_batch(&[base * scalars[i], base * scalars[i + 1]])
        });
    });
    group.finish();
}

fn benches() {
    let mut c = Criterion::default()
        .with_measurement(ThreadCpuTime)
        .configure_from_args();
    fixed_base(&mut c);
    digit_table(&mut c);
    pseudonym(&mut c);
}

criterion_main!(benches);
