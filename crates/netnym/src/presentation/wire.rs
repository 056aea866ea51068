//! The presentation's wire form (spec/03-wire-format.md §Presentation): the binary parts of
//! every proof, the JSON envelope, and stage 1 of verification ([`ParsedPresentation`]).

use super::{
    ParsedPresentation, Presentation, PresentedCredential, PseudonymProof, MAX_PRESENTATION_BYTES,
};
use crate::encoding::{
    b64, check_envelope, fr_bytes, g1_bytes, g1_from, parse_json, unb64, Reader, StrictMap, FR_LEN,
    G1_LEN,
};
use crate::error::DecodeError;
use crate::keys::KeyId;
use crate::range::RangeParts;
use ark_bls12_381::{Bls12_381, Fr, G1Affine};
use bbs_plus::proof::PoKOfSignatureG1Proof;
use schnorr_pok::discrete_log::PokPedersenCommitment;
use schnorr_pok::partial::PartialSchnorrResponse;
use schnorr_pok::SchnorrResponse;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use vb_accumulator::proofs_cdh::MembershipProof;

pub(super) const PRESENTATION_TYPE: &str = "netnym-presentation";

/// Fixed part of an encoded BBS+ proof: `A'`, `Ā`, `d`, `T1`, `T2` and the two responses of
/// the first Schnorr proof.
pub(super) const POK_FIXED_LEN: usize = 5 * G1_LEN + 2 * FR_LEN;

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
pub(super) const MEMBERSHIP_LEN: usize = 3 * G1_LEN + FR_LEN;

impl MembershipParts {
    pub(super) fn from_proof(epoch: u64, p: &MembershipProof<Bls12_381>) -> Option<Self> {
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
    pub(super) fn to_proof(&self) -> Option<MembershipProof<Bls12_381>> {
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

    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MEMBERSHIP_LEN);
        for p in [&self.A_prime, &self.A_bar, &self.t] {
            out.extend_from_slice(&g1_bytes(p));
        }
        out.extend_from_slice(&fr_bytes(&self.response));
        out
    }

    /// WIRE-006..009: exactly 176 bytes; `A'` a non-identity subgroup point (the pairing
    /// argument needs it), `Ā` and `t` subgroup points, a canonical response.
    pub(super) fn decode(epoch: u64, bytes: &[u8]) -> Result<Self, DecodeError> {
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
    pub(super) fn from_proof(p: &PoKOfSignatureG1Proof<Bls12_381>) -> Self {
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
    pub(super) fn to_proof(
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

    pub(super) fn encode(&self) -> Vec<u8> {
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
    pub(super) fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
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

impl Presentation {
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
