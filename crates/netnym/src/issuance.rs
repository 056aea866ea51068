//! Blind issuance (spec/04-issuance.md).
//!
//! 1. The authority sends an [`IssuanceOffer`]: its key id and a fresh 32-byte nonce.
//! 2. The holder commits to its [`LinkSecret`] `ls` as `C = h_0*b + h_ls*ls` and proves knowledge
//!    of `(b, ls)` with a Schnorr proof whose challenge binds the key, schema, nonce, committed
//!    indices, bases and commitment ([`BlindIssuanceRequest`]).
//! 3. The authority checks the request (ISS-001..ISS-007), signs the clear attributes plus `C`
//!    ([`Issuer::issue_blind`]) and returns an [`IssuanceResponse`].
//! 4. The holder unblinds (`s = s' + b`) and verifies the signature ([`PendingIssuance::finish`]).

use std::collections::BTreeMap;

use ark_bls12_381::{Bls12_381, Fr, G1Affine};
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::UniformRand;
use bbs_plus::signature::SignatureG1;
use rand_core::{CryptoRng, RngCore};
use schnorr_pok::{SchnorrCommitment, SchnorrResponse};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::credential::{CheckedCredential, Credential, MAX_ISSUANCE_BYTES};
use crate::encoding::{
    b64, check_envelope, fr_bytes, g1_bytes, parse_json, unb64, Reader, Transcript, FR_LEN, G1_LEN,
};
use crate::error::{AttributeError, CredentialError, DecodeError, IssueError};
use crate::keys::{IssuerPublicKey, IssuerSecretKey, KeyId};
use crate::link_secret::LinkSecret;
use crate::schema::{AttributeType, Attributes, Schema};
use crate::signature::{decode_signature, encode_signature};

const OFFER_TYPE: &str = "netnym-issuance-offer";
const REQUEST_TYPE: &str = "netnym-issuance-request";
const RESPONSE_TYPE: &str = "netnym-issuance-response";
const CHALLENGE_DST: &[u8] = b"NETNYM-V1-ISSUANCE-CHALLENGE_XMD:SHA-256_";
/// Issuance nonce length in bytes.
pub const ISSUANCE_NONCE_LEN: usize = 32;

/// The authority's offer to issue: key id and a fresh nonce the request must answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuanceOffer {
    key_id: KeyId,
    nonce: [u8; ISSUANCE_NONCE_LEN],
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OfferWire {
    #[serde(rename = "type")]
    ty: String,
    version: u64,
    issuer_key_id: String,
    nonce: String,
}

impl IssuanceOffer {
    /// A new offer with a fresh random nonce.
    #[must_use]
    pub fn new(rng: &mut (impl RngCore + CryptoRng), pk: &IssuerPublicKey) -> Self {
        let mut nonce = [0u8; ISSUANCE_NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        Self {
            key_id: pk.key_id(),
            nonce,
        }
    }

    /// The key id the offer is for.
    #[must_use]
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The nonce.
    #[must_use]
    pub fn nonce(&self) -> &[u8; ISSUANCE_NONCE_LEN] {
        &self.nonce
    }

    /// JSON form.
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(&OfferWire {
            ty: OFFER_TYPE.to_owned(),
            version: crate::WIRE_VERSION,
            issuer_key_id: self.key_id.to_string(),
            nonce: b64(&self.nonce),
        })
        .unwrap_or_default()
    }

    /// Parse the JSON form.
    ///
    /// # Errors
    /// [`DecodeError`] for malformed JSON, a wrong type, version, key id or nonce length.
    pub fn from_json(bytes: &[u8]) -> Result<Self, DecodeError> {
        let w: OfferWire = parse_json(bytes, MAX_ISSUANCE_BYTES)?;
        check_envelope(OFFER_TYPE, &w.ty, w.version)?;
        Ok(Self {
            key_id: KeyId::parse(&w.issuer_key_id)?,
            nonce: nonce_from(&w.nonce)?,
        })
    }
}

fn nonce_from(text: &str) -> Result<[u8; ISSUANCE_NONCE_LEN], DecodeError> {
    let raw = unb64("nonce", text)?;
    raw.as_slice().try_into().map_err(|_| DecodeError::Length {
        field: "nonce",
        expected: ISSUANCE_NONCE_LEN,
        actual: raw.len(),
    })
}

/// A holder's request for a blind signature: commitment to its link secret and a proof of
/// knowledge of the opening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlindIssuanceRequest {
    key_id: KeyId,
    nonce: [u8; ISSUANCE_NONCE_LEN],
    committed: Vec<String>,
    commitment: G1Affine,
    t: G1Affine,
    responses: Vec<Fr>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestWire {
    #[serde(rename = "type")]
    ty: String,
    version: u64,
    issuer_key_id: String,
    nonce: String,
    committed: Vec<String>,
    commitment: String,
    proof: String,
}

/// The holder's state between sending a [`BlindIssuanceRequest`] and receiving the response.
///
/// # Security
/// Holds the commitment blinding: zeroized on drop, redacted in `Debug`.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct PendingIssuance {
    #[zeroize(skip)]
    key_id: KeyId,
    #[zeroize(skip)]
    nonce: [u8; ISSUANCE_NONCE_LEN],
    #[zeroize(skip)]
    commitment: G1Affine,
    blinding: Fr,
}

impl core::fmt::Debug for PendingIssuance {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PendingIssuance")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// The bases of the committed attributes: `h_0` then `h_i` for each committed index, ascending.
fn committed_bases(schema: &Schema, committed_indices: &[usize]) -> Vec<G1Affine> {
    let params = schema.params();
    core::iter::once(params.h_0)
        .chain(committed_indices.iter().map(|&i| params.h[i]))
        .collect()
}

fn issuance_challenge(
    pk: &IssuerPublicKey,
    nonce: &[u8],
    committed_indices: &[usize],
    bases: &[G1Affine],
    commitment: &G1Affine,
    t: &G1Affine,
) -> Fr {
    let mut tr = Transcript::new(b"NetNym-v1:issuance");
    tr.append(b"key_id", pk.key_id().as_bytes());
    tr.append(b"schema", &pk.schema().digest());
    tr.append(b"w", &pk.public_key_bytes());
    tr.append(b"nonce", nonce);
    tr.append_u64(b"committed_count", committed_indices.len() as u64);
    for &i in committed_indices {
        tr.append_u64(b"committed_index", i as u64);
    }
    for b in bases {
        tr.append_g1(b"base", b);
    }
    tr.append_g1(b"commitment", commitment);
    tr.append_g1(b"t", t);
    tr.challenge(CHALLENGE_DST)
}

impl BlindIssuanceRequest {
    /// Commit to `link_secret` and prove knowledge of the opening, answering `offer`.
    ///
    /// Returns the request to send and the state to keep until the response arrives.
    ///
    /// # Errors
    /// [`IssueError::WrongIssuerKey`] when the offer is for another key than `pk`.
    pub fn new(
        rng: &mut (impl RngCore + CryptoRng),
        pk: &IssuerPublicKey,
        offer: &IssuanceOffer,
        link_secret: &LinkSecret,
    ) -> Result<(Self, PendingIssuance), IssueError> {
        if offer.key_id != pk.key_id() {
            return Err(IssueError::WrongIssuerKey);
        }
        let schema = pk.schema();
        let ls_index = schema.holder_secret_index();
        let bases = committed_bases(schema, &[ls_index]);
        let blinding = Fr::rand(rng);
        let witnesses = Zeroizing::new(vec![blinding, *link_secret.scalar()]);
        // The holder's own values over the schema's generators (trusted data); `msm` also
        // checks the two lengths agree.
        let commitment = <Bls12_381 as ark_ec::pairing::Pairing>::G1::msm(&bases, &witnesses)
            .map_err(|_| IssueError::Internal("commitment length"))?
            .into_affine();
        let sc = SchnorrCommitment::new(&bases, vec![Fr::rand(rng), Fr::rand(rng)]);
        let c = issuance_challenge(pk, &offer.nonce, &[ls_index], &bases, &commitment, &sc.t);
        let resp = sc
            .response(&witnesses, &c)
            .map_err(|_| IssueError::Internal("schnorr response length"))?;
        let request = Self {
            key_id: pk.key_id(),
            nonce: offer.nonce,
            committed: vec![schema.attributes()[ls_index].name().to_owned()],
            commitment,
            t: sc.t,
            responses: resp.0,
        };
        let pending = PendingIssuance {
            key_id: pk.key_id(),
            nonce: offer.nonce,
            commitment,
            blinding,
        };
        Ok((request, pending))
    }

    /// JSON form.
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        let mut proof = Vec::with_capacity(G1_LEN + FR_LEN * self.responses.len());
        proof.extend_from_slice(&g1_bytes(&self.t));
        for r in &self.responses {
            proof.extend_from_slice(&fr_bytes(r));
        }
        serde_json::to_vec(&RequestWire {
            ty: REQUEST_TYPE.to_owned(),
            version: crate::WIRE_VERSION,
            issuer_key_id: self.key_id.to_string(),
            nonce: b64(&self.nonce),
            committed: self.committed.clone(),
            commitment: b64(&g1_bytes(&self.commitment)),
            proof: b64(&proof),
        })
        .unwrap_or_default()
    }

    /// Parse and structurally validate (ISS-001, ISS-005): envelope, key id, nonce length,
    /// 1..=8 committed names, commitment a valid non-identity subgroup point, proof of exactly
    /// `48 + 32 * (1 + committed)` bytes with canonical scalars.
    ///
    /// # Errors
    /// [`DecodeError`] naming the field at fault.
    pub fn from_json(bytes: &[u8]) -> Result<Self, DecodeError> {
        let w: RequestWire = parse_json(bytes, MAX_ISSUANCE_BYTES)?;
        check_envelope(REQUEST_TYPE, &w.ty, w.version)?;
        if w.committed.is_empty() || w.committed.len() > 8 {
            return Err(DecodeError::InvalidField {
                field: "committed",
                reason: format!("must name 1..=8 attributes, found {}", w.committed.len()),
            });
        }
        let commitment =
            crate::encoding::g1_from("commitment", &unb64("commitment", &w.commitment)?, false)?;
        let proof = unb64("proof", &w.proof)?;
        let n = 1 + w.committed.len();
        let mut r = Reader::new("proof", &proof, G1_LEN + FR_LEN * n)?;
        let t = r.g1(true)?;
        let responses = (0..n).map(|_| r.fr()).collect::<Result<Vec<_>, _>>()?;
        r.finish()?;
        Ok(Self {
            key_id: KeyId::parse(&w.issuer_key_id)?,
            nonce: nonce_from(&w.nonce)?,
            committed: w.committed,
            commitment,
            t,
            responses,
        })
    }

    /// Names of the attributes the request commits to.
    #[must_use]
    pub fn committed(&self) -> &[String] {
        &self.committed
    }

    /// Test and vector support: replace the committed names (to build negative cases).
    #[cfg(test)]
    pub(crate) fn with_committed(mut self, names: Vec<String>, responses: Vec<Fr>) -> Self {
        self.committed = names;
        self.responses = responses;
        self
    }

    #[cfg(any(test, feature = "test-support"))]
    pub(crate) fn parts_mut(&mut self) -> (&mut G1Affine, &mut G1Affine, &mut Vec<Fr>) {
        (&mut self.commitment, &mut self.t, &mut self.responses)
    }
}

/// The authority: a secret key and the public key it belongs to.
pub struct Issuer {
    sk: IssuerSecretKey,
    pk: IssuerPublicKey,
}

impl core::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Issuer")
            .field("pk", &self.pk)
            .finish_non_exhaustive()
    }
}

impl Issuer {
    /// An issuer for `schema` with secret key `sk`.
    #[must_use]
    pub fn new(sk: IssuerSecretKey, schema: &Schema) -> Self {
        let pk = IssuerPublicKey::from_secret(&sk, schema);
        Self { sk, pk }
    }

    /// The public key.
    #[must_use]
    pub fn public_key(&self) -> &IssuerPublicKey {
        &self.pk
    }

    /// The secret key (for encrypted storage).
    #[must_use]
    pub fn secret_key(&self) -> &IssuerSecretKey {
        &self.sk
    }

    /// Check a blind issuance request against `offer` and sign `attributes` plus the commitment.
    ///
    /// Checks, in order: ISS-002 key id, ISS-003 nonce, ISS-004 the committed set is exactly the
    /// schema's holder secret (a clear attribute in it is refused), ISS-006 the proof of
    /// knowledge over exactly the committed bases, ISS-007 the clear attributes fit the schema.
    ///
    /// # Errors
    /// [`IssueError`] naming the failed check. Nothing is signed on error.
    pub fn issue_blind(
        &self,
        rng: &mut (impl RngCore + CryptoRng),
        offer: &IssuanceOffer,
        request: &BlindIssuanceRequest,
        attributes: &Attributes,
    ) -> Result<IssuanceResponse, IssueError> {
        let schema = self.pk.schema();
        // ISS-002
        if request.key_id != self.pk.key_id() || offer.key_id != self.pk.key_id() {
            return Err(IssueError::WrongIssuerKey);
        }
        // ISS-003 (constant time: the nonce is public, but cheap to do right)
        if !bool::from(request.nonce.ct_eq(&offer.nonce)) {
            return Err(IssueError::NonceMismatch);
        }
        // ISS-004: exactly the holder-secret attribute(s), disjoint from the clear attributes.
        let mut committed_indices = Vec::with_capacity(request.committed.len());
        for name in &request.committed {
            let i = schema.index_of(name).ok_or_else(|| {
                IssueError::CommitsToUnknownAttribute(name.chars().take(66).collect())
            })?;
            if schema.attributes()[i].ty() != AttributeType::HolderSecret {
                return Err(IssueError::CommitsToClearAttribute(name.clone()));
            }
            if committed_indices.contains(&i) {
                return Err(IssueError::Malformed(DecodeError::InvalidField {
                    field: "committed",
                    reason: format!("{name:?} named twice"),
                }));
            }
            committed_indices.push(i);
        }
        let ls_index = schema.holder_secret_index();
        if committed_indices != [ls_index] {
            return Err(IssueError::MissingHolderSecretCommitment(
                schema.attributes()[ls_index].name().to_owned(),
            ));
        }
        // ISS-006: the proof is checked over exactly [h_0, h_ls].
        let bases = committed_bases(schema, &committed_indices);
        if request.responses.len() != bases.len() {
            return Err(IssueError::InvalidCommitmentProof);
        }
        let c = issuance_challenge(
            &self.pk,
            &request.nonce,
            &committed_indices,
            &bases,
            &request.commitment,
            &request.t,
        );
        SchnorrResponse::<G1Affine>(request.responses.clone())
            .is_valid(&bases, &request.commitment, &request.t, &c)
            .map_err(|_| IssueError::InvalidCommitmentProof)?;
        // ISS-007
        if attributes.schema() != schema {
            return Err(IssueError::Attributes(AttributeError::WrongType {
                name: "(attributes)".to_owned(),
                expected: "values for the issuer's schema",
            }));
        }
        let scalars: BTreeMap<usize, Fr> = attributes
            .iter_indexed()
            .map(|(i, v)| (i, v.to_scalar()))
            .collect();
        let signature = SignatureG1::<Bls12_381>::new_with_committed_messages(
            rng,
            &request.commitment,
            scalars.iter().map(|(i, m)| (*i, m)).collect(),
            &bbs_plus::setup::SecretKey(*self.sk.scalar()),
            schema.params(),
        )
        .map_err(|_| IssueError::Internal("bbs+ signing"))?;
        Ok(IssuanceResponse {
            key_id: self.pk.key_id(),
            nonce: request.nonce,
            attributes: attributes.clone(),
            signature,
        })
    }
}

/// The authority's answer: the clear attributes and the blind signature.
#[derive(Clone)]
pub struct IssuanceResponse {
    key_id: KeyId,
    nonce: [u8; ISSUANCE_NONCE_LEN],
    attributes: Attributes,
    signature: SignatureG1<Bls12_381>,
}

impl core::fmt::Debug for IssuanceResponse {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IssuanceResponse")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponseWire {
    #[serde(rename = "type")]
    ty: String,
    version: u64,
    issuer_key_id: String,
    nonce: String,
    attributes: serde_json::Value,
    signature: String,
}

impl IssuanceResponse {
    /// JSON form.
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(&ResponseWire {
            ty: RESPONSE_TYPE.to_owned(),
            version: crate::WIRE_VERSION,
            issuer_key_id: self.key_id.to_string(),
            nonce: b64(&self.nonce),
            attributes: self.attributes.to_json(),
            signature: b64(&encode_signature(&self.signature)),
        })
        .unwrap_or_default()
    }

    /// Parse against the issuer key the holder asked.
    ///
    /// # Errors
    /// [`DecodeError`] for malformed JSON, envelope, attributes or signature encoding.
    pub fn from_json(bytes: &[u8], pk: &IssuerPublicKey) -> Result<Self, DecodeError> {
        let w: ResponseWire = parse_json(bytes, MAX_ISSUANCE_BYTES)?;
        check_envelope(RESPONSE_TYPE, &w.ty, w.version)?;
        let attributes = Attributes::from_json(pk.schema(), &w.attributes)?;
        Ok(Self {
            key_id: KeyId::parse(&w.issuer_key_id)?,
            nonce: nonce_from(&w.nonce)?,
            attributes,
            signature: decode_signature(&unb64("signature", &w.signature)?)?,
        })
    }

    /// The clear attributes signed.
    #[must_use]
    pub fn attributes(&self) -> &Attributes {
        &self.attributes
    }
}

impl PendingIssuance {
    /// Unblind and verify the response (ISS-010..ISS-012), giving the holder's credential.
    ///
    /// # Errors
    /// [`CredentialError`] naming the failed check.
    pub fn finish(
        self,
        pk: &IssuerPublicKey,
        response: IssuanceResponse,
        link_secret: &LinkSecret,
    ) -> Result<Credential, CredentialError> {
        self.finish_checked(pk, response, link_secret)
            .map(CheckedCredential::into_credential)
    }

    /// [`PendingIssuance::finish`], keeping the result of its signature check (ISS-011): a
    /// [`CheckedCredential`], which presentations use without checking the signature again
    /// (spec/05-presentation.md §Checked credentials).
    ///
    /// # Errors
    /// [`CredentialError`] naming the failed check.
    pub fn finish_checked(
        self,
        pk: &IssuerPublicKey,
        response: IssuanceResponse,
        link_secret: &LinkSecret,
    ) -> Result<CheckedCredential, CredentialError> {
        // ISS-010
        if response.key_id != self.key_id || pk.key_id() != self.key_id {
            return Err(CredentialError::WrongIssuerKey);
        }
        if response.nonce != self.nonce {
            return Err(CredentialError::Malformed(DecodeError::InvalidField {
                field: "nonce",
                reason: "does not answer this request".to_owned(),
            }));
        }
        // ISS-012: the link secret is the one committed.
        let schema = pk.schema();
        let bases = committed_bases(schema, &[schema.holder_secret_index()]);
        let expected = (bases[0] * self.blinding + bases[1] * link_secret.scalar()).into_affine();
        if expected != self.commitment {
            return Err(CredentialError::LinkSecretMismatch);
        }
        let IssuanceResponse {
            attributes,
            signature,
            ..
        } = response;
        let credential =
            Credential::new(pk.key_id(), attributes, signature.unblind(&self.blinding));
        // ISS-011
        credential
            .check(pk, link_secret)
            .map_err(|_| CredentialError::InvalidSignature)
    }
}

#[cfg(test)]
mod tests;
