//! How the CLI's clients reach a service (issue 12 § TLS): HTTPS by default, plain HTTP only to
//! a loopback address and only with `--allow-http`.
//!
//! - **Trust.** Without `--ca`, https:// servers are checked against the Mozilla root
//!   certificates built into the binary (webpki-roots, through ureq). With `--ca PATH` (a PEM
//!   file of one or more CA certificates; also `NETNYM_CA`), **only** those CAs are trusted,
//!   not the public roots as well: a deployment with a private CA should not also accept a
//!   certificate some public CA issued for the same name.
//! - **URLs.** `https://` is always accepted. `http://` is refused unless the host is a
//!   loopback address (`127.0.0.0/8`, `::1`, `localhost`) **and** `--allow-http` is given; any
//!   other scheme, and URLs with credentials, a query or a fragment, are refused before any
//!   connection is made.
//! - **Errors.** A server certificate the client does not trust is reported as such (with
//!   rustls' reason, e.g. `UnknownIssuer`), naming `--ca`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;
use url::Host;

/// Environment variable naming the CA file when `--ca` is not given.
pub(crate) const CA_ENV: &str = "NETNYM_CA";

/// How long a request may take, connection and TLS handshake included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A service URL or the client's TLS settings are refused.
#[derive(Debug, Error)]
pub(crate) enum TransportError {
    #[error("invalid service URL {url:?}: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("refusing plain HTTP to {url}: use https://, or pass --allow-http to allow plain HTTP to this loopback address")]
    PlainHttpWithoutFlag { url: String },
    #[error("refusing plain HTTP to {url}: not a loopback address (plain HTTP is allowed only to 127.0.0.0/8, ::1 or localhost, with --allow-http); use https://")]
    PlainHttpNotLoopback { url: String },
    #[error("--ca: {0}")]
    Ca(#[from] netnym_server::TlsError),
    #[error("--ca {path}: {reason}")]
    BadCa { path: PathBuf, reason: String },
}

/// The TLS settings of a command's clients: whom to trust, whether plain HTTP to loopback is
/// allowed.
#[derive(Clone)]
pub(crate) struct ClientTls {
    agent: ureq::Agent,
    /// The same trust, following no redirects (OpenID4VP: a request object and a response
    /// endpoint are fetched and posted exactly where the verifier named them).
    strict: ureq::Agent,
    allow_http: bool,
}

impl ClientTls {
    /// Trust `ca` (PEM, every certificate in it) instead of the Mozilla roots when given,
    /// else the CA named by `NETNYM_CA`, else the Mozilla roots.
    pub(crate) fn new(ca: Option<&Path>, allow_http: bool) -> Result<Self, TransportError> {
        let from_env = std::env::var_os(CA_ENV).map(PathBuf::from);
        let ca = ca.or(from_env.as_deref());
        let mut builder = ureq::AgentBuilder::new().timeout(REQUEST_TIMEOUT);
        let mut strict = ureq::AgentBuilder::new()
            .timeout(REQUEST_TIMEOUT)
            .redirects(0);
        if let Some(path) = ca {
            let bad = |reason: String| TransportError::BadCa {
                path: path.to_owned(),
                reason,
            };
            let mut roots = rustls::RootCertStore::empty();
            for cert in netnym_server::read_certificates("CA file", path)? {
                roots.add(cert).map_err(|e| bad(e.to_string()))?;
            }
            let config = rustls::ClientConfig::builder_with_provider(netnym_server::tls_provider())
                .with_safe_default_protocol_versions()
                .map_err(|e| bad(e.to_string()))?
                .with_root_certificates(roots)
                .with_no_client_auth();
            let config = Arc::new(config);
            builder = builder.tls_config(Arc::clone(&config));
            strict = strict.tls_config(config);
        }
        Ok(Self {
            agent: builder.build(),
            strict: strict.build(),
            allow_http,
        })
    }

    /// The HTTP agent (cheap to clone).
    pub(crate) fn agent(&self) -> ureq::Agent {
        self.agent.clone()
    }

    /// The agent that follows no redirects.
    pub(crate) fn strict_agent(&self) -> ureq::Agent {
        self.strict.clone()
    }

    /// Refuse `url` unless it is https://, or http:// to loopback with `--allow-http`.
    pub(crate) fn check_url(&self, url: &str) -> Result<(), TransportError> {
        check_url(url, self.allow_http)
    }
}

/// Whether a URL host is a loopback address.
fn is_loopback(host: Option<Host<&str>>) -> bool {
    match host {
        Some(Host::Ipv4(a)) => a.is_loopback(),
        Some(Host::Ipv6(a)) => a.is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The URL policy of the module docs.
pub(crate) fn check_url(url: &str, allow_http: bool) -> Result<(), TransportError> {
    let bad = |reason: &str| TransportError::BadUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let u = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
    if !u.username().is_empty() || u.password().is_some() {
        return Err(bad("credentials in a URL are not allowed"));
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err(bad("a base URL has no query or fragment"));
    }
    match u.scheme() {
        "https" => Ok(()),
        "http" if !is_loopback(u.host()) => Err(TransportError::PlainHttpNotLoopback {
            url: url.to_owned(),
        }),
        "http" if !allow_http => Err(TransportError::PlainHttpWithoutFlag {
            url: url.to_owned(),
        }),
        "http" => Ok(()),
        _ => Err(bad(
            "the scheme must be https (or http to loopback with --allow-http)",
        )),
    }
}

/// A transport failure for humans: an untrusted server certificate is named as such.
pub(crate) fn describe(t: &ureq::Transport) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(t);
    while let Some(e) = source {
        let tls = e.downcast_ref::<rustls::Error>().or_else(|| {
            e.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if let Some(tls @ rustls::Error::InvalidCertificate(_)) = tls {
            return format!(
                "the server's TLS certificate is not trusted ({tls}); pass --ca with the CA certificate that issued it"
            );
        }
        if let Some(tls) = tls {
            return format!("TLS failed: {tls}");
        }
        source = e.source();
    }
    t.to_string()
}

#[cfg(test)]
mod tests;
