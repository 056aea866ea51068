//! The log of a service process (API.md § Operations): `tracing` events, as human-readable or
//! JSON lines on stderr, filtered by `NETNYM_LOG` (else `RUST_LOG`, else a default).
//!
//! Records of the `log` crate (the core crate's verification rejections, the store's warnings)
//! are carried into the same output.
//!
//! What is never logged: secrets (keys, the admin token, passphrases), enrollment codes, link
//! secrets, presentations and citizens' attributes. The services log request metadata (id,
//! method, route pattern, status, latency), problem codes and spec rule ids. The PostgreSQL
//! client (`tokio_postgres`) prints query parameters at debug, so it is held at `info` whatever
//! the filter says.

use std::str::FromStr;

use tracing_subscriber::EnvFilter;

/// The environment variable read first for the log filter (`RUST_LOG` is read when unset).
pub const LOG_ENV: &str = "NETNYM_LOG";

/// Directives added after the user's filter: dependencies whose verbose levels print data.
const CAPS: &[&str] = &["tokio_postgres=info"];

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LogFormat {
    /// `2026-01-01T00:00:00.000000Z  INFO request{id=… method=POST route=/v1/verify}:
    /// netnym_server::http: request status=200 latency_ms=3.1`
    #[default]
    Human,
    /// One JSON object per line: `timestamp`, `level`, `target`, `fields` (with `message`),
    /// and `span` / `spans` for the request's id, method and route.
    Json,
}

impl FromStr for LogFormat {
    type Err = LoggingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "human" => Ok(Self::Human),
            "json" => Ok(Self::Json),
            other => Err(LoggingError::Format(other.to_owned())),
        }
    }
}

/// The log could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoggingError {
    /// Not `human` or `json`.
    #[error("unknown log format {0:?} (use human or json)")]
    Format(String),
    /// The filter in `NETNYM_LOG` / `RUST_LOG` does not parse.
    #[error("invalid log filter in {var}: {reason}")]
    Filter {
        /// The variable read.
        var: &'static str,
        /// Why.
        reason: String,
    },
    /// A logger is already installed in this process.
    #[error("cannot install the logger: {0}")]
    Install(String),
}

/// The filter: `NETNYM_LOG`, else `RUST_LOG`, else `default` (e.g. `info`), then [`CAPS`].
fn filter(default: &str) -> Result<EnvFilter, LoggingError> {
    let from_env = [LOG_ENV, "RUST_LOG"].into_iter().find_map(|v| {
        std::env::var(v)
            .ok()
            .filter(|t| !t.trim().is_empty())
            .map(|t| (v, t))
    });
    filter_from(from_env, default)
}

/// [`filter`] with the variable's name and text given.
fn filter_from(
    from_env: Option<(&'static str, String)>,
    default: &str,
) -> Result<EnvFilter, LoggingError> {
    let (var, text) = from_env.unwrap_or(("the default", default.to_owned()));
    let bad = |e: &dyn core::fmt::Display| LoggingError::Filter {
        var,
        reason: e.to_string(),
    };
    let mut f = EnvFilter::builder()
        .with_regex(false)
        .parse(&text)
        .map_err(|e| bad(&e))?;
    for cap in CAPS {
        f = f.add_directive(cap.parse().map_err(|e| bad(&e))?);
    }
    Ok(f)
}

/// Install the process's logger: `format` lines on stderr, filtered as the module docs say
/// (`default` when neither variable is set), and the bridge from the `log` crate.
///
/// # Errors
/// [`LoggingError::Filter`]; [`LoggingError::Install`] when a logger is already installed.
pub fn init_logging(format: LogFormat, default: &str) -> Result<(), LoggingError> {
    let filter = filter(default)?;
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(filter);
    let installed = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
    installed.map_err(|e| LoggingError::Install(e.to_string()))
}

#[cfg(test)]
mod tests;
