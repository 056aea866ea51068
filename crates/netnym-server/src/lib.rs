//! # NetNym services
//!
//! Two axum services over a [`netnym_store::Store`], specified route by route in the crate's
//! `API.md` and served as OpenAPI 3 at `GET /openapi.json`:
//!
//! - the **authority** ([`authority`]): public parameters and keys, enrollment with a one-time
//!   code by blind issuance, authenticated revocation, the public epoch log;
//! - the **verifier** of a platform ([`verifier`]): requests from a [`Policy`], verification
//!   with nonce consumption and pseudonym accounts, batch verification.
//!
//! Errors are RFC 9457 problem documents ([`Problem`]) with stable codes. Bodies must be
//! `application/json` (else 415) of at most 64 KiB (1 MiB for batches; else 413).
//!
//! Cryptographic work (parsing presentations, pairings, issuance) runs on tokio's blocking pool;
//! the store ([`netnym_store::Store`], async and pooled) is awaited on the runtime. Start a
//! service in-process with [`start_authority_on`] / [`start_verifier_on`] and a [`Listen`] (port
//! 0 for an ephemeral port): HTTPS with a [`ServerTls`] (rustls, ring; certificate and key from
//! PEM files), or plain HTTP, which is refused on an address that is not loopback unless allowed
//! explicitly ([`start_authority`] / [`start_verifier`]: plain HTTP on loopback). The returned
//! [`ServerHandle`] gives the bound address and a graceful, bounded shutdown.
//!
//! ## Operations (API.md § Operations, `docs/operations.md`)
//! - Every route runs in the layers of `http_layers`: a request id (`x-request-id`), one log
//!   line per request, request metrics. `GET /metrics` (Prometheus, per-service registry),
//!   `GET /v1/ready` (readiness) and `GET /v1/health` (liveness) are on both services.
//! - A service process calls [`init_logging`] (`tracing`, human or JSON lines, `NETNYM_LOG`),
//!   [`install_panic_hook`] (a panic anywhere is logged and exits [`EXIT_PANIC`]) and
//!   [`run_until_stopped`] (SIGTERM / SIGINT: drain up to [`DRAIN_TIMEOUT`], blocking work up
//!   to [`WORK_GRACE`], exit [`EXIT_OK`]).
//!
//! ## Decisions
//! - **Crash safety.** Enrollment: the code is consumed and the credential recorded in one
//!   transaction, and the response is sent after the commit; a crash before the commit leaves
//!   the code usable, after it the code is spent (at most once). Revocation: the revoked ids
//!   and the new epoch entry commit together before the 200; revocation is idempotent, so a
//!   client that lost the answer retries.
//! - **Keys at rest.** The issuer key and the registry key are sealed together as one secret
//!   (Argon2id + XChaCha20-Poly1305, [`netnym_store::SealedSecret`]); [`AuthorityKeys::load`]
//!   needs the passphrase.
//! - **Nonces.** A stored request is consumed only after its presentation verifies; a rejected
//!   presentation leaves it usable until it expires (nothing is stored for a rejected request).
//! - **Epochs.** A verifier learns epochs from an [`EpochSource`] when it creates a request (and
//!   when verifying a request made by another replica); `accepted_epochs = 1` (the default)
//!   accepts only the latest epoch, so a revoked holder fails as soon as the verifier has
//!   learned the revoking epoch.
//!
//! ## Limits and open points
//! - [`Limits`] (API.md § Limits, module `limits`): the request head must arrive within 5 s
//!   (hyper's header-read timeout; connections are served by our own loop, `serve`), the body
//!   within 10 s, the answer within 30 s; per-client rate limits on the routes that cost work;
//!   at most 64 open presentation requests per client; CORS per origin, off by default. A
//!   client is the TCP peer's address (`X-Forwarded-For` is not read), and the per-client
//!   limits live in each process. `GET /metrics` is served on the API's listener; restrict it
//!   at a proxy when the API is public.
//! - The revocation domain (`1..=N`, [`DEFAULT_REVOCATION_DOMAIN`]) is fixed when the authority
//!   is initialised; citizens imported later with ids above `N` get
//!   `revocation-domain-exhausted` at enrollment.
//! - One authority process writes revocations (a mutex serialises them); a second writer is
//!   refused by the store's gapless epoch rule rather than coordinated.
//! - The verifier keeps consumed nonces until they expire, then purges them; a presentation for
//!   a purged request is `unknown-request` (its request is expired anyway).
//!
//! ## Tests
//! `cargo test -p netnym-server` runs the end-to-end tests over loopback HTTP (`tests/e2e.rs`),
//! key and policy tests (`tests/config.rs`), the SIGKILL and SIGTERM tests of the authority
//! (`tests/crash.rs`, which runs the `netnym-authority` binary), SIGTERM under load and the
//! bounded drain (`tests/shutdown.rs`), the limits — slow-loris connections, slow bodies,
//! rate limits, open requests per client, CORS, `Retry-After`, the bearer scheme
//! (`tests/limits.rs`), HTTPS with a private CA, a wrong CA, stalled
//! handshakes and the drain of TLS connections (`tests/tls.rs`), the panic exit code (`tests/panic_exit.rs`), and the
//! metrics, request ids and readiness (`tests/observability.rs`, with a strict exposition
//! parser in `tests/support/prom.rs`). With `NETNYM_TEST_PG_URL` set (for example after
//! `eval "$(bash .ci/pg-start.sh)"`), the same flows also run on PostgreSQL, plus a
//! database-down test through a relay the test cuts.
//!
//! Reliability (issue 7, `docs/reliability.md`): `tests/load.rs` is a 3-second load run against
//! the `netnym-verifier` binary (a minimal verifier daemon for process-level tests; operators
//! use `netnym verifier serve`), `examples/loadtest.rs` the full one
//! (`cargo run --release -p netnym-server --example loadtest -- --seconds 60 --clients 8`), and
//! `tests/faults.rs` restarts PostgreSQL under load (its own cluster, via `.ci/pg-start.sh`)
//! and SIGKILLs the verifier mid-request.
#![forbid(unsafe_code)]

pub mod authority;
mod body;
mod http_layers;
mod lifecycle;
mod limits;
mod listen;
mod logging;
mod metrics;
mod oidc;
pub mod openapi;
mod policy;
mod problem;
mod serve;
mod tls;
pub mod verifier;

use std::net::SocketAddr;
use std::sync::Arc;

use netnym_store::Store;

pub use crate::authority::{
    create_enrollment_code, published_issuer_keys, retire_issuer_key, AdminToken, AuthorityConfig,
    AuthorityKeyError, AuthorityKeys, AuthorityLog, AuthorityState, DEFAULT_LOG_ORIGIN,
    DEFAULT_REVOCATION_DOMAIN, RANGE_BASE,
};
pub use crate::body::{BATCH_BODY_LIMIT, BODY_LIMIT};

/// The request id header (`http_layers`: kept from a client when well formed, else made up).
pub const REQUEST_ID_HEADER: &str = "x-request-id";

pub use crate::lifecycle::{
    install_panic_hook, run_until_stopped, stop_signal, StopError, StopSignal, DRAIN_TIMEOUT,
    EXIT_FAILURE, EXIT_OK, EXIT_PANIC, WORK_GRACE,
};
pub use crate::limits::{
    Limits, RateLimit, BODY_READ_TIMEOUT, DEFAULT_HEADER_READ_TIMEOUT,
    DEFAULT_MAX_OUTSTANDING_PER_CLIENT, DEFAULT_RATE_BURST, DEFAULT_RATE_PER_SECOND,
    DEFAULT_REQUEST_TIMEOUT, LIMITED_ROUTES,
};
pub use crate::listen::{Listen, HANDSHAKE_TIMEOUT, MAX_HANDSHAKES};
pub use crate::logging::{init_logging, LogFormat, LoggingError, LOG_ENV};
pub use crate::metrics::METRICS_CONTENT_TYPE;
pub use crate::policy::{
    LoadedPolicy, OidcClient, OidcClientPolicy, OidcPolicy, OidcSettings, Policy, PolicyError,
    MAX_VALIDITY_SECONDS,
};
pub use crate::problem::{Problem, PROBLEM_BASE, RETRY_AFTER_SECONDS};
pub use crate::tls::{
    provider as tls_provider, read_certificates, ServerTls, TlsError, MAX_PEM_BYTES,
};
pub use crate::verifier::{
    Blocking, BlockingEpochSource, EpochFuture, EpochSource, StoreEpochSource, VerifierConfig,
    VerifierRevocation, VerifierState,
};

/// A clock returning Unix seconds (injectable for tests).
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The system clock.
#[must_use]
pub fn system_clock() -> Clock {
    Arc::new(netnym_store::unix_now)
}

/// A service could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// Binding the address failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Plain HTTP on an address that is not loopback, without [`Listen::allow_plain_http`].
    #[error("refusing to serve plain HTTP on {addr}, which is not a loopback address: configure TLS (a certificate and key), or allow plain HTTP explicitly (only behind a proxy that terminates TLS)")]
    PlainHttp {
        /// The address.
        addr: SocketAddr,
    },
    /// The configuration is inconsistent.
    #[error("invalid service configuration: {0}")]
    Config(String),
}

/// A running service.
#[derive(Debug)]
pub struct ServerHandle {
    addr: SocketAddr,
    tls: bool,
    shutdown: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    background: Vec<tokio::task::JoinHandle<()>>,
}

impl ServerHandle {
    /// The bound address.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://ADDR` (or `http://ADDR` without TLS).
    #[must_use]
    pub fn base_url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Stop accepting connections, let in-flight requests finish for up to [`DRAIN_TIMEOUT`],
    /// and wait for the server to end.
    ///
    /// # Errors
    /// The server's I/O error, if it failed; [`std::io::ErrorKind::TimedOut`] when requests
    /// were still in flight at the deadline (their connections are closed unanswered).
    pub async fn shutdown(self) -> std::io::Result<()> {
        self.shutdown_within(DRAIN_TIMEOUT).await
    }

    /// [`ServerHandle::shutdown`] with another drain deadline.
    ///
    /// # Errors
    /// As [`ServerHandle::shutdown`].
    pub async fn shutdown_within(self, drain: std::time::Duration) -> std::io::Result<()> {
        // Background tasks first, and wait until they are gone (their state with them).
        for b in &self.background {
            b.abort();
        }
        for b in self.background {
            let _ = b.await;
        }
        let _ = self.shutdown.send(());
        let mut task = self.task;
        match tokio::time::timeout(drain, &mut task).await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => Err(std::io::Error::other(e)),
            Err(_) => {
                task.abort();
                let _ = task.await;
                Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "requests still in flight {} s after the stop; their connections were closed",
                        drain.as_secs()
                    ),
                ))
            }
        }
    }

    /// Resolves only if the server stops by itself (its accept loop failed).
    pub(crate) async fn wait_while_running(&mut self) -> std::io::Result<()> {
        match (&mut self.task).await {
            Ok(r) => r,
            Err(e) => Err(std::io::Error::other(e)),
        }
    }
}

/// Serve `router` as `listen` says; on failure the `background` tasks are stopped.
async fn serve(
    listen: Listen,
    router: axum::Router,
    background: Vec<tokio::task::JoinHandle<()>>,
) -> Result<ServerHandle, StartError> {
    match bind(&listen, router).await {
        Ok((addr, shutdown, task)) => Ok(ServerHandle {
            addr,
            tls: listen.is_tls(),
            shutdown,
            task,
            background,
        }),
        Err(e) => {
            for b in &background {
                b.abort();
            }
            Err(e)
        }
    }
}

type Running = (
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
);

async fn bind(listen: &Listen, router: axum::Router) -> Result<Running, StartError> {
    let addr = listen.addr();
    if !listen.permitted() {
        return Err(StartError::PlainHttp { addr });
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| StartError::Bind { addr, source })?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let stop = async move {
        let _ = rx.await;
    };
    // Both kinds of listener go through the same connection loop and drain (`serve`).
    let header_read = listen.limits().header_read();
    let task = match listen.server_tls() {
        None => tokio::spawn(serve::serve_connections(
            listener,
            router,
            stop,
            header_read,
        )),
        Some(tls) => tokio::spawn(serve::serve_connections(
            listen::TlsListener::new(listener, tls),
            router,
            stop,
            header_read,
        )),
    };
    Ok((bound, tx, task))
}

/// Start the authority service with plain HTTP on the loopback address `addr` (in the current
/// tokio runtime); [`start_authority_on`] for HTTPS.
///
/// # Errors
/// As [`start_authority_on`].
pub async fn start_authority(
    addr: SocketAddr,
    store: Store,
    config: AuthorityConfig,
) -> Result<ServerHandle, StartError> {
    start_authority_on(Listen::plain(addr), store, config).await
}

/// Start the authority service as `listen` says (in the current tokio runtime).
///
/// # Errors
/// [`StartError::Bind`]; [`StartError::PlainHttp`].
pub async fn start_authority_on(
    listen: Listen,
    store: Store,
    config: AuthorityConfig,
) -> Result<ServerHandle, StartError> {
    let router = authority::router_with_limits(AuthorityState::new(store, config), listen.limits());
    serve(listen, router, Vec::new()).await
}

/// How often a verifier purges expired requests.
pub const PURGE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

/// Start a verifier service with plain HTTP on the loopback address `addr` (in the current
/// tokio runtime); [`start_verifier_on`] for HTTPS.
///
/// # Errors
/// As [`start_verifier_on`].
pub async fn start_verifier(
    addr: SocketAddr,
    store: Store,
    config: VerifierConfig,
) -> Result<ServerHandle, StartError> {
    start_verifier_on(Listen::plain(addr), store, config).await
}

/// Start a verifier service as `listen` says (in the current tokio runtime); it also purges
/// expired requests every [`PURGE_INTERVAL`].
///
/// # Errors
/// [`StartError::Bind`]; [`StartError::PlainHttp`]; [`StartError::Config`] as
/// [`VerifierState::new`].
pub async fn start_verifier_on(
    listen: Listen,
    store: Store,
    config: VerifierConfig,
) -> Result<ServerHandle, StartError> {
    let clock = config.clock.clone();
    let state = VerifierState::new(store.clone(), config)?;
    let metrics = state.metrics().clone();
    let purge = tokio::spawn(async move {
        let mut tick = tokio::time::interval(PURGE_INTERVAL);
        loop {
            tick.tick().await;
            if let Err(e) = store.purge_expired_requests(clock()).await {
                metrics.db_error(problem::DbErrorKind::of(&e));
                tracing::warn!(target: "netnym_server", "purging expired requests failed: {e}");
            }
        }
    });
    let router = verifier::router_with_limits(state, listen.limits());
    serve(listen, router, vec![purge]).await
}
