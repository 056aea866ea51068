//! The wallet side, aligned with OpenID for Verifiable Presentations (spec/13-oidc.md § Wallet
//! transport, OIDC-020..OIDC-021): the request by reference (`request_uri`, a signed request
//! object) and the response posted back (`direct_post`).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use netnym::{ParsedPresentation, PresentationRequest};
use serde::Serialize;

use super::claims::result_claims;
use super::sessions::{Login, Outcome};
use super::{form_pairs, is_token_shaped, param, Facade, OidcState};
use crate::body::{json_ok, read_form};
use crate::problem::Problem;

/// Body limit of `direct_post`: a presentation (at most 64 KiB as JSON) grows when
/// form-encoded.
pub(crate) const DIRECT_POST_LIMIT: usize = 256 * 1024;
/// The DCQL credential query id of the NetNym credential (the `vp_token` key).
pub(crate) const CREDENTIAL_QUERY_ID: &str = "netnym";
/// The presentation format name (not registered with OpenID4VP: a deviation, § Deviations).
pub(crate) const FORMAT: &str = "netnym-bbs+";
/// The request object's media type suffix (RFC 9101 `typ`).
pub(crate) const REQUEST_OBJECT_TYP: &str = "oauth-authz-req+jwt";

/// The request object's claims.
#[derive(Serialize)]
struct RequestObject {
    iss: String,
    aud: &'static str,
    iat: u64,
    exp: u64,
    client_id: String,
    response_type: &'static str,
    response_mode: &'static str,
    response_uri: String,
    nonce: String,
    state: String,
    dcql_query: serde_json::Value,
    /// The NetNym request itself: the presentation binds its digest, which covers what DCQL
    /// cannot say (validity window, predicates, range parameters, revocation window).
    netnym_request: serde_json::Value,
}

fn b64url(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// The DCQL query of a NetNym request: one credential query for its schema, the disclosed
/// attributes as claims paths, the rest as `meta`.
fn dcql(request: &PresentationRequest) -> serde_json::Value {
    let credentials: Vec<serde_json::Value> = request
        .credentials()
        .iter()
        .map(|q| {
            serde_json::json!({
                "id": CREDENTIAL_QUERY_ID,
                "format": FORMAT,
                "multiple": false,
                "meta": {
                    "schema_id": q.schema_id(),
                    "issuer_key_ids": q.issuer_key_ids().iter().map(ToString::to_string)
                        .collect::<Vec<_>>(),
                    "predicates": q.predicates(),
                    "non_revoked": q.non_revoked(),
                    "pseudonym": request.pseudonym(),
                },
                "claims": q.disclose().iter().map(|n| serde_json::json!({"path": [n]}))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({ "credentials": credentials })
}

fn unknown_request() -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "unknown-request",
        "Unknown request",
        "no sign-in of this platform waits under this request handle (OIDC-020)",
    )
}

fn answered() -> Problem {
    Problem::new(
        StatusCode::CONFLICT,
        "nonce-replayed",
        "Request already answered",
        "this sign-in request has already been answered (OIDC-021)",
    )
}

fn expired() -> Problem {
    Problem::new(
        StatusCode::GONE,
        "request-expired",
        "Request expired",
        "the sign-in request has expired; start again at the platform",
    )
}

/// `GET /oidc/request/{rid}`: the signed request object (OIDC-020).
pub(super) async fn request_object(
    State(s): State<OidcState>,
    Path(rid): Path<String>,
) -> Result<Response, Problem> {
    let f: &Facade = &s.facade;
    let a = is_token_shaped(&rid)
        .then(|| f.sessions.by_request(&rid))
        .flatten()
        .ok_or_else(unknown_request)?;
    let now = f.now();
    if now > a.request.expires_at() {
        return Err(expired());
    }
    if !matches!(a.outcome, Outcome::Waiting) {
        return Err(answered());
    }
    let netnym_request: serde_json::Value = serde_json::from_slice(&a.request.to_json())
        .map_err(|e| Problem::internal(&format!("request JSON: {e}")))?;
    let object = RequestObject {
        iss: f.settings.issuer().to_owned(),
        aud: "https://self-issued.me/v2",
        iat: now,
        exp: a.request.expires_at(),
        client_id: f.verifier_id.clone(),
        response_type: "vp_token",
        response_mode: "direct_post",
        response_uri: f.url("/oidc/response"),
        nonce: b64url(a.request.nonce()),
        state: rid,
        dcql_query: dcql(&a.request),
        netnym_request,
    };
    let jws = f
        .key
        .sign(REQUEST_OBJECT_TYP, &object)
        .map_err(|e| Problem::internal(&e.to_string()))?;
    let mut r = (StatusCode::OK, jws).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/oauth-authz-req+jwt"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

/// The presentation in a `vp_token`: `{"netnym": [<presentation>]}` (OIDC-021).
fn presentation_of(vp_token: &str) -> Result<Vec<u8>, Problem> {
    let bad = |d: &str| Problem::malformed(format!("vp_token: {d} (OIDC-021)"));
    let v: serde_json::Value =
        serde_json::from_str(vp_token).map_err(|e| bad(&format!("not JSON: {e}")))?;
    let obj = v.as_object().ok_or_else(|| bad("not a JSON object"))?;
    if obj.len() != 1 {
        return Err(bad("must hold exactly the key \"netnym\""));
    }
    let list = obj
        .get(CREDENTIAL_QUERY_ID)
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| bad("\"netnym\" must be an array"))?;
    match list.as_slice() {
        [p] if p.is_object() => serde_json::to_vec(p).map_err(|e| bad(&e.to_string())),
        _ => Err(bad("\"netnym\" must hold exactly one presentation object")),
    }
}

/// `POST /oidc/response`: the wallet's answer, `application/x-www-form-urlencoded` with
/// `state` (the request handle) and either `vp_token` or `error` (OIDC-021).
pub(super) async fn direct_post(
    State(s): State<OidcState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let bytes = read_form(&headers, body, DIRECT_POST_LIMIT).await?;
    let pairs = form_pairs(&bytes).map_err(|e| Problem::malformed(format!("{e} (OIDC-021)")))?;
    let f = s.facade.clone();
    let rid = param(&pairs, "state")
        .filter(|r| is_token_shaped(r))
        .ok_or_else(unknown_request)?
        .to_owned();
    let a = f.sessions.by_request(&rid).ok_or_else(unknown_request)?;
    if f.now() > a.request.expires_at() {
        return Err(expired());
    }
    if !matches!(a.outcome, Outcome::Waiting) {
        return Err(answered());
    }
    if let Some(error) = param(&pairs, "error") {
        if param(&pairs, "vp_token").is_some() {
            return Err(Problem::malformed(
                "send either vp_token or error, not both (OIDC-021)",
            ));
        }
        // The wallet declined (OpenID4VP: access_denied) or could not answer.
        tracing::debug!(target: "netnym_server", error, "the wallet did not present");
        if !f.sessions.answer(&rid, Outcome::Declined) {
            return Err(answered());
        }
        return Ok(json_ok(&serde_json::json!({})));
    }
    let vp_token = param(&pairs, "vp_token")
        .ok_or_else(|| Problem::malformed("vp_token or error is required (OIDC-021)"))?;
    let presentation = presentation_of(vp_token)?;
    let parsed = ParsedPresentation::from_json(&presentation)
        .map_err(|e| Problem::malformed(format!("presentation: {e}")))?;
    if parsed.nonce() != a.request.nonce() {
        return Err(Problem::malformed(
            "the presentation answers another request than this state's (OIDC-021)",
        ));
    }
    let verified = s.service.verify(presentation.clone()).await?;
    let sub = verified
        .pseudonym()
        .ok_or_else(|| Problem::internal("verified presentation without pseudonym"))?
        .to_string();
    let claims = result_claims(&a.request, &verified).map_err(|e| Problem::internal(&e))?;
    let login = Login {
        sub,
        claims,
        auth_time: f.now(),
    };
    if !f.sessions.answer(&rid, Outcome::SignedIn(login)) {
        // The nonce was consumed, but the browser's session is gone (expired meanwhile).
        return Err(expired());
    }
    Ok(json_ok(&serde_json::json!({})))
}
