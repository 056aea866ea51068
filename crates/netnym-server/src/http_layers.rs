//! The layers every route of both services runs in (API.md § Operations): a request id, one
//! log line per request, and the request metrics; inside them, the limits (`limits.rs`).
//!
//! - **Request id.** A client's (or proxy's) `x-request-id` of 1..=64 characters from
//!   `[A-Za-z0-9._:-]` is kept; any other is replaced by 16 random hex digits. The id is
//!   returned as `x-request-id` and names the request's log span, so every line logged while
//!   serving it (verification rejections included) carries it.
//! - **Log line.** At info, target `netnym_server::http`, when the response head is ready:
//!   `request` with `status` and `latency_ms`, inside the span `request{id, method, route}`.
//!   `route` is the matched pattern (`/v1/verify`), never the raw path or query; headers and
//!   bodies are never logged.
//! - **Metrics.** `netnym_http_requests_total{route, method, status}`,
//!   `netnym_http_request_duration_seconds{route}` and the database errors behind problem
//!   responses (`netnym_database_errors_total{kind}`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::limits::Limits;
use crate::metrics::{Metrics, UNMATCHED};
use crate::problem::DbErrorKind;
use crate::REQUEST_ID_HEADER;

/// Longest request id kept from a client.
const MAX_REQUEST_ID: usize = 64;

/// Whether a client's request id is kept as it is.
fn acceptable_id(v: &HeaderValue) -> bool {
    let b = v.as_bytes();
    (1..=MAX_REQUEST_ID).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b':' | b'-'))
}

/// 16 random hex digits.
#[derive(Clone, Copy, Default)]
struct RandomId;

impl MakeRequestId for RandomId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let id = format!("{:016x}", rand::random::<u64>());
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

/// Drop a request id that is not [`acceptable_id`], so that a fresh one replaces it.
async fn sanitize_request_id(mut req: Request) -> Request {
    let name = HeaderName::from_static(REQUEST_ID_HEADER);
    let bad = req
        .headers()
        .get_all(&name)
        .iter()
        .enumerate()
        .any(|(i, v)| i > 0 || !acceptable_id(v));
    if bad {
        req.headers_mut().remove(&name);
    }
    req
}

fn route_of<B>(req: &axum::http::Request<B>) -> String {
    req.extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED.to_owned(), |m| m.as_str().to_owned())
}

fn request_span<B>(req: &axum::http::Request<B>) -> Span {
    let id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        target: "netnym_server::http",
        "request",
        id,
        method = %req.method(),
        route = %route_of(req),
    )
}

fn log_response(res: &Response, latency: Duration, _: &Span) {
    tracing::info!(
        target: "netnym_server::http",
        status = res.status().as_u16(),
        latency_ms = latency.as_secs_f64() * 1000.0,
        "request"
    );
}

/// Count the request and the database error behind its answer.
async fn record(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let route = route_of(&req);
    let method = req.method().clone();
    let start = Instant::now();
    let res = next.run(req).await;
    metrics.request(&route, &method, res.status(), start.elapsed());
    if let Some(kind) = res.extensions().get::<DbErrorKind>() {
        metrics.db_error(*kind);
    }
    res
}

/// Wrap every route of `router` (and its fallbacks) in the layers.
pub(crate) fn layered(router: Router, metrics: Arc<Metrics>, limits: &Limits) -> Router {
    let header = HeaderName::from_static(REQUEST_ID_HEADER);
    // The last layer added runs first: the limits run inside the log and metrics layers.
    crate::limits::limited(router, limits)
        .layer(axum::middleware::from_fn_with_state(metrics, record))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(log_response)
                .on_body_chunk(())
                .on_eos(())
                .on_failure(()),
        )
        .layer(PropagateRequestIdLayer::new(header.clone()))
        .layer(SetRequestIdLayer::new(header, RandomId))
        .layer(axum::middleware::map_request(sanitize_request_id))
}
