//! The CLS range prover with fixed-base tables, for public parameters (spec/10-predicates.md
//! §Prover).
//!
//! `smc_range_proof`'s `CLSRangeProofProtocol::init_given_base` does four variable-base
//! multiplications per digit: for the signature `A_d` of digit `d`, randomizer `r` and blindings
//! `b1`, `b2`,
//!
//! ```text
//! A' = r·A_d        Ā = r·g1 − d·A'        t = b1·g1 − b2·A'
//! ```
//!
//! Since `A' = r·A_d`, every product is a multiple of `g1` or of `A_d`, both fixed by the
//! parameters: `Ā = r·g1 − (r·d)·A_d`, `t = b1·g1 − (r·b2)·A_d`. With a table per digit signature
//! (window 4: 53 KiB each) and one for `g1`, a digit costs five table multiplications. `D` and
//! the commitment use the commitment key's tables.
//!
//! The digits are secret: the digit's table is copied in constant time from every digit
//! signature's table ([`FixedBaseTable::select`], reading `base` × 53 KiB per digit), the
//! decomposition into digits does not branch on the value, and the multiplications and the
//! normalisation to affine are constant time (`crate::fixed_base`, which also says what stays
//! variable time). The proof is the library's, value for value (same sumset decomposition,
//! same relations, responses `blinding + c·witness`), taken apart into [`RangeParts`]; tests
//! check it with the library's own verifier.

use ark_bls12_381::{Fr, G1Affine, G1Projective};
use ark_ff::UniformRand;
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use super::{
    cls_contribution, commitment_key, sumset_boundaries, sumset_range, DigitProof, RangeParams,
    RangeParts,
};
use crate::fixed_base::{self, FixedBaseTable};

/// Tables of public range parameters for the prover: `g1` of the digit signatures, each digit's
/// signature (indexed by digit), and the commitment key `g`, `h`.
pub(crate) struct ProverTables {
    g1: FixedBaseTable,
    sigs: Vec<FixedBaseTable>,
}

impl ProverTables {
    /// `None` if some digit `0..base` has no signature (not for parameters that decoded).
    pub(crate) fn new(params: &RangeParams) -> Option<Self> {
        let p = params.params();
        let sigs = (0..params.base())
            .map(|d| {
                let i = p.set.iter().position(|m| *m == Fr::from(d))?;
                Some(FixedBaseTable::with_window(&p.sigs.get(i)?.0, 4))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Self {
            g1: FixedBaseTable::new(&p.bb_sig_params.g1),
            sigs,
        })
    }
}

/// The commitment key's tables (computed once).
fn key_tables() -> &'static [FixedBaseTable; 2] {
    static TABLES: std::sync::OnceLock<[FixedBaseTable; 2]> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let ck = commitment_key();
        [FixedBaseTable::new(&ck.g), FixedBaseTable::new(&ck.h)]
    })
}

/// `scalar_a·g + scalar_b·h` over the commitment key, by table, in constant time. Normalise
/// the result with `fixed_base::normalize_batch` (constant time), not arkworks' `into_affine`
/// (a variable-time inversion).
pub(crate) fn commit(a: &Fr, b: &Fr) -> G1Projective {
    let [g, h] = key_tables();
    let mut acc = g.mul(a);
    h.mul_add(b, &mut acc);
    acc
}

/// A range proof in progress.
pub(crate) struct TabledCls {
    D: G1Affine,
    /// `A'`, `Ā`, `t` per digit.
    points: Vec<[G1Affine; 3]>,
    /// Secrets per digit: `[r, b1, d, b2]`; then `[m, commitment randomness]`.
    secrets: Zeroizing<Vec<Fr>>,
    last: Zeroizing<[Fr; 2]>,
}

impl TabledCls {
    /// The library's `init_given_base(rng, value, randomness, min, max, base, ..)` for
    /// `min ≤ value < max`; `None` outside the range.
    pub(crate) fn init(
        rng: &mut (impl RngCore + CryptoRng),
        tables: &ProverTables,
        base: u16,
        value: u64,
        randomness: Fr,
        min: u64,
        max: u64,
    ) -> Option<Self> {
        if value < min || value >= max || base < 2 {
            return None;
        }
        // The library's `get_sumset_parameters`: the range `[0, max − 1 − min]`, made a
        // multiple of `base − 1` if it is not, and the value shifted and scaled alike.
        let (range, multiple) = sumset_range(base, min, max - 1);
        let mut v = u128::from(value - min) * multiple;
        let boundaries = sumset_boundaries(range, base);
        // The library's `decompose_for_sumset`: greedy, largest digit first, i.e. the largest
        // `d < base` with `g·d ≤ v`. The value is secret, so `d` is computed without branching
        // on it: `g·u ≤ v` holds for `u = 1..=d` and fails above, so `d` is the number of `u`
        // in `1..base` for which it holds (the borrow of `v − g·u`, not a comparison).
        let mut digits = Vec::with_capacity(boundaries.len());
        for g in &boundaries {
            let d: u128 = (1..u128::from(base))
                .map(|u| u128::from(!v.overflowing_sub(g * u).1))
                .sum();
            v -= g * d;
            digits.push(u16::try_from(d).ok()?);
        }
        if v != 0 {
            return None;
        }
        let m = Fr::rand(rng);
        let blindings: Vec<Fr> = (0..digits.len()).map(|_| Fr::rand(rng)).collect();
        let weighted: Fr = blindings
            .iter()
            .zip(&boundaries)
            .map(|(b, g)| *b * Fr::from(*g))
            .sum();
        let mut proj = Vec::with_capacity(3 * digits.len() + 1);
        proj.push(commit(&weighted, &(m * Fr::from(multiple))));
        let mut secrets = Zeroizing::new(Vec::with_capacity(4 * digits.len()));
        for (d, b2) in digits.iter().zip(blindings) {
            // The digit is secret: its signature's table is copied from all of them in
            // constant time, not indexed.
            let sig = FixedBaseTable::select(&tables.sigs, usize::from(*d))?;
            let (r, b1) = (Fr::rand(rng), Fr::rand(rng));
            let d = Fr::from(*d);
            let a_prime = sig.mul(&r);
            let mut a_bar = tables.g1.mul(&r);
            sig.mul_add(&-(r * d), &mut a_bar);
            let mut t = tables.g1.mul(&b1);
            sig.mul_add(&-(r * b2), &mut t);
            proj.extend([a_prime, a_bar, t]);
            secrets.extend([r, b1, d, b2]);
        }
        let affine = fixed_base::normalize_batch(&proj);
        let (D, digit_points) = affine.split_first()?;
        let points = digit_points
            .chunks_exact(3)
            .map(|c| [c[0], c[1], c[2]])
            .collect();
        Some(Self {
            D: *D,
            points,
            secrets,
            last: Zeroizing::new([m, randomness]),
        })
    }

    /// The library's challenge contribution for commitment `C` (`g1`: the parameters').
    pub(crate) fn contribution(&self, C: &G1Affine, g1: &G1Affine, out: &mut Vec<u8>) {
        let digits = self.points.iter().map(|[a, b, t]| [a, b, t]);
        cls_contribution(digits, g1, C, &self.D, out);
    }

    /// The proof for `challenge`, with the commitment `C` (the opening proof's fields are
    /// filled in by the caller).
    pub(crate) fn parts(&self, C: G1Affine, challenge: &Fr) -> RangeParts {
        let digits = self
            .points
            .iter()
            .zip(self.secrets.chunks_exact(4))
            .map(|(p, s)| DigitProof {
                A_prime: p[0],
                A_bar: p[1],
                t: p[2],
                r1: s[1] + s[0] * challenge,
                r2: s[3] + s[2] * challenge,
            })
            .collect();
        RangeParts {
            C,
            t: G1Affine::default(),
            z_r: Fr::from(0u64),
            D: self.D,
            resp_r: self.last[0] + self.last[1] * challenge,
            digits,
        }
    }
}
