//! `netnym wallet present --uri URI`: the wallet side of the verifier's OpenID4VP-aligned
//! transport (spec/13-oidc.md § Wallet transport, OIDC-020, OIDC-021).
//!
//! The URI is what the sign-in page's QR code (or "open my wallet" link) holds:
//! `openid4vp://?client_id=<verifier id>&request_uri=<https URL>`. The wallet fetches the request
//! object, checks its ES256 signature against the JWKS the issuer's discovery document names
//! (issuer, JWKS, `request_uri` and `response_uri` all of one origin), checks that it asks for a
//! NetNym request of the same verifier id and nonce, and after presenting posts the answer to
//! `response_uri` (`direct_post`).

use std::io::Read as _;

use netnym::{Presentation, PresentationRequest};
use serde_json::Value;
use thiserror::Error;
use url::Url;

use crate::transport::{describe, ClientTls, TransportError};

/// Largest response read, in bytes.
const MAX_RESPONSE_BYTES: u64 = 1024 * 1024;
/// The audience of a request object (OpenID4VP, static discovery).
const AUDIENCE: &str = "https://self-issued.me/v2";

/// Errors of the OpenID4VP exchange.
#[derive(Debug, Error)]
pub(crate) enum OpenId4VpError {
    /// The URI is not a wallet request URI.
    #[error("not a wallet request URI: {0}")]
    BadUri(String),
    /// No connection or no answer.
    #[error("cannot reach {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// The verifier answered with an error.
    #[error("{url} refused ({status} {code}): {detail}")]
    Refused {
        url: String,
        status: u16,
        code: String,
        detail: String,
    },
    /// The URL's scheme or host is refused (https by default; http only to loopback with
    /// `--allow-http`), or the `--ca` file is unusable.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The request object (or the verifier's keys) does not check out.
    #[error("the request from {url} is not acceptable: {reason}")]
    BadRequestObject { url: String, reason: String },
}

/// A checked request object.
#[derive(Debug, Clone)]
pub(crate) struct Fetched {
    /// The verifier id (`client_id`).
    pub(crate) client_id: String,
    /// The NetNym request to answer.
    pub(crate) request: PresentationRequest,
    /// Where the answer goes.
    pub(crate) response_uri: String,
    /// The `state` to send back.
    pub(crate) state: String,
}

fn read_text(url: &str, resp: ureq::Response) -> Result<String, OpenId4VpError> {
    let mut buf = Vec::new();
    resp.into_reader()
        .take(MAX_RESPONSE_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| OpenId4VpError::Unreachable {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
    if buf.len() as u64 > MAX_RESPONSE_BYTES {
        return Err(bad(url, "response larger than 1 MiB"));
    }
    String::from_utf8(buf).map_err(|_| bad(url, "response is not UTF-8"))
}

fn handle(url: &str, r: Result<ureq::Response, ureq::Error>) -> Result<String, OpenId4VpError> {
    match r {
        Ok(resp) => read_text(url, resp),
        Err(ureq::Error::Status(status, resp)) => {
            let body: Value = read_text(url, resp)
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or(Value::Null);
            let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
            Err(OpenId4VpError::Refused {
                url: url.to_owned(),
                status,
                code: text("code").unwrap_or_else(|| "unknown".to_owned()),
                detail: text("detail").unwrap_or_else(|| "no detail".to_owned()),
            })
        }
        Err(ureq::Error::Transport(t)) => Err(OpenId4VpError::Unreachable {
            url: url.to_owned(),
            reason: describe(&t),
        }),
    }
}

fn bad(url: &str, reason: &str) -> OpenId4VpError {
    OpenId4VpError::BadRequestObject {
        url: url.to_owned(),
        reason: reason.to_owned(),
    }
}

fn get_text(tls: &ClientTls, url: &str) -> Result<String, OpenId4VpError> {
    tls.check_url(url)?;
    handle(url, tls.strict_agent().get(url).call())
}

fn get_json(tls: &ClientTls, url: &str) -> Result<Value, OpenId4VpError> {
    serde_json::from_str(&get_text(tls, url)?).map_err(|e| bad(url, &format!("not JSON: {e}")))
}

/// The `client_id` and `request_uri` of a wallet URI.
///
/// # Errors
/// [`OpenId4VpError::BadUri`].
pub(crate) fn parse_uri(uri: &str) -> Result<(String, Url), OpenId4VpError> {
    let u = Url::parse(uri).map_err(|e| OpenId4VpError::BadUri(e.to_string()))?;
    let param = |name: &str| {
        let mut values = u.query_pairs().filter(|(k, _)| k == name).map(|(_, v)| v);
        match (values.next(), values.next()) {
            (Some(v), None) => Ok(v.into_owned()),
            _ => Err(OpenId4VpError::BadUri(format!(
                "it needs exactly one {name} parameter"
            ))),
        }
    };
    let client_id = param("client_id")?;
    let request_uri =
        Url::parse(&param("request_uri")?).map_err(|e| OpenId4VpError::BadUri(e.to_string()))?;
    if !matches!(request_uri.scheme(), "https" | "http") {
        return Err(OpenId4VpError::BadUri(
            "request_uri must be an http(s) URL".to_owned(),
        ));
    }
    Ok((client_id, request_uri))
}

/// The unverified payload of a compact JWS (to learn its issuer before fetching its key).
fn peek(url: &str, jws: &str) -> Result<(Value, Value), OpenId4VpError> {
    use base64::Engine as _;
    let mut parts = jws.split('.');
    let mut part = || {
        parts
            .next()
            .and_then(|p| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(p)
                    .ok()
            })
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .ok_or_else(|| bad(url, "not a compact JWS"))
    };
    Ok((part()?, part()?))
}

/// Fetch and check the request object a wallet URI points to.
///
/// # Errors
/// [`OpenId4VpError`].
pub(crate) fn fetch(uri: &str, tls: &ClientTls) -> Result<Fetched, OpenId4VpError> {
    let (client_id, request_uri) = parse_uri(uri)?;
    let url = request_uri.as_str();
    let jws = get_text(tls, url)?;
    let jws = jws.trim();
    let (header, unverified) = peek(url, jws)?;
    let same_origin =
        |other: &str| Url::parse(other).is_ok_and(|o| o.origin() == request_uri.origin());
    let issuer = unverified
        .get("iss")
        .and_then(Value::as_str)
        .filter(|i| same_origin(i))
        .ok_or_else(|| bad(url, "its issuer is not the request_uri's origin"))?
        .to_owned();
    // The issuer's keys, through its discovery document.
    let discovery = get_json(tls, &format!("{issuer}/.well-known/openid-configuration"))?;
    let jwks_uri = discovery
        .get("jwks_uri")
        .and_then(Value::as_str)
        .filter(|j| same_origin(j))
        .ok_or_else(|| bad(url, "the issuer's jwks_uri is missing or of another origin"))?;
    let jwks = get_json(tls, jwks_uri)?;
    let kid = header.get("kid").and_then(Value::as_str);
    let jwk = jwks
        .get("keys")
        .and_then(Value::as_array)
        .and_then(|keys| {
            keys.iter()
                .find(|k| k.get("kid").and_then(Value::as_str) == kid)
        })
        .ok_or_else(|| bad(url, "no key of the issuer's JWKS signed it"))?;
    let jwk: jsonwebtoken::jwk::Jwk =
        serde_json::from_value(jwk.clone()).map_err(|e| bad(url, &format!("JWK: {e}")))?;
    let key = jsonwebtoken::DecodingKey::from_jwk(&jwk).map_err(|e| bad(url, &e.to_string()))?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_audience(&[AUDIENCE]);
    validation.set_issuer(&[issuer.as_str()]);
    let object = jsonwebtoken::decode::<Value>(jws, &key, &validation)
        .map_err(|e| bad(url, &format!("signature or claims: {e}")))?
        .claims;
    let text = |k: &str| object.get(k).and_then(Value::as_str);
    if text("client_id") != Some(client_id.as_str()) {
        return Err(bad(url, "its client_id differs from the URI's"));
    }
    if text("response_type") != Some("vp_token") || text("response_mode") != Some("direct_post") {
        return Err(bad(url, "it does not ask for a vp_token by direct_post"));
    }
    let response_uri = text("response_uri")
        .filter(|r| same_origin(r))
        .ok_or_else(|| bad(url, "its response_uri is missing or of another origin"))?
        .to_owned();
    let state = text("state")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad(url, "it has no state"))?
        .to_owned();
    let request = object
        .get("netnym_request")
        .ok_or_else(|| bad(url, "it carries no NetNym request"))
        .and_then(|r| {
            PresentationRequest::from_json(r.to_string().as_bytes())
                .map_err(|e| bad(url, &format!("NetNym request: {e}")))
        })?;
    if request.verifier_id() != client_id {
        return Err(bad(url, "its NetNym request is for another verifier id"));
    }
    let nonce = {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(request.nonce())
    };
    if text("nonce") != Some(nonce.as_str()) {
        return Err(bad(url, "its nonce is not the NetNym request's"));
    }
    Ok(Fetched {
        client_id,
        request,
        response_uri,
        state,
    })
}

/// Tell the verifier that the wallet will not present (OpenID4VP `error=access_denied` by
/// `direct_post`), so the browser's sign-in ends at once.
///
/// # Errors
/// [`OpenId4VpError`].
pub(crate) fn decline(fetched: &Fetched, tls: &ClientTls) -> Result<(), OpenId4VpError> {
    let url = fetched.response_uri.as_str();
    tls.check_url(url)?;
    let r = tls.strict_agent().post(url).send_form(&[
        ("state", fetched.state.as_str()),
        ("error", "access_denied"),
    ]);
    handle(url, r).map(|_| ())
}

/// Post the presentation to the request's `response_uri` (`direct_post`).
///
/// # Errors
/// [`OpenId4VpError`].
pub(crate) fn respond(
    fetched: &Fetched,
    presentation: &Presentation,
    tls: &ClientTls,
) -> Result<(), OpenId4VpError> {
    let json = String::from_utf8(presentation.to_json())
        .map_err(|_| bad(&fetched.response_uri, "presentation is not UTF-8"))?;
    let vp_token = format!(r#"{{"netnym": [{json}]}}"#);
    let url = fetched.response_uri.as_str();
    tls.check_url(url)?;
    let r = tls
        .strict_agent()
        .post(url)
        .send_form(&[("state", fetched.state.as_str()), ("vp_token", &vp_token)]);
    handle(url, r).map(|_| ())
}
