//! The database behind the core's [`netnym::RevokedSet`].

use std::collections::BTreeSet;

use netnym::{EpochEntry, RevokedSet};

use crate::error::{EpochError, StoreError};
use crate::store::RevocationStore;

/// A [`RevokedSet`] read from a store, staging new revocations until [`StagedRevokedSet::commit`]
/// writes them **together with** their epoch entry in one transaction.
///
/// `RevokedSet` is infallible; a database error while reading is remembered, answered as
/// "revoked" (fail closed: no witness is issued, no id is revoked twice), and returned by
/// [`StagedRevokedSet::commit`] / [`StagedRevokedSet::error`].
///
/// The core's `RevocationAuthority::revoke` computes the next epoch from the current one, so
/// callers serialise revocations (one writer); the store's gapless epoch rule refuses a second
/// writer's stale epoch.
pub struct StagedRevokedSet<'a, S: RevocationStore + ?Sized> {
    store: &'a S,
    staged: BTreeSet<u64>,
    error: std::cell::RefCell<Option<StoreError>>,
}

impl<S: RevocationStore + ?Sized> core::fmt::Debug for StagedRevokedSet<'_, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StagedRevokedSet")
            .field("staged", &self.staged)
            .finish_non_exhaustive()
    }
}

impl<'a, S: RevocationStore + ?Sized> StagedRevokedSet<'a, S> {
    /// A view of `store`'s revoked set with nothing staged.
    pub fn new(store: &'a S) -> Self {
        Self {
            store,
            staged: BTreeSet::new(),
            error: std::cell::RefCell::new(None),
        }
    }

    /// The ids marked since creation.
    #[must_use]
    pub fn staged(&self) -> Vec<u64> {
        self.staged.iter().copied().collect()
    }

    /// The first database error met while reading, if any.
    pub fn error(&mut self) -> Option<StoreError> {
        self.error.get_mut().take()
    }

    fn remember(&self, e: StoreError) {
        let mut slot = self.error.borrow_mut();
        if slot.is_none() {
            *slot = Some(e);
        }
    }

    /// Write `entry` and the staged ids in one transaction.
    ///
    /// # Errors
    /// A read error met earlier ([`EpochError::Store`]); [`EpochError::Invalid`] when `entry`
    /// does not revoke exactly the staged ids; otherwise as
    /// [`RevocationStore::append_epoch`].
    pub fn commit(mut self, entry: &EpochEntry, now: u64) -> Result<(), EpochError> {
        if let Some(e) = self.error() {
            return Err(e.into());
        }
        if entry.revoked() != self.staged().as_slice() {
            return Err(EpochError::Invalid(
                "the entry does not revoke exactly the staged ids",
            ));
        }
        self.store
            .append_epoch(entry.epoch(), entry.revoked(), &entry.to_json(), now)
    }
}

impl<S: RevocationStore + ?Sized> RevokedSet for StagedRevokedSet<'_, S> {
    fn is_revoked(&self, id: u64) -> bool {
        if self.staged.contains(&id) {
            return true;
        }
        match self.store.is_revoked(id) {
            Ok(r) => r,
            Err(e) => {
                self.remember(e);
                true
            }
        }
    }

    fn mark_revoked(&mut self, id: u64) {
        self.staged.insert(id);
    }

    fn revoked_count(&self) -> u64 {
        match self.store.revoked_count() {
            Ok(n) => n + self.staged.len() as u64,
            Err(e) => {
                self.remember(e);
                self.staged.len() as u64
            }
        }
    }
}
