//! The store traits: one per concern, and [`Store`], their union.

use crate::citizens::CitizenRecord;
use crate::error::{
    ConsumeError, EnrollmentError, EpochError, ImportError, PutRequestError, SecretError,
    StoreError,
};
use crate::model::{
    Account, Citizen, EnrollmentCodeRecord, EpochRecord, IssuedCredential, NewIssuedCredential,
    StoredRequest,
};
use crate::sealed::SealedSecret;

/// Most epoch entries returned by one [`RevocationStore::epochs_from`] call.
pub const MAX_EPOCH_PAGE: u64 = 1000;

/// The authority's citizen registry.
pub trait CitizenStore {
    /// Register `citizens` in one transaction, allocating revocation ids after the largest one
    /// in use (so the first import gets `1..=N`), in input order. All or nothing.
    ///
    /// # Errors
    /// [`ImportError::AlreadyRegistered`] for a citizen id already present (or twice in the
    /// input), [`ImportError::Empty`], [`ImportError::Store`].
    fn import_citizens(
        &self,
        citizens: &[CitizenRecord],
        now: u64,
    ) -> Result<Vec<Citizen>, ImportError>;

    /// A citizen by id.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn citizen(&self, citizen_id: &str) -> Result<Option<Citizen>, StoreError>;

    /// A citizen by revocation id.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn citizen_by_revocation_id(&self, revocation_id: u64) -> Result<Option<Citizen>, StoreError>;

    /// Citizens in revocation-id order, `limit` of them after skipping `offset`.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn citizens(&self, offset: u64, limit: u64) -> Result<Vec<Citizen>, StoreError>;

    /// Number of registered citizens (= the largest revocation id, as ids are dense).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn citizen_count(&self) -> Result<u64, StoreError>;
}

/// One-time enrollment codes and the credentials issued with them.
pub trait EnrollmentStore {
    /// Store a new code (by its hash) for a citizen.
    ///
    /// # Errors
    /// [`EnrollmentError::UnknownCitizen`]; [`EnrollmentError::Store`].
    fn add_enrollment_code(
        &self,
        code_hash: &[u8; 32],
        citizen_id: &str,
        created_at: u64,
        expires_at: u64,
    ) -> Result<(), EnrollmentError>;

    /// The code's record, if it can still be used at `now`.
    ///
    /// # Errors
    /// [`EnrollmentError::UnknownCode`], [`EnrollmentError::Expired`],
    /// [`EnrollmentError::AlreadyUsed`], [`EnrollmentError::Store`].
    fn enrollment_code(
        &self,
        code_hash: &[u8; 32],
        now: u64,
    ) -> Result<EnrollmentCodeRecord, EnrollmentError>;

    /// Remember `offer` (replacing any earlier one) for a usable code.
    ///
    /// # Errors
    /// As [`EnrollmentStore::enrollment_code`].
    fn set_enrollment_offer(
        &self,
        code_hash: &[u8; 32],
        offer: &[u8],
        now: u64,
    ) -> Result<EnrollmentCodeRecord, EnrollmentError>;

    /// Redeem a code: in **one transaction**, mark it used (only if unused, unexpired and its
    /// stored offer equals `offer`) and record the issued credential. At most one caller ever
    /// succeeds for a code; on any error nothing changed.
    ///
    /// # Errors
    /// [`EnrollmentError::UnknownCode`], [`EnrollmentError::Expired`],
    /// [`EnrollmentError::AlreadyUsed`], [`EnrollmentError::NoOffer`] (offer missing or
    /// replaced), [`EnrollmentError::Store`].
    fn redeem_enrollment_code(
        &self,
        code_hash: &[u8; 32],
        offer: &[u8],
        now: u64,
        record: &NewIssuedCredential,
    ) -> Result<IssuedCredential, EnrollmentError>;

    /// Credentials issued to a citizen, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn issued_credentials(&self, citizen_id: &str) -> Result<Vec<IssuedCredential>, StoreError>;

    /// Number of issued credentials.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn issued_credential_count(&self) -> Result<u64, StoreError>;
}

/// The revoked set and the append-only epoch log.
pub trait RevocationStore {
    /// Append epoch `epoch` revoking `revocation_ids`, with the core's entry JSON, in one
    /// transaction. The log starts with the genesis epoch 0 (no ids); the schema enforces
    /// `epoch == last + 1`.
    ///
    /// # Errors
    /// [`EpochError::NotNext`], [`EpochError::AlreadyRevoked`],
    /// [`EpochError::UnknownRevocationId`], [`EpochError::Invalid`], [`EpochError::Store`].
    fn append_epoch(
        &self,
        epoch: u64,
        revocation_ids: &[u64],
        entry: &[u8],
        now: u64,
    ) -> Result<(), EpochError>;

    /// Whether a revocation id is revoked.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn is_revoked(&self, revocation_id: u64) -> Result<bool, StoreError>;

    /// Number of revoked ids.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn revoked_count(&self) -> Result<u64, StoreError>;

    /// All revoked ids, ascending.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn revoked_ids(&self) -> Result<Vec<u64>, StoreError>;

    /// The last epoch number (`None` when the log is empty, before genesis).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn latest_epoch(&self) -> Result<Option<u64>, StoreError>;

    /// Epochs `from..` in order, at most `limit` (capped at [`MAX_EPOCH_PAGE`]).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn epochs_from(&self, from: u64, limit: u64) -> Result<Vec<EpochRecord>, StoreError>;
}

/// Sealed secrets by name. Secrets are never overwritten.
pub trait SecretStore {
    /// Store a sealed secret under `name`.
    ///
    /// # Errors
    /// [`SecretError::AlreadyExists`]; [`SecretError::Store`].
    fn put_sealed_secret(&self, name: &str, secret: &SealedSecret) -> Result<(), SecretError>;

    /// The sealed secret stored under `name`.
    ///
    /// # Errors
    /// [`SecretError::NotFound`]; [`SecretError::Malformed`]; [`SecretError::Store`].
    fn sealed_secret(&self, name: &str) -> Result<SealedSecret, SecretError>;
}

/// A verifier's single-use presentation requests.
pub trait RequestStore {
    /// Store an issued request by nonce.
    ///
    /// # Errors
    /// [`PutRequestError::DuplicateNonce`], [`PutRequestError::Invalid`],
    /// [`PutRequestError::Store`].
    fn put_request(
        &self,
        nonce: &[u8],
        verifier_id: &str,
        request: &[u8],
        created_at: u64,
        expires_at: u64,
    ) -> Result<(), PutRequestError>;

    /// The stored request for a nonce (consumed or not, expired or not, until purged).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn request(&self, nonce: &[u8]) -> Result<Option<StoredRequest>, StoreError>;

    /// Consume the request exactly once and, when `pseudonym` is given, sign in or register the
    /// account `(verifier_id of the request, pseudonym)` in the **same transaction**.
    ///
    /// # Errors
    /// [`ConsumeError::Unknown`], [`ConsumeError::Expired`] (`now > expires_at`),
    /// [`ConsumeError::Replayed`], [`ConsumeError::Store`]. On error nothing changed.
    fn consume_request(
        &self,
        nonce: &[u8],
        now: u64,
        pseudonym: Option<&[u8]>,
    ) -> Result<Option<Account>, ConsumeError>;

    /// Delete requests that expired before `now`; returns how many.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn purge_expired_requests(&self, now: u64) -> Result<u64, StoreError>;
}

/// Platform accounts keyed by pseudonym.
pub trait AccountStore {
    /// Sign in (count a login) or register, atomically.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn sign_in_or_register(
        &self,
        verifier_id: &str,
        pseudonym: &[u8],
        now: u64,
    ) -> Result<Account, StoreError>;

    /// The account for a pseudonym, if registered (`new_account` is false).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn account(&self, verifier_id: &str, pseudonym: &[u8]) -> Result<Option<Account>, StoreError>;

    /// Number of accounts of a verifier.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn account_count(&self, verifier_id: &str) -> Result<u64, StoreError>;
}

/// Every store capability; implemented by [`crate::SqliteStore`] and [`crate::PgStore`].
pub trait Store:
    CitizenStore
    + EnrollmentStore
    + RevocationStore
    + SecretStore
    + RequestStore
    + AccountStore
    + Send
    + Sync
{
    /// Check that the database answers.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when it does not.
    fn ping(&self) -> Result<(), StoreError>;

    /// The backend's name (`"sqlite"` or `"postgres"`), for logs.
    fn backend(&self) -> &'static str;
}

/// The current Unix time in seconds (0 if the clock is before 1970).
#[must_use]
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub(crate) fn check_epoch_input(epoch: u64, revocation_ids: &[u64]) -> Result<(), EpochError> {
    if epoch == 0 && !revocation_ids.is_empty() {
        return Err(EpochError::Invalid("the genesis epoch 0 revokes nothing"));
    }
    if epoch > 0 && revocation_ids.is_empty() {
        return Err(EpochError::Invalid(
            "an epoch after genesis revokes at least one id",
        ));
    }
    let mut sorted = revocation_ids.to_vec();
    sorted.sort_unstable();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err(EpochError::Invalid("a revocation id is listed twice"));
    }
    Ok(())
}

pub(crate) fn check_request_input(
    nonce: &[u8],
    created_at: u64,
    expires_at: u64,
) -> Result<(), PutRequestError> {
    if nonce.is_empty() || nonce.len() > 64 {
        return Err(PutRequestError::Invalid("nonce must be 1..=64 bytes"));
    }
    if expires_at < created_at {
        return Err(PutRequestError::Invalid("expires before it is created"));
    }
    Ok(())
}
