//! The `[oidc]` section of a policy: the platform's OpenID Connect facade (spec/13-oidc.md
//! § Configuration, OIDC-001..OIDC-004).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq as _;
use url::Url;

/// Most relying-party clients in one policy.
pub(crate) const MAX_OIDC_CLIENTS: usize = 16;
/// Most redirect URIs of one client.
pub(crate) const MAX_REDIRECT_URIS: usize = 8;
/// Longest issuer or redirect URI, in bytes.
pub(crate) const MAX_URI_LEN: usize = 512;

fn default_wallet_url() -> String {
    "openid4vp://".to_owned()
}

/// The `[oidc]` section as written in the policy file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcPolicy {
    /// The issuer URL: the service's public origin (`https://…`, or `http://` on a loopback
    /// host), optionally with a path a reverse proxy strips; no query or fragment (OIDC-001).
    pub issuer: String,
    /// The ES256 signing key, PKCS#8 PEM; created (mode 0600) when the file does not exist
    /// (OIDC-003). A relative path is relative to the policy file.
    pub signing_key_file: PathBuf,
    /// The same-device link's base: the page links to `{wallet_url}?client_id=…&request_uri=…`.
    /// Default `openid4vp://`.
    #[serde(default = "default_wallet_url")]
    pub wallet_url: String,
    /// The relying parties allowed to sign users in.
    pub clients: Vec<OidcClientPolicy>,
}

/// One relying party (an OAuth client) of the facade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcClientPolicy {
    /// The client id: 1..=128 printable ASCII characters without spaces.
    pub client_id: String,
    /// The redirect URIs, compared byte for byte (OIDC-011).
    pub redirect_uris: Vec<String>,
    /// A confidential client's secret as 64 hex digits of its SHA-256; absent for a public
    /// client (PKCE only). The policy never holds the secret itself (OIDC-031).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_sha256: Option<String>,
}

/// A validated `[oidc]` section.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    issuer: String,
    signing_key_file: PathBuf,
    wallet_url: String,
    clients: Vec<OidcClient>,
}

/// A validated client.
#[derive(Debug, Clone)]
pub struct OidcClient {
    client_id: String,
    redirect_uris: Vec<String>,
    secret_sha256: Option<[u8; 32]>,
}

impl OidcClient {
    /// The client id.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Whether `uri` is one of the registered redirect URIs, byte for byte (OIDC-011).
    #[must_use]
    pub fn has_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|r| r == uri)
    }

    /// Whether this is a confidential client (it has a secret).
    #[must_use]
    pub fn is_confidential(&self) -> bool {
        self.secret_sha256.is_some()
    }

    /// Whether `secret` is this client's secret (SHA-256 compared in constant time); always
    /// false for a public client (OIDC-031).
    #[must_use]
    pub fn secret_matches(&self, secret: &[u8]) -> bool {
        use sha2::Digest as _;
        match &self.secret_sha256 {
            Some(expected) => {
                let got: [u8; 32] = sha2::Sha256::digest(secret).into();
                got.ct_eq(expected).into()
            }
            None => false,
        }
    }
}

impl OidcSettings {
    /// The issuer URL (`iss` of ID tokens), without a trailing slash.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The signing key file.
    #[must_use]
    pub fn signing_key_file(&self) -> &Path {
        &self.signing_key_file
    }

    /// The same-device link's base.
    #[must_use]
    pub fn wallet_url(&self) -> &str {
        &self.wallet_url
    }

    /// The client with this id.
    #[must_use]
    pub fn client(&self, client_id: &str) -> Option<&OidcClient> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }
}

/// Whether `url` may be an issuer or redirect URI: `https`, or `http` on a loopback host (RFC
/// 8252 § 8.3), no fragment, no user info.
fn acceptable_url(url: &Url) -> bool {
    let loopback = matches!(
        url.host(),
        Some(url::Host::Ipv4(a)) if a.is_loopback()
    ) || matches!(url.host(), Some(url::Host::Ipv6(a)) if a.is_loopback())
        || url.host_str() == Some("localhost");
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    scheme_ok
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none()
        && url.host().is_some()
}

fn printable_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 128 && s.bytes().all(|c| (0x21..=0x7e).contains(&c))
}

impl OidcPolicy {
    /// Resolve a relative `signing_key_file` against the policy file's directory.
    pub(crate) fn resolve_paths(&mut self, policy_dir: &Path) {
        if self.signing_key_file.is_relative() {
            self.signing_key_file = policy_dir.join(&self.signing_key_file);
        }
    }

    /// Validate (OIDC-001, OIDC-002): the error names the field at fault.
    pub(crate) fn validate(&self) -> Result<OidcSettings, String> {
        let issuer = Url::parse(&self.issuer).map_err(|e| format!("oidc.issuer: {e}"))?;
        if self.issuer.len() > MAX_URI_LEN || !acceptable_url(&issuer) || issuer.query().is_some() {
            return Err(
                "oidc.issuer must be an https URL (http only on a loopback host) without query, \
                 fragment or user info (OIDC-001)"
                    .to_owned(),
            );
        }
        if self.signing_key_file.as_os_str().is_empty() {
            return Err("oidc.signing_key_file must not be empty".to_owned());
        }
        let wallet = Url::parse(&self.wallet_url).map_err(|e| format!("oidc.wallet_url: {e}"))?;
        if wallet.query().is_some()
            || wallet.fragment().is_some()
            || matches!(wallet.scheme(), "javascript" | "data")
        {
            return Err("oidc.wallet_url must not have a query or fragment (OIDC-001)".to_owned());
        }
        if self.clients.is_empty() || self.clients.len() > MAX_OIDC_CLIENTS {
            return Err(format!(
                "oidc.clients must list 1..={MAX_OIDC_CLIENTS} clients (OIDC-002)"
            ));
        }
        let mut clients: Vec<OidcClient> = Vec::with_capacity(self.clients.len());
        for c in &self.clients {
            if !printable_id(&c.client_id) {
                return Err(
                    "oidc client_id must be 1..=128 printable ASCII characters without spaces \
                     (OIDC-002)"
                        .to_owned(),
                );
            }
            if clients.iter().any(|k| k.client_id == c.client_id) {
                return Err(format!(
                    "oidc client_id {:?} is listed twice (OIDC-002)",
                    c.client_id
                ));
            }
            if c.redirect_uris.is_empty() || c.redirect_uris.len() > MAX_REDIRECT_URIS {
                return Err(format!(
                    "oidc client {:?}: redirect_uris must list 1..={MAX_REDIRECT_URIS} URIs \
                     (OIDC-002)",
                    c.client_id
                ));
            }
            for r in &c.redirect_uris {
                let ok = r.len() <= MAX_URI_LEN
                    && Url::parse(r).is_ok_and(|u| acceptable_url(&u) && u.as_str() == r);
                if !ok {
                    return Err(format!(
                        "oidc client {:?}: redirect URI {r:?} must be an https URL (http only \
                         on a loopback host) in normalised form, without fragment (OIDC-002)",
                        c.client_id
                    ));
                }
            }
            let secret_sha256 = match &c.client_secret_sha256 {
                None => None,
                Some(h) => {
                    let mut out = [0u8; 32];
                    hex::decode_to_slice(h, &mut out).map_err(|_| {
                        format!(
                            "oidc client {:?}: client_secret_sha256 must be 64 hex digits \
                             (OIDC-002)",
                            c.client_id
                        )
                    })?;
                    Some(out)
                }
            };
            clients.push(OidcClient {
                client_id: c.client_id.clone(),
                redirect_uris: c.redirect_uris.clone(),
                secret_sha256,
            });
        }
        Ok(OidcSettings {
            issuer: self.issuer.trim_end_matches('/').to_owned(),
            signing_key_file: self.signing_key_file.clone(),
            wallet_url: self.wallet_url.clone(),
            clients,
        })
    }
}
