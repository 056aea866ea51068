//! The OpenID Connect facade (spec/13-oidc.md), in-process with `tower::ServiceExt`: the code
//! flow with a real wallet presentation answered over `request_uri` / `direct_post`, the ID
//! token checked against the JWKS, and every refusal with its exact error and rule.

#![allow(clippy::unwrap_used)]

#[path = "support/world.rs"]
mod common;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request};
use axum::Router;
use base64::Engine as _;
use common::*;
use netnym::PresentationRequest;
use netnym_server::*;
use serde_json::Value;
use sha2::Digest as _;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tower::ServiceExt as _;

const PLATFORM: &str = "login.example";
const ISSUER: &str = "https://login.example";
const CALLBACK: &str = "https://app.example/callback";
const BACKEND_CALLBACK: &str = "https://backend.example/cb";
const BACKEND_SECRET: &str = "backend-secret-0123456789abcdef";
/// The page's Content-Security-Policy, as spec/13-oidc.md § Page states it.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

fn unb64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}

fn oidc_policy(key_file: &std::path::Path, pseudonym: bool, extra_client: &str) -> String {
    let secret_hash = hex::encode(sha2::Sha256::digest(BACKEND_SECRET.as_bytes()));
    format!(
        r#"
verifier_id = "{PLATFORM}"
issuer_key_ids = ["KEY"]
disclose = ["region"]
predicates = [{{ age_at_least = 18 }}, {{ valid_on = "today" }}]
pseudonym = {pseudonym}
validity_seconds = 120
non_revoked = true

[oidc]
issuer = "{ISSUER}"
signing_key_file = "{}"

[[oidc.clients]]
client_id = "app"
redirect_uris = ["{CALLBACK}"]

[[oidc.clients]]
client_id = "backend"
redirect_uris = ["{BACKEND_CALLBACK}"]
client_secret_sha256 = "{secret_hash}"
{extra_client}
"#,
        key_file.display()
    )
}

fn loaded(w: &World, text: &str) -> Result<LoadedPolicy, PolicyError> {
    let text = text.replace("KEY", &w.pk.key_id().to_string());
    Policy::parse(&text, true)
        .unwrap()
        .validate(std::slice::from_ref(&w.pk))
}

fn config(w: &World, policy: LoadedPolicy) -> VerifierConfig {
    VerifierConfig {
        policy,
        issuer_keys: vec![w.pk.clone()],
        revocation: Some(VerifierRevocation {
            registry: w.registry.clone(),
            epochs: Arc::new(StoreEpochSource(w.authority_store.clone())),
        }),
        range_params: Some(w.range.clone()),
        clock: clock(&w.skew),
    }
}

/// The OIDC platform's router (no sockets).
fn app(w: &World) -> Router {
    let key_file = w.dir.path().join("oidc-key.pem");
    let policy = loaded(w, &oidc_policy(&key_file, true, "")).unwrap();
    let state = VerifierState::new(w.platform_store.clone(), config(w, policy)).unwrap();
    verifier::router(state)
}

struct Resp {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers.get(name).map_or("", |v| v.to_str().unwrap())
    }
    /// The query parameters of the `Location` header.
    fn location_params(&self) -> (String, Vec<(String, String)>) {
        let url = url::Url::parse(self.header(header::LOCATION)).unwrap();
        let pairs = url.query_pairs().into_owned().collect();
        let mut base = url;
        base.set_query(None);
        (base.to_string(), pairs)
    }
}

fn send(w: &World, app: &Router, req: Request<Body>) -> Resp {
    w.rt.block_on(async {
        let r = app.clone().oneshot(req).await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        Resp {
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    })
}

fn get_(w: &World, app: &Router, uri: &str) -> Resp {
    send(
        w,
        app,
        Request::get(uri)
            .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9,zh;q=0.5")
            .body(Body::empty())
            .unwrap(),
    )
}

fn post_form(
    w: &World,
    app: &Router,
    uri: &str,
    pairs: &[(&str, &str)],
    basic: Option<&str>,
) -> Resp {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let mut req =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(b) = basic {
        req = req.header(
            header::AUTHORIZATION,
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(b)
            ),
        );
    }
    send(w, app, req.body(Body::from(body)).unwrap())
}

/// PKCE: (verifier, S256 challenge).
fn pkce() -> (String, String) {
    let verifier = format!("{}-verifier.~", b64(&rand::random::<[u8; 32]>()));
    let challenge = b64(&sha2::Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn authorize_uri(params: &[(&str, &str)]) -> String {
    format!(
        "/authorize?{}",
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish()
    )
}

fn good_params<'a>(
    client: &'a str,
    redirect: &'a str,
    challenge: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("response_type", "code"),
        ("client_id", client),
        ("redirect_uri", redirect),
        ("scope", "openid"),
        ("state", "st-42 opaque"),
        ("nonce", "n-0S6_WzA2Mj"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ]
}

/// The text between `start` and the next `"` after it.
fn attr<'a>(html: &'a str, start: &str) -> &'a str {
    let i = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in {html}"))
        + start.len();
    &html[i..i + html[i..].find('"').unwrap()]
}

/// A sign-in page's handles: (session path, request_uri path).
struct Page {
    session: String,
    request_path: String,
    request_uri: String,
}

fn page_of(r: &Resp) -> Page {
    assert_eq!(r.status, 200, "{}", r.body);
    let session = attr(&r.body, "data-status=\"")
        .strip_suffix("/status")
        .unwrap()
        .to_owned();
    let link = attr(&r.body, "class=\"wallet\" href=\"").replace("&amp;", "&");
    let url = url::Url::parse(&link).unwrap();
    assert_eq!(url.scheme(), "openid4vp");
    let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(q[0], ("client_id".to_owned(), PLATFORM.to_owned()));
    assert_eq!(q[1].0, "request_uri");
    let request_uri = q[1].1.clone();
    let request_path = request_uri.strip_prefix(ISSUER).unwrap().to_owned();
    Page {
        session,
        request_path,
        request_uri,
    }
}

/// Check a JWS against the JWKS; the (header, payload).
fn verify_jws(jws: &str, jwks: &Value) -> Result<(Value, Value), String> {
    use p256::ecdsa::signature::Verifier as _;
    let parts: Vec<&str> = jws.split('.').collect();
    assert_eq!(parts.len(), 3);
    let head: Value = serde_json::from_slice(&unb64(parts[0])).unwrap();
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == head["kid"])
        .ok_or("no key with this kid")?;
    assert_eq!(
        (key["kty"].as_str(), key["crv"].as_str()),
        (Some("EC"), Some("P-256"))
    );
    let mut sec1 = vec![4u8];
    sec1.extend(unb64(key["x"].as_str().unwrap()));
    sec1.extend(unb64(key["y"].as_str().unwrap()));
    let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).unwrap();
    let sig = p256::ecdsa::Signature::from_slice(&unb64(parts[2])).map_err(|e| e.to_string())?;
    vk.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig)
        .map_err(|e| e.to_string())?;
    Ok((head, serde_json::from_slice(&unb64(parts[1])).unwrap()))
}

/// The wallet: fetch the request object, present, post it back. The request object's payload.
fn wallet_answers(w: &World, app: &Router, h: &Holder, page: &Page, jwks: &Value) -> Value {
    let r = get_(w, app, &page.request_path);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.header(header::CONTENT_TYPE),
        "application/oauth-authz-req+jwt"
    );
    let (head, object) = verify_jws(&r.body, jwks).unwrap();
    assert_eq!(head["typ"], "oauth-authz-req+jwt");
    let req =
        PresentationRequest::from_json(object["netnym_request"].to_string().as_bytes()).unwrap();
    let presentation = present(w, h, &req);
    let vp_token = format!(r#"{{"netnym": [{presentation}]}}"#);
    let state = object["state"].as_str().unwrap().to_owned();
    let r = post_form(
        w,
        app,
        "/oidc/response",
        &[("state", &state), ("vp_token", &vp_token)],
        None,
    );
    assert_eq!(
        (r.status, r.json()),
        (200, serde_json::json!({})),
        "{}",
        r.body
    );
    object
}

/// A full sign-in up to the code: (code, state echoed).
fn sign_in(
    w: &World,
    app: &Router,
    h: &Holder,
    client: &str,
    redirect: &str,
    challenge: &str,
) -> String {
    let page = page_of(&get_(
        w,
        app,
        &authorize_uri(&good_params(client, redirect, challenge)),
    ));
    let jwks = get_(w, app, "/jwks").json();
    wallet_answers(w, app, h, &page, &jwks);
    let r = get_(w, app, &format!("{}/continue", page.session));
    assert_eq!(r.status, 303, "{}", r.body);
    let (base, params) = r.location_params();
    assert_eq!(base, redirect);
    let get = |n: &str| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    assert_eq!(get("state").as_deref(), Some("st-42 opaque"));
    assert_eq!(get("iss").as_deref(), Some(ISSUER));
    get("code").unwrap()
}

fn token(
    w: &World,
    app: &Router,
    code: &str,
    verifier: &str,
    client: &str,
    redirect: &str,
) -> Resp {
    post_form(
        w,
        app,
        "/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect),
            ("client_id", client),
            ("code_verifier", verifier),
        ],
        None,
    )
}

fn assert_oauth_error(r: &Resp, status: u16, error: &str, rule: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    let v = r.json();
    assert_eq!(v["error"], error, "{v}");
    assert!(
        v["error_description"].as_str().unwrap().contains(rule),
        "{v}"
    );
    assert_eq!(r.header(header::CACHE_CONTROL), "no-store");
}

/// An adult citizen's wallet (the Shanghai residents of the fixture are adults: tests/e2e.rs
/// signs them in at the shop's age_at_least 18).
fn enrolled(w: &World) -> (Holder, String) {
    let c = w
        .citizens
        .iter()
        .find(|c| c.attributes["region"].as_str().unwrap().starts_with("31"))
        .unwrap();
    (
        enroll(w, &w.code_for(&c.citizen_id)),
        w.citizen_region(&c.citizen_id),
    )
}

#[test]
fn oidc_034_full_code_flow_issues_an_id_token_of_verified_results_only() {
    let w = World::new(Backend::Sqlite);
    let app = app(&w);
    let (alice, region) = enrolled(&w);

    // Discovery and JWKS.
    let d = get_(&w, &app, "/.well-known/openid-configuration").json();
    assert_eq!(d["issuer"], ISSUER);
    assert_eq!(d["authorization_endpoint"], format!("{ISSUER}/authorize"));
    assert_eq!(d["token_endpoint"], format!("{ISSUER}/token"));
    assert_eq!(d["jwks_uri"], format!("{ISSUER}/jwks"));
    assert_eq!(
        d["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(
        d["id_token_signing_alg_values_supported"],
        serde_json::json!(["ES256"])
    );
    let jwks = get_(&w, &app, "/jwks").json();
    assert_eq!(jwks["keys"][0]["alg"], "ES256");

    // /authorize: the page, in English (Accept-Language), with the QR code and the CSP.
    let (verifier, challenge) = pkce();
    let r = get_(
        &w,
        &app,
        &authorize_uri(&good_params("app", CALLBACK, &challenge)),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header(header::CONTENT_TYPE), "text/html; charset=utf-8");
    assert_eq!(r.header(header::CONTENT_SECURITY_POLICY), CSP);
    assert_eq!(r.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert!(
        r.body.starts_with("<!DOCTYPE html><html lang=\"en\">"),
        "{}",
        r.body
    );
    assert!(r.body.contains(
        "<svg role=\"img\" aria-labelledby=\"qr-label\" xmlns=\"http://www.w3.org/2000/svg\""
    ));
    assert!(
        r.body.contains("<path fill=\"#000\" d=\"M"),
        "QR modules drawn"
    );
    assert!(r.body.contains("Open my wallet"));
    assert!(r.body.contains("You are at least 18 years old"));
    assert!(r
        .body
        .contains("<script src=\"/oidc/static/follow.js\"></script>"));
    assert!(!r.body.contains("<script>"), "no inline script");
    assert!(!r.body.contains("style=\""), "no inline style");
    let page = page_of(&r);
    // The QR code shows the wallet's request URI, not the browser's session.
    assert!(!page
        .request_uri
        .contains(page.session.rsplit('/').next().unwrap()));
    // The same session in Chinese.
    let zh = get_(&w, &app, &format!("{}?lang=zh-CN", page.session));
    assert!(zh.body.contains("<html lang=\"zh-CN\">") && zh.body.contains("打开我的钱包"));
    assert_eq!(zh.header(header::CONTENT_SECURITY_POLICY), CSP);
    let js = get_(&w, &app, "/oidc/static/follow.js");
    assert_eq!(
        js.header(header::CONTENT_TYPE),
        "text/javascript; charset=utf-8"
    );
    assert!(js.body.contains("data-status"));
    assert_eq!(
        get_(&w, &app, &format!("{}/status", page.session)).json()["status"],
        "waiting"
    );
    // Continuing too early goes back to the page.
    let early = get_(&w, &app, &format!("{}/continue", page.session));
    assert_eq!(
        (early.status, early.header(header::LOCATION)),
        (303, page.session.as_str())
    );

    // The wallet: request object by reference, presentation by direct_post.
    let object = wallet_answers(&w, &app, &alice, &page, &jwks);
    assert_eq!(object["client_id"], PLATFORM);
    assert_eq!(object["response_type"], "vp_token");
    assert_eq!(object["response_mode"], "direct_post");
    assert_eq!(object["response_uri"], format!("{ISSUER}/oidc/response"));
    let req =
        PresentationRequest::from_json(object["netnym_request"].to_string().as_bytes()).unwrap();
    assert_eq!(object["nonce"], b64(req.nonce()));
    assert_eq!(req.verifier_id(), PLATFORM);
    let dcql = &object["dcql_query"]["credentials"][0];
    assert_eq!(dcql["id"], "netnym");
    assert_eq!(dcql["meta"]["schema_id"], "cn-network-id/v1");
    assert_eq!(dcql["claims"], serde_json::json!([{"path": ["region"]}]));
    // The request object is single-use too: answered now.
    let again = get_(&w, &app, &page.request_path);
    assert_eq!(
        (again.status, again.json()["code"].as_str()),
        (409, Some("nonce-replayed"))
    );
    assert_eq!(
        get_(&w, &app, &format!("{}/status", page.session)).json()["status"],
        "done"
    );

    // Back to the client with the code and the state.
    let r = get_(&w, &app, &format!("{}/continue", page.session));
    assert_eq!(r.status, 303);
    let (base, params) = r.location_params();
    assert_eq!(base, CALLBACK);
    let param = |n: &str| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    assert_eq!(param("state").as_deref(), Some("st-42 opaque"));
    assert_eq!(param("iss").as_deref(), Some(ISSUER));
    let code = param("code").unwrap();
    // The session is over.
    assert_eq!(
        get_(&w, &app, &format!("{}/continue", page.session)).status,
        404
    );

    // Token: the ID token verifies with the JWKS and says only what was proven.
    let r = token(&w, &app, &code, &verifier, "app", CALLBACK);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header(header::CACHE_CONTROL), "no-store");
    let t = r.json();
    assert_eq!(t["token_type"], "Bearer");
    let id_token = t["id_token"].as_str().unwrap();
    let (head, claims) = verify_jws(id_token, &jwks).unwrap();
    assert_eq!(
        (head["alg"].as_str(), head["typ"].as_str()),
        (Some("ES256"), Some("JWT"))
    );
    let now = netnym_store::unix_now();
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["aud"], "app");
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(claims["acr"], "cn-network-id/v1");
    let exp = claims["exp"].as_u64().unwrap();
    assert!(exp > now && exp <= now + 300 + 5, "{claims}");
    assert!(claims["iat"].as_u64().unwrap() <= now);
    assert_eq!(claims["age_over_18"], true);
    assert_eq!(claims["valid"], true);
    assert_eq!(claims["region"], region);
    let mut names: Vec<&str> = claims
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "acr",
            "age_over_18",
            "aud",
            "auth_time",
            "exp",
            "iat",
            "iss",
            "nonce",
            "region",
            "sub",
            "valid"
        ],
        "no hidden attribute, nothing unproven"
    );
    // sub is the platform pseudonym: the same one the JSON API reports for this holder.
    let created = send(
        &w,
        &app,
        Request::post("/v1/requests")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap(),
    );
    let req =
        PresentationRequest::from_json(created.json()["request"].to_string().as_bytes()).unwrap();
    let verified = send(
        &w,
        &app,
        Request::post("/v1/verify")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(verify_body(&present(&w, &alice, &req))))
            .unwrap(),
    )
    .json();
    assert_eq!(claims["sub"], verified["pseudonym"]);
    assert_eq!(
        verified["account"]["login_count"], 2,
        "the OIDC sign-in was the first"
    );
    // A tampered token does not verify.
    let mut parts: Vec<String> = id_token.split('.').map(str::to_owned).collect();
    let mut forged = claims.clone();
    forged["age_over_18"] = Value::Bool(false);
    parts[1] = b64(forged.to_string().as_bytes());
    assert!(verify_jws(&parts.join("."), &jwks).is_err());

    // OIDC-032: the code is single-use.
    let reuse = token(&w, &app, &code, &verifier, "app", CALLBACK);
    assert_oauth_error(&reuse, 400, "invalid_grant", "OIDC-032");
    assert!(reuse.body.contains("already used"));
}

#[test]
fn oidc_010_to_016_authorize_refusals() {
    let w = World::new(Backend::Sqlite);
    let app = app(&w);
    let (_, challenge) = pkce();
    let base = good_params("app", CALLBACK, &challenge);
    let with = |name: &str, value: Option<&str>| -> String {
        let mut p: Vec<(&str, &str)> = base.iter().copied().filter(|(k, _)| *k != name).collect();
        if let Some(v) = value {
            p.push((name, v));
        }
        authorize_uri(&p)
    };
    // Shown, never redirected: unknown client, wrong redirect URI.
    let page_error = |uri: &str, code: &str, rule: &str| {
        let r = get_(&w, &app, uri);
        assert_eq!(r.status, 400, "{}", r.body);
        assert_eq!(r.header(header::LOCATION), "");
        assert!(
            r.body
                .contains(&format!("<code id=\"error\">{code}</code>")),
            "{}",
            r.body
        );
        assert!(r.body.contains(rule), "{}", r.body);
        assert_eq!(r.header(header::CONTENT_SECURITY_POLICY), CSP);
    };
    page_error(
        &with("client_id", Some("stranger")),
        "invalid_client",
        "OIDC-010",
    );
    page_error(&with("client_id", None), "invalid_request", "OIDC-010");
    page_error(
        &with("redirect_uri", Some("https://evil.example/callback")),
        "invalid_redirect_uri",
        "OIDC-011",
    );
    // Exact match: a trailing slash, or another client's URI, is another URI.
    page_error(
        &with("redirect_uri", Some("https://app.example/callback/")),
        "invalid_redirect_uri",
        "OIDC-011",
    );
    page_error(
        &with("redirect_uri", Some(BACKEND_CALLBACK)),
        "invalid_redirect_uri",
        "OIDC-011",
    );
    page_error(
        &format!("{}&state=again", with("state", Some("x"))),
        "invalid_request",
        "OIDC-016",
    );

    // Redirected with the error and the state echoed.
    let redirected = |uri: &str, error: &str, rule: &str, state: Option<&str>| {
        let r = get_(&w, &app, uri);
        assert_eq!(r.status, 303, "{}", r.body);
        let (to, params) = r.location_params();
        assert_eq!(to, CALLBACK);
        let p = |n: &str| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        assert_eq!(p("error"), Some(error), "{params:?}");
        assert!(p("error_description").unwrap().contains(rule), "{params:?}");
        assert_eq!(p("state"), state);
        assert_eq!(p("iss"), Some(ISSUER));
        assert_eq!(p("code"), None);
    };
    let st = Some("st-42 opaque");
    redirected(
        &with("code_challenge", None),
        "invalid_request",
        "OIDC-014",
        st,
    );
    redirected(
        &with("code_challenge_method", Some("plain")),
        "invalid_request",
        "OIDC-014",
        st,
    );
    redirected(
        &with("code_challenge_method", None),
        "invalid_request",
        "OIDC-014",
        st,
    );
    redirected(
        &with("code_challenge", Some("short")),
        "invalid_request",
        "OIDC-014",
        st,
    );
    redirected(
        &with("response_type", Some("token")),
        "unsupported_response_type",
        "OIDC-012",
        st,
    );
    redirected(
        &with("scope", Some("profile")),
        "invalid_scope",
        "OIDC-013",
        st,
    );
    redirected(
        &with("scope", Some("openid email")),
        "invalid_scope",
        "OIDC-013",
        st,
    );
    redirected(&with("nonce", None), "invalid_request", "OIDC-015", st);
    redirected(&with("state", None), "invalid_request", "OIDC-015", None);
    redirected(
        &with("request", Some("eyJ")),
        "request_not_supported",
        "OIDC-016",
        st,
    );
    redirected(
        &with("response_mode", Some("fragment")),
        "invalid_request",
        "OIDC-016",
        st,
    );
    redirected(
        &with("prompt", Some("none")),
        "login_required",
        "OIDC-016",
        st,
    );

    // The wallet side: unknown handles.
    let r = get_(
        &w,
        &app,
        "/oidc/request/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    );
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (404, Some("unknown-request"))
    );
    let r = post_form(
        &w,
        &app,
        "/oidc/response",
        &[("state", "nope"), ("vp_token", "{}")],
        None,
    );
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (404, Some("unknown-request"))
    );
    let r = get_(
        &w,
        &app,
        "/oidc/session/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/status",
    );
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (404, Some("unknown-session"))
    );
}

#[test]
fn oidc_021_direct_post_refusals_and_decline() {
    let w = World::new(Backend::Sqlite);
    let app = app(&w);
    let (alice, _) = enrolled(&w);
    let (_, challenge) = pkce();
    let open = || {
        page_of(&get_(
            &w,
            &app,
            &authorize_uri(&good_params("app", CALLBACK, &challenge)),
        ))
    };
    let jwks = get_(&w, &app, "/jwks").json();
    let first = open();
    let second = open();
    let object = |p: &Page| {
        verify_jws(&get_(&w, &app, &p.request_path).body, &jwks)
            .unwrap()
            .1
    };
    let (o1, o2) = (object(&first), object(&second));
    let state1 = o1["state"].as_str().unwrap();
    // A presentation of the second request sent under the first's state.
    let req2 = PresentationRequest::from_json(o2["netnym_request"].to_string().as_bytes()).unwrap();
    let p2 = present(&w, &alice, &req2);
    let r = post_form(
        &w,
        &app,
        "/oidc/response",
        &[
            ("state", state1),
            ("vp_token", &format!(r#"{{"netnym": [{p2}]}}"#)),
        ],
        None,
    );
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (400, Some("malformed")),
        "{}",
        r.body
    );
    assert!(r.body.contains("another request"));
    // Malformed vp_tokens.
    for bad in [
        "[]",
        r#"{"other": []}"#,
        r#"{"netnym": []}"#,
        r#"{"netnym": ["x"]}"#,
        "not json",
    ] {
        let r = post_form(
            &w,
            &app,
            "/oidc/response",
            &[("state", state1), ("vp_token", bad)],
            None,
        );
        assert_eq!(
            (r.status, r.json()["code"].as_str()),
            (400, Some("malformed")),
            "{bad}: {}",
            r.body
        );
        assert!(r.body.contains("OIDC-021"), "{}", r.body);
    }
    // Wrong media type.
    let r = send(
        &w,
        &app,
        Request::post("/oidc/response")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap(),
    );
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (415, Some("unsupported-media-type"))
    );
    // The wallet declines the first: the client gets access_denied with its state.
    let r = post_form(
        &w,
        &app,
        "/oidc/response",
        &[("state", state1), ("error", "access_denied")],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = post_form(
        &w,
        &app,
        "/oidc/response",
        &[("state", state1), ("error", "access_denied")],
        None,
    );
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (409, Some("nonce-replayed"))
    );
    let r = get_(&w, &app, &format!("{}/continue", first.session));
    let (_, params) = r.location_params();
    let p = |n: &str| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    assert_eq!(
        (p("error"), p("state"), p("code")),
        (Some("access_denied"), Some("st-42 opaque"), None)
    );
    // The second expires unanswered: access_denied too, and its request object is gone.
    w.skew.store(121, Ordering::SeqCst);
    assert_eq!(
        get_(&w, &app, &format!("{}/status", second.session)).json()["status"],
        "expired"
    );
    let r = get_(&w, &app, &second.request_path);
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (410, Some("request-expired"))
    );
    let r = get_(&w, &app, &format!("{}/continue", second.session));
    let (_, params) = r.location_params();
    let p = |n: &str| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    assert_eq!(p("error"), Some("access_denied"));
    assert!(p("error_description").unwrap().contains("expired"));
    w.skew.store(0, Ordering::SeqCst);
}

#[test]
fn oidc_030_to_033_token_refusals() {
    let w = World::new(Backend::Sqlite);
    let app = app(&w);
    let (alice, _) = enrolled(&w);

    // OIDC-033: a wrong code_verifier spends the code.
    let (verifier, challenge) = pkce();
    let code = sign_in(&w, &app, &alice, "app", CALLBACK, &challenge);
    let (other_verifier, _) = pkce();
    let r = token(&w, &app, &code, &other_verifier, "app", CALLBACK);
    assert_oauth_error(&r, 400, "invalid_grant", "OIDC-033");
    let r = token(&w, &app, &code, &verifier, "app", CALLBACK);
    assert_oauth_error(&r, 400, "invalid_grant", "OIDC-032");

    // OIDC-032: expired (60 s), another redirect URI, another client.
    let (verifier, challenge) = pkce();
    let code = sign_in(&w, &app, &alice, "app", CALLBACK, &challenge);
    w.skew.store(61, Ordering::SeqCst);
    let r = token(&w, &app, &code, &verifier, "app", CALLBACK);
    w.skew.store(0, Ordering::SeqCst);
    assert_oauth_error(&r, 400, "invalid_grant", "OIDC-032");
    assert!(r.body.contains("expired"));
    let (verifier, challenge) = pkce();
    let code = sign_in(&w, &app, &alice, "app", CALLBACK, &challenge);
    let r = token(
        &w,
        &app,
        &code,
        &verifier,
        "app",
        "https://app.example/other",
    );
    assert_oauth_error(&r, 400, "invalid_grant", "OIDC-032");
    let (verifier, challenge) = pkce();
    let code = sign_in(&w, &app, &alice, "app", CALLBACK, &challenge);
    let r = post_form(
        &w,
        &app,
        "/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &verifier),
        ],
        Some(&format!("backend:{BACKEND_SECRET}")),
    );
    assert_oauth_error(&r, 400, "invalid_grant", "OIDC-032");
    assert!(r.body.contains("another client"));

    // OIDC-031: client authentication.
    let r = token(&w, &app, "whatever", &verifier, "stranger", CALLBACK);
    assert_oauth_error(&r, 401, "invalid_client", "OIDC-031");
    let r = token(&w, &app, "whatever", &verifier, "backend", BACKEND_CALLBACK);
    assert_oauth_error(&r, 401, "invalid_client", "OIDC-031"); // confidential without its secret
    let r = post_form(
        &w,
        &app,
        "/token",
        &[("grant_type", "authorization_code"), ("code", "x")],
        Some("backend:wrong-secret"),
    );
    assert_oauth_error(&r, 401, "invalid_client", "OIDC-031");
    assert_eq!(r.header(header::WWW_AUTHENTICATE), "Basic realm=\"netnym\"");
    // OIDC-030
    let r = post_form(
        &w,
        &app,
        "/token",
        &[("grant_type", "password"), ("client_id", "app")],
        None,
    );
    assert_oauth_error(&r, 400, "unsupported_grant_type", "OIDC-030");
    let r = post_form(
        &w,
        &app,
        "/token",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "app"),
            ("client_id", "app"),
        ],
        None,
    );
    assert_oauth_error(&r, 400, "invalid_request", "OIDC-030");

    // A confidential client with client_secret_basic gets its token.
    let (verifier, challenge) = pkce();
    let code = sign_in(&w, &app, &alice, "backend", BACKEND_CALLBACK, &challenge);
    let r = post_form(
        &w,
        &app,
        "/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", BACKEND_CALLBACK),
            ("code_verifier", &verifier),
        ],
        Some(&format!("backend:{BACKEND_SECRET}")),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let jwks = get_(&w, &app, "/jwks").json();
    let (_, claims) = verify_jws(r.json()["id_token"].as_str().unwrap(), &jwks).unwrap();
    assert_eq!(claims["aud"], "backend");
}

#[test]
fn oidc_001_to_004_configuration_is_validated_and_the_key_kept() {
    let w = World::new(Backend::Sqlite);
    let key_file = w.dir.path().join("kept-key.pem");
    let invalid = |text: &str| match loaded(&w, text) {
        Err(PolicyError::Invalid(m)) => m,
        other => panic!("expected Invalid, got {other:?}"),
    };
    let good = oidc_policy(&key_file, true, "");
    assert!(invalid(&oidc_policy(&key_file, false, "")).contains("OIDC-004"));
    assert!(invalid(&good.replace(ISSUER, "http://login.example")).contains("OIDC-001"));
    assert!(invalid(&good.replace(ISSUER, "https://login.example/#x")).contains("OIDC-001"));
    assert!(invalid(&good.replace(CALLBACK, "http://app.example/callback")).contains("OIDC-002"));
    assert!(invalid(&good.replace(CALLBACK, "https://app.example/cb#frag")).contains("OIDC-002"));
    assert!(invalid(&oidc_policy(
        &key_file,
        true,
        "[[oidc.clients]]\nclient_id = \"app\"\nredirect_uris = [\"https://x.example/\"]\n"
    ))
    .contains("listed twice"));
    assert!(invalid(&good.replace(
        &hex::encode(sha2::Sha256::digest(BACKEND_SECRET.as_bytes())),
        "abcd"
    ))
    .contains("64 hex"));
    // Loopback http is fine (RFC 8252).
    loaded(&w, &good.replace(ISSUER, "http://127.0.0.1:8443")).unwrap();
    // The oidc section is not shown by GET /v1/policy.
    let p = Policy::parse(&good.replace("KEY", &w.pk.key_id().to_string()), true).unwrap();
    assert!(!serde_json::to_string(&p).unwrap().contains("oidc"));

    // OIDC-003: created once (0600), kept across restarts, refused when readable by others.
    let start = || {
        VerifierState::new(
            w.platform_store.clone(),
            config(&w, loaded(&w, &good).unwrap()),
        )
    };
    let kid = |state: VerifierState| {
        let r = send(
            &w,
            &verifier::router(state),
            Request::get("/jwks").body(Body::empty()).unwrap(),
        );
        r.json()["keys"][0]["kid"].as_str().unwrap().to_owned()
    };
    let first = kid(start().unwrap());
    {
        use std::os::unix::fs::PermissionsExt as _;
        let meta = std::fs::metadata(&key_file).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert!(std::fs::read_to_string(&key_file)
            .unwrap()
            .starts_with("-----BEGIN PRIVATE KEY-----"));
        assert_eq!(kid(start().unwrap()), first);
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    match start() {
        Err(StartError::Config(m)) => assert!(m.contains("chmod 600"), "{m}"),
        other => panic!("expected a refusal, got {:?}", other.err()),
    }
}

/// A standard relying party (the `openidconnect` crate, as platforms use it) discovers the
/// facade, runs the code flow with PKCE, and accepts the ID token with its own verifier.
#[test]
fn oidc_034_a_standard_relying_party_signs_in() {
    use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
    use openidconnect::{
        AuthorizationCode, ClientId, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge, RedirectUrl,
    };
    let w = World::new(Backend::Sqlite);
    let app = app(&w);
    let (alice, region) = enrolled(&w);
    // The RP's HTTP client, routed into the facade in-process.
    let http =
        |req: openidconnect::HttpRequest| -> Result<openidconnect::HttpResponse, std::io::Error> {
            let (parts, body) = req.into_parts();
            assert_eq!(parts.uri.host(), Some("login.example"));
            let mut b = Request::builder()
                .method(parts.method)
                .uri(parts.uri.path_and_query().unwrap().as_str());
            for (k, v) in &parts.headers {
                b = b.header(k, v);
            }
            let r = send(&w, &app, b.body(Body::from(body)).unwrap());
            let mut out = openidconnect::http::Response::builder().status(r.status);
            for (k, v) in &r.headers {
                out = out.header(k, v);
            }
            Ok(out.body(r.body.into_bytes()).unwrap())
        };
    let metadata =
        CoreProviderMetadata::discover(&IssuerUrl::new(ISSUER.to_owned()).unwrap(), &http).unwrap();
    let client =
        CoreClient::from_provider_metadata(metadata, ClientId::new("app".to_owned()), None)
            .set_redirect_uri(RedirectUrl::new(CALLBACK.to_owned()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, csrf, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge)
        .url();
    assert_eq!(auth_url.origin().ascii_serialization(), ISSUER);
    // The browser and the wallet.
    let page = page_of(&get_(
        &w,
        &app,
        &format!("{}?{}", auth_url.path(), auth_url.query().unwrap()),
    ));
    let jwks = get_(&w, &app, "/jwks").json();
    wallet_answers(&w, &app, &alice, &page, &jwks);
    let r = get_(&w, &app, &format!("{}/continue", page.session));
    let (_, params) = r.location_params();
    let p = |n: &str| {
        params
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(&p("state"), csrf.secret());
    // The RP redeems the code and verifies the ID token its own way.
    let response = client
        .exchange_code(AuthorizationCode::new(p("code")))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request(&http)
        .unwrap();
    let id_token = openidconnect::TokenResponse::id_token(&response).unwrap();
    let claims = id_token
        .claims(&client.id_token_verifier(), &nonce)
        .unwrap();
    assert_eq!(claims.issuer().as_str(), ISSUER);
    assert_eq!(claims.audiences()[0].as_str(), "app");
    assert_eq!(
        claims.auth_context_ref().unwrap().as_str(),
        "cn-network-id/v1"
    );
    assert_eq!(
        claims.subject().as_str().len(),
        64,
        "a 48-byte pseudonym, base64url"
    );
    // And the results it asked for, as plain claims.
    let payload = id_token.to_string();
    let (_, all) = verify_jws(&payload, &jwks).unwrap();
    assert_eq!(
        (all["age_over_18"].as_bool(), all["region"].as_str()),
        (Some(true), Some(region.as_str()))
    );
    // A token made for another client is refused by the RP.
    let other = CoreClient::from_provider_metadata(
        CoreProviderMetadata::discover(&IssuerUrl::new(ISSUER.to_owned()).unwrap(), &http).unwrap(),
        ClientId::new("backend".to_owned()),
        None,
    );
    assert!(id_token.claims(&other.id_token_verifier(), &nonce).is_err());
}
