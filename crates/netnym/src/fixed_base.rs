//! Fixed-base scalar multiplication in G1 with precomputed tables (spec/06-verification.md
//! §Precomputation, spec/05-presentation.md §Prepared credentials).
//!
//! A table for a point `P` holds `j·2^(8i)·P` for every window `i < 32` and digit
//! `1 ≤ j ≤ 128`, in affine form (4 096 points, about 420 KiB). A scalar is recoded into 32
//! signed base-256 digits in `[−127, 128]`, so `k·P` costs at most 32 mixed additions and no
//! doubling, against about 255 doublings and 50 additions for a variable-base multiplication.
//! Tables pay off for points used in many multiplications: a schema's generators (every
//! presentation and verification under the schema) and a holder's own signature values (every
//! presentation from that credential).
//!
//! Not constant time: which table entry is read depends on the scalar. Neither is arkworks'
//! variable-base multiplication that it replaces (`SECURITY.md` §Side channels).

use ark_bls12_381::{Fr, G1Affine, G1Projective};
use ark_ec::{CurveGroup, Group};
use ark_ff::{PrimeField, Zero};
use zeroize::Zeroize;

/// `j·2^(w·i)·P` for `i < 256/w`, `1 ≤ j ≤ 2^(w−1)`, for a window `w` of 8 (the default: 32
/// additions per multiplication, 4 096 points) or 4 (64 additions, 512 points, for bases
/// that are many, like the digit signatures of range parameters). With `w` dividing 64 and
/// `255 mod w = w − 1`, the top window holds at most `2^(w−1) − 1` plus a carry, so its digit
/// never exceeds `2^(w−1)` and no further window is needed. Zeroized on drop: a holder's
/// tables are multiples of its signature, which must stay secret for unlinkability.
pub(crate) struct FixedBaseTable {
    w: usize,
    entries: Vec<G1Affine>,
}

impl Drop for FixedBaseTable {
    fn drop(&mut self) {
        self.entries.zeroize();
    }
}

impl FixedBaseTable {
    /// Precompute the width-8 table of `base` (4 096 additions, 32 doublings, one batch
    /// inversion).
    pub(crate) fn new(base: &G1Affine) -> Self {
        Self::with_window(base, 8)
    }

    /// Precompute the table of `base` with window `w`, 4 or 8 (anything else is taken as 8).
    pub(crate) fn with_window(base: &G1Affine, w: usize) -> Self {
        let w = if w == 4 { 4 } else { 8 };
        let (windows, half) = (256 / w, 1usize << (w - 1));
        let mut proj = Vec::with_capacity(windows * half);
        let mut b = G1Projective::from(*base);
        for _ in 0..windows {
            let mut acc = b;
            proj.push(acc);
            for _ in 1..half {
                acc += b;
                proj.push(acc);
            }
            // 2^w·b = 2·(half·b).
            b = acc.double();
        }
        let entries = G1Projective::normalize_batch(&proj);
        proj.zeroize();
        Self { w, entries }
    }

    /// `acc += scalar·P`.
    pub(crate) fn mul_add(&self, scalar: &Fr, acc: &mut G1Projective) {
        let w = self.w;
        let (windows, half) = (256 / w, 1usize << (w - 1));
        let mask = (1u64 << w) - 1;
        let limbs = scalar.into_bigint().0;
        let mut carry = 0usize;
        for i in 0..windows {
            let bit = i * w;
            let digit = (limbs[bit / 64] >> (bit % 64)) & mask;
            // A digit is below 256, so the conversion is exact.
            let mut d = usize::from(u8::try_from(digit).unwrap_or(u8::MAX)) + carry;
            if d == 0 {
                carry = 0;
                continue;
            }
            if d > half {
                // Negative digit d − 2^w, carried into the next window.
                d = (1 << w) - d;
                carry = 1;
                if d != 0 {
                    *acc -= &self.entries[i * half + d - 1];
                }
            } else {
                carry = 0;
                *acc += &self.entries[i * half + d - 1];
            }
        }
        debug_assert_eq!(carry, 0, "scalars are below 2^255");
    }

    /// `scalar·P`.
    pub(crate) fn mul(&self, scalar: &Fr) -> G1Projective {
        let mut acc = G1Projective::zero();
        self.mul_add(scalar, &mut acc);
        acc
    }
}

#[cfg(test)]
mod tests {
    use super::FixedBaseTable;
    use ark_bls12_381::{Fr, G1Affine, G1Projective};
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_ff::{BigInteger, PrimeField};
    use ark_std::{
        rand::{rngs::StdRng, SeedableRng},
        UniformRand,
    };

    #[test]
    fn table_multiplication_equals_double_and_add() {
        let mut rng = StdRng::seed_from_u64(3);
        let p = G1Affine::rand(&mut rng);
        let t = FixedBaseTable::new(&p);
        let t4 = FixedBaseTable::with_window(&p, 4);
        let mut edge: Vec<Fr> = vec![
            Fr::from(0u64),
            Fr::from(1u64),
            -Fr::from(1u64),
            Fr::from(128u64),
            Fr::from(129u64),
            Fr::from(255u64),
            Fr::from(256u64),
            Fr::from(u64::MAX),
            Fr::from(u128::MAX),
        ];
        // Every byte 0x80 / 0xff (carry chains through all windows), and the modulus − 1.
        let mut all_80 = <Fr as PrimeField>::BigInt::from(0u64);
        let mut all_ff = <Fr as PrimeField>::BigInt::from(0u64);
        for i in 0..4 {
            all_80.0[i] = 0x8080_8080_8080_8080;
            all_ff.0[i] = u64::MAX;
        }
        all_ff.0[3] >>= 2;
        all_80.0[3] &= 0x3fff_ffff_ffff_ffff;
        for b in [all_80, all_ff] {
            if let Some(s) = Fr::from_bigint(b) {
                edge.push(s);
            }
        }
        let mut m = Fr::MODULUS;
        m.sub_with_borrow(&<Fr as PrimeField>::BigInt::from(1u64));
        edge.push(Fr::from_bigint(m).unwrap());
        for _ in 0..50 {
            edge.push(Fr::rand(&mut rng));
        }
        for s in edge {
            let expected = p.mul_bigint(s.into_bigint());
            assert_eq!(t.mul(&s).into_affine(), expected.into_affine(), "{s}");
            assert_eq!(
                t4.mul(&s).into_affine(),
                expected.into_affine(),
                "w = 4, {s}"
            );
        }
        let mut acc = G1Projective::from(p);
        t.mul_add(&Fr::from(5u64), &mut acc);
        assert_eq!(acc.into_affine(), p.mul_bigint([6u64]).into_affine());
    }
}
