//! The verifier service of a platform (API.md § Verifier service).

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use netnym::{
    EpochEntry, IssuerPublicKey, ParsedPresentation, PresentationRequest, RangeParams,
    RegistryPublicKey, VerifiedPresentation, Verifier, VerifyError,
};
use netnym_store::{ConsumeError, PutRequestError, Store};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::body::{blocking, json_ok, raw, read_json, BODY_LIMIT};
use crate::limits::Limits;
use crate::metrics::Metrics;
use crate::oidc::{Facade, PresentationService};
use crate::policy::LoadedPolicy;
use crate::problem::{self, Problem};
use crate::{Clock, StartError};

mod batch;

pub use batch::MAX_INVALID_PER_BATCH;

/// Most presentations in one batch.
pub const MAX_BATCH: usize = 64;

/// A boxed future of an [`EpochSource`].
pub type EpochFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where a verifier learns the authority's revocation epochs (the public log), without blocking
/// the service's async threads. A source that can only block (an HTTP client) implements
/// [`BlockingEpochSource`] and is wrapped in [`Blocking`].
pub trait EpochSource: Send + Sync {
    /// Entries with epoch `>= from`, in order (an empty list when there are none).
    ///
    /// # Errors
    /// A human-readable reason when the log cannot be fetched or parsed.
    fn epochs_from(&self, from: u64) -> EpochFuture<'_, Result<Vec<EpochEntry>, String>>;

    /// When the authority appended `epoch` to its log (Unix seconds), if this source can tell;
    /// only the freshness metric (`netnym_verifier_epoch_age_seconds`) uses it.
    fn published_at(&self, epoch: u64) -> EpochFuture<'_, Option<u64>> {
        let _ = epoch;
        Box::pin(async { None })
    }
}

/// An epoch source whose calls block the calling thread (for example an HTTP client).
pub trait BlockingEpochSource: Send + Sync + 'static {
    /// As [`EpochSource::epochs_from`], blocking.
    ///
    /// # Errors
    /// A human-readable reason when the log cannot be fetched or parsed.
    fn epochs_from(&self, from: u64) -> Result<Vec<EpochEntry>, String>;

    /// As [`EpochSource::published_at`], blocking.
    fn published_at(&self, epoch: u64) -> Option<u64> {
        let _ = epoch;
        None
    }
}

/// A [`BlockingEpochSource`] as an [`EpochSource`]: each call runs on tokio's blocking pool.
pub struct Blocking<T>(Arc<T>);

impl<T: BlockingEpochSource> Blocking<T> {
    /// Wrap `source`.
    pub fn new(source: T) -> Self {
        Self(Arc::new(source))
    }
}

impl<T: BlockingEpochSource> EpochSource for Blocking<T> {
    fn epochs_from(&self, from: u64) -> EpochFuture<'_, Result<Vec<EpochEntry>, String>> {
        let source = self.0.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || source.epochs_from(from))
                .await
                .map_err(|e| format!("epoch source failed: {e}"))?
        })
    }

    fn published_at(&self, epoch: u64) -> EpochFuture<'_, Option<u64>> {
        let source = self.0.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || source.published_at(epoch))
                .await
                .ok()
                .flatten()
        })
    }
}

/// An [`EpochSource`] reading the log from a store (the authority's database, or a replica of
/// it). For a remote authority, implement [`BlockingEpochSource`] over `GET /v1/epochs`.
pub struct StoreEpochSource(pub Store);

impl EpochSource for StoreEpochSource {
    fn epochs_from(&self, from: u64) -> EpochFuture<'_, Result<Vec<EpochEntry>, String>> {
        Box::pin(async move {
            let mut out = Vec::new();
            let mut next = from;
            loop {
                let page = self
                    .0
                    .epochs_from(next, netnym_store::MAX_EPOCH_PAGE)
                    .await
                    .map_err(|e| e.to_string())?;
                let Some(last) = page.last().map(|r| r.epoch) else {
                    break;
                };
                for r in &page {
                    out.push(EpochEntry::from_json(&r.entry).map_err(|e| e.to_string())?);
                }
                next = last + 1;
            }
            Ok(out)
        })
    }

    fn published_at(&self, epoch: u64) -> EpochFuture<'_, Option<u64>> {
        Box::pin(async move {
            let page = self.0.epochs_from(epoch, 1).await.ok()?;
            page.first()
                .filter(|r| r.epoch == epoch)
                .map(|r| r.created_at)
        })
    }
}

/// Non-revocation for a verifier: the registry it trusts and where its epochs come from.
pub struct VerifierRevocation {
    /// The registry public key (obtained on an authenticated channel).
    pub registry: RegistryPublicKey,
    /// The public epoch log.
    pub epochs: Arc<dyn EpochSource>,
}

/// Configuration of a verifier service.
pub struct VerifierConfig {
    /// The validated policy.
    pub policy: LoadedPolicy,
    /// The issuer keys it trusts (the policy names the accepted ones).
    pub issuer_keys: Vec<IssuerPublicKey>,
    /// Required when the policy has `non_revoked = true`.
    pub revocation: Option<VerifierRevocation>,
    /// Range-proof parameters (the authority's public ones); required when the policy has
    /// predicates.
    pub range_params: Option<RangeParams>,
    /// The clock (Unix seconds); [`crate::system_clock`] in production.
    pub clock: Clock,
}

struct Inner {
    store: Store,
    policy: LoadedPolicy,
    verifier: RwLock<Verifier>,
    /// Newest epoch the verifier has learned (held across the source's awaits while learning,
    /// so one refresh runs at a time).
    known_latest: tokio::sync::Mutex<Option<u64>>,
    /// Freshness of the epoch log: when it was last read, and when the newest known epoch was
    /// published (if the source tells).
    epoch_times: Mutex<EpochTimes>,
    metrics: Arc<Metrics>,
    revocation: Option<VerifierRevocation>,
    range_params: Option<netnym::KeyId>,
    clock: Clock,
    /// The OpenID Connect facade, when the policy has an `[oidc]` section.
    oidc: Option<Arc<Facade>>,
    /// Most open requests per client (`Limits::max_outstanding_per_client`, set with the router).
    max_open: AtomicU32,
    /// Key of the clients' keys in the store (random per process, never stored): the store sees
    /// `SHA-256(key ‖ address)`, not addresses.
    client_secret: [u8; 32],
}

/// Shared state of the verifier routes.
#[derive(Clone)]
pub struct VerifierState(Arc<Inner>);

impl VerifierState {
    /// Build the state.
    ///
    /// # Errors
    /// [`StartError::Config`] when the policy needs non-revocation and no registry is given.
    pub fn new(store: Store, config: VerifierConfig) -> Result<Self, StartError> {
        if config.policy.policy().non_revoked && config.revocation.is_none() {
            return Err(StartError::Config(
                "the policy requires non-revocation but no registry key is configured".to_owned(),
            ));
        }
        if config.policy.has_predicates() && config.range_params.is_none() {
            return Err(StartError::Config(
                "the policy has predicates but no range-proof parameters are configured".to_owned(),
            ));
        }
        let range_id = config.range_params.as_ref().map(RangeParams::id);
        let oidc = Facade::from_policy(&config.policy, config.clock.clone())
            .map_err(|e| StartError::Config(e.to_string()))?
            .map(Arc::new);
        let mut verifier = Verifier::new(config.issuer_keys);
        if let Some(p) = config.range_params {
            verifier = verifier.with_range_params(p);
        }
        if let Some(r) = &config.revocation {
            verifier = verifier.with_registry(r.registry.clone());
        }
        // Generator tables now, not at the first request (spec/06 §Precomputation).
        let verifier = verifier.precompute();
        Ok(Self(Arc::new(Inner {
            store,
            policy: config.policy,
            verifier: RwLock::new(verifier),
            known_latest: tokio::sync::Mutex::new(None),
            epoch_times: Mutex::new(EpochTimes {
                last_sync: None,
                started: (config.clock)(),
                newest_published: None,
            }),
            metrics: Metrics::new("verifier"),
            revocation: config.revocation,
            range_params: range_id,
            clock: config.clock,
            oidc,
            max_open: AtomicU32::new(crate::limits::DEFAULT_MAX_OUTSTANDING_PER_CLIENT),
            client_secret: rand::random(),
        })))
    }

    /// The store.
    #[must_use]
    pub fn store(&self) -> &Store {
        &self.0.store
    }

    pub(crate) fn metrics(&self) -> &Arc<Metrics> {
        &self.0.metrics
    }

    fn epoch_times(&self) -> std::sync::MutexGuard<'_, EpochTimes> {
        self.0
            .epoch_times
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Learn new epochs from the source; returns the newest known epoch.
    async fn refresh_epochs(&self) -> Result<Option<u64>, Problem> {
        let Some(rev) = &self.0.revocation else {
            return Ok(None);
        };
        let mut known = self.0.known_latest.lock().await;
        let from = known.map_or(0, |k| k + 1);
        let entries = rev.epochs.epochs_from(from).await.map_err(|e| {
            tracing::warn!(target: "netnym_server", "epoch log unavailable: {e}");
            Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "service-unavailable",
                "Service unavailable",
                "the revocation epoch log is unavailable; retry later",
            )
        })?;
        let learned = !entries.is_empty();
        {
            let mut verifier = self
                .0
                .verifier
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for e in entries {
                if Some(e.epoch()) != known.map(|k| k + 1).or(Some(0)) {
                    return Err(Problem::internal("epoch log is not contiguous"));
                }
                verifier.add_epoch(&e).map_err(|err| {
                    Problem::internal(&format!("epoch from another registry: {err}"))
                })?;
                *known = Some(e.epoch());
            }
        }
        let now = (self.0.clock)();
        let published = match *known {
            Some(k) if learned => {
                tracing::debug!(target: "netnym_server", epoch = k, "learned new revocation epochs");
                Some(rev.epochs.published_at(k).await)
            }
            _ => None,
        };
        let mut times = self.epoch_times();
        times.last_sync = Some(now);
        if let Some(p) = published {
            times.newest_published = p;
        }
        Ok(*known)
    }

    /// Set the epoch gauges for a scrape.
    async fn update_epoch_gauges(&self) {
        if self.0.revocation.is_none() {
            return;
        }
        let now = (self.0.clock)();
        let known = *self.0.known_latest.lock().await;
        let times = *self.epoch_times();
        self.0.metrics.epochs(
            known,
            times.newest_published.map(|p| now.saturating_sub(p)),
            Some(now.saturating_sub(times.last_sync.unwrap_or(times.started))),
        );
    }

    /// Verify one presentation and record its outcome and duration.
    async fn verify_timed(&self, bytes: Box<RawValue>) -> Result<serde_json::Value, Problem> {
        let start = Instant::now();
        let r = self.verify_one(bytes).await;
        self.0.metrics.verification(
            r.as_ref().map(|_| ()).map_err(|p| p.status),
            start.elapsed(),
        );
        if let Err(p) = &r {
            if p.status.is_client_error() {
                // The core logged the failing rule (target netnym::verify) just before.
                tracing::debug!(target: "netnym_server", code = p.code, "presentation rejected");
            }
        }
        r
    }

    /// The store's key of `client`: 16 bytes of `SHA-256(client_secret ‖ address)`.
    fn client_key(&self, client: IpAddr) -> [u8; 16] {
        use sha2::{Digest as _, Sha256};
        let mut h = Sha256::new();
        h.update(self.0.client_secret);
        match client {
            IpAddr::V4(a) => h.update(a.octets()),
            IpAddr::V6(a) => h.update(a.octets()),
        }
        let d = h.finalize();
        let mut out = [0u8; 16];
        out.copy_from_slice(&d[..16]);
        out
    }

    /// Make and store a request; a `client` (a request that came over a connection) may hold
    /// at most `max_open` open requests (else 429 `too-many-open-requests`).
    async fn create_request(&self, client: Option<IpAddr>) -> Result<PresentationRequest, Problem> {
        let now = (self.0.clock)();
        let window = match &self.0.revocation {
            Some(rev) if self.0.policy.policy().non_revoked => {
                let latest = self.refresh_epochs().await?.ok_or_else(|| {
                    Problem::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "service-unavailable",
                        "Service unavailable",
                        "the revocation epoch log is empty; retry later",
                    )
                })?;
                let span = self.0.policy.policy().accepted_epochs - 1;
                Some((rev.registry.id(), latest.saturating_sub(span), latest))
            }
            _ => None,
        };
        let request = self
            .0
            .policy
            .request(&mut rand::rngs::OsRng, now, window, self.0.range_params)
            .map_err(|e| Problem::internal(&format!("request: {e}")))?;
        let (store, json) = (&self.0.store, request.to_json());
        let stored = match client {
            Some(c) => {
                store
                    .put_client_request(
                        request.nonce(),
                        request.verifier_id(),
                        &json,
                        request.created_at(),
                        request.expires_at(),
                        &self.client_key(c),
                        self.0.max_open.load(Ordering::Relaxed),
                    )
                    .await
            }
            None => {
                store
                    .put_request(
                        request.nonce(),
                        request.verifier_id(),
                        &json,
                        request.created_at(),
                        request.expires_at(),
                    )
                    .await
            }
        };
        match stored {
            Ok(()) => Ok(request),
            Err(PutRequestError::TooManyOpen(n)) => Err(Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-open-requests",
                "Too many open requests",
                format!(
                    "this client already holds {n} open presentation requests; use or let one expire"
                ),
            )
            // A slot frees when one of them is used or expires: at the latest after the validity.
            .retry_after(self.0.policy.policy().validity_seconds)),
            Err(PutRequestError::Store(e)) => Err(e.into()),
            Err(e) => Err(Problem::internal(&e.to_string())),
        }
    }

    /// Verify one presentation: API.md `POST /v1/verify`.
    async fn verify_one(&self, bytes: Box<RawValue>) -> Result<serde_json::Value, Problem> {
        let (verified, account) = self.verify_login(bytes.get().as_bytes().to_vec()).await?;
        let nym = verified.pseudonym();
        Ok(serde_json::json!({
            "account": account.map(|a| serde_json::json!({
                "account_id": a.account_id,
                "new_account": a.new_account,
                "login_count": a.login_count,
                "created_at": a.created_at,
            })),
            "pseudonym": nym.map(|p| p.to_string()),
            "claims": verified.to_json(),
        }))
    }

    /// Verify one presentation and sign its pseudonym in. Parsing and the pairings run on
    /// tokio's blocking pool, the store's reads and the nonce's consumption on the runtime.
    async fn verify_login(
        &self,
        bytes: Vec<u8>,
    ) -> Result<(VerifiedPresentation, Option<netnym_store::Account>), Problem> {
        let parsed = blocking(move || {
            ParsedPresentation::from_json(&bytes)
                .map_err(|e| Problem::malformed(format!("presentation: {e}")))
        })
        .await?;
        let nonce = parsed.nonce().to_vec();
        let stored = self
            .0
            .store
            .request(&nonce)
            .await?
            .filter(|r| r.verifier_id == self.0.policy.verifier_id())
            .ok_or_else(unknown_request)?;
        if stored.consumed_at.is_some() {
            return Err(replayed());
        }
        let request = PresentationRequest::from_json(&stored.request)
            .map_err(|e| Problem::internal(&format!("stored request: {e}")))?;
        let now = (self.0.clock)();
        if now > request.expires_at() {
            return Err(expired());
        }
        // A request made by another replica may name epochs this one has not learned yet.
        let newest_needed = request
            .credentials()
            .iter()
            .filter_map(|q| q.non_revoked().map(|n| n.max_epoch))
            .max();
        if let Some(needed) = newest_needed {
            let known = *self.0.known_latest.lock().await;
            if known.is_none_or(|k| k < needed) {
                self.refresh_epochs().await?;
            }
        }
        let st = self.clone();
        self.0.metrics.proof_check();
        let verified = blocking(move || {
            let verifier =
                st.0.verifier
                    .read()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            verifier
                .verify(&request, &parsed, now)
                .map_err(|e| match e {
                    VerifyError::RequestExpired => expired(),
                    VerifyError::Malformed(d) => Problem::malformed(format!("presentation: {d}")),
                    _ => Problem::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid-presentation",
                        "Invalid presentation",
                        "the presentation does not prove what the request asks",
                    ),
                })
        })
        .await?;
        let nym_bytes = verified.pseudonym().map(|p| p.to_bytes());
        let account = self
            .0
            .store
            .consume_request(&nonce, now, nym_bytes.as_ref().map(|b| &b[..]))
            .await
            .map_err(|e| match e {
                ConsumeError::Unknown => unknown_request(),
                ConsumeError::Expired => expired(),
                ConsumeError::Replayed => replayed(),
                ConsumeError::Store(s) => s.into(),
                other => Problem::internal(&other.to_string()),
            })?;
        Ok((verified, account))
    }
}

impl PresentationService for VerifierState {
    fn create_request(
        &self,
        client: Option<IpAddr>,
    ) -> crate::oidc::ServiceFuture<'_, PresentationRequest> {
        Box::pin(Self::create_request(self, client))
    }

    fn verify(
        &self,
        presentation: Vec<u8>,
    ) -> crate::oidc::ServiceFuture<'_, VerifiedPresentation> {
        Box::pin(async move {
            let start = Instant::now();
            let r = self.verify_login(presentation).await;
            self.0.metrics.verification(
                r.as_ref().map(|_| ()).map_err(|p| p.status),
                start.elapsed(),
            );
            r.map(|(verified, _)| verified)
        })
    }
}

/// When the epoch log was last read and when its newest known epoch was published.
#[derive(Clone, Copy)]
struct EpochTimes {
    last_sync: Option<u64>,
    started: u64,
    newest_published: Option<u64>,
}

fn unknown_request() -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "unknown-request",
        "Unknown request",
        "no open request of this platform has this nonce",
    )
}

fn replayed() -> Problem {
    Problem::new(
        StatusCode::CONFLICT,
        "nonce-replayed",
        "Presentation already used",
        "this request's nonce has already been consumed",
    )
}

fn expired() -> Problem {
    Problem::new(
        StatusCode::GONE,
        "request-expired",
        "Request expired",
        "the presentation request has expired; ask for a new one",
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyBody {
    presentation: Box<RawValue>,
}

async fn create_request(
    State(s): State<VerifierState>,
    client: crate::limits::Client,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let CreateBody {} = read_json(&headers, body, BODY_LIMIT).await?;
    let request = s.create_request(client.0).await?;
    let v = serde_json::json!({
        "request": raw(&request.to_json())?,
        "nonce": base64_url(request.nonce()),
        "expires_at": request.expires_at(),
    });
    Ok(json_ok(&v))
}

fn base64_url(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

async fn verify(
    State(s): State<VerifierState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let VerifyBody { presentation } = read_json(&headers, body, BODY_LIMIT).await?;
    let v = s.verify_timed(presentation).await?;
    Ok(json_ok(&v))
}

async fn policy(State(s): State<VerifierState>) -> Result<Response, Problem> {
    let v =
        serde_json::to_value(s.0.policy.policy()).map_err(|e| Problem::internal(&e.to_string()))?;
    Ok(json_ok(&v))
}

async fn health(State(s): State<VerifierState>) -> Result<Response, Problem> {
    s.0.store.ping().await?;
    Ok(json_ok(&serde_json::json!({"status": "ok"})))
}

/// Readiness: the database answers and, when the policy needs non-revocation, the epoch log
/// can be read now and has an epoch.
async fn ready(State(s): State<VerifierState>) -> Result<Response, Problem> {
    let needs_epochs = s.0.revocation.is_some() && s.0.policy.policy().non_revoked;
    s.0.store
        .ping()
        .await
        .map_err(crate::authority::not_ready_db)?;
    if needs_epochs {
        let latest = s
            .refresh_epochs()
            .await
            .map_err(|_| problem::not_ready("the revocation epoch log cannot be read"))?;
        if latest.is_none() {
            return Err(problem::not_ready("the revocation epoch log is empty"));
        }
    }
    let epochs = if needs_epochs { "ok" } else { "not needed" };
    Ok(json_ok(
        &serde_json::json!({"status": "ready", "checks": {"database": "ok", "epoch_log": epochs}}),
    ))
}

/// `GET /metrics`.
async fn metrics(State(s): State<VerifierState>) -> Response {
    s.update_epoch_gauges().await;
    s.0.metrics.render()
}

async fn openapi() -> Response {
    json_ok(&crate::openapi::verifier())
}

/// The verifier router (with the request-id, log and metrics layers) under [`Limits::default`].
pub fn router(state: VerifierState) -> Router {
    router_with_limits(state, &Limits::default())
}

/// The verifier router under `limits` (the per-client ones apply to requests that came over a
/// connection, not to ones routed into the router in-process).
pub fn router_with_limits(state: VerifierState, limits: &Limits) -> Router {
    state
        .0
        .max_open
        .store(limits.max_outstanding_per_client, Ordering::Relaxed);
    let layer_metrics = state.0.metrics.clone();
    let routes = Router::new()
        .route("/v1/policy", get(policy))
        .route("/v1/requests", post(create_request))
        .route("/v1/verify", post(verify))
        .route("/v1/verify/batch", post(batch::verify_batch))
        .route("/v1/health", get(health))
        .route("/v1/ready", get(ready))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .with_state(state.clone());
    // The OpenID Connect facade's routes (spec/13-oidc.md), when configured.
    let routes = match state.0.oidc.clone() {
        Some(facade) => routes.merge(crate::oidc::router(facade, Arc::new(state))),
        None => routes,
    }
    .fallback(problem::not_found)
    .method_not_allowed_fallback(problem::method_not_allowed);
    crate::http_layers::layered(routes, layer_metrics, limits)
}
