//! The database behind the core's [`netnym::RevokedSet`].

use std::cell::Cell;
use std::collections::BTreeSet;

use netnym::{EpochEntry, RevokedSet};

use crate::error::{EpochError, StoreError};
use crate::store::Store;

/// A [`RevokedSet`] over a snapshot of the store, staging new revocations until
/// [`StagedRevokedSet::commit`] writes them **together with** their epoch entry in one
/// transaction.
///
/// The core's `RevokedSet` is synchronous and infallible, and the store is async, so the set
/// is loaded first ([`StagedRevokedSet::load`]) with the state of exactly the ids the caller
/// will ask about (the id of a witness, the ids of a revocation) and the revoked count. Asked
/// about an id it did not load, it answers "revoked" (fail closed: no witness is issued, no id
/// is revoked twice) and remembers the id ([`StagedRevokedSet::missed`]); `commit` then
/// refuses.
///
/// The snapshot can be stale by the time it is committed; the store's gapless epoch rule and
/// its refusal of an already revoked id keep the log consistent, and callers serialise
/// revocations (one writer).
pub struct StagedRevokedSet {
    loaded: BTreeSet<u64>,
    revoked: BTreeSet<u64>,
    count: u64,
    staged: BTreeSet<u64>,
    missed: Cell<Option<u64>>,
}

impl core::fmt::Debug for StagedRevokedSet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StagedRevokedSet")
            .field("loaded", &self.loaded)
            .field("staged", &self.staged)
            .finish_non_exhaustive()
    }
}

impl StagedRevokedSet {
    /// Read the state of `ids` and the revoked count from `store`, with nothing staged.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn load(store: &Store, ids: &[u64]) -> Result<Self, StoreError> {
        let revoked = store.revoked_among(ids).await?;
        let count = store.revoked_count().await?;
        Ok(Self {
            loaded: ids.iter().copied().collect(),
            revoked,
            count,
            staged: BTreeSet::new(),
            missed: Cell::new(None),
        })
    }

    /// The ids marked since loading.
    #[must_use]
    pub fn staged(&self) -> Vec<u64> {
        self.staged.iter().copied().collect()
    }

    /// The first id asked about that was not loaded (answered "revoked"), if any.
    #[must_use]
    pub fn missed(&self) -> Option<u64> {
        self.missed.get()
    }

    /// Write `entry` and the staged ids in one transaction.
    ///
    /// # Errors
    /// [`EpochError::Invalid`] when `entry` does not revoke exactly the staged ids or the set
    /// was asked about an id it did not load; otherwise as [`Store::append_epoch`].
    pub async fn commit(
        self,
        store: &Store,
        entry: &EpochEntry,
        now: u64,
    ) -> Result<(), EpochError> {
        if self.missed().is_some() {
            return Err(EpochError::Invalid(
                "the revoked set was asked about an id it had not loaded",
            ));
        }
        if entry.revoked() != self.staged().as_slice() {
            return Err(EpochError::Invalid(
                "the entry does not revoke exactly the staged ids",
            ));
        }
        store
            .append_epoch(entry.epoch(), entry.revoked(), &entry.to_json(), now)
            .await
    }
}

impl RevokedSet for StagedRevokedSet {
    fn is_revoked(&self, id: u64) -> bool {
        if self.staged.contains(&id) {
            return true;
        }
        if !self.loaded.contains(&id) {
            if self.missed.get().is_none() {
                self.missed.set(Some(id));
            }
            return true;
        }
        self.revoked.contains(&id)
    }

    fn mark_revoked(&mut self, id: u64) {
        self.staged.insert(id);
    }

    fn revoked_count(&self) -> u64 {
        self.count + self.staged.len() as u64
    }
}
