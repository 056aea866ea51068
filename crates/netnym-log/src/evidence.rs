//! Equivocation evidence (LOG-016, LOG-019): two checkpoints of one log, both signed by its
//! key, that cannot both be honest.

use serde::{Deserialize, Serialize};

use crate::error::EvidenceError;
use crate::keys::LogVerifyingKey;
use crate::merkle::ConsistencyProof;
use crate::signed::SignedCheckpoint;

const EVIDENCE_TYPE: &str = "netnym-log-equivocation";
const EVIDENCE_VERSION: u64 = 1;
/// Largest evidence JSON accepted, in bytes.
pub const MAX_EVIDENCE_BYTES: usize = 64 * 1024;

/// What the two checkpoints show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum EvidenceKind {
    /// Same size, different roots (LOG-016). Conclusive on its own: anyone holding the log key
    /// can check both signatures and see the two roots.
    Fork,
    /// The second is larger, and the consistency proof offered from the first to the second
    /// fails (LOG-015, LOG-020). Conclusive once the log cannot produce a valid proof between
    /// the two: [`EquivocationEvidence::is_refuted_by`] tells whether a proof clears it.
    Inconsistent,
}

/// Two checkpoints signed by one log key that conflict, kept as the proof that the log
/// equivocated. Serialisable ([`Self::to_json`], [`Self::from_json`]) so wallets can keep it
/// and mirrors serve it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EquivocationEvidence {
    kind: EvidenceKind,
    first: SignedCheckpoint,
    second: SignedCheckpoint,
    proof: Option<ConsistencyProof>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvidenceWire {
    #[serde(rename = "type")]
    ty: String,
    version: u64,
    kind: EvidenceKind,
    first: String,
    second: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    consistency_proof: Option<ConsistencyProof>,
}

impl EquivocationEvidence {
    pub(crate) fn fork(first: SignedCheckpoint, second: SignedCheckpoint) -> Self {
        Self {
            kind: EvidenceKind::Fork,
            first,
            second,
            proof: None,
        }
    }

    pub(crate) fn inconsistent(
        first: SignedCheckpoint,
        second: SignedCheckpoint,
        proof: ConsistencyProof,
    ) -> Self {
        Self {
            kind: EvidenceKind::Inconsistent,
            first,
            second,
            proof: Some(proof),
        }
    }

    /// What the evidence shows.
    #[must_use]
    pub fn kind(&self) -> EvidenceKind {
        self.kind
    }
    /// The checkpoint seen first (the accepted or last cosigned one).
    #[must_use]
    pub fn first(&self) -> &SignedCheckpoint {
        &self.first
    }
    /// The conflicting checkpoint.
    #[must_use]
    pub fn second(&self) -> &SignedCheckpoint {
        &self.second
    }
    /// The failing consistency proof ([`EvidenceKind::Inconsistent`] only).
    #[must_use]
    pub fn proof(&self) -> Option<&ConsistencyProof> {
        self.proof.as_ref()
    }

    /// Judge the evidence against the log's key (LOG-019): both notes carry a valid signature
    /// of `log_key` over checkpoints of its origin, and they conflict as the kind says (a fork:
    /// same size, different roots; inconsistent: first smaller, and the attached proof between
    /// exactly those sizes fails).
    ///
    /// # Errors
    /// [`EvidenceError::Signature`] or [`EvidenceError::NotConflicting`].
    pub fn verify(&self, log_key: &LogVerifyingKey) -> Result<EvidenceKind, EvidenceError> {
        for note in [&self.first, &self.second] {
            note.verify_log_signature(log_key)
                .map_err(EvidenceError::Signature)?;
        }
        let (a, b) = (self.first.checkpoint(), self.second.checkpoint());
        let conflicting = match (self.kind, &self.proof) {
            (EvidenceKind::Fork, None) => a.size() == b.size() && a.root() != b.root(),
            (EvidenceKind::Inconsistent, Some(p)) => {
                a.size() < b.size()
                    && p.old_size() == a.size()
                    && p.new_size() == b.size()
                    && p.verify(a.root(), b.root()).is_err()
            }
            _ => false,
        };
        if conflicting {
            Ok(self.kind)
        } else {
            Err(EvidenceError::NotConflicting)
        }
    }

    /// Whether `proof` shows the two checkpoints consistent after all (an
    /// [`EvidenceKind::Inconsistent`] record whose failing proof was bad, not the log). A fork
    /// is never refuted.
    #[must_use]
    pub fn is_refuted_by(&self, proof: &ConsistencyProof) -> bool {
        let (a, b) = (self.first.checkpoint(), self.second.checkpoint());
        self.kind == EvidenceKind::Inconsistent
            && proof.old_size() == a.size()
            && proof.new_size() == b.size()
            && proof.verify(a.root(), b.root()).is_ok()
    }

    /// The JSON form: `{"type": "netnym-log-equivocation", "version": 1, "kind", "first",
    /// "second"[, "consistency_proof"]}` with the two signed notes as strings.
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        let text = |s: &SignedCheckpoint| String::from_utf8_lossy(s.as_bytes()).into_owned();
        serde_json::to_vec_pretty(&EvidenceWire {
            ty: EVIDENCE_TYPE.to_owned(),
            version: EVIDENCE_VERSION,
            kind: self.kind,
            first: text(&self.first),
            second: text(&self.second),
            consistency_proof: self.proof.clone(),
        })
        .unwrap_or_default()
    }

    /// Parse the JSON form. The notes must parse (LOG-005, LOG-004); signatures and the
    /// conflict are checked by [`Self::verify`].
    ///
    /// # Errors
    /// [`EvidenceError::Malformed`].
    pub fn from_json(bytes: &[u8]) -> Result<Self, EvidenceError> {
        if bytes.len() > MAX_EVIDENCE_BYTES {
            return Err(EvidenceError::Malformed("too large".to_owned()));
        }
        let w: EvidenceWire =
            serde_json::from_slice(bytes).map_err(|e| EvidenceError::Malformed(e.to_string()))?;
        if w.ty != EVIDENCE_TYPE || w.version != EVIDENCE_VERSION {
            return Err(EvidenceError::Malformed("type or version".to_owned()));
        }
        let note = |t: &str| {
            SignedCheckpoint::parse(t.as_bytes())
                .map_err(|e| EvidenceError::Malformed(e.to_string()))
        };
        Ok(Self {
            kind: w.kind,
            first: note(&w.first)?,
            second: note(&w.second)?,
            proof: w.consistency_proof,
        })
    }
}

#[cfg(test)]
mod tests;
