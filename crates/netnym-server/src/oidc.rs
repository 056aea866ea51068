//! "Sign in with NetNym": the OpenID Connect facade of a verifier (spec/13-oidc.md).
//!
//! A platform's relying party speaks plain OpenID Connect (authorization code flow with PKCE
//! S256) to its verifier; the verifier turns each authorization into a NetNym presentation
//! request, shows a page with a QR code (cross-device) and an "open my wallet" link
//! (same-device), receives the wallet's presentation OpenID4VP-style (`request_uri`,
//! `direct_post`), verifies it with the verifier's own pipeline (nonce consumed once, pseudonym
//! account), and issues an ES256 ID token whose `sub` is the platform pseudonym and whose other
//! claims are the verified results only.
//!
//! Module map (each file one role):
//! - [`key`]: the ES256 signing key (PKCS#8 file, JWK, signing), OIDC-003;
//! - [`sessions`]: pending authorizations and codes, in memory, bounded, expiring (OIDC-040);
//! - [`claims`]: verified results → ID token claims (OIDC-034, OIDC-004);
//! - [`discovery`]: `/.well-known/openid-configuration` and `/jwks`;
//! - [`authorize`]: `/authorize` and the browser session's page, status and continuation;
//! - [`vp`]: the wallet side, `request_uri` and `direct_post` (OIDC-020..OIDC-022);
//! - [`token`]: `/token` (OIDC-030..OIDC-034);
//! - [`page`] and [`messages`]: the HTML pages (CSP, zh-CN and en) and their text.
//!
//! The state lives in this process: replicas behind a load balancer need sticky sessions (by
//! the `/oidc/session/…`, `/oidc/request/…` path and the client's `/token`) until a shared store
//! holds it (spec/13-oidc.md § Deployment).

mod authorize;
mod claims;
mod discovery;
mod key;
mod messages;
mod page;
mod sessions;
mod token;
mod vp;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use netnym::{PresentationRequest, VerifiedPresentation};

use crate::policy::{LoadedPolicy, OidcSettings};
use crate::problem::Problem;
use crate::Clock;

pub(crate) use self::key::KeyError;

/// A [`PresentationService`] call in progress.
pub(crate) type ServiceFuture<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, Problem>> + Send + 'a>>;

/// What the facade needs from the verifier it fronts (implemented by
/// [`crate::verifier::VerifierState`]). Both calls are async: the store is awaited and the
/// pairings run on the blocking pool inside them.
pub(crate) trait PresentationService: Send + Sync + 'static {
    /// A fresh request from the policy, stored until it expires (API.md `POST /v1/requests`).
    /// `client` is the requester's address key (`limits::Client`), bounding its open requests.
    fn create_request(
        &self,
        client: Option<std::net::IpAddr>,
    ) -> ServiceFuture<'_, PresentationRequest>;
    /// Verify a presentation of a stored request and consume its nonce (API.md
    /// `POST /v1/verify`).
    fn verify(&self, presentation: Vec<u8>) -> ServiceFuture<'_, VerifiedPresentation>;
}

/// The facade could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum OidcSetupError {
    /// The signing key cannot be loaded or created.
    #[error("oidc signing key: {0}")]
    Key(#[from] KeyError),
    /// The claims the policy would put in ID tokens collide (OIDC-004).
    #[error("oidc claims: {0}")]
    Claims(String),
}

/// The facade: configuration, signing key and in-memory state.
pub(crate) struct Facade {
    settings: OidcSettings,
    verifier_id: String,
    schema_id: String,
    /// The result claims of this policy's ID tokens (discovery's `claims_supported`).
    claim_names: Vec<String>,
    key: key::SigningKey,
    sessions: sessions::Sessions,
    clock: Clock,
}

impl Facade {
    /// Set up from a policy's `[oidc]` section (`None` when the policy has none).
    ///
    /// # Errors
    /// [`OidcSetupError`].
    pub(crate) fn from_policy(
        policy: &LoadedPolicy,
        clock: Clock,
    ) -> Result<Option<Self>, OidcSetupError> {
        let Some(settings) = policy.oidc() else {
            return Ok(None);
        };
        // The claims of every request this policy makes have the names of this trial one.
        let mut trial = <rand_chacha::ChaCha20Rng as rand::SeedableRng>::from_seed([9u8; 32]);
        let request = policy
            .request(&mut trial, clock(), None, None)
            .map_err(|e| OidcSetupError::Claims(e.to_string()))?;
        let claim_names = claims::check_names(&request).map_err(OidcSetupError::Claims)?;
        let key = key::SigningKey::load_or_generate(settings.signing_key_file())?;
        Ok(Some(Self {
            settings: settings.clone(),
            verifier_id: policy.verifier_id().to_owned(),
            schema_id: policy.policy().schema_id.clone(),
            claim_names,
            key,
            sessions: sessions::Sessions::new(),
            clock,
        }))
    }

    fn now(&self) -> u64 {
        (self.clock)()
    }

    /// `{issuer}{path}`.
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.settings.issuer())
    }
}

/// The state of the OIDC routes.
#[derive(Clone)]
struct OidcState {
    facade: Arc<Facade>,
    service: Arc<dyn PresentationService>,
}

/// The OIDC routes (stateless router, to merge into the verifier's).
pub(crate) fn router(facade: Arc<Facade>, service: Arc<dyn PresentationService>) -> Router {
    Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(discovery::configuration),
        )
        .route("/jwks", get(discovery::jwks))
        .route("/authorize", get(authorize::authorize))
        .route("/token", post(token::token))
        .route("/oidc/session/{sid}", get(authorize::session_page))
        .route("/oidc/session/{sid}/status", get(authorize::status))
        .route("/oidc/session/{sid}/continue", get(authorize::continue_))
        .route("/oidc/request/{rid}", get(vp::request_object))
        .route("/oidc/response", post(vp::direct_post))
        .route("/oidc/static/follow.js", get(page::script))
        .route("/oidc/static/page.css", get(page::stylesheet))
        .with_state(OidcState { facade, service })
}

/// 256 random bits, unpadded base64url (handles, codes, access tokens).
fn random_token() -> String {
    use base64::Engine as _;
    use rand::RngCore as _;
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// Whether `s` is a handle [`random_token`] could have made (43 base64url characters).
fn is_token_shaped(s: &str) -> bool {
    s.len() == 43
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

/// Parse `application/x-www-form-urlencoded` text into pairs, refusing a repeated name (RFC
/// 6749 § 3.1: parameters must not be included more than once).
fn form_pairs(text: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(text) {
        if out.iter().any(|(n, _)| *n == k) {
            return Err(format!("parameter {k:?} is repeated"));
        }
        out.push((k.into_owned(), v.into_owned()));
    }
    Ok(out)
}

/// The value of parameter `name`, if present.
fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find_map(|(k, v)| (k == name).then_some(v.as_str()))
}
