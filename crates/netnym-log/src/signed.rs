//! Signed checkpoints: bytes → [`SignedCheckpoint`] (syntax) → [`VerifiedCheckpoint`] (log
//! signature, quorum of cosignatures, freshness) (LOG-005, LOG-007, LOG-008, LOG-010,
//! LOG-011).

use signed_note::{Note, NoteError};

use crate::checkpoint::Checkpoint;
use crate::error::{CheckpointError, SignError};
use crate::keys::{LogSigningKey, LogVerifyingKey, WitnessSigningKey, WitnessVerifyingKey};
use crate::note::{cosignature_timestamp, Cosigner, KnownKeys, LogSigner, MAX_NOTE_BYTES};
use crate::policy::{WitnessPolicy, MAX_CLOCK_SKEW};

/// A checkpoint as a C2SP signed note, syntactically valid but not yet verified.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    note: Vec<u8>,
    checkpoint: Checkpoint,
}

impl core::fmt::Debug for SignedCheckpoint {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SignedCheckpoint")
            .field("origin", &self.checkpoint.origin())
            .field("size", &self.checkpoint.size())
            .field("root", self.checkpoint.root())
            .finish_non_exhaustive()
    }
}

/// One counted cosignature: the witness and when it cosigned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cosignature {
    witness: String,
    timestamp: u64,
}

impl Cosignature {
    /// The witness's name.
    #[must_use]
    pub fn witness(&self) -> &str {
        &self.witness
    }
    /// When it cosigned (Unix seconds).
    #[must_use]
    pub fn timestamp(&self) -> u64 {
        self.timestamp
    }
}

fn note_error(e: &NoteError) -> CheckpointError {
    CheckpointError::Note(e.to_string())
}

impl SignedCheckpoint {
    /// Sign `checkpoint` with the log key (LOG-007).
    ///
    /// # Errors
    /// [`SignError::KeyNotForOrigin`] unless the key is named by the checkpoint's origin.
    pub fn sign(checkpoint: &Checkpoint, key: &LogSigningKey) -> Result<Self, SignError> {
        if key.verifying_key().name() != checkpoint.origin() {
            return Err(SignError::KeyNotForOrigin {
                key: key.verifying_key().name().to_owned(),
                origin: checkpoint.origin().to_owned(),
            });
        }
        let mut note = Note::new(checkpoint.to_text().as_bytes(), &[])
            .map_err(|e| SignError::Note(e.to_string()))?;
        note.add_sigs(&[&LogSigner(key)])
            .map_err(|e| SignError::Note(e.to_string()))?;
        Ok(Self {
            note: note.to_bytes(),
            checkpoint: checkpoint.clone(),
        })
    }

    /// Parse a signed note carrying a checkpoint (LOG-005, LOG-004). Signatures are not
    /// checked yet.
    ///
    /// # Errors
    /// [`CheckpointError::Note`] for a note larger than 16 KiB, not in C2SP signed-note syntax
    /// (at least one signature line, at most 100) or not in its canonical form;
    /// [`CheckpointError::Text`] for a body that is not a checkpoint (LOG-004).
    pub fn parse(bytes: &[u8]) -> Result<Self, CheckpointError> {
        if bytes.len() > MAX_NOTE_BYTES {
            return Err(CheckpointError::Note(format!(
                "{} bytes > {MAX_NOTE_BYTES}",
                bytes.len()
            )));
        }
        let note = Note::from_bytes(bytes).map_err(|e| note_error(&e))?;
        if note.to_bytes() != bytes {
            return Err(CheckpointError::Note(
                "not the canonical encoding".to_owned(),
            ));
        }
        let checkpoint = Checkpoint::parse(note.text())?;
        Ok(Self {
            note: bytes.to_vec(),
            checkpoint,
        })
    }

    /// The checkpoint the note carries.
    #[must_use]
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }
    /// The signed note's bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.note
    }

    /// The note with a `cosignature/v1` by `key` at `timestamp` added (replacing an earlier
    /// one by the same key). Callers are [`crate::Witness`] (after its checks, LOG-020) and
    /// tests.
    pub(crate) fn add_cosignature(
        &self,
        key: &WitnessSigningKey,
        timestamp: u64,
    ) -> Result<Self, SignError> {
        let mut note = self.parsed_note()?;
        note.add_sigs(&[&Cosigner { key, timestamp }])
            .map_err(|e| SignError::Note(e.to_string()))?;
        Ok(Self {
            note: note.to_bytes(),
            checkpoint: self.checkpoint.clone(),
        })
    }

    fn parsed_note(&self) -> Result<Note, SignError> {
        Note::from_bytes(&self.note).map_err(|e| SignError::Note(e.to_string()))
    }

    /// Check only the log's signature (LOG-004 origin, LOG-007): what a reader without a
    /// witness policy, or a judge of equivocation evidence, can check.
    ///
    /// # Errors
    /// [`CheckpointError::Origin`], [`CheckpointError::MissingLogSignature`],
    /// [`CheckpointError::BadLogSignature`].
    pub fn verify_log_signature(&self, key: &LogVerifyingKey) -> Result<(), CheckpointError> {
        self.check_signatures(key, &[]).map(|_| ())
    }

    /// Verify against a witness policy at time `now` (Unix seconds): origin (LOG-004), log
    /// signature (LOG-007), every signature by a trusted witness valid (LOG-008), a quorum of
    /// distinct trusted witnesses (LOG-010), of which a quorum cosigned within the policy's
    /// maximum age (LOG-011). Signature lines of other keys are ignored.
    ///
    /// # Errors
    /// [`CheckpointError`], naming the rule.
    pub fn verify(
        &self,
        policy: &WitnessPolicy,
        now: u64,
    ) -> Result<VerifiedCheckpoint, CheckpointError> {
        let cosignatures = self.check_signatures(policy.log_key(), policy.witnesses())?;
        VerifiedCheckpoint::from_checked(self.clone(), cosignatures, policy, now, true)
    }

    /// LOG-004, LOG-007 and LOG-008: the log signature and every trusted cosignature verify;
    /// returns the trusted cosignatures.
    pub(crate) fn check_signatures(
        &self,
        log_key: &LogVerifyingKey,
        witnesses: &[WitnessVerifyingKey],
    ) -> Result<Vec<Cosignature>, CheckpointError> {
        if self.checkpoint.origin() != log_key.name() {
            return Err(CheckpointError::Origin {
                expected: log_key.name().to_owned(),
                got: self.checkpoint.origin().to_owned(),
            });
        }
        let note = Note::from_bytes(&self.note).map_err(|e| note_error(&e))?;
        let known = KnownKeys::new(Some(log_key), witnesses);
        let verified = match note.verify(&known) {
            Ok((verified, _unknown)) => verified,
            Err(NoteError::InvalidSignature { name, id }) => {
                return Err(if known.is_log(&name, id) {
                    CheckpointError::BadLogSignature
                } else {
                    CheckpointError::BadCosignature { witness: name }
                })
            }
            Err(NoteError::UnverifiedNote) => return Err(CheckpointError::MissingLogSignature),
            Err(e) => return Err(note_error(&e)),
        };
        if !verified.iter().any(|s| known.is_log(s.name(), s.id())) {
            return Err(CheckpointError::MissingLogSignature);
        }
        let mut cosignatures = Vec::new();
        for sig in &verified {
            if known.witness_index(sig.name(), sig.id()).is_some() {
                // A verified cosignature has a well-formed timestamp.
                let timestamp = cosignature_timestamp(sig.signature()).ok_or_else(|| {
                    CheckpointError::BadCosignature {
                        witness: sig.name().to_owned(),
                    }
                })?;
                cosignatures.push(Cosignature {
                    witness: sig.name().to_owned(),
                    timestamp,
                });
            }
        }
        Ok(cosignatures)
    }
}

/// A checkpoint whose log signature and quorum of cosignatures verified under a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedCheckpoint {
    signed: SignedCheckpoint,
    cosignatures: Vec<Cosignature>,
    fresh_until: u64,
}

impl VerifiedCheckpoint {
    /// LOG-010 and, if `require_fresh`, LOG-011 on the trusted cosignatures of a note whose
    /// signatures checked.
    pub(crate) fn from_checked(
        signed: SignedCheckpoint,
        cosignatures: Vec<Cosignature>,
        policy: &WitnessPolicy,
        now: u64,
        require_fresh: bool,
    ) -> Result<Self, CheckpointError> {
        let fresh_until = quorum_deadline(&cosignatures, policy, now)?;
        if require_fresh && fresh_until < now {
            let fresh = count_fresh(&cosignatures, policy, now);
            return Err(CheckpointError::NotFresh {
                fresh,
                need: policy.quorum(),
            });
        }
        Ok(Self {
            signed,
            cosignatures,
            fresh_until,
        })
    }

    /// The checkpoint.
    #[must_use]
    pub fn checkpoint(&self) -> &Checkpoint {
        self.signed.checkpoint()
    }
    /// The signed note.
    #[must_use]
    pub fn signed(&self) -> &SignedCheckpoint {
        &self.signed
    }
    /// The trusted witnesses' cosignatures on it.
    #[must_use]
    pub fn cosignatures(&self) -> &[Cosignature] {
        &self.cosignatures
    }
    /// The last second at which a quorum of its cosignatures is still within the maximum age
    /// (LOG-022): the `k`-th newest counted timestamp plus the maximum age.
    #[must_use]
    pub fn fresh_until(&self) -> u64 {
        self.fresh_until
    }
    /// Whether a quorum of its cosignatures is within the maximum age at `now` (LOG-022).
    #[must_use]
    pub fn is_fresh(&self, now: u64) -> bool {
        now <= self.fresh_until
    }
}

fn counts_at(ts: u64, now: u64) -> bool {
    ts <= now.saturating_add(MAX_CLOCK_SKEW)
}

fn count_fresh(cosignatures: &[Cosignature], policy: &WitnessPolicy, now: u64) -> usize {
    cosignatures
        .iter()
        .filter(|c| {
            counts_at(c.timestamp, now) && c.timestamp.saturating_add(policy.max_age()) >= now
        })
        .count()
}

/// LOG-010: at least `k` trusted cosignatures; LOG-011: the deadline until which `k` of them
/// (ignoring timestamps more than [`MAX_CLOCK_SKEW`] ahead of `now`) stay within the maximum
/// age.
fn quorum_deadline(
    cosignatures: &[Cosignature],
    policy: &WitnessPolicy,
    now: u64,
) -> Result<u64, CheckpointError> {
    let need = policy.quorum();
    if cosignatures.len() < need {
        return Err(CheckpointError::TooFewCosignatures {
            have: cosignatures.len(),
            need,
        });
    }
    let mut stamps: Vec<u64> = cosignatures
        .iter()
        .map(Cosignature::timestamp)
        .filter(|&ts| counts_at(ts, now))
        .collect();
    stamps.sort_unstable_by(|a, b| b.cmp(a));
    match stamps.get(need - 1) {
        Some(kth) => Ok(kth.saturating_add(policy.max_age())),
        None => Err(CheckpointError::NotFresh {
            fresh: count_fresh(cosignatures, policy, now),
            need,
        }),
    }
}

#[cfg(test)]
mod tests;
