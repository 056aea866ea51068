//! Discovery (OpenID Connect Discovery 1.0 § 3) and the JWK Set (spec/13-oidc.md § Discovery).

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::Response;

use super::OidcState;
use crate::body::json_ok;

/// `GET /.well-known/openid-configuration`.
pub(super) async fn configuration(State(s): State<OidcState>) -> Response {
    let f = &s.facade;
    let mut claims = vec![
        "sub",
        "iss",
        "aud",
        "exp",
        "iat",
        "auth_time",
        "nonce",
        "acr",
    ];
    claims.extend(f.claim_names.iter().map(String::as_str));
    let v = serde_json::json!({
        "issuer": f.settings.issuer(),
        "authorization_endpoint": f.url("/authorize"),
        "token_endpoint": f.url("/token"),
        "jwks_uri": f.url("/jwks"),
        "scopes_supported": ["openid"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": claims,
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "acr_values_supported": [f.schema_id],
        "ui_locales_supported": ["zh-CN", "en"],
        "authorization_response_iss_parameter_supported": true,
    });
    cacheable(json_ok(&v))
}

/// `GET /jwks`.
pub(super) async fn jwks(State(s): State<OidcState>) -> Response {
    cacheable(json_ok(&s.facade.key.jwks()))
}

/// Public, cacheable for five minutes.
fn cacheable(mut r: Response) -> Response {
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    r
}
