//! Where a [`crate::Log`] keeps its entries and tree hashes (LOG-021).
//!
//! The tree is stored as Go `tlog`'s "stored hashes": every leaf hash and every hash of a
//! complete subtree, at the dense index `stored_hash_index(level, n)` (Crosby–Wallach §3.3).
//! Appending entry `n` writes exactly the hashes it completes, contiguously from
//! `stored_hash_index(0, n)`; nothing stored is ever rewritten. `netnym-store` implements this
//! trait over SQLite and PostgreSQL tables written in the same transaction as the record the
//! entry describes.

use crate::hash::TreeHash;

/// Storage of an append-only log: entries by index and stored tree hashes by stored-hash
/// index.
///
/// Implementations must make [`LogStorage::append`] atomic: after an error, neither the entry
/// nor any of its hashes is visible.
pub trait LogStorage {
    /// The storage's error.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The number of entries.
    ///
    /// # Errors
    /// A storage failure.
    fn size(&self) -> Result<u64, Self::Error>;

    /// The encoded entry at `index` (`index < size`).
    ///
    /// # Errors
    /// A storage failure, or an index not stored.
    fn entry(&self, index: u64) -> Result<Vec<u8>, Self::Error>;

    /// The stored hashes at the given stored-hash indexes, in the same order.
    ///
    /// # Errors
    /// A storage failure, or an index not stored.
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<TreeHash>, Self::Error>;

    /// Append entry `index` (which equals the current size) and its stored hashes, to be kept
    /// at stored-hash indexes `first_hash_index ..` in order. Atomic.
    ///
    /// # Errors
    /// A storage failure; then nothing was appended.
    fn append(
        &mut self,
        index: u64,
        entry: &[u8],
        first_hash_index: u64,
        hashes: &[TreeHash],
    ) -> Result<(), Self::Error>;
}

impl<S: LogStorage + ?Sized> LogStorage for &mut S {
    type Error = S::Error;
    fn size(&self) -> Result<u64, Self::Error> {
        (**self).size()
    }
    fn entry(&self, index: u64) -> Result<Vec<u8>, Self::Error> {
        (**self).entry(index)
    }
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<TreeHash>, Self::Error> {
        (**self).read_hashes(indexes)
    }
    fn append(
        &mut self,
        index: u64,
        entry: &[u8],
        first_hash_index: u64,
        hashes: &[TreeHash],
    ) -> Result<(), Self::Error> {
        (**self).append(index, entry, first_hash_index, hashes)
    }
}

/// A [`LogStorage`] in memory: for tests, tools and small logs.
#[derive(Clone, Debug, Default)]
pub struct MemoryStorage {
    entries: Vec<Vec<u8>>,
    hashes: Vec<TreeHash>,
}

/// Errors of [`MemoryStorage`]: a caller asked for something not stored, or appended out of
/// order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MemoryStorageError {
    /// No entry at this index.
    #[error("no entry {0}")]
    NoEntry(u64),
    /// No stored hash at this index.
    #[error("no stored hash {0}")]
    NoHash(u64),
    /// An append not at the end.
    #[error("append of entry {index} (hashes from {first_hash_index}) out of order")]
    OutOfOrder {
        /// The entry index given.
        index: u64,
        /// The first hash index given.
        first_hash_index: u64,
    },
}

impl MemoryStorage {
    /// An empty log.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
}

fn to_usize(i: u64) -> Option<usize> {
    usize::try_from(i).ok()
}

impl LogStorage for MemoryStorage {
    type Error = MemoryStorageError;

    fn size(&self) -> Result<u64, Self::Error> {
        Ok(self.entries.len() as u64)
    }

    fn entry(&self, index: u64) -> Result<Vec<u8>, Self::Error> {
        to_usize(index)
            .and_then(|i| self.entries.get(i))
            .cloned()
            .ok_or(MemoryStorageError::NoEntry(index))
    }

    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<TreeHash>, Self::Error> {
        indexes
            .iter()
            .map(|&i| {
                to_usize(i)
                    .and_then(|i| self.hashes.get(i))
                    .copied()
                    .ok_or(MemoryStorageError::NoHash(i))
            })
            .collect()
    }

    fn append(
        &mut self,
        index: u64,
        entry: &[u8],
        first_hash_index: u64,
        hashes: &[TreeHash],
    ) -> Result<(), Self::Error> {
        if index != self.entries.len() as u64 || first_hash_index != self.hashes.len() as u64 {
            return Err(MemoryStorageError::OutOfOrder {
                index,
                first_hash_index,
            });
        }
        self.entries.push(entry.to_vec());
        self.hashes.extend_from_slice(hashes);
        Ok(())
    }
}
