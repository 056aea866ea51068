//! Batched pairing equations (spec/06-verification.md §Pairing batch).
//!
//! Every pairing equation NetNym checks has the form `e(X, Q) = e(Y, Q')` with `Q`, `Q'` fixed G2
//! points of a trusted key (BBS+: `e(A', w) = e(Ā, g2)`; accumulator membership:
//! `e(A', Q̃) = e(Ā, P̃)`; range digits: `e(A', pk_digits) = e(Ā, g2_digits)`). With independent
//! random 128-bit weights `r_k`, all equations hold (except with probability about `2^-128`) iff
//! `Π_Q e(Σ_k r_k·X_k(Q), Q) = 1` where each equation contributes `r_k·X` to its `Q` and `−r_k·Y`
//! to its `Q'`. So a whole presentation, or a batch of presentations, costs one multi-scalar
//! multiplication per distinct G2 point, one multi-Miller loop over those points and one final
//! exponentiation, instead of two pairings per equation.
//!
//! The weights come from a ChaCha20 stream seeded by hashing every challenge of the batch, i.e.
//! after every paired element is fixed (each is bound into its presentation's challenge).

use ark_bls12_381::{Bls12_381, Fr, G1Affine, G1Projective};
use ark_ec::{pairing::Pairing, CurveGroup, VariableBaseMSM};
use ark_ff::{One, Zero};
use ark_std::rand::{rngs::StdRng, RngCore, SeedableRng};
use sha2::{Digest, Sha256};

type G2Prepared = <Bls12_381 as Pairing>::G2Prepared;

/// Pairing equations collected with random weights, grouped by G2 point.
pub(crate) struct PairingBatch<'a> {
    chain: [u8; 32],
    rng: StdRng,
    terms: Vec<(&'a G2Prepared, Vec<G1Affine>, Vec<Fr>)>,
    /// Whether Schnorr relations are deferred into the G1 sum below (the fast path) or checked
    /// one by one by the caller (the reference path).
    deferred: bool,
    /// Weighted Schnorr relations, `Σ scalar·point = 0`: bases shared by many relations
    /// (generators) are merged, with their fixed-base table when the verifier has one; proof
    /// elements are appended.
    fixed: Vec<(G1Affine, Fr, Option<&'a WnafTable>)>,
    points: Vec<G1Affine>,
    scalars: Vec<Fr>,
    /// Whether the first pairing equation / Schnorr relation (weight 1) was added.
    paired: bool,
    related: bool,
}

impl<'a> PairingBatch<'a> {
    /// An empty batch; `deferred`: whether Schnorr relations go into the batch.
    pub(crate) fn new(deferred: bool) -> Self {
        Self {
            chain: [0u8; 32],
            rng: StdRng::from_seed([0u8; 32]),
            terms: Vec::new(),
            deferred,
            fixed: Vec::new(),
            points: Vec::new(),
            scalars: Vec::new(),
            paired: false,
            related: false,
        }
    }

    /// Whether Schnorr relations are deferred into the batch.
    pub(crate) fn deferred(&self) -> bool {
        self.deferred
    }

    /// Add `scalar·base` to the G1 sum, merging with an equal generator already there.
    pub(crate) fn fixed(&mut self, base: &G1Affine, scalar: Fr) {
        self.fixed_with(base, None, scalar);
    }

    /// [`PairingBatch::fixed`] for a generator with a precomputed table.
    pub(crate) fn fixed_with(&mut self, base: &G1Affine, table: Option<&'a WnafTable>, scalar: Fr) {
        if let Some(t) = self.fixed.iter_mut().find(|t| t.0 == *base) {
            t.1 += scalar;
            t.2 = t.2.or(table);
        } else {
            self.fixed.push((*base, scalar, table));
        }
    }

    /// Add `scalar·point` to the G1 sum.
    pub(crate) fn point(&mut self, point: G1Affine, scalar: Fr) {
        self.points.push(point);
        self.scalars.push(scalar);
    }

    /// Add `−scalar·point` to the G1 sum, as `scalar·(−point)`: a weight stays short (128
    /// bits) where its negation modulo `r` would be a full-width scalar.
    pub(crate) fn neg_point(&mut self, point: G1Affine, scalar: Fr) {
        self.point(-point, scalar);
    }

    /// Absorb a presentation's challenge and the digest of its whole proof (responses
    /// included) before adding its equations: every weight is drawn after everything it
    /// multiplies is fixed.
    pub(crate) fn absorb(&mut self, challenge: &Fr, proof_digest: &[u8; 32]) {
        let mut h = Sha256::new();
        h.update(b"NetNym-v1:pairing-batch");
        h.update(self.chain);
        h.update(crate::encoding::fr_bytes(challenge));
        h.update(proof_digest);
        self.chain = h.finalize().into();
        self.rng = StdRng::from_seed(self.chain);
    }

    fn push(&mut self, q: &'a G2Prepared, p: G1Affine, w: Fr) {
        if let Some(t) = self.terms.iter_mut().find(|t| core::ptr::eq(t.0, q)) {
            t.1.push(p);
            t.2.push(w);
        } else {
            self.terms.push((q, vec![p], vec![w]));
        }
    }

    /// A fresh random 128-bit weight from the batch's stream.
    fn random_weight(&mut self) -> Fr {
        let mut bytes = [0u8; 16];
        self.rng.fill_bytes(&mut bytes);
        Fr::from(u128::from_le_bytes(bytes))
    }

    /// The weight of the next Schnorr relation: 1 for the batch's first, then random. (One
    /// weight of a random linear combination can be fixed: the sum of the others is still
    /// nonzero when any relation fails, except with probability about `2^-128`.)
    pub(crate) fn weight(&mut self) -> Fr {
        if self.related {
            self.random_weight()
        } else {
            self.related = true;
            Fr::from(1u64)
        }
    }

    /// Add `e(x, q) = e(y, q2)`; the batch's first equation has weight 1, the others random.
    pub(crate) fn add(&mut self, x: G1Affine, q: &'a G2Prepared, y: G1Affine, q2: &'a G2Prepared) {
        let r = if self.paired {
            self.random_weight()
        } else {
            self.paired = true;
            Fr::from(1u64)
        };
        self.push(q, x, r);
        self.push(q2, -y, r);
    }

    /// Defer a range proof's digits, Schnorr relations and pairing equations together: digit
    /// `d` gets one random weight `w_d` for both its relation `g1·z1 − A'·z2 − Ā·c − t = 0`
    /// and its equation `e(A', pk) = e(Ā, g2)`. Each of the two batched checks is still a
    /// random combination of its own terms (sharing weights between two separately checked
    /// sums does not correlate either), and `X = Σ w_d·Ā_d` is then computed once (128-bit
    /// weights) and used twice: `−c·X` in the Schnorr sum and `−X` paired with `g2`, instead of
    /// a full-width multiplication of every `Ā_d`. Weights are never 1 here.
    pub(crate) fn digits(
        &mut self,
        g1: &G1Affine,
        challenge: &Fr,
        digits: &[(G1Affine, G1Affine, G1Affine, Fr, Fr)],
        pk: &'a G2Prepared,
        g2: &'a G2Prepared,
    ) -> bool {
        let mut bars = Vec::with_capacity(digits.len());
        let mut weights = Vec::with_capacity(digits.len());
        let mut z1_sum = Fr::zero();
        for (a_prime, a_bar, t, z1, z2) in digits {
            let w = self.random_weight();
            z1_sum += w * z1;
            self.point(*a_prime, -(w * z2));
            self.neg_point(*t, w);
            self.push(pk, *a_prime, w);
            bars.push(*a_bar);
            weights.push(w);
        }
        self.related = true;
        self.paired = true;
        let Some(x) = small_msm(&bars, &weights) else {
            return false;
        };
        let x = x.into_affine();
        self.fixed(g1, z1_sum);
        self.point(x, -*challenge);
        self.push(g2, -x, Fr::from(1u64));
        true
    }

    /// Check every equation at once: the weighted Schnorr relations sum to zero and the
    /// pairing equations hold.
    pub(crate) fn verify(mut self) -> bool {
        if !self.fixed.is_empty() || !self.points.is_empty() {
            let mut prepared = Vec::with_capacity(self.fixed.len());
            for (b, s, table) in self.fixed.drain(..) {
                if let Some(t) = table {
                    prepared.push((t, s));
                } else {
                    self.points.push(b);
                    self.scalars.push(s);
                }
            }
            let sum = if self.points.len() + prepared.len() > STRAUS_MAX {
                prepared.iter().for_each(|(t, s)| {
                    self.points.push(t.base());
                    self.scalars.push(*s);
                });
                G1Projective::msm(&self.points, &self.scalars).ok()
            } else if self.points.len() == self.scalars.len() {
                Some(straus(&self.points, &self.scalars, &prepared))
            } else {
                None
            };
            if !sum.is_some_and(|p| p.is_zero()) {
                return false;
            }
        }
        if self.terms.is_empty() {
            return true;
        }
        let mut g1 = Vec::with_capacity(self.terms.len());
        let mut g2 = Vec::with_capacity(self.terms.len());
        for (q, points, weights) in self.terms {
            match small_msm(&points, &weights) {
                Some(p) => g1.push(p),
                None => return false,
            }
            g2.push(q.clone());
        }
        let g1 = G1Projective::normalize_batch(&g1);
        // PairingOutput is written additively: zero is 1 in GT.
        Bls12_381::multi_pairing(g1, g2).is_zero()
    }
}

/// Largest multi-scalar multiplication done with [`straus`]; larger ones use arkworks'
/// Pippenger implementation.
const STRAUS_MAX: usize = 96;

/// `Σ scalars[i]·bases[i]`, by interleaved wNAF (Straus) for small inputs: one shared chain
/// of doublings instead of Pippenger's buckets, which are slow below a few hundred points.
/// `None` if the lengths differ.
pub(crate) fn small_msm(bases: &[G1Affine], scalars: &[Fr]) -> Option<G1Projective> {
    if bases.len() != scalars.len() {
        return None;
    }
    if bases.len() > STRAUS_MAX {
        return G1Projective::msm(bases, scalars).ok();
    }
    // A batch's first pairing equation has weight 1: nothing to multiply.
    if let ([b], [s]) = (bases, scalars) {
        if s.is_one() {
            return Some(G1Projective::from(*b));
        }
    }
    Some(straus(bases, scalars, &[]))
}

/// Window of the fixed bases' tables built on demand (a lane then costs about 129/11
/// additions instead of 129/6): 512 points, 53 KiB, about 0.2 ms per base.
pub(crate) const LAZY_W: usize = 10;
/// Window of the tables [`crate::Verifier::precompute`] builds: about 129/15 additions per
/// lane; 8 192 points, 0.85 MiB, a few milliseconds per base.
pub(crate) const PRECOMPUTED_W: usize = 14;

/// wNAF table of a fixed base `P` for window `w`: `P, 3P, …, (2^(w−1) − 1)P` then the same for
/// `λP` (the endomorphism's images), affine, so that a verifier does not rebuild it for every
/// multiplication by a generator.
pub(crate) struct WnafTable {
    w: usize,
    points: Vec<G1Affine>,
}

impl WnafTable {
    pub(crate) fn new(p: &G1Affine, w: usize) -> Self {
        use ark_ec::Group;
        let w = w.clamp(3, 16);
        let odd = 1usize << (w - 2);
        let mut proj = Vec::with_capacity(odd);
        let q = G1Projective::from(*p);
        let double = q.double();
        let mut cur = q;
        for _ in 0..odd {
            proj.push(cur);
            cur += double;
        }
        let mut points = G1Projective::normalize_batch(&proj);
        let lambda: Vec<G1Affine> = points.iter().map(lambda_times).collect();
        points.extend(lambda);
        Self { w, points }
    }

    /// The base itself.
    pub(crate) fn base(&self) -> G1Affine {
        self.points[0]
    }
}

/// `μ = z²` for BLS12-381's parameter `z = −0xd201000000010000`: the endomorphism
/// `φ(x, y) = (β·x, y)` acts on G1 as multiplication by `μ − 1` or by `−μ` (the two roots of
/// `λ² + λ + 1 = 0 mod r`, depending on which cube root of unity `β` is).
const MU: u128 = 0xac45_a401_0001_a402_0000_0001_0000_0000;

/// The GLV decomposition base `λ` and whether `λ·P` is `−φ(P)` (else `φ(P)`): with ark's `β`,
/// `φ` multiplies by `μ − 1` (then `λ = μ − 1`, `λ·P = φ(P)`) or by `−μ` (then `λ = μ`,
/// `λ·P = −φ(P)`); decided once on the generator. Either way `λ > 2^127`.
fn glv() -> (u128, bool) {
    use std::sync::OnceLock;
    static GLV: OnceLock<(u128, bool)> = OnceLock::new();
    *GLV.get_or_init(|| {
        use ark_bls12_381::g1::endomorphism;
        use ark_ec::{AffineRepr, Group};
        let g = G1Affine::generator();
        let mu_g = G1Projective::generator().mul_bigint(halves(MU));
        if G1Projective::from(endomorphism(&g)) + g == mu_g {
            (MU - 1, false)
        } else {
            (MU, true)
        }
    })
}

/// `λ·P`: one multiplication of `x` by `β` (and a negation of `y`), no group operation.
fn lambda_times(p: &G1Affine) -> G1Affine {
    let e = ark_bls12_381::g1::endomorphism(p);
    if glv().1 {
        -e
    } else {
        e
    }
}

/// `k = k1 + k2·λ` with `k1 < λ < 2^128` and `k2 < 2^128` (as `k < r < 2^255` and `λ > 2^127`),
/// by binary long division.
fn split(k: &Fr) -> (u128, u128) {
    use ark_ff::PrimeField;
    let lambda = glv().0;
    let limbs = k.into_bigint().0;
    let (mut q, mut rem) = (0u128, 0u128);
    for bit in (0..256).rev() {
        let b = u128::from((limbs[bit / 64] >> (bit % 64)) & 1);
        let overflow = rem >> 127 == 1;
        let shifted = (rem << 1) | b;
        q <<= 1;
        if overflow || shifted >= lambda {
            // The true value is below 2·λ, so it minus λ fits in 128 bits.
            rem = shifted.wrapping_sub(lambda);
            q |= 1;
        } else {
            rem = shifted;
        }
    }
    (rem, q)
}

/// Width-`w` non-adjacent form of a 128-bit value, least significant digit first.
fn wnaf(v: u128, w: usize) -> Vec<i64> {
    use ark_ff::BigInteger;
    let [lo, hi] = halves(v);
    ark_ff::BigInt::<4>([lo, hi, 0, 0])
        .find_wnaf(w)
        .unwrap_or_default()
}

/// The low and high 64-bit limbs of `v`.
fn halves(v: u128) -> [u64; 2] {
    let b = v.to_le_bytes();
    let mut lo = [0u8; 8];
    let mut hi = [0u8; 8];
    lo.copy_from_slice(&b[..8]);
    hi.copy_from_slice(&b[8..]);
    [u64::from_le_bytes(lo), u64::from_le_bytes(hi)]
}

fn straus(bases: &[G1Affine], scalars: &[Fr], prepared: &[(&WnafTable, Fr)]) -> G1Projective {
    use ark_ec::Group;
    /// wNAF window: digits are odd in `(−2^(W−1), 2^(W−1))`, 2^(W−2) precomputed multiples.
    const W: usize = 5;
    const ODD: usize = 1 << (W - 2);
    // GLV: each `k·P` as `k1·P + k2·(λ·P)` with 128-bit halves, so the shared chain of
    // doublings is half as long; the table of `λ·P` is the image of `P`'s by the endomorphism.
    let mut proj: Vec<G1Projective> = Vec::with_capacity(bases.len() * ODD);
    let mut halves_k: Vec<(u128, u128)> = Vec::with_capacity(bases.len());
    // Terms with scalar 1 (a batch's first weight) are added as they are.
    let mut acc = G1Projective::zero();
    for (b, s) in bases.iter().zip(scalars) {
        if s.is_one() {
            acc += b;
            continue;
        }
        let (k1, k2) = split(s);
        if k1 == 0 && k2 == 0 {
            continue;
        }
        let p = G1Projective::from(*b);
        let double = p.double();
        let mut cur = p;
        for _ in 0..ODD {
            proj.push(cur);
            cur += double;
        }
        halves_k.push((k1, k2));
    }
    let computed = G1Projective::normalize_batch(&proj);
    let images: Vec<G1Affine> = computed.iter().map(lambda_times).collect();
    let mut lanes: Vec<(&[G1Affine], Vec<i64>)> =
        Vec::with_capacity(2 * (halves_k.len() + prepared.len()));
    for ((table, image), (k1, k2)) in computed
        .chunks_exact(ODD)
        .zip(images.chunks_exact(ODD))
        .zip(halves_k)
    {
        if k1 != 0 {
            lanes.push((table, wnaf(k1, W)));
        }
        if k2 != 0 {
            lanes.push((image, wnaf(k2, W)));
        }
    }
    for (table, s) in prepared {
        let (k1, k2) = split(s);
        let odd = 1usize << (table.w - 2);
        for (half, k) in [(&table.points[..odd], k1), (&table.points[odd..], k2)] {
            if k != 0 {
                lanes.push((half, wnaf(k, table.w)));
            }
        }
    }
    let len = lanes.iter().map(|l| l.1.len()).max().unwrap_or(0);
    let mut sum = G1Projective::zero();
    for i in (0..len).rev() {
        sum.double_in_place();
        for (table, naf) in &lanes {
            let Some(&d) = naf.get(i) else { continue };
            if d == 0 {
                continue;
            }
            let idx = usize::try_from(d.unsigned_abs() / 2).unwrap_or(0);
            if d > 0 {
                sum += &table[idx];
            } else {
                sum -= &table[idx];
            }
        }
    }
    sum + acc
}

#[cfg(test)]
mod tests {
    use ark_bls12_381::{Fr, G1Affine, G1Projective};
    use ark_ec::VariableBaseMSM;
    use ark_std::{
        rand::{rngs::StdRng, SeedableRng},
        UniformRand,
    };

    #[test]
    fn straus_equals_pippenger() {
        let mut rng = StdRng::seed_from_u64(9);
        for n in [0usize, 1, 2, 3, 7, 16, 17, 40, 96, 97, 130] {
            let bases: Vec<G1Affine> = (0..n).map(|_| G1Affine::rand(&mut rng)).collect();
            let mut scalars: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            // Edge scalars: zero, one, minus one, small.
            for (i, s) in [
                Fr::from(0u64),
                Fr::from(1u64),
                -Fr::from(1u64),
                Fr::from(31u64),
            ]
            .into_iter()
            .enumerate()
            {
                if i < n {
                    scalars[i] = s;
                }
            }
            let expected = G1Projective::msm(&bases, &scalars).unwrap();
            assert_eq!(
                super::small_msm(&bases, &scalars),
                Some(expected),
                "n = {n}"
            );
            assert_eq!(super::straus(&bases, &scalars, &[]), expected, "n = {n}");
            // The same with the first half of the bases as prepared tables.
            let tables: Vec<super::WnafTable> = bases[..n / 2]
                .iter()
                .map(|b| super::WnafTable::new(b, 10))
                .collect();
            let prepared: Vec<_> = tables
                .iter()
                .zip(scalars[..n / 2].iter().copied())
                .collect();
            assert_eq!(
                super::straus(&bases[n / 2..], &scalars[n / 2..], &prepared),
                expected,
                "n = {n}, prepared"
            );
        }
        assert_eq!(super::small_msm(&[], &[Fr::from(1u64)]), None);
    }

    #[test]
    fn glv_split_and_endomorphism() {
        use ark_ec::CurveGroup;
        let mut rng = StdRng::seed_from_u64(10);
        let (lambda_u, _) = super::glv();
        let lambda = Fr::from(lambda_u);
        let mut ks: Vec<Fr> = (0..200).map(|_| Fr::rand(&mut rng)).collect();
        ks.extend([
            Fr::from(0u64),
            Fr::from(1u64),
            -Fr::from(1u64),
            lambda,
            lambda - Fr::from(1u64),
            Fr::from(super::MU),
        ]);
        for k in ks {
            let (k1, k2) = super::split(&k);
            assert!(k1 < lambda_u);
            assert_eq!(Fr::from(k1) + Fr::from(k2) * lambda, k, "{k}");
        }
        for _ in 0..20 {
            let p = G1Affine::rand(&mut rng);
            assert_eq!(super::lambda_times(&p), (p * lambda).into_affine());
        }
    }
}
