//! The holder's credential: clear attributes and a BBS+ signature over them plus the link
//! secret (spec/04-issuance.md §Credential), and its checked form ([`CheckedCredential`],
//! spec/05-presentation.md §Checked credentials).

use ark_bls12_381::Bls12_381;
use bbs_plus::signature::SignatureG1;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::encoding::{b64, check_envelope, parse_json, unb64};
use crate::error::{CredentialError, DecodeError};
use crate::keys::{IssuerPublicKey, KeyId};
use crate::link_secret::LinkSecret;
use crate::schema::Attributes;
use crate::signature::{decode_signature, encode_signature};

mod checked;

pub use checked::CheckedCredential;

const CREDENTIAL_TYPE: &str = "netnym-credential";
/// Largest issuance offer, blind issuance request, issuance response or credential accepted, in
/// bytes (spec/03-wire-format.md §Size limits, WIRE-001).
// Defined with the credential, the product of issuance: the issuance module builds credentials
// and takes the limit from here.
pub const MAX_ISSUANCE_BYTES: usize = 64 * 1024;

/// A credential held in a wallet.
///
/// # Security
/// Wallet contents: `Debug` is redacted, the signature and attributes are zeroized on drop, and
/// [`Credential::to_json`] returns a zeroizing buffer for the wallet to encrypt.
#[derive(Clone)]
pub struct Credential {
    key_id: KeyId,
    attributes: Attributes,
    signature: SignatureG1<Bls12_381>,
}

impl core::fmt::Debug for Credential {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Credential")
            .field("key_id", &self.key_id)
            .field("schema", &self.attributes.schema().id())
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialWire {
    #[serde(rename = "type")]
    ty: String,
    version: u64,
    issuer_key_id: String,
    schema_id: String,
    attributes: serde_json::Value,
    signature: String,
}

impl Drop for CredentialWire {
    fn drop(&mut self) {
        self.signature.zeroize();
    }
}

impl Credential {
    pub(crate) fn new(
        key_id: KeyId,
        attributes: Attributes,
        signature: SignatureG1<Bls12_381>,
    ) -> Self {
        Self {
            key_id,
            attributes,
            signature,
        }
    }

    /// Verify the signature over the attributes and `link_secret` under `pk`.
    ///
    /// # Errors
    /// [`CredentialError::WrongIssuerKey`] or [`CredentialError::InvalidSignature`].
    pub fn verify(
        &self,
        pk: &IssuerPublicKey,
        link_secret: &LinkSecret,
    ) -> Result<(), CredentialError> {
        if pk.key_id() != self.key_id || pk.schema() != self.attributes.schema() {
            return Err(CredentialError::WrongIssuerKey);
        }
        #[cfg(test)]
        SIGNATURE_CHECKS.with(|n| n.set(n.get() + 1));
        let messages = Zeroizing::new(self.attributes.scalars(link_secret.scalar()));
        self.signature
            .verify(
                &messages,
                pk.prepared().clone(),
                pk.schema().params().clone(),
            )
            .map_err(|_| CredentialError::InvalidSignature)
    }

    /// The issuer key id.
    #[must_use]
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The clear attributes.
    #[must_use]
    pub fn attributes(&self) -> &Attributes {
        &self.attributes
    }

    pub(crate) fn signature(&self) -> &SignatureG1<Bls12_381> {
        &self.signature
    }

    /// Serialize for the wallet, in a zeroizing buffer.
    #[must_use]
    pub fn to_json(&self) -> Zeroizing<Vec<u8>> {
        let sig = encode_signature(&self.signature);
        let wire = CredentialWire {
            ty: CREDENTIAL_TYPE.to_owned(),
            version: crate::WIRE_VERSION,
            issuer_key_id: self.key_id.to_string(),
            schema_id: self.attributes.schema().id().to_owned(),
            attributes: self.attributes.to_json(),
            signature: b64(&sig),
        };
        Zeroizing::new(serde_json::to_vec(&wire).unwrap_or_default())
    }

    /// Parse a stored credential issued under `pk` (the signature is checked later, with the
    /// link secret, by [`Credential::verify`] or [`Credential::check`]).
    ///
    /// # Errors
    /// [`DecodeError`] for malformed JSON, a wrong envelope, key, schema, attributes or signature.
    pub fn from_json(bytes: &[u8], pk: &IssuerPublicKey) -> Result<Self, DecodeError> {
        let w: CredentialWire = parse_json(bytes, MAX_ISSUANCE_BYTES)?;
        check_envelope(CREDENTIAL_TYPE, &w.ty, w.version)?;
        if KeyId::parse(&w.issuer_key_id)? != pk.key_id() || w.schema_id != pk.schema().id() {
            return Err(DecodeError::InvalidField {
                field: "issuer_key_id",
                reason: "credential is not from this issuer key".to_owned(),
            });
        }
        let attributes = Attributes::from_json(pk.schema(), &w.attributes)?;
        let raw = Zeroizing::new(unb64("signature", &w.signature)?);
        Ok(Self {
            key_id: pk.key_id(),
            attributes,
            signature: decode_signature(&raw)?,
        })
    }
}

#[cfg(test)]
thread_local! {
    /// Test support only (absent from the library): how many signature checks with pairings
    /// ([`Credential::verify`]) ran on this thread, so that tests can show which paths skip it.
    pub(crate) static SIGNATURE_CHECKS: core::cell::Cell<u64> = const { core::cell::Cell::new(0) };
}

#[cfg(test)]
mod tests;
