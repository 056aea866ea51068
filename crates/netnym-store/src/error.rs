//! One error enum per operation family.

use thiserror::Error;

/// A failure of the database itself (not of the caller's input).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database cannot be reached or is busy; the operation did not happen and may be
    /// retried (services answer 503).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A constraint refused the write (a bug in the caller, or a concurrent writer).
    #[error("database constraint violated: {0}")]
    Constraint(String),
    /// The database holds data this code cannot read.
    #[error("database holds corrupt data: {0}")]
    Corrupt(String),
    /// Any other database error.
    #[error("database error: {0}")]
    Backend(String),
}

/// Opening a store (connecting and migrating).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The database file or server cannot be opened / reached.
    #[error("cannot open database: {0}")]
    Connect(String),
    /// The database was written by a newer NetNym.
    #[error("database schema version {found} is newer than this program supports ({supported}); upgrade NetNym")]
    DatabaseTooNew {
        /// Version found in the database.
        found: u32,
        /// Newest version this code knows.
        supported: u32,
    },
    /// A bad option (for example an invalid PostgreSQL schema name).
    #[error("invalid store configuration: {0}")]
    Config(String),
    /// A migration failed (nothing of it was applied).
    #[error("migration to schema version {version} failed: {source}")]
    Migration {
        /// The migration that failed.
        version: u32,
        /// Why.
        #[source]
        source: StoreError,
    },
    /// Another database error while opening.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One problem in a citizen CSV file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line number in the file (1 is the header).
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

impl core::fmt::Display for LineError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Importing citizens (CSV parsing and the registry insert). Nothing is imported on error.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The file has errors; all are listed (up to a limit), with line numbers.
    #[error("invalid citizen file ({} error(s)): {}", .0.len(), join_lines(.0))]
    Invalid(Vec<LineError>),
    /// A citizen id is already registered.
    #[error("citizen {0:?} is already registered")]
    AlreadyRegistered(String),
    /// `IMP-005`: the document of the citizen named is registered to another citizen.
    #[error("IMP-005: the document of citizen {0:?} is registered to another citizen")]
    DocumentRegistered(String),
    /// Nothing to import.
    #[error("no citizens to import")]
    Empty,
    /// The database failed; nothing was imported.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn join_lines(errors: &[LineError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Enrollment codes: creating, checking, redeeming.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum EnrollmentError {
    /// No such code.
    #[error("unknown enrollment code")]
    UnknownCode,
    /// The code expired before use.
    #[error("enrollment code expired")]
    Expired,
    /// The code was already used.
    #[error("enrollment code already used")]
    AlreadyUsed,
    /// An operator invalidated the code before it was used.
    #[error("enrollment code invalidated")]
    Invalidated,
    /// Redeeming needs the offer made for this code, and it is missing or was replaced.
    #[error("no matching issuance offer for this enrollment code")]
    NoOffer,
    /// The citizen does not exist.
    #[error("unknown citizen {0:?}")]
    UnknownCitizen(String),
    /// The database failed; nothing changed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Appending to the revocation epoch log.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum EpochError {
    /// The epoch number is not the last one plus one.
    #[error("epoch {got} is not next (the log ends at {last:?})")]
    NotNext {
        /// The epoch number offered.
        got: u64,
        /// The last epoch in the log (`None` when empty).
        last: Option<u64>,
    },
    /// A revocation id in the epoch is already revoked.
    #[error("revocation id {0} is already revoked")]
    AlreadyRevoked(u64),
    /// A revocation id is not allocated to any citizen.
    #[error("revocation id {0} is not allocated to a citizen")]
    UnknownRevocationId(u64),
    /// Ids at genesis, no ids after genesis, or a duplicated id.
    #[error("invalid epoch: {0}")]
    Invalid(&'static str),
    /// The database failed; nothing was appended.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Consuming a verifier's stored presentation request.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ConsumeError {
    /// No request with this nonce (never issued, or purged).
    #[error("unknown request nonce")]
    Unknown,
    /// The request expired.
    #[error("request expired")]
    Expired,
    /// The request was already answered.
    #[error("request nonce already used")]
    Replayed,
    /// The database failed; nothing changed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Sealing and opening secrets, and storing them.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The passphrase is wrong (or the sealed blob was altered).
    #[error("wrong passphrase (or the sealed secret was tampered with)")]
    WrongPassphrase,
    /// Empty passphrase.
    #[error("the passphrase must not be empty")]
    EmptyPassphrase,
    /// The sealed blob is malformed (bad parameters or lengths).
    #[error("sealed secret is malformed: {0}")]
    Malformed(String),
    /// No secret of that name.
    #[error("no secret named {0:?}")]
    NotFound(String),
    /// A secret of that name exists already (secrets are never overwritten).
    #[error("a secret named {0:?} already exists")]
    AlreadyExists(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Storing a verifier's presentation request.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PutRequestError {
    /// The nonce is already stored.
    #[error("a request with this nonce already exists")]
    DuplicateNonce,
    /// Bad input (empty nonce, expiry before creation).
    #[error("invalid request record: {0}")]
    Invalid(&'static str),
    /// The client already has the most open requests it may have.
    #[error("this client already has {0} open requests")]
    TooManyOpen(u32),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Invalidating enrollment codes (`authority codes invalidate`).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum InvalidateError {
    /// A code id that is not 16 to 64 hex digits.
    #[error("a code id is 16 to 64 hex digits (as `authority codes list` shows), not {0:?}")]
    BadCodeId(String),
    /// No open code matches.
    #[error("no open enrollment code matches {0}")]
    NoOpenCode(String),
    /// The code id prefix matches more than one open code.
    #[error("code id {0} matches several open codes: give more digits")]
    Ambiguous(String),
    /// The database failed; nothing changed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Adding or retiring an issuer key (`authority keys rotate|retire`).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum IssuerKeyError {
    /// No issuer key with this id.
    #[error("no issuer key {0}")]
    Unknown(String),
    /// The key is already retired.
    #[error("issuer key {0} is already retired")]
    AlreadyRetired(String),
    /// The current key cannot be retired: rotate first.
    #[error("issuer key {0} is the current key: rotate to a new key before retiring it")]
    Current(String),
    /// The key id is already recorded.
    #[error("issuer key {0} is already recorded")]
    Duplicate(String),
    /// The database failed; nothing changed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Backing up a store (`authority backup`).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum BackupError {
    /// The store is PostgreSQL: use `pg_dump`.
    #[error(
        "this is a PostgreSQL database: back it up with pg_dump (docs/operations.md § Backup)"
    )]
    NotSqlite,
    /// The backup file cannot be created.
    #[error("cannot create the backup file {0}")]
    Io(String),
    /// The copy failed; the partial file was removed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
