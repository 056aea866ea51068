//! Error types: one enum per wallet operation.

use std::path::PathBuf;

use thiserror::Error;

/// A wallet file could not be opened.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The file could not be read.
    #[error("cannot read wallet file {path}: {source}")]
    Io {
        /// The wallet path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file does not start with the wallet magic bytes.
    #[error("{path} is not a NetNym wallet file")]
    NotAWallet {
        /// The wallet path.
        path: PathBuf,
    },
    /// The file's format version is not supported by this build.
    #[error("wallet file format version {found} is not supported (this build reads version {supported})")]
    UnsupportedVersion {
        /// Version found in the file.
        found: u16,
        /// Version this build reads.
        supported: u16,
    },
    /// The file is shorter than its header says: it was cut off.
    #[error("wallet file is truncated ({actual} bytes, expected {expected})")]
    Truncated {
        /// Bytes expected.
        expected: u64,
        /// Bytes found.
        actual: u64,
    },
    /// The file is damaged: a checksum, a parameter or the authenticated ciphertext is wrong.
    #[error("wallet file is corrupted: {0}")]
    Corrupted(&'static str),
    /// The password does not open this wallet. The file was not modified.
    #[error("wrong wallet password")]
    WrongPassword,
    /// The file decrypted but its contents are not a valid wallet.
    #[error("wallet contents are invalid: {0}")]
    InvalidContents(String),
}

/// A wallet file could not be written.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SaveError {
    /// Writing the temporary file, syncing or renaming it failed; the previous file is intact.
    #[error("cannot write wallet file {path}: {source}")]
    Io {
        /// The wallet path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file already exists there (creating a wallet never overwrites).
    #[error("a file already exists at {0}; refusing to overwrite it")]
    AlreadyExists(PathBuf),
    /// Key derivation or encryption failed (invalid parameters; a bug, not bad input).
    #[error("internal error: {0}")]
    Internal(&'static str),
}

/// A new wallet could not be created (or restored from its phrase).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CreateError {
    /// The password is too short.
    #[error("password must be at least {min} characters")]
    WeakPassword {
        /// The minimum length in characters.
        min: usize,
    },
    /// The password is too easy to guess (a common word, a pattern, a repeat).
    #[error("password is too easy to guess (strength {score} of 4, at least {min} needed): use several unrelated words")]
    GuessablePassword {
        /// Its zxcvbn score.
        score: u8,
        /// The minimum score.
        min: u8,
    },
    /// The recovery phrase is invalid.
    #[error(transparent)]
    Phrase(#[from] PhraseError),
    /// The file could not be written.
    #[error(transparent)]
    Save(#[from] SaveError),
}

/// Argon2id parameters were rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum KdfParamsError {
    /// A parameter is outside the bounds this wallet accepts.
    #[error("{name} = {value} is outside {min}..={max}")]
    OutOfBounds {
        /// Parameter name.
        name: &'static str,
        /// The value given.
        value: u32,
        /// Smallest allowed.
        min: u32,
        /// Largest allowed.
        max: u32,
    },
}

/// A recovery phrase was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PhraseError {
    /// The phrase does not have 24 words.
    #[error("recovery phrase must have 24 words, found {0}")]
    WordCount(usize),
    /// A word is not in the BIP-39 English list.
    #[error("recovery phrase word {0} is not a BIP-39 English word")]
    UnknownWord(usize),
    /// The checksum (last word) does not match: a word is wrong or out of order.
    #[error("recovery phrase checksum does not match (a word is mistyped or out of order)")]
    Checksum,
    /// The phrase maps to the zero scalar (probability 2^-255; reported, never used).
    #[error("recovery phrase yields an unusable link secret")]
    Degenerate,
}

/// A public key or parameter could not be added to the wallet.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AddPublicError {
    /// The bytes do not decode or validate.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// What was being added.
        what: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// A different value is already pinned under this name.
    #[error("a different {what} is already stored as {name:?}; refusing to replace it")]
    Conflict {
        /// What was being added.
        what: &'static str,
        /// The name or key id.
        name: String,
    },
}

/// A credential could not be added to the wallet.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AddCredentialError {
    /// The credential's issuer key is not stored in the wallet.
    #[error("issuer key {0} is not in the wallet; add the issuer's public key first")]
    UnknownIssuer(String),
    /// The credential bytes do not decode.
    #[error("credential is malformed: {0}")]
    Malformed(#[from] netnym::DecodeError),
    /// The credential's signature does not verify with this wallet's link secret.
    #[error("credential does not verify under its issuer key with this wallet's link secret")]
    DoesNotVerify,
    /// Finishing a blind issuance failed.
    #[error("issuance could not be completed: {0}")]
    Issuance(#[from] netnym::CredentialError),
}

/// A blind issuance request could not be made.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum EnrollError {
    /// The issuer key is not stored in the wallet.
    #[error("issuer key {0} is not in the wallet; add the issuer's public key first")]
    UnknownIssuer(String),
    /// The offer is malformed or for another key.
    #[error("issuance offer rejected: {0}")]
    Offer(#[from] netnym::IssueError),
}

/// A revocation witness could not be stored or updated.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum WitnessError {
    /// No credential has that id.
    #[error("no credential with id {0:?} in the wallet")]
    UnknownCredential(String),
    /// The registry key is not stored in the wallet.
    #[error("revocation registry {0} is not in the wallet; add its public key first")]
    UnknownRegistry(String),
    /// The witness does not decode or does not verify against the registry key.
    #[error("witness rejected: {0}")]
    Invalid(#[from] netnym::DecodeError),
    /// The witness is for another revocation id than the credential's.
    #[error("witness is for revocation id {witness}, the credential has {credential}")]
    WrongRevocationId {
        /// The witness's id.
        witness: u64,
        /// The credential's `revocation_id`.
        credential: u64,
    },
    /// An epoch entry could not be applied (a gap in the log, or another registry).
    #[error("epoch log update failed: {0}")]
    Update(#[from] netnym::RevocationError),
}

/// A presentation could not be built.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum WalletPresentError {
    /// No stored credential satisfies the request; the reason says why, query by query.
    #[error("the wallet cannot satisfy this request: {0}")]
    Unsatisfiable(String),
    /// The core library refused to build the presentation.
    #[error("presentation could not be built: {0}")]
    Core(#[from] netnym::PresentError),
}

/// The stored credentials could not be prepared ([`crate::Wallet::prepare`]).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PrepareError {
    /// A stored credential's issuer key is not in the wallet.
    #[error("issuer key {0} is not in the wallet")]
    UnknownIssuer(String),
    /// The core refused to prepare a stored credential (its signature does not verify).
    #[error("credential {id} cannot be prepared: {source}")]
    Credential {
        /// The wallet's id of the credential.
        id: String,
        /// Why.
        source: netnym::CredentialError,
    },
}
