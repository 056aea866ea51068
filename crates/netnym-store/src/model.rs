//! Records read from and written to the store.

use netnym::{AttributeError, Attributes, Schema};

/// A registered citizen.
#[derive(Clone, PartialEq, Eq)]
pub struct Citizen {
    /// The authority's id for the citizen (1..=64 of `A-Z a-z 0-9 _ -`).
    pub citizen_id: String,
    /// The revocation id allocated at import (unique, `1..=N`).
    pub revocation_id: u64,
    /// The credential attributes as a JSON object, without `revocation_id` and the link secret.
    pub attributes: serde_json::Value,
    /// Import time.
    pub created_at: u64,
}

impl core::fmt::Debug for Citizen {
    // Personal data stays out of logs.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Citizen")
            .field("citizen_id", &self.citizen_id)
            .field("revocation_id", &self.revocation_id)
            .finish_non_exhaustive()
    }
}

impl Citizen {
    /// The attributes to sign for this citizen: the registry's attributes plus `revocation_id`.
    ///
    /// # Errors
    /// [`AttributeError`] when the stored attributes do not fit `schema`.
    pub fn credential_attributes(&self, schema: &Schema) -> Result<Attributes, AttributeError> {
        Attributes::from_json(schema, &self.attributes_with_revocation_id())
    }

    /// The attribute JSON object with `revocation_id` added.
    #[must_use]
    pub fn attributes_with_revocation_id(&self) -> serde_json::Value {
        let mut v = self.attributes.clone();
        if let Some(obj) = v.as_object_mut() {
            obj.insert("revocation_id".to_owned(), self.revocation_id.into());
        }
        v
    }
}

/// The state of an enrollment code that can still be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentCodeRecord {
    /// The citizen the code enrolls.
    pub citizen_id: String,
    /// When the code was created.
    pub created_at: u64,
    /// When it stops working.
    pub expires_at: u64,
    /// The latest issuance offer made for this code (opaque JSON bytes), if any.
    pub offer: Option<Vec<u8>>,
}

/// What to record about a credential when redeeming a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIssuedCredential {
    /// The issuer key id (64 hex).
    pub key_id: String,
    /// Issuance time.
    pub issued_at: u64,
}

/// A credential the authority issued (never the link secret, which it never sees).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCredential {
    /// Row id.
    pub id: u64,
    /// The citizen.
    pub citizen_id: String,
    /// The issuer key id (64 hex).
    pub key_id: String,
    /// The citizen's revocation id signed into the credential.
    pub revocation_id: u64,
    /// Issuance time.
    pub issued_at: u64,
}

/// One entry of the public revocation epoch log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpochRecord {
    /// Epoch number, from 1.
    pub epoch: u64,
    /// The core's `EpochEntry` JSON, opaque to the store.
    pub entry: Vec<u8>,
    /// When it was appended.
    pub created_at: u64,
}

/// A verifier's stored presentation request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRequest {
    /// The request nonce (raw bytes).
    pub nonce: Vec<u8>,
    /// The verifier id it was made for.
    pub verifier_id: String,
    /// The request JSON as sent to the holder.
    pub request: Vec<u8>,
    /// Creation time.
    pub created_at: u64,
    /// Expiry time.
    pub expires_at: u64,
    /// When it was answered, if it was.
    pub consumed_at: Option<u64>,
}

/// A platform account keyed by a pseudonym.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Stable account id.
    pub account_id: u64,
    /// The verifier (platform) id.
    pub verifier_id: String,
    /// The pseudonym bytes.
    pub pseudonym: Vec<u8>,
    /// Registration time.
    pub created_at: u64,
    /// Latest sign-in time.
    pub last_login: u64,
    /// Number of sign-ins, registration included.
    pub login_count: u64,
    /// Whether this call registered the account.
    pub new_account: bool,
}
