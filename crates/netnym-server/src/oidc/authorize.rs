//! The browser side: `/authorize` (spec/13-oidc.md § Authorization, OIDC-010..OIDC-017) and
//! the sign-in session's page, status and continuation (OIDC-022, OIDC-023).

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use url::Url;

use super::messages::Lang;
use super::sessions::{AuthRequest, Authorization, Outcome, Status};
use super::{form_pairs, is_token_shaped, page, param, random_token, Facade, OidcState};
use crate::body::json_ok;
use crate::problem::Problem;

/// Longest query string of `/authorize`, in bytes.
const MAX_QUERY: usize = 8 * 1024;
/// Longest `state` or `nonce`, in bytes (OIDC-015).
const MAX_STATE: usize = 512;

/// Why an authorization request is refused.
#[derive(Debug)]
enum Refusal {
    /// Shown to the user; never redirected (the client or redirect URI is not trusted).
    Page {
        code: &'static str,
        description: String,
    },
    /// Sent back to the client's redirect URI (RFC 6749 § 4.1.2.1).
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        code: &'static str,
        description: String,
    },
}

/// VSCHAR (RFC 6749 Appendix A.5) strings of 1..=`MAX_STATE` bytes.
fn vschar(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_STATE && s.bytes().all(|c| (0x20..=0x7e).contains(&c))
}

/// An S256 code challenge: 43 base64url characters (RFC 7636 § 4.2).
fn is_challenge(s: &str) -> bool {
    is_token_shaped(s)
}

/// Check an authorization request (the rules in the order the spec lists them).
fn check(facade: &Facade, pairs: &[(String, String)], lang: Lang) -> Result<AuthRequest, Refusal> {
    let page = |code, description: &str| Refusal::Page {
        code,
        description: description.to_owned(),
    };
    // OIDC-010
    let client_id = param(pairs, "client_id")
        .ok_or_else(|| page("invalid_request", "client_id is missing (OIDC-010)"))?;
    let client = facade
        .settings
        .client(client_id)
        .ok_or_else(|| page("invalid_client", "unknown client_id (OIDC-010)"))?;
    // OIDC-011
    let redirect_uri = param(pairs, "redirect_uri")
        .ok_or_else(|| page("invalid_request", "redirect_uri is missing (OIDC-011)"))?;
    if !client.has_redirect_uri(redirect_uri) {
        return Err(page(
            "invalid_redirect_uri",
            "redirect_uri is not registered for this client (OIDC-011)",
        ));
    }
    let state = param(pairs, "state").filter(|s| vschar(s));
    let back = |code, description: &str| Refusal::Redirect {
        redirect_uri: redirect_uri.to_owned(),
        state: state.map(str::to_owned),
        code,
        description: description.to_owned(),
    };
    // OIDC-016
    if param(pairs, "request").is_some() {
        return Err(back(
            "request_not_supported",
            "request objects are not supported (OIDC-016)",
        ));
    }
    if param(pairs, "request_uri").is_some() {
        return Err(back(
            "request_uri_not_supported",
            "request_uri is not supported at /authorize (OIDC-016)",
        ));
    }
    // OIDC-012
    if param(pairs, "response_type") != Some("code") {
        return Err(back(
            "unsupported_response_type",
            "response_type must be code (OIDC-012)",
        ));
    }
    // OIDC-016
    if param(pairs, "response_mode").is_some_and(|m| m != "query") {
        return Err(back(
            "invalid_request",
            "response_mode must be query (OIDC-016)",
        ));
    }
    // OIDC-013
    let scope = param(pairs, "scope").unwrap_or("");
    if !scope.split(' ').any(|s| s == "openid") {
        return Err(back(
            "invalid_scope",
            "scope must include openid (OIDC-013)",
        ));
    }
    if let Some(other) = scope.split(' ').find(|s| !s.is_empty() && *s != "openid") {
        return Err(back(
            "invalid_scope",
            &format!("scope {other:?} is not supported; only openid (OIDC-013)"),
        ));
    }
    // OIDC-015
    let Some(state) = state else {
        return Err(back(
            "invalid_request",
            "state is required: 1..=512 visible ASCII characters (OIDC-015)",
        ));
    };
    let nonce = param(pairs, "nonce").filter(|n| vschar(n)).ok_or_else(|| {
        back(
            "invalid_request",
            "nonce is required: 1..=512 visible ASCII characters (OIDC-015)",
        )
    })?;
    // OIDC-014
    let challenge = param(pairs, "code_challenge").ok_or_else(|| {
        back(
            "invalid_request",
            "code_challenge is required (PKCE, OIDC-014)",
        )
    })?;
    if param(pairs, "code_challenge_method") != Some("S256") {
        return Err(back(
            "invalid_request",
            "transform algorithm not supported: code_challenge_method must be S256 (OIDC-014)",
        ));
    }
    if !is_challenge(challenge) {
        return Err(back(
            "invalid_request",
            "code_challenge must be 43 base64url characters (OIDC-014)",
        ));
    }
    // OIDC-016
    if param(pairs, "prompt").is_some_and(|p| p.split(' ').any(|v| v == "none")) {
        return Err(back(
            "login_required",
            "prompt=none cannot be honoured: every sign-in needs the wallet (OIDC-016)",
        ));
    }
    Ok(AuthRequest {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        state: state.to_owned(),
        nonce: nonce.to_owned(),
        code_challenge: challenge.to_owned(),
        lang,
    })
}

/// A 303 to the client's redirect URI with `params` added to its query, and `iss` (RFC 9207).
fn redirect(facade: &Facade, redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let Ok(mut url) = Url::parse(redirect_uri) else {
        // Checked at load (OIDC-002).
        return Problem::internal("registered redirect URI does not parse").into_response();
    };
    url.query_pairs_mut()
        .extend_pairs(params)
        .append_pair("iss", facade.settings.issuer());
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(url.as_str()) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

fn refuse(facade: &Facade, lang: Lang, refusal: Refusal) -> Response {
    match refusal {
        Refusal::Page { code, description } => {
            page::error(lang, StatusCode::BAD_REQUEST, code, &description)
        }
        Refusal::Redirect {
            redirect_uri,
            state,
            code,
            description,
        } => {
            let mut params = vec![("error", code), ("error_description", description.as_str())];
            if let Some(s) = &state {
                params.push(("state", s));
            }
            redirect(facade, &redirect_uri, &params)
        }
    }
}

fn header_lang(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language)
}

/// `GET /authorize`: check the request, make a NetNym presentation request, hold the
/// authorization, show the sign-in page (OIDC-017).
pub(super) async fn authorize(
    State(s): State<OidcState>,
    client: crate::limits::Client,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    let header_lang = header_lang(&headers);
    let lang = header_lang.unwrap_or(Lang::ZhCn);
    if query.len() > MAX_QUERY {
        return page::error(
            lang,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the query is too long (OIDC-016)",
        );
    }
    let pairs = match form_pairs(query.as_bytes()) {
        Ok(p) => p,
        Err(e) => {
            return page::error(
                lang,
                StatusCode::BAD_REQUEST,
                "invalid_request",
                &format!("{e} (OIDC-016)"),
            )
        }
    };
    // ui_locales first, then Accept-Language, then zh-CN.
    let lang = param(&pairs, "ui_locales")
        .and_then(Lang::from_ui_locales)
        .or(header_lang)
        .unwrap_or(Lang::ZhCn);
    let facade = &s.facade;
    let auth = match check(facade, &pairs, lang) {
        Ok(a) => a,
        Err(r) => return refuse(facade, lang, r),
    };
    let back = |code: &'static str, description: &str| {
        refuse(
            facade,
            lang,
            Refusal::Redirect {
                redirect_uri: auth.redirect_uri.clone(),
                state: Some(auth.state.clone()),
                code,
                description: description.to_owned(),
            },
        )
    };
    let request = match s.service.create_request(client.0).await {
        Ok(r) => r,
        // Unavailable, or this client holds too many open requests (API.md § Limits).
        Err(p)
            if p.status == StatusCode::SERVICE_UNAVAILABLE
                || p.status == StatusCode::TOO_MANY_REQUESTS =>
        {
            return back(
                "temporarily_unavailable",
                "the verifier cannot make a request now; retry later",
            )
        }
        Err(_) => return back("server_error", "the verifier failed to make a request"),
    };
    let session = random_token();
    let authorization = Authorization {
        auth: auth.clone(),
        request,
        request_handle: random_token(),
        outcome: Outcome::Waiting,
    };
    if facade
        .sessions
        .insert(facade.now(), session.clone(), authorization.clone())
        .is_err()
    {
        return back(
            "temporarily_unavailable",
            "too many sign-ins in progress; retry later (OIDC-040)",
        );
    }
    render(facade, &session, &authorization, lang)
}

fn render(facade: &Facade, session: &str, a: &Authorization, lang: Lang) -> Response {
    let request_uri = facade.url(&format!("/oidc/request/{}", a.request_handle));
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &facade.verifier_id)
        .append_pair("request_uri", &request_uri)
        .finish();
    let qr_content = format!("openid4vp://?{query}");
    let wallet_link = format!("{}?{query}", facade.settings.wallet_url());
    let session_path = format!("/oidc/session/{session}");
    let view = page::SignInView {
        lang,
        verifier_id: &facade.verifier_id,
        client_id: &a.auth.client_id,
        request: &a.request,
        qr_content: &qr_content,
        wallet_link: &wallet_link,
        session_path: &session_path,
    };
    page::sign_in(&view)
        .unwrap_or_else(|e| Problem::internal(&format!("sign-in page: {e}")).into_response())
}

fn unknown_session(lang: Lang) -> Response {
    page::error(
        lang,
        StatusCode::NOT_FOUND,
        "invalid_request",
        "no sign-in is in progress at this address: it finished or expired (OIDC-022)",
    )
}

/// `GET /oidc/session/{sid}?lang=…`: the sign-in page again (reload, language switch).
pub(super) async fn session_page(
    State(s): State<OidcState>,
    Path(sid): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let chosen = query
        .as_deref()
        .and_then(|q| form_pairs(q.as_bytes()).ok())
        .and_then(|p| param(&p, "lang").and_then(Lang::from_tag));
    let found = is_token_shaped(&sid)
        .then(|| s.facade.sessions.by_session(&sid))
        .flatten();
    match found {
        Some(a) => {
            let lang = chosen.unwrap_or(a.auth.lang);
            render(&s.facade, &sid, &a, lang)
        }
        None => unknown_session(chosen.unwrap_or(Lang::ZhCn)),
    }
}

/// `GET /oidc/session/{sid}/status`: `{"status": "waiting" | "done" | "expired"}`.
pub(super) async fn status(State(s): State<OidcState>, Path(sid): Path<String>) -> Response {
    let status = is_token_shaped(&sid)
        .then(|| s.facade.sessions.status(&sid, s.facade.now()))
        .flatten();
    let Some(status) = status else {
        return Problem::new(
            StatusCode::NOT_FOUND,
            "unknown-session",
            "Unknown sign-in session",
            "no sign-in is in progress under this handle (OIDC-022)",
        )
        .into_response();
    };
    let name = match status {
        Status::Waiting => "waiting",
        Status::Done => "done",
        Status::Expired => "expired",
    };
    let mut r = json_ok(&serde_json::json!({ "status": name }));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `GET /oidc/session/{sid}/continue`: once the wallet has answered (or the request expired),
/// back to the client with a code or an error (OIDC-023); while waiting, back to the page.
pub(super) async fn continue_(State(s): State<OidcState>, Path(sid): Path<String>) -> Response {
    let facade = &s.facade;
    if !is_token_shaped(&sid) {
        return unknown_session(Lang::ZhCn);
    }
    let now = facade.now();
    let Some(a) = facade.sessions.take_finished(&sid, now) else {
        return match facade.sessions.by_session(&sid) {
            Some(_) => {
                let mut r = StatusCode::SEE_OTHER.into_response();
                if let Ok(v) = HeaderValue::from_str(&format!("/oidc/session/{sid}")) {
                    r.headers_mut().insert(header::LOCATION, v);
                }
                r
            }
            None => unknown_session(Lang::ZhCn),
        };
    };
    let AuthRequest {
        redirect_uri,
        state,
        lang,
        ..
    } = a.auth.clone();
    let back = |code: &'static str, description: &str| {
        refuse(
            facade,
            lang,
            Refusal::Redirect {
                redirect_uri: redirect_uri.clone(),
                state: Some(state.clone()),
                code,
                description: description.to_owned(),
            },
        )
    };
    match a.outcome {
        Outcome::SignedIn(login) => {
            let code = random_token();
            if facade
                .sessions
                .insert_code(now, &code, a.auth, login)
                .is_err()
            {
                return back(
                    "temporarily_unavailable",
                    "too many unredeemed codes; retry later (OIDC-040)",
                );
            }
            redirect(facade, &redirect_uri, &[("code", &code), ("state", &state)])
        }
        Outcome::Declined => back("access_denied", "the wallet declined (OIDC-023)"),
        Outcome::Waiting => back(
            "access_denied",
            "the presentation request expired before the wallet answered (OIDC-023)",
        ),
    }
}
