//! Errors, one enum per operation; every variant names the spec/12 rule it enforces
//! (`rule()`).

use thiserror::Error;

use crate::evidence::EquivocationEvidence;

/// Decoding an entry ([`crate::LogEntry::decode`], and the field constructors).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum EntryDecodeError {
    /// LOG-001: longer than [`crate::MAX_ENTRY_BYTES`].
    #[error("LOG-001: entry of {len} bytes is too large")]
    TooLarge {
        /// The length given.
        len: usize,
    },
    /// LOG-001: the bytes end inside a field.
    #[error("LOG-001: entry truncated in {field}")]
    Truncated {
        /// The field being read.
        field: &'static str,
    },
    /// LOG-001: an encoding version other than 1.
    #[error("LOG-001: unknown entry version {0}")]
    Version(u8),
    /// LOG-001: an unknown entry type.
    #[error("LOG-001: unknown entry type {0:#04x}")]
    UnknownType(u8),
    /// LOG-001: bytes left after the entry.
    #[error("LOG-001: {0} bytes after the entry")]
    TrailingBytes(usize),
    /// LOG-002: a field with a value the encoding does not allow.
    #[error("LOG-002: invalid {field}: {reason}")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
}

impl EntryDecodeError {
    /// The spec rule this error enforces.
    #[must_use]
    pub fn rule(&self) -> &'static str {
        match self {
            Self::InvalidField { .. } => "LOG-002",
            _ => "LOG-001",
        }
    }
}

/// Building or verifying an inclusion proof (LOG-012).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum InclusionProofError {
    /// The leaf index is not below the tree size.
    #[error("LOG-012: leaf index {index} not in a tree of size {size}")]
    IndexOutOfRange {
        /// The leaf index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// More hashes than any tree needs.
    #[error("LOG-012: inclusion proof of {len} hashes is too long")]
    TooManyHashes {
        /// The proof length.
        len: usize,
    },
    /// The audit path does not lead from the leaf to the root.
    #[error("LOG-012: inclusion proof does not verify")]
    Mismatch,
}

impl InclusionProofError {
    /// The spec rule this error enforces.
    #[must_use]
    pub fn rule(&self) -> &'static str {
        "LOG-012"
    }
}

/// Building or verifying a consistency proof (LOG-013).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ConsistencyProofError {
    /// Sizes not in `1 ≤ old ≤ new`.
    #[error("LOG-013: no consistency proof from size {old} to size {new}")]
    SizeOrder {
        /// The older size.
        old: u64,
        /// The newer size.
        new: u64,
    },
    /// More hashes than any tree needs.
    #[error("LOG-013: consistency proof of {len} hashes is too long")]
    TooManyHashes {
        /// The proof length.
        len: usize,
    },
    /// The proof does not connect the two roots.
    #[error("LOG-013: consistency proof does not verify")]
    Mismatch,
}

impl ConsistencyProofError {
    /// The spec rule this error enforces.
    #[must_use]
    pub fn rule(&self) -> &'static str {
        "LOG-013"
    }
}

/// Parsing or building a key (LOG-006).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Not 1..=255 bytes of printable ASCII without space or `+`.
    #[error("LOG-006: invalid key name or origin {0:?}")]
    InvalidName(String),
    /// Not an Ed25519 point, or a small-order one.
    #[error("LOG-006: invalid Ed25519 public key")]
    InvalidKey,
    /// Not `name+<8 lowercase hex>+<base64>`.
    #[error("LOG-006: malformed verifier key")]
    Malformed,
    /// Another signature type than the one expected.
    #[error("LOG-006: verifier key of type {got:#04x}, expected {expected:#04x}")]
    WrongType {
        /// The expected type byte.
        expected: u8,
        /// The type byte found.
        got: u8,
    },
    /// The key id is not the one computed from the name and key.
    #[error("LOG-006: verifier key id does not match its name and key")]
    KeyIdMismatch,
}

impl KeyError {
    /// The spec rule this error enforces.
    #[must_use]
    pub fn rule(&self) -> &'static str {
        "LOG-006"
    }
}

/// Building a witness policy (LOG-009).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// A key of the policy is invalid (LOG-006).
    #[error(transparent)]
    Key(#[from] KeyError),
    /// More than [`crate::MAX_WITNESSES`] witnesses.
    #[error("LOG-009: {0} witnesses is too many")]
    TooManyWitnesses(usize),
    /// The quorum is not in `1..=witnesses`.
    #[error("LOG-009: quorum {quorum} of {witnesses} witnesses")]
    Quorum {
        /// The quorum asked for.
        quorum: usize,
        /// The number of witnesses.
        witnesses: usize,
    },
    /// Two witnesses share a name or a key.
    #[error("LOG-009: witness {0} appears twice")]
    DuplicateWitness(String),
    /// A witness uses the log's key.
    #[error("LOG-009: witness {0} uses the log key")]
    KeyReuse(String),
    /// A maximum age outside `1..=`[`crate::MAX_AGE_LIMIT`].
    #[error("LOG-009: maximum age {0} s not allowed")]
    MaxAge(u64),
}

impl PolicyError {
    /// The spec rule this error enforces.
    #[must_use]
    pub fn rule(&self) -> &'static str {
        match self {
            Self::Key(e) => e.rule(),
            _ => "LOG-009",
        }
    }
}

/// Parsing or verifying a signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// LOG-005: not a canonical C2SP signed note within the limits.
    #[error("LOG-005: malformed signed note: {0}")]
    Note(String),
    /// LOG-004: the note's text is not a canonical checkpoint.
    #[error("LOG-004: malformed checkpoint: {0}")]
    Text(String),
    /// LOG-004: the checkpoint is for another log.
    #[error("LOG-004: checkpoint origin {got:?}, expected {expected:?}")]
    Origin {
        /// The policy's origin.
        expected: String,
        /// The checkpoint's origin.
        got: String,
    },
    /// LOG-007: no signature by the log key.
    #[error("LOG-007: checkpoint is not signed by the log key")]
    MissingLogSignature,
    /// LOG-007: the log key's signature does not verify.
    #[error("LOG-007: the log signature does not verify")]
    BadLogSignature,
    /// LOG-008: a trusted witness's cosignature does not verify.
    #[error("LOG-008: the cosignature of {witness} does not verify")]
    BadCosignature {
        /// The witness.
        witness: String,
    },
    /// LOG-010: fewer distinct trusted cosignatures than the quorum.
    #[error("LOG-010: {have} trusted cosignatures, quorum is {need}")]
    TooFewCosignatures {
        /// Valid trusted cosignatures found.
        have: usize,
        /// The quorum.
        need: usize,
    },
    /// LOG-011: fewer than the quorum of them within the maximum age of now.
    #[error("LOG-011: {fresh} cosignatures within the maximum age, quorum is {need}")]
    NotFresh {
        /// Counted cosignatures within the maximum age.
        fresh: usize,
        /// The quorum.
        need: usize,
    },
}

impl CheckpointError {
    /// The spec rule this error enforces.
    #[must_use]
    pub fn rule(&self) -> &'static str {
        match self {
            Self::Note(_) => "LOG-005",
            Self::Text(_) | Self::Origin { .. } => "LOG-004",
            Self::MissingLogSignature | Self::BadLogSignature => "LOG-007",
            Self::BadCosignature { .. } => "LOG-008",
            Self::TooFewCosignatures { .. } => "LOG-010",
            Self::NotFresh { .. } => "LOG-011",
        }
    }
}

/// Signing or cosigning a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SignError {
    /// LOG-007: the log key is named other than the checkpoint's origin.
    #[error("LOG-007: key {key:?} cannot sign for origin {origin:?}")]
    KeyNotForOrigin {
        /// The key's name.
        key: String,
        /// The origin.
        origin: String,
    },
    /// LOG-005: the note library refused (a timestamp above `2^63 − 1`, LOG-008, or a text it
    /// cannot carry).
    #[error("LOG-005: cannot sign the note: {0}")]
    Note(String),
}

impl SignError {
    /// The spec rule this error enforces.
    #[must_use]
    pub fn rule(&self) -> &'static str {
        match self {
            Self::KeyNotForOrigin { .. } => "LOG-007",
            Self::Note(_) => "LOG-005",
        }
    }
}

/// Operations of [`crate::Log`] over a storage whose errors are `E`.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum LogError<E: std::error::Error + 'static> {
    /// LOG-021: the storage failed; nothing was appended.
    #[error("LOG-021: log storage: {0}")]
    Storage(#[source] E),
    /// LOG-021: the storage returned data that contradicts the log (wrong count of hashes,
    /// an entry that does not decode). An internal error, not bad input.
    #[error("LOG-021: log storage is corrupt: {0}")]
    Corrupt(String),
    /// LOG-012: an entry or proof asked for beyond the log's size.
    #[error("LOG-012: index {index} not in a log of size {size}")]
    IndexOutOfRange {
        /// The index asked for.
        index: u64,
        /// The size it must be below.
        size: u64,
    },
    /// LOG-013: a consistency proof asked for between sizes not in `1 ≤ old ≤ new ≤ size`.
    #[error("LOG-013: no consistency proof from {old} to {new} in a log of size {size}")]
    SizeOrder {
        /// The older size.
        old: u64,
        /// The newer size.
        new: u64,
        /// The log's size.
        size: u64,
    },
    /// LOG-007: signing the checkpoint failed.
    #[error(transparent)]
    Sign(#[from] SignError),
}

impl<E: std::error::Error + 'static> LogError<E> {
    /// The spec rule this error enforces.
    #[must_use]
    pub fn rule(&self) -> &'static str {
        match self {
            Self::Storage(_) | Self::Corrupt(_) => "LOG-021",
            Self::IndexOutOfRange { .. } => "LOG-012",
            Self::SizeOrder { .. } => "LOG-013",
            Self::Sign(e) => e.rule(),
        }
    }
}

/// Updating a [`crate::LogView`] to a new checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum UpdateError {
    /// The checkpoint itself fails (LOG-004..LOG-011).
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// LOG-014: smaller than the accepted checkpoint.
    #[error("LOG-014: checkpoint of size {got} is older than the accepted size {accepted}")]
    Rollback {
        /// The accepted size.
        accepted: u64,
        /// The offered size.
        got: u64,
    },
    /// LOG-015: a larger checkpoint came without a consistency proof from the accepted one,
    /// or with a proof where none applies.
    #[error("LOG-015: consistency proof from size {accepted} to {got} missing or misplaced")]
    ProofShape {
        /// The accepted size.
        accepted: u64,
        /// The offered size.
        got: u64,
    },
    /// LOG-015: the consistency proof from the accepted checkpoint fails; the evidence keeps
    /// both notes and the failing proof.
    #[error("LOG-015: checkpoint is not consistent with the accepted one")]
    Inconsistent(Box<EquivocationEvidence>),
    /// LOG-016: the log signed two different roots for the same size.
    #[error("LOG-016: the log equivocated (two roots for one size)")]
    Fork(Box<EquivocationEvidence>),
    /// LOG-016: this view holds proof of equivocation and refuses everything.
    #[error("LOG-016: the view holds proof that the log equivocated")]
    Equivocated,
}

impl UpdateError {
    /// The spec rule this error enforces.
    #[must_use]
    pub fn rule(&self) -> &'static str {
        match self {
            Self::Checkpoint(e) => e.rule(),
            Self::Rollback { .. } => "LOG-014",
            Self::ProofShape { .. } | Self::Inconsistent(_) => "LOG-015",
            Self::Fork(_) | Self::Equivocated => "LOG-016",
        }
    }
}

/// Accepting an entry through a [`crate::LogView`] (LOG-017).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum EntryError {
    /// LOG-017: the view has no accepted checkpoint yet.
    #[error("LOG-017: no accepted checkpoint")]
    NoCheckpoint,
    /// LOG-017: the proof is for another tree size than the accepted checkpoint's.
    #[error("LOG-017: proof for size {proof}, accepted checkpoint has size {accepted}")]
    WrongTreeSize {
        /// The proof's tree size.
        proof: u64,
        /// The accepted size.
        accepted: u64,
    },
    /// The entry does not decode (LOG-001, LOG-002).
    #[error(transparent)]
    Decode(#[from] EntryDecodeError),
    /// The inclusion proof fails (LOG-012).
    #[error(transparent)]
    Proof(#[from] InclusionProofError),
    /// LOG-016: this view holds proof of equivocation and refuses everything.
    #[error("LOG-016: the view holds proof that the log equivocated")]
    Equivocated,
}

impl EntryError {
    /// The spec rule this error enforces.
    #[must_use]
    pub fn rule(&self) -> &'static str {
        match self {
            Self::NoCheckpoint | Self::WrongTreeSize { .. } => "LOG-017",
            Self::Decode(e) => e.rule(),
            Self::Proof(e) => e.rule(),
            Self::Equivocated => "LOG-016",
        }
    }
}

/// Checking a checkpoint named by someone else (a presentation request) against a
/// [`crate::LogView`] (LOG-018).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum NamedCheckpointError {
    /// LOG-018: the view has no accepted checkpoint yet.
    #[error("LOG-018: no accepted checkpoint")]
    NoCheckpoint,
    /// LOG-018: the named checkpoint is larger than the view's; update the view first.
    #[error("LOG-018: named size {named} is ahead of the accepted size {accepted}")]
    Ahead {
        /// The named size.
        named: u64,
        /// The accepted size.
        accepted: u64,
    },
    /// LOG-018: the consistency proof is missing, or for other sizes.
    #[error("LOG-018: consistency proof from {named} to {accepted} missing or misplaced")]
    ProofShape {
        /// The named size.
        named: u64,
        /// The accepted size.
        accepted: u64,
    },
    /// LOG-018: the named checkpoint contradicts the view (same size and another root, or no
    /// valid consistency proof to the accepted checkpoint).
    #[error("LOG-018: the named checkpoint contradicts the accepted one")]
    Contradicts,
    /// LOG-016: this view holds proof of equivocation and refuses everything.
    #[error("LOG-016: the view holds proof that the log equivocated")]
    Equivocated,
}

impl NamedCheckpointError {
    /// The spec rule this error enforces.
    #[must_use]
    pub fn rule(&self) -> &'static str {
        match self {
            Self::Equivocated => "LOG-016",
            _ => "LOG-018",
        }
    }
}

/// Parsing or judging equivocation evidence (LOG-019).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum EvidenceError {
    /// LOG-019: not the evidence JSON.
    #[error("LOG-019: malformed evidence: {0}")]
    Malformed(String),
    /// LOG-019: a note of the evidence is not a checkpoint signed by the log key.
    #[error("LOG-019: evidence note not signed by the log: {0}")]
    Signature(CheckpointError),
    /// LOG-019: the two checkpoints do not conflict as the evidence claims.
    #[error("LOG-019: the two checkpoints do not conflict as claimed")]
    NotConflicting,
}

impl EvidenceError {
    /// The spec rule this error enforces.
    #[must_use]
    pub fn rule(&self) -> &'static str {
        "LOG-019"
    }
}

/// Cosigning by a [`crate::Witness`] (LOG-020).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum WitnessError {
    /// The checkpoint fails its syntax or log signature (LOG-004, LOG-005, LOG-007).
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// LOG-020: smaller than the last checkpoint the witness cosigned.
    #[error("LOG-020: checkpoint of size {got} is older than the last cosigned size {last}")]
    Rollback {
        /// The last cosigned size.
        last: u64,
        /// The offered size.
        got: u64,
    },
    /// LOG-020: the consistency proof from the last cosigned checkpoint is missing or for
    /// other sizes.
    #[error("LOG-020: consistency proof from size {last} to {got} missing or misplaced")]
    ProofShape {
        /// The last cosigned size.
        last: u64,
        /// The offered size.
        got: u64,
    },
    /// LOG-020: not consistent with the last cosigned checkpoint; the evidence keeps both.
    #[error("LOG-020: checkpoint is not consistent with the last cosigned one")]
    Inconsistent(Box<EquivocationEvidence>),
    /// LOG-016: the log signed two different roots for the same size.
    #[error("LOG-016: the log equivocated (two roots for one size)")]
    Fork(Box<EquivocationEvidence>),
    /// Signing the cosignature failed.
    #[error(transparent)]
    Sign(#[from] SignError),
}

impl WitnessError {
    /// The spec rule this error enforces.
    #[must_use]
    pub fn rule(&self) -> &'static str {
        match self {
            Self::Checkpoint(e) => e.rule(),
            Self::Rollback { .. } | Self::ProofShape { .. } | Self::Inconsistent(_) => "LOG-020",
            Self::Fork(_) => "LOG-016",
            Self::Sign(e) => e.rule(),
        }
    }
}

/// Restoring a persisted [`crate::LogView`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RestoreError {
    /// The accepted note no longer verifies (its rule).
    #[error(transparent)]
    Checkpoint(#[from] UpdateError),
    /// The evidence does not verify (LOG-019).
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
}

impl RestoreError {
    /// The spec rule this error enforces.
    #[must_use]
    pub fn rule(&self) -> &'static str {
        match self {
            Self::Checkpoint(e) => e.rule(),
            Self::Evidence(e) => e.rule(),
        }
    }
}
