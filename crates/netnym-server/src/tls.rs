//! TLS for the services (issue 12 § TLS): a certificate chain and its private key from PEM
//! files into a rustls server configuration, with the `ring` provider.
//!
//! - **Versions and suites.** rustls' safe defaults: TLS 1.3 and TLS 1.2 with forward-secret
//!   AEAD suites only; no client certificates.
//! - **ALPN.** `http/1.1` only (the services speak HTTP/1.1).
//! - **Files.** The certificate file holds the server's certificate first, then any
//!   intermediates (`-----BEGIN CERTIFICATE-----` blocks); the key file one private key
//!   (PKCS#8, PKCS#1 or SEC1 PEM). Each file is at most [`MAX_PEM_BYTES`]; the key's bytes are
//!   zeroized after parsing. A key that does not match the certificate is refused at start.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// Largest PEM file read (certificate chain, key or CA bundle), in bytes.
pub const MAX_PEM_BYTES: u64 = 1024 * 1024;

/// A TLS file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The file cannot be read.
    #[error("cannot read {what} {path}: {source}")]
    Read {
        /// What the file is for.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_PEM_BYTES`].
    #[error("{what} {path} is larger than {MAX_PEM_BYTES} bytes")]
    TooLarge {
        /// What the file is for.
        what: &'static str,
        /// The file.
        path: PathBuf,
    },
    /// The file is not PEM, or holds no item of the kind needed.
    #[error("{what} {path}: {reason}")]
    Pem {
        /// What the file is for.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// rustls refused the certificate or key (e.g. the key does not match the certificate).
    #[error("TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// The crypto provider of every TLS endpoint in NetNym (ring).
///
/// # Security
/// rustls 0.23.48 deprecates this provider because ring has no post-quantum key exchange
/// (X25519MLKEM768); the aws-lc-rs provider has one but needs cmake to build, which the build
/// machines lack. Key exchange is therefore classical (X25519, P-256, P-384): recorded traffic
/// would be exposed to a future quantum computer. Switching is a one-line change here.
#[must_use]
#[allow(deprecated)] // See `# Security`: aws-lc-rs cannot be built here.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn read_pem(what: &'static str, path: &Path) -> Result<zeroize::Zeroizing<Vec<u8>>, TlsError> {
    let io = |source| TlsError::Read {
        what,
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > MAX_PEM_BYTES {
        return Err(TlsError::TooLarge {
            what,
            path: path.to_owned(),
        });
    }
    std::fs::read(path).map(zeroize::Zeroizing::new).map_err(io)
}

/// Every certificate of a PEM file, in order (a server's chain, or a CA bundle).
///
/// # Errors
/// [`TlsError::Read`], [`TlsError::TooLarge`]; [`TlsError::Pem`] when the file is not PEM or
/// holds no certificate.
pub fn read_certificates(
    what: &'static str,
    path: &Path,
) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = read_pem(what, path)?;
    let bad = |reason: String| TlsError::Pem {
        what,
        path: path.to_owned(),
        reason,
    };
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(e.to_string()))?;
    if certs.is_empty() {
        return Err(bad(
            "no PEM certificate (-----BEGIN CERTIFICATE-----)".to_owned()
        ));
    }
    Ok(certs)
}

/// The private key of a PEM file.
fn read_private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let what = "TLS private key";
    let pem = read_pem(what, path)?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| TlsError::Pem {
        what,
        path: path.to_owned(),
        reason: match e {
            rustls_pki_types::pem::Error::NoItemsFound => {
                "no PEM private key (PKCS#8, PKCS#1 or SEC1)".to_owned()
            }
            e => e.to_string(),
        },
    })
}

/// A service's TLS identity: its certificate chain and key, ready to accept connections.
#[derive(Clone)]
pub struct ServerTls {
    config: Arc<rustls::ServerConfig>,
}

impl core::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Avoids printing the private key.
        f.debug_struct("ServerTls").finish_non_exhaustive()
    }
}

impl ServerTls {
    /// Load the certificate chain (`cert`, leaf first) and private key (`key`) from PEM files.
    ///
    /// # Errors
    /// [`TlsError`]: a file unreadable, too large or without the item; a key that does not
    /// match the certificate ([`TlsError::Config`]).
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Self, TlsError> {
        let chain = read_certificates("TLS certificate", cert)?;
        let key = read_private_key(key)?;
        Self::new(chain, key)
    }

    /// A TLS identity from a DER certificate chain (leaf first) and its key.
    ///
    /// # Errors
    /// [`TlsError::Config`] when rustls refuses them (e.g. the key does not match).
    pub fn new(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Result<Self, TlsError> {
        let mut config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(chain, key)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            config: Arc::new(config),
        })
    }

    pub(crate) fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        tokio_rustls::TlsAcceptor::from(self.config.clone())
    }
}
