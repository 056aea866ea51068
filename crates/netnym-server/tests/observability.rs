//! Operations surface of both services (issue 12; API.md § Operations): `GET /metrics` parses
//! strictly as the text exposition format and its counters move with the traffic; request ids
//! are returned (a client's well-formed id kept, any other replaced); `GET /v1/ready` checks
//! the database and the epoch log while `GET /v1/health` stays liveness.

#![allow(clippy::unwrap_used)]

#[path = "support/world.rs"]
mod common;
#[path = "support/prom.rs"]
mod prom;

use std::net::SocketAddr;
use std::sync::Arc;

use common::*;
use netnym::EpochEntry;
use netnym_server::*;
use prom::Exposition;

fn scrape(base: &str) -> Exposition {
    let resp = ureq::get(&format!("{base}/metrics")).call().unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.header("content-type"), Some(METRICS_CONTENT_TYPE));
    let text = resp.into_string().unwrap();
    prom::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

const REQ: &str = "netnym_http_requests_total";

#[test]
fn metrics_parse_and_move_with_the_traffic() {
    let w = World::new(Backend::Sqlite);
    let shop = w.shop_url();
    let before = scrape(&shop);
    // Labelled families appear with their first series; the others from the start.
    for family in [
        "netnym_verify_batch_size",
        "netnym_verifier_latest_epoch",
        "netnym_verifier_epoch_age_seconds",
        "netnym_verifier_epoch_log_sync_age_seconds",
    ] {
        assert!(before.families.contains_key(family), "{family} missing");
    }
    let verify_ok = [
        ("route", "/v1/verify"),
        ("method", "POST"),
        ("status", "200"),
    ];
    assert_eq!(before.sum(REQ, &verify_ok), 0.0);

    // One login: a request, an accepted verification.
    let alice = enroll(&w, &w.code_for(&w.citizens[0].citizen_id));
    login(&w, &alice, &shop);
    // A presentation whose disclosed region was changed: refused by the core's checks.
    let (req, _) = new_request(&shop);
    let p = present(&w, &alice, &req);
    let region = w.citizen_region(&w.citizens[0].citizen_id);
    let other = if region == "310101" {
        "310104"
    } else {
        "310101"
    };
    let forged = p.replace(&format!("\"{region}\""), &format!("\"{other}\""));
    assert_ne!(forged, p, "the presentation discloses the region");
    let (s, v) = post_json(&format!("{shop}/v1/verify"), &verify_body(&forged));
    assert_eq!((s, v["code"].as_str()), (422, Some("invalid-presentation")));
    // A batch of two: the genuine presentation (accepted), then the forged one for the same
    // nonce (now replayed: rejected).
    let batch = format!(r#"{{"presentations": [{p}, {forged}]}}"#);
    let (s, v) = post_json(&format!("{shop}/v1/verify/batch"), &batch);
    assert_eq!(s, 200, "{v}");
    // An unknown route.
    assert_eq!(get(&format!("{shop}/no/such/route")).0, 404);

    let after = scrape(&shop);
    for family in [
        "netnym_http_requests",
        "netnym_http_request_duration_seconds",
        "netnym_verification_duration_seconds",
    ] {
        assert!(after.families.contains_key(family), "{family} missing");
    }
    // (netnym_database_errors appears with the first error: tests/e2e.rs, database down.)
    assert!(!after.families.contains_key("netnym_database_errors"));
    assert_eq!(after.sum(REQ, &verify_ok), 1.0);
    assert_eq!(
        after.sum(
            REQ,
            &[
                ("route", "/v1/verify"),
                ("method", "POST"),
                ("status", "422")
            ]
        ),
        1.0
    );
    assert_eq!(
        after.sum(
            REQ,
            &[
                ("route", "/v1/requests"),
                ("method", "POST"),
                ("status", "200")
            ]
        ),
        2.0
    );
    assert_eq!(
        after.sum(REQ, &[("route", "unmatched"), ("status", "404")]),
        1.0
    );
    // The first scrape is counted by the second.
    assert_eq!(
        after.sum(REQ, &[("route", "/metrics"), ("status", "200")]),
        1.0
    );
    let accepted = [("outcome", "accepted")];
    let rejected = [("outcome", "rejected")];
    let count = "netnym_verification_duration_seconds_count";
    assert_eq!(after.one(count, &accepted), 2.0);
    assert_eq!(after.one(count, &rejected), 2.0);
    assert!(after.one("netnym_verification_duration_seconds_sum", &accepted) > 0.0);
    assert_eq!(after.one("netnym_verify_batch_size_count", &[]), 1.0);
    assert_eq!(after.one("netnym_verify_batch_size_sum", &[]), 2.0);
    assert_eq!(
        after.one("netnym_verify_batch_size_bucket", &[("le", "1.0")]),
        0.0
    );
    assert_eq!(
        after.one("netnym_verify_batch_size_bucket", &[("le", "2.0")]),
        1.0
    );
    let d = "netnym_http_request_duration_seconds_count";
    assert_eq!(after.one(d, &[("route", "/v1/verify")]), 2.0);
    // Epoch freshness: the genesis epoch, published moments ago, read moments ago.
    assert_eq!(after.one("netnym_verifier_latest_epoch", &[]), 0.0);
    let age = after.one("netnym_verifier_epoch_age_seconds", &[]);
    assert!((0.0..600.0).contains(&age), "{age}");
    let sync = after.one("netnym_verifier_epoch_log_sync_age_seconds", &[]);
    assert!((0.0..600.0).contains(&sync), "{sync}");

    // The authority: its epoch log's head moves with a revocation.
    let auth = w.authority_url();
    let a = scrape(&auth);
    assert_eq!(a.one("netnym_authority_latest_epoch", &[]), 0.0);
    assert!(a.one("netnym_authority_latest_epoch_age_seconds", &[]) >= 0.0);
    let (s, _, v) = revoke(&auth, r#"{"revocation_ids": [3]}"#);
    assert_eq!(s, 200, "{v}");
    let a = scrape(&auth);
    assert_eq!(a.one("netnym_authority_latest_epoch", &[]), 1.0);
    assert_eq!(
        a.sum(
            REQ,
            &[
                ("route", "/v1/enroll/finish"),
                ("method", "POST"),
                ("status", "200")
            ]
        ),
        1.0
    );
    assert_eq!(
        a.sum(
            REQ,
            &[
                ("route", "/v1/revoke"),
                ("method", "POST"),
                ("status", "200")
            ]
        ),
        1.0
    );
    // The verifier learns epoch 1 at its next request.
    new_request(&shop);
    let after = scrape(&shop);
    assert_eq!(after.one("netnym_verifier_latest_epoch", &[]), 1.0);
    w.shutdown();
}

fn revoke(base: &str, body: &str) -> (u16, String, serde_json::Value) {
    let resp = ureq::post(&format!("{base}/v1/revoke"))
        .set("Content-Type", "application/json")
        .set("Authorization", &format!("Bearer {ADMIN}"))
        .send_string(body);
    match resp {
        Ok(r) | Err(ureq::Error::Status(_, r)) => {
            let (s, ct) = (
                r.status(),
                r.header("content-type").unwrap_or("").to_owned(),
            );
            (s, ct, r.into_json().unwrap())
        }
        Err(e) => panic!("{e}"),
    }
}

fn request_id(base: &str, sent: Option<&str>) -> String {
    let mut r = ureq::get(&format!("{base}/v1/health"));
    if let Some(id) = sent {
        r = r.set("X-Request-Id", id);
    }
    let resp = r.call().unwrap();
    resp.header(REQUEST_ID_HEADER).unwrap().to_owned()
}

fn is_generated(id: &str) -> bool {
    id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

#[test]
fn every_response_carries_a_request_id() {
    let w = World::new(Backend::Sqlite);
    for base in [w.authority_url(), w.shop_url()] {
        let a = request_id(&base, None);
        let b = request_id(&base, None);
        assert!(is_generated(&a) && is_generated(&b) && a != b, "{a} {b}");
        // A well-formed id from a proxy is kept.
        assert_eq!(
            request_id(&base, Some("edge-7:abc.DEF_1")),
            "edge-7:abc.DEF_1"
        );
        // Anything else is replaced.
        for bad in ["has space", "quote\"d", &"x".repeat(65), "a{b}"] {
            let got = request_id(&base, Some(bad));
            assert!(is_generated(&got), "{bad:?} -> {got:?}");
        }
        // Problem responses too.
        let resp = match ureq::get(&format!("{base}/nope")).call() {
            Err(ureq::Error::Status(404, r)) => r,
            other => panic!("{other:?}"),
        };
        assert!(is_generated(resp.header(REQUEST_ID_HEADER).unwrap()));
    }
    w.shutdown();
}

/// An epoch log that cannot be read.
struct Unreachable;

impl EpochSource for Unreachable {
    fn epochs_from(&self, _: u64) -> EpochFuture<'_, Result<Vec<EpochEntry>, String>> {
        Box::pin(async { Err("connection refused".to_owned()) })
    }
}

#[test]
fn ready_checks_the_database_and_the_epoch_log_health_stays_liveness() {
    let w = World::new(Backend::Sqlite);
    for base in [w.authority_url(), w.shop_url()] {
        let (s, v) = get(&format!("{base}/v1/ready"));
        assert_eq!((s, v["status"].as_str()), (200, Some("ready")), "{v}");
        assert_eq!(v["checks"]["database"], "ok");
        assert_eq!(v["checks"]["epoch_log"], "ok");
    }
    // A verifier whose policy needs non-revocation and cannot read the epoch log: alive, not
    // ready.
    let policy = Policy::parse(
        &shop_policy().replace("KEY", &w.pk.key_id().to_string()),
        true,
    )
    .unwrap()
    .validate(std::slice::from_ref(&w.pk))
    .unwrap();
    let config = VerifierConfig {
        policy,
        issuer_keys: vec![w.pk.clone()],
        revocation: Some(VerifierRevocation {
            registry: w.registry.clone(),
            epochs: Arc::new(Unreachable),
        }),
        range_params: Some(w.range.clone()),
        clock: system_clock(),
    };
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let cut_off =
        w.rt.block_on(start_verifier(addr, w.platform_store.clone(), config))
            .unwrap();
    let base = cut_off.base_url();
    assert_eq!(get(&format!("{base}/v1/health")).0, 200);
    let got = call("GET", &format!("{base}/v1/ready"), None, None);
    assert_eq!(
        got.2["detail"].as_str(),
        Some("not ready: the revocation epoch log cannot be read")
    );
    assert_problem(got, 503, "not-ready");
    let m = scrape(&base);
    assert_eq!(m.one("netnym_verifier_latest_epoch", &[]), -1.0);
    assert_eq!(m.one("netnym_verifier_epoch_age_seconds", &[]), -1.0);
    w.rt.block_on(cut_off.shutdown()).unwrap();
    w.shutdown();
}
