//! `POST /token` (spec/13-oidc.md § Token, OIDC-030..OIDC-034): client authentication, the
//! code (once, short-lived), PKCE S256, and the signed ID token.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use subtle::ConstantTimeEq as _;

use super::sessions::CodeError;
use super::{form_pairs, param, random_token, Facade, OidcState};
use crate::body::read_form;
use crate::policy::OidcClient;

/// Body limit of the token endpoint.
const TOKEN_BODY_LIMIT: usize = 16 * 1024;
/// Lifetime of an ID token, in seconds (OIDC-034).
pub(crate) const ID_TOKEN_TTL: u64 = 300;

/// An OAuth error response (RFC 6749 § 5.2).
#[derive(Debug)]
struct TokenError {
    status: StatusCode,
    error: &'static str,
    description: String,
    /// Whether to ask for HTTP Basic (a failed `client_secret_basic`).
    basic_challenge: bool,
}

impl TokenError {
    fn new(error: &'static str, description: &str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            description: description.to_owned(),
            basic_challenge: false,
        }
    }

    fn client(description: &str, basic: bool) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: description.to_owned(),
            basic_challenge: basic,
        }
    }
}

impl IntoResponse for TokenError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": self.error,
            "error_description": self.description,
        });
        let mut r = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response();
        let h = r.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if self.basic_challenge {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"netnym\""),
            );
        }
        r
    }
}

/// `client_id:client_secret` of an HTTP Basic header, each form-urldecoded (RFC 6749 § 2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Option<Result<(String, String), ()>> {
    use base64::Engine as _;
    let v = headers.get(header::AUTHORIZATION)?;
    let parsed = (|| {
        let v = v.to_str().ok()?;
        let (scheme, rest) = v.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let raw = base64::engine::general_purpose::STANDARD
            .decode(rest.trim())
            .ok()?;
        let text = String::from_utf8(raw).ok()?;
        let (id, secret) = text.split_once(':')?;
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        Some((decode(id)?, decode(secret)?))
    })();
    Some(parsed.ok_or(()))
}

/// OIDC-031: the authenticated (or, for a public client, identified) client.
fn authenticate<'a>(
    facade: &'a Facade,
    headers: &HeaderMap,
    pairs: &[(String, String)],
) -> Result<&'a OidcClient, TokenError> {
    let body_id = param(pairs, "client_id");
    let body_secret = param(pairs, "client_secret");
    match basic_credentials(headers) {
        Some(Err(())) => Err(TokenError::client(
            "the Authorization header is not HTTP Basic client credentials (OIDC-031)",
            true,
        )),
        Some(Ok((id, secret))) => {
            if body_secret.is_some() || body_id.is_some_and(|b| b != id) {
                return Err(TokenError::new(
                    "invalid_request",
                    "use one client authentication method (OIDC-031)",
                ));
            }
            match facade.settings.client(&id) {
                Some(c) if c.secret_matches(secret.as_bytes()) => Ok(c),
                _ => Err(TokenError::client(
                    "client authentication failed (OIDC-031)",
                    true,
                )),
            }
        }
        None => {
            let id = body_id
                .ok_or_else(|| TokenError::client("client_id is required (OIDC-031)", false))?;
            let client = facade
                .settings
                .client(id)
                .ok_or_else(|| TokenError::client("unknown client (OIDC-031)", false))?;
            match (client.is_confidential(), body_secret) {
                (false, None) => Ok(client),
                (true, Some(secret)) if client.secret_matches(secret.as_bytes()) => Ok(client),
                _ => Err(TokenError::client(
                    "client authentication failed (OIDC-031)",
                    false,
                )),
            }
        }
    }
}

/// A PKCE code verifier: 43..=128 unreserved characters (RFC 7636 § 4.1).
fn is_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~'))
}

/// The ID token's claims (OIDC-034).
#[derive(Serialize)]
struct IdToken<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: u64,
    iat: u64,
    auth_time: u64,
    nonce: &'a str,
    acr: &'a str,
    #[serde(flatten)]
    results: &'a serde_json::Map<String, serde_json::Value>,
}

async fn exchange(
    s: &OidcState,
    headers: &HeaderMap,
    body: Body,
) -> Result<serde_json::Value, TokenError> {
    let bytes = read_form(headers, body, TOKEN_BODY_LIMIT)
        .await
        .map_err(|p| TokenError::new("invalid_request", &p.detail))?;
    let pairs = form_pairs(&bytes)
        .map_err(|e| TokenError::new("invalid_request", &format!("{e} (OIDC-030)")))?;
    let f = &s.facade;
    // OIDC-031
    let client = authenticate(f, headers, &pairs)?;
    // OIDC-030
    if param(&pairs, "grant_type") != Some("authorization_code") {
        return Err(TokenError::new(
            "unsupported_grant_type",
            "grant_type must be authorization_code (OIDC-030)",
        ));
    }
    let code = param(&pairs, "code")
        .ok_or_else(|| TokenError::new("invalid_request", "code is required (OIDC-032)"))?;
    // OIDC-032: taken out now, so whatever follows, this code is spent.
    let now = f.now();
    let grant = f.sessions.take_code(code, now).map_err(|e| match e {
        CodeError::Unknown => TokenError::new(
            "invalid_grant",
            "the code is unknown or was already used (OIDC-032)",
        ),
        CodeError::Expired => TokenError::new("invalid_grant", "the code has expired (OIDC-032)"),
    })?;
    if grant.auth.client_id != client.client_id() {
        return Err(TokenError::new(
            "invalid_grant",
            "the code was issued to another client (OIDC-032)",
        ));
    }
    if param(&pairs, "redirect_uri") != Some(grant.auth.redirect_uri.as_str()) {
        return Err(TokenError::new(
            "invalid_grant",
            "redirect_uri differs from the authorization request's (OIDC-032)",
        ));
    }
    // OIDC-033
    let verifier = param(&pairs, "code_verifier")
        .ok_or_else(|| TokenError::new("invalid_grant", "code_verifier is required (OIDC-033)"))?;
    let computed = {
        use base64::Engine as _;
        use sha2::Digest as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(verifier.as_bytes()))
    };
    let matches: bool = computed
        .as_bytes()
        .ct_eq(grant.auth.code_challenge.as_bytes())
        .into();
    if !is_verifier(verifier) || !matches {
        return Err(TokenError::new(
            "invalid_grant",
            "code_verifier does not match the code_challenge (OIDC-033)",
        ));
    }
    // OIDC-034
    let claims = IdToken {
        iss: f.settings.issuer(),
        sub: &grant.login.sub,
        aud: client.client_id(),
        exp: now.saturating_add(ID_TOKEN_TTL),
        iat: now,
        auth_time: grant.login.auth_time,
        nonce: &grant.auth.nonce,
        acr: &f.schema_id,
        results: &grant.login.claims,
    };
    let id_token = f.key.sign("JWT", &claims).map_err(|e| {
        tracing::error!(target: "netnym_server", "signing an ID token failed: {e}");
        TokenError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: "server_error",
            description: "the ID token could not be signed".to_owned(),
            basic_challenge: false,
        }
    })?;
    Ok(serde_json::json!({
        // Grants nothing: there is no userinfo endpoint (spec/13-oidc.md § Deviations).
        "access_token": random_token(),
        "token_type": "Bearer",
        "expires_in": ID_TOKEN_TTL,
        "scope": "openid",
        "id_token": id_token,
    }))
}

/// `POST /token`.
pub(super) async fn token(State(s): State<OidcState>, headers: HeaderMap, body: Body) -> Response {
    match exchange(&s, &headers, body).await {
        Ok(v) => {
            let mut r = crate::body::json_ok(&v);
            let h = r.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            r
        }
        Err(e) => e.into_response(),
    }
}
