//! RFC 9457 problem details: every error response of both services.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use netnym_store::StoreError;

/// Base of the `type` URIs.
pub const PROBLEM_BASE: &str = "https://netnym.example/problems/";

/// An error response: `application/problem+json` with a stable `code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code (see API.md).
    pub code: &'static str,
    /// Short human title.
    pub title: &'static str,
    /// Human detail for this occurrence (never secrets or internals).
    pub detail: String,
    /// The kind of database error behind this problem, if any (counted in
    /// `netnym_database_errors_total`, never shown to the client).
    pub(crate) db_error: Option<DbErrorKind>,
    /// Seconds for the `Retry-After` header (every 503 gets [`RETRY_AFTER_SECONDS`] unless set).
    pub(crate) retry_after: Option<u64>,
}

/// `Retry-After` of a 503 that names no other delay, in seconds.
pub const RETRY_AFTER_SECONDS: u64 = 5;

/// A database error's kind, the `kind` label of `netnym_database_errors_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum DbErrorKind {
    /// The database cannot be reached, or a transaction failed in a retryable way.
    Unavailable,
    /// A constraint the code relies on was violated.
    Constraint,
    /// Stored data does not decode.
    Corrupt,
    /// Any other error of the database.
    Backend,
}

impl DbErrorKind {
    pub(crate) fn of(e: &StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => Self::Unavailable,
            StoreError::Constraint(_) => Self::Constraint,
            StoreError::Corrupt(_) => Self::Corrupt,
            _ => Self::Backend,
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Unavailable => "unavailable",
            Self::Constraint => "constraint",
            Self::Corrupt => "corrupt",
            Self::Backend => "backend",
        }
    }
}

impl Problem {
    /// A problem.
    #[must_use]
    pub fn new(
        status: StatusCode,
        code: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            title,
            detail: detail.into(),
            db_error: None,
            retry_after: None,
        }
    }

    /// The same problem with `Retry-After: seconds` (at least 1).
    #[must_use]
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds.max(1));
        self
    }

    /// 400 `malformed`.
    #[must_use]
    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "malformed",
            "Malformed request",
            detail,
        )
    }

    /// 413 `payload-too-large`.
    #[must_use]
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Payload too large",
            format!("the body exceeds {limit} bytes"),
        )
    }

    /// 415 `unsupported-media-type`.
    #[must_use]
    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            "send the body as Content-Type: application/json",
        )
    }

    /// 404 `not-found` (no such route).
    #[must_use]
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            "no such route; see /openapi.json",
        )
    }

    /// 405 `method-not-allowed`.
    #[must_use]
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method not allowed",
            "this route does not accept this method; see /openapi.json",
        )
    }

    /// 500 `internal` (details go to the log only).
    #[must_use]
    pub fn internal(what: &str) -> Self {
        tracing::error!(target: "netnym_server", "internal error: {what}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the service failed; nothing was acknowledged",
        )
    }

    /// 503 `service-unavailable`.
    #[must_use]
    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service-unavailable",
            "Service unavailable",
            "the database is unavailable; nothing was stored; retry later",
        )
    }

    /// The JSON body.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "type": format!("{PROBLEM_BASE}{}", self.code),
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
            "code": self.code,
        })
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        let kind = DbErrorKind::of(&e);
        let mut p = match e {
            StoreError::Unavailable(m) => {
                tracing::warn!(target: "netnym_server", "database unavailable: {m}");
                Self::unavailable()
            }
            other => Self::internal(&other.to_string()),
        };
        p.db_error = Some(kind);
        p
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut r = (self.status, self.to_json().to_string()).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        let retry = match self.retry_after {
            Some(s) => Some(s),
            None if self.status == StatusCode::SERVICE_UNAVAILABLE => Some(RETRY_AFTER_SECONDS),
            None => None,
        };
        if let Some(s) = retry {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if let Some(kind) = self.db_error {
            // Read by the metrics layer (crate::http_layers), not sent.
            r.extensions_mut().insert(kind);
        }
        r
    }
}

/// 503 `not-ready` (readiness check failed; `what` names the check, never internals).
#[must_use]
pub(crate) fn not_ready(what: &str) -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "not-ready",
        "Not ready",
        format!("not ready: {what}"),
    )
}

/// Fallback for unknown routes.
pub(crate) async fn not_found() -> Problem {
    Problem::not_found()
}

/// Fallback for known routes with the wrong method.
pub(crate) async fn method_not_allowed() -> Problem {
    Problem::method_not_allowed()
}
