//! The authority's keys (sealed at rest), enrollment codes and the admin token.

use netnym::{EpochEntry, Issuer, IssuerSecretKey, RangeParams, RevocationAuthority, Schema};
use netnym_store::{
    EnrollmentCode, EnrollmentError, EpochError, KdfParams, SealedSecret, SecretError, Store,
    StoreError,
};
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Name of the sealed secret holding the issuer and registry secret keys.
pub const AUTHORITY_SECRET_NAME: &str = "authority-keys";
/// Digit base of the authority's public range-proof parameters.
pub const RANGE_BASE: u16 = 16;
/// Default revocation domain: ids `1..=65536`.
pub const DEFAULT_REVOCATION_DOMAIN: u64 = 1 << 16;

/// Creating or loading the authority's keys.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthorityKeyError {
    /// The keys already exist (init refuses to overwrite them).
    #[error("the authority is already initialised in this database")]
    AlreadyInitialised,
    /// No keys in this database.
    #[error("the authority is not initialised in this database (run `authority init`)")]
    NotInitialised,
    /// Wrong passphrase.
    #[error("wrong passphrase for the authority keys")]
    WrongPassphrase,
    /// A revocation domain outside 1..=2^31, or smaller than the citizens already registered.
    #[error("invalid revocation domain: {0}")]
    Domain(String),
    /// The sealed keys or the epoch log are unreadable.
    #[error("authority keys are corrupt: {0}")]
    Corrupt(String),
    /// Sealing failed (empty passphrase, bad KDF parameters).
    #[error(transparent)]
    Seal(SecretError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<SecretError> for AuthorityKeyError {
    fn from(e: SecretError) -> Self {
        match e {
            SecretError::WrongPassphrase => Self::WrongPassphrase,
            SecretError::NotFound(_) => Self::NotInitialised,
            SecretError::AlreadyExists(_) => Self::AlreadyInitialised,
            SecretError::Store(s) => Self::Store(s),
            SecretError::Malformed(m) => Self::Corrupt(m),
            other => Self::Seal(other),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysWire {
    issuer_secret_key: Box<RawValue>,
    registry_secret_key: Box<RawValue>,
    /// Public, kept here so the published parameters never change.
    range_params: Box<RawValue>,
}

/// The authority's secret keys (the issuer key and the revocation registry key) and its public
/// range-proof parameters (whose digit-signing key was destroyed at generation).
pub struct AuthorityKeys {
    pub(super) issuer: Issuer,
    pub(super) registry: RevocationAuthority,
    pub(super) range_params: RangeParams,
}

impl core::fmt::Debug for AuthorityKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AuthorityKeys")
            .field("issuer_key_id", &self.issuer.public_key().key_id())
            .field("registry_id", &self.registry.public_key().id())
            .finish_non_exhaustive()
    }
}

impl AuthorityKeys {
    /// Generate the keys for `cn-network-id/v1` and a registry over ids `1..=domain`, seal them
    /// under `passphrase` in one secret, and start the epoch log with the genesis entry.
    ///
    /// Key generation and sealing run on the calling thread (seconds for a large domain):
    /// call it from a command's `block_on`, not from a service's request handler.
    ///
    /// # Errors
    /// [`AuthorityKeyError::AlreadyInitialised`], [`AuthorityKeyError::Domain`],
    /// [`AuthorityKeyError::Seal`], [`AuthorityKeyError::Store`].
    pub async fn init(
        store: &Store,
        rng: &mut (impl RngCore + CryptoRng),
        passphrase: &[u8],
        domain: u64,
        kdf: KdfParams,
    ) -> Result<Self, AuthorityKeyError> {
        let registered = store.citizen_count().await?;
        if domain < registered {
            return Err(AuthorityKeyError::Domain(format!(
                "{domain} ids cannot cover the {registered} citizens already registered"
            )));
        }
        match store.sealed_secret(AUTHORITY_SECRET_NAME).await {
            Ok(_) => return Err(AuthorityKeyError::AlreadyInitialised),
            Err(SecretError::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
        let (registry, genesis) = RevocationAuthority::generate(rng, domain)
            .map_err(|e| AuthorityKeyError::Domain(e.to_string()))?;
        let issuer = Issuer::new(IssuerSecretKey::generate(rng), &Schema::cn_network_id_v1());
        let range_params = RangeParams::generate(rng, RANGE_BASE)
            .map_err(|e| AuthorityKeyError::Corrupt(e.to_string()))?;
        let plain = Self::wire(&issuer, &registry, &range_params)?;
        let sealed = SealedSecret::seal(rng, passphrase, AUTHORITY_SECRET_NAME, &plain, kdf)?;
        store
            .put_sealed_secret(AUTHORITY_SECRET_NAME, &sealed)
            .await?;
        let keys = Self {
            issuer,
            registry,
            range_params,
        };
        keys.ensure_genesis(store, Some(genesis)).await?;
        Ok(keys)
    }

    fn wire(
        issuer: &Issuer,
        registry: &RevocationAuthority,
        range_params: &RangeParams,
    ) -> Result<Zeroizing<Vec<u8>>, AuthorityKeyError> {
        let sk = issuer.secret_key().to_json();
        let rk = registry.to_json();
        let as_raw = |b: &[u8]| {
            std::str::from_utf8(b)
                .ok()
                .and_then(|s| RawValue::from_string(s.to_owned()).ok())
                .ok_or_else(|| AuthorityKeyError::Corrupt("key JSON".to_owned()))
        };
        let w = KeysWire {
            issuer_secret_key: as_raw(&sk)?,
            registry_secret_key: as_raw(&rk)?,
            range_params: as_raw(&range_params.to_json())?,
        };
        let out = Zeroizing::new(
            serde_json::to_vec(&w).map_err(|e| AuthorityKeyError::Corrupt(e.to_string()))?,
        );
        // The RawValues hold copies of the secrets: overwrite them before they are freed.
        let KeysWire {
            issuer_secret_key,
            registry_secret_key,
            ..
        } = w;
        for r in [issuer_secret_key, registry_secret_key] {
            let mut s: Box<str> = r.into();
            zeroize::Zeroize::zeroize(&mut *s);
        }
        Ok(out)
    }

    /// Unseal the keys with `passphrase` and make sure the epoch log has its genesis entry
    /// (repairing an `init` interrupted between the two writes). Unsealing runs Argon2id on the
    /// calling thread (a fraction of a second): call it at start-up, not from a request handler.
    ///
    /// # Errors
    /// [`AuthorityKeyError::NotInitialised`], [`AuthorityKeyError::WrongPassphrase`],
    /// [`AuthorityKeyError::Corrupt`], [`AuthorityKeyError::Store`].
    pub async fn load(store: &Store, passphrase: &[u8]) -> Result<Self, AuthorityKeyError> {
        let sealed = store.sealed_secret(AUTHORITY_SECRET_NAME).await?;
        let plain = sealed.open(passphrase, AUTHORITY_SECRET_NAME)?;
        let w: KeysWire = serde_json::from_slice(&plain)
            .map_err(|e| AuthorityKeyError::Corrupt(e.to_string()))?;
        let sk = IssuerSecretKey::from_json(w.issuer_secret_key.get().as_bytes())
            .map_err(|e| AuthorityKeyError::Corrupt(e.to_string()))?;
        let registry = RevocationAuthority::from_json(w.registry_secret_key.get().as_bytes())
            .map_err(|e| AuthorityKeyError::Corrupt(e.to_string()))?;
        let range_params = RangeParams::from_json(w.range_params.get().as_bytes())
            .map_err(|e| AuthorityKeyError::Corrupt(e.to_string()))?;
        for r in [w.issuer_secret_key, w.registry_secret_key] {
            let mut s: Box<str> = r.into();
            zeroize::Zeroize::zeroize(&mut *s);
        }
        let keys = Self {
            issuer: Issuer::new(sk, &Schema::cn_network_id_v1()),
            registry,
            range_params,
        };
        keys.ensure_genesis(store, None).await?;
        Ok(keys)
    }

    /// Start the epoch log with the genesis entry if it is empty: `known` when the caller has
    /// just computed it (`generate` does; the value costs one field multiplication per id of
    /// the domain, a minute for 2^31 ids), otherwise computed here.
    async fn ensure_genesis(
        &self,
        store: &Store,
        known: Option<EpochEntry>,
    ) -> Result<(), AuthorityKeyError> {
        if store.latest_epoch().await?.is_none() {
            let g = known.unwrap_or_else(|| self.registry.genesis());
            match store
                .append_epoch(0, &[], &g.to_json(), netnym_store::unix_now())
                .await
            {
                Ok(()) | Err(EpochError::NotNext { .. }) => {}
                Err(EpochError::Store(e)) => return Err(e.into()),
                Err(e) => return Err(AuthorityKeyError::Corrupt(e.to_string())),
            }
        }
        let first = store.epochs_from(0, 1).await?;
        let genesis = first
            .first()
            .ok_or_else(|| AuthorityKeyError::Corrupt("no genesis epoch".to_owned()))?;
        let entry = EpochEntry::from_json(&genesis.entry)
            .map_err(|e| AuthorityKeyError::Corrupt(format!("genesis epoch: {e}")))?;
        if entry.registry() != self.registry.public_key().id() {
            return Err(AuthorityKeyError::Corrupt(
                "the epoch log belongs to another registry".to_owned(),
            ));
        }
        Ok(())
    }

    /// The issuer.
    #[must_use]
    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// The revocation registry.
    #[must_use]
    pub fn registry(&self) -> &RevocationAuthority {
        &self.registry
    }

    /// The public range-proof parameters.
    #[must_use]
    pub fn range_params(&self) -> &RangeParams {
        &self.range_params
    }
}

/// Create a one-time enrollment code for a registered citizen, valid `ttl_seconds` from `now`.
///
/// # Errors
/// [`EnrollmentError::UnknownCitizen`]; [`EnrollmentError::Store`].
pub async fn create_enrollment_code(
    store: &Store,
    rng: &mut (impl RngCore + CryptoRng),
    citizen_id: &str,
    now: u64,
    ttl_seconds: u64,
) -> Result<EnrollmentCode, EnrollmentError> {
    let code = EnrollmentCode::generate(rng);
    store
        .add_enrollment_code(
            &code.hash(),
            citizen_id,
            now,
            now.saturating_add(ttl_seconds),
        )
        .await?;
    Ok(code)
}

/// The administrator's bearer token for `POST /v1/revoke` (at least 16 characters).
pub struct AdminToken([u8; 32]);

impl core::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("AdminToken(..)")
    }
}

impl AdminToken {
    /// Accept a token (kept only as its SHA-256 digest).
    ///
    /// # Errors
    /// A message when the token is shorter than 16 characters.
    pub fn new(token: &str) -> Result<Self, &'static str> {
        if token.chars().count() < 16 {
            return Err("the admin token must be at least 16 characters");
        }
        Ok(Self(Sha256::digest(token.as_bytes()).into()))
    }

    pub(super) fn matches(&self, presented: &str) -> bool {
        let d: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        bool::from(self.0.ct_eq(&d))
    }
}

impl Drop for AdminToken {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}
