//! Fixed-base scalar multiplication in G1 with precomputed tables, in constant time
//! (spec/06-verification.md §Precomputation, spec/05-presentation.md §Prepared credentials).
//!
//! A table for a point `P` with window `w` holds the odd multiples `(2j+1)·2^(w·i)·P` for every
//! window `i < ⌈255/w⌉` and `j < 2^(w−1)`, in affine form (width 6, the default: 43 × 32 =
//! 1 376 points, 140 KiB; width 4, for range digit signatures: 64 × 8 = 512 points, 53 KiB). A
//! scalar is recoded into one odd signed digit per window (`±1, ±3, …, ±(2^w − 1)`), so `k·P`
//! costs exactly one mixed addition per window (43 for width 6) and no doubling, against about
//! 255 doublings and 50 additions for a variable-base multiplication. Tables pay off for points
//! used in many multiplications: a schema's generators and a holder's own signature values
//! (every presentation from that credential), the range parameters' digit signatures.
//!
//! Every scalar multiplied here is a prover's secret (randomizers, blindings, witnesses, and
//! through the range prover's digit choice the hidden value), so the multiplication is
//! constant time (`SECURITY.md` §Side channels). What that covers, exactly:
//!
//! - **Scalar** ([`Digits::recode`]): the scalar leaves Montgomery form by a constant-time
//!   product by 1, then a regular signed-digit recoding (as in Joye–Tunstall's regular
//!   windows): an even scalar `k` is replaced by the odd `r − k` (`r` the group order) and
//!   every digit's sign is flipped, so all digits are odd and none is zero — there is no zero
//!   digit to skip. The choice between `k` and `r − k`, the digits and their signs are computed
//!   with masks and shifts, without branches or indexing on the scalar.
//! - **Lookup** ([`FixedBaseTable::mul_add`]): every entry of the window's row is read, and the
//!   wanted one kept by masking its coordinates' limbs (`subtle`'s `ConstantTimeEq` for the
//!   match, the mask `subtle`'s `ConditionallySelectable` uses; as curve25519-dalek's
//!   `LookupTable::select`); the negation `y ↦ p − y` is computed always and kept or dropped
//!   the same way. The memory accessed does not depend on the scalar.
//! - **Digit tables chosen by a secret** ([`FixedBaseTable::select`], the range prover's digit
//!   signatures): the chosen table is copied from every candidate table with the same masking.
//! - **Arithmetic** (`ct_arith`): NetNym's own Montgomery field arithmetic on limbs (no
//!   data-dependent final subtraction), the complete mixed addition of Renes–Costello–Batina
//!   (no special case for the identity or for doubling), one addition per window, always;
//!   inversions by Fermat's little theorem (a fixed sequence of products), for the provers'
//!   batch normalisation to affine and the BBS+ prover's `r1⁻¹`. Masks go through
//!   `core::hint::black_box` so that the compiler cannot turn selections back into branches
//!   (it did, measurably, before).
//!
//! What is not constant time, and is not claimed: building a table (arkworks' additions and
//! inversion, once per base: for a prepared credential, once per `PreparedCredential::new`);
//! the provers' scalar-field arithmetic on secrets (arkworks' `Fr` products such as
//! `blinding + c·witness`, whose Montgomery multiplication ends with a data-dependent
//! subtraction); and everything outside the tabled provers (`SECURITY.md` §Side channels).
//! `core::hint::black_box` is documented as best effort: constant-time behaviour is checked
//! on the compiled code by the timing test `benches/examples/dudect_fixed_base.rs`, not
//! guaranteed by the language.
//!
//! Width 6 is the default because it is about the fastest with constant-time lookups: a
//! lookup reads all `2^(w−1)` entries of its window, so wider windows trade additions for
//! reads. Measured CPU time per multiplication (`benches/README.md` §Constant-time fixed-base
//! multiplication, medians): 52.6 µs at width 8, 48.2 µs at 7, 49.2 µs at 6 (140 KiB against
//! 241 KiB at 7), 53.8 µs at 5, 64.9 µs at 4; the former variable-time lookup with arkworks'
//! addition took 23.4 µs at width 8.
//!
//! That variable-time lookup (the entry read directly, by index, added with arkworks) is kept
//! for comparison, compiled only in tests and with the `hazmat` feature
//! ([`FixedBaseTable::vartime_mul_add`]); no prover calls it.

mod ct_arith;
#[cfg(feature = "hazmat")]
pub mod hazmat;
#[cfg(test)]
mod tests;

use ark_bls12_381::{Fr, G1Affine, G1Projective};
use ark_ec::{CurveGroup, Group};
use ark_ff::{PrimeField, Zero};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

pub(crate) use ct_arith::{fr_inverse, normalize_batch};
use ct_arith::{Point, FQ};

/// Smallest and largest window accepted by [`FixedBaseTable::with_window`].
const MIN_W: usize = 2;
const MAX_W: usize = 8;
/// The window of [`FixedBaseTable::new`] (module docs).
const DEFAULT_W: usize = 6;
/// Windows of the narrowest table: `⌈255/2⌉`.
const MAX_WINDOWS: usize = 128;

/// Number of windows for width `w`: enough that `w·windows ≥ 255`, the scalars' bit length.
const fn windows(w: usize) -> usize {
    255_usize.div_ceil(w)
}

/// Odd multiples `(2j+1)·2^(w·i)·P` for `i < ⌈255/w⌉`, `j < 2^(w−1)`, for a window `w` of 6
/// (the default: 43 additions per multiplication, 1 376 points) or another in `2..=8` (4 for
/// bases that are many, like the digit signatures of range parameters: 512 points).
/// Zeroized on drop: a holder's tables are multiples of its signature, which must stay secret
/// for unlinkability.
#[derive(Clone)]
pub(crate) struct FixedBaseTable {
    w: usize,
    entries: Vec<G1Affine>,
}

impl Drop for FixedBaseTable {
    fn drop(&mut self) {
        self.entries.zeroize();
    }
}

/// A scalar recoded for window `w`: per window, the row index `(|digit| − 1)/2` and whether
/// the digit is negative (0 or 1). Zeroized on drop (it is the scalar).
struct Digits {
    index: [u8; MAX_WINDOWS],
    negative: [u8; MAX_WINDOWS],
}

impl Drop for Digits {
    fn drop(&mut self) {
        self.index.zeroize();
        self.negative.zeroize();
    }
}

/// `width ≤ 8` bits of `k` from bit `pos` (bits past the top limb read as zero). Branches
/// only on `pos` and `width`, never on `k`.
fn bits(k: &[u64; 4], pos: usize, width: usize) -> u64 {
    let (limb, off) = (pos / 64, pos % 64);
    let mut v = k[limb] >> off;
    if off + width > 64 && limb + 1 < 4 {
        v |= k[limb + 1] << (64 - off);
    }
    v & ((1u64 << width) - 1)
}

impl Digits {
    /// Regular recoding of `scalar` for window `w` (module docs), in constant time.
    ///
    /// With `k'` the odd one of `k` and `r − k` (`k' ≤ r < 2^255`), digit `i` below the last is
    /// `d_i = 2·f_i + 1 − 2^w` with `f_i` the `w` bits of `k'` from bit `w·i + 1`, and the last
    /// is `2·(k' >> (w·(n−1) + 1)) + 1`, below `2^w` because `w·n ≥ 255`; then
    /// `Σ d_i·2^(w·i) = k'` (each step is `k ← (k − d)/2^w` with `d ≡ k mod 2^(w+1)` shifted
    /// into `(−2^w, 2^w)`, which keeps `k` odd). For `k' = r − k` every sign is flipped.
    fn recode(scalar: &Fr, w: usize) -> Self {
        let n = windows(w);
        let half_mask = (1u64 << (w - 1)) - 1;
        let mut k = ct_arith::fr_to_int(scalar);
        // r − k, by limbs with borrow.
        let r = Fr::MODULUS.0;
        let mut neg_k = [0u64; 4];
        let mut borrow = 0u64;
        for l in 0..4 {
            let (d1, b1) = r[l].overflowing_sub(k[l]);
            let (d2, b2) = d1.overflowing_sub(borrow);
            neg_k[l] = d2;
            borrow = u64::from(b1 | b2);
        }
        let even = core::hint::black_box(1 ^ (k[0] & 1));
        let swap = Choice::from(low_byte(even));
        for l in 0..4 {
            k[l].conditional_assign(&neg_k[l], swap);
        }
        neg_k.zeroize();
        let mut out = Self {
            index: [0; MAX_WINDOWS],
            negative: [0; MAX_WINDOWS],
        };
        for i in 0..n - 1 {
            let f = bits(&k, w * i + 1, w);
            // Digit 2f + 1 − 2^w: positive iff the top bit of f is set, then index
            // f − 2^(w−1) (the low bits); negative otherwise, index 2^(w−1) − 1 − f.
            // Hidden from the optimiser, so that it cannot branch on it (`ct_arith::mask`).
            let top = core::hint::black_box(f >> (w - 1));
            let low = f & half_mask;
            let index = low ^ ((top ^ 1).wrapping_neg() & half_mask);
            out.index[i] = low_byte(index);
            out.negative[i] = low_byte((top ^ 1 ^ even) & 1);
        }
        let last = bits(&k, w * (n - 1) + 1, w - 1);
        out.index[n - 1] = low_byte(last);
        out.negative[n - 1] = low_byte(even);
        k.zeroize();
        out
    }
}

/// The low byte of `v` (a plain truncation: no branch, unlike a checked conversion).
#[allow(clippy::cast_possible_truncation)]
const fn low_byte(v: u64) -> u8 {
    (v & 0xff) as u8
}

/// All ones if `choice` is 1, zero if it is 0 (as `subtle` derives its selection mask).
fn mask(choice: Choice) -> u64 {
    0u64.wrapping_sub(u64::from(choice.unwrap_u8()))
}

/// `a` where `mask` is zero, `b` where it is all ones, limb by limb, without branches: the
/// selection of `subtle`'s `ConditionallySelectable` for `u64`, with the mask computed once.
fn select_limbs(a: &mut [u64; 6], b: &[u64; 6], mask: u64) {
    for (x, y) in a.iter_mut().zip(b) {
        *x ^= mask & (*x ^ *y);
    }
}

impl FixedBaseTable {
    /// Precompute the width-6 table of `base` (1 376 additions, 43 doublings, one batch
    /// inversion). Variable time (arkworks), once per base.
    pub(crate) fn new(base: &G1Affine) -> Self {
        Self::with_window(base, DEFAULT_W)
    }

    /// Precompute the table of `base` with window `w` in `2..=8` (anything else is taken as
    /// the default, 6).
    pub(crate) fn with_window(base: &G1Affine, w: usize) -> Self {
        let w = if (MIN_W..=MAX_W).contains(&w) {
            w
        } else {
            DEFAULT_W
        };
        let half = 1usize << (w - 1);
        let mut proj = Vec::with_capacity(windows(w) * half);
        let mut b = G1Projective::from(*base);
        for _ in 0..windows(w) {
            let two_b = b.double();
            let mut acc = b;
            proj.push(acc);
            for _ in 1..half {
                acc += two_b;
                proj.push(acc);
            }
            // acc = (2^w − 1)·b, so the next window's base 2^w·b is acc + b.
            b += acc;
        }
        let entries = G1Projective::normalize_batch(&proj);
        proj.zeroize();
        b.zeroize();
        Self { w, entries }
    }

    /// Row `i`: the odd multiples of `2^(w·i)·P`.
    fn row(&self, i: usize) -> &[G1Affine] {
        let half = 1usize << (self.w - 1);
        &self.entries[i * half..(i + 1) * half]
    }

    /// Whether this is the table of the identity (every entry is then the identity; otherwise
    /// none is: odd multiples `(2j+1)·2^(w·i)` below 2^256 are never multiples of the prime
    /// order). Depends on the base only.
    fn is_identity(&self) -> bool {
        self.entries.first().is_none_or(|e| e.infinity)
    }

    /// The coordinates of entry `index` of row `i`, negated if `negative` is 1, reading every
    /// entry of the row and keeping the wanted one by masking (constant time in `index` and
    /// `negative`). For a table other than the identity's.
    fn select_entry(&self, i: usize, index: u8, negative: u8) -> ([u64; 6], [u64; 6]) {
        let mut x = [0u64; 6];
        let mut y = [0u64; 6];
        let index = u64::from(index);
        for (j, e) in (0u64..).zip(self.row(i)) {
            let m = mask(j.ct_eq(&index));
            select_limbs(&mut x, &e.x.0 .0, m);
            select_limbs(&mut y, &e.y.0 .0, m);
        }
        // −y = 0 − y, computed always and kept or not.
        let neg_y = FQ.sub(&[0; 6], &y);
        select_limbs(&mut y, &neg_y, mask(Choice::from(negative & 1)));
        (x, y)
    }

    /// `acc += scalar·P` in constant time (module docs): the multiplication for secret
    /// scalars. Recoding, lookups and additions are NetNym's constant-time code; `acc` goes
    /// in and out in arkworks' coordinates.
    pub(crate) fn mul_add(&self, scalar: &Fr, acc: &mut G1Projective) {
        if self.is_identity() {
            return;
        }
        let digits = Digits::recode(scalar, self.w);
        let mut q = Point::from_jacobian(acc);
        for i in 0..windows(self.w) {
            let (mut x, mut y) = self.select_entry(i, digits.index[i], digits.negative[i]);
            q.add_affine(&x, &y);
            x.zeroize();
            y.zeroize();
        }
        *acc = q.to_jacobian();
    }

    /// `scalar·P`, as [`FixedBaseTable::mul_add`].
    pub(crate) fn mul(&self, scalar: &Fr) -> G1Projective {
        let mut acc = G1Projective::zero();
        self.mul_add(scalar, &mut acc);
        acc
    }

    /// `acc += scalar·P` reading each window's entry directly by index: variable time (which
    /// entry is read, and so the cache lines touched, depends on the scalar). For public
    /// scalars and for comparison with [`FixedBaseTable::mul_add`] only; no prover calls it.
    #[cfg(any(test, feature = "hazmat"))]
    pub(crate) fn vartime_mul_add(&self, scalar: &Fr, acc: &mut G1Projective) {
        let digits = Digits::recode(scalar, self.w);
        for i in 0..windows(self.w) {
            let e = &self.row(i)[usize::from(digits.index[i])];
            if digits.negative[i] == 1 {
                *acc -= e;
            } else {
                *acc += e;
            }
        }
    }

    /// The table at position `index` of `tables`, copied in constant time in `index`: every
    /// entry of every table is read and the wanted ones kept by conditional selection. `None`
    /// if `tables` is empty, their windows differ, or `index` is out of range.
    pub(crate) fn select<'a, I>(tables: I, index: usize) -> Option<Self>
    where
        I: IntoIterator<Item = &'a Self>,
    {
        let tables: Vec<&Self> = tables.into_iter().collect();
        let (w, len) = tables.first().map(|t| (t.w, t.entries.len()))?;
        if tables.iter().any(|t| t.w != w || t.entries.len() != len) {
            return None;
        }
        let index = u64::try_from(index).ok()?;
        let hits: Vec<Choice> = (0u64..)
            .zip(&tables)
            .map(|(t, _)| t.ct_eq(&index))
            .collect();
        let masks: Vec<u64> = hits.iter().map(|h| mask(*h)).collect();
        // A table is all identity or has none (`is_identity`).
        let mut infinity = 0u8;
        for (table, hit) in tables.iter().zip(&hits) {
            let t_inf = u8::from(table.is_identity());
            infinity.conditional_assign(&t_inf, *hit);
        }
        let infinity = bool::from(Choice::from(infinity));
        let found = hits.iter().fold(Choice::from(0), |a, h| a | *h);
        // Table by table, each read in order: the copy is bound by memory bandwidth, and this
        // order measured faster than entry by entry across the tables (118 vs 141 µs for 64).
        let mut entries = vec![G1Affine::identity(); len];
        for (table, m) in tables.iter().zip(&masks) {
            for (o, e) in entries.iter_mut().zip(&table.entries) {
                select_limbs(&mut o.x.0 .0, &e.x.0 .0, *m);
                select_limbs(&mut o.y.0 .0, &e.y.0 .0, *m);
            }
        }
        for o in &mut entries {
            o.infinity = infinity;
        }
        let out = Self { w, entries };
        // Whether some table matched: true for every index the callers pass (digits below
        // the base).
        bool::from(found).then_some(out)
    }
}
