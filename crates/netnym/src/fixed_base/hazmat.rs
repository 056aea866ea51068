//! ⚠️ **Hazmat**: the fixed-base multiplication, exposed for the benchmarks and the timing
//! test in `benches/` only (feature `hazmat`, off by default). Not part of the stable API.
//!
//! [`FixedBase::mul`] is the constant-time lookup the provers use; [`FixedBase::mul_vartime`]
//! reads table entries by secret index and must never be given a secret scalar. See the
//! parent module's documentation for exactly what is and is not constant time.

use ark_bls12_381::{Fr, G1Affine, G1Projective};
use ark_ff::Zero;

use super::{windows, Digits, FixedBaseTable};

/// A fixed-base table of one G1 point.
#[derive(Clone)]
pub struct FixedBase(FixedBaseTable);

impl FixedBase {
    /// The table of `base` with window `w` in `2..=8` (anything else is taken as 6): schema
    /// generators, prepared credentials and `g1` use 6, range digit signatures 4.
    #[must_use]
    pub fn new(base: &G1Affine, w: usize) -> Self {
        Self(FixedBaseTable::with_window(base, w))
    }

    /// The window width.
    #[must_use]
    pub fn window(&self) -> usize {
        self.0.w
    }

    /// `scalar·P` with constant-time recoding and lookups (the provers' multiplication).
    pub fn mul(&self, scalar: &Fr) -> G1Projective {
        self.0.mul(scalar)
    }

    /// `scalar·P` reading each window's entry directly by index: variable time.
    pub fn mul_vartime(&self, scalar: &Fr) -> G1Projective {
        let mut acc = G1Projective::zero();
        self.0.vartime_mul_add(scalar, &mut acc);
        acc
    }

    /// The lookups of [`FixedBase::mul`] without the additions: recode `scalar` and select
    /// every window's entry in constant time, returning the XOR of the selected coordinates'
    /// limbs (so the work is not optimised away). Isolates NetNym's own code from arkworks'
    /// arithmetic in the timing test.
    #[must_use]
    pub fn lookup(&self, scalar: &Fr) -> u64 {
        let digits = Digits::recode(scalar, self.0.w);
        (0..windows(self.0.w))
            .map(|i| {
                let (x, y) = self.0.select_entry(i, digits.index[i], digits.negative[i]);
                fold(&x, &y)
            })
            .fold(0, |a, b| a ^ b)
    }

    /// The same with the entries read directly by index: variable time.
    #[must_use]
    pub fn lookup_vartime(&self, scalar: &Fr) -> u64 {
        let digits = Digits::recode(scalar, self.0.w);
        (0..windows(self.0.w))
            .map(|i| {
                let e = self.0.row(i)[usize::from(digits.index[i])];
                let e = if digits.negative[i] == 1 { -e } else { e };
                fold(&e.x.0 .0, &e.y.0 .0)
            })
            .fold(0, |a, b| a ^ b)
    }

    /// `tables[index]`, copied in constant time in `index` (the range prover's choice of a
    /// digit signature's table); `None` for an empty list, mixed windows or an index out of
    /// range.
    #[must_use]
    pub fn select(tables: &[Self], index: usize) -> Option<Self> {
        FixedBaseTable::select(tables.iter().map(|t| &t.0), index).map(Self)
    }
}

/// Jacobian points to affine in constant time (the provers' normalisation, for example of a
/// range commitment or of a pseudonym and its commitment).
#[must_use]
pub fn normalize(points: &[G1Projective]) -> Vec<G1Affine> {
    super::normalize_batch(points)
}

fn fold(x: &[u64; 6], y: &[u64; 6]) -> u64 {
    x.iter().chain(y).fold(0, |a, b| a ^ b)
}
