//! Presentations and their verification (spec/05-presentation.md, spec/06-verification.md).
//!
//! The holder proves knowledge of a BBS+ signature on each requested credential, disclosing only
//! the requested attributes. All sub-proofs share one Fiat–Shamir challenge computed over the
//! request digest, each issuer key, schema and disclosed value, and every commitment.
//!
//! Verification is staged by type: bytes → [`ParsedPresentation`] (structure and encodings
//! validated, no cryptography) → [`Verifier::verify`] → [`VerifiedPresentation`], the only type
//! that exposes disclosed values.

use crate::credential::{CheckedCredential, Credential};
use crate::encoding::{g1_bytes, StrictMap, G1_LEN};
use crate::keys::{IssuerPublicKey, KeyId};
use crate::pseudonym::Pseudonym;
use crate::range::RangeParts;
use crate::revocation::MembershipWitness;
use ark_bls12_381::G1Affine;

use wire::{MembershipParts, PokParts, MEMBERSHIP_LEN};

mod blame;
mod prepared;
mod prove;
mod statement;
mod verified;
mod verifier;
mod verify;
mod wire;

pub use prepared::PreparedCredential;
pub use verified::{VerifiedCredential, VerifiedPresentation};
pub use verifier::Verifier;

/// Largest presentation JSON accepted, in bytes.
pub const MAX_PRESENTATION_BYTES: usize = 64 * 1024;

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

/// Holdings without witnesses, from `(credential, key)` pairs.
fn holdings_of<'a>(credentials: &[(&'a Credential, &'a IssuerPublicKey)]) -> Vec<Holding<'a>> {
    credentials
        .iter()
        .map(|(c, pk)| Holding::new(c, pk))
        .collect()
}

/// One credential offered for a presentation: the credential, its issuer's public key and,
/// when the query asks for non-revocation, a membership witness for its revocation id.
///
/// How `PRE-005` treats it depends on how it was made: [`Holding::new`] checks the signature
/// with pairings on every presentation; [`Holding::from_checked`] and
/// [`PreparedCredential::holding`] compare only the link secret (the signature was checked
/// once, spec/05-presentation.md).
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
    /// Set by [`Holding::from_checked`]: the signature was checked once.
    checked: Option<&'a CheckedCredential>,
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
            checked: None,
        }
    }
    /// A checked credential without a witness: `PRE-005` compares the link secret with the
    /// one it was checked with, in constant time, instead of checking the signature again.
    #[must_use]
    pub fn from_checked(checked: &'a CheckedCredential, public_key: &'a IssuerPublicKey) -> Self {
        Self {
            checked: Some(checked),
            ..Self::new(checked.credential(), public_key)
        }
    }
    /// Attach a membership witness.
    #[must_use]
    pub fn with_witness(mut self, witness: &'a MembershipWitness) -> Self {
        self.witness = Some(witness);
        self
    }
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

impl Presentation {
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
