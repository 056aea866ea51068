//! A witness's cosigning duty (LOG-020): what a mirror runs before it adds its cosignature.

use crate::error::WitnessError;
use crate::evidence::EquivocationEvidence;
use crate::keys::{LogVerifyingKey, WitnessSigningKey};
use crate::merkle::ConsistencyProof;
use crate::note::MAX_COSIGNATURE_TIMESTAMP;
use crate::signed::SignedCheckpoint;

/// A witness of one log: cosigns a checkpoint only if the log signed it and it is consistent
/// with the last checkpoint this witness cosigned, so the witness never cosigns both sides of a
/// fork (LOG-020). Its cosignature timestamps never decrease.
#[derive(Debug)]
pub struct Witness {
    key: WitnessSigningKey,
    log_key: LogVerifyingKey,
    last: Option<SignedCheckpoint>,
    last_timestamp: u64,
}

impl Witness {
    /// A witness that has cosigned nothing yet.
    #[must_use]
    pub fn new(key: WitnessSigningKey, log_key: LogVerifyingKey) -> Self {
        Self {
            key,
            log_key,
            last: None,
            last_timestamp: 0,
        }
    }

    /// A witness resuming from its persisted state: the last note it cosigned and that
    /// cosignature's timestamp.
    ///
    /// # Errors
    /// [`WitnessError::Checkpoint`] if the note does not parse or is not signed by the log.
    pub fn restore(
        key: WitnessSigningKey,
        log_key: LogVerifyingKey,
        last: &[u8],
        last_timestamp: u64,
    ) -> Result<Self, WitnessError> {
        let signed = SignedCheckpoint::parse(last)?;
        signed.verify_log_signature(&log_key)?;
        Ok(Self {
            key,
            log_key,
            last: Some(signed),
            last_timestamp,
        })
    }

    /// The last checkpoint this witness cosigned.
    #[must_use]
    pub fn last(&self) -> Option<&SignedCheckpoint> {
        self.last.as_ref()
    }
    /// The timestamp of its last cosignature.
    #[must_use]
    pub fn last_timestamp(&self) -> u64 {
        self.last_timestamp
    }

    /// Cosign `note` at `now` (LOG-020): the note must parse and carry a valid log signature
    /// (LOG-004, LOG-005, LOG-007); against the last cosigned checkpoint, the same size must
    /// have the same root (a re-cosignature, which keeps readers fresh), a smaller size is
    /// refused, a larger one needs a valid consistency proof between exactly those sizes. The
    /// cosignature's timestamp is `max(now, last timestamp)`. Returns the note with this
    /// witness's cosignature added; other signature lines are kept as they came.
    ///
    /// # Errors
    /// [`WitnessError`]: a fork or a failing proof carries the evidence (both signed notes) for
    /// the mirror to keep and serve.
    pub fn cosign(
        &mut self,
        note: &[u8],
        proof: Option<&ConsistencyProof>,
        now: u64,
    ) -> Result<SignedCheckpoint, WitnessError> {
        let signed = SignedCheckpoint::parse(note)?;
        signed.verify_log_signature(&self.log_key)?;
        let new = signed.checkpoint();
        if let Some(last) = &self.last {
            let old = last.checkpoint();
            let shape = WitnessError::ProofShape {
                last: old.size(),
                got: new.size(),
            };
            if new.size() == old.size() {
                if new.root() != old.root() {
                    return Err(WitnessError::Fork(Box::new(EquivocationEvidence::fork(
                        last.clone(),
                        signed,
                    ))));
                }
                if proof.is_some() {
                    return Err(shape);
                }
            } else if new.size() < old.size() {
                return Err(WitnessError::Rollback {
                    last: old.size(),
                    got: new.size(),
                });
            } else if old.size() == 0 {
                if proof.is_some() {
                    return Err(shape);
                }
            } else {
                let p = proof
                    .filter(|p| p.old_size() == old.size() && p.new_size() == new.size())
                    .ok_or(shape)?;
                if p.verify(old.root(), new.root()).is_err() {
                    return Err(WitnessError::Inconsistent(Box::new(
                        EquivocationEvidence::inconsistent(last.clone(), signed, p.clone()),
                    )));
                }
            }
        }
        let timestamp = now.max(self.last_timestamp).min(MAX_COSIGNATURE_TIMESTAMP);
        let cosigned = signed.add_cosignature(&self.key, timestamp)?;
        self.last = Some(cosigned.clone());
        self.last_timestamp = timestamp;
        Ok(cosigned)
    }
}

#[cfg(test)]
mod tests;
