use super::{windows, Digits, FixedBaseTable, DEFAULT_W, MAX_W, MIN_W};
use ark_bls12_381::{Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, Field, PrimeField, Zero};
use ark_std::{
    rand::{rngs::StdRng, SeedableRng},
    UniformRand,
};

/// Scalars that stress the recoding: 0, ±1, small values around window edges, all-0x80 and
/// all-0xff bytes (long runs of equal digits), r − 1, r − 2 (odd and even near the top), and
/// random ones.
fn edge_scalars(rng: &mut StdRng) -> Vec<Fr> {
    let mut edge: Vec<Fr> = vec![
        Fr::from(0u64),
        Fr::from(1u64),
        Fr::from(2u64),
        -Fr::from(1u64),
        -Fr::from(2u64),
        Fr::from(3u64),
        Fr::from(127u64),
        Fr::from(128u64),
        Fr::from(129u64),
        Fr::from(255u64),
        Fr::from(256u64),
        Fr::from(257u64),
        Fr::from(u64::MAX),
        Fr::from(u128::MAX),
        Fr::from(2u64).pow([254u64]),
        Fr::from(2u64).pow([253u64]),
    ];
    let mut all_80 = <Fr as PrimeField>::BigInt::from(0u64);
    let mut all_ff = <Fr as PrimeField>::BigInt::from(0u64);
    for i in 0..4 {
        all_80.0[i] = 0x8080_8080_8080_8080;
        all_ff.0[i] = u64::MAX;
    }
    all_ff.0[3] >>= 2;
    all_80.0[3] &= 0x3fff_ffff_ffff_ffff;
    for b in [all_80, all_ff] {
        edge.push(Fr::from_bigint(b).expect("below the modulus"));
    }
    for _ in 0..40 {
        edge.push(Fr::rand(rng));
    }
    edge
}

#[test]
fn table_multiplication_equals_double_and_add() {
    let mut rng = StdRng::seed_from_u64(3);
    let p = G1Affine::rand(&mut rng);
    let scalars = edge_scalars(&mut rng);
    for w in MIN_W..=MAX_W {
        let t = FixedBaseTable::with_window(&p, w);
        assert_eq!(t.entries.len(), windows(w) << (w - 1), "w = {w}");
        for s in &scalars {
            let expected = p.mul_bigint(s.into_bigint()).into_affine();
            assert_eq!(t.mul(s).into_affine(), expected, "w = {w}, {s}");
            let mut vt = G1Projective::zero();
            t.vartime_mul_add(s, &mut vt);
            assert_eq!(vt.into_affine(), expected, "vartime, w = {w}, {s}");
        }
        let mut acc = G1Projective::from(p);
        t.mul_add(&Fr::from(5u64), &mut acc);
        assert_eq!(
            acc.into_affine(),
            p.mul_bigint([6u64]).into_affine(),
            "w = {w}"
        );
    }
    // Windows outside 2..=8 are taken as the default.
    for w in [0, 1, 9, 64] {
        assert_eq!(FixedBaseTable::with_window(&p, w).w, DEFAULT_W);
    }
    assert_eq!(FixedBaseTable::new(&p).w, DEFAULT_W);
}

#[test]
fn recoding_gives_odd_nonzero_digits_that_sum_to_the_scalar() {
    let mut rng = StdRng::seed_from_u64(4);
    for w in MIN_W..=MAX_W {
        let half = 1u64 << (w - 1);
        let radix = Fr::from(1u64 << w);
        for s in edge_scalars(&mut rng) {
            let d = Digits::recode(&s, w);
            let mut sum = Fr::zero();
            let mut weight = Fr::from(1u64);
            for i in 0..windows(w) {
                let index = u64::from(d.index[i]);
                assert!(index < half, "w = {w}, window {i}: index {index}");
                assert!(d.negative[i] <= 1);
                // Digit ±(2·index + 1): odd, never zero.
                let digit = Fr::from(2 * index + 1);
                sum += if d.negative[i] == 1 { -digit } else { digit } * weight;
                weight *= radix;
            }
            assert_eq!(sum, s, "w = {w}");
            // Unused windows stay zero.
            assert!(d.index[windows(w)..].iter().all(|b| *b == 0));
        }
    }
}

#[test]
fn even_scalars_are_recoded_as_the_negation_of_r_minus_k() {
    // k = 2: r − 2 is odd, every digit's sign flipped; the first digit of r − 2 for w = 4.
    let two = Digits::recode(&Fr::from(2u64), 4);
    let r_minus_2 = Digits::recode(&-Fr::from(2u64), 4);
    for i in 0..windows(4) {
        assert_eq!(two.index[i], r_minus_2.index[i]);
        assert_eq!(two.negative[i], 1 ^ r_minus_2.negative[i]);
    }
}

#[test]
fn select_copies_the_indexed_table_and_refuses_mismatches() {
    let mut rng = StdRng::seed_from_u64(5);
    let bases: Vec<G1Affine> = (0..5).map(|_| G1Affine::rand(&mut rng)).collect();
    let tables: Vec<FixedBaseTable> = bases
        .iter()
        .map(|b| FixedBaseTable::with_window(b, 4))
        .collect();
    let s = Fr::rand(&mut rng);
    for (i, b) in bases.iter().enumerate() {
        let chosen = FixedBaseTable::select(&tables, i).expect("in range");
        assert_eq!(chosen.w, 4);
        assert_eq!(chosen.entries, tables[i].entries, "table {i}");
        assert_eq!(
            chosen.mul(&s).into_affine(),
            b.mul_bigint(s.into_bigint()).into_affine()
        );
    }
    assert!(FixedBaseTable::select(&tables, 5).is_none());
    assert!(FixedBaseTable::select(&tables, usize::MAX).is_none());
    assert!(FixedBaseTable::select(&Vec::<FixedBaseTable>::new(), 0).is_none());
    let mixed = [
        FixedBaseTable::with_window(&bases[0], 4),
        FixedBaseTable::with_window(&bases[1], 8),
    ];
    assert!(FixedBaseTable::select(&mixed, 0).is_none());
}

#[test]
fn table_of_the_identity_multiplies_to_the_identity() {
    let t = FixedBaseTable::with_window(&G1Affine::identity(), 4);
    let mut rng = StdRng::seed_from_u64(6);
    for s in edge_scalars(&mut rng) {
        assert!(t.mul(&s).is_zero());
    }
}

#[test]
fn scalar_bits_cross_limbs() {
    let k = [u64::MAX, 0x1234_5678_9abc_def0, 0, 1 << 62];
    assert_eq!(super::bits(&k, 60, 8), 0x0f);
    assert_eq!(super::bits(&k, 61, 6), 0x07);
    assert_eq!(super::bits(&k, 253, 5), 0b10);
    let m = Fr::MODULUS;
    assert_eq!(m.num_bits(), 255, "scalars are below 2^255");
}

mod ct_arith {
    use super::super::ct_arith::{fr_inverse, fr_to_int, normalize_batch, Field, Point, FQ, FR};
    use ark_bls12_381::{Fq, Fr, G1Affine, G1Projective};
    use ark_ec::{AffineRepr, CurveGroup, Group};
    use ark_ff::{Field as _, One, PrimeField, UniformRand, Zero};
    use ark_std::rand::{rngs::StdRng, SeedableRng};

    fn fq_values(rng: &mut StdRng) -> Vec<Fq> {
        let mut v = vec![
            Fq::zero(),
            Fq::one(),
            -Fq::one(),
            Fq::from(2u64),
            -Fq::from(2u64),
        ];
        v.extend((0..30).map(|_| Fq::rand(rng)));
        v
    }

    fn fr_values(rng: &mut StdRng) -> Vec<Fr> {
        let mut v = vec![
            Fr::zero(),
            Fr::one(),
            -Fr::one(),
            Fr::from(2u64),
            -Fr::from(2u64),
        ];
        v.extend((0..30).map(|_| Fr::rand(rng)));
        v
    }

    #[test]
    fn field_operations_equal_arkworks() {
        let mut rng = StdRng::seed_from_u64(7);
        let fq = fq_values(&mut rng);
        for a in &fq {
            for b in &fq {
                let (x, y) = (a.0 .0, b.0 .0);
                assert_eq!(FQ.add(&x, &y), (*a + b).0 .0, "{a} + {b}");
                assert_eq!(FQ.sub(&x, &y), (*a - b).0 .0, "{a} - {b}");
                assert_eq!(FQ.mul(&x, &y), (*a * b).0 .0, "{a} * {b}");
            }
            let inv = a.inverse().unwrap_or_default();
            assert_eq!(FQ.inverse(&a.0 .0), inv.0 .0, "1/{a}");
            assert_eq!(Field::<6>::is_zero(&a.0 .0) == u64::MAX, a.is_zero());
        }
        let fr = fr_values(&mut rng);
        for a in &fr {
            for b in &fr {
                let (x, y) = (a.0 .0, b.0 .0);
                assert_eq!(FR.add(&x, &y), (*a + b).0 .0);
                assert_eq!(FR.sub(&x, &y), (*a - b).0 .0);
                assert_eq!(FR.mul(&x, &y), (*a * b).0 .0);
            }
            assert_eq!(fr_inverse(a), a.inverse().unwrap_or_default(), "1/{a}");
            assert_eq!(fr_to_int(a), a.into_bigint().0, "{a}");
        }
    }

    /// A point with a random Z (arkworks keeps Z = 1 after normalising).
    fn scaled(p: G1Projective, rng: &mut StdRng) -> G1Projective {
        let l = Fq::rand(rng);
        let l2 = l.square();
        G1Projective {
            x: p.x * l2,
            y: p.y * l2 * l,
            z: p.z * l,
        }
    }

    #[test]
    fn complete_mixed_addition_equals_arkworks() {
        let mut rng = StdRng::seed_from_u64(8);
        for _ in 0..20 {
            let q = G1Affine::rand(&mut rng);
            let p = scaled(G1Projective::rand(&mut rng), &mut rng);
            // General case, identity + Q, Q + Q (doubling), −Q + Q (identity).
            for (a, expected) in [
                (p, p + q),
                (G1Projective::zero(), q.into_group()),
                (scaled(q.into_group(), &mut rng), q.into_group().double()),
                (scaled(-q.into_group(), &mut rng), G1Projective::zero()),
            ] {
                let mut r = Point::from_jacobian(&a);
                r.add_affine(&q.x.0 .0, &q.y.0 .0);
                let got = r.to_jacobian();
                assert_eq!(got, expected);
                assert_eq!(got.into_affine(), expected.into_affine());
            }
        }
        // The identity converts both ways to arkworks' (1, 1, 0).
        let id = Point::from_jacobian(&G1Projective::zero()).to_jacobian();
        assert_eq!((id.x, id.y, id.z), (Fq::one(), Fq::one(), Fq::zero()));
    }

    #[test]
    fn batch_normalisation_equals_arkworks() {
        let mut rng = StdRng::seed_from_u64(9);
        let mut points: Vec<G1Projective> = (0..7)
            .map(|_| scaled(G1Projective::rand(&mut rng), &mut rng))
            .collect();
        points.insert(3, G1Projective::zero());
        points.push(G1Projective::zero());
        assert_eq!(
            normalize_batch(&points),
            G1Projective::normalize_batch(&points)
        );
        assert!(normalize_batch(&[]).is_empty());
        assert_eq!(
            normalize_batch(&[G1Projective::zero()]),
            vec![G1Affine::identity()]
        );
    }
}
