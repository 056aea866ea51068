//! Limits of both services (issue 12 item 5; API.md § Limits, `docs/operations.md` § Limits):
//! connection and request timeouts, per-client rate limits, CORS.
//!
//! - **Header read.** A connection whose request head is not complete [`Limits::header_read`]
//!   after it started (default 5 s) is closed (hyper's HTTP/1 `header_read_timeout`; see
//!   `serve.rs`), so slow-loris connections are gone within 10 s.
//! - **Body read.** A body not read completely within [`BODY_READ_TIMEOUT`] is answered 408
//!   `request-timeout` (`body.rs`).
//! - **Whole request.** A request not answered within [`Limits::request_timeout`] (default
//!   30 s) is answered 503 `timeout` with `Retry-After`.
//! - **Rate.** Per client, at most [`Limits::rate_limit`] requests per second with a burst
//!   (GCRA, the `governor` crate; default 10/s, burst 100) on the routes that cost work or
//!   store data ([`LIMITED_ROUTES`]); above it 429 `rate-limited` with `Retry-After`. A client is
//!   the peer address of the TCP connection (an IPv6 client by its /64 prefix);
//!   `X-Forwarded-For` is **not** read, so behind a reverse proxy every client is the proxy.
//! - **CORS.** Off unless origins are allowed ([`Limits::cors_origins`]): then those origins
//!   (exactly, scheme and port included) get CORS headers for GET and POST.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::problem::Problem;
use crate::StartError;

/// How long a request body may take to arrive.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Routes (method POST, or GET where noted) under the per-client rate limit.
pub const LIMITED_ROUTES: &[(&str, &str)] = &[
    ("POST", "/v1/requests"),
    ("POST", "/v1/verify"),
    ("POST", "/v1/verify/batch"),
    ("POST", "/v1/enroll/offer"),
    ("POST", "/v1/enroll/finish"),
    ("POST", "/v1/revoke"),
    ("GET", "/authorize"),
    ("POST", "/oidc/response"),
    ("POST", "/token"),
];

/// A per-client rate: `per_second` requests per second, `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Sustained requests per second.
    pub per_second: NonZeroU32,
    /// Requests allowed at once (the bucket's size).
    pub burst: NonZeroU32,
}

/// The limits of a service (module docs); [`Limits::default`] is what `serve` uses.
#[derive(Debug, Clone)]
pub struct Limits {
    pub(crate) header_read: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) rate: Option<RateLimit>,
    pub(crate) cors: Vec<HeaderValue>,
    pub(crate) max_outstanding_per_client: u32,
}

/// Default per-client requests per second.
pub const DEFAULT_RATE_PER_SECOND: u32 = 10;
/// Default per-client burst.
pub const DEFAULT_RATE_BURST: u32 = 100;
/// Default header-read timeout.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Default whole-request timeout.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Default cap on a client's open (unconsumed, unexpired) presentation requests.
pub const DEFAULT_MAX_OUTSTANDING_PER_CLIENT: u32 = 64;

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read: DEFAULT_HEADER_READ_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            rate: Some(RateLimit {
                per_second: NonZeroU32::new(DEFAULT_RATE_PER_SECOND).unwrap_or(NonZeroU32::MIN),
                burst: NonZeroU32::new(DEFAULT_RATE_BURST).unwrap_or(NonZeroU32::MIN),
            }),
            cors: Vec::new(),
            max_outstanding_per_client: DEFAULT_MAX_OUTSTANDING_PER_CLIENT,
        }
    }
}

impl Limits {
    /// The per-client rate limit; `None` turns it off (e.g. behind a proxy that limits).
    #[must_use]
    pub fn rate_limit(mut self, rate: Option<RateLimit>) -> Self {
        self.rate = rate;
        self
    }

    /// The header-read timeout (at least 1 s).
    #[must_use]
    pub fn header_read_timeout(mut self, d: Duration) -> Self {
        self.header_read = d.max(Duration::from_secs(1));
        self
    }

    /// The whole-request timeout (at least 1 s).
    #[must_use]
    pub fn request_timeout(mut self, d: Duration) -> Self {
        self.request_timeout = d.max(Duration::from_secs(1));
        self
    }

    /// A verifier's cap on one client's open presentation requests (at least 1).
    #[must_use]
    pub fn max_outstanding_per_client(mut self, n: u32) -> Self {
        self.max_outstanding_per_client = n.max(1);
        self
    }

    /// Origins allowed by CORS, each `scheme://host[:port]` (none: no CORS headers at all).
    ///
    /// # Errors
    /// [`StartError::Config`] for an origin that is not `http(s)://host[:port]`.
    pub fn cors_origins<S: AsRef<str>>(mut self, origins: &[S]) -> Result<Self, StartError> {
        let mut out = Vec::with_capacity(origins.len());
        for o in origins {
            let o = o.as_ref();
            let ok = url::Url::parse(o).ok().is_some_and(|u| {
                matches!(u.scheme(), "http" | "https")
                    && u.host_str().is_some()
                    && u.origin().ascii_serialization() == o
            });
            let value = HeaderValue::from_str(o)
                .ok()
                .filter(|_| ok)
                .ok_or_else(|| {
                    StartError::Config(format!(
                        "CORS origin {o:?} is not an origin (scheme://host[:port], no path)"
                    ))
                })?;
            out.push(value);
        }
        self.cors = out;
        Ok(self)
    }

    /// The header-read timeout.
    #[must_use]
    pub fn header_read(&self) -> Duration {
        self.header_read
    }

    /// The per-client rate limit, if on.
    #[must_use]
    pub fn rate(&self) -> Option<RateLimit> {
        self.rate
    }

    /// The cap on one client's open presentation requests.
    #[must_use]
    pub fn max_outstanding(&self) -> u32 {
        self.max_outstanding_per_client
    }

    /// The origins allowed by CORS.
    #[must_use]
    pub fn cors(&self) -> Vec<&str> {
        self.cors.iter().filter_map(|v| v.to_str().ok()).collect()
    }
}

/// The key of a client: its IPv4 address, or the /64 prefix of its IPv6 address (one host
/// usually holds a whole /64).
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// The client of a request served over a connection ([`client_key`] of its peer); `None`
/// for a request routed in-process (no connection).
pub(crate) fn client_of<B>(req: &axum::http::Request<B>) -> Option<IpAddr> {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| client_key(c.0.ip()))
}

/// Extractor: the client of a request ([`client_of`]), `None` when routed in-process.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Client(pub(crate) Option<IpAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| client_key(c.0.ip())),
        ))
    }
}

/// Extractor: the client and its rate limiter, when the request came over a connection and
/// the rate limit is on (the batch route charges its presentations with it).
#[derive(Clone)]
pub(crate) struct Budget(pub(crate) Option<(IpAddr, Arc<Limiter>)>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Budget {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let client = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| client_key(c.0.ip()));
        let limiter = parts.extensions.get::<Arc<Limiter>>().cloned();
        Ok(Self(client.zip(limiter)))
    }
}

/// The shared per-client limiter of one service.
pub(crate) struct Limiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl Limiter {
    pub(crate) fn new(rate: RateLimit) -> Arc<Self> {
        let quota = Quota::per_second(rate.per_second).allow_burst(rate.burst);
        Arc::new(Self {
            limiter: RateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        })
    }

    /// `Err(seconds to wait)` when `client` is over its rate.
    pub(crate) fn check(&self, client: IpAddr) -> Result<(), u64> {
        self.limiter.check_key(&client).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }

    /// Charge `client` `n` more requests at once (a batch of `n` presentations costs `n`);
    /// `Err(seconds to wait)` when its bucket does not hold them.
    pub(crate) fn check_n(&self, client: IpAddr, n: u32) -> Result<(), u64> {
        let Some(n) = NonZeroU32::new(n) else {
            return Ok(());
        };
        match self.limiter.check_key_n(&client, n) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => {
                let wait = not_until.wait_time_from(self.clock.now());
                Err(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
            }
            // More than the burst: never, so wait for a whole bucket.
            Err(_) => Err(1),
        }
    }

    /// Forget clients whose buckets are full again (bounds the limiter's memory).
    pub(crate) fn retain_recent(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// 429 `rate-limited`.
pub(crate) fn rate_limited(retry_after: u64) -> Problem {
    Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        "Too many requests",
        "this client sends requests faster than the service allows; retry after the delay",
    )
    .retry_after(retry_after)
}

/// Middleware: the rate limit of [`LIMITED_ROUTES`].
async fn limit_rate(State(limiter): State<Arc<Limiter>>, mut req: Request, next: Next) -> Response {
    let limited = req.extensions().get::<MatchedPath>().is_some_and(|p| {
        LIMITED_ROUTES
            .iter()
            .any(|(m, r)| *r == p.as_str() && req.method().as_str() == *m)
    });
    if limited {
        if let Some(client) = client_of(&req) {
            if let Err(wait) = limiter.check(client) {
                return rate_limited(wait).into_response();
            }
            req.extensions_mut().insert(limiter);
        }
    }
    next.run(req).await
}

/// Middleware: the whole-request timeout.
async fn limit_time(State(d): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(d, next.run(req)).await {
        Ok(r) => r,
        Err(_) => Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "Request timed out",
            format!(
                "the request was not answered within {} s; retry later",
                d.as_secs()
            ),
        )
        .into_response(),
    }
}

/// Wrap the routes of `router` in the rate limit and the request timeout (inside the layers of
/// `http_layers`, so their answers are logged and counted), and CORS when origins are allowed.
pub(crate) fn limited(router: axum::Router, limits: &Limits) -> axum::Router {
    let router = match limits.rate {
        Some(rate) => {
            let limiter = Limiter::new(rate);
            let sweeper = Arc::downgrade(&limiter);
            // Forget idle clients every minute while the service (its router) lives.
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move {
                    let mut tick = tokio::time::interval(Duration::from_secs(60));
                    loop {
                        tick.tick().await;
                        match sweeper.upgrade() {
                            Some(l) => l.retain_recent(),
                            None => break,
                        }
                    }
                });
            }
            router.layer(axum::middleware::from_fn_with_state(limiter, limit_rate))
        }
        None => router,
    };
    let router = router.layer(axum::middleware::from_fn_with_state(
        limits.request_timeout,
        limit_time,
    ));
    if limits.cors.is_empty() {
        return router;
    }
    router.layer(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(limits.cors.clone()))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([
                header::CONTENT_TYPE,
                header::AUTHORIZATION,
                HeaderName::from_static(crate::REQUEST_ID_HEADER),
            ])
            .expose_headers([
                header::RETRY_AFTER,
                HeaderName::from_static(crate::REQUEST_ID_HEADER),
            ]),
    )
}
