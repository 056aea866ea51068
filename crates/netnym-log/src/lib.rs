//! # netnym-log: the authority's transparency log
//!
//! Everything the NetNym authority publishes (issuer keys and their retirement, range
//! parameters, registry keys, every revocation epoch, daily statistics) is an entry of one
//! append-only Merkle log. Checkpoints of the log are signed by the authority's log key and
//! cosigned by witnesses (the mirrors); wallets and verifiers accept a published object only
//! with an inclusion proof in a checkpoint their quorum of witnesses cosigned, so an authority
//! that shows one holder or one platform its own epoch value or issuer key (a split view) is
//! caught, and two conflicting signed checkpoints are kept as proof.
//!
//! Specification: `spec/12-transparency-log.md` (rules `LOG-001` …, cited in code and test
//! names). Formats: RFC 9162 §2.1 (tree, inclusion and consistency proofs), C2SP
//! [tlog-checkpoint](https://c2sp.org/tlog-checkpoint),
//! [signed-note](https://c2sp.org/signed-note) and
//! [tlog-cosignature](https://c2sp.org/tlog-cosignature) (`cosignature/v1`, Ed25519). The
//! Merkle algorithms and note syntax come from cloudflare/azul's `tlog_tiles` and
//! `signed_note` (ports of Go's `golang.org/x/mod/sumdb/tlog` and `note`); the cosignature
//! format is written here on their signer/verifier traits (`signed_note` 0.2 has none).
//!
//! This crate does not depend on the `netnym` core: the objects it logs are opaque bytes with
//! their 32-byte ids. Parsing them, and checking that an entry's id is the id of its envelope,
//! is the consumer's job (LOG-023). It has no I/O, no clock (callers pass `now` as Unix
//! seconds) and no global randomness.
//!
//! ## Map
//!
//! | module | what | rules |
//! | --- | --- | --- |
//! | [`LogEntry`], [`ObjectId`], [`Envelope`], [`DailyStatistics`] | entries and their canonical binary encoding | LOG-001, LOG-002 |
//! | [`TreeHash`], [`leaf_hash`], [`InclusionProof`], [`ConsistencyProof`] | RFC 9162 hashing and proofs | LOG-003, LOG-012, LOG-013 |
//! | [`Checkpoint`] | the checkpoint text | LOG-004 |
//! | [`LogSigningKey`], [`LogVerifyingKey`], [`WitnessSigningKey`], [`WitnessVerifyingKey`] | Ed25519 keys, C2SP names, key ids, vkeys | LOG-006 |
//! | [`SignedCheckpoint`] → [`VerifiedCheckpoint`] | signed note, log signature, cosignatures, quorum, freshness | LOG-005, LOG-007, LOG-008, LOG-010, LOG-011 |
//! | [`WitnessPolicy`] | log key, witnesses, quorum k of n, maximum age | LOG-009 |
//! | [`Log`], [`LogStorage`], [`MemoryStorage`] | the authority side: append, root, proofs, signed checkpoints | LOG-021 |
//! | [`Witness`] | a mirror's cosigning duty | LOG-020 |
//! | [`LogView`], [`VerifiedEntry`], [`ViewState`] | the wallet and verifier side | LOG-014..LOG-018, LOG-022 |
//! | [`EquivocationEvidence`] | two conflicting signed checkpoints | LOG-016, LOG-019 |
//!
//! ## How the services use it
//!
//! - **Authority** (`netnym-store` + `netnym-server`): implements [`LogStorage`] on its
//!   database so that [`Log::append`] writes the entry and its hashes in the same transaction
//!   as the record it describes; after a batch, [`Log::sign_checkpoint`]; serves entries,
//!   [`Log::inclusion_proof`], [`Log::consistency_proof`] and the signed checkpoint.
//! - **Mirror** (a witness): follows the authority's checkpoints with consistency proofs, runs
//!   [`Witness::cosign`] (which refuses rollbacks, forks and failing proofs, returning
//!   [`EquivocationEvidence`] to keep and serve), re-cosigns an unchanged checkpoint on a
//!   schedule so readers stay fresh, and serves the cosigned note, entries and proofs.
//! - **Wallet and verifier**: hold a [`LogView`] under their [`WitnessPolicy`]; refresh it in
//!   the background from mirrors with [`LogView::update`]; accept an issuer key, range
//!   parameters, a registry key or an epoch only through [`LogView::verify_entry`]; report
//!   not-ready when [`LogView::is_ready`] is false; check a request's named checkpoint with
//!   [`LogView::check_named`]; persist [`LogView::state`].
//!
//! # Examples
//!
//! ```
//! use netnym_log::*;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let log_key = LogSigningKey::from_seed("log.example", &[1; 32])?;
//! let w1 = WitnessSigningKey::from_seed("w1.example", &[2; 32])?;
//! let w2 = WitnessSigningKey::from_seed("w2.example", &[3; 32])?;
//! // What wallets and verifiers are configured with: 2 of these 2 witnesses, 1 day.
//! let policy = WitnessPolicy::new(
//!     log_key.verifying_key().clone(),
//!     vec![w1.verifying_key().clone(), w2.verifying_key().clone()],
//!     2,
//!     86_400,
//! )?;
//!
//! // Authority: append and sign.
//! let mut log = Log::new("log.example", MemoryStorage::new())?;
//! let retired = LogEntry::IssuerKeyRetired {
//!     key_id: ObjectId::from_bytes([7; 32]),
//!     retired_at: 1_764_000_000,
//! };
//! let index = log.append(&retired)?;
//! let signed = log.sign_checkpoint(&log_key)?;
//!
//! // Mirrors: cosign.
//! let now = 1_764_000_000;
//! let mut m1 = Witness::new(w1, log_key.verifying_key().clone());
//! let mut m2 = Witness::new(w2, log_key.verifying_key().clone());
//! let note = m1.cosign(signed.as_bytes(), None, now)?;
//! let note = m2.cosign(note.as_bytes(), None, now)?;
//!
//! // Wallet: accept the checkpoint on the quorum, then the entry with its proof.
//! let mut view = LogView::new(policy);
//! view.update(note.as_bytes(), None, now + 60)?;
//! let proof = log.inclusion_proof(index, 1)?;
//! let accepted = view.verify_entry(&log.entry_bytes(index)?, &proof)?;
//! assert_eq!(accepted.entry(), &retired);
//! assert!(view.is_ready(now + 60));
//! assert!(!view.is_ready(now + 86_401));
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

mod checkpoint;
mod entry;
mod error;
mod evidence;
#[cfg(test)]
mod fixture;
mod hash;
mod keys;
mod log;
mod merkle;
mod note;
mod policy;
mod signed;
mod storage;
mod view;
mod witness;

pub use checkpoint::Checkpoint;
pub use entry::{
    DailyStatistics, Date, Envelope, LogEntry, ObjectId, ReasonCode, RefusalCounts, ENTRY_VERSION,
    MAX_ENTRY_BYTES, MAX_ENVELOPE_BYTES, MAX_REASONS, MAX_REASON_LEN,
};
pub use error::{
    CheckpointError, ConsistencyProofError, EntryDecodeError, EntryError, EvidenceError,
    InclusionProofError, KeyError, LogError, NamedCheckpointError, PolicyError, SignError,
};
pub use evidence::{EquivocationEvidence, EvidenceKind, MAX_EVIDENCE_BYTES};
pub use hash::{HashParseError, TreeHash, HASH_LEN};
pub use keys::{
    LogSigningKey, LogVerifyingKey, WitnessSigningKey, WitnessVerifyingKey, MAX_KEY_NAME_LEN,
    TYPE_COSIGNATURE_V1, TYPE_ED25519,
};
pub use log::{append_to_storage, Log};
pub use merkle::{
    leaf_hash, node_hash, ConsistencyProof, InclusionProof, EMPTY_ROOT, MAX_CONSISTENCY_HASHES,
    MAX_INCLUSION_HASHES,
};
pub use note::{MAX_COSIGNATURE_TIMESTAMP, MAX_NOTE_BYTES};
pub use policy::{WitnessPolicy, MAX_AGE_LIMIT, MAX_CLOCK_SKEW, MAX_WITNESSES};
pub use signed::{Cosignature, SignedCheckpoint, VerifiedCheckpoint};
pub use storage::{LogStorage, MemoryStorage, MemoryStorageError};
pub use view::{LogView, RestoreError, UpdateError, VerifiedEntry, ViewState, ViewUpdate};
pub use witness::{Witness, WitnessError};
