//! Presentations and their verification (spec/05-presentation.md, spec/06-verification.md).
//!
//! The holder proves knowledge of a BBS+ signature on each requested credential, disclosing only
//! the requested attributes. All sub-proofs share one Fiat–Shamir challenge computed over the
//! request digest, each issuer key, schema and disclosed value, and every commitment.
//!
//! Verification is staged by type: bytes → [`ParsedPresentation`] (structure and encodings
//! validated, no cryptography) → [`Verifier::verify`] → [`VerifiedPresentation`], the only type
//! that exposes disclosed values.

use std::collections::{BTreeMap, BTreeSet};

use ark_bls12_381::{Bls12_381, Fr, G1Affine};
use ark_ec::CurveGroup;
use ark_ff::UniformRand;
use bbs_plus::proof::{PoKOfSignatureG1Proof, PoKOfSignatureG1Protocol};
use dock_crypto_utils::signature::MessageOrBlinding;
use rand_core::{CryptoRng, RngCore};
use schnorr_pok::discrete_log::PokPedersenCommitmentProtocol;
use schnorr_pok::partial::Partial2PokPedersenCommitment;
use schnorr_pok::{
    discrete_log::{PokDiscreteLogProtocol, PokPedersenCommitment},
    partial::{PartialPokDiscreteLog, PartialSchnorrResponse},
    SchnorrResponse,
};
use serde::{Deserialize, Serialize};
use smc_range_proof::prelude::{CLSRangeProofProtocol, CLSRangeProofWithKVProtocol};
use vb_accumulator::proofs_cdh::{MembershipProof, MembershipProofProtocol};
use zeroize::Zeroizing;

use crate::credential::Credential;
use crate::encoding::{
    b64, check_envelope, fr_bytes, g1_bytes, g1_from, parse_json, unb64, Reader, StrictMap,
    Transcript, FR_LEN, G1_LEN,
};
use crate::error::{DecodeError, PresentError, Rejection, RevocationError, VerifyError};
use crate::issuance::LinkSecret;
use crate::keys::{IssuerPublicKey, KeyId};
use crate::pairing::PairingBatch;
use crate::predicate::{lower, Bound};
use crate::pseudonym::{scope_base, Pseudonym};
use crate::range::{
    commitment_key, commitment_key_tables, digit_count, prover as range_prover, prover::TabledCls,
    DigitProof, KeyedRangeVerifier, RangeKind, RangeParams, RangeParts,
};
use crate::request::{CredentialQuery, NonRevocation, PresentationRequest, CLOCK_SKEW};
use crate::revocation::{scalar_to_id, EpochEntry, MembershipWitness, RegistryPublicKey};
use crate::schema::{AttributeType, AttributeValue, GeneratorWnaf, Schema};

mod prepared;
pub use prepared::PreparedCredential;
use prepared::PreparedPok;

const PRESENTATION_TYPE: &str = "netnym-presentation";
const CHALLENGE_DST: &[u8] = b"NETNYM-V1-PRESENTATION-CHALLENGE_XMD:SHA-256_";
/// Largest presentation JSON accepted, in bytes.
pub const MAX_PRESENTATION_BYTES: usize = 64 * 1024;
/// Fixed part of an encoded BBS+ proof: `A'`, `Ā`, `d`, `T1`, `T2` and the two responses of
/// the first Schnorr proof.
const POK_FIXED_LEN: usize = 5 * G1_LEN + 2 * FR_LEN;

/// A presentation as sent by the holder (or as parsed by a verifier, before verification).
#[derive(Clone, PartialEq)]
pub struct Presentation {
    nonce: Vec<u8>,
    credentials: Vec<PresentedCredential>,
    pseudonym: Option<PseudonymProof>,
}

/// What the holder presents of one credential.
#[derive(Clone, PartialEq)]
struct PresentedCredential {
    key_id: KeyId,
    schema_id: String,
    disclosed: StrictMap<serde_json::Value>,
    proof: PokParts,
    ranges: Vec<RangeParts>,
    non_revoked: Option<MembershipParts>,
}

/// A membership proof (CDH variant) as sent: `A'`, `Ā`, `t` and the randomizer's response;
/// the revocation id's response is the BBS+ proof's (REV-010).
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct MembershipParts {
    pub(crate) epoch: u64,
    pub(crate) A_prime: G1Affine,
    pub(crate) A_bar: G1Affine,
    pub(crate) t: G1Affine,
    pub(crate) response: Fr,
}

/// Length of an encoded membership proof.
const MEMBERSHIP_LEN: usize = 3 * G1_LEN + FR_LEN;

impl MembershipParts {
    fn from_proof(epoch: u64, p: &MembershipProof<Bls12_381>) -> Option<Self> {
        let partial = p.0.sc_partial.as_ref()?;
        Some(Self {
            epoch,
            A_prime: p.0.A_prime,
            A_bar: p.0.A_bar,
            t: partial.t,
            response: partial.response1,
        })
    }

    /// The `vb_accumulator` proof. Its inner type lives in a crate NetNym does not depend on
    /// directly, so it is built through its canonical (validating) encoding:
    /// `A' ‖ Ā ‖ None ‖ Some(t ‖ response)`.
    fn to_proof(&self) -> Option<MembershipProof<Bls12_381>> {
        use ark_serialize::CanonicalDeserialize;
        let mut bytes = Vec::with_capacity(MEMBERSHIP_LEN + 2);
        bytes.extend_from_slice(&g1_bytes(&self.A_prime));
        bytes.extend_from_slice(&g1_bytes(&self.A_bar));
        bytes.push(0);
        bytes.push(1);
        bytes.extend_from_slice(&g1_bytes(&self.t));
        bytes.extend_from_slice(&fr_bytes(&self.response));
        MembershipProof::<Bls12_381>::deserialize_compressed(&bytes[..]).ok()
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MEMBERSHIP_LEN);
        for p in [&self.A_prime, &self.A_bar, &self.t] {
            out.extend_from_slice(&g1_bytes(p));
        }
        out.extend_from_slice(&fr_bytes(&self.response));
        out
    }

    /// WIRE-006..009: exactly 176 bytes; `A'` a non-identity subgroup point (the pairing
    /// argument needs it), `Ā` and `t` subgroup points, a canonical response.
    fn decode(epoch: u64, bytes: &[u8]) -> Result<Self, DecodeError> {
        if bytes.len() != MEMBERSHIP_LEN {
            return Err(DecodeError::Length {
                field: "non_revoked.proof",
                expected: MEMBERSHIP_LEN,
                actual: bytes.len(),
            });
        }
        let mut r = Reader::new("non_revoked.proof", bytes, MEMBERSHIP_LEN)?;
        let out = Self {
            epoch,
            A_prime: r.g1(false)?,
            A_bar: r.g1(true)?,
            t: r.g1(true)?,
            response: r.fr()?,
        };
        r.finish()?;
        Ok(out)
    }
}

/// Holdings without witnesses, from `(credential, key)` pairs.
fn holdings_of<'a>(credentials: &[(&'a Credential, &'a IssuerPublicKey)]) -> Vec<Holding<'a>> {
    credentials
        .iter()
        .map(|(c, pk)| Holding::new(c, pk))
        .collect()
}

/// One credential offered for a presentation: the credential, its issuer's public key and,
/// when the query asks for non-revocation, a membership witness for its revocation id.
#[derive(Debug, Clone, Copy)]
pub struct Holding<'a> {
    /// The credential.
    pub credential: &'a Credential,
    /// Its issuer's public key.
    pub public_key: &'a IssuerPublicKey,
    /// A witness for the credential's revocation id, at an epoch the request accepts.
    pub witness: Option<&'a MembershipWitness>,
    /// Set by [`PreparedCredential::holding`]: prove with its tables.
    prepared: Option<&'a PreparedCredential>,
}

impl<'a> Holding<'a> {
    /// A credential without a witness.
    #[must_use]
    pub fn new(credential: &'a Credential, public_key: &'a IssuerPublicKey) -> Self {
        Self {
            credential,
            public_key,
            witness: None,
            prepared: None,
        }
    }
    /// Attach a membership witness.
    #[must_use]
    pub fn with_witness(mut self, witness: &'a MembershipWitness) -> Self {
        self.witness = Some(witness);
        self
    }
}

/// A BBS+ proof of knowledge as sent: the second Schnorr proof's responses in witness order,
/// without the responses another sub-proof already carries (spec/05-presentation.md §Responses).
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct PokParts {
    pub(crate) A_prime: G1Affine,
    pub(crate) A_bar: G1Affine,
    pub(crate) d: G1Affine,
    pub(crate) t1: G1Affine,
    pub(crate) T2: G1Affine,
    pub(crate) r1: Fr,
    pub(crate) r2: Fr,
    pub(crate) responses: Vec<Fr>,
}

/// The pseudonym and the commitment of its proof; its response is the link secret's response
/// of the first credential's BBS+ proof (NYM-002).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct PseudonymProof {
    nym: G1Affine,
    t: G1Affine,
}

impl core::fmt::Debug for Presentation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Presentation")
            .field("credentials", &self.credentials.len())
            .finish_non_exhaustive()
    }
}

/// A presentation whose encoding has been validated (stage 1 of verification). Its contents
/// are not trusted yet: pass it to [`Verifier::verify`].
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedPresentation(Presentation);

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialWire {
    issuer_key_id: String,
    schema_id: String,
    disclosed: StrictMap<serde_json::Value>,
    proof: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    ranges: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    non_revoked: Option<MembershipWire>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MembershipWire {
    epoch: u64,
    proof: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PseudonymWire {
    nym: String,
    proof: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PresentationWire {
    #[serde(rename = "type")]
    ty: String,
    version: u64,
    nonce: String,
    credentials: Vec<CredentialWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pseudonym: Option<PseudonymWire>,
}

impl PokParts {
    fn from_proof(p: &PoKOfSignatureG1Proof<Bls12_381>) -> Self {
        let responses = match (&p.sc_resp_2, &p.sc_partial_resp_2) {
            (Some(full), _) => full.0.clone(),
            // BTreeMap: values in witness order.
            (None, Some(partial)) => partial.responses.values().copied().collect(),
            (None, None) => Vec::new(),
        };
        Self {
            A_prime: p.A_prime,
            A_bar: p.A_bar,
            d: p.d,
            t1: p.sc_resp_1.t,
            T2: p.T2,
            r1: p.sc_resp_1.response1,
            r2: p.sc_resp_1.response2,
            responses,
        }
    }

    /// The bbs_plus proof, given the total number of witnesses of the second Schnorr proof and
    /// the witness positions whose responses come from elsewhere (VER-009).
    fn to_proof(
        &self,
        total: usize,
        skipped: &BTreeSet<usize>,
    ) -> Option<PoKOfSignatureG1Proof<Bls12_381>> {
        if self.responses.len() + skipped.len() != total || skipped.iter().any(|&i| i >= total) {
            return None;
        }
        let (full, partial) = if skipped.is_empty() {
            (Some(SchnorrResponse(self.responses.clone())), None)
        } else {
            let positions = (0..total).filter(|i| !skipped.contains(i));
            let responses = positions.zip(self.responses.iter().copied()).collect();
            (
                None,
                Some(PartialSchnorrResponse {
                    responses,
                    total_responses: total,
                }),
            )
        };
        Some(PoKOfSignatureG1Proof {
            A_prime: self.A_prime,
            A_bar: self.A_bar,
            d: self.d,
            sc_resp_1: PokPedersenCommitment {
                t: self.t1,
                response1: self.r1,
                response2: self.r2,
            },
            T2: self.T2,
            sc_resp_2: full,
            sc_partial_resp_2: partial,
        })
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(POK_FIXED_LEN + FR_LEN * self.responses.len());
        for point in [&self.A_prime, &self.A_bar, &self.d, &self.t1, &self.T2] {
            out.extend_from_slice(&g1_bytes(point));
        }
        out.extend_from_slice(&fr_bytes(&self.r1));
        out.extend_from_slice(&fr_bytes(&self.r2));
        for r in &self.responses {
            out.extend_from_slice(&fr_bytes(r));
        }
        out
    }

    /// Decode (WIRE-006..WIRE-009): `A'`, `Ā` valid non-identity subgroup points; `d`, `T1`,
    /// `T2` valid subgroup points; 1 to 66 canonical responses; nothing trailing.
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let extra = bytes.len().saturating_sub(POK_FIXED_LEN);
        let n2 = extra / FR_LEN;
        // At least the two responses for `−r3` and `s'`.
        if bytes.len() < POK_FIXED_LEN + 2 * FR_LEN
            || extra % FR_LEN != 0
            || n2 > crate::MAX_ATTRIBUTES + 2
        {
            return Err(DecodeError::Length {
                field: "proof",
                expected: POK_FIXED_LEN + FR_LEN * n2.clamp(2, crate::MAX_ATTRIBUTES + 2),
                actual: bytes.len(),
            });
        }
        let mut r = Reader::new("proof", bytes, bytes.len())?;
        let parts = Self {
            A_prime: r.g1(false)?,
            A_bar: r.g1(false)?,
            d: r.g1(true)?,
            t1: r.g1(true)?,
            T2: r.g1(true)?,
            r1: r.fr()?,
            r2: r.fr()?,
            responses: (0..n2).map(|_| r.fr()).collect::<Result<Vec<_>, _>>()?,
        };
        r.finish()?;
        Ok(parts)
    }
}

/// Position of message `index` among the second Schnorr proof's witnesses (the hidden
/// messages in index order, then `d` and `h_0`).
fn witness_position(index: usize, revealed: &BTreeMap<usize, Fr>) -> usize {
    index - revealed.range(..index).count()
}

/// Append one credential's public statement and commitments to the challenge transcript.
fn append_statement(
    tr: &mut Transcript,
    pk: &IssuerPublicKey,
    revealed: &BTreeMap<usize, Fr>,
    bounds: &[Bound],
    contribution: &[u8],
) {
    tr.append(b"key_id", pk.key_id().as_bytes());
    tr.append(b"schema", &pk.schema().digest());
    tr.append(b"w", &pk.public_key_bytes());
    tr.append_u64(b"disclosed", revealed.len() as u64);
    for (i, m) in revealed {
        tr.append_u64(b"index", *i as u64);
        tr.append_fr(b"value", m);
    }
    tr.append_u64(b"bounds", bounds.len() as u64);
    for b in bounds {
        tr.append_u64(b"bound_index", b.index as u64);
        tr.append_u64(b"bound_min", b.min);
        tr.append_u64(b"bound_max", b.max);
    }
    tr.append(b"bbs_pok", contribution);
}

/// The registry id hashes the registry key and domain, so binding it binds both.
fn append_membership(tr: &mut Transcript, registry: &KeyId, epoch: u64, contribution: &[u8]) {
    tr.append(b"registry_id", registry.as_bytes());
    tr.append_u64(b"epoch", epoch);
    tr.append(b"membership", contribution);
}

/// The index of a query's revocation attribute: a uint attribute, not disclosed (REV-008).
fn revocation_index(
    schema: &Schema,
    nr: &NonRevocation,
    disclosed: &BTreeSet<usize>,
) -> Result<usize, String> {
    match schema.index_of(&nr.attribute) {
        Some(i)
            if schema.attributes()[i].ty() == AttributeType::Uint && !disclosed.contains(&i) =>
        {
            Ok(i)
        }
        Some(_) => Err(format!(
            "{:?} must be a hidden uint attribute",
            nr.attribute
        )),
        None => Err(format!("schema has no attribute {:?}", nr.attribute)),
    }
}

fn append_pseudonym(tr: &mut Transcript, base: &G1Affine, nym: &G1Affine, t: &G1Affine) {
    tr.append_g1(b"nym_base", base);
    tr.append_g1(b"nym", nym);
    tr.append_g1(b"nym_t", t);
}

/// The bounds of a query for `schema` (PRD rules), computed the same way by both sides.
fn query_bounds(
    schema: &Schema,
    query: &CredentialQuery,
    request: &PresentationRequest,
) -> Result<Vec<Bound>, DecodeError> {
    lower(
        schema,
        query.predicates(),
        request.reference_date(),
        query.disclose(),
    )
}

fn new_transcript(request: &PresentationRequest, count: usize) -> Transcript {
    let mut tr = Transcript::new(b"NetNym-v1:presentation");
    tr.append(b"request", &request.digest());
    tr.append_u64(b"credentials", count as u64);
    tr
}

/// Indices of the attributes to disclose, checked against the schema (PRE-004 / VER-007).
fn disclosed_indices(schema: &Schema, names: &[String]) -> Result<BTreeSet<usize>, String> {
    let mut out = BTreeSet::new();
    for n in names {
        match schema.index_of(n) {
            Some(i) if schema.attributes()[i].ty() != AttributeType::HolderSecret => {
                out.insert(i);
            }
            _ => return Err(n.clone()),
        }
    }
    Ok(out)
}

type MembershipProtocol = MembershipProofProtocol<Bls12_381>;

/// One credential's proof in progress.
struct ProverState {
    protocol: PokProver,
    key_id: KeyId,
    schema_id: String,
    disclosed: StrictMap<serde_json::Value>,
    reveal: BTreeSet<usize>,
    ls_index: usize,
    ranges: Vec<RangeProver>,
    membership: Option<(u64, MembershipProtocol)>,
}

/// A BBS+ proof of knowledge in progress: `bbs_plus`'s protocol, or the same protocol from a
/// prepared credential's tables.
enum PokProver {
    Library(Box<PoKOfSignatureG1Protocol<Bls12_381>>),
    Prepared(Box<PreparedPok>),
}

impl PokProver {
    fn challenge_contribution(
        &self,
        revealed: &BTreeMap<usize, Fr>,
        params: &bbs_plus::setup::SignatureParamsG1<Bls12_381>,
        out: &mut Vec<u8>,
    ) -> Result<(), ()> {
        match self {
            Self::Library(p) => p
                .challenge_contribution(revealed, params, out)
                .map_err(|_| ()),
            Self::Prepared(p) => p.challenge_contribution(revealed, params, out),
        }
    }

    /// Respond; `skip_ls`: leave out the link secret's response (carried by the first
    /// credential's proof).
    fn finish(
        self,
        challenge: &Fr,
        reveal: &BTreeSet<usize>,
        skip_ls: Option<usize>,
    ) -> Result<PokParts, ()> {
        match self {
            Self::Library(p) => match skip_ls {
                None => p.gen_proof(challenge),
                Some(ls) => p.gen_partial_proof(challenge, reveal, &BTreeSet::from([ls])),
            }
            .map(|proof| PokParts::from_proof(&proof))
            .map_err(|_| ()),
            Self::Prepared(p) => Ok(p.finish(challenge, skip_ls)),
        }
    }
}

/// The CLS protocol of either kind, by the library or (public parameters, prepared
/// credentials) from the parameters' tables.
enum ClsProtocol {
    Public(Box<CLSRangeProofProtocol<Bls12_381>>),
    Keyed(Box<CLSRangeProofWithKVProtocol<G1Affine>>),
    Tabled(Box<TabledCls>),
}

/// The opening proof of `C = g·m + h·r` (the response for `m` is the BBS+ proof's): by the
/// library, or by table as `t = g·β + h·ρ`, response `ρ + c·r`.
enum Opening {
    Library(PokPedersenCommitmentProtocol<G1Affine>),
    Tabled {
        t: G1Affine,
        secrets: Zeroizing<[Fr; 2]>,
    },
}

/// One bound's range proof in progress.
struct RangeProver {
    C: G1Affine,
    cls: ClsProtocol,
    opening: Opening,
}

impl RangeProver {
    /// `tabled`: prove from the parameters' tables (built on first use), for holders that
    /// present often (prepared credentials).
    fn init(
        rng: &mut (impl RngCore + CryptoRng),
        params: &RangeParams,
        b: &Bound,
        m: Fr,
        value: u64,
        blinding: Fr,
        tabled: bool,
    ) -> Result<Self, ()> {
        let ck = commitment_key();
        let r = Fr::rand(rng);
        let max = b.max.checked_add(1).ok_or(())?;
        if let Some(tables) = params.prover_tables().filter(|_| tabled) {
            let C = range_prover::commit(&m, &r).into_affine();
            let cls = TabledCls::init(rng, tables, params.base(), value, r, b.min, max).ok_or(())?;
            let rho = Fr::rand(rng);
            let t = range_prover::commit(&blinding, &rho).into_affine();
            return Ok(Self {
                C,
                cls: ClsProtocol::Tabled(Box::new(cls)),
                opening: Opening::Tabled {
                    t,
                    secrets: Zeroizing::new([rho, r]),
                },
            });
        }
        let C = ck.commit(&m, &r);
        let cls = match params.kind() {
            RangeKind::Public => ClsProtocol::Public(Box::new(
                CLSRangeProofProtocol::init_given_base(
                    rng,
                    value,
                    r,
                    b.min,
                    max,
                    params.base(),
                    ck,
                    params.params(),
                )
                .map_err(|_| ())?,
            )),
            RangeKind::Keyed => ClsProtocol::Keyed(Box::new(
                CLSRangeProofWithKVProtocol::init_given_base(
                    rng,
                    value,
                    r,
                    b.min,
                    max,
                    params.base(),
                    ck,
                    params.kv(),
                )
                .map_err(|_| ())?,
            )),
        };
        let opening = Opening::Library(PokPedersenCommitmentProtocol::init(
            m,
            blinding,
            &ck.g,
            r,
            Fr::rand(rng),
            &ck.h,
        ));
        Ok(Self { C, cls, opening })
    }

    fn contribution(&self, params: &RangeParams, out: &mut Vec<u8>) -> Result<(), ()> {
        let ck = commitment_key();
        out.extend_from_slice(&g1_bytes(&self.C));
        match &self.cls {
            ClsProtocol::Public(p) => p
                .challenge_contribution(&self.C, ck, params.params(), &mut *out)
                .map_err(|_| ())?,
            ClsProtocol::Keyed(p) => p
                .challenge_contribution(&self.C, ck, params.kv(), &mut *out)
                .map_err(|_| ())?,
            ClsProtocol::Tabled(p) => {
                p.contribution(&self.C, &params.params().bb_sig_params.g1, out);
            }
        }
        match &self.opening {
            Opening::Library(o) => o
                .challenge_contribution(&ck.g, &ck.h, &self.C, &mut *out)
                .map_err(|_| ()),
            Opening::Tabled { t, .. } => {
                PokPedersenCommitmentProtocol::compute_challenge_contribution(
                    &ck.g, &ck.h, &self.C, t, &mut *out,
                )
                .map_err(|_| ())
            }
        }
    }

    /// The range proof as sent, taken field by field from the library's proof (every point
    /// is our own, just computed: no decoding, no second subgroup check).
    fn finish(self, challenge: &Fr) -> Option<RangeParts> {
        let digit = |A_prime: G1Affine,
                     A_bar: G1Affine,
                     sc: Option<&PokPedersenCommitment<G1Affine>>,
                     partial: bool| {
            let sc = sc.filter(|_| !partial)?;
            Some(DigitProof {
                A_prime,
                A_bar,
                t: sc.t,
                r1: sc.response1,
                r2: sc.response2,
            })
        };
        let (t, z_r) = match self.opening {
            Opening::Library(o) => {
                let opening = o.gen_partial2_proof(challenge);
                (opening.t, opening.response2)
            }
            Opening::Tabled { t, secrets } => (t, secrets[0] + secrets[1] * challenge),
        };
        let (digits, D, resp_r) = match self.cls {
            ClsProtocol::Tabled(p) => {
                let parts = p.parts(self.C, challenge);
                (parts.digits, parts.D, parts.resp_r)
            }
            ClsProtocol::Public(p) => {
                let proof = p.gen_proof(challenge);
                let digits = proof
                    .pok_sigs
                    .iter()
                    .map(|s| digit(s.A_prime, s.A_bar, s.sc.as_ref(), s.sc_partial.is_some()))
                    .collect::<Option<Vec<_>>>()?;
                (digits, proof.D, proof.resp_r)
            }
            ClsProtocol::Keyed(p) => {
                let proof = p.gen_proof(challenge);
                let digits = proof
                    .pok_sigs
                    .iter()
                    .map(|s| digit(s.A_prime, s.A_bar, s.sc.as_ref(), s.sc_partial.is_some()))
                    .collect::<Option<Vec<_>>>()?;
                (digits, proof.D, proof.resp_r)
            }
        };
        Some(RangeParts {
            C: self.C,
            t,
            z_r,
            D,
            resp_r,
            digits,
        })
    }
}

fn append_range_params(tr: &mut Transcript, params: &RangeParams) {
    tr.append(b"range_params_id", params.id().as_bytes());
    tr.append_u64(b"range_base", u64::from(params.base()));
    tr.append_u64(b"range_keyed", u64::from(params.kind() == RangeKind::Keyed));
}

impl Presentation {
    /// Build a presentation answering `request` with `credentials[i]` for query `i`.
    ///
    /// # Errors
    /// [`PresentError`] when the credentials cannot satisfy the request (PRE-001..PRE-010).
    pub fn create(
        rng: &mut (impl RngCore + CryptoRng),
        request: &PresentationRequest,
        credentials: &[(&Credential, &IssuerPublicKey)],
        link_secret: &LinkSecret,
    ) -> Result<Self, PresentError> {
        let holdings = holdings_of(credentials);
        Self::build(rng, request, &holdings, link_secret, &[], true)
    }

    /// Build a presentation answering `request` with `holdings[i]` for query `i`: range
    /// proofs for predicates with the parameters the request names (found in `range_params`,
    /// each checked once by [`RangeParams::from_json`]), non-revocation proofs from the
    /// holdings' witnesses.
    ///
    /// # Errors
    /// [`PresentError`] when the holdings cannot satisfy the request (PRE-001..PRE-010).
    pub fn create_with(
        rng: &mut (impl RngCore + CryptoRng),
        request: &PresentationRequest,
        holdings: &[Holding<'_>],
        link_secret: &LinkSecret,
        range_params: &[&RangeParams],
    ) -> Result<Self, PresentError> {
        Self::build(rng, request, holdings, link_secret, range_params, true)
    }

    /// Test support: [`Presentation::build`] from credential and key pairs.
    #[cfg(test)]
    pub(crate) fn build_pairs(
        rng: &mut (impl RngCore + CryptoRng),
        request: &PresentationRequest,
        credentials: &[(&Credential, &IssuerPublicKey)],
        link_secret: &LinkSecret,
        check_credentials: bool,
    ) -> Result<Self, PresentError> {
        let holdings = holdings_of(credentials);
        Self::build(rng, request, &holdings, link_secret, &[], check_credentials)
    }

    /// [`Presentation::create_with`], optionally without the holder-side checks of the
    /// signature (PRE-005), predicates (PRE-007) and witness (PRE-009); tests use that to build
    /// proofs a cheating holder would send.
    pub(crate) fn build(
        rng: &mut (impl RngCore + CryptoRng),
        request: &PresentationRequest,
        holdings: &[Holding<'_>],
        link_secret: &LinkSecret,
        range_params: &[&RangeParams],
        check_credentials: bool,
    ) -> Result<Self, PresentError> {
        Self::build_inner(
            rng,
            request,
            holdings,
            link_secret,
            range_params,
            check_credentials,
            link_secret,
        )
    }

    /// [`Presentation::build`] with the pseudonym computed from `nym_secret`: tests use a
    /// secret other than the credentials' to play a cheating holder (VER-015).
    pub(crate) fn build_inner(
        rng: &mut (impl RngCore + CryptoRng),
        request: &PresentationRequest,
        holdings: &[Holding<'_>],
        link_secret: &LinkSecret,
        range_params: &[&RangeParams],
        check_credentials: bool,
        nym_secret: &LinkSecret,
    ) -> Result<Self, PresentError> {
        let queries = request.credentials();
        // PRE-010: the parameters the request names, when it has predicates.
        let params = request
            .range_params()
            .and_then(|id| range_params.iter().copied().find(|p| p.id() == id));
        // PRE-001
        if holdings.len() != queries.len() {
            return Err(PresentError::CredentialCount {
                expected: queries.len(),
                given: holdings.len(),
            });
        }
        // One blinding for the link secret in every sub-proof: equal responses prove the
        // credentials and the pseudonym share it (spec/05-presentation.md §Linking).
        let ls_blinding = Fr::rand(rng);
        let mut protocols = Vec::with_capacity(holdings.len());
        let mut tr = new_transcript(request, holdings.len());
        for (index, (query, holding)) in queries.iter().zip(holdings).enumerate() {
            let (cred, pk) = (holding.credential, holding.public_key);
            let schema = pk.schema();
            // PRE-006
            if cred.key_id() != pk.key_id() || cred.attributes().schema() != schema {
                return Err(PresentError::WrongIssuerKey);
            }
            // PRE-002
            if schema.id() != query.schema_id() {
                return Err(PresentError::SchemaMismatch {
                    index,
                    expected: query.schema_id().to_owned(),
                    found: schema.id().to_owned(),
                });
            }
            // PRE-003
            if !query.issuer_key_ids().contains(&pk.key_id()) {
                return Err(PresentError::IssuerNotAccepted { index });
            }
            // PRE-004
            let reveal = disclosed_indices(schema, query.disclose())
                .map_err(|name| PresentError::CannotDisclose { index, name })?;
            let bounds =
                query_bounds(schema, query, request).map_err(|e| PresentError::InvalidRequest {
                    index,
                    reason: e.to_string(),
                })?;
            // PRE-005: a wrong link secret would make an invalid proof; refuse up front. A
            // prepared credential was checked when it was prepared: only the link secret is
            // compared.
            let prepared = match holding.prepared {
                Some(p) if !p.is_for(holding) => {
                    return Err(PresentError::Internal("prepared credential is another"))
                }
                Some(p) if !p.has_link_secret(link_secret, schema.holder_secret_index()) => {
                    return Err(PresentError::LinkSecretMismatch)
                }
                Some(p) => Some(p),
                None => {
                    if check_credentials {
                        cred.verify(pk, link_secret)
                            .map_err(|_| PresentError::LinkSecretMismatch)?;
                    }
                    None
                }
            };
            let messages = Zeroizing::new(match prepared {
                Some(p) => p.messages().to_vec(),
                None => cred.attributes().scalars(link_secret.scalar()),
            });
            // PRE-007: a holder whose attributes break a predicate cannot prove it; say so.
            if check_credentials {
                for b in &bounds {
                    let v = Fr::from(b.min)..=Fr::from(b.max);
                    if !v.contains(&messages[b.index]) {
                        return Err(PresentError::PredicateNotSatisfied {
                            index,
                            attribute: schema.attributes()[b.index].name().to_owned(),
                        });
                    }
                }
            }
            // PRE-009: non-revocation needs a witness of the named registry, at an accepted
            // epoch, for this credential's revocation id.
            let revocation = match query.non_revoked() {
                None => None,
                Some(nr) => {
                    let r_index = revocation_index(schema, nr, &reveal)
                        .map_err(|reason| PresentError::InvalidRequest { index, reason })?;
                    let witness = holding.witness.ok_or(PresentError::Revocation {
                        index,
                        reason: "no membership witness given",
                    })?;
                    if check_credentials {
                        if witness.registry() != nr.registry_id {
                            return Err(PresentError::Revocation {
                                index,
                                reason: "witness is for another registry",
                            });
                        }
                        if !(nr.min_epoch..=nr.max_epoch).contains(&witness.epoch()) {
                            return Err(PresentError::Revocation {
                                index,
                                reason: "witness epoch outside the accepted window: update it",
                            });
                        }
                        if Fr::from(witness.revocation_id()) != messages[r_index] {
                            return Err(PresentError::Revocation {
                                index,
                                reason: "witness is for another revocation id",
                            });
                        }
                    }
                    Some((r_index, witness, Fr::rand(rng)))
                }
            };
            let ls_index = schema.holder_secret_index();
            // Messages whose responses other sub-proofs reuse get chosen blindings.
            let mut linked: BTreeMap<usize, Fr> = BTreeMap::from([(ls_index, ls_blinding)]);
            if let Some((r, _, blinding)) = &revocation {
                linked.insert(*r, *blinding);
            }
            for b in &bounds {
                linked.entry(b.index).or_insert_with(|| Fr::rand(rng));
            }
            if !bounds.is_empty() && params.is_none() {
                return Err(PresentError::RangeParams { index });
            }
            let protocol = match prepared {
                Some(p) => {
                    PokProver::Prepared(Box::new(PreparedPok::init(rng, p, &reveal, &linked)))
                }
                None => PokProver::Library(Box::new(
                    PoKOfSignatureG1Protocol::init(
                        rng,
                        cred.signature(),
                        schema.params(),
                        messages.iter().enumerate().map(|(i, m)| {
                            if reveal.contains(&i) {
                                MessageOrBlinding::RevealMessage(m)
                            } else if let Some(blinding) = linked.get(&i) {
                                MessageOrBlinding::blind_message_with(m, *blinding)
                            } else {
                                MessageOrBlinding::BlindMessageRandomly(m)
                            }
                        }),
                    )
                    .map_err(|_| PresentError::Internal("bbs+ proof init"))?,
                )),
            };
            let revealed: BTreeMap<usize, Fr> = reveal.iter().map(|&i| (i, messages[i])).collect();
            let mut contribution = Vec::new();
            protocol
                .challenge_contribution(&revealed, schema.params(), &mut contribution)
                .map_err(|()| PresentError::Internal("bbs+ challenge contribution"))?;
            append_statement(&mut tr, pk, &revealed, &bounds, &contribution);
            // RNG-003: one range proof per bound, over a commitment to the same hidden value.
            let mut ranges = Vec::with_capacity(bounds.len());
            if let Some(params) = params.filter(|_| !bounds.is_empty()) {
                append_range_params(&mut tr, params);
                for b in &bounds {
                    let m = messages[b.index];
                    let value = scalar_to_id(&m).ok_or(PresentError::PredicateNotSatisfied {
                        index,
                        attribute: schema.attributes()[b.index].name().to_owned(),
                    })?;
                    let st = RangeProver::init(
                        rng,
                        params,
                        b,
                        m,
                        value,
                        linked[&b.index],
                        prepared.is_some(),
                    )
                    .map_err(|()| PresentError::PredicateNotSatisfied {
                        index,
                        attribute: schema.attributes()[b.index].name().to_owned(),
                    })?;
                    let mut c = Vec::new();
                    st.contribution(params, &mut c)
                        .map_err(|()| PresentError::Internal("range contribution"))?;
                    tr.append(b"range", &c);
                    ranges.push(st);
                }
            }
            // REV-010: membership of the same hidden value, with the BBS+ blinding.
            let membership = match (revocation, query.non_revoked()) {
                (Some((r_index, witness, blinding)), Some(nr)) => {
                    let proto = MembershipProtocol::init(
                        rng,
                        messages[r_index],
                        Some(blinding),
                        witness.accumulator(),
                        &witness.vb(),
                    );
                    let mut c = Vec::new();
                    proto
                        .challenge_contribution(witness.accumulator(), &mut c)
                        .map_err(|_| PresentError::Internal("membership contribution"))?;
                    append_membership(&mut tr, &nr.registry_id, witness.epoch(), &c);
                    Some((witness.epoch(), proto))
                }
                _ => None,
            };
            let disclosed = StrictMap(
                reveal
                    .iter()
                    .filter_map(|&i| {
                        let name = schema.attributes()[i].name();
                        cred.attributes()
                            .get(name)
                            .map(|v| (name.to_owned(), v.to_json()))
                    })
                    .collect(),
            );
            protocols.push(ProverState {
                protocol,
                key_id: pk.key_id(),
                schema_id: schema.id().to_owned(),
                disclosed,
                reveal,
                ls_index,
                ranges,
                membership,
            });
        }
        // NYM-001: nym = H(verifier id) * link_secret, proven with the shared blinding.
        let nym = request.pseudonym().then(|| {
            let base = scope_base(request.verifier_id());
            let nym = (base * nym_secret.scalar()).into_affine();
            let proto = PokDiscreteLogProtocol::init(*nym_secret.scalar(), ls_blinding, &base);
            append_pseudonym(&mut tr, &base, &nym, &proto.t);
            (nym, proto)
        });
        let challenge = tr.challenge(CHALLENGE_DST);
        let mut out = Vec::with_capacity(protocols.len());
        for (i, st) in protocols.into_iter().enumerate() {
            // The first credential carries the link secret's response; the others omit it.
            let proof = st
                .protocol
                .finish(&challenge, &st.reveal, (i > 0).then_some(st.ls_index))
                .map_err(|()| PresentError::Internal("bbs+ proof generation"))?;
            let non_revoked = match st.membership {
                None => None,
                Some((epoch, proto)) => Some(
                    proto
                        .gen_partial_proof(&challenge)
                        .ok()
                        .and_then(|p| MembershipParts::from_proof(epoch, &p))
                        .ok_or(PresentError::Internal("membership proof generation"))?,
                ),
            };
            let ranges = st
                .ranges
                .into_iter()
                .map(|r| r.finish(&challenge))
                .collect::<Option<Vec<_>>>()
                .ok_or(PresentError::Internal("range proof generation"))?;
            out.push(PresentedCredential {
                key_id: st.key_id,
                schema_id: st.schema_id,
                disclosed: st.disclosed,
                proof,
                ranges,
                non_revoked,
            });
        }
        Ok(Self {
            nonce: request.nonce().to_vec(),
            credentials: out,
            pseudonym: nym.map(|(nym, proto)| PseudonymProof {
                nym,
                t: proto.gen_partial_proof().t,
            }),
        })
    }

    /// JSON wire form (spec/03-wire-format.md §Presentation).
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(&PresentationWire {
            ty: PRESENTATION_TYPE.to_owned(),
            version: crate::WIRE_VERSION,
            nonce: b64(&self.nonce),
            credentials: self
                .credentials
                .iter()
                .map(|c| CredentialWire {
                    issuer_key_id: c.key_id.to_string(),
                    schema_id: c.schema_id.clone(),
                    disclosed: c.disclosed.clone(),
                    proof: b64(&c.proof.encode()),
                    ranges: c.ranges.iter().map(|r| b64(&r.encode())).collect(),
                    non_revoked: c.non_revoked.as_ref().map(|m| MembershipWire {
                        epoch: m.epoch,
                        proof: b64(&m.encode()),
                    }),
                })
                .collect(),
            pseudonym: self.pseudonym.map(|p| PseudonymWire {
                nym: b64(&g1_bytes(&p.nym)),
                proof: b64(&g1_bytes(&p.t)),
            }),
        })
        .unwrap_or_default()
    }

    /// Size in bytes of the binary proofs (excluding JSON framing and disclosed values).
    #[must_use]
    pub fn proof_size(&self) -> usize {
        self.credentials
            .iter()
            .map(|c| {
                c.proof.encode().len()
                    + c.ranges.iter().map(|r| r.encode().len()).sum::<usize>()
                    + c.non_revoked.as_ref().map_or(0, |_| MEMBERSHIP_LEN)
            })
            .sum::<usize>()
            + self.pseudonym.map_or(0, |_| 2 * G1_LEN)
    }

    /// SHA-256 over every binary proof in wire order (BBS+ proofs, range proofs, membership
    /// proofs, pseudonym): the pairing batch absorbs it so that its random weights are drawn
    /// after the responses are fixed (spec/06-verification.md §Pairing batch).
    fn proof_digest(&self) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"NetNym-v1:proof-digest");
        for c in &self.credentials {
            h.update(c.proof.encode());
            for r in &c.ranges {
                h.update(r.encode());
            }
            if let Some(m) = &c.non_revoked {
                h.update(m.encode());
            }
        }
        if let Some(nym) = &self.pseudonym {
            h.update(g1_bytes(&nym.nym));
            h.update(g1_bytes(&nym.t));
        }
        h.finalize().into()
    }

    /// The pseudonym this presentation carries, if the request asked for one. Unverified:
    /// platforms read it from [`VerifiedPresentation::pseudonym`].
    #[must_use]
    pub fn pseudonym(&self) -> Option<Pseudonym> {
        self.pseudonym.map(|p| Pseudonym(p.nym))
    }
}

impl ParsedPresentation {
    /// Stage 1: parse untrusted bytes (VER-001, VER-002): size limit, strict JSON (unknown and
    /// duplicated keys rejected), envelope type and version, 1..=8 credentials, key ids, nonce,
    /// and every group element and scalar of every proof.
    ///
    /// # Errors
    /// [`DecodeError`] naming the field at fault.
    pub fn from_json(bytes: &[u8]) -> Result<Self, DecodeError> {
        let w: PresentationWire = parse_json(bytes, MAX_PRESENTATION_BYTES)?;
        check_envelope(PRESENTATION_TYPE, &w.ty, w.version)?;
        if w.credentials.is_empty() || w.credentials.len() > crate::request::MAX_QUERIES {
            return Err(DecodeError::InvalidField {
                field: "credentials",
                reason: "must hold 1..=8 credentials".to_owned(),
            });
        }
        let nonce = unb64("nonce", &w.nonce)?;
        let mut credentials = Vec::with_capacity(w.credentials.len());
        for c in w.credentials {
            credentials.push(PresentedCredential {
                key_id: KeyId::parse(&c.issuer_key_id)?,
                schema_id: c.schema_id,
                disclosed: c.disclosed,
                proof: PokParts::decode(&unb64("proof", &c.proof)?)?,
                ranges: {
                    if c.ranges.len() > 2 * crate::request::MAX_PREDICATES {
                        return Err(DecodeError::InvalidField {
                            field: "ranges",
                            reason: "too many range proofs".to_owned(),
                        });
                    }
                    c.ranges
                        .iter()
                        .map(|r| RangeParts::decode(&unb64("ranges", r)?))
                        .collect::<Result<Vec<_>, _>>()?
                },
                non_revoked: match c.non_revoked {
                    None => None,
                    Some(m) => Some(MembershipParts::decode(
                        m.epoch,
                        &unb64("non_revoked.proof", &m.proof)?,
                    )?),
                },
            });
        }
        let pseudonym = match w.pseudonym {
            None => None,
            Some(p) => Some(PseudonymProof {
                // NYM-003: the identity would be the nym of link secret 0.
                nym: g1_from("nym", &unb64("nym", &p.nym)?, false)?,
                t: g1_from(
                    "pseudonym.proof",
                    &unb64("pseudonym.proof", &p.proof)?,
                    true,
                )?,
            }),
        };
        Ok(Self(Presentation {
            nonce,
            credentials,
            pseudonym,
        }))
    }

    /// The nonce the presentation claims to answer (to look up the request it belongs to).
    #[must_use]
    pub fn nonce(&self) -> &[u8] {
        &self.0.nonce
    }
}

impl From<Presentation> for ParsedPresentation {
    fn from(p: Presentation) -> Self {
        Self(p)
    }
}

/// A presentation that passed every check; the only way to read disclosed values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedPresentation {
    verifier_id: String,
    credentials: Vec<VerifiedCredential>,
    pseudonym: Option<Pseudonym>,
}

/// The verified claims about one credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCredential {
    key_id: KeyId,
    schema_id: String,
    disclosed: Vec<(String, AttributeValue)>,
}

impl VerifiedCredential {
    /// The issuer key that signed the credential.
    #[must_use]
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }
    /// The credential's schema id.
    #[must_use]
    pub fn schema_id(&self) -> &str {
        &self.schema_id
    }
    /// The disclosed attributes, in schema order.
    #[must_use]
    pub fn disclosed(&self) -> &[(String, AttributeValue)] {
        &self.disclosed
    }
    /// A disclosed attribute by name.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&AttributeValue> {
        self.disclosed
            .iter()
            .find_map(|(n, v)| (n == name).then_some(v))
    }
}

impl VerifiedPresentation {
    /// The verifier id of the request this presentation answered.
    #[must_use]
    pub fn verifier_id(&self) -> &str {
        &self.verifier_id
    }
    /// The verified credentials, in request order.
    #[must_use]
    pub fn credentials(&self) -> &[VerifiedCredential] {
        &self.credentials
    }
    /// The holder's pseudonym at this verifier, when the request asked for one.
    #[must_use]
    pub fn pseudonym(&self) -> Option<Pseudonym> {
        self.pseudonym
    }
    /// The verified claims as JSON.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "verifier_id": self.verifier_id,
            "credentials": self.credentials.iter().map(|c| serde_json::json!({
                "issuer_key_id": c.key_id.to_string(),
                "schema_id": c.schema_id,
                "disclosed": c.disclosed.iter()
                    .map(|(n, v)| (n.clone(), v.to_json()))
                    .collect::<serde_json::Map<_, _>>(),
            })).collect::<Vec<_>>(),
        });
        if let Some(nym) = self.pseudonym {
            v["pseudonym"] = serde_json::Value::String(nym.to_string());
        }
        v
    }
}

/// A platform's verifier: the issuer keys it trusts, validated and prepared once.
#[derive(Debug, Clone, Default)]
pub struct Verifier {
    issuers: BTreeMap<KeyId, IssuerPublicKey>,
    registries: BTreeMap<KeyId, TrustedRegistry>,
    range_params: BTreeMap<KeyId, RangeParams>,
    keyed_range: BTreeMap<KeyId, std::sync::Arc<KeyedRangeVerifier>>,
}

/// A range proof as the library's type, of either kind.
enum ClsProof {
    Public(smc_range_proof::prelude::CLSRangeProof<Bls12_381>),
    Keyed(smc_range_proof::prelude::CLSRangeProofWithKV<G1Affine>),
}

/// How one range proof is verified.
#[derive(Clone, Copy)]
enum RangeCheck<'a> {
    Public(&'a RangeParams),
    Keyed(&'a KeyedRangeVerifier),
}

impl<'a> RangeCheck<'a> {
    fn params(&self) -> &'a RangeParams {
        match self {
            Self::Public(p) => p,
            Self::Keyed(k) => k.public_params(),
        }
    }
}

/// A revocation registry the verifier trusts and the accumulator values of the epochs it knows.
#[derive(Debug, Clone)]
struct TrustedRegistry {
    key: RegistryPublicKey,
    epochs: BTreeMap<u64, G1Affine>,
}

impl Verifier {
    /// A verifier trusting `keys`.
    #[must_use]
    pub fn new(keys: impl IntoIterator<Item = IssuerPublicKey>) -> Self {
        Self {
            issuers: keys.into_iter().map(|k| (k.key_id(), k)).collect(),
            registries: BTreeMap::new(),
            range_params: BTreeMap::new(),
            keyed_range: BTreeMap::new(),
        }
    }

    /// Build now, and larger, the generator tables every trusted key's schema otherwise gets
    /// at its first verification (spec/06-verification.md §Precomputation: window 14, 8 192
    /// points or 0.85 MiB per generator instead of window 10 and 53 KiB, a few milliseconds per
    /// generator, shared with every clone of the key): no request pays for them and each
    /// verification is cheaper. Results are identical either way. For long-running verifiers;
    /// a schema already verified with keeps its tables.
    #[must_use]
    pub fn precompute(self) -> Self {
        for pk in self.issuers.values() {
            pk.schema().wnaf_tables(crate::pairing::PRECOMPUTED_W);
        }
        self
    }

    /// Accept range proofs made with public parameters (checked by [`RangeParams::from_json`]).
    #[must_use]
    pub fn with_range_params(mut self, params: RangeParams) -> Self {
        self.range_params.insert(params.id(), params);
        self
    }

    /// Accept range proofs made with this platform's keyed parameters, verified with its key.
    #[must_use]
    pub fn with_keyed_range_verifier(mut self, keyed: KeyedRangeVerifier) -> Self {
        self.keyed_range
            .insert(keyed.public_params().id(), std::sync::Arc::new(keyed));
        self
    }

    fn range_check(&self, id: KeyId) -> Option<RangeCheck<'_>> {
        if let Some(k) = self.keyed_range.get(&id) {
            return Some(RangeCheck::Keyed(k));
        }
        self.range_params
            .get(&id)
            .filter(|p| p.kind() == RangeKind::Public)
            .map(RangeCheck::Public)
    }

    /// Trust a revocation registry (its key obtained on an authenticated channel).
    #[must_use]
    pub fn with_registry(mut self, key: RegistryPublicKey) -> Self {
        self.registries.insert(
            key.id(),
            TrustedRegistry {
                key,
                epochs: BTreeMap::new(),
            },
        );
        self
    }

    /// Learn an epoch's accumulator value from the registry's public log. Entries must come
    /// from the authority over an authenticated channel (they are not signed); a second,
    /// different value for a known epoch is refused (REV-011).
    ///
    /// # Errors
    /// [`RevocationError::WrongRegistry`] when the registry is not trusted,
    /// [`RevocationError::ConflictingEpoch`] when the epoch is known with another value.
    pub fn add_epoch(&mut self, entry: &EpochEntry) -> Result<(), RevocationError> {
        let reg = self
            .registries
            .get_mut(&entry.registry())
            .ok_or(RevocationError::WrongRegistry)?;
        // REV-011: an epoch's value never changes once known.
        match reg.epochs.get(&entry.epoch()) {
            Some(v) if v != entry.accumulator() => {
                Err(RevocationError::ConflictingEpoch(entry.epoch()))
            }
            Some(_) => Ok(()),
            None => {
                reg.epochs.insert(entry.epoch(), *entry.accumulator());
                Ok(())
            }
        }
    }

    /// Stage 2: verify a parsed presentation against the request it answers, at time `now`
    /// (Unix seconds). Checks VER-003..VER-022 (spec/06-verification.md).
    ///
    /// # Errors
    /// [`VerifyError::RequestExpired`] for VER-004; [`VerifyError::InvalidPresentation`] for
    /// every other failure (opaque; the rule is logged at debug level, target `netnym::verify`).
    pub fn verify(
        &self,
        request: &PresentationRequest,
        presentation: &ParsedPresentation,
        now: u64,
    ) -> Result<VerifiedPresentation, VerifyError> {
        self.check(request, presentation, now).map_err(opaque)
    }

    /// Parse and verify in one call.
    ///
    /// # Errors
    /// [`VerifyError::Malformed`] for undecodable input, otherwise as [`Verifier::verify`].
    pub fn verify_json(
        &self,
        request: &PresentationRequest,
        bytes: &[u8],
        now: u64,
    ) -> Result<VerifiedPresentation, VerifyError> {
        let parsed = ParsedPresentation::from_json(bytes)?;
        self.verify(request, &parsed, now)
    }

    /// The checks, with the failed rule for logs and tests.
    pub(crate) fn check(
        &self,
        request: &PresentationRequest,
        presentation: &ParsedPresentation,
        now: u64,
    ) -> Result<VerifiedPresentation, Rejection> {
        let mut batch = PairingBatch::new(true);
        let mut items = Vec::new();
        let fast = self.check_into(request, presentation, now, &mut batch, &mut items);
        drop(items);
        let failed = match fast {
            Ok(out) if batch.verify() => return Ok(out),
            Ok(_) => Rejection::new("VER-011", "batch failed"),
            // Structural rules are decided identically on both paths.
            Err(r) if !CRYPTO_RULES.contains(&r.rule) => return Err(r),
            Err(r) => r,
        };
        // A cryptographic check failed: the step-by-step path names the first failing
        // relation in spec order, for the debug log and tests.
        Err(self
            .check_stepwise(request, presentation, now, false)
            .err()
            .unwrap_or(failed))
    }

    /// Every check one at a time, in spec order: the Schnorr relations with the libraries'
    /// checks, then the pairing equations one by one (BBS+ with a two-pairing product, or with
    /// `bbs_plus`'s complete verifier when `reference`).
    fn check_stepwise(
        &self,
        request: &PresentationRequest,
        presentation: &ParsedPresentation,
        now: u64,
        reference: bool,
    ) -> Result<VerifiedPresentation, Rejection> {
        let mut batch = PairingBatch::new(false);
        let mut items = Vec::new();
        let out = self.check_into(request, presentation, now, &mut batch, &mut items)?;
        drop(batch);
        match blame_pairing(&items, reference) {
            Some(r) => Err(r),
            None => Ok(out),
        }
    }

    /// The straightforward verifier: the same checks as [`Verifier::verify`], with every
    /// pairing equation checked on its own by the libraries' own verifiers (`bbs_plus`'s
    /// complete proof verification, `vb_accumulator`'s and `smc_range_proof`'s) instead of one
    /// batch. Slower; it exists to test the fast path against (spec/06-verification.md
    /// §Reference verifier) and must always agree with it.
    ///
    /// # Errors
    /// As [`Verifier::verify`].
    pub fn verify_reference(
        &self,
        request: &PresentationRequest,
        presentation: &ParsedPresentation,
        now: u64,
    ) -> Result<VerifiedPresentation, VerifyError> {
        self.check_stepwise(request, presentation, now, true)
            .map_err(opaque)
    }

    /// Verify many presentations, each against its own request, at time `now`, with every
    /// pairing equation of the whole batch checked at once (spec/06-verification.md §Batch
    /// verification). The result says, per presentation, whether it verified; when the
    /// combined pairing check fails, each presentation whose other checks passed is verified on
    /// its own to find which ones are invalid.
    #[must_use]
    pub fn verify_batch(
        &self,
        items: &[(&PresentationRequest, &ParsedPresentation)],
        now: u64,
    ) -> Vec<Result<VerifiedPresentation, VerifyError>> {
        let mut batch = PairingBatch::new(true);
        let mut pairing_items = Vec::new();
        let mut out: Vec<Result<VerifiedPresentation, Rejection>> = items
            .iter()
            .map(|(req, p)| self.check_into(req, p, now, &mut batch, &mut pairing_items))
            .collect();
        drop(pairing_items);
        if !batch.verify() {
            for (slot, (req, p)) in out.iter_mut().zip(items) {
                if slot.is_ok() {
                    *slot = self.check(req, p, now);
                }
            }
        }
        out.into_iter().map(|r| r.map_err(opaque)).collect()
    }

    /// Every check of [`Verifier::check`] except the final pairing check, whose equations go
    /// into `batch`.
    fn check_into<'a>(
        &'a self,
        request: &PresentationRequest,
        presentation: &ParsedPresentation,
        now: u64,
        batch: &mut PairingBatch<'a>,
        items: &mut Vec<PairingItem<'a>>,
    ) -> Result<VerifiedPresentation, Rejection> {
        let p = &presentation.0;
        // VER-003
        if p.nonce != request.nonce() {
            return Err(Rejection::new(
                "VER-003",
                "nonce does not match the request",
            ));
        }
        // VER-004
        if now > request.expires_at() || now.saturating_add(CLOCK_SKEW) < request.created_at() {
            return Err(Rejection::new("VER-004", "request not valid at this time"));
        }
        // VER-005
        let queries = request.credentials();
        if p.credentials.len() != queries.len() {
            return Err(Rejection::new(
                "VER-005",
                format!(
                    "{} credentials for {} queries",
                    p.credentials.len(),
                    queries.len()
                ),
            ));
        }
        // VER-013: a pseudonym exactly when asked for.
        if p.pseudonym.is_some() != request.pseudonym() {
            return Err(Rejection::new(
                "VER-013",
                "pseudonym presence differs from the request",
            ));
        }
        let mut tr = new_transcript(request, queries.len());
        let mut checks = Vec::with_capacity(queries.len());
        let mut verified = Vec::with_capacity(queries.len());
        for (i, (query, c)) in queries.iter().zip(&p.credentials).enumerate() {
            // VER-006
            if !query.issuer_key_ids().contains(&c.key_id) {
                return Err(Rejection::new(
                    "VER-006",
                    format!("credential {i}: key not accepted"),
                ));
            }
            let pk = self.issuers.get(&c.key_id).ok_or_else(|| {
                Rejection::new(
                    "VER-006",
                    format!("credential {i}: key unknown to verifier"),
                )
            })?;
            let schema = pk.schema();
            if schema.id() != query.schema_id() || c.schema_id != schema.id() {
                return Err(Rejection::new(
                    "VER-006",
                    format!("credential {i}: schema mismatch"),
                ));
            }
            // VER-007: exactly the requested attributes, none of them the holder secret.
            let wanted = disclosed_indices(schema, query.disclose()).map_err(|n| {
                Rejection::new(
                    "VER-007",
                    format!("credential {i}: {n:?} cannot be disclosed"),
                )
            })?;
            let mut revealed = BTreeMap::new();
            let mut disclosed = Vec::with_capacity(wanted.len());
            for (name, json) in &c.disclosed.0 {
                let idx = schema
                    .index_of(name)
                    .filter(|ix| wanted.contains(ix))
                    .ok_or_else(|| {
                        Rejection::new("VER-007", format!("credential {i}: {name:?} not requested"))
                    })?;
                // VER-008
                let value = AttributeValue::from_json(&schema.attributes()[idx], json)
                    .map_err(|e| Rejection::new("VER-008", format!("credential {i}: {e}")))?;
                revealed.insert(idx, value.to_scalar());
                disclosed.push((idx, name.clone(), value));
            }
            if revealed.len() != wanted.len() {
                return Err(Rejection::new(
                    "VER-007",
                    format!("credential {i}: requested attribute missing"),
                ));
            }
            // VER-012: the verifier lowers the predicates itself.
            let bounds = query_bounds(schema, query, request)
                .map_err(|e| Rejection::new("VER-012", format!("credential {i}: {e}")))?;
            // VER-009: the link secret's response is omitted from all but the first credential.
            let ls_index = schema.holder_secret_index();
            let total = schema.len() - revealed.len() + 2;
            let skipped_msgs: BTreeSet<usize> = if i == 0 {
                BTreeSet::new()
            } else {
                BTreeSet::from([ls_index])
            };
            let skipped: BTreeSet<usize> = skipped_msgs
                .iter()
                .map(|&m| witness_position(m, &revealed))
                .collect();
            let proof = c.proof.to_proof(total, &skipped).ok_or_else(|| {
                Rejection::new(
                    "VER-009",
                    format!(
                        "credential {i}: {} responses, expected {}",
                        c.proof.responses.len(),
                        total - skipped.len()
                    ),
                )
            })?;
            let mut contribution = Vec::new();
            proof
                .challenge_contribution(&revealed, schema.params(), &mut contribution)
                .map_err(|e| Rejection::new("VER-010", format!("contribution: {e:?}")))?;
            append_statement(&mut tr, pk, &revealed, &bounds, &contribution);
            let ranges =
                self.range_statement(&mut tr, i, request, c, &bounds, !batch.deferred())?;
            let membership = self.membership_statement(&mut tr, i, query, c, schema, &wanted)?;
            disclosed.sort_by_key(|(idx, _, _)| *idx);
            verified.push(VerifiedCredential {
                key_id: c.key_id,
                schema_id: schema.id().to_owned(),
                disclosed: disclosed.into_iter().map(|(_, n, v)| (n, v)).collect(),
            });
            checks.push((
                pk,
                revealed,
                proof,
                skipped_msgs,
                ls_index,
                ranges,
                membership,
            ));
        }
        let nym_base = p.pseudonym.map(|nym| {
            let base = scope_base(request.verifier_id());
            append_pseudonym(&mut tr, &base, &nym.nym, &nym.t);
            base
        });
        let challenge = tr.challenge(CHALLENGE_DST);
        // Every pairing equation (signatures, membership, range digits) goes into `batch`,
        // weighted at random after the challenge fixed every paired element (VER-011,
        // VER-019, VER-022; spec/06-verification.md §Pairing batch).
        batch.absorb(&challenge, &p.proof_digest());
        // The link secret's response, from the first credential's proof.
        let mut ls_response = None;
        for (i, (pk, revealed, proof, skipped, ls_index, ranges, membership)) in
            checks.into_iter().enumerate()
        {
            let params = pk.schema().params();
            let missing = match ls_response {
                Some(r) if !skipped.is_empty() => Some(BTreeMap::from([(ls_index, r)])),
                _ => None,
            };
            // The second Schnorr proof's responses in witness order, the omitted link-secret
            // response (credentials after the first) filled in from the first (VER-014).
            let z2 = full_responses(&proof, missing.as_ref(), &revealed)
                .ok_or_else(|| Rejection::new("VER-010", format!("credential {i}: responses")))?;
            // VER-010: both Schnorr proofs under the recomputed challenge.
            if batch.deferred() {
                let tables = pk.schema().wnaf_tables(crate::pairing::LAZY_W);
                defer_bbs(batch, &proof, params, tables, &revealed, &z2, &challenge);
            } else {
                proof
                    .verify_schnorr_proofs(
                        &revealed,
                        &challenge,
                        params.g1,
                        params.h_0,
                        params.h.clone(),
                        missing.clone(),
                    )
                    .map_err(|e| Rejection::new("VER-010", format!("credential {i}: {e:?}")))?;
            }
            let resp_of = |m: usize| z2[witness_position(m, &revealed)];
            if i == 0 {
                ls_response = Some(resp_of(ls_index));
            }
            // VER-019: membership of the same hidden revocation id (its response is the BBS+
            // proof's), in the epoch's accumulator.
            if let Some((r_index, reg, value, mproof)) = membership {
                let resp = &resp_of(r_index);
                if batch.deferred() {
                    // `V·z1 − A'·z_y − Ā·c − t = 0`.
                    let partial = mproof.0.sc_partial.as_ref().ok_or_else(|| {
                        Rejection::new("VER-019", format!("credential {i}: encoding"))
                    })?;
                    let w = batch.weight();
                    batch.point(value, w * partial.response1);
                    batch.point(mproof.0.A_prime, -(w * resp));
                    batch.point(mproof.0.A_bar, -(w * challenge));
                    batch.neg_point(partial.t, w);
                } else {
                    mproof
                        .0
                        .verify_partial_except_pairings(resp, &challenge, &value)
                        .map_err(|e| Rejection::new("VER-019", format!("credential {i}: {e:?}")))?;
                }
                let (ppk, pparams) = reg.key.prepared();
                batch.add(mproof.0.A_prime, &ppk.0, mproof.0.A_bar, &pparams.P_tilde);
                // Kept only on the step-by-step path, which re-checks equations one by one.
                if !batch.deferred() {
                    items.push(PairingItem::Membership(
                        i, reg, value, *resp, mproof, challenge,
                    ));
                }
            }
            // VER-021, VER-022: each range proof's opening shares the attribute's BBS+
            // response; the CLS proof holds for the verifier's own bounds.
            let ck = commitment_key();
            for (b, parts, mode, cls) in ranges {
                let resp = &resp_of(b.index);
                if batch.deferred() {
                    // `g·z_m + h·z_r − C·c − t = 0`.
                    let w = batch.weight();
                    let [tg, th] = commitment_key_tables();
                    batch.fixed_with(&ck.g, Some(tg), w * resp);
                    batch.fixed_with(&ck.h, Some(th), w * parts.z_r);
                    batch.point(parts.C, -(w * challenge));
                    batch.neg_point(parts.t, w);
                } else {
                    let opening = Partial2PokPedersenCommitment {
                        t: parts.t,
                        response2: parts.z_r,
                    };
                    if !opening.verify(&parts.C, &ck.g, &ck.h, &challenge, resp) {
                        return Err(Rejection::new(
                            "VER-021",
                            format!("credential {i}: range opening for attribute {}", b.index),
                        ));
                    }
                }
                let max = b.max.saturating_add(1);
                let bad = |e| Rejection::new("VER-022", format!("credential {i}: {e:?}"));
                match (mode, cls) {
                    // The fast path: the library's checks as weighted relations in the batch.
                    (RangeCheck::Public(params), None) if batch.deferred() => {
                        let rel = parts
                            .sum_relation(params.base(), b.min, max, &challenge)
                            .ok_or_else(|| bad("digit sum".to_owned()))?;
                        let w = batch.weight();
                        let [tg, th] = commitment_key_tables();
                        batch.point(parts.C, w * rel.c);
                        batch.fixed_with(&ck.g, Some(tg), w * rel.g);
                        batch.fixed_with(&ck.h, Some(th), w * rel.h);
                        batch.neg_point(parts.D, w);
                        let g1 = params.prepared().bb_sig_params.g1;
                        let digits: Vec<_> = parts
                            .digits
                            .iter()
                            .map(|d| (d.A_prime, d.A_bar, d.t, d.r1, d.r2))
                            .collect();
                        if !batch.digits(
                            &g1,
                            &challenge,
                            &digits,
                            params.prepared_pk(),
                            &params.prepared().bb_sig_params.g2_prepared,
                        ) {
                            return Err(bad("digits".to_owned()));
                        }
                    }
                    (RangeCheck::Public(params), Some(ClsProof::Public(cls))) => {
                        cls.verify_except_pairings(
                            &parts.C,
                            &challenge,
                            b.min,
                            max,
                            ck,
                            params.prepared(),
                        )
                        .map_err(|e| bad(format!("{e:?}")))?;
                        // The library's object exists on the reference path only (the fast
                        // path takes the arm above), so each digit is checked on its own.
                        let g1 = params.prepared().bb_sig_params.g1;
                        for d in &cls.pok_sigs {
                            d.verify_except_pairings(&challenge, &g1)
                                .map_err(|e| bad(format!("{e:?}")))?;
                        }
                        for d in &cls.pok_sigs {
                            batch.add(
                                d.A_prime,
                                params.prepared_pk(),
                                d.A_bar,
                                &params.prepared().bb_sig_params.g2_prepared,
                            );
                        }
                        if !batch.deferred() {
                            items.push(PairingItem::Range(i, b, params, parts, cls, challenge));
                        }
                    }
                    (RangeCheck::Keyed(k), Some(ClsProof::Keyed(cls))) => {
                        cls.verify(
                            &parts.C,
                            &challenge,
                            b.min,
                            max,
                            ck,
                            k.public_params().kv(),
                            k.secret(),
                        )
                        .map_err(|e| bad(format!("{e:?}")))?;
                    }
                    _ => return Err(bad("range proof kind".to_owned())),
                }
            }
            // VER-011: e(A', w) == e(Ā, g2).
            batch.add(
                proof.A_prime,
                &pk.prepared().0,
                proof.A_bar,
                pk.g2_prepared(),
            );
            if !batch.deferred() {
                items.push(PairingItem::Signature(Box::new(SignatureItem {
                    i,
                    pk,
                    revealed,
                    missing: ls_response
                        .filter(|_| !skipped.is_empty())
                        .map(|r| BTreeMap::from([(ls_index, r)])),
                    proof,
                    challenge,
                })));
            }
        }
        // VER-015: the pseudonym opens with the link secret's response.
        let pseudonym = match (p.pseudonym, nym_base, ls_response) {
            (Some(nym), Some(base), Some(resp)) => {
                if batch.deferred() {
                    // `H(scope)·z_ls − nym·c − t = 0`.
                    let w = batch.weight();
                    batch.point(base, w * resp);
                    batch.point(nym.nym, -(w * challenge));
                    batch.neg_point(nym.t, w);
                } else {
                    let proof = PartialPokDiscreteLog { t: nym.t };
                    if !proof.verify(&nym.nym, &base, &challenge, &resp) {
                        return Err(Rejection::new("VER-015", "pseudonym proof"));
                    }
                }
                Some(Pseudonym(nym.nym))
            }
            _ => None,
        };
        Ok(VerifiedPresentation {
            verifier_id: request.verifier_id().to_owned(),
            credentials: verified,
            pseudonym,
        })
    }
}

/// Rules decided by proof relations, whose order differs between the batched and the
/// step-by-step paths.
const CRYPTO_RULES: [&str; 6] = [
    "VER-010", "VER-011", "VER-015", "VER-019", "VER-021", "VER-022",
];

/// The second Schnorr proof's responses in witness order (hidden messages by index, then `d`,
/// then `h_0`), with `missing` (by message index) inserted where the proof omitted them.
fn full_responses(
    proof: &PoKOfSignatureG1Proof<Bls12_381>,
    missing: Option<&BTreeMap<usize, Fr>>,
    revealed: &BTreeMap<usize, Fr>,
) -> Option<Vec<Fr>> {
    match (&proof.sc_resp_2, &proof.sc_partial_resp_2, missing) {
        (Some(full), _, None) => Some(full.0.clone()),
        (None, Some(partial), Some(missing)) => {
            let mut all = partial.responses.clone();
            for (m, r) in missing {
                if all.insert(witness_position(*m, revealed), *r).is_some() {
                    return None;
                }
            }
            let n = partial.total_responses;
            (all.len() == n && all.keys().copied().eq(0..n)).then(|| all.into_values().collect())
        }
        _ => None,
    }
}

/// Defer both BBS+ Schnorr relations into the batch (spec/06-verification.md §Pairing batch):
/// `A'·z1 + h_0·z2 − (Ā − d)·c − T1 = 0` and
/// `Σ_hidden h_j·z_j + d·z_d + h_0·z_h0 + (g1 + Σ_revealed h_i·m_i)·c − T2 = 0`.
fn defer_bbs<'a>(
    batch: &mut PairingBatch<'a>,
    proof: &PoKOfSignatureG1Proof<Bls12_381>,
    params: &bbs_plus::setup::SignatureParamsG1<Bls12_381>,
    tables: &'a GeneratorWnaf,
    revealed: &BTreeMap<usize, Fr>,
    z: &[Fr],
    c: &Fr,
) {
    let (w1, w2) = (batch.weight(), batch.weight());
    let n = z.len();
    let (z_d, z_h0) = (z[n - 2], z[n - 1]);
    batch.point(proof.A_prime, w1 * proof.sc_resp_1.response1);
    batch.fixed_with(
        &params.h_0,
        Some(&tables.h_0),
        w1 * proof.sc_resp_1.response2 + w2 * z_h0,
    );
    batch.point(proof.A_bar, -(w1 * c));
    batch.point(proof.d, w1 * c + w2 * z_d);
    batch.neg_point(proof.sc_resp_1.t, w1);
    batch.neg_point(proof.T2, w2);
    batch.fixed_with(&params.g1, Some(&tables.g1), w2 * c);
    let mut k = 0;
    for (j, h) in params.h.iter().enumerate() {
        let table = tables.h.get(j);
        if let Some(m) = revealed.get(&j) {
            batch.fixed_with(h, table, w2 * c * m);
        } else {
            batch.fixed_with(h, table, w2 * z[k]);
            k += 1;
        }
    }
}

/// The caller's view of a rejection: opaque except for an expired request; the rule goes to
/// the debug log.
fn opaque(r: Rejection) -> VerifyError {
    log::debug!(target: "netnym::verify", "rejected by {}: {}", r.rule, r.detail);
    if r.rule == "VER-004" {
        VerifyError::RequestExpired
    } else {
        VerifyError::InvalidPresentation
    }
}

/// A BBS+ proof whose pairing equation is in the batch, with what `bbs_plus`'s own verifier
/// needs to re-check it.
struct SignatureItem<'a> {
    i: usize,
    pk: &'a IssuerPublicKey,
    revealed: BTreeMap<usize, Fr>,
    missing: Option<BTreeMap<usize, Fr>>,
    proof: PoKOfSignatureG1Proof<Bls12_381>,
    challenge: Fr,
}

impl SignatureItem<'_> {
    /// `bbs_plus`'s own complete verification (Schnorr proofs and pairing).
    fn verify_with_bbs_plus(&self) -> bool {
        let pk = self.pk.prepared().clone();
        let params = self.pk.schema().params().clone();
        match &self.missing {
            None => self
                .proof
                .verify(&self.revealed, &self.challenge, pk, params)
                .is_ok(),
            Some(m) => self
                .proof
                .verify_partial(&self.revealed, &self.challenge, pk, params, m.clone())
                .is_ok(),
        }
    }
}

/// A pairing equation of the batch, kept to find the failing one when the batch fails.
enum PairingItem<'a> {
    Signature(Box<SignatureItem<'a>>),
    Membership(
        usize,
        &'a TrustedRegistry,
        G1Affine,
        Fr,
        MembershipProof<Bls12_381>,
        Fr,
    ),
    Range(
        usize,
        Bound,
        &'a RangeParams,
        RangeParts,
        smc_range_proof::prelude::CLSRangeProof<Bls12_381>,
        Fr,
    ),
}

/// Re-check a presentation's pairing equations one by one, the membership and range proofs
/// with the libraries' own verifiers, the BBS+ proofs with a direct two-pairing check or, when
/// `reference`, with `bbs_plus`'s own complete verifier; the first failing one names the rule.
fn blame_pairing(items: &[PairingItem<'_>], reference: bool) -> Option<Rejection> {
    let ck = commitment_key();
    for item in items {
        match item {
            PairingItem::Signature(s) => {
                let ok = if reference {
                    s.verify_with_bbs_plus()
                } else {
                    pairing_check(s.pk, &s.proof.A_prime, &s.proof.A_bar)
                };
                if !ok {
                    return Some(Rejection::new(
                        "VER-011",
                        format!("credential {}: pairing", s.i),
                    ));
                }
            }
            PairingItem::Membership(i, reg, value, resp, proof, challenge) => {
                let (ppk, pparams) = reg.key.prepared();
                if proof
                    .verify_partial(resp, value, challenge, ppk.clone(), pparams.clone())
                    .is_err()
                {
                    return Some(Rejection::new(
                        "VER-019",
                        format!("credential {i}: pairing"),
                    ));
                }
            }
            PairingItem::Range(i, b, params, parts, cls, challenge) => {
                if cls
                    .verify(
                        &parts.C,
                        challenge,
                        b.min,
                        b.max.saturating_add(1),
                        ck,
                        params.prepared().clone(),
                    )
                    .is_err()
                {
                    return Some(Rejection::new(
                        "VER-022",
                        format!("credential {i}: digit pairing for attribute {}", b.index),
                    ));
                }
            }
        }
    }
    None
}

impl Verifier {
    /// VER-020 for one credential: range proofs exactly for the verifier's own bounds, with
    /// parameters the request names and the verifier accepts, each with the digit count its
    /// bound implies; appends their commitments to the transcript.
    #[allow(clippy::type_complexity)]
    fn range_statement<'a>(
        &'a self,
        tr: &mut Transcript,
        i: usize,
        request: &PresentationRequest,
        c: &PresentedCredential,
        bounds: &[Bound],
        library: bool,
    ) -> Result<Vec<(Bound, RangeParts, RangeCheck<'a>, Option<ClsProof>)>, Rejection> {
        let bad = |d: String| Rejection::new("VER-020", format!("credential {i}: {d}"));
        if bounds.is_empty() {
            if !c.ranges.is_empty() {
                return Err(bad("range proofs nobody asked for".to_owned()));
            }
            return Ok(Vec::new());
        }
        let id = request
            .range_params()
            .ok_or_else(|| bad("request names no range parameters".to_owned()))?;
        let mode = self
            .range_check(id)
            .ok_or_else(|| bad("range parameters not accepted".to_owned()))?;
        if c.ranges.len() != bounds.len() {
            return Err(bad(format!(
                "{} range proofs for {} bounds",
                c.ranges.len(),
                bounds.len()
            )));
        }
        let ck = commitment_key();
        let mut out = Vec::with_capacity(bounds.len());
        // Looked up once per credential, by reference (the parameters hold a prepared G2
        // point and every digit signature).
        let params = mode.params();
        append_range_params(tr, params);
        let base = params.base();
        for (b, parts) in bounds.iter().zip(&c.ranges) {
            if parts.digits.len() != digit_count(base, b.min, b.max) {
                return Err(bad(format!("wrong digit count for attribute {}", b.index)));
            }
            let mut contribution = g1_bytes(&parts.C).to_vec();
            // The library's proof object is built once here and reused by the checks, on the
            // reference path and for keyed parameters; the fast path with public parameters
            // works from the decoded parts.
            let cls = match &mode {
                RangeCheck::Public(p) if !library => {
                    parts.cls_contribution(&p.params().bb_sig_params.g1, &mut contribution);
                    None
                }
                RangeCheck::Public(p) => {
                    let cls = parts
                        .cls_proof(base)
                        .ok_or_else(|| bad("encoding".to_owned()))?;
                    cls.challenge_contribution(&parts.C, ck, p.params(), &mut contribution)
                        .map_err(|e| bad(format!("{e:?}")))?;
                    Some(ClsProof::Public(cls))
                }
                RangeCheck::Keyed(k) => {
                    let cls = parts
                        .kv_proof(base)
                        .ok_or_else(|| bad("encoding".to_owned()))?;
                    cls.challenge_contribution(
                        &parts.C,
                        ck,
                        k.public_params().kv(),
                        &mut contribution,
                    )
                    .map_err(|e| bad(format!("{e:?}")))?;
                    Some(ClsProof::Keyed(cls))
                }
            };
            PokPedersenCommitmentProtocol::compute_challenge_contribution(
                &ck.g,
                &ck.h,
                &parts.C,
                &parts.t,
                &mut contribution,
            )
            .map_err(|e| bad(format!("{e:?}")))?;
            tr.append(b"range", &contribution);
            out.push((*b, parts.clone(), mode, cls));
        }
        Ok(out)
    }

    /// VER-016..VER-018 for one credential: the non-revocation proof is present exactly when
    /// asked for, on a hidden uint attribute, at an accepted epoch of a trusted registry whose
    /// value the verifier knows; appends its statement to the transcript.
    #[allow(clippy::type_complexity)]
    fn membership_statement<'a>(
        &'a self,
        tr: &mut Transcript,
        i: usize,
        query: &CredentialQuery,
        c: &PresentedCredential,
        schema: &Schema,
        disclosed: &BTreeSet<usize>,
    ) -> Result<
        Option<(
            usize,
            &'a TrustedRegistry,
            G1Affine,
            MembershipProof<Bls12_381>,
        )>,
        Rejection,
    > {
        match (query.non_revoked(), &c.non_revoked) {
            (None, None) => Ok(None),
            (Some(nr), Some(m)) => {
                let r_index = revocation_index(schema, nr, disclosed)
                    .map_err(|e| Rejection::new("VER-016", format!("credential {i}: {e}")))?;
                if !(nr.min_epoch..=nr.max_epoch).contains(&m.epoch) {
                    return Err(Rejection::new(
                        "VER-017",
                        format!(
                            "credential {i}: epoch {} outside {}..={}",
                            m.epoch, nr.min_epoch, nr.max_epoch
                        ),
                    ));
                }
                let reg = self.registries.get(&nr.registry_id).ok_or_else(|| {
                    Rejection::new("VER-018", format!("credential {i}: registry not trusted"))
                })?;
                let value = *reg.epochs.get(&m.epoch).ok_or_else(|| {
                    Rejection::new(
                        "VER-018",
                        format!("credential {i}: epoch {} unknown", m.epoch),
                    )
                })?;
                let proof = m.to_proof().ok_or_else(|| {
                    Rejection::new("VER-019", format!("credential {i}: encoding"))
                })?;
                let mut contribution = Vec::new();
                proof
                    .challenge_contribution(&value, &mut contribution)
                    .map_err(|e| Rejection::new("VER-019", format!("contribution: {e:?}")))?;
                append_membership(tr, &nr.registry_id, m.epoch, &contribution);
                Ok(Some((r_index, reg, value, proof)))
            }
            _ => Err(Rejection::new(
                "VER-016",
                format!("credential {i}: non-revocation proof presence differs from the request"),
            )),
        }
    }
}

fn pairing_check(pk: &IssuerPublicKey, A_prime: &G1Affine, A_bar: &G1Affine) -> bool {
    use ark_ec::pairing::Pairing;
    use ark_ec::AffineRepr;
    use ark_ff::Zero;
    Bls12_381::multi_pairing(
        [
            <Bls12_381 as Pairing>::G1Prepared::from(*A_prime),
            <Bls12_381 as Pairing>::G1Prepared::from(G1Affine::from(-A_bar.into_group())),
        ],
        [pk.prepared().0.clone(), pk.g2_prepared().clone()],
    )
    // PairingOutput is written additively: `is_zero` means the product is 1 in GT.
    .is_zero()
}

#[cfg(test)]
pub(crate) mod tests;

#[cfg(test)]
impl Presentation {
    /// Test support: mutable access to one credential's proof and disclosed values.
    pub(crate) fn parts_mut(
        &mut self,
        i: usize,
    ) -> (
        &mut PokParts,
        &mut Vec<(String, serde_json::Value)>,
        &mut KeyId,
    ) {
        let c = &mut self.credentials[i];
        (&mut c.proof, &mut c.disclosed.0, &mut c.key_id)
    }
}
