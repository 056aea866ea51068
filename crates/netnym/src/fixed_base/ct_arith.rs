//! Constant-time arithmetic for the fixed-base multiplication and what the tabled provers do
//! with its results: Montgomery field arithmetic on raw limbs, the complete mixed addition of
//! Renes, Costello and Batina ("Complete addition formulas for prime order elliptic curves",
//! Eurocrypt 2016, Algorithm 8, for `a = 0`; BLS12-381 G1 is `y² = x³ + 4`), inversion by
//! Fermat's little theorem, and batch normalisation to affine.
//!
//! Values are little-endian limbs in Montgomery form with `R = 2^(64·N)`: the representation
//! of arkworks' `Fp`, so they move between the two without conversion. No branch, loop bound
//! or memory index depends on a value (only on public constants: the modulus, the exponent
//! `p − 2`, the number of points); conditional results are chosen with masks. arkworks' own
//! field arithmetic, which is not constant time, is not used here.

use core::marker::PhantomData;

use ark_bls12_381::{Fq, FqConfig, Fr, FrConfig, G1Affine, G1Projective};
use ark_ff::{BigInt, Fp, MontConfig};
use zeroize::Zeroize;

/// The low and high halves of a 128-bit value.
#[allow(clippy::cast_possible_truncation)]
const fn split(x: u128) -> (u64, u64) {
    (x as u64, (x >> 64) as u64)
}

/// All ones if the low bit of `bit` is 1, zero if it is 0. The mask goes through
/// `core::hint::black_box` so that the compiler cannot see it is 0 or all ones, and so cannot
/// turn the masked selections below into conditional branches (as `subtle` does with its
/// `Choice`; a first version without it measured a clear timing dependence).
fn mask(bit: u64) -> u64 {
    core::hint::black_box(0u64.wrapping_sub(bit & 1))
}

/// `a` where `m` is zero, `b` where it is all ones.
fn select<const N: usize>(a: &[u64; N], b: &[u64; N], m: u64) -> [u64; N] {
    let mut out = *a;
    for (o, y) in out.iter_mut().zip(b) {
        *o ^= m & (*o ^ *y);
    }
    out
}

/// A prime field of `N` limbs whose modulus leaves the top bit of the top limb clear (true of
/// both BLS12-381 fields), so that sums and Montgomery products stay below `2p < 2^(64·N)`.
pub(super) struct Field<const N: usize> {
    p: [u64; N],
    /// `−p⁻¹ mod 2^64`.
    inv: u64,
    /// `R mod p`: one, in Montgomery form.
    one: [u64; N],
}

/// The base field of BLS12-381 (point coordinates).
pub(super) const FQ: Field<6> = Field {
    p: <FqConfig as MontConfig<6>>::MODULUS.0,
    inv: <FqConfig as MontConfig<6>>::INV,
    one: <FqConfig as MontConfig<6>>::R.0,
};

/// The scalar field of BLS12-381.
pub(super) const FR: Field<4> = Field {
    p: <FrConfig as MontConfig<4>>::MODULUS.0,
    inv: <FrConfig as MontConfig<4>>::INV,
    one: <FrConfig as MontConfig<4>>::R.0,
};

impl<const N: usize> Field<N> {
    /// `t + carry·2^(64·N)` reduced once: minus `p` unless that borrows. For values below `2p`.
    fn reduce_once(&self, t: &[u64; N], carry: u64) -> [u64; N] {
        let mut d = [0u64; N];
        let mut borrow = 0u64;
        for ((d, t), p) in d.iter_mut().zip(t).zip(&self.p) {
            let (x, b1) = t.overflowing_sub(*p);
            let (x, b2) = x.overflowing_sub(borrow);
            *d = x;
            borrow = u64::from(b1 | b2);
        }
        // Keep `t` when `carry:t < p`: a borrow out, and no carry to absorb it.
        select(&d, t, mask(borrow & !carry))
    }

    /// `a + b`.
    pub(super) fn add(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut s = [0u64; N];
        let mut carry = 0u64;
        for ((s, a), b) in s.iter_mut().zip(a).zip(b) {
            let (lo, hi) = split(u128::from(*a) + u128::from(*b) + u128::from(carry));
            *s = lo;
            carry = hi;
        }
        self.reduce_once(&s, carry)
    }

    /// `a − b`.
    pub(super) fn sub(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut d = [0u64; N];
        let mut borrow = 0u64;
        for ((d, a), b) in d.iter_mut().zip(a).zip(b) {
            let (x, b1) = a.overflowing_sub(*b);
            let (x, b2) = x.overflowing_sub(borrow);
            *d = x;
            borrow = u64::from(b1 | b2);
        }
        // Add p back if it borrowed.
        let m = mask(borrow);
        let mut carry = 0u64;
        for (d, p) in d.iter_mut().zip(&self.p) {
            let (lo, hi) = split(u128::from(*d) + u128::from(*p & m) + u128::from(carry));
            *d = lo;
            carry = hi;
        }
        d
    }

    /// Montgomery product `a·b·R⁻¹` (CIOS), for `a, b < p`.
    pub(super) fn mul(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut t = [0u64; N];
        let mut top = 0u64;
        for bi in b {
            // t += a·b_i
            let mut c = 0u64;
            for (tj, aj) in t.iter_mut().zip(a) {
                let (lo, hi) =
                    split(u128::from(*tj) + u128::from(*aj) * u128::from(*bi) + u128::from(c));
                *tj = lo;
                c = hi;
            }
            let (lo, top2) = split(u128::from(top) + u128::from(c));
            top = lo;
            // t = (t + m·p) / 2^64 with m making the low limb vanish.
            let m = t[0].wrapping_mul(self.inv);
            let (_, mut c) = split(u128::from(t[0]) + u128::from(m) * u128::from(self.p[0]));
            for j in 1..N {
                let (lo, hi) =
                    split(u128::from(t[j]) + u128::from(m) * u128::from(self.p[j]) + u128::from(c));
                t[j - 1] = lo;
                c = hi;
            }
            let (lo, hi) = split(u128::from(top) + u128::from(c));
            t[N - 1] = lo;
            top = top2 + hi;
        }
        self.reduce_once(&t, top)
    }

    /// `a^e` for a public exponent `e` (little-endian limbs), by square and multiply from the
    /// top bit: the sequence of operations depends on `e` only.
    fn pow(&self, a: &[u64; N], e: &[u64; N]) -> [u64; N] {
        let mut acc = self.one;
        for limb in e.iter().rev() {
            for bit in (0..64).rev() {
                acc = self.mul(&acc, &acc);
                if (limb >> bit) & 1 == 1 {
                    acc = self.mul(&acc, a);
                }
            }
        }
        acc
    }

    /// `a⁻¹` (`a^(p−2)`; zero for zero).
    pub(super) fn inverse(&self, a: &[u64; N]) -> [u64; N] {
        let mut e = self.p;
        // p is odd and above 2: subtracting 2 only touches the low limb.
        e[0] -= 2;
        self.pow(a, &e)
    }

    /// All ones if `a` is zero, else zero.
    pub(super) fn is_zero(a: &[u64; N]) -> u64 {
        let any = a.iter().fold(0u64, |acc, x| acc | x);
        mask(((any | any.wrapping_neg()) >> 63) ^ 1)
    }

    /// One, in Montgomery form.
    pub(super) const fn one(&self) -> [u64; N] {
        self.one
    }
}

/// An element of `Fq` from its Montgomery limbs (reduced: they come from the operations above).
pub(super) fn fq(limbs: [u64; 6]) -> Fq {
    Fp(BigInt(limbs), PhantomData)
}

/// An element of `Fr` from its Montgomery limbs (reduced).
pub(super) fn fr(limbs: [u64; 4]) -> Fr {
    Fp(BigInt(limbs), PhantomData)
}

/// The canonical integer of `s` (out of Montgomery form: a product by 1).
pub(super) fn fr_to_int(s: &Fr) -> [u64; 4] {
    FR.mul(&s.0 .0, &[1, 0, 0, 0])
}

/// A G1 point in homogeneous projective coordinates `(X : Y : Z)`, `(x, y) = (X/Z, Y/Z)`; the
/// identity is `(0 : 1 : 0)`.
pub(super) struct Point {
    x: [u64; 6],
    y: [u64; 6],
    z: [u64; 6],
}

/// `12·a`: `3b` for `b = 4`.
fn mul_by_3b(a: &[u64; 6]) -> [u64; 6] {
    let a2 = FQ.add(a, a);
    let a4 = FQ.add(&a2, &a2);
    let a8 = FQ.add(&a4, &a4);
    FQ.add(&a8, &a4)
}

impl Drop for Point {
    fn drop(&mut self) {
        self.x.zeroize();
        self.y.zeroize();
        self.z.zeroize();
    }
}

impl Point {
    /// From arkworks' Jacobian coordinates `(x, y) = (X/Z², Y/Z³)`: `(X·Z : Y : Z³)`; the
    /// identity (`Z = 0`) becomes `(0 : Y : 0)`.
    pub(super) fn from_jacobian(p: &G1Projective) -> Self {
        let (x, y, z) = (&p.x.0 .0, &p.y.0 .0, &p.z.0 .0);
        let z2 = FQ.mul(z, z);
        Self {
            x: FQ.mul(x, z),
            y: *y,
            z: FQ.mul(&z2, z),
        }
    }

    /// To arkworks' Jacobian coordinates: `(X·Z, Y·Z², Z)`, and arkworks' identity
    /// `(1, 1, 0)` for `Z = 0`.
    pub(super) fn to_jacobian(&self) -> G1Projective {
        let z2 = FQ.mul(&self.z, &self.z);
        let identity = Field::<6>::is_zero(&self.z);
        let one = FQ.one();
        G1Projective {
            x: fq(select(&FQ.mul(&self.x, &self.z), &one, identity)),
            y: fq(select(&FQ.mul(&self.y, &z2), &one, identity)),
            z: fq(self.z),
        }
    }

    /// `self += (x2, y2)` for an affine point that is not the identity: Algorithm 8 of Renes,
    /// Costello and Batina (complete: any `self`, including the identity and `(x2, y2)`
    /// itself; 11 multiplications).
    pub(super) fn add_affine(&mut self, x2: &[u64; 6], y2: &[u64; 6]) {
        let (x1, y1, z1) = (&self.x, &self.y, &self.z);
        let t0 = FQ.mul(x1, x2);
        let t1 = FQ.mul(y1, y2);
        let t3 = FQ.add(x2, y2);
        let t4 = FQ.add(x1, y1);
        let t3 = FQ.mul(&t3, &t4);
        let t4 = FQ.add(&t0, &t1);
        let t3 = FQ.sub(&t3, &t4);
        let t4 = FQ.mul(y2, z1);
        let t4 = FQ.add(&t4, y1);
        let y3 = FQ.mul(x2, z1);
        let y3 = FQ.add(&y3, x1);
        let x3 = FQ.add(&t0, &t0);
        let t0 = FQ.add(&x3, &t0);
        let t2 = mul_by_3b(z1);
        let z3 = FQ.add(&t1, &t2);
        let t1 = FQ.sub(&t1, &t2);
        let y3 = mul_by_3b(&y3);
        let x3 = FQ.mul(&t4, &y3);
        let t2 = FQ.mul(&t3, &t1);
        let x3 = FQ.sub(&t2, &x3);
        let y3 = FQ.mul(&y3, &t0);
        let t1 = FQ.mul(&t1, &z3);
        let y3 = FQ.add(&t1, &y3);
        let t0 = FQ.mul(&t0, &t3);
        let z3 = FQ.mul(&z3, &t4);
        let z3 = FQ.add(&z3, &t0);
        *self = Self {
            x: x3,
            y: y3,
            z: z3,
        };
    }
}

/// arkworks' Jacobian points to affine, in constant time: Montgomery's batch inversion with one
/// inversion by exponentiation. A point with `Z = 0` (the identity) gives the identity, with
/// the same operations.
pub(crate) fn normalize_batch(points: &[G1Projective]) -> Vec<G1Affine> {
    let one = FQ.one();
    // Z, or 1 for the identity, so that the product is invertible.
    let zs: Vec<([u64; 6], u64)> = points
        .iter()
        .map(|p| {
            let z = p.z.0 .0;
            let zero = Field::<6>::is_zero(&z);
            (select(&z, &one, zero), zero)
        })
        .collect();
    let mut prefix = Vec::with_capacity(zs.len());
    let mut acc = one;
    for (z, _) in &zs {
        prefix.push(acc);
        acc = FQ.mul(&acc, z);
    }
    // acc = Π z; inv = (Π z)⁻¹, then peeled one factor at a time from the end.
    let mut inv = FQ.inverse(&acc);
    let mut out = vec![G1Affine::identity(); points.len()];
    for i in (0..points.len()).rev() {
        let (z, zero) = &zs[i];
        let z_inv = FQ.mul(&inv, &prefix[i]);
        inv = FQ.mul(&inv, z);
        let z_inv2 = FQ.mul(&z_inv, &z_inv);
        let z_inv3 = FQ.mul(&z_inv2, &z_inv);
        let x = FQ.mul(&points[i].x.0 .0, &z_inv2);
        let y = FQ.mul(&points[i].y.0 .0, &z_inv3);
        out[i] = G1Affine {
            x: fq(select(&x, &[0; 6], *zero)),
            y: fq(select(&y, &[0; 6], *zero)),
            infinity: *zero & 1 == 1,
        };
    }
    out
}

/// `s⁻¹` in constant time (zero for zero).
pub(crate) fn fr_inverse(s: &Fr) -> Fr {
    fr(FR.inverse(&s.0 .0))
}
