//! The facade's ES256 signing key (spec/13-oidc.md § Signing key, OIDC-003).
//!
//! The key is a P-256 private key in a PKCS#8 PEM file (what `openssl genpkey -algorithm EC
//! -pkeyopt ec_paramgen_curve:P-256` writes). When the file does not exist the service creates
//! it (mode 0600, never overwritten), so the key, and the `kid` relying parties cache, survive
//! restarts. A file readable by group or others is refused. The key id is the RFC 7638 JWK
//! thumbprint.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use p256::elliptic_curve::sec1::ToEncodedPoint as _;
use p256::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, LineEnding};
use serde::Serialize;
use zeroize::Zeroizing;

/// Largest key file accepted, in bytes.
const MAX_KEY_FILE: u64 = 16 * 1024;

/// The signing key could not be loaded, created or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum KeyError {
    /// The file cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Group or others may read the file (OIDC-003).
    #[error("{0}: the key file must not be readable by group or others (chmod 600)")]
    Permissions(PathBuf),
    /// The file is not a PKCS#8 PEM P-256 private key.
    #[error("{0}: not a PKCS#8 PEM P-256 private key")]
    Format(PathBuf),
    /// Signing failed (a bug).
    #[error("signing failed: {0}")]
    Sign(String),
}

/// The ES256 key: private half for `jsonwebtoken` (zeroized on drop by that crate) and the
/// public JWK.
pub(crate) struct SigningKey {
    encoding: jsonwebtoken::EncodingKey,
    kid: String,
    jwk: serde_json::Value,
}

impl core::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Avoids printing the private key.
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

fn b64url(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

impl SigningKey {
    /// Load the key from `path`, or create it there when the file does not exist.
    ///
    /// # Errors
    /// [`KeyError`].
    pub(crate) fn load_or_generate(path: &Path) -> Result<Self, KeyError> {
        let io = |source| KeyError::Io {
            path: path.to_owned(),
            source,
        };
        let secret = match std::fs::metadata(path) {
            Ok(meta) => {
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt as _;
                    if meta.permissions().mode() & 0o077 != 0 {
                        return Err(KeyError::Permissions(path.to_owned()));
                    }
                }
                if meta.len() > MAX_KEY_FILE {
                    return Err(KeyError::Format(path.to_owned()));
                }
                let text = Zeroizing::new(std::fs::read_to_string(path).map_err(io)?);
                p256::SecretKey::from_pkcs8_pem(&text)
                    .map_err(|_| KeyError::Format(path.to_owned()))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
                let pem = secret
                    .to_pkcs8_pem(LineEnding::LF)
                    .map_err(|e| KeyError::Sign(e.to_string()))?;
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt as _;
                    options.mode(0o600);
                }
                let mut file = options.open(path).map_err(io)?;
                file.write_all(pem.as_bytes()).map_err(io)?;
                file.sync_all().map_err(io)?;
                tracing::info!(target: "netnym_server", path = %path.display(), "created the OIDC signing key");
                secret
            }
            Err(e) => return Err(io(e)),
        };
        let der = secret
            .to_pkcs8_der()
            .map_err(|e| KeyError::Sign(e.to_string()))?;
        let point = secret.public_key().to_encoded_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err(KeyError::Format(path.to_owned()));
        };
        let (x, y) = (b64url(x), b64url(y));
        // RFC 7638: the required members in lexicographic order, no whitespace.
        let thumbprint_input = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
        let kid = {
            use sha2::Digest as _;
            b64url(&sha2::Sha256::digest(thumbprint_input.as_bytes()))
        };
        let jwk = serde_json::json!({
            "kty": "EC", "crv": "P-256", "x": x, "y": y,
            "use": "sig", "alg": "ES256", "kid": kid,
        });
        Ok(Self {
            encoding: jsonwebtoken::EncodingKey::from_ec_der(der.as_bytes()),
            kid,
            jwk,
        })
    }

    /// The JWK Set (`/jwks`).
    pub(crate) fn jwks(&self) -> serde_json::Value {
        serde_json::json!({ "keys": [self.jwk] })
    }

    /// A compact JWS (ES256) of `claims` with header `typ`.
    ///
    /// # Errors
    /// [`KeyError::Sign`] (not expected: the key was checked at load).
    pub(crate) fn sign(&self, typ: &str, claims: &impl Serialize) -> Result<String, KeyError> {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        header.typ = Some(typ.to_owned());
        jsonwebtoken::encode(&header, claims, &self.encoding)
            .map_err(|e| KeyError::Sign(e.to_string()))
    }
}
