//! The authority service (API.md § Authority service), and its key management.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use netnym::{BlindIssuanceRequest, EpochEntry, IssuanceOffer, RevocationError};
use netnym_store::{
    EnrollmentCode, EnrollmentError, EpochError, NewIssuedCredential, StagedRevokedSet, Store,
    StoreError,
};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::body::{blocking, json_ok, raw, read_json, BODY_LIMIT};
use crate::limits::Limits;
use crate::metrics::Metrics;
use crate::problem::{self, Problem};
use crate::Clock;

mod keys;
mod log;

pub use keys::{
    create_enrollment_code, published_issuer_keys, retire_issuer_key, AdminToken,
    AuthorityKeyError, AuthorityKeys, AUTHORITY_SECRET_NAME, DEFAULT_REVOCATION_DOMAIN, RANGE_BASE,
    ROTATED_KEY_SECRET_PREFIX,
};
pub use log::{AuthorityLog, DEFAULT_LOG_ORIGIN, LOG_KEY_SECRET, MAX_LOG_ENTRIES_PAGE};

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
        EnrollmentError::Invalidated => Problem::new(
            StatusCode::GONE,
            "enrollment-code-invalidated",
            "Enrollment code invalidated",
            "the authority has invalidated this enrollment code; ask it for a new one",
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
    let pk = s.0.keys.issuer().public_key();
    let schema: Box<RawValue> = RawValue::from_string(pk.schema().to_json())
        .map_err(|e| Problem::internal(&e.to_string()))?;
    let v = serde_json::json!({
        "schema": schema,
        "issuer_keys": published_keys(&s)?,
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
    Ok(json_ok(&serde_json::json!({ "keys": published_keys(&s)? })))
}

/// The public keys of every issuer key not retired, in rotation order.
fn published_keys(s: &AuthorityState) -> Result<Vec<Box<RawValue>>, Problem> {
    s.0.keys
        .issuers()
        .iter()
        .map(|i| raw(&i.public_key().to_json()))
        .collect()
}

async fn enroll_offer(
    State(s): State<AuthorityState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let OfferBody { code } = read_json(&headers, body, BODY_LIMIT).await?;
    let code = parse_code(&code)?;
    let now = (s.0.clock)();
    let offer =
        IssuanceOffer::new(&mut rand::rngs::OsRng, s.0.keys.issuer().public_key()).to_json();
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
    // The offer's key, while it is not retired (an offer made before a restart that retired
    // it must be asked for again).
    let key_id = offer.key_id();
    if s.0.keys.issuer_by_id(&key_id).is_none() {
        return Err(code_problem(EnrollmentError::NoOffer));
    }
    let citizen = store
        .citizen(&rec.citizen_id)
        .await?
        .ok_or_else(|| Problem::internal("enrollment code of an unknown citizen"))?;
    let current = s.latest_entry().await?;
    let view = StagedRevokedSet::load(store, &[citizen.revocation_id]).await?;
    let (epoch, registry_id) = (current.epoch(), current.registry());
    let st = s.clone();
    let (response, witness) = blocking(move || {
        let issuer =
            st.0.keys
                .issuer_by_id(&key_id)
                .ok_or_else(|| Problem::internal("the offer's issuer key vanished"))?;
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
                key_id: key_id.to_string(),
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

/// The token of an `Authorization: Bearer <token>` value. The scheme is case-insensitive
/// (RFC 9110 § 11.1) and separated from the token by one or more spaces.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, rest) = value.split_once(' ')?;
    let token = rest.trim_start_matches(' ');
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

async fn revoke(
    State(s): State<AuthorityState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
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
    // The revocation is durable; a checkpoint not signed now is signed at the next write or
    // start (the log entry is already stored with the epoch).
    if let Err(e) = s.0.keys.log.sign(store).await {
        tracing::warn!(target: "netnym_server", error = %e, "signing the log checkpoint failed");
    }
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

/// The authority router (with the request-id, log and metrics layers) under [`Limits::default`].
pub fn router(state: AuthorityState) -> Router {
    router_with_limits(state, &Limits::default())
}

/// The authority router under `limits` (the per-client ones apply to requests that came over a
/// connection, not to ones routed into the router in-process).
pub fn router_with_limits(state: AuthorityState, limits: &Limits) -> Router {
    let layer_metrics = state.0.metrics.clone();
    let routes = Router::new()
        .route("/v1/params", get(params))
        .route("/v1/issuer-keys", get(issuer_keys))
        .route("/v1/enroll/offer", post(enroll_offer))
        .route("/v1/enroll/finish", post(enroll_finish))
        .route("/v1/revoke", post(revoke))
        .route("/v1/epochs", get(epochs))
        .route("/v1/log/checkpoint", get(log::checkpoint))
        .route("/v1/log/key", get(log::key))
        .route("/v1/log/entries", get(log::entries))
        .route("/v1/log/proof/inclusion", get(log::inclusion))
        .route("/v1/log/proof/consistency", get(log::consistency))
        .route("/v1/health", get(health))
        .route("/v1/ready", get(ready))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .fallback(problem::not_found)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .with_state(state);
    crate::http_layers::layered(routes, layer_metrics, limits)
}
