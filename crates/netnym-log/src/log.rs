//! The authority's append-only log (LOG-003, LOG-012, LOG-013, LOG-021): entries, tree hashes,
//! proofs and signed checkpoints over a [`LogStorage`].

use std::cell::RefCell;

use crate::checkpoint::Checkpoint;
use crate::entry::LogEntry;
use crate::error::LogError;
use crate::hash::TreeHash;
use crate::keys::{check_name, LogSigningKey};
use crate::merkle::{leaf_hash, ConsistencyProof, InclusionProof, EMPTY_ROOT};
use crate::signed::SignedCheckpoint;
use crate::storage::LogStorage;

/// An append-only Merkle log of [`LogEntry`] values over a [`LogStorage`].
///
/// The tree algorithms are `tlog_tiles`' (a port of Go's sumdb `tlog`); this type validates
/// every request against the stored size before it reaches them, and turns a storage that
/// answers with the wrong number of hashes into [`LogError::Corrupt`] instead of a panic.
#[derive(Debug)]
pub struct Log<S> {
    origin: String,
    storage: S,
}

/// Adapts a [`LogStorage`] to `tlog_tiles::HashReader`, keeping the storage's own error.
struct Reader<'a, S: LogStorage> {
    storage: &'a S,
    error: RefCell<Option<LogError<S::Error>>>,
}

impl<'a, S: LogStorage> Reader<'a, S> {
    fn new(storage: &'a S) -> Self {
        Self {
            storage,
            error: RefCell::new(None),
        }
    }

    /// The stashed storage error, else the tree library's error as corruption.
    fn fail(&self, e: &tlog_tiles::Error) -> LogError<S::Error> {
        self.error
            .borrow_mut()
            .take()
            .unwrap_or_else(|| LogError::Corrupt(e.to_string()))
    }
}

impl<S: LogStorage> tlog_tiles::HashReader for Reader<'_, S> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<tlog_tiles::Hash>, tlog_tiles::Error> {
        match self.storage.read_hashes(indexes) {
            Ok(hashes) if hashes.len() == indexes.len() => {
                Ok(hashes.into_iter().map(TreeHash::to_tlog).collect())
            }
            Ok(hashes) => {
                *self.error.borrow_mut() = Some(LogError::Corrupt(format!(
                    "{} hashes for {} indexes",
                    hashes.len(),
                    indexes.len()
                )));
                Err(tlog_tiles::Error::IndexesNotInTree)
            }
            Err(e) => {
                *self.error.borrow_mut() = Some(LogError::Storage(e));
                Err(tlog_tiles::Error::IndexesNotInTree)
            }
        }
    }
}

impl<S: LogStorage> Log<S> {
    /// The log `origin` over `storage` (which may already hold entries).
    ///
    /// # Errors
    /// [`crate::KeyError`] if `origin` is not a valid origin (LOG-004, LOG-006).
    pub fn new(origin: &str, storage: S) -> Result<Self, crate::KeyError> {
        check_name(origin)?;
        Ok(Self {
            origin: origin.to_owned(),
            storage,
        })
    }

    /// The origin.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.origin
    }
    /// The storage.
    #[must_use]
    pub fn storage(&self) -> &S {
        &self.storage
    }
    /// The storage, giving up the log.
    #[must_use]
    pub fn into_storage(self) -> S {
        self.storage
    }

    /// The number of entries.
    ///
    /// # Errors
    /// [`LogError::Storage`].
    pub fn size(&self) -> Result<u64, LogError<S::Error>> {
        self.storage.size().map_err(LogError::Storage)
    }

    /// Append an entry (LOG-021): its canonical encoding and the tree hashes it completes, in
    /// one storage append. Returns the entry's index.
    ///
    /// # Errors
    /// [`LogError::Storage`] (nothing appended), [`LogError::Corrupt`].
    pub fn append(&mut self, entry: &LogEntry) -> Result<u64, LogError<S::Error>> {
        self.append_encoded(&entry.encode())
    }

    /// Append already-encoded leaf data. Private: the log only holds canonical entries; the
    /// tests use it to rebuild the published RFC 6962 trees from their raw leaves.
    fn append_encoded(&mut self, bytes: &[u8]) -> Result<u64, LogError<S::Error>> {
        append_encoded(&mut self.storage, bytes)
    }

    /// The encoded entry at `index`.
    ///
    /// # Errors
    /// [`LogError::IndexOutOfRange`], [`LogError::Storage`].
    pub fn entry_bytes(&self, index: u64) -> Result<Vec<u8>, LogError<S::Error>> {
        let size = self.size()?;
        if index >= size {
            return Err(LogError::IndexOutOfRange { index, size });
        }
        self.storage.entry(index).map_err(LogError::Storage)
    }

    /// The entry at `index`, decoded.
    ///
    /// # Errors
    /// As [`Self::entry_bytes`]; [`LogError::Corrupt`] if the stored bytes do not decode.
    pub fn entry(&self, index: u64) -> Result<LogEntry, LogError<S::Error>> {
        let bytes = self.entry_bytes(index)?;
        LogEntry::decode(&bytes).map_err(|e| LogError::Corrupt(e.to_string()))
    }

    /// The root hash of the tree of the first `size` entries (LOG-003).
    ///
    /// # Errors
    /// [`LogError::IndexOutOfRange`] if `size` exceeds the log's size; storage errors.
    pub fn root_at(&self, size: u64) -> Result<TreeHash, LogError<S::Error>> {
        let current = self.size()?;
        if size > current {
            return Err(LogError::IndexOutOfRange {
                index: size,
                size: current,
            });
        }
        if size == 0 {
            return Ok(EMPTY_ROOT);
        }
        let reader = Reader::new(&self.storage);
        tlog_tiles::tree_hash(size, &reader)
            .map(TreeHash::from_tlog)
            .map_err(|e| reader.fail(&e))
    }

    /// The checkpoint of the whole log.
    ///
    /// # Errors
    /// Storage errors.
    pub fn checkpoint(&self) -> Result<Checkpoint, LogError<S::Error>> {
        let size = self.size()?;
        let root = self.root_at(size)?;
        Checkpoint::new(&self.origin, size, root).map_err(|e| LogError::Corrupt(e.to_string()))
    }

    /// Sign the checkpoint of the whole log with the log key (LOG-007, LOG-021: only over what
    /// is stored).
    ///
    /// # Errors
    /// [`LogError::Sign`] if the key is not named by the origin; storage errors.
    pub fn sign_checkpoint(
        &self,
        key: &LogSigningKey,
    ) -> Result<SignedCheckpoint, LogError<S::Error>> {
        Ok(SignedCheckpoint::sign(&self.checkpoint()?, key)?)
    }

    /// The proof that entry `index` is in the tree of the first `tree_size` entries (LOG-012).
    ///
    /// # Errors
    /// [`LogError::IndexOutOfRange`] unless `index < tree_size ≤ size`; storage errors.
    pub fn inclusion_proof(
        &self,
        index: u64,
        tree_size: u64,
    ) -> Result<InclusionProof, LogError<S::Error>> {
        let size = self.size()?;
        if tree_size > size || index >= tree_size {
            return Err(LogError::IndexOutOfRange {
                index,
                size: tree_size.min(size),
            });
        }
        let reader = Reader::new(&self.storage);
        let path =
            tlog_tiles::prove_record(tree_size, index, &reader).map_err(|e| reader.fail(&e))?;
        InclusionProof::new(
            index,
            tree_size,
            path.into_iter().map(TreeHash::from_tlog).collect(),
        )
        .map_err(|e| LogError::Corrupt(e.to_string()))
    }

    /// The proof that the tree of `old_size` entries is a prefix of the tree of `new_size`
    /// entries (LOG-013).
    ///
    /// # Errors
    /// [`LogError::SizeOrder`] unless `1 ≤ old_size ≤ new_size ≤ size`; storage errors.
    pub fn consistency_proof(
        &self,
        old_size: u64,
        new_size: u64,
    ) -> Result<ConsistencyProof, LogError<S::Error>> {
        let size = self.size()?;
        if old_size == 0 || old_size > new_size || new_size > size {
            return Err(LogError::SizeOrder {
                old: old_size,
                new: new_size,
                size,
            });
        }
        let path = if old_size == new_size {
            Vec::new()
        } else {
            let reader = Reader::new(&self.storage);
            tlog_tiles::prove_tree(new_size, old_size, &reader).map_err(|e| reader.fail(&e))?
        };
        ConsistencyProof::new(
            old_size,
            new_size,
            path.into_iter().map(TreeHash::from_tlog).collect(),
        )
        .map_err(|e| LogError::Corrupt(e.to_string()))
    }
}

/// Append an entry to `storage` as [`Log::append`] does, for a storage that is written inside
/// a transaction of its own (`netnym-store` appends an entry in the transaction of the record
/// it describes, where no [`Log`] and no origin are at hand). Returns the entry's index.
///
/// # Errors
/// [`LogError::Storage`] (nothing appended), [`LogError::Corrupt`].
pub fn append_to_storage<S: LogStorage>(
    storage: &mut S,
    entry: &LogEntry,
) -> Result<u64, LogError<S::Error>> {
    append_encoded(storage, &entry.encode())
}

fn append_encoded<S: LogStorage>(storage: &mut S, bytes: &[u8]) -> Result<u64, LogError<S::Error>> {
    let index = storage.size().map_err(LogError::Storage)?;
    let hashes = {
        let reader = Reader::new(&*storage);
        tlog_tiles::stored_hashes_for_record_hash(index, leaf_hash(bytes).to_tlog(), &reader)
            .map_err(|e| reader.fail(&e))?
    };
    let hashes: Vec<TreeHash> = hashes.into_iter().map(TreeHash::from_tlog).collect();
    let first = tlog_tiles::stored_hash_index(0, index);
    storage
        .append(index, bytes, first, &hashes)
        .map_err(LogError::Storage)?;
    Ok(index)
}

#[cfg(test)]
mod tests;
