//! The authority service (API.md § Authority service), and its key management.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use netnym::{
    BlindIssuanceRequest, EpochEntry, IssuanceOffer, Issuer, IssuerSecretKey, RangeParams,
    RevocationAuthority, RevocationError, Schema,
};
use netnym_store::{
    EnrollmentCode, EnrollmentError, EpochError, KdfParams, NewIssuedCredential, SealedSecret,
    SecretError, StagedRevokedSet, Store, StoreError,
};
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::body::{blocking, json_ok, raw, read_json, BODY_LIMIT};
use crate::metrics::Metrics;
use crate::problem::{self, Problem};
use crate::Clock;

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
    issuer: Issuer,
    registry: RevocationAuthority,
    range_params: RangeParams,
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

    fn matches(&self, presented: &str) -> bool {
        let d: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        bool::from(self.0.ct_eq(&d))
    }
}

impl Drop for AdminToken {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

/// Configuration of the authority service.
pub struct AuthorityConfig {
    /// The unsealed keys.
    pub keys: AuthorityKeys,
    /// The admin token for revocation.
    pub admin_token: AdminToken,
    /// The clock (Unix seconds).
    pub clock: Clock,
}

struct Inner {
    store: Store,
    keys: AuthorityKeys,
    admin_token: AdminToken,
    clock: Clock,
    /// Serialises revocations: each epoch is computed from the previous one (held across the
    /// store's awaits, hence tokio's mutex).
    revocation: tokio::sync::Mutex<()>,
    metrics: Arc<Metrics>,
}

/// Shared state of the authority routes.
#[derive(Clone)]
pub struct AuthorityState(Arc<Inner>);

impl AuthorityState {
    /// Build the state.
    #[must_use]
    pub fn new(store: Store, config: AuthorityConfig) -> Self {
        Self(Arc::new(Inner {
            store,
            keys: config.keys,
            admin_token: config.admin_token,
            clock: config.clock,
            revocation: tokio::sync::Mutex::new(()),
            metrics: Metrics::new("authority"),
        }))
    }

    async fn latest_entry(&self) -> Result<EpochEntry, Problem> {
        let latest = self
            .0
            .store
            .latest_epoch()
            .await?
            .ok_or_else(|| Problem::internal("the epoch log has no genesis"))?;
        let rec = self.0.store.epochs_from(latest, 1).await?;
        let rec = rec
            .first()
            .ok_or_else(|| Problem::internal("latest epoch vanished"))?;
        EpochEntry::from_json(&rec.entry).map_err(|e| Problem::internal(&format!("epoch: {e}")))
    }
}

fn code_problem(e: EnrollmentError) -> Problem {
    match e {
        EnrollmentError::UnknownCode => Problem::new(
            StatusCode::NOT_FOUND,
            "enrollment-code-unknown",
            "Unknown enrollment code",
            "no enrollment code matches",
        ),
        EnrollmentError::Expired => Problem::new(
            StatusCode::GONE,
            "enrollment-code-expired",
            "Enrollment code expired",
            "the enrollment code has expired; ask the authority for a new one",
        ),
        EnrollmentError::AlreadyUsed => Problem::new(
            StatusCode::CONFLICT,
            "enrollment-code-used",
            "Enrollment code already used",
            "the enrollment code has already been used",
        ),
        EnrollmentError::NoOffer => Problem::new(
            StatusCode::CONFLICT,
            "no-offer",
            "No matching offer",
            "ask for an offer (POST /v1/enroll/offer) first, and finish the latest one",
        ),
        EnrollmentError::Store(s) => s.into(),
        other => Problem::internal(&other.to_string()),
    }
}

fn parse_code(code: &str) -> Result<EnrollmentCode, Problem> {
    EnrollmentCode::parse(code).ok_or_else(|| {
        Problem::malformed("code: an enrollment code has 16 characters (XXXX-XXXX-XXXX-XXXX)")
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OfferBody {
    code: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FinishBody {
    code: String,
    request: Box<RawValue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeBody {
    #[serde(default)]
    revocation_ids: Option<Vec<u64>>,
    #[serde(default)]
    citizen_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EpochsQuery {
    #[serde(default)]
    from: Option<u64>,
}

async fn params(State(s): State<AuthorityState>) -> Result<Response, Problem> {
    let latest = s.0.store.latest_epoch().await?;
    let pk = s.0.keys.issuer.public_key();
    let schema: Box<RawValue> = RawValue::from_string(pk.schema().to_json())
        .map_err(|e| Problem::internal(&e.to_string()))?;
    let v = serde_json::json!({
        "schema": schema,
        "issuer_keys": [raw(&pk.to_json())?],
        "current_issuer_key_id": pk.key_id().to_string(),
        "range_params": raw(&s.0.keys.range_params.to_json())?,
        "revocation": {
            "registry_public_key": raw(&s.0.keys.registry.public_key().to_json())?,
            "latest_epoch": latest,
        },
    });
    Ok(json_ok(&v))
}

async fn issuer_keys(State(s): State<AuthorityState>) -> Result<Response, Problem> {
    let pk = s.0.keys.issuer.public_key();
    Ok(json_ok(
        &serde_json::json!({ "keys": [raw(&pk.to_json())?] }),
    ))
}

async fn enroll_offer(
    State(s): State<AuthorityState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let OfferBody { code } = read_json(&headers, body, BODY_LIMIT).await?;
    let code = parse_code(&code)?;
    let now = (s.0.clock)();
    let offer = IssuanceOffer::new(&mut rand::rngs::OsRng, s.0.keys.issuer.public_key()).to_json();
    s.0.store
        .set_enrollment_offer(&code.hash(), &offer, now)
        .await
        .map_err(code_problem)?;
    let parsed = IssuanceOffer::from_json(&offer).map_err(|e| Problem::internal(&e.to_string()))?;
    Ok(json_ok(&serde_json::json!({
        "offer": raw(&offer)?,
        "issuer_key_id": parsed.key_id().to_string(),
    })))
}

async fn enroll_finish(
    State(s): State<AuthorityState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let FinishBody { code, request } = read_json(&headers, body, BODY_LIMIT).await?;
    let code = parse_code(&code)?;
    let request = BlindIssuanceRequest::from_json(request.get().as_bytes())
        .map_err(|e| Problem::malformed(format!("request: {e}")))?;
    let store = &s.0.store;
    let now = (s.0.clock)();
    let hash = code.hash();
    let rec = store
        .enrollment_code(&hash, now)
        .await
        .map_err(code_problem)?;
    let offer_bytes = rec
        .offer
        .ok_or_else(|| code_problem(EnrollmentError::NoOffer))?;
    let offer = IssuanceOffer::from_json(&offer_bytes)
        .map_err(|e| Problem::internal(&format!("stored offer: {e}")))?;
    let citizen = store
        .citizen(&rec.citizen_id)
        .await?
        .ok_or_else(|| Problem::internal("enrollment code of an unknown citizen"))?;
    let current = s.latest_entry().await?;
    let view = StagedRevokedSet::load(store, &[citizen.revocation_id]).await?;
    let (epoch, registry_id) = (current.epoch(), current.registry());
    let st = s.clone();
    let (response, witness) = blocking(move || {
        let issuer = &st.0.keys.issuer;
        let attributes = citizen
            .credential_attributes(issuer.public_key().schema())
            // Not the error's text: it can quote an attribute value, and attributes are never
            // logged (API.md § Operations). Imported records are validated, so this is a bug.
            .map_err(|_| {
                Problem::internal("a registered citizen's attributes do not fit the schema")
            })?;
        let response = issuer
            .issue_blind(&mut rand::rngs::OsRng, &offer, &request, &attributes)
            .map_err(|e| {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "invalid-issuance-request",
                    "Invalid issuance request",
                    e.to_string(),
                )
            })?;
        let witness =
            st.0.keys
                .registry
                .witness(citizen.revocation_id, &current, &view)
                .map_err(|e| match e {
                    RevocationError::Revoked(_) => Problem::new(
                        StatusCode::FORBIDDEN,
                        "citizen-revoked",
                        "Citizen revoked",
                        "this citizen's credentials are revoked; no credential is issued",
                    ),
                    RevocationError::Domain => Problem::new(
                        StatusCode::CONFLICT,
                        "revocation-domain-exhausted",
                        "Revocation domain exhausted",
                        "the citizen's revocation id is outside the registry's domain",
                    ),
                    other => Problem::internal(&other.to_string()),
                })?;
        Ok((response, witness))
    })
    .await?;
    // The code is consumed and the credential recorded in one transaction; only then is the
    // response released.
    let issued = store
        .redeem_enrollment_code(
            &hash,
            &offer_bytes,
            now,
            &NewIssuedCredential {
                key_id: s.0.keys.issuer.public_key().key_id().to_string(),
                issued_at: now,
            },
        )
        .await
        .map_err(code_problem)?;
    let v = serde_json::json!({
        "response": raw(&response.to_json())?,
        "revocation_id": issued.revocation_id,
        "witness": raw(&witness.to_json())?,
        "epoch": epoch,
        "registry_id": registry_id.to_string(),
    });
    Ok(json_ok(&v))
}

fn unauthorized() -> Problem {
    Problem::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Unauthorized",
        "revocation needs the admin bearer token",
    )
}

async fn revoke(
    State(s): State<AuthorityState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(unauthorized)?;
    if !s.0.admin_token.matches(token) {
        return Err(unauthorized());
    }
    let body: RevokeBody = read_json(&headers, body, BODY_LIMIT).await?;
    let store = &s.0.store;
    let ids = match (body.revocation_ids, body.citizen_id) {
        (Some(ids), None) if !ids.is_empty() && ids.len() <= netnym::MAX_REVOKED_PER_EPOCH => ids,
        (None, Some(c)) => vec![
            store
                .citizen(&c)
                .await?
                .ok_or_else(|| {
                    Problem::new(
                        StatusCode::NOT_FOUND,
                        "unknown-revocation-id",
                        "Unknown citizen",
                        "no citizen has this id",
                    )
                })?
                .revocation_id,
        ],
        _ => {
            return Err(Problem::malformed(format!(
                "give exactly one of revocation_ids (1..={} ids) or citizen_id",
                netnym::MAX_REVOKED_PER_EPOCH
            )))
        }
    };
    let mut ids = ids;
    ids.sort_unstable();
    ids.dedup();
    let _one_writer = s.0.revocation.lock().await;
    for &id in &ids {
        if store.citizen_by_revocation_id(id).await?.is_none() {
            return Err(Problem::new(
                StatusCode::NOT_FOUND,
                "unknown-revocation-id",
                "Unknown revocation id",
                format!("revocation id {id} is not allocated to a citizen"),
            ));
        }
    }
    let revoked = store.revoked_among(&ids).await?;
    let (already, fresh): (Vec<u64>, Vec<u64>) =
        ids.iter().copied().partition(|id| revoked.contains(id));
    if fresh.is_empty() {
        let latest = store.latest_epoch().await?;
        return Ok(json_ok(&serde_json::json!({
            "epoch": latest, "revoked": [], "already_revoked": already,
        })));
    }
    let current = s.latest_entry().await?;
    let set = StagedRevokedSet::load(store, &fresh).await?;
    let st = s.clone();
    let ids_to_revoke = fresh.clone();
    let (entry, set) = blocking(move || {
        let mut set = set;
        let entry =
            st.0.keys
                .registry
                .revoke(&current, &ids_to_revoke, &mut set)
                .map_err(|e| match e {
                    RevocationError::Domain => Problem::new(
                        StatusCode::CONFLICT,
                        "revocation-domain-exhausted",
                        "Revocation domain exhausted",
                        "a revocation id is outside the registry's domain",
                    ),
                    other => Problem::internal(&other.to_string()),
                })?;
        Ok((entry, set))
    })
    .await?;
    // Durable before acknowledged: the ids and the epoch entry commit together.
    set.commit(store, &entry, (s.0.clock)())
        .await
        .map_err(|e| match e {
            EpochError::Store(s) => Problem::from(s),
            other => Problem::internal(&other.to_string()),
        })?;
    Ok(json_ok(&serde_json::json!({
        "epoch": entry.epoch(), "revoked": fresh, "already_revoked": already,
    })))
}

async fn epochs(
    State(s): State<AuthorityState>,
    query: Result<Query<EpochsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Problem> {
    let Query(q) = query.map_err(|e| Problem::malformed(format!("query: {e}")))?;
    let from = q.from.unwrap_or(0);
    let page =
        s.0.store
            .epochs_from(from, netnym_store::MAX_EPOCH_PAGE)
            .await?;
    let latest = s.0.store.latest_epoch().await?;
    let mut epochs = Vec::with_capacity(page.len());
    for r in &page {
        epochs.push(serde_json::json!({
            "epoch": r.epoch, "entry": raw(&r.entry)?, "created_at": r.created_at,
        }));
    }
    Ok(json_ok(
        &serde_json::json!({ "epochs": epochs, "latest": latest }),
    ))
}

async fn health(State(s): State<AuthorityState>) -> Result<Response, Problem> {
    s.0.store.ping().await?;
    Ok(json_ok(&serde_json::json!({"status": "ok"})))
}

/// Readiness: the database answers and the epoch log (the public data wallets and verifiers
/// fetch) has its genesis entry.
async fn ready(State(s): State<AuthorityState>) -> Result<Response, Problem> {
    s.0.store.ping().await.map_err(not_ready_db)?;
    let latest = s.0.store.latest_epoch().await.map_err(not_ready_db)?;
    if latest.is_none() {
        return Err(problem::not_ready("the epoch log has no genesis entry"));
    }
    Ok(json_ok(
        &serde_json::json!({"status": "ready", "checks": {"database": "ok", "epoch_log": "ok"}}),
    ))
}

/// A failed readiness check of the database: `not-ready`, counted as a database error.
pub(crate) fn not_ready_db(e: StoreError) -> Problem {
    let mut p = problem::not_ready("the database is unreachable");
    p.db_error = Problem::from(e).db_error;
    p
}

/// `GET /metrics`; the epoch gauges are read from the store at each scrape.
async fn metrics(State(s): State<AuthorityState>) -> Response {
    let latest: Result<_, Problem> = async {
        let store = &s.0.store;
        let Some(latest) = store.latest_epoch().await? else {
            return Ok(None);
        };
        let created = store
            .epochs_from(latest, 1)
            .await?
            .first()
            .map(|r| r.created_at);
        Ok(Some((latest, created)))
    }
    .await;
    match latest {
        Ok(l) => {
            let now = (s.0.clock)();
            s.0.metrics.epochs(
                l.map(|(e, _)| e),
                l.and_then(|(_, c)| c).map(|c| now.saturating_sub(c)),
                None,
            );
        }
        Err(p) => {
            s.0.metrics.problem(&p);
            s.0.metrics.epochs(None, None, None);
        }
    }
    s.0.metrics.render()
}

async fn openapi() -> Response {
    json_ok(&crate::openapi::authority())
}

/// The authority router (with the request-id, log and metrics layers).
pub fn router(state: AuthorityState) -> Router {
    let layer_metrics = state.0.metrics.clone();
    let routes = Router::new()
        .route("/v1/params", get(params))
        .route("/v1/issuer-keys", get(issuer_keys))
        .route("/v1/enroll/offer", post(enroll_offer))
        .route("/v1/enroll/finish", post(enroll_finish))
        .route("/v1/revoke", post(revoke))
        .route("/v1/epochs", get(epochs))
        .route("/v1/health", get(health))
        .route("/v1/ready", get(ready))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .fallback(problem::not_found)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .with_state(state);
    crate::http_layers::layered(routes, layer_metrics)
}
