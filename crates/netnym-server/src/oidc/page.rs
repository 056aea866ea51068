//! The server-rendered pages of the facade (spec/13-oidc.md § Page, OIDC-041): the sign-in
//! page with its QR code, and the error page. HTML from `maud` (escapes by default), UTF-8,
//! zh-CN and en from [`super::messages`], no third-party resources, and a Content-Security-Policy
//! that allows only this service's own script and stylesheet.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use netnym::PresentationRequest;

use super::messages::Lang;

/// The pages' Content-Security-Policy: nothing but this origin's script, stylesheet and
/// `fetch`; no inline script or style, no framing, no plugins.
pub(crate) const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

const SCRIPT: &str = include_str!("page/follow.js");
const STYLESHEET: &str = include_str!("page/page.css");

/// What the sign-in page shows.
pub(crate) struct SignInView<'a> {
    pub(crate) lang: Lang,
    pub(crate) verifier_id: &'a str,
    pub(crate) client_id: &'a str,
    pub(crate) request: &'a PresentationRequest,
    /// The QR code's content (the OpenID4VP request URI).
    pub(crate) qr_content: &'a str,
    /// The same-device link.
    pub(crate) wallet_link: &'a str,
    /// `/oidc/session/{sid}`.
    pub(crate) session_path: &'a str,
}

/// Headers of every page and script: CSP, no sniffing, no referrer, no caching.
fn secured(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    r
}

fn html_response(status: StatusCode, markup: &Markup) -> Response {
    secured(
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            markup.0.clone(),
        )
            .into_response(),
    )
}

/// An SVG QR code of `content` (the XML declaration dropped, for inline HTML).
///
/// # Errors
/// The content does not fit a QR code.
pub(crate) fn qr_svg(content: &str) -> Result<String, String> {
    let code = qrcode::QrCode::with_error_correction_level(content, qrcode::EcLevel::M)
        .map_err(|e| e.to_string())?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    let start = svg.find("<svg").ok_or("no <svg> element")?;
    Ok(svg[start..].replacen(
        "<svg ",
        "<svg role=\"img\" aria-labelledby=\"qr-label\" ",
        1,
    ))
}

/// `HH:MM` UTC of a Unix time.
fn utc_time(t: u64) -> String {
    let s = t % 86_400;
    format!("{:02}:{:02}", s / 3600, (s % 3600) / 60)
}

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="referrer" content="no-referrer";
            title { (title) }
            link rel="stylesheet" href="/oidc/static/page.css";
        }
    }
}

/// The sign-in page (200).
///
/// # Errors
/// The QR code cannot be made (the request URI is too long, not expected).
pub(crate) fn sign_in(view: &SignInView<'_>) -> Result<Response, String> {
    let t = view.lang.text();
    let svg = qr_svg(view.qr_content)?;
    let query = view.request.credentials();
    let disclosed: Vec<&str> = query
        .iter()
        .flat_map(|q| q.disclose().iter().map(|n| t.attribute(n)))
        .collect();
    let non_revoked = query.iter().any(|q| q.non_revoked().is_some());
    let markup = html! {
        (DOCTYPE)
        html lang=(view.lang.tag()) {
            (head(t.title))
            body {
                main id="netnym-signin"
                    data-status=(format!("{}/status", view.session_path))
                    data-continue=(format!("{}/continue", view.session_path)) {
                    a class="lang" lang=(view.lang.other().tag())
                        href=(format!("{}?lang={}", view.session_path, view.lang.other().tag())) {
                        (t.switch)
                    }
                    h1 { (t.heading.replace("{verifier}", view.verifier_id)) }
                    p class="muted" { (t.client.replace("{client}", view.client_id)) }
                    p { (t.intro) }
                    h2 { (t.proven) }
                    ul {
                        @for q in query {
                            @for p in q.predicates() {
                                li { (t.predicate(p, view.request)) }
                            }
                        }
                        @if non_revoked { li { (t.non_revoked) } }
                        @if view.request.pseudonym() { li { (t.pseudonym) } }
                    }
                    h2 { (t.revealed) }
                    @if disclosed.is_empty() {
                        p { (t.nothing_revealed) }
                    } @else {
                        ul { @for d in &disclosed { li { (d) } } }
                    }
                    h2 { (t.cross_device) }
                    figure class="qr" {
                        (PreEscaped(svg))
                        figcaption id="qr-label" class="muted" { (t.qr_label) }
                    }
                    h2 { (t.same_device) }
                    p { a class="wallet" href=(view.wallet_link) { (t.open_wallet) } }
                    p class="status" role="status" { (t.waiting) }
                    p class="muted" {
                        (t.expires.replace("{time}", &utc_time(view.request.expires_at())))
                    }
                    noscript {
                        p { a href=(format!("{}/continue", view.session_path)) { (t.continue_link) } }
                    }
                }
                script src="/oidc/static/follow.js" {}
            }
        }
    };
    Ok(html_response(StatusCode::OK, &markup))
}

/// An error page: the OAuth-style `error` code and a description naming the spec rule.
pub(crate) fn error(lang: Lang, status: StatusCode, code: &str, description: &str) -> Response {
    let t = lang.text();
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            (head(t.error_title))
            body {
                main {
                    h1 { (t.error_title) }
                    p { (t.error_code) ": " code id="error" { (code) } }
                    p id="error-description" lang="en" { (description) }
                    p { (t.error_back) }
                }
            }
        }
    };
    html_response(status, &markup)
}

/// `GET /oidc/static/follow.js`.
pub(crate) async fn script() -> Response {
    secured(
        (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            SCRIPT,
        )
            .into_response(),
    )
}

/// `GET /oidc/static/page.css`.
pub(crate) async fn stylesheet() -> Response {
    secured(
        (
            [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
            STYLESHEET,
        )
            .into_response(),
    )
}
