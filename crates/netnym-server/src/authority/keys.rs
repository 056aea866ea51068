//! The authority's keys (sealed at rest), enrollment codes and the admin token.

use netnym::{
    EpochEntry, Issuer, IssuerPublicKey, IssuerSecretKey, KeyId, RangeParams, RevocationAuthority,
    Schema,
};
use netnym_log::{Envelope, LogEntry, ObjectId};

use super::log::{AuthorityLog, DEFAULT_LOG_ORIGIN};
use netnym_store::{
    EnrollmentCode, EnrollmentError, EpochError, IssuerKeyError, IssuerKeyRecord, KdfParams,
    SealedSecret, SecretError, Store, StoreError, WeakSecret, ADMIN_TOKEN_RULE,
};
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Name of the sealed secret holding the first issuer key and the registry secret key.
pub const AUTHORITY_SECRET_NAME: &str = "authority-keys";
/// Prefix of the sealed secret of a rotated issuer key (followed by its key id).
pub const ROTATED_KEY_SECRET_PREFIX: &str = "issuer-key/";
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
    /// An invalid transparency-log origin (LOG-006).
    #[error("invalid log origin: {0}")]
    LogOrigin(String),
    /// The sealed keys or the epoch log are unreadable.
    #[error("authority keys are corrupt: {0}")]
    Corrupt(String),
    /// Sealing failed (empty passphrase, bad KDF parameters).
    #[error(transparent)]
    Seal(SecretError),
    /// Rotating or retiring an issuer key was refused.
    #[error(transparent)]
    IssuerKey(IssuerKeyError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<IssuerKeyError> for AuthorityKeyError {
    fn from(e: IssuerKeyError) -> Self {
        match e {
            IssuerKeyError::Store(s) => Self::Store(s),
            other => Self::IssuerKey(other),
        }
    }
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

/// The authority's secret keys (the issuer keys it accepts and the revocation registry key) and
/// its public range-proof parameters (whose digit-signing key was destroyed at generation).
///
/// Issuer keys rotate (`authority keys rotate|retire`, [`AuthorityKeys::rotate`],
/// [`retire_issuer_key`]): the authority issues with the current key (the newest one not
/// retired), publishes every key not retired, and finishes an enrollment with the key its
/// offer named while that key is not retired.
pub struct AuthorityKeys {
    /// The keys not retired, in rotation order: the last one is current. Never empty.
    pub(super) issuers: Vec<Issuer>,
    pub(super) registry: RevocationAuthority,
    pub(super) range_params: RangeParams,
    /// The transparency log's signing key.
    pub(super) log: AuthorityLog,
}

impl core::fmt::Debug for AuthorityKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AuthorityKeys")
            .field("issuer_key_id", &self.issuer().public_key().key_id())
            .field("registry_id", &self.registry.public_key().id())
            .field("log_origin", &self.log.origin())
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
        Self::init_with_log_origin(store, rng, passphrase, domain, kdf, DEFAULT_LOG_ORIGIN).await
    }

    /// [`AuthorityKeys::init`] for a transparency log named `log_origin` (a C2SP key name:
    /// printable ASCII without spaces or `+`, e.g. `log.authority.example/netnym`).
    ///
    /// # Errors
    /// As [`AuthorityKeys::init`]; [`AuthorityKeyError::Domain`] for an invalid origin.
    pub async fn init_with_log_origin(
        store: &Store,
        rng: &mut (impl RngCore + CryptoRng),
        passphrase: &[u8],
        domain: u64,
        kdf: KdfParams,
        log_origin: &str,
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
        let log = AuthorityLog::ensure(store, rng, passphrase, Some(log_origin)).await?;
        let keys = Self {
            issuers: vec![issuer],
            registry,
            range_params,
            log,
        };
        keys.ensure_genesis(store, Some(genesis)).await?;
        record_first_key(store, keys.issuer()).await?;
        keys.ensure_log(store).await?;
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

    /// Unseal the keys with `passphrase` (the first issuer key and the registry key, then each
    /// rotated issuer key not retired) and make sure the epoch log has its genesis entry and
    /// the first issuer key its record (repairing an `init` interrupted between its writes, or
    /// a database from before key rotation). Unsealing runs Argon2id on the calling thread (a
    /// fraction of a second per sealed secret): call it at start-up, not from a request
    /// handler.
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
        let first = Issuer::new(sk, &Schema::cn_network_id_v1());
        record_first_key(store, &first).await?;
        let records = store.issuer_keys().await?;
        let mut issuers = Vec::with_capacity(records.len());
        let mut first = Some(first);
        for r in records.iter().filter(|r| r.retired_at.is_none()) {
            let issuer = if r.secret_name == AUTHORITY_SECRET_NAME {
                first.take().ok_or_else(|| {
                    AuthorityKeyError::Corrupt("two issuer keys name the first key's secret".into())
                })?
            } else {
                open_rotated(store, r, passphrase).await?
            };
            if issuer.public_key().key_id().to_string() != r.key_id {
                return Err(AuthorityKeyError::Corrupt(format!(
                    "the secret of issuer key {} holds another key",
                    r.key_id
                )));
            }
            issuers.push(issuer);
        }
        if issuers.is_empty() {
            return Err(AuthorityKeyError::Corrupt(
                "every issuer key is retired".into(),
            ));
        }
        let log = AuthorityLog::ensure(store, &mut rand::rngs::OsRng, passphrase, None).await?;
        let keys = Self {
            issuers,
            registry,
            range_params,
            log,
        };
        keys.ensure_genesis(store, None).await?;
        keys.ensure_log(store).await?;
        Ok(keys)
    }

    /// Start the transparency log if it has not been started (spec/12, LOG-021): every issuer
    /// key recorded (and its retirement), the range parameters, the registry key and every
    /// epoch, in one transaction; from then on the store logs each of them in the transaction
    /// that records it. A database from before the log gets its log here, on first load.
    async fn ensure_log(&self, store: &Store) -> Result<(), AuthorityKeyError> {
        let corrupt = |e: netnym_log::EntryDecodeError| AuthorityKeyError::Corrupt(e.to_string());
        let rp = &self.range_params;
        let registry = self.registry.public_key();
        let published = [
            LogEntry::RangeParamsPublished {
                params_id: ObjectId::from_bytes(*rp.id().as_bytes()),
                envelope: Envelope::new(rp.to_json()).map_err(corrupt)?,
            },
            LogEntry::RegistryKeyPublished {
                registry_id: ObjectId::from_bytes(*registry.id().as_bytes()),
                envelope: Envelope::new(registry.to_json()).map_err(corrupt)?,
            },
        ];
        store
            .start_log(&published, netnym_store::unix_now())
            .await?;
        self.log.sign_if_behind(store).await?;
        Ok(())
    }

    /// The transparency log's signing key and origin.
    #[must_use]
    pub fn log(&self) -> &AuthorityLog {
        &self.log
    }

    /// Make a new issuer key, seal it under `passphrase` (with the KDF parameters of the
    /// authority's sealed keys) and record it as the current key, in one transaction. The
    /// passphrase is checked first by loading the keys. A running authority service uses the
    /// new key from its next start.
    ///
    /// # Errors
    /// As [`AuthorityKeys::load`]; [`AuthorityKeyError::Seal`].
    pub async fn rotate(
        store: &Store,
        rng: &mut (impl RngCore + CryptoRng),
        passphrase: &[u8],
        now: u64,
    ) -> Result<IssuerPublicKey, AuthorityKeyError> {
        let _checked = Self::load(store, passphrase).await?;
        let kdf = store.sealed_secret(AUTHORITY_SECRET_NAME).await?.kdf();
        let issuer = Issuer::new(IssuerSecretKey::generate(rng), &Schema::cn_network_id_v1());
        let pk = issuer.public_key().clone();
        let key_id = pk.key_id().to_string();
        let name = format!("{ROTATED_KEY_SECRET_PREFIX}{key_id}");
        let plain = issuer.secret_key().to_json();
        let sealed = SealedSecret::seal(rng, passphrase, &name, &plain, kdf)?;
        store
            .add_issuer_key(&key_id, &pk.to_json(), &name, &sealed, now)
            .await?;
        Ok(pk)
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

    /// The current issuer: the newest key not retired.
    #[must_use]
    pub fn issuer(&self) -> &Issuer {
        // `load` and `init` never build an empty list.
        &self.issuers[self.issuers.len() - 1]
    }

    /// Every issuer key not retired, in rotation order (the last one is current).
    #[must_use]
    pub fn issuers(&self) -> &[Issuer] {
        &self.issuers
    }

    /// The issuer key `key_id`, if it is not retired.
    #[must_use]
    pub fn issuer_by_id(&self, key_id: &KeyId) -> Option<&Issuer> {
        self.issuers
            .iter()
            .find(|i| i.public_key().key_id() == *key_id)
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

/// Record the first issuer key (sealed in [`AUTHORITY_SECRET_NAME`]) if no key is recorded.
async fn record_first_key(store: &Store, first: &Issuer) -> Result<(), AuthorityKeyError> {
    let pk = first.public_key();
    store
        .record_first_issuer_key(
            &pk.key_id().to_string(),
            &pk.to_json(),
            AUTHORITY_SECRET_NAME,
            netnym_store::unix_now(),
        )
        .await?;
    Ok(())
}

/// Unseal a rotated issuer key.
async fn open_rotated(
    store: &Store,
    r: &IssuerKeyRecord,
    passphrase: &[u8],
) -> Result<Issuer, AuthorityKeyError> {
    let plain = store
        .sealed_secret(&r.secret_name)
        .await?
        .open(passphrase, &r.secret_name)?;
    let sk = IssuerSecretKey::from_json(&plain)
        .map_err(|e| AuthorityKeyError::Corrupt(format!("issuer key {}: {e}", r.key_id)))?;
    Ok(Issuer::new(sk, &Schema::cn_network_id_v1()))
}

/// The issuer keys a verifier should accept: every key not retired, in rotation order, read
/// from the store's records (no passphrase needed).
///
/// # Errors
/// [`AuthorityKeyError::Corrupt`] for an unreadable record; [`AuthorityKeyError::Store`].
pub async fn published_issuer_keys(
    store: &Store,
) -> Result<Vec<IssuerPublicKey>, AuthorityKeyError> {
    store
        .issuer_keys()
        .await?
        .iter()
        .filter(|r| r.retired_at.is_none())
        .map(|r| {
            IssuerPublicKey::from_json(&r.public_key)
                .map_err(|e| AuthorityKeyError::Corrupt(format!("issuer key {}: {e}", r.key_id)))
        })
        .collect()
}

/// Retire the issuer key `key_id` (not the current one): the authority stops publishing it
/// and finishing enrollments with it from its next start, and its own sealed secret (a
/// rotated key's) is deleted.
///
/// # Errors
/// [`AuthorityKeyError::IssuerKey`] (unknown, already retired, or current);
/// [`AuthorityKeyError::Store`].
pub async fn retire_issuer_key(
    store: &Store,
    key_id: &str,
    now: u64,
) -> Result<IssuerKeyRecord, AuthorityKeyError> {
    Ok(store
        .retire_issuer_key(key_id, AUTHORITY_SECRET_NAME, now)
        .await?)
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

/// The administrator's bearer token for `POST /v1/revoke` (rule `SEC-002`: at least 16
/// characters, not easy to guess).
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
    /// [`WeakSecret`] when the token breaks `SEC-002`.
    pub fn new(token: &str) -> Result<Self, WeakSecret> {
        ADMIN_TOKEN_RULE.check(token)?;
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
