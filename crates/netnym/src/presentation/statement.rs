//! The public statement of a presentation and its Fiat–Shamir transcript
//! (spec/05-presentation.md §Challenge): shared by the prover and the verifier.

use crate::encoding::Transcript;
use crate::error::DecodeError;
use crate::keys::{IssuerPublicKey, KeyId};
use crate::predicate::{lower, Bound};
use crate::range::{RangeKind, RangeParams};
use crate::request::{CredentialQuery, NonRevocation, PresentationRequest};
use crate::schema::{AttributeType, Schema};
use ark_bls12_381::{Fr, G1Affine};
use std::collections::{BTreeMap, BTreeSet};

pub(super) const CHALLENGE_DST: &[u8] = b"NETNYM-V1-PRESENTATION-CHALLENGE_XMD:SHA-256_";

/// Position of message `index` among the second Schnorr proof's witnesses (the hidden
/// messages in index order, then `d` and `h_0`).
pub(super) fn witness_position(index: usize, revealed: &BTreeMap<usize, Fr>) -> usize {
    index - revealed.range(..index).count()
}

/// Append one credential's public statement and commitments to the challenge transcript.
pub(super) fn append_statement(
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
pub(super) fn append_membership(
    tr: &mut Transcript,
    registry: &KeyId,
    epoch: u64,
    contribution: &[u8],
) {
    tr.append(b"registry_id", registry.as_bytes());
    tr.append_u64(b"epoch", epoch);
    tr.append(b"membership", contribution);
}

/// The index of a query's revocation attribute: a uint attribute, not disclosed (REV-008).
pub(super) fn revocation_index(
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

pub(super) fn append_pseudonym(tr: &mut Transcript, base: &G1Affine, nym: &G1Affine, t: &G1Affine) {
    tr.append_g1(b"nym_base", base);
    tr.append_g1(b"nym", nym);
    tr.append_g1(b"nym_t", t);
}

/// The bounds of a query for `schema` (PRD rules), computed the same way by both sides.
pub(super) fn query_bounds(
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

pub(super) fn new_transcript(request: &PresentationRequest, count: usize) -> Transcript {
    let mut tr = Transcript::new(b"NetNym-v1:presentation");
    tr.append(b"request", &request.digest());
    tr.append_u64(b"credentials", count as u64);
    tr
}

/// Indices of the attributes to disclose, checked against the schema (PRE-004 / VER-007).
pub(super) fn disclosed_indices(
    schema: &Schema,
    names: &[String],
) -> Result<BTreeSet<usize>, String> {
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

pub(super) fn append_range_params(tr: &mut Transcript, params: &RangeParams) {
    tr.append(b"range_params_id", params.id().as_bytes());
    tr.append_u64(b"range_base", u64::from(params.base()));
    tr.append_u64(b"range_keyed", u64::from(params.kind() == RangeKind::Keyed));
}
