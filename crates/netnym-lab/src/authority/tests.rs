//! The authority's algebra on synthetic proofs: each relation alone, and the sanity checks.

use ark_ec::AffineRepr;
use ark_ff::UniformRand;
use rand::SeedableRng;

use super::*;
use crate::guess::Guess;

struct Fixture {
    k: Knowledge,
    a: G1Affine,
    c: G1Affine,
    e: Fr,
    h0: G1Affine,
}

fn fixture() -> Fixture {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(8);
    let (x, alpha) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
    let h0 = (G1Affine::generator() * Fr::rand(&mut rng)).into_affine();
    let mut records = Vec::new();
    let mut first = None;
    for _ in 0..2 {
        let a = (G1Affine::generator() * Fr::rand(&mut rng)).into_affine();
        let c = (G1Affine::generator() * Fr::rand(&mut rng)).into_affine();
        let e = Fr::rand(&mut rng);
        first.get_or_insert((a, c, e));
        let mut dossier = View::default();
        dossier.push(
            "issuance.response.signature.A",
            ComponentKind::Claim,
            compress(&a).as_slice(),
        );
        records.push(Record {
            dossier,
            algebra: Some(RecordAlgebra {
                x,
                e,
                a_multiples: multiples(a, 1, SMALL_RANDOMIZER).into_iter().collect(),
                c_multiples: multiples(c, 1, SMALL_RANDOMIZER).into_iter().collect(),
            }),
        });
    }
    let (a, c, e) = first.unwrap_or_else(|| unreachable!());
    Fixture {
        k: Knowledge {
            records,
            issuer_keys: vec![x],
            registry_key: Some(alpha),
            h0_multiples: multiples(h0, 0, SMALL_R2).into_iter().zip(0..).collect(),
        },
        a,
        c,
        e,
        h0,
    }
}

/// A presentation view of holder 0's credential with randomizers `r1`, `r2` and membership
/// randomizer `r`.
fn proof(f: &Fixture, r1: Fr, r2: Fr, r: Fr) -> View {
    let x = f.k.issuer_keys[0];
    let alpha = f.k.registry_key.unwrap_or_default();
    let a_prime = (f.a * r1).into_affine();
    let a_bar = (a_prime * x).into_affine();
    // d = r1·b − r2·h_0 with b = (e + x)·A.
    let d = (a_prime * (f.e + x) - f.h0 * r2).into_affine();
    let m_prime = (f.c * r).into_affine();
    let m_bar = (m_prime * alpha).into_affine();
    let mut v = View::default();
    for (name, p) in [
        ("credentials.0.proof.A_prime", a_prime),
        ("credentials.0.proof.A_bar", a_bar),
        ("credentials.0.proof.d", d),
        ("credentials.0.non_revoked.proof.A_prime", m_prime),
        ("credentials.0.non_revoked.proof.A_bar", m_bar),
    ] {
        v.push(name, ComponentKind::Proof, compress(&p).as_slice());
    }
    v
}

fn random(seed: u64) -> Fr {
    Fr::rand(&mut rand_chacha::ChaCha20Rng::seed_from_u64(seed))
}

#[test]
fn uniform_randomizers_leave_nothing_to_test() {
    let f = fixture();
    let v = proof(&f, random(1), random(2), random(3));
    let g = signature_relations(&f.k, [0, 1], &v);
    assert_eq!(
        g,
        Guess {
            holder: None,
            checked: true
        }
    );
}

#[test]
fn each_relation_alone_names_the_holder() {
    let f = fixture();
    let want = Guess {
        holder: Some(0),
        checked: true,
    };
    // A' = 7·A: a weak r1 (not byte-equal to A, so only the algebra sees it).
    let v = proof(&f, Fr::from(7u64), random(2), random(3));
    assert_eq!(signature_relations(&f.k, [0, 1], &v), want);
    let dossiers = [vec![f.k.dossier(0)], vec![f.k.dossier(1)]];
    assert_eq!(transcript_match([&dossiers[0], &dossiers[1]], &v), None);
    // Holder order does not matter.
    assert_eq!(
        signature_relations(&f.k, [1, 0], &v),
        Guess {
            holder: Some(1),
            checked: true
        }
    );
    // (e + x)·A' − d = 5·h_0: a weak r2 with a uniform r1 (the d relation with known e, x).
    let v = proof(&f, random(1), Fr::from(5u64), random(3));
    assert_eq!(signature_relations(&f.k, [0, 1], &v), want);
    // r2 = 0: d not blinded.
    let v = proof(&f, random(1), Fr::from(0u64), random(3));
    assert_eq!(signature_relations(&f.k, [0, 1], &v), want);
    // Membership A' = 9·C: a weak witness randomizer (the registry key's relation).
    let v = proof(&f, random(1), random(2), Fr::from(9u64));
    assert_eq!(signature_relations(&f.k, [0, 1], &v), want);
    // Beyond the searched range: nothing.
    let big = Fr::from(u64::from(SMALL_RANDOMIZER) + 1);
    let v = proof(&f, big, Fr::from(u64::from(SMALL_R2) + 1), big);
    assert_eq!(
        signature_relations(&f.k, [0, 1], &v),
        Guess {
            holder: None,
            checked: true
        }
    );
}

#[test]
fn a_proof_the_keys_do_not_explain_is_not_checked() {
    let f = fixture();
    let mut v = proof(&f, random(1), random(2), random(3));
    // Swap Ā for A': Ā = x·A' fails, so the adversary does not trust what it reads.
    let a_prime = v.components[0].bytes.clone();
    v.components[1].bytes = a_prime;
    assert_eq!(signature_relations(&f.k, [0, 1], &v), Guess::default());
    // Same for the membership proof's Ā = α·A'.
    let mut v = proof(&f, random(1), random(2), random(3));
    let m_prime = v.components[3].bytes.clone();
    v.components[4].bytes = m_prime;
    assert_eq!(signature_relations(&f.k, [0, 1], &v), Guess::default());
    // No proof at all (a baseline's view).
    assert_eq!(
        signature_relations(&f.k, [0, 1], &View::default()),
        Guess::default()
    );
}

#[test]
fn pseudonym_base_is_a_subgroup_point_per_scope() {
    // H(scope) is a valid subgroup point and differs per scope (tests/authority.rs checks it
    // against the core: the non-blind authority recomputes the pseudonym the holder shows).
    let a = scope_base("a.example").unwrap_or_else(|e| unreachable!("{e}"));
    let b = scope_base("b.example").unwrap_or_else(|e| unreachable!("{e}"));
    assert_ne!(a, b);
    assert!(a.is_on_curve() && a.is_in_correct_subgroup_assuming_on_curve());
}
