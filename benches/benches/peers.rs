//! Peer comparison for issue 5: the same statements proven and verified by `zkryptium` (IETF
//! BBS) and by docknetwork's `proof_system` 0.34, measured in the same run as NetNym's own
//! benches (`predicates.rs`, `verify.rs`). Built only with `--features peers`.
//!
//! Ids (group `peers`, one thread):
//! - `zkryptium/sd/{prove,verify}`: IETF BBS (draft-irtf-cfrg-bbs-signatures,
//!   `BLS12-381-SHA-256`), 10 messages, indices 1 and 2 disclosed, with a header and a 32-byte
//!   presentation header (the nonce): `PoKSignature::proof_gen` / `proof_verify`. The shape of
//!   `sd10/*` in `verify.rs`.
//! - `proof_system/sd/{prove,verify}`: one `PoKBBSSignatureG1` statement (bbs_plus 0.25
//!   `SignatureG1`), 10 messages, indices 1 and 2 revealed, `Proof::new` / `Proof::verify` with a
//!   32-byte nonce.
//! - `proof_system/full_b16/{prove,verify,verify_rpc}` and `full_b64/...`: the statements of
//!   NetNym's `predicates/{prove,verify}/full_b16` / `full_b64` on the same 11-message
//!   `cn-network-id/v1` layout (see [`full`]); `verify` uses `VerifierConfig::default()` (each
//!   pairing check on its own), `verify_rpc` the lazy randomized pairing checker
//!   (`use_lazy_randomized_pairing_checks: Some(true)`), which combines all pairing checks of the
//!   proof into one multi-pairing.
//!
//! `proof_system` has no way to pass prepared (`G2Prepared`) keys or parameters to the verifier:
//! `Proof::verify` takes the `ProofSpec` by value and prepares the BBS+ key and params, the SMC
//! digit-signature key and the accumulator key on every call (`derive_prepared_parameters`). We
//! give it what it allows: the four range statements share one `SetupParams` entry (so those
//! parameters are prepared once per verification), and the cloning of the spec and witnesses
//! (forced by its by-value API) happens in criterion's untimed setup (`iter_batched`).
//!
//! Proof sizes are printed to stderr on lines starting with `SIZE` (compressed
//! `CanonicalSerialize` for `proof_system`, the draft's octet encoding for `zkryptium`).
//!
//! Run: `cargo bench -p netnym-benches --features peers --bench peers -- --warm-up-time 1 --measurement-time 3`

use std::collections::{BTreeMap, BTreeSet};
use std::hint::black_box;

use ark_bls12_381::{g1, Bls12_381, Fr, G1Affine, G1Projective};
use ark_ec::hashing::{
    curve_maps::wb::WBMap, map_to_curve_hasher::MapToCurveBasedHasher, HashToCurve,
};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{field_hashers::DefaultFieldHasher, Field, One};
use ark_serialize::CanonicalSerialize;
use ark_std::UniformRand;
use bbs_plus::setup::{KeypairG2, SignatureParamsG1};
use bbs_plus::signature::SignatureG1;
use blake2::Blake2b512;
use criterion::{criterion_main, BatchSize, Criterion};
use netnym::{lower, Date, Predicate, Schema};
use netnym_benches::{rng, ChaCha20Rng};
use proof_system::meta_statement::{EqualWitnesses, MetaStatements, WitnessRef};
use proof_system::proof::Proof;
use proof_system::proof_spec::ProofSpec;
use proof_system::setup_params::SetupParams;
use proof_system::statement::accumulator::cdh::{
    VBAccumulatorMembershipCDHProver, VBAccumulatorMembershipCDHVerifier,
};
use proof_system::statement::bbs_plus::{PoKBBSSignatureG1Prover, PoKBBSSignatureG1Verifier};
use proof_system::statement::bound_check_smc::{BoundCheckSmc, SmcParamsAndCommitmentKey};
use proof_system::statement::ped_comm::PedersenCommitment;
use proof_system::statement::Statements;
use proof_system::verifier::VerifierConfig;
use proof_system::witness::{Membership, PoKBBSSignatureG1, Witness, Witnesses};
use sha2::Sha256;
use vb_accumulator::prelude::{MembershipWitness, PublicKey as AccumPublicKey};
use vb_accumulator::setup::SetupParams as AccumParams;
use zkryptium::keys::pair::KeyPair;
use zkryptium::schemes::algorithms::BbsBls12381Sha256;
use zkryptium::schemes::generics::{PoKSignature, Signature};

/// 2025-11-24T16:00:00Z, the `NOW` of `predicates.rs`.
const REFERENCE: (u32, u32, u32) = (2025, 11, 24);
/// The verifier id of `predicates.rs` (the pseudonym scope).
const SCOPE: &str = "shop.example";
/// Revocation id of the credential, as in `predicates.rs`.
const REVOCATION_ID: u64 = 4242;
/// Accumulator domain (ids `1..=N`), as in `predicates.rs`.
const DOMAIN: u64 = 100_000;
/// Disclosed indices of the selective-disclosure cases (as `RawBbs` in `src/lib.rs`).
const SD_REVEALED: [usize; 2] = [1, 2];

type G1Hasher =
    MapToCurveBasedHasher<G1Projective, DefaultFieldHasher<Sha256, 128>, WBMap<g1::Config>>;

/// The pseudonym base `H(scope)`: RFC 9380 hash to G1 with SHA-256, as NetNym's
/// `pseudonym::scope_base` (a different DST, same cost).
fn scope_base(scope: &str) -> G1Affine {
    G1Hasher::new(b"NETNYM-BENCH-PEERS-SCOPE_BLS12381G1_XMD:SHA-256_SSWU_RO_")
        .and_then(|h| h.hash(scope.as_bytes()))
        .expect("hash to G1")
}

fn nonce(rng: &mut ChaCha20Rng) -> Vec<u8> {
    (0..32).map(|_| u8::rand(rng)).collect()
}

fn zkryptium_sd(c: &mut Criterion) {
    type Bbs = BbsBls12381Sha256;
    let mut r = rng(900);
    let ikm: Vec<u8> = (0..64).map(|_| u8::rand(&mut r)).collect();
    let keys = KeyPair::<Bbs>::generate(&ikm, None, None).expect("keygen");
    let messages: Vec<Vec<u8>> = (0..10u8)
        .map(|i| {
            let mut m = vec![i; 8];
            m.extend((0..24).map(|_| u8::rand(&mut r)));
            m
        })
        .collect();
    let header = b"netnym-bench-header".to_vec();
    let sig = Signature::<Bbs>::sign(
        Some(&messages),
        keys.private_key(),
        keys.public_key(),
        Some(&header),
    )
    .expect("sign");
    sig.verify(keys.public_key(), Some(&messages), Some(&header))
        .expect("signature verifies");
    let sig_bytes = sig.to_bytes();
    let ph = nonce(&mut r);
    let disclosed: Vec<Vec<u8>> = SD_REVEALED.iter().map(|&i| messages[i].clone()).collect();
    let prove = || {
        PoKSignature::<Bbs>::proof_gen(
            keys.public_key(),
            &sig_bytes,
            Some(&header),
            Some(&ph),
            Some(&messages),
            Some(&SD_REVEALED),
        )
        .expect("proof")
    };
    let proof = prove();
    let verify = |p: &PoKSignature<Bbs>| {
        p.proof_verify(
            keys.public_key(),
            Some(&disclosed),
            Some(&SD_REVEALED),
            Some(&header),
            Some(&ph),
        )
    };
    verify(&proof).expect("proof verifies");
    // A proof for other disclosed values must fail, so the benchmark measures a real check.
    let mut wrong = disclosed.clone();
    wrong[0][0] ^= 1;
    assert!(proof
        .proof_verify(
            keys.public_key(),
            Some(&wrong),
            Some(&SD_REVEALED),
            Some(&header),
            Some(&ph)
        )
        .is_err());
    eprintln!(
        "SIZE peers/zkryptium/sd: proof {} bytes",
        proof.to_bytes().len()
    );
    let mut group = c.benchmark_group("peers");
    group.bench_function("zkryptium/sd/prove", |b| b.iter(|| black_box(prove())));
    group.bench_function("zkryptium/sd/verify", |b| {
        b.iter(|| verify(black_box(&proof)).expect("ok"));
    });
    group.finish();
}

/// A bbs_plus 0.25 key, params and signature over `msgs`.
struct BbsPlus {
    params: SignatureParamsG1<Bls12_381>,
    keypair: KeypairG2<Bls12_381>,
    sig: SignatureG1<Bls12_381>,
    msgs: Vec<Fr>,
}

impl BbsPlus {
    fn new(r: &mut ChaCha20Rng, msgs: Vec<Fr>) -> Self {
        let n = u32::try_from(msgs.len()).expect("few messages");
        let params = SignatureParamsG1::<Bls12_381>::generate_using_rng(r, n);
        let keypair = KeypairG2::<Bls12_381>::generate_using_rng(r, &params);
        let sig =
            SignatureG1::<Bls12_381>::new(r, &msgs, &keypair.secret_key, &params).expect("sign");
        sig.verify(&msgs, keypair.public_key.clone(), params.clone())
            .expect("signature verifies");
        Self {
            params,
            keypair,
            sig,
            msgs,
        }
    }

    fn revealed(&self, idx: &[usize]) -> BTreeMap<usize, Fr> {
        idx.iter().map(|&i| (i, self.msgs[i])).collect()
    }

    fn unrevealed(&self, idx: &[usize]) -> BTreeMap<usize, Fr> {
        (0..self.msgs.len())
            .filter(|i| !idx.contains(i))
            .map(|i| (i, self.msgs[i]))
            .collect()
    }
}

/// What one side (prover or verifier) of a `proof_system` proof needs, before the parts that
/// depend on the request are added.
#[derive(Clone)]
struct Spec {
    statements: Statements<Bls12_381>,
    meta: MetaStatements,
    setup: Vec<SetupParams<Bls12_381>>,
}

impl Spec {
    /// The `ProofSpec` (`Proof::new` and `Proof::verify` validate it themselves).
    fn build(self) -> ProofSpec<Bls12_381> {
        ProofSpec::new(self.statements, self.meta, self.setup, None)
    }
}

fn ps_prove(
    r: &mut ChaCha20Rng,
    spec: ProofSpec<Bls12_381>,
    witnesses: Witnesses<Bls12_381>,
    nonce: &[u8],
) -> Proof<Bls12_381> {
    Proof::new::<_, Blake2b512>(r, spec, witnesses, Some(nonce.to_vec()), Default::default())
        .expect("proof")
        .0
}

fn ps_verify(
    r: &mut ChaCha20Rng,
    proof: Proof<Bls12_381>,
    spec: ProofSpec<Bls12_381>,
    nonce: &[u8],
    rpc: bool,
) -> Result<(), proof_system::prelude::ProofSystemError> {
    let config = VerifierConfig {
        use_lazy_randomized_pairing_checks: rpc.then_some(true),
    };
    proof.verify::<_, Blake2b512>(r, spec, Some(nonce.to_vec()), config)
}

fn proof_system_sd(c: &mut Criterion) {
    let mut r = rng(910);
    let msgs: Vec<Fr> = (0..10).map(|_| Fr::rand(&mut r)).collect();
    let bbs = BbsPlus::new(&mut r, msgs);
    let mut prover = Statements::new();
    prover.add(PoKBBSSignatureG1Prover::new_statement_from_params(
        bbs.params.clone(),
        bbs.revealed(&SD_REVEALED),
    ));
    let prover = Spec {
        statements: prover,
        meta: MetaStatements::new(),
        setup: vec![],
    }
    .build();
    let mut verifier = Statements::new();
    verifier.add(PoKBBSSignatureG1Verifier::new_statement_from_params(
        bbs.params.clone(),
        bbs.keypair.public_key.clone(),
        bbs.revealed(&SD_REVEALED),
    ));
    let verifier = Spec {
        statements: verifier,
        meta: MetaStatements::new(),
        setup: vec![],
    }
    .build();
    let mut witnesses = Witnesses::new();
    witnesses.add(PoKBBSSignatureG1::new_as_witness(
        bbs.sig.clone(),
        bbs.unrevealed(&SD_REVEALED),
    ));
    let n = nonce(&mut r);
    let proof = ps_prove(&mut r, prover.clone(), witnesses.clone(), &n);
    ps_verify(&mut r, proof.clone(), verifier.clone(), &n, false).expect("verifies");
    let mut other = n.clone();
    other[0] ^= 1;
    assert!(ps_verify(&mut r, proof.clone(), verifier.clone(), &other, false).is_err());
    eprintln!(
        "SIZE peers/proof_system/sd: proof {} bytes",
        proof.compressed_size()
    );
    let mut group = c.benchmark_group("peers");
    group.bench_function("proof_system/sd/prove", |b| {
        b.iter_batched(
            || (prover.clone(), witnesses.clone()),
            |(s, w)| ps_prove(&mut r, s, w, black_box(&n)),
            BatchSize::SmallInput,
        );
    });
    let mut r2 = rng(911);
    group.bench_function("proof_system/sd/verify", |b| {
        b.iter_batched(
            || (proof.clone(), verifier.clone()),
            |(p, s)| ps_verify(&mut r2, p, s, black_box(&n), false).expect("ok"),
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

/// Days since 1900-01-01, NetNym's date encoding (ENC-001).
fn days(y: u32, m: u32, d: u32) -> u64 {
    u64::from(Date::from_ymd(y, m, d).expect("date").days())
}

/// The credential, accumulator and statements of NetNym's `full` case, for `proof_system`.
///
/// The 11 messages follow `cn-network-id/v1` with the values of `predicates.rs`: dates as days
/// since 1900-01-01, codes as integers, strings as (random) scalars. `document_type` (2) and
/// `nationality` (8) are revealed. The range bounds are NetNym's own, from `netnym::lower` for
/// `age_at_least: 18`, `valid_on: 2025-11-24` and `region_within: 31` on the reference date
/// 2025-11-24, each inclusive `[min, max]` given to `BoundCheckSmc` as `min <= m < max + 1`
/// (NetNym passes the same exclusive bound to the same CLS protocol).
struct Full {
    /// The prover's statements, meta statements and setup params, without the pseudonym.
    prover: Spec,
    /// The verifier's, without the pseudonym.
    verifier: Spec,
    /// The witnesses, without the pseudonym's.
    witnesses: Witnesses<Bls12_381>,
    /// The link secret (message 0).
    link_secret: Fr,
}

#[allow(clippy::too_many_lines)]
fn full(r: &mut ChaCha20Rng, base: u16) -> Full {
    let schema = Schema::cn_network_id_v1();
    let names: Vec<&str> = schema.attributes().iter().map(|a| a.name()).collect();
    assert_eq!(names.len(), 11);
    let idx = |n: &str| names.iter().position(|x| *x == n).expect("attribute");
    let mut msgs = vec![Fr::from(0u64); 11];
    msgs[idx("link_secret")] = Fr::rand(r);
    msgs[idx("revocation_id")] = Fr::from(REVOCATION_ID);
    msgs[idx("document_type")] = Fr::from(1u64);
    for s in [
        "document_number",
        "family_name",
        "given_name",
        "nationality",
    ] {
        msgs[idx(s)] = Fr::rand(r);
    }
    msgs[idx("birth_date")] = Fr::from(days(1990, 1, 1));
    msgs[idx("region")] = Fr::from(310_115u64);
    msgs[idx("issued_on")] = Fr::from(days(2020, 5, 1));
    msgs[idx("expires_on")] = Fr::from(days(2030, 5, 1));
    let revealed_idx = [idx("document_type"), idx("nationality")];
    let bbs = BbsPlus::new(r, msgs);

    let (y, m, d) = REFERENCE;
    let bounds = lower(
        &schema,
        &[
            Predicate::AgeAtLeast(18),
            Predicate::ValidOn("2025-11-24".into()),
            Predicate::RegionWithin("31".into()),
        ],
        Date::from_ymd(y, m, d).expect("date"),
        &["nationality".to_owned(), "document_type".to_owned()],
    )
    .expect("bounds");
    assert_eq!(bounds.len(), 4);

    let (smc, _digit_key) =
        SmcParamsAndCommitmentKey::<Bls12_381>::new::<_, Blake2b512>(r, b"netnym-bench-smc", base);
    smc.verify().expect("smc params");

    // VB positive accumulator pre-filled with 1..=DOMAIN, as NetNym's `RevocationAuthority`:
    // V = P * prod (y + alpha); the member's witness is V * 1/(id + alpha).
    let accum_params = AccumParams::<Bls12_381>::new::<Blake2b512>(b"netnym-bench-accumulator");
    let alpha = Fr::rand(r);
    let accum_pk = AccumPublicKey::<Bls12_381>((accum_params.P_tilde * alpha).into_affine());
    let mut prod = Fr::one();
    let mut yv = Fr::from(0u64);
    for _ in 0..DOMAIN {
        yv += Fr::one();
        prod *= yv + alpha;
    }
    let accumulator = (accum_params.P * prod).into_affine();
    let member = Fr::from(REVOCATION_ID);
    let inv = (member + alpha).inverse().expect("nonzero");
    let mem_wit = MembershipWitness((accumulator * inv).into_affine());
    assert!(
        (mem_wit.0.into_group() * (member + alpha)).into_affine() == accumulator,
        "membership witness"
    );

    let mut meta = MetaStatements::new();
    let eq = |a: (usize, usize), b: (usize, usize)| {
        EqualWitnesses([a, b].into_iter().collect::<BTreeSet<WitnessRef>>())
    };
    let mut prover = Statements::new();
    let mut verifier = Statements::new();
    let mut witnesses = Witnesses::new();
    prover.add(PoKBBSSignatureG1Prover::new_statement_from_params(
        bbs.params.clone(),
        bbs.revealed(&revealed_idx),
    ));
    verifier.add(PoKBBSSignatureG1Verifier::new_statement_from_params(
        bbs.params.clone(),
        bbs.keypair.public_key.clone(),
        bbs.revealed(&revealed_idx),
    ));
    witnesses.add(PoKBBSSignatureG1::new_as_witness(
        bbs.sig.clone(),
        bbs.unrevealed(&revealed_idx),
    ));
    for b in &bounds {
        let st = BoundCheckSmc::new_statement_from_params_ref(b.min, b.max + 1, 0).expect("bounds");
        let s = prover.add(st.clone());
        verifier.add(st);
        meta.add_witness_equality(eq((0, b.index), (s, 0)));
        witnesses.add(Witness::BoundCheckSmc(bbs.msgs[b.index]));
    }
    let s = prover.add(VBAccumulatorMembershipCDHProver::new(accumulator));
    verifier.add(
        VBAccumulatorMembershipCDHVerifier::new_statement_from_params(
            accum_params,
            accum_pk,
            accumulator,
        ),
    );
    meta.add_witness_equality(eq((0, idx("revocation_id")), (s, 0)));
    witnesses.add(Membership::new_as_witness::<Bls12_381>(member, mem_wit));
    // The pseudonym statement is added per request (`with_pseudonym`) at index s + 1.
    meta.add_witness_equality(eq((0, idx("link_secret")), (s + 1, 0)));
    let setup = vec![SetupParams::SmcParamsAndCommKey(smc)];
    Full {
        prover: Spec {
            statements: prover,
            meta: meta.clone(),
            setup: setup.clone(),
        },
        verifier: Spec {
            statements: verifier,
            meta,
            setup,
        },
        witnesses,
        link_secret: bbs.msgs[idx("link_secret")],
    }
}

/// The prover's per-request work: hash the scope, compute the pseudonym, add its statement
/// (`H(scope)·link_secret` as a one-base Pedersen commitment) and prove.
fn full_prove(
    r: &mut ChaCha20Rng,
    mut spec: Spec,
    mut witnesses: Witnesses<Bls12_381>,
    link_secret: Fr,
    scope: &str,
    nonce: &[u8],
) -> Proof<Bls12_381> {
    let base = scope_base(scope);
    let nym = (base * link_secret).into_affine();
    spec.statements
        .add(PedersenCommitment::new_statement_from_params(
            vec![base],
            nym,
        ));
    witnesses.add(Witness::PedersenCommitment(vec![link_secret]));
    ps_prove(r, spec.build(), witnesses, nonce)
}

/// The verifier's per-request work: hash the scope, add the pseudonym statement for the claimed
/// pseudonym, verify.
#[allow(clippy::too_many_arguments)]
fn full_verify(
    r: &mut ChaCha20Rng,
    proof: Proof<Bls12_381>,
    mut spec: Spec,
    nym: G1Affine,
    scope: &str,
    nonce: &[u8],
    rpc: bool,
) -> Result<(), proof_system::prelude::ProofSystemError> {
    let base = scope_base(scope);
    spec.statements
        .add(PedersenCommitment::new_statement_from_params(
            vec![base],
            nym,
        ));
    ps_verify(r, proof, spec.build(), nonce, rpc)
}

fn proof_system_full(c: &mut Criterion) {
    for base in [16u16, 64] {
        let mut r = rng(920 + u64::from(base));
        let f = full(&mut r, base);
        let n = nonce(&mut r);
        let nym = (scope_base(SCOPE) * f.link_secret).into_affine();
        let proof = full_prove(
            &mut r,
            f.prover.clone(),
            f.witnesses.clone(),
            f.link_secret,
            SCOPE,
            &n,
        );
        for rpc in [false, true] {
            full_verify(
                &mut r,
                proof.clone(),
                f.verifier.clone(),
                nym,
                SCOPE,
                &n,
                rpc,
            )
            .expect("verifies");
            // Negative checks: another pseudonym, another platform.
            let other = (nym.into_group() + G1Affine::generator()).into_affine();
            assert!(full_verify(
                &mut r,
                proof.clone(),
                f.verifier.clone(),
                other,
                SCOPE,
                &n,
                rpc
            )
            .is_err());
            assert!(full_verify(
                &mut r,
                proof.clone(),
                f.verifier.clone(),
                nym,
                "other.example",
                &n,
                rpc
            )
            .is_err());
        }
        eprintln!(
            "SIZE peers/proof_system/full_b{base}: proof {} bytes ({} statements)",
            proof.compressed_size(),
            proof.statement_proofs.len()
        );
        let mut group = c.benchmark_group("peers");
        group.bench_function(format!("proof_system/full_b{base}/prove"), |b| {
            b.iter_batched(
                || (f.prover.clone(), f.witnesses.clone()),
                |(s, w)| full_prove(&mut r, s, w, f.link_secret, black_box(SCOPE), &n),
                BatchSize::SmallInput,
            );
        });
        let mut r2 = rng(930 + u64::from(base));
        for (name, rpc) in [("verify", false), ("verify_rpc", true)] {
            group.bench_function(format!("proof_system/full_b{base}/{name}"), |b| {
                b.iter_batched(
                    || (proof.clone(), f.verifier.clone()),
                    |(p, s)| {
                        full_verify(&mut r2, p, s, black_box(nym), black_box(SCOPE), &n, rpc)
                            .expect("ok");
                    },
                    BatchSize::SmallInput,
                );
            });
        }
        group.finish();
    }
}

fn benches() {
    let mut c = Criterion::default().configure_from_args();
    zkryptium_sd(&mut c);
    proof_system_sd(&mut c);
    proof_system_full(&mut c);
}

criterion_main!(benches);
