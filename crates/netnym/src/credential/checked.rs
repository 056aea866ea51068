//! Checked credentials: a credential whose signature the holder has verified once, so that
//! presentations from it skip the pairing check of `PRE-005` (spec/05-presentation.md
//! §Checked credentials).

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::Credential;
use crate::error::{CredentialError, DecodeError};
use crate::keys::{IssuerPublicKey, KeyId};
use crate::link_secret::LinkSecret;

/// Domain separation of the link-secret binding.
const BINDING_DST: &[u8] = b"NetNym-v1:checked-credential:link-secret";

/// A credential whose signature was verified under its issuer key with the holder's link secret
/// (`ISS-011`, `PRE-005`), or that the holder's own authenticated storage vouches was.
///
/// Obtained only by checking ([`Credential::check`], [`crate::PendingIssuance::finish_checked`])
/// or, for bytes read back from the holder's own authenticated storage, by
/// [`CheckedCredential::from_authenticated_json`]. Presentations from
/// [`crate::Holding::from_checked`] do not repeat the pairing check: `PRE-005` only compares
/// the link secret given with the one the credential was checked with (a SHA-256 binding,
/// compared in constant time), so a wrong link secret is still refused before any proof is
/// made.
///
/// # Security
/// Wallet contents, like [`Credential`]: `Debug` shows the key and schema ids only, the
/// credential and the binding are zeroized on drop. The binding is a hash of the link secret
/// and the key id; it never leaves memory.
#[derive(Clone)]
pub struct CheckedCredential {
    credential: Credential,
    binding: Binding,
}

/// `SHA-256(BINDING_DST || key_id || link_secret)`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
struct Binding([u8; 32]);

impl Binding {
    fn new(key_id: &KeyId, link_secret: &LinkSecret) -> Self {
        let mut h = Sha256::new();
        h.update(BINDING_DST);
        h.update(key_id.as_bytes());
        let secret = link_secret.to_bytes();
        h.update(secret.as_slice());
        Self(h.finalize().into())
    }
}

impl core::fmt::Debug for CheckedCredential {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Avoids printing the binding; the credential's own Debug is redacted.
        f.debug_struct("CheckedCredential")
            .field("credential", &self.credential)
            .finish_non_exhaustive()
    }
}

impl Credential {
    /// Verify the signature under `pk` with `link_secret` ([`Credential::verify`], two
    /// pairings) and keep the result: presentations from the checked credential skip the
    /// pairing check.
    ///
    /// # Errors
    /// [`CredentialError::WrongIssuerKey`] or [`CredentialError::InvalidSignature`].
    pub fn check(
        self,
        pk: &IssuerPublicKey,
        link_secret: &LinkSecret,
    ) -> Result<CheckedCredential, CredentialError> {
        self.verify(pk, link_secret)?;
        Ok(CheckedCredential::new_checked(self, link_secret))
    }
}

impl CheckedCredential {
    /// Wrap a credential whose signature was just verified with `link_secret` (by
    /// [`Credential::check`] or `PendingIssuance::finish_checked`, `ISS-011`).
    pub(crate) fn new_checked(credential: Credential, link_secret: &LinkSecret) -> Self {
        let binding = Binding::new(&credential.key_id(), link_secret);
        Self {
            credential,
            binding,
        }
    }

    /// Parse a credential that the caller's own authenticated storage vouches was checked with
    /// `link_secret` under `pk`: every check of [`Credential::from_json`] runs (envelope, key
    /// and schema ids, attributes, signature encoding with the subgroup check of `A`); only the
    /// pairing check of the signature is skipped.
    ///
    /// # Security
    /// **Use only for bytes your own code wrote from a [`CheckedCredential`] into storage that
    /// authenticates them** (for example the wallet file, encrypted with an AEAD under a key
    /// derived from the holder's password, which also holds `link_secret`): whoever could have
    /// produced such bytes could also read the link secret, so a signature that was not checked
    /// can only come from the holder's own software. For credentials from anywhere else, use
    /// [`Credential::from_json`] and [`Credential::check`]. A wrong signature here does not
    /// endanger verifiers (they check every presentation in full); it makes the holder send
    /// proofs that fail verification.
    ///
    /// # Errors
    /// [`DecodeError`] as [`Credential::from_json`].
    pub fn from_authenticated_json(
        bytes: &[u8],
        pk: &IssuerPublicKey,
        link_secret: &LinkSecret,
    ) -> Result<Self, DecodeError> {
        let credential = Credential::from_json(bytes, pk)?;
        Ok(Self::new_checked(credential, link_secret))
    }

    /// The credential.
    #[must_use]
    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    /// The credential, forgetting that it was checked.
    #[must_use]
    pub fn into_credential(self) -> Credential {
        self.credential
    }

    /// Whether `link_secret` is the one the credential was checked with (constant time).
    pub(crate) fn has_link_secret(&self, link_secret: &LinkSecret) -> bool {
        let given = Binding::new(&self.credential.key_id(), link_secret);
        self.binding.0.ct_eq(&given.0).into()
    }
}
