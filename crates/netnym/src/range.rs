//! Range proofs for predicates (spec/10-predicates.md, `RNG-nnn`).
//!
//! Each lowered [`Bound`](crate::Bound) `min <= m <= max` on a hidden attribute `m` is proven with
//! the CLS sumset range protocol of `smc_range_proof` 0.9 (Canard–Lescuyer–Traoré 2009, protocol
//! 2, CDH variant: the prover computes no pairings) over a Pedersen commitment
//! `C = g·m + h·r`, plus a Schnorr proof that `C` opens to the same `m` the BBS+ proof hides: the
//! opening proof reuses the BBS+ blinding of `m`, so its response for `m` is the BBS+ proof's and
//! is not sent (spec/05-presentation.md §Responses).
//!
//! The range protocol needs weak-BB signatures on the digits `0..base`, under a key that must be
//! destroyed ([`RangeParams::generate`]) so nobody can forge a digit. Two modes:
//! - **public** ([`RangeKind::Public`]): the authority publishes the parameters and destroys
//!   the digit-signing key; anyone verifies with pairings.
//! - **keyed** ([`RangeKind::Keyed`]): a platform generates parameters and keeps the key in a
//!   [`KeyedRangeVerifier`]; it verifies without pairings, and only it can.
//!
//! In both modes the public parameters include the G2 key, and the wallet checks every digit
//! signature with pairings once before first use (RNG-002): a platform that published
//! malformed signatures could otherwise learn digits of hidden values from keyed proofs.

use ark_bls12_381::{Bls12_381, Fr, G1Affine};
use ark_ec::pairing::Pairing;
use ark_ff::Zero;
use ark_serialize::CanonicalDeserialize;
use blake2::Blake2b512;
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use smc_range_proof::ccs_set_membership::setup::SetMembershipCheckParamsKV;
use smc_range_proof::prelude::{
    CLSRangeProof, CLSRangeProofWithKV, MemberCommitmentKey, PublicKeyG2, SecretKey,
    SetMembershipCheckParams, SetMembershipCheckParamsWithPairing, SignatureG1, SignatureParams,
};
use zeroize::{Zeroize, Zeroizing};

use crate::encoding::{
    b64, check_envelope, fr_bytes, fr_from, g1_bytes, g2_bytes, g2_from, parse_json, unb64,
    Transcript,
};
use crate::error::DecodeError;
use crate::keys::KeyId;

const PARAMS_TYPE: &str = "netnym-range-params";
const KEYED_SECRET_TYPE: &str = "netnym-keyed-range-verifier";
const COMMITMENT_KEY_LABEL: &[u8] = b"NetNym-v1:SMC:BLS12-381:commitment-key";
/// Smallest and largest digit base accepted (RNG-001).
pub const MIN_BASE: u16 = 2;
/// Largest digit base accepted (RNG-001).
pub const MAX_BASE: u16 = 256;
/// Largest range parameters JSON accepted, in bytes.
pub const MAX_RANGE_PARAMS_BYTES: usize = 64 * 1024;

fn label(base: u16) -> Vec<u8> {
    format!("NetNym-v1:SMC:BLS12-381:digits:base-{base}").into_bytes()
}

/// The commitment key `(g, h)` of range commitments, from a public label (computed once).
pub(crate) fn commitment_key() -> &'static MemberCommitmentKey<G1Affine> {
    static KEY: std::sync::OnceLock<MemberCommitmentKey<G1Affine>> = std::sync::OnceLock::new();
    KEY.get_or_init(|| MemberCommitmentKey::new::<Blake2b512>(COMMITMENT_KEY_LABEL))
}

/// wNAF tables of the commitment key's `g` and `h` for the verifier (computed once).
pub(crate) fn commitment_key_tables() -> &'static [crate::pairing::WnafTable; 2] {
    use crate::pairing::WnafTable;
    static TABLES: std::sync::OnceLock<[WnafTable; 2]> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let ck = commitment_key();
        [
            WnafTable::new(&ck.g, crate::pairing::LAZY_W),
            WnafTable::new(&ck.h, crate::pairing::LAZY_W),
        ]
    })
}

/// Who verifies proofs made with some range parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RangeKind {
    /// Published by the authority, digit key destroyed; anyone verifies with pairings.
    Public,
    /// A platform's own parameters; it keeps the key and verifies without pairings.
    Keyed,
}

/// Public range-proof parameters: signatures on the digits `0..base`.
#[derive(Clone)]
pub struct RangeParams {
    kind: RangeKind,
    params: SetMembershipCheckParams<Bls12_381>,
    prepared: SetMembershipCheckParamsWithPairing<Bls12_381>,
    prepared_pk: <Bls12_381 as Pairing>::G2Prepared,
    kv: SetMembershipCheckParamsKV<G1Affine>,
    id: KeyId,
    /// The prover's fixed-base tables ([`RangeParams::prover_tables`]), shared by clones.
    tables: std::sync::Arc<std::sync::OnceLock<Option<prover::ProverTables>>>,
}

impl core::fmt::Debug for RangeParams {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RangeParams")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("base", &self.base())
            .finish_non_exhaustive()
    }
}

impl PartialEq for RangeParams {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl Eq for RangeParams {}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamsWire {
    #[serde(rename = "type")]
    ty: String,
    version: u64,
    id: String,
    kind: RangeKind,
    base: u16,
    public_key: String,
    signatures: Vec<String>,
}

impl RangeParams {
    /// Public parameters for `base`; the digit-signing key is zeroized before this returns
    /// (RNG-001: `2 <= base <= 256`).
    ///
    /// # Errors
    /// [`DecodeError::InvalidField`] for an unsupported base.
    pub fn generate(rng: &mut (impl RngCore + CryptoRng), base: u16) -> Result<Self, DecodeError> {
        let (params, mut sk) = Self::generate_raw(rng, base)?;
        sk.0.zeroize();
        Ok(Self::from_parts(RangeKind::Public, params))
    }

    fn generate_raw(
        rng: &mut (impl RngCore + CryptoRng),
        base: u16,
    ) -> Result<(SetMembershipCheckParams<Bls12_381>, SecretKey<Fr>), DecodeError> {
        check_base(base)?;
        Ok(
            SetMembershipCheckParams::<Bls12_381>::new_for_range_proof::<_, Blake2b512>(
                rng,
                &label(base),
                base,
            ),
        )
    }

    fn from_parts(kind: RangeKind, params: SetMembershipCheckParams<Bls12_381>) -> Self {
        let mut t = Transcript::new(b"NetNym-v1:range-params-id");
        t.append_u64(b"kind", u64::from(kind == RangeKind::Keyed));
        t.append(b"label", &label(params.supported_set_size_u16()));
        t.append(b"pk", &g2_bytes(&params.bb_pk.0));
        for s in &params.sigs {
            t.append(b"sig", &g1_bytes(&s.0));
        }
        let kv = SetMembershipCheckParamsKV {
            bb_sig_params: params.bb_sig_params.g1,
            set: params.set.clone(),
            sigs: params.sigs.iter().map(|s| s.0).collect(),
        };
        Self {
            kind,
            prepared: params.clone().into(),
            prepared_pk: params.bb_pk.0.into(),
            params,
            kv,
            id: KeyId(t.digest()),
            tables: std::sync::Arc::default(),
        }
    }

    /// The parameters' id, named by requests.
    #[must_use]
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// The digit base.
    #[must_use]
    pub fn base(&self) -> u16 {
        self.params.supported_set_size_u16()
    }

    /// Public or keyed.
    #[must_use]
    pub fn kind(&self) -> RangeKind {
        self.kind
    }

    pub(crate) fn params(&self) -> &SetMembershipCheckParams<Bls12_381> {
        &self.params
    }
    pub(crate) fn prepared(&self) -> &SetMembershipCheckParamsWithPairing<Bls12_381> {
        &self.prepared
    }
    pub(crate) fn prepared_pk(&self) -> &<Bls12_381 as Pairing>::G2Prepared {
        &self.prepared_pk
    }
    pub(crate) fn kv(&self) -> &SetMembershipCheckParamsKV<G1Affine> {
        &self.kv
    }

    /// The prover's tables (public parameters only), built on the first call: a width-4
    /// table per digit signature (53 KiB each) and a width-6 one for `g1` (140 KiB).
    pub(crate) fn prover_tables(&self) -> Option<&prover::ProverTables> {
        if self.kind != RangeKind::Public {
            return None;
        }
        self.tables
            .get_or_init(|| prover::ProverTables::new(self))
            .as_ref()
    }

    /// JSON form.
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(&ParamsWire {
            ty: PARAMS_TYPE.to_owned(),
            version: crate::WIRE_VERSION,
            id: self.id.to_string(),
            kind: self.kind,
            base: self.base(),
            public_key: b64(&g2_bytes(&self.params.bb_pk.0)),
            signatures: self
                .params
                .sigs
                .iter()
                .map(|s| b64(&g1_bytes(&s.0)))
                .collect(),
        })
        .unwrap_or_default()
    }

    /// Parse and check (RNG-001: supported base, one signature per digit, valid points;
    /// RNG-002: every digit signature verifies under the key — `base` pairings, done once:
    /// cache the result; the id matches).
    ///
    /// # Errors
    /// [`DecodeError`] naming the field at fault.
    pub fn from_json(bytes: &[u8]) -> Result<Self, DecodeError> {
        let w: ParamsWire = parse_json(bytes, MAX_RANGE_PARAMS_BYTES)?;
        check_envelope(PARAMS_TYPE, &w.ty, w.version)?;
        check_base(w.base)?;
        if w.signatures.len() != usize::from(w.base) {
            return Err(DecodeError::InvalidField {
                field: "signatures",
                reason: "must hold one signature per digit".to_owned(),
            });
        }
        let pk = g2_from("public_key", &unb64("public_key", &w.public_key)?, false)?;
        let sigs = w
            .signatures
            .iter()
            .map(|s| {
                crate::encoding::g1_from("signatures", &unb64("signatures", s)?, false)
                    .map(SignatureG1)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let params = SetMembershipCheckParams {
            bb_sig_params: SignatureParams::<Bls12_381>::new::<Blake2b512>(&label(w.base)),
            bb_pk: PublicKeyG2(pk),
            set: (0..w.base).map(Fr::from).collect(),
            sigs,
        };
        if params.verify().is_err() {
            return Err(DecodeError::InvalidField {
                field: "signatures",
                reason: "a digit signature does not verify".to_owned(),
            });
        }
        let out = Self::from_parts(w.kind, params);
        if KeyId::parse(&w.id)? != out.id {
            return Err(DecodeError::InvalidField {
                field: "id",
                reason: "does not match the parameters".to_owned(),
            });
        }
        Ok(out)
    }
}

fn check_base(base: u16) -> Result<(), DecodeError> {
    if !(MIN_BASE..=MAX_BASE).contains(&base) {
        return Err(DecodeError::InvalidField {
            field: "base",
            reason: format!("must be {MIN_BASE}..={MAX_BASE}"),
        });
    }
    Ok(())
}

trait SetSize {
    fn supported_set_size_u16(&self) -> u16;
}
impl SetSize for SetMembershipCheckParams<Bls12_381> {
    fn supported_set_size_u16(&self) -> u16 {
        // The set is 0..base with base <= 256 (RNG-001).
        u16::try_from(self.set.len()).unwrap_or(u16::MAX)
    }
}

/// A platform's keyed range verifier: its parameters and the digit-signing key it keeps
/// (zeroized on drop, redacted in `Debug`).
pub struct KeyedRangeVerifier {
    sk: SecretKey<Fr>,
    params: RangeParams,
}

impl Drop for KeyedRangeVerifier {
    fn drop(&mut self) {
        self.sk.0.zeroize();
    }
}

impl core::fmt::Debug for KeyedRangeVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyedRangeVerifier")
            .field("params", &self.params.id)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyedWire {
    #[serde(rename = "type")]
    ty: String,
    version: u64,
    base: u16,
    secret_key: String,
}

impl Drop for KeyedWire {
    fn drop(&mut self) {
        self.secret_key.zeroize();
    }
}

impl KeyedRangeVerifier {
    /// Fresh keyed parameters for `base` (RNG-001).
    ///
    /// # Errors
    /// [`DecodeError::InvalidField`] for an unsupported base.
    pub fn generate(rng: &mut (impl RngCore + CryptoRng), base: u16) -> Result<Self, DecodeError> {
        let (params, sk) = RangeParams::generate_raw(rng, base)?;
        Ok(Self {
            sk,
            params: RangeParams::from_parts(RangeKind::Keyed, params),
        })
    }

    /// The public parameters to publish (holders check them once, RNG-002).
    #[must_use]
    pub fn public_params(&self) -> &RangeParams {
        &self.params
    }

    pub(crate) fn secret(&self) -> &SecretKey<Fr> {
        &self.sk
    }

    /// The secret key as JSON, in a zeroizing buffer (encrypt it before storing).
    #[must_use]
    pub fn to_json(&self) -> Zeroizing<Vec<u8>> {
        let raw = Zeroizing::new(fr_bytes(&self.sk.0));
        let w = KeyedWire {
            ty: KEYED_SECRET_TYPE.to_owned(),
            version: crate::WIRE_VERSION,
            base: self.params.base(),
            secret_key: b64(&*raw),
        };
        Zeroizing::new(serde_json::to_vec(&w).unwrap_or_default())
    }

    /// Parse the secret JSON and recompute the public parameters.
    ///
    /// # Errors
    /// [`DecodeError`] for malformed input.
    pub fn from_json(bytes: &[u8]) -> Result<Self, DecodeError> {
        let w: KeyedWire = parse_json(bytes, 1024)?;
        check_envelope(KEYED_SECRET_TYPE, &w.ty, w.version)?;
        check_base(w.base)?;
        let raw = Zeroizing::new(unb64("secret_key", &w.secret_key)?);
        let sk = SecretKey(fr_from("secret_key", &raw)?);
        // RNG-004: the digit signatures are g1·1/(x + d); x + d = 0 for a digit d has none.
        if (0..w.base).any(|d| (sk.0 + Fr::from(d)).is_zero()) {
            return Err(DecodeError::InvalidScalar {
                field: "secret_key",
            });
        }
        let params = SetMembershipCheckParams::<Bls12_381>::new_given_sig_params_and_secret_key(
            (0..w.base).map(Fr::from).collect(),
            SignatureParams::<Bls12_381>::new::<Blake2b512>(&label(w.base)),
            SecretKey(sk.0),
        )
        .0;
        Ok(Self {
            sk,
            params: RangeParams::from_parts(RangeKind::Keyed, params),
        })
    }
}

#[cfg(test)]
impl RangeParams {
    /// Test support: the same id with every digit signature doubled (no longer signatures),
    /// as a holder that skipped RNG-002 might hold.
    pub(crate) fn with_corrupt_signatures(&self) -> Self {
        let mut params = self.params.clone();
        for s in &mut params.sigs {
            s.0 = (s.0 + s.0).into();
        }
        let mut out = Self::from_parts(self.kind, params);
        out.id = self.id;
        out
    }
}

/// The range a CLS proof for `min <= m <= max` works on and its randomness multiple `k`: the
/// library's `get_range_and_randomness_multiple` — `max − min`, times `k = base − 1` when not
/// already a multiple of it (`k = 1` otherwise). `base >= 2`, `min <= max`.
pub(crate) fn sumset_range(base: u16, min: u64, max: u64) -> (u128, u128) {
    let b1 = u128::from(base - 1);
    let range = u128::from(max - min);
    if range % b1 == 0 {
        (range, 1)
    } else {
        (range * b1, b1)
    }
}

/// `l = ⌈log_base(range + 1)⌉`, the number of sumset digits (the library's
/// `find_number_of_digits`: `ilog`, plus one if not exact).
fn sumset_len(range: u128, base: u16) -> u32 {
    let b = u128::from(base);
    let mut l = 0u32;
    let mut p = 1u128;
    while p < range + 1 {
        p = p.saturating_mul(b);
        l += 1;
    }
    l
}

/// Number of digits of a CLS proof for `min <= m <= max` in `base` (the sumset size `l`).
pub(crate) fn digit_count(base: u16, min: u64, max: u64) -> usize {
    let l = sumset_len(sumset_range(base, min, max).0, base);
    usize::try_from(l).unwrap_or(usize::MAX)
}

/// The sumset boundaries `G_1..G_l` of `[0, range]` in `base` (Theorem 2 of the CLS paper), as
/// `smc_range_proof`'s private `find_number_of_digits` and `find_sumset_boundaries` compute
/// them (ported: the library does not export them): `l = ⌈log_base(range + 1)⌉`; for base 2,
/// `G_i = ⌊(range + 2^i) / 2^(i+1)⌋`; otherwise, with `h` the base-`base` digits of `range`,
/// `G_i = ⌊range / base^(i+1)⌋ + ⌊(1 + h_i + (Σ_{j<i} h_j mod (base − 1))) / base⌋`.
pub(crate) fn sumset_boundaries(range: u128, base: u16) -> Vec<u128> {
    let b = u128::from(base);
    let l = sumset_len(range, base);
    if base == 2 {
        return (0..l).map(|i| (range + (1u128 << i)) >> (i + 1)).collect();
    }
    let mut h = Vec::new();
    let mut v = range;
    while v != 0 {
        h.push(v % b);
        v /= b;
    }
    let mut sum = 0u128;
    (0..l)
        .map(|i| {
            let h_i = h.get(i as usize).copied().unwrap_or(0);
            let h_hat = b.checked_pow(i + 1).map_or(0, |d| range / d);
            let g = h_hat + (1 + h_i + (sum % (b - 1))) / b;
            sum += h_i;
            g
        })
        .collect()
}

/// The library's CLS challenge contribution (public parameters) from the digits' `A'`, `Ā`,
/// `t`, the commitment `C` and `D` ([`RangeParts::cls_contribution`]).
pub(crate) fn cls_contribution<'p>(
    digits: impl Iterator<Item = [&'p G1Affine; 3]>,
    g1: &G1Affine,
    C: &G1Affine,
    D: &G1Affine,
    out: &mut Vec<u8>,
) {
    let g1 = g1_bytes(g1);
    for [a_prime, a_bar, t] in digits {
        out.extend_from_slice(&g1_bytes(a_prime));
        out.extend_from_slice(&g1_bytes(a_bar));
        out.extend_from_slice(&g1);
        out.extend_from_slice(&g1_bytes(t));
    }
    let ck = commitment_key();
    for p in [&ck.g, &ck.h, C, D] {
        out.extend_from_slice(&g1_bytes(p));
    }
}

/// Coefficients of a range proof's sum relation ([`RangeParts::sum_relation`]): the terms
/// `C·c + g·g + h·h − D` sum to zero.
pub(crate) struct SumRelation {
    pub(crate) c: Fr,
    pub(crate) g: Fr,
    pub(crate) h: Fr,
}

/// One digit's proof of knowledge of a weak-BB signature, as sent.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct DigitProof {
    pub(crate) A_prime: G1Affine,
    pub(crate) A_bar: G1Affine,
    pub(crate) t: G1Affine,
    pub(crate) r1: Fr,
    pub(crate) r2: Fr,
}

/// A range proof as sent: commitment, opening proof, CLS proof.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct RangeParts {
    /// `C = g·m + h·r`.
    pub(crate) C: G1Affine,
    /// Opening proof commitment and the response for `r` (`m`'s comes from the BBS+ proof).
    pub(crate) t: G1Affine,
    pub(crate) z_r: Fr,
    /// CLS proof.
    pub(crate) D: G1Affine,
    pub(crate) resp_r: Fr,
    pub(crate) digits: Vec<DigitProof>,
}

const G1: usize = crate::encoding::G1_LEN;
const FR: usize = crate::encoding::FR_LEN;
const RANGE_FIXED_LEN: usize = 3 * G1 + 2 * FR;
const DIGIT_LEN: usize = 3 * G1 + 2 * FR;

impl RangeParts {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(RANGE_FIXED_LEN + DIGIT_LEN * self.digits.len());
        out.extend_from_slice(&g1_bytes(&self.C));
        out.extend_from_slice(&g1_bytes(&self.t));
        out.extend_from_slice(&fr_bytes(&self.z_r));
        out.extend_from_slice(&g1_bytes(&self.D));
        out.extend_from_slice(&fr_bytes(&self.resp_r));
        for d in &self.digits {
            for p in [&d.A_prime, &d.A_bar, &d.t] {
                out.extend_from_slice(&g1_bytes(p));
            }
            out.extend_from_slice(&fr_bytes(&d.r1));
            out.extend_from_slice(&fr_bytes(&d.r2));
        }
        out
    }

    /// WIRE-006..009: `C ‖ t ‖ z_r ‖ D ‖ resp_r ‖ digits`, each digit
    /// `A' ‖ Ā ‖ t ‖ r1 ‖ r2` with `A'` not the identity; at most 64 digits.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let extra = bytes.len().saturating_sub(RANGE_FIXED_LEN);
        if bytes.len() < RANGE_FIXED_LEN || extra % DIGIT_LEN != 0 || extra / DIGIT_LEN > 64 {
            return Err(DecodeError::Length {
                field: "ranges",
                expected: RANGE_FIXED_LEN + DIGIT_LEN * (extra / DIGIT_LEN).min(64),
                actual: bytes.len(),
            });
        }
        let mut r = crate::encoding::Reader::new("ranges", bytes, bytes.len())?;
        let C = r.g1(true)?;
        let t = r.g1(true)?;
        let z_r = r.fr()?;
        let D = r.g1(true)?;
        let resp_r = r.fr()?;
        let mut digits = Vec::with_capacity(extra / DIGIT_LEN);
        for _ in 0..extra / DIGIT_LEN {
            digits.push(DigitProof {
                A_prime: r.g1(false)?,
                A_bar: r.g1(true)?,
                t: r.g1(true)?,
                r1: r.fr()?,
                r2: r.fr()?,
            });
        }
        r.finish()?;
        Ok(Self {
            C,
            t,
            z_r,
            D,
            resp_r,
            digits,
        })
    }

    /// The library's proof types have inner types from a crate NetNym does not depend on
    /// directly; build them through their canonical (validating) encoding:
    /// `base ‖ len ‖ digits (A' ‖ Ā ‖ Some(t ‖ r1 ‖ r2) ‖ None) ‖ D ‖ resp_r`.
    fn canonical(&self, base: u16) -> Vec<u8> {
        let mut b = Vec::with_capacity(16 + (DIGIT_LEN + 2) * self.digits.len() + G1 + FR);
        b.extend_from_slice(&base.to_le_bytes());
        b.extend_from_slice(&(self.digits.len() as u64).to_le_bytes());
        for d in &self.digits {
            b.extend_from_slice(&g1_bytes(&d.A_prime));
            b.extend_from_slice(&g1_bytes(&d.A_bar));
            b.push(1);
            b.extend_from_slice(&g1_bytes(&d.t));
            b.extend_from_slice(&fr_bytes(&d.r1));
            b.extend_from_slice(&fr_bytes(&d.r2));
            b.push(0);
        }
        b.extend_from_slice(&g1_bytes(&self.D));
        b.extend_from_slice(&fr_bytes(&self.resp_r));
        b
    }

    /// The challenge contribution of a CLS proof with public parameters, byte for byte the
    /// library's (`CLSRangeProof::challenge_contribution`: per digit `A' ‖ Ā ‖ g1 ‖ t` — the
    /// keyed variant writes `Ā` first — then `g ‖ h ‖ C ‖ D`), from the decoded parts: no
    /// library object, so no second decoding of points our decoder already checked. `g1`: the
    /// digit signatures' `g1`.
    pub(crate) fn cls_contribution(&self, g1: &G1Affine, out: &mut Vec<u8>) {
        let digits = self.digits.iter().map(|d| [&d.A_prime, &d.A_bar, &d.t]);
        cls_contribution(digits, g1, &self.C, &self.D, out);
    }

    /// The CLS check of the digits' sum (the library's `check_commitment`) as coefficients of
    /// one relation for the pairing batch:
    /// `−C·(k·c) + g·(min·k·c + Σ z_i·G_i) + h·(k·resp_r) − D = 0`, with the sumset boundaries
    /// `G_i` of the range and the randomness multiple `k` computed as the library does for
    /// `min ≤ m < max` (`max` exclusive, as the library takes it); `z_i` are the digits' message
    /// responses. `None` where the library would fail: `min ≥ max`, or a digit count other than
    /// the range's.
    pub(crate) fn sum_relation(
        &self,
        base: u16,
        min: u64,
        max: u64,
        challenge: &Fr,
    ) -> Option<SumRelation> {
        if min >= max || base < 2 {
            return None;
        }
        let (range, multiple) = sumset_range(base, min, max - 1);
        let boundaries = sumset_boundaries(range, base);
        if boundaries.len() != self.digits.len() {
            return None;
        }
        let k = Fr::from(multiple);
        let weighted: Fr = self
            .digits
            .iter()
            .zip(&boundaries)
            .map(|(d, g)| d.r2 * Fr::from(*g))
            .sum();
        Some(SumRelation {
            c: -(k * challenge),
            g: Fr::from(u128::from(min) * multiple) * challenge + weighted,
            h: k * self.resp_r,
        })
    }

    pub(crate) fn cls_proof(&self, base: u16) -> Option<CLSRangeProof<Bls12_381>> {
        CLSRangeProof::deserialize_compressed(&self.canonical(base)[..]).ok()
    }

    pub(crate) fn kv_proof(&self, base: u16) -> Option<CLSRangeProofWithKV<G1Affine>> {
        CLSRangeProofWithKV::deserialize_compressed(&self.canonical(base)[..]).ok()
    }
}

pub(crate) mod prover;
#[cfg(test)]
mod tests;
