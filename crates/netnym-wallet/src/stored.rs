//! What the wallet stores per credential: the checked credential, its revocation state and,
//! in a wallet that was prepared, its prepared form.

use netnym::{CheckedCredential, Credential, MembershipWitness, PreparedCredential};

/// A credential stored in the wallet: checked when it was added (its signature verified with
/// the wallet's link secret), and loaded back as checked from the authenticated wallet file.
#[derive(Debug)]
pub struct StoredCredential {
    pub(crate) id: String,
    pub(crate) credential: CheckedCredential,
    pub(crate) added_at: u64,
    pub(crate) witness: Option<StoredWitness>,
    /// Set by [`crate::Wallet::prepare`] (memory only, never saved).
    pub(crate) prepared: Option<PreparedCredential>,
}

impl StoredCredential {
    /// The wallet's id for it (`cred-N`).
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The credential.
    #[must_use]
    pub fn credential(&self) -> &Credential {
        self.credential.credential()
    }
    /// The credential as checked with the wallet's link secret.
    #[must_use]
    pub fn checked(&self) -> &CheckedCredential {
        &self.credential
    }
    /// Whether [`crate::Wallet::prepare`] prepared it for fast presentations.
    #[must_use]
    pub fn is_prepared(&self) -> bool {
        self.prepared.is_some()
    }
    /// When it was added, Unix seconds.
    #[must_use]
    pub fn added_at(&self) -> u64 {
        self.added_at
    }
    /// Its revocation witness, if the issuer uses revocation.
    #[must_use]
    pub fn witness(&self) -> Option<&StoredWitness> {
        self.witness.as_ref()
    }
}

/// A credential's revocation state: the core's membership witness for its revocation id and
/// whether the authority's epoch log has revoked it.
///
/// # Security
/// The witness is tied to the holder's revocation id: `Debug` shows the epoch only.
pub struct StoredWitness {
    pub(crate) witness: MembershipWitness,
    pub(crate) revoked: bool,
}

impl core::fmt::Debug for StoredWitness {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StoredWitness")
            .field("epoch", &self.witness.epoch())
            .field("revoked", &self.revoked)
            .finish_non_exhaustive()
    }
}

impl StoredWitness {
    /// The membership witness.
    #[must_use]
    pub fn witness(&self) -> &MembershipWitness {
        &self.witness
    }
    /// The epoch of the authority's log it is current for.
    #[must_use]
    pub fn epoch(&self) -> u64 {
        self.witness.epoch()
    }
    /// Whether an epoch entry revoked the credential.
    #[must_use]
    pub fn revoked(&self) -> bool {
        self.revoked
    }
}
