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

/// Where an enrollment code stands, for operators (`authority codes list`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeStatus {
    /// Usable until it expires.
    Open,
    /// Redeemed: a credential was issued with it.
    Used,
    /// Expired unused.
    Expired,
    /// Invalidated by an operator before use.
    Invalidated,
}

impl CodeStatus {
    /// The status's name in listings (`open`, `used`, `expired`, `invalidated`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Used => "used",
            Self::Expired => "expired",
            Self::Invalidated => "invalidated",
        }
    }
}

/// An enrollment code as operators see it: never the code, only a handle derived from its
/// hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeListing {
    /// The first 8 bytes of the code's SHA-256 hash, as 16 lower-case hex digits: the handle
    /// `authority codes invalidate --code-id` takes.
    pub code_id: String,
    /// The citizen the code enrolls.
    pub citizen_id: String,
    /// When the code was created.
    pub created_at: u64,
    /// When it stops (or stopped) working.
    pub expires_at: u64,
    /// Its status at the time of the listing.
    pub status: CodeStatus,
    /// When it was used or invalidated, if it was.
    pub closed_at: Option<u64>,
}

/// A registered citizen with what the authority did for them, for operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitizenSummary {
    /// The citizen id.
    pub citizen_id: String,
    /// The revocation id.
    pub revocation_id: u64,
    /// Import time.
    pub created_at: u64,
    /// Credentials issued to the citizen.
    pub credentials: u64,
    /// Whether the citizen's revocation id is revoked.
    pub revoked: bool,
}

/// One issuer key of the authority (`authority keys`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerKeyRecord {
    /// The key id (64 hex).
    pub key_id: String,
    /// Rotation order, from 1 (the key made by `authority init`).
    pub position: u64,
    /// The core's `netnym-issuer-public-key` JSON.
    pub public_key: Vec<u8>,
    /// The sealed secret holding the key's secret half.
    pub secret_name: String,
    /// When the key was made (or, for the first key, first recorded).
    pub created_at: u64,
    /// When it was retired, if it was.
    pub retired_at: Option<u64>,
}
