//! RFC 9162 Merkle tree hashing and proofs (LOG-003, LOG-012, LOG-013).
//!
//! Hashing and the proof algorithms are `tlog_tiles`' port of Go's `golang.org/x/mod/sumdb/tlog`;
//! this module adds the bounds and edge cases of spec/12 around them (proof length limits, the
//! empty tree, equal sizes) so that its answers agree with the transparency-dev/merkle test probes
//! (`tests/published.rs`).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{ConsistencyProofError, InclusionProofError};
use crate::hash::TreeHash;

/// Most hashes an inclusion proof may carry: a tree of at most `2^64 − 1` leaves is at most 64
/// levels deep (LOG-012).
pub const MAX_INCLUSION_HASHES: usize = 64;

/// Most hashes a consistency proof may carry (LOG-013): one per level of the larger tree plus
/// the subtree root the proof starts from.
pub const MAX_CONSISTENCY_HASHES: usize = 65;

/// The root of the empty tree: `SHA-256("")` (RFC 9162 §2.1.1).
pub const EMPTY_ROOT: TreeHash = TreeHash::from_bytes(tlog_tiles::EMPTY_HASH.0);

/// The leaf hash of an encoded entry: `SHA-256(0x00 ‖ entry)` (LOG-003, RFC 9162 §2.1.1).
#[must_use]
pub fn leaf_hash(entry: &[u8]) -> TreeHash {
    TreeHash::from_tlog(tlog_tiles::record_hash(entry))
}

/// The hash of an interior node: `SHA-256(0x01 ‖ left ‖ right)` (LOG-003).
#[must_use]
pub fn node_hash(left: &TreeHash, right: &TreeHash) -> TreeHash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left.as_bytes());
    h.update(right.as_bytes());
    TreeHash::from_bytes(h.finalize().into())
}

/// The proof that the leaf at `leaf_index` is in the tree of `tree_size` leaves (RFC 9162
/// §2.1.3): the audit path, bottom-up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "InclusionWire")]
pub struct InclusionProof {
    leaf_index: u64,
    tree_size: u64,
    hashes: Vec<TreeHash>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InclusionWire {
    leaf_index: u64,
    tree_size: u64,
    hashes: Vec<TreeHash>,
}

impl TryFrom<InclusionWire> for InclusionProof {
    type Error = InclusionProofError;
    fn try_from(w: InclusionWire) -> Result<Self, Self::Error> {
        Self::new(w.leaf_index, w.tree_size, w.hashes)
    }
}

impl InclusionProof {
    /// Assemble a proof from its parts.
    ///
    /// # Errors
    /// LOG-012: [`InclusionProofError::IndexOutOfRange`] unless `leaf_index < tree_size`,
    /// [`InclusionProofError::TooManyHashes`] beyond [`MAX_INCLUSION_HASHES`].
    pub fn new(
        leaf_index: u64,
        tree_size: u64,
        hashes: Vec<TreeHash>,
    ) -> Result<Self, InclusionProofError> {
        if leaf_index >= tree_size {
            return Err(InclusionProofError::IndexOutOfRange {
                index: leaf_index,
                size: tree_size,
            });
        }
        if hashes.len() > MAX_INCLUSION_HASHES {
            return Err(InclusionProofError::TooManyHashes { len: hashes.len() });
        }
        Ok(Self {
            leaf_index,
            tree_size,
            hashes,
        })
    }

    /// The index of the proven leaf.
    #[must_use]
    pub fn leaf_index(&self) -> u64 {
        self.leaf_index
    }
    /// The size of the tree the proof is for.
    #[must_use]
    pub fn tree_size(&self) -> u64 {
        self.tree_size
    }
    /// The audit path.
    #[must_use]
    pub fn hashes(&self) -> &[TreeHash] {
        &self.hashes
    }

    /// Check that the leaf with hash `leaf` is at `leaf_index` in the tree of `tree_size` leaves
    /// whose root is `root` (LOG-012, RFC 9162 §2.1.3.2). The proof must have exactly the
    /// length the algorithm consumes.
    ///
    /// # Errors
    /// [`InclusionProofError::Mismatch`] if the path does not lead to `root`.
    pub fn verify(&self, leaf: &TreeHash, root: &TreeHash) -> Result<(), InclusionProofError> {
        let path: Vec<tlog_tiles::Hash> = self.hashes.iter().map(|h| h.to_tlog()).collect();
        tlog_tiles::check_record(
            &path,
            self.tree_size,
            root.to_tlog(),
            self.leaf_index,
            leaf.to_tlog(),
        )
        .map_err(|_| InclusionProofError::Mismatch)
    }
}

/// The proof that the tree of `old_size` leaves is a prefix of the tree of `new_size` leaves
/// (RFC 9162 §2.1.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "ConsistencyWire")]
pub struct ConsistencyProof {
    old_size: u64,
    new_size: u64,
    hashes: Vec<TreeHash>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsistencyWire {
    old_size: u64,
    new_size: u64,
    hashes: Vec<TreeHash>,
}

impl TryFrom<ConsistencyWire> for ConsistencyProof {
    type Error = ConsistencyProofError;
    fn try_from(w: ConsistencyWire) -> Result<Self, Self::Error> {
        Self::new(w.old_size, w.new_size, w.hashes)
    }
}

impl ConsistencyProof {
    /// Assemble a proof from its parts.
    ///
    /// # Errors
    /// LOG-013: [`ConsistencyProofError::SizeOrder`] unless `1 ≤ old_size ≤ new_size` (a proof
    /// from the empty tree proves nothing), [`ConsistencyProofError::TooManyHashes`] beyond
    /// [`MAX_CONSISTENCY_HASHES`].
    pub fn new(
        old_size: u64,
        new_size: u64,
        hashes: Vec<TreeHash>,
    ) -> Result<Self, ConsistencyProofError> {
        if old_size == 0 || old_size > new_size {
            return Err(ConsistencyProofError::SizeOrder {
                old: old_size,
                new: new_size,
            });
        }
        if hashes.len() > MAX_CONSISTENCY_HASHES {
            return Err(ConsistencyProofError::TooManyHashes { len: hashes.len() });
        }
        Ok(Self {
            old_size,
            new_size,
            hashes,
        })
    }

    /// The size of the older tree.
    #[must_use]
    pub fn old_size(&self) -> u64 {
        self.old_size
    }
    /// The size of the newer tree.
    #[must_use]
    pub fn new_size(&self) -> u64 {
        self.new_size
    }
    /// The proof's hashes.
    #[must_use]
    pub fn hashes(&self) -> &[TreeHash] {
        &self.hashes
    }

    /// Check that the tree of `old_size` leaves with root `old_root` is a prefix of the tree of
    /// `new_size` leaves with root `new_root` (LOG-013, RFC 9162 §2.1.4.2). Equal sizes need an
    /// empty proof and equal roots; otherwise the proof must be non-empty and of exactly the
    /// length the algorithm consumes.
    ///
    /// # Errors
    /// [`ConsistencyProofError::Mismatch`] if the proof does not connect the two roots.
    pub fn verify(
        &self,
        old_root: &TreeHash,
        new_root: &TreeHash,
    ) -> Result<(), ConsistencyProofError> {
        if self.old_size == self.new_size {
            return if self.hashes.is_empty() && old_root == new_root {
                Ok(())
            } else {
                Err(ConsistencyProofError::Mismatch)
            };
        }
        if self.hashes.is_empty() {
            return Err(ConsistencyProofError::Mismatch);
        }
        let path: Vec<tlog_tiles::Hash> = self.hashes.iter().map(|h| h.to_tlog()).collect();
        tlog_tiles::check_tree(
            &path,
            self.new_size,
            new_root.to_tlog(),
            self.old_size,
            old_root.to_tlog(),
        )
        .map_err(|_| ConsistencyProofError::Mismatch)
    }
}

#[cfg(test)]
mod tests;
