//! What wallets and verifiers run: a view of one log under a witness policy (LOG-014..LOG-018,
//! LOG-022).

use serde::{Deserialize, Serialize};

use crate::entry::LogEntry;
use crate::error::{EntryError, NamedCheckpointError, RestoreError, UpdateError};
use crate::evidence::EquivocationEvidence;
use crate::hash::TreeHash;
use crate::merkle::{leaf_hash, ConsistencyProof, InclusionProof, EMPTY_ROOT};
use crate::policy::WitnessPolicy;
use crate::signed::{SignedCheckpoint, VerifiedCheckpoint};

/// The accepted checkpoint of one log, advanced only to checkpoints that verify under the
/// policy and extend it; entries are accepted only with an inclusion proof in it.
///
/// Once it has caught the log signing two roots for one size it keeps that evidence and
/// refuses every further update and entry (LOG-016).
#[derive(Clone, Debug)]
pub struct LogView {
    policy: WitnessPolicy,
    accepted: Option<VerifiedCheckpoint>,
    evidence: Option<EquivocationEvidence>,
}

/// How [`LogView::update`] changed the view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ViewUpdate {
    /// The first accepted checkpoint.
    First {
        /// Its size.
        size: u64,
    },
    /// Advanced to a larger checkpoint.
    Extended {
        /// The previous size.
        from: u64,
        /// The new size.
        to: u64,
    },
    /// The same checkpoint with newer cosignatures (kept if they stay fresh longer).
    Refreshed {
        /// The size.
        size: u64,
    },
}

/// An entry accepted through the view: decoded, and proven to be at `index` in the accepted
/// checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedEntry {
    index: u64,
    tree_size: u64,
    entry: LogEntry,
}

impl VerifiedEntry {
    /// The entry's index in the log.
    #[must_use]
    pub fn index(&self) -> u64 {
        self.index
    }
    /// The size of the checkpoint it was proven in.
    #[must_use]
    pub fn tree_size(&self) -> u64 {
        self.tree_size
    }
    /// The entry.
    #[must_use]
    pub fn entry(&self) -> &LogEntry {
        &self.entry
    }
    /// The entry, consuming the proof record.
    #[must_use]
    pub fn into_entry(self) -> LogEntry {
        self.entry
    }
}

/// What a wallet or verifier persists of a view: the accepted signed note and any evidence.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewState {
    /// The accepted checkpoint's signed note, as text.
    pub accepted: Option<String>,
    /// The equivocation evidence's JSON ([`EquivocationEvidence::to_json`]), as text.
    pub evidence: Option<String>,
}

impl LogView {
    /// An empty view: it accepts its first checkpoint on the policy alone.
    #[must_use]
    pub fn new(policy: WitnessPolicy) -> Self {
        Self {
            policy,
            accepted: None,
            evidence: None,
        }
    }

    /// Restore a persisted view: the accepted note must still carry a valid log signature and
    /// a quorum of valid trusted cosignatures (LOG-007, LOG-008, LOG-010), but may be stale
    /// (the view is then not ready, LOG-022, until updated); evidence must verify under the
    /// policy's log key (LOG-019).
    ///
    /// # Errors
    /// [`UpdateError::Checkpoint`] for the note; evidence failures as
    /// [`crate::EvidenceError`] through [`RestoreError`].
    pub fn restore(
        policy: WitnessPolicy,
        state: &ViewState,
        now: u64,
    ) -> Result<Self, RestoreError> {
        let accepted = match &state.accepted {
            None => None,
            Some(text) => {
                let signed = SignedCheckpoint::parse(text.as_bytes()).map_err(UpdateError::from)?;
                let cosignatures = signed
                    .check_signatures(policy.log_key(), policy.witnesses())
                    .map_err(UpdateError::from)?;
                Some(
                    VerifiedCheckpoint::from_checked(signed, cosignatures, &policy, now, false)
                        .map_err(UpdateError::from)?,
                )
            }
        };
        let evidence = match &state.evidence {
            None => None,
            Some(json) => {
                let e = EquivocationEvidence::from_json(json.as_bytes())?;
                e.verify(policy.log_key())?;
                Some(e)
            }
        };
        Ok(Self {
            policy,
            accepted,
            evidence,
        })
    }

    /// What to persist.
    #[must_use]
    pub fn state(&self) -> ViewState {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        ViewState {
            accepted: self.accepted.as_ref().map(|v| text(v.signed().as_bytes())),
            evidence: self.evidence.as_ref().map(|e| text(&e.to_json())),
        }
    }

    /// The policy.
    #[must_use]
    pub fn policy(&self) -> &WitnessPolicy {
        &self.policy
    }
    /// The accepted checkpoint.
    #[must_use]
    pub fn accepted(&self) -> Option<&VerifiedCheckpoint> {
        self.accepted.as_ref()
    }
    /// The proof of equivocation this view holds, if it caught the log.
    #[must_use]
    pub fn evidence(&self) -> Option<&EquivocationEvidence> {
        self.evidence.as_ref()
    }

    /// Whether the view may be used at `now` (LOG-022): it has an accepted checkpoint whose
    /// quorum of cosignatures is within the maximum age, and no evidence of equivocation.
    #[must_use]
    pub fn is_ready(&self, now: u64) -> bool {
        self.evidence.is_none() && self.accepted.as_ref().is_some_and(|a| a.is_fresh(now))
    }

    /// Offer a new signed checkpoint, with the consistency proof from the accepted checkpoint
    /// when it is larger (LOG-014..LOG-016).
    ///
    /// Order of checks: syntax (LOG-005, LOG-004), origin, log signature and trusted
    /// cosignatures (LOG-007, LOG-008); against the accepted checkpoint, a different root for
    /// the same size is a fork (LOG-016, recorded as evidence), a smaller size a rollback
    /// (LOG-014); then quorum and freshness at `now` (LOG-010, LOG-011); then consistency
    /// (LOG-015). A proof must be given exactly when the accepted checkpoint is non-empty and
    /// smaller, for exactly those two sizes.
    ///
    /// # Errors
    /// [`UpdateError`], naming the rule; the view is unchanged except that a fork is recorded.
    pub fn update(
        &mut self,
        note: &[u8],
        proof: Option<&ConsistencyProof>,
        now: u64,
    ) -> Result<ViewUpdate, UpdateError> {
        if self.evidence.is_some() {
            return Err(UpdateError::Equivocated);
        }
        let signed = SignedCheckpoint::parse(note)?;
        let cosignatures =
            signed.check_signatures(self.policy.log_key(), self.policy.witnesses())?;
        let new = signed.checkpoint().clone();
        if let Some(acc) = &self.accepted {
            let old = acc.checkpoint();
            if new.size() == old.size() && new.root() != old.root() {
                let evidence = EquivocationEvidence::fork(acc.signed().clone(), signed);
                self.evidence = Some(evidence.clone());
                return Err(UpdateError::Fork(Box::new(evidence)));
            }
            if new.size() < old.size() {
                return Err(UpdateError::Rollback {
                    accepted: old.size(),
                    got: new.size(),
                });
            }
        }
        let verified =
            VerifiedCheckpoint::from_checked(signed, cosignatures, &self.policy, now, true)?;
        let outcome = match &self.accepted {
            None => {
                if proof.is_some() {
                    return Err(UpdateError::ProofShape {
                        accepted: 0,
                        got: new.size(),
                    });
                }
                ViewUpdate::First { size: new.size() }
            }
            Some(acc) => {
                let old = acc.checkpoint();
                let shape = UpdateError::ProofShape {
                    accepted: old.size(),
                    got: new.size(),
                };
                if old.size() == new.size() || old.size() == 0 {
                    if proof.is_some() {
                        return Err(shape);
                    }
                } else {
                    let p = proof
                        .filter(|p| p.old_size() == old.size() && p.new_size() == new.size())
                        .ok_or(shape)?;
                    if p.verify(old.root(), new.root()).is_err() {
                        return Err(UpdateError::Inconsistent(Box::new(
                            EquivocationEvidence::inconsistent(
                                acc.signed().clone(),
                                verified.signed().clone(),
                                p.clone(),
                            ),
                        )));
                    }
                }
                if old.size() == new.size() {
                    // Same checkpoint: keep whichever note stays fresh longer.
                    if verified.fresh_until() < acc.fresh_until() {
                        return Ok(ViewUpdate::Refreshed { size: new.size() });
                    }
                    ViewUpdate::Refreshed { size: new.size() }
                } else {
                    ViewUpdate::Extended {
                        from: old.size(),
                        to: new.size(),
                    }
                }
            }
        };
        self.accepted = Some(verified);
        Ok(outcome)
    }

    /// Accept an entry (LOG-017): it decodes (LOG-001, LOG-002) and the inclusion proof, for
    /// the accepted checkpoint's size, leads from its leaf hash to the accepted root
    /// (LOG-012).
    ///
    /// # Errors
    /// [`EntryError`], naming the rule.
    pub fn verify_entry(
        &self,
        entry: &[u8],
        proof: &InclusionProof,
    ) -> Result<VerifiedEntry, EntryError> {
        if self.evidence.is_some() {
            return Err(EntryError::Equivocated);
        }
        let acc = self.accepted.as_ref().ok_or(EntryError::NoCheckpoint)?;
        let cp = acc.checkpoint();
        if proof.tree_size() != cp.size() {
            return Err(EntryError::WrongTreeSize {
                proof: proof.tree_size(),
                accepted: cp.size(),
            });
        }
        let decoded = LogEntry::decode(entry)?;
        proof.verify(&leaf_hash(entry), cp.root())?;
        Ok(VerifiedEntry {
            index: proof.leaf_index(),
            tree_size: cp.size(),
            entry: decoded,
        })
    }

    /// Check a checkpoint someone else names by size and root (a verifier's presentation
    /// request, LOG-018) against the accepted one: equal size needs the equal root; a smaller
    /// one needs a valid consistency proof from it to the accepted checkpoint (none for size
    /// 0, whose root must be the empty tree's); a larger one is refused until the view has
    /// caught up.
    ///
    /// # Errors
    /// [`NamedCheckpointError`], naming the rule.
    pub fn check_named(
        &self,
        size: u64,
        root: &TreeHash,
        proof: Option<&ConsistencyProof>,
    ) -> Result<(), NamedCheckpointError> {
        if self.evidence.is_some() {
            return Err(NamedCheckpointError::Equivocated);
        }
        let acc = self
            .accepted
            .as_ref()
            .ok_or(NamedCheckpointError::NoCheckpoint)?
            .checkpoint();
        let shape = NamedCheckpointError::ProofShape {
            named: size,
            accepted: acc.size(),
        };
        if size > acc.size() {
            return Err(NamedCheckpointError::Ahead {
                named: size,
                accepted: acc.size(),
            });
        }
        if size == acc.size() || size == 0 {
            if proof.is_some() {
                return Err(shape);
            }
            let expected = if size == 0 { &EMPTY_ROOT } else { acc.root() };
            return if root == expected {
                Ok(())
            } else {
                Err(NamedCheckpointError::Contradicts)
            };
        }
        let p = proof
            .filter(|p| p.old_size() == size && p.new_size() == acc.size())
            .ok_or(shape)?;
        p.verify(root, acc.root())
            .map_err(|_| NamedCheckpointError::Contradicts)
    }
}

#[cfg(test)]
mod tests;
