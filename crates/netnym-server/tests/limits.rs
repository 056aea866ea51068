//! Limits (issue 12 item 5; API.md § Limits): `Retry-After` on 503s, the case-insensitive
//! bearer scheme, CORS per origin, slow-loris connections closed by the header-read timeout,
//! slow bodies answered 408, and per-client rate limits answered 429 with `Retry-After`.

#![allow(clippy::unwrap_used)]
// Threads are all spawned before any is joined.
#![allow(clippy::needless_collect)]

#[path = "support/world.rs"]
mod common;

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use netnym_server::*;

/// A call with extra headers: (status, headers we look at, body JSON or Null).
fn call_with(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, String, serde_json::Value, ureq::Response) {
    let mut req = ureq::request(method, url);
    for (k, v) in headers {
        req = req.set(k, v);
    }
    let result = match body {
        Some(b) => req.set("Content-Type", "application/json").send_string(b),
        None => req.call(),
    };
    let resp = match result {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error on {method} {url}: {e}"),
    };
    let status = resp.status();
    let ct = resp.header("content-type").unwrap_or("").to_owned();
    // Keep the headers: read the body from a clone of nothing; ureq consumes on into_string.
    let headers_only = clone_headers(&resp);
    let text = resp.into_string().unwrap();
    let v = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    (status, ct, v, headers_only)
}

/// A response carrying only the headers of `r` (for assertions after its body is read).
fn clone_headers(r: &ureq::Response) -> ureq::Response {
    let mut text = format!("HTTP/1.1 {} {}\r\n", r.status(), r.status_text());
    for name in r.headers_names() {
        for v in r.all(&name) {
            text.push_str(&format!("{name}: {v}\r\n"));
        }
    }
    text.push_str("\r\n");
    text.parse().unwrap()
}

/// An epoch log that cannot be read: the verifier answers 503.
struct DownLog;

impl EpochSource for DownLog {
    fn epochs_from(&self, _: u64) -> EpochFuture<'_, Result<Vec<netnym::EpochEntry>, String>> {
        Box::pin(async { Err("connection refused".to_owned()) })
    }
}

#[test]
fn every_503_has_retry_after() {
    let w = World::new(Backend::Sqlite);
    let mut config = w.platform_config(&shop_policy(), true);
    config.revocation = Some(VerifierRevocation {
        registry: w.registry.clone(),
        epochs: Arc::new(DownLog),
    });
    let h =
        w.rt.block_on(start_verifier(
            "127.0.0.1:0".parse().unwrap(),
            w.platform_store.clone(),
            config,
        ))
        .unwrap();
    let (s, ct, v, r) = call_with(
        "POST",
        &format!("{}/v1/requests", h.base_url()),
        &[],
        Some("{}"),
    );
    assert_problem((s, ct, v), 503, "service-unavailable");
    assert_eq!(
        r.header("retry-after"),
        Some(RETRY_AFTER_SECONDS.to_string().as_str())
    );
    let (s, ct, v, r) = call_with("GET", &format!("{}/v1/ready", h.base_url()), &[], None);
    assert_problem((s, ct, v), 503, "not-ready");
    assert_eq!(r.header("retry-after"), Some("5"));
    // Not on other problems.
    let (s, ct, v, r) = call_with("GET", &format!("{}/nope", h.base_url()), &[], None);
    assert_problem((s, ct, v), 404, "not-found");
    assert_eq!(r.header("retry-after"), None);
    w.rt.block_on(h.shutdown()).unwrap();
    w.shutdown();
}

#[test]
fn bearer_scheme_is_case_insensitive() {
    let w = World::new(Backend::Sqlite);
    let url = format!("{}/v1/revoke", w.authority_url());
    let body = serde_json::json!({ "citizen_id": w.citizens[0].citizen_id }).to_string();
    let mut epochs = Vec::new();
    for scheme in ["bearer", "BEARER", "Bearer", "bEaReR"] {
        let auth = format!("{scheme} {ADMIN}");
        let (s, _, v, _) = call_with("POST", &url, &[("Authorization", &auth)], Some(&body));
        assert_eq!(s, 200, "{scheme}: {v}");
        epochs.push(v["epoch"].as_u64().unwrap());
    }
    // Revoked once (epoch 1), then idempotent.
    assert_eq!(epochs, [1, 1, 1, 1]);
    let basic = format!("Basic {ADMIN}");
    let wrong = "Bearer not-the-admin-token-at-all".to_owned();
    let glued = format!("Bearer{ADMIN}");
    let empty = "Bearer ".to_owned();
    for auth in [basic, wrong, glued, empty] {
        let (s, ct, v, _) = call_with("POST", &url, &[("Authorization", &auth)], Some(&body));
        assert_problem((s, ct, v), 401, "unauthorized");
    }
    w.shutdown();
}

#[test]
fn cors_only_for_allowed_origins() {
    let w = World::new(Backend::Sqlite);
    let allowed = "https://app.example";
    let limits = Limits::default().cors_origins(&[allowed]).unwrap();
    let h = w.start_platform_limited(&shop_policy(), limits);
    let url = format!("{}/v1/requests", h.base_url());
    let preflight = |origin: &str| {
        let (s, _, _, r) = call_with(
            "OPTIONS",
            &url,
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type"),
            ],
            None,
        );
        (s, r)
    };
    let (s, r) = preflight(allowed);
    assert_eq!(s, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some(allowed));
    let methods = r.header("access-control-allow-methods").unwrap().to_owned();
    assert!(methods.contains("POST"), "{methods}");
    let (_, r) = preflight("https://evil.example");
    assert_eq!(r.header("access-control-allow-origin"), None);
    // A simple request from the allowed origin carries the header, another's does not.
    let (s, _, _, r) = call_with("POST", &url, &[("Origin", allowed)], Some("{}"));
    assert_eq!(s, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some(allowed));
    let (s, _, _, r) = call_with(
        "POST",
        &url,
        &[("Origin", "http://app.example")],
        Some("{}"),
    );
    assert_eq!(s, 200);
    assert_eq!(r.header("access-control-allow-origin"), None);
    // The default: no CORS headers at all.
    let (_, r) = {
        let url = format!("{}/v1/requests", w.shop_url());
        let (s, _, _, r) = call_with(
            "OPTIONS",
            &url,
            &[
                ("Origin", allowed),
                ("Access-Control-Request-Method", "POST"),
            ],
            None,
        );
        (s, r)
    };
    assert_eq!(r.header("access-control-allow-origin"), None);
    // Not origins: refused at configuration.
    for bad in [
        "app.example",
        "https://app.example/",
        "https://app.example/path",
        "ftp://x.example",
    ] {
        assert!(
            matches!(
                Limits::default().cors_origins(&[bad]),
                Err(StartError::Config(_))
            ),
            "{bad}"
        );
    }
    w.rt.block_on(h.shutdown()).unwrap();
    w.shutdown();
}

/// Read until the server closes the connection; `Some(elapsed)` when it did within `bound`.
fn closed_within(stream: &mut TcpStream, start: Instant, bound: Duration) -> Option<Duration> {
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut buf = [0u8; 512];
    while start.elapsed() < bound {
        match stream.read(&mut buf) {
            // EOF: closed (hyper may write nothing, or a 408, first).
            Ok(0) => return Some(start.elapsed()),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return Some(start.elapsed()),
        }
    }
    None
}

#[test]
fn slow_loris_connections_are_closed_within_10_s() {
    let w = World::new(Backend::Sqlite);
    let addr: SocketAddr = w.shop.as_ref().unwrap().addr();
    let start = Instant::now();
    // 50 connections each sending its request head one byte every 500 ms, and 5 that send
    // nothing at all.
    let mut conns: Vec<TcpStream> = (0..55).map(|_| TcpStream::connect(addr).unwrap()).collect();
    let head = b"POST /v1/requests HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let closed = std::thread::scope(|s| {
        let dribblers: Vec<_> = conns
            .drain(..50)
            .map(|mut c| {
                s.spawn(move || {
                    let bytes = head.iter().copied().chain(std::iter::repeat(b'a'));
                    for b in bytes {
                        let gone = c.write_all(&[b]).is_err()
                            || closed_within(&mut c, Instant::now(), Duration::from_millis(500))
                                .is_some();
                        if gone {
                            return Some(Instant::now());
                        }
                        if start.elapsed() > Duration::from_secs(30) {
                            return None;
                        }
                    }
                    None
                })
            })
            .collect();
        let silent: Vec<_> = conns
            .drain(..)
            .map(|mut c| {
                s.spawn(move || {
                    closed_within(&mut c, start, Duration::from_secs(30)).map(|_| Instant::now())
                })
            })
            .collect();
        // Meanwhile the service answers a normal request.
        std::thread::sleep(Duration::from_secs(1));
        let (s200, _) = get(&format!("{}/v1/health", w.shop_url()));
        assert_eq!(s200, 200);
        let (req_status, _) = post_json(&format!("{}/v1/requests", w.shop_url()), "{}");
        assert_eq!(req_status, 200);
        dribblers
            .into_iter()
            .chain(silent)
            .map(|t| t.join().unwrap())
            .collect::<Vec<_>>()
    });
    for (i, at) in closed.iter().enumerate() {
        let at = at.unwrap_or_else(|| panic!("connection {i} still open after 30 s"));
        let took = at.duration_since(start);
        assert!(
            took <= Duration::from_secs(10),
            "connection {i} closed after {took:?}"
        );
        // Not before the timeout either (the head kept arriving).
        assert!(
            took >= DEFAULT_HEADER_READ_TIMEOUT - Duration::from_millis(200),
            "{i}: {took:?}"
        );
    }
    w.shutdown();
}

#[test]
fn slow_body_is_answered_408() {
    let w = World::new(Backend::Sqlite);
    let addr = w.shop.as_ref().unwrap().addr();
    let mut c = TcpStream::connect(addr).unwrap();
    let start = Instant::now();
    c.write_all(b"POST /v1/requests HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        .unwrap();
    c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut got = Vec::new();
    let _ = c.read_to_end(&mut got);
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("\"code\":\"request-timeout\""), "{text}");
    let took = start.elapsed();
    assert!(
        took >= BODY_READ_TIMEOUT && took < BODY_READ_TIMEOUT + Duration::from_secs(5),
        "{took:?}"
    );
    w.shutdown();
}

#[test]
fn flood_gets_429_with_retry_after() {
    let w = World::new(Backend::Sqlite);
    let rate = RateLimit {
        per_second: NonZeroU32::new(1).unwrap(),
        burst: NonZeroU32::new(5).unwrap(),
    };
    let h = w.start_platform_limited(&shop_policy(), Limits::default().rate_limit(Some(rate)));
    let url = format!("{}/v1/requests", h.base_url());
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..30 {
        let (s, ct, v, r) = call_with("POST", &url, &[], Some("{}"));
        if s == 429 {
            limited = Some((
                s,
                ct.clone(),
                v.clone(),
                r.header("retry-after").map(str::to_owned),
            ));
        }
        statuses.push(s);
    }
    let ok = statuses.iter().filter(|s| **s == 200).count();
    // The burst, plus at most a few refilled while the flood ran.
    assert!((5..=8).contains(&ok), "{statuses:?}");
    assert!(statuses[..5].iter().all(|s| *s == 200), "{statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 429),
        "{statuses:?}"
    );
    let (s, ct, v, retry) = limited.unwrap();
    assert_problem((s, ct, v), 429, "rate-limited");
    assert_eq!(retry.as_deref(), Some("1"));
    // Unlimited routes are not counted.
    let (s, _) = get(&format!("{}/v1/policy", h.base_url()));
    assert_eq!(s, 200);
    // After the advertised delay the client is served again.
    std::thread::sleep(Duration::from_millis(1100));
    let (s, _, v, _) = call_with("POST", &url, &[], Some("{}"));
    assert_eq!(s, 200, "{v}");
    w.rt.block_on(h.shutdown()).unwrap();
    w.shutdown();
}

/// A flood of request creations from one client (API.md § Limits): at most `cap` open
/// requests are stored, the rest answered 429 `too-many-open-requests`; a verified one frees
/// its slot.
fn open_requests_bounded(backend: Backend) {
    let w = World::new(backend);
    let cap = 16;
    let limits = Limits::default()
        .rate_limit(None)
        .max_outstanding_per_client(cap);
    let h = w.start_platform_limited(&shop_policy(), limits);
    let url = format!("{}/v1/requests", h.base_url());
    let mut first = None;
    let (mut ok, mut refused) = (0, 0);
    for _ in 0..300 {
        let (s, ct, v, r) = call_with("POST", &url, &[], Some("{}"));
        match s {
            200 => {
                ok += 1;
                first.get_or_insert(v);
            }
            _ => {
                assert_problem((s, ct, v), 429, "too-many-open-requests");
                // The shop policy's validity: a slot frees at the latest then.
                assert_eq!(r.header("retry-after"), Some("120"));
                refused += 1;
            }
        }
    }
    assert_eq!((ok, refused), (cap, 300 - cap));
    let store = &w.platform_store;
    assert_eq!(
        w.rt.block_on(store.request_counts()).unwrap(),
        (u64::from(cap), u64::from(cap))
    );
    // Sign in with the first request: its slot is free again, and only one.
    // A Shanghai resident, as in tests/e2e.rs (the fixture's citizens satisfy both policies).
    let citizen = w
        .citizens
        .iter()
        .find(|c| c.attributes["region"].as_str().unwrap().starts_with("31"))
        .unwrap();
    let alice = enroll(&w, &w.code_for(&citizen.citizen_id));
    let req =
        netnym::PresentationRequest::from_json(first.unwrap()["request"].to_string().as_bytes())
            .unwrap();
    let (s, v) = post_json(
        &format!("{}/v1/verify", h.base_url()),
        &verify_body(&present(&w, &alice, &req)),
    );
    assert_eq!(s, 200, "{v}");
    let statuses: Vec<u16> = (0..2)
        .map(|_| call_with("POST", &url, &[], Some("{}")).0)
        .collect();
    assert_eq!(statuses, [200, 429]);
    w.rt.block_on(h.shutdown()).unwrap();
    w.shutdown();
}

#[test]
fn open_requests_bounded_sqlite() {
    open_requests_bounded(Backend::Sqlite);
}

#[test]
fn open_requests_bounded_postgres() {
    if pg_url().is_some() {
        open_requests_bounded(Backend::Postgres);
    }
}
