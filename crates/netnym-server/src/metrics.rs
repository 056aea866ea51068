//! Prometheus metrics of a service (API.md § Operations, `GET /metrics`): one registry per
//! service instance, encoded as OpenMetrics text (which Prometheus scrapes natively).
//!
//! Label values come from fixed sets (matched route patterns, known methods, status codes,
//! error kinds), never from client input, so a client cannot grow the series without bound.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::problem::{DbErrorKind, Problem};

/// `Content-Type` of `GET /metrics`.
pub const METRICS_CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

/// Gauge holding a float.
type FloatGauge = Gauge<f64, std::sync::atomic::AtomicU64>;

/// The metrics of one service.
pub(crate) struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    request_duration: Family<RouteLabels, Histogram>,
    verification_duration: Family<OutcomeLabels, Histogram>,
    batch_size: Histogram,
    proof_checks: Counter,
    db_errors: Family<KindLabels, Counter>,
    latest_epoch: Gauge,
    epoch_age: FloatGauge,
    epoch_log_sync_age: FloatGauge,
}

/// The `route` label of a request: its matched route pattern, or `unmatched`.
pub(crate) const UNMATCHED: &str = "unmatched";

fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

impl Metrics {
    /// The metrics of the `service` ("authority" or "verifier").
    pub(crate) fn new(service: &str) -> Arc<Self> {
        let mut registry = Registry::with_prefix("netnym");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route pattern, method and status",
            requests.clone(),
        );
        // 1 ms .. ~16 s.
        let request_duration =
            Family::<RouteLabels, Histogram>::new_with_constructor(|| -> Histogram {
                Histogram::new(exponential_buckets(0.001, 2.0, 15))
            });
        registry.register(
            "http_request_duration_seconds",
            "Time from the request to its response head, by route pattern",
            request_duration.clone(),
        );
        let db_errors = Family::<KindLabels, Counter>::default();
        registry.register(
            "database_errors",
            "Database errors met while serving (unavailable, constraint, corrupt, backend)",
            db_errors.clone(),
        );
        let verification_duration =
            Family::<OutcomeLabels, Histogram>::new_with_constructor(|| -> Histogram {
                Histogram::new(exponential_buckets(0.001, 2.0, 14))
            });
        let batch_size = Histogram::new([1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]);
        let proof_checks = Counter::default();
        let (latest_epoch, epoch_age, epoch_log_sync_age) = (
            Gauge::default(),
            FloatGauge::default(),
            FloatGauge::default(),
        );
        if service == "verifier" {
            registry.register(
                "verification_duration_seconds",
                "Time to verify one presentation (parsing, checks, nonce and account), by outcome: accepted, rejected (4xx) or error (5xx)",
                verification_duration.clone(),
            );
            registry.register(
                "verify_batch_size",
                "Presentations per POST /v1/verify/batch",
                batch_size.clone(),
            );
            registry.register(
                "verifier_proof_checks",
                "Presentations whose proofs were checked (the pairing batch and everything before it passed parsing and the request checks)",
                proof_checks.clone(),
            );
            registry.register(
                "verifier_latest_epoch",
                "Newest revocation epoch this verifier knows (-1: none yet)",
                latest_epoch.clone(),
            );
            registry.register(
                "verifier_epoch_age_seconds",
                "Age of the newest epoch this verifier knows, from the authority's publication time (-1: unknown)",
                epoch_age.clone(),
            );
            registry.register(
                "verifier_epoch_log_sync_age_seconds",
                "Seconds since this verifier last read the epoch log successfully (since start when it never has)",
                epoch_log_sync_age.clone(),
            );
        } else {
            registry.register(
                "authority_latest_epoch",
                "Newest epoch of the authority's revocation log (-1: unreadable at the last scrape)",
                latest_epoch.clone(),
            );
            registry.register(
                "authority_latest_epoch_age_seconds",
                "Seconds since the newest epoch of the log was appended (-1: unreadable at the last scrape)",
                epoch_age.clone(),
            );
        }
        latest_epoch.set(-1);
        epoch_age.set(-1.0);
        Arc::new(Self {
            registry,
            requests,
            request_duration,
            verification_duration,
            batch_size,
            proof_checks,
            db_errors,
            latest_epoch,
            epoch_age,
            epoch_log_sync_age,
        })
    }

    /// Count one answered request.
    pub(crate) fn request(
        &self,
        route: &str,
        method: &Method,
        status: StatusCode,
        latency: Duration,
    ) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                method: method_label(method),
                status: status.as_u16(),
            })
            .inc();
        self.request_duration
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
            })
            .observe(latency.as_secs_f64());
    }

    /// Count one database error.
    pub(crate) fn db_error(&self, kind: DbErrorKind) {
        self.db_errors
            .get_or_create(&KindLabels { kind: kind.label() })
            .inc();
    }

    /// Count the database error behind `p`, if any (for problems that do not become a
    /// response of their own, e.g. a batch item's).
    pub(crate) fn problem(&self, p: &Problem) {
        if let Some(kind) = p.db_error {
            self.db_error(kind);
        }
    }

    /// Record one presentation's verification.
    pub(crate) fn verification(&self, outcome: Result<(), StatusCode>, took: Duration) {
        let outcome = match outcome {
            Ok(()) => "accepted",
            Err(s) if s.is_server_error() => "error",
            Err(_) => "rejected",
        };
        self.verification_duration
            .get_or_create(&OutcomeLabels { outcome })
            .observe(took.as_secs_f64());
    }

    /// Count one presentation whose proofs are about to be checked.
    pub(crate) fn proof_check(&self) {
        self.proof_checks.inc();
    }

    /// Record a batch's size.
    pub(crate) fn batch(&self, size: usize) {
        #[allow(clippy::cast_precision_loss)] // At most MAX_BATCH.
        self.batch_size.observe(size as f64);
    }

    /// Set the epoch gauges: the newest epoch, its age and the age of the last read of the log
    /// (seconds; `None` where unknown).
    pub(crate) fn epochs(&self, latest: Option<u64>, age: Option<u64>, sync_age: Option<u64>) {
        self.latest_epoch
            .set(latest.and_then(|e| i64::try_from(e).ok()).unwrap_or(-1));
        #[allow(clippy::cast_precision_loss)] // Seconds: exact below 2^53.
        self.epoch_age.set(age.map_or(-1.0, |a| a as f64));
        #[allow(clippy::cast_precision_loss)]
        if let Some(s) = sync_age {
            self.epoch_log_sync_age.set(s as f64);
        }
    }

    /// The `GET /metrics` response.
    pub(crate) fn render(&self) -> Response {
        let mut text = String::new();
        match prometheus_client::encoding::text::encode(&mut text, &self.registry) {
            Ok(()) => (
                StatusCode::OK,
                [(header::CONTENT_TYPE, METRICS_CONTENT_TYPE)],
                text,
            )
                .into_response(),
            Err(_) => Problem::internal("encoding the metrics failed").into_response(),
        }
    }
}
