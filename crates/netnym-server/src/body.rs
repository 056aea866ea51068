//! Strict JSON bodies: content type, size limit, then parsing.

use axum::body::Body;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::problem::Problem;

/// Default body limit: 64 KiB.
pub const BODY_LIMIT: usize = 64 * 1024;
/// Body limit of batch verification: 1 MiB.
pub const BATCH_BODY_LIMIT: usize = 1024 * 1024;

/// How far past the limit an oversized body is drained before answering 413.
const DRAIN_FACTOR: usize = 4;

/// The next item of a body stream.
async fn futures_next(
    stream: &mut axum::body::BodyDataStream,
) -> Option<Result<axum::body::Bytes, axum::Error>> {
    std::future::poll_fn(|cx| {
        use axum::body::HttpBody as _;
        std::pin::Pin::new(&mut *stream)
            .poll_frame(cx)
            .map(|f| f.map(|r| r.map(|frame| frame.into_data().unwrap_or_default())))
    })
    .await
}

/// Whether the request declares `application/json` (parameters allowed).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

/// Read and parse a JSON body: 415 unless `application/json`, 413 above `limit` bytes, 400 for
/// invalid JSON or a shape mismatch (the service's own types deny unknown fields).
pub(crate) async fn read_json<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<T, Problem> {
    if !is_json(headers) {
        return Err(Problem::unsupported_media_type());
    }
    let bytes = tokio::time::timeout(
        crate::limits::BODY_READ_TIMEOUT,
        read_limited(headers, body, limit),
    )
    .await
    .map_err(|_| body_timeout())??;
    serde_json::from_slice(&bytes)
        .map_err(|e| Problem::malformed(format!("invalid JSON body: {e}")))
}

/// 408 `request-timeout`: the body did not arrive within [`crate::limits::BODY_READ_TIMEOUT`].
fn body_timeout() -> Problem {
    Problem::new(
        StatusCode::REQUEST_TIMEOUT,
        "request-timeout",
        "Request timeout",
        format!(
            "the body did not arrive within {} s",
            crate::limits::BODY_READ_TIMEOUT.as_secs()
        ),
    )
}

/// The body's bytes, at most `limit` of them (else 413, after draining a bounded excess).
async fn read_limited(headers: &HeaderMap, body: Body, limit: usize) -> Result<Vec<u8>, Problem> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // An oversized body is still read (and dropped) up to a cap before the 413, so a client
    // that writes its whole body before reading gets the problem document instead of a reset.
    let drain_cap = limit.saturating_mul(DRAIN_FACTOR);
    if declared.is_some_and(|n| n > limit as u64) {
        if declared.is_some_and(|n| n <= drain_cap as u64) {
            let _ = axum::body::to_bytes(body, drain_cap).await;
        }
        return Err(Problem::too_large(limit));
    }
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = futures_next(&mut stream).await {
        let chunk = chunk.map_err(|e| Problem::malformed(format!("reading the body: {e}")))?;
        bytes.extend_from_slice(&chunk);
        if bytes.len() > limit {
            let mut drained = bytes.len();
            while drained <= drain_cap {
                match futures_next(&mut stream).await {
                    Some(Ok(c)) => drained += c.len(),
                    _ => break,
                }
            }
            return Err(Problem::too_large(limit));
        }
    }
    Ok(bytes)
}

/// Read an `application/x-www-form-urlencoded` body of at most `limit` bytes (415 for another
/// type, 413 above the limit); the caller parses it.
pub(crate) async fn read_form(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<axum::body::Bytes, Problem> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| {
            m.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            "send the body as Content-Type: application/x-www-form-urlencoded",
        ));
    }
    tokio::time::timeout(
        crate::limits::BODY_READ_TIMEOUT,
        axum::body::to_bytes(body, limit),
    )
    .await
    .map_err(|_| body_timeout())?
    .map_err(|_| Problem::too_large(limit))
}

/// A 200 JSON response.
pub(crate) fn json_ok(v: &serde_json::Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        v.to_string(),
    )
        .into_response()
}

/// Embed a core envelope (already-serialized JSON bytes) as a JSON value.
pub(crate) fn raw(bytes: &[u8]) -> Result<Box<serde_json::value::RawValue>, Problem> {
    let s = String::from_utf8(bytes.to_vec()).map_err(|_| Problem::internal("non-UTF-8 JSON"))?;
    serde_json::value::RawValue::from_string(s).map_err(|e| Problem::internal(&e.to_string()))
}

/// Run blocking work (parsing, pairings, issuance) off the async runtime, inside the request's log
/// span (so what it logs carries the request id).
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f))
        .await
        .map_err(|e| Problem::internal(&format!("worker failed: {e}")))?
}
