//! End-to-end over real HTTP on loopback: enrollment, login, re-login, second platform,
//! replay, expiry, revocation, bad bodies, OpenAPI. The main flow runs on SQLite and, when
//! `NETNYM_TEST_PG_URL` is set, on PostgreSQL.

#![allow(clippy::unwrap_used)]
// Threads are all spawned before any is joined.
#![allow(clippy::needless_collect)]

#[path = "support/world.rs"]
mod common;
#[path = "support/prom.rs"]
mod prom;

use std::sync::atomic::Ordering;

use common::*;
use netnym_store::*;
use serde_json::Value;

fn shanghai(w: &World) -> Vec<String> {
    w.citizens
        .iter()
        .filter(|c| c.attributes["region"].as_str().unwrap().starts_with("31"))
        .map(|c| c.citizen_id.clone())
        .collect()
}

fn full_flow(backend: Backend) {
    let w = World::new(backend);
    let sh = shanghai(&w);
    assert!(
        sh.len() >= 2,
        "fixture needs two Shanghai residents: {sh:?}"
    );

    // Enrollment.
    let code_a = w.code_for(&sh[0]);
    let mut alice = enroll(&w, &code_a);
    let mut bob = enroll(&w, &w.code_for(&sh[1]));
    assert_ne!(alice.revocation_id, bob.revocation_id);
    assert_eq!(
        w.rt.block_on(w.authority_store.issued_credential_count())
            .unwrap(),
        2
    );
    // The same code again: refused at both steps, nothing issued.
    let (s, _, v) = call(
        "POST",
        &format!("{}/v1/enroll/offer", w.authority_url()),
        Some("application/json"),
        Some(&serde_json::json!({ "code": code_a }).to_string()),
    );
    assert_problem(
        (s, "application/problem+json".into(), v),
        409,
        "enrollment-code-used",
    );
    assert_eq!(
        w.rt.block_on(w.authority_store.issued_credential_count())
            .unwrap(),
        2
    );

    // Login, re-login (same account), second platform (different pseudonym).
    let first = login(&w, &alice, &w.shop_url());
    assert_eq!(first["account"]["new_account"], true);
    assert_eq!(first["claims"]["verifier_id"], SHOP);
    let region = &first["claims"]["credentials"][0]["disclosed"]["region"];
    assert_eq!(region.as_str().unwrap(), w.citizen_region(&sh[0]));
    let again = login(&w, &alice, &w.shop_url());
    assert_eq!(
        again["account"]["account_id"],
        first["account"]["account_id"]
    );
    assert_eq!(again["account"]["new_account"], false);
    assert_eq!(again["account"]["login_count"], 2);
    assert_eq!(again["pseudonym"], first["pseudonym"]);
    let rail = login(&w, &alice, &w.rail_url());
    assert_eq!(rail["account"]["new_account"], true);
    assert_ne!(rail["pseudonym"], first["pseudonym"]);
    assert_eq!(
        rail["claims"]["credentials"][0]["disclosed"],
        serde_json::json!({})
    );
    let bob_shop = login(&w, &bob, &w.shop_url());
    assert_ne!(bob_shop["pseudonym"], first["pseudonym"]);
    assert_ne!(
        bob_shop["account"]["account_id"],
        first["account"]["account_id"]
    );

    // Replay: the same presentation twice.
    let (req, _) = new_request(&w.shop_url());
    let p = present(&w, &alice, &req);
    let url = format!("{}/v1/verify", w.shop_url());
    assert_eq!(post_json(&url, &verify_body(&p)).0, 200);
    let replay = call(
        "POST",
        &url,
        Some("application/json"),
        Some(&verify_body(&p)),
    );
    assert_problem(replay, 409, "nonce-replayed");
    // Concurrent submissions of one presentation: exactly one wins.
    let (req, _) = new_request(&w.shop_url());
    let p = std::sync::Arc::new(present(&w, &alice, &req));
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
    let racers: Vec<_> = (0..4)
        .map(|_| {
            let (p, url, barrier) = (p.clone(), url.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let (s, _, v) = call(
                    "POST",
                    &url,
                    Some("application/json"),
                    Some(&verify_body(&p)),
                );
                (s, v["code"].as_str().map(str::to_owned))
            })
        })
        .collect();
    let mut outcomes: Vec<_> = racers.into_iter().map(|r| r.join().unwrap()).collect();
    outcomes.sort();
    assert_eq!(outcomes[0], (200, None), "{outcomes:?}");
    assert!(
        outcomes[1..]
            .iter()
            .all(|o| *o == (409, Some("nonce-replayed".to_owned()))),
        "{outcomes:?}"
    );
    // A presentation for the shop is not accepted by the rail platform (same database).
    let (req, _) = new_request(&w.shop_url());
    let p = present(&w, &alice, &req);
    let other = call(
        "POST",
        &format!("{}/v1/verify", w.rail_url()),
        Some("application/json"),
        Some(&verify_body(&p)),
    );
    assert_problem(other, 404, "unknown-request");

    // Expired request: nothing stored, the account is untouched.
    let logins = w.rt.block_on(w.platform_store.account_count(SHOP)).unwrap();
    let (req, _) = new_request(&w.shop_url());
    let p = present(&w, &alice, &req);
    w.skew.store(121, Ordering::SeqCst);
    let late = call(
        "POST",
        &url,
        Some("application/json"),
        Some(&verify_body(&p)),
    );
    assert_problem(late, 410, "request-expired");
    w.skew.store(0, Ordering::SeqCst);
    assert_eq!(
        w.rt.block_on(w.platform_store.account_count(SHOP)).unwrap(),
        logins
    );

    // Revocation: unauthorised first, then bob.
    let revoke_url = format!("{}/v1/revoke", w.authority_url());
    let body = format!(r#"{{"citizen_id": "{}"}}"#, sh[1]);
    let bad = ureq::post(&revoke_url)
        .set("Content-Type", "application/json")
        .set("Authorization", "Bearer wrong-token-0123456789")
        .send_string(&body);
    match bad {
        Err(ureq::Error::Status(401, r)) => {
            let v: Value = serde_json::from_str(&r.into_string().unwrap()).unwrap();
            assert_eq!(v["code"], "unauthorized");
        }
        other => panic!("expected 401, got {other:?}"),
    }
    assert_eq!(w.rt.block_on(w.authority_store.revoked_count()).unwrap(), 0);
    // A request made before the revocation (window: epoch 0), answered after it.
    let (old_req, _) = new_request(&w.shop_url());
    let r: Value = ureq::post(&revoke_url)
        .set("Content-Type", "application/json")
        .set("Authorization", &format!("Bearer {ADMIN}"))
        .send_string(&body)
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(r["epoch"], 1);
    assert_eq!(r["revoked"], serde_json::json!([bob.revocation_id]));
    // Durable before acknowledged: the store has it.
    assert!(w
        .rt
        .block_on(w.authority_store.is_revoked(bob.revocation_id))
        .unwrap());
    // Idempotent.
    let r2: Value = ureq::post(&revoke_url)
        .set("Content-Type", "application/json")
        .set("Authorization", &format!("Bearer {ADMIN}"))
        .send_string(&body)
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(r2["epoch"], 1);
    assert_eq!(
        r2["already_revoked"],
        serde_json::json!([bob.revocation_id])
    );
    let (s, v) = get(&format!("{}/v1/epochs?from=1", w.authority_url()));
    assert_eq!((s, v["latest"].as_u64()), (200, Some(1)));
    assert_eq!(
        v["epochs"][0]["entry"]["revoked"],
        serde_json::json!([bob.revocation_id])
    );

    // Bob cannot update his witness, and his stale proof is refused for a new request.
    assert!(matches!(
        update_witness(&w, &mut bob),
        Err(netnym::RevocationError::Revoked(_))
    ));
    let (fresh, fresh_json) = new_request(&w.shop_url());
    let nr = fresh.credentials()[0].non_revoked().unwrap();
    assert_eq!((nr.min_epoch, nr.max_epoch), (1, 1));
    // He answers the new nonce with a request copy widened to his epoch-0 witness.
    let mut forged = fresh_json["request"].clone();
    forged["credentials"][0]["non_revoked"]["min_epoch"] = 0.into();
    forged["credentials"][0]["non_revoked"]["max_epoch"] = 0.into();
    let forged = netnym::PresentationRequest::from_json(forged.to_string().as_bytes()).unwrap();
    let p = present(&w, &bob, &forged);
    let refused = call(
        "POST",
        &url,
        Some("application/json"),
        Some(&verify_body(&p)),
    );
    assert_problem(refused, 422, "invalid-presentation");
    // The old request (epoch 0 window) still verifies until it expires: the bounded staleness
    // a verifier accepts by its request validity.
    let p = present(&w, &bob, &old_req);
    assert_eq!(post_json(&url, &verify_body(&p)).0, 200);
    // Alice updates her witness and logs in as before.
    update_witness(&w, &mut alice).unwrap();
    let after = login(&w, &alice, &w.shop_url());
    assert_eq!(
        after["account"]["account_id"],
        first["account"]["account_id"]
    );

    // Batch: one good, one replayed, one garbage.
    let (req, _) = new_request(&w.rail_url());
    let good = present(&w, &alice, &req);
    let batch = format!(r#"{{"presentations": [{good}, {good}, {{"type": "x"}}]}}"#);
    let (s, v) = post_json(&format!("{}/v1/verify/batch", w.rail_url()), &batch);
    assert_eq!(s, 200, "{v}");
    let res = v["results"].as_array().unwrap();
    assert_eq!(res[0]["ok"], true);
    assert_eq!(res[0]["result"]["account"]["login_count"], 2);
    assert_eq!(res[1]["ok"], false);
    assert_eq!(res[1]["problem"]["code"], "nonce-replayed");
    assert_eq!(res[2]["problem"]["code"], "malformed");
    w.shutdown();
}

#[test]
fn full_flow_sqlite() {
    full_flow(Backend::Sqlite);
}

#[test]
fn full_flow_postgres() {
    if pg_url().is_some() {
        full_flow(Backend::Postgres);
    }
}

#[test]
fn bad_bodies_get_problem_documents_and_store_nothing() {
    let w = World::new(Backend::Sqlite);
    let a = w.authority_url();
    let s = w.shop_url();
    let big = format!(r#"{{"presentation": "{}"}}"#, "a".repeat(70 * 1024));
    for url in [
        format!("{s}/v1/requests"),
        format!("{s}/v1/verify"),
        format!("{s}/v1/verify/batch"),
        format!("{a}/v1/enroll/offer"),
        format!("{a}/v1/enroll/finish"),
    ] {
        assert_problem(
            call("POST", &url, Some("text/plain"), Some("{}")),
            415,
            "unsupported-media-type",
        );
        assert_problem(
            call("POST", &url, None, Some("{}")),
            415,
            "unsupported-media-type",
        );
        assert_problem(
            call("POST", &url, Some("application/json"), Some("{not json")),
            400,
            "malformed",
        );
        assert_problem(
            call(
                "POST",
                &url,
                Some("application/json"),
                Some(r#"{"unexpected": 1}"#),
            ),
            400,
            "malformed",
        );
        let limit_case = if url.ends_with("/batch") {
            format!(r#"{{"presentations": ["{}"]}}"#, "a".repeat(1100 * 1024))
        } else {
            big.clone()
        };
        assert_problem(
            call("POST", &url, Some("application/json"), Some(&limit_case)),
            413,
            "payload-too-large",
        );
    }
    // A charset parameter is fine.
    let (st, _, _) = call(
        "POST",
        &format!("{s}/v1/requests"),
        Some("application/json; charset=utf-8"),
        Some("{}"),
    );
    assert_eq!(st, 200);
    // Presentations that do not decode, or answer no request.
    let url = format!("{s}/v1/verify");
    assert_problem(
        call(
            "POST",
            &url,
            Some("application/json"),
            Some(r#"{"presentation": {"type": "netnym-presentation", "version": 1}}"#),
        ),
        400,
        "malformed",
    );
    let sh = w.citizens[0].citizen_id.clone();
    let h = enroll(&w, &w.code_for(&sh));
    let (req, _) = new_request(&s);
    let p = present(&w, &h, &req);
    // Tamper with the nonce: decodes, but no such request.
    let mut v: Value = serde_json::from_str(&p).unwrap();
    v["nonce"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into();
    assert_problem(
        call(
            "POST",
            &url,
            Some("application/json"),
            Some(&verify_body(&v.to_string())),
        ),
        404,
        "unknown-request",
    );
    // Tamper with a disclosed value: invalid, and the request stays open.
    let mut v: Value = serde_json::from_str(&p).unwrap();
    v["credentials"][0]["disclosed"]["region"] = "110105".into();
    assert_problem(
        call(
            "POST",
            &url,
            Some("application/json"),
            Some(&verify_body(&v.to_string())),
        ),
        422,
        "invalid-presentation",
    );
    assert_eq!(
        w.rt.block_on(w.platform_store.account_count(SHOP)).unwrap(),
        0
    );
    assert!(w
        .rt
        .block_on(w.platform_store.request(req.nonce()))
        .unwrap()
        .unwrap()
        .consumed_at
        .is_none());
    assert_eq!(post_json(&url, &verify_body(&p)).0, 200);

    // Enrollment errors.
    let offer = format!("{a}/v1/enroll/offer");
    assert_problem(
        call(
            "POST",
            &offer,
            Some("application/json"),
            Some(r#"{"code": "nope"}"#),
        ),
        400,
        "malformed",
    );
    assert_problem(
        call(
            "POST",
            &offer,
            Some("application/json"),
            Some(r#"{"code": "AAAA-AAAA-AAAA-AAAA"}"#),
        ),
        404,
        "enrollment-code-unknown",
    );
    let code = w.code_for(&sh);
    let finish = format!("{a}/v1/enroll/finish");
    let fake = format!(r#"{{"code": "{code}", "request": {{"type": "netnym-issuance-request"}}}}"#);
    assert_problem(
        call("POST", &finish, Some("application/json"), Some(&fake)),
        400,
        "malformed",
    );
    assert_eq!(
        w.rt.block_on(w.authority_store.issued_credential_count())
            .unwrap(),
        1
    );
    // An expired code.
    let mut rng = <rand_chacha::ChaCha20Rng as rand::SeedableRng>::from_entropy();
    let old =
        w.rt.block_on(netnym_server::create_enrollment_code(
            &w.authority_store,
            &mut rng,
            &sh,
            unix_now() - 100,
            10,
        ))
        .unwrap();
    assert_problem(
        call(
            "POST",
            &offer,
            Some("application/json"),
            Some(&format!(r#"{{"code": "{}"}}"#, old.expose())),
        ),
        410,
        "enrollment-code-expired",
    );
    // Revocation: no token, malformed, unknown id.
    let revoke = format!("{a}/v1/revoke");
    assert_problem(
        call(
            "POST",
            &revoke,
            Some("application/json"),
            Some(r#"{"revocation_ids": [1]}"#),
        ),
        401,
        "unauthorized",
    );
    let auth = |body: &str| {
        let r = ureq::post(&revoke)
            .set("Content-Type", "application/json")
            .set("Authorization", &format!("Bearer {ADMIN}"))
            .send_string(body);
        let r = match r {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        let (st, ct) = (
            r.status(),
            r.header("content-type").unwrap_or("").to_owned(),
        );
        (
            st,
            ct,
            serde_json::from_str::<Value>(&r.into_string().unwrap()).unwrap(),
        )
    };
    assert_problem(
        auth(r#"{"revocation_ids": [1], "citizen_id": "C1"}"#),
        400,
        "malformed",
    );
    assert_problem(auth(r#"{"revocation_ids": []}"#), 400, "malformed");
    assert_problem(
        auth(r#"{"revocation_ids": [999]}"#),
        404,
        "unknown-revocation-id",
    );
    assert_eq!(
        w.rt.block_on(w.authority_store.latest_epoch()).unwrap(),
        Some(0)
    );
    // Unknown routes and methods.
    assert_problem(
        call("GET", &format!("{a}/v1/nothing"), None, None),
        404,
        "not-found",
    );
    assert_problem(
        call("GET", &format!("{s}/v1/verify"), None, None),
        405,
        "method-not-allowed",
    );
    assert_problem(
        call("GET", &format!("{a}/v1/epochs?from=-1"), None, None),
        400,
        "malformed",
    );
    w.shutdown();
}

/// Every route the services answer is in their OpenAPI document, and nothing else is.
#[test]
fn openapi_documents_list_every_route() {
    let w = World::new(Backend::Sqlite);
    let cases = [
        (
            w.authority_url(),
            vec![
                ("get", "/v1/params"),
                ("get", "/v1/issuer-keys"),
                ("post", "/v1/enroll/offer"),
                ("post", "/v1/enroll/finish"),
                ("post", "/v1/revoke"),
                ("get", "/v1/epochs"),
                ("get", "/v1/log/checkpoint"),
                ("get", "/v1/log/key"),
                ("get", "/v1/log/entries"),
                ("get", "/v1/log/proof/inclusion"),
                ("get", "/v1/log/proof/consistency"),
                ("get", "/v1/health"),
                ("get", "/v1/ready"),
                ("get", "/metrics"),
                ("get", "/openapi.json"),
            ],
        ),
        (
            w.shop_url(),
            vec![
                ("get", "/v1/policy"),
                ("post", "/v1/requests"),
                ("post", "/v1/verify"),
                ("post", "/v1/verify/batch"),
                ("get", "/v1/health"),
                ("get", "/v1/ready"),
                ("get", "/metrics"),
                ("get", "/openapi.json"),
            ],
        ),
    ];
    for (base, routes) in cases {
        let (s, doc) = get(&format!("{base}/openapi.json"));
        assert_eq!(s, 200);
        assert_eq!(doc["openapi"], "3.0.3");
        let paths = doc["paths"].as_object().unwrap();
        let mut documented: Vec<(String, String)> = paths
            .iter()
            .flat_map(|(p, ops)| {
                ops.as_object()
                    .unwrap()
                    .keys()
                    .map(move |m| (m.clone(), p.clone()))
            })
            .collect();
        documented.sort();
        let mut expected: Vec<(String, String)> = routes
            .iter()
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        expected.sort();
        assert_eq!(documented, expected);
        // And each documented route exists (a wrong method or path would be 404/405).
        for (m, p) in &expected {
            let (st, _, v) = call(
                &m.to_uppercase(),
                &format!("{base}{p}"),
                Some("application/json"),
                (m == "post").then_some("{}"),
            );
            assert!(st != 404 && st != 405, "{m} {p}: {st} {v}");
        }
    }
    let (s, params) = get(&format!("{}/v1/params", w.authority_url()));
    assert_eq!(s, 200);
    assert_eq!(params["schema"]["id"], "cn-network-id/v1");
    assert_eq!(params["revocation"]["latest_epoch"], 0);
    assert!(netnym::RangeParams::from_json(params["range_params"].to_string().as_bytes()).is_ok());
    assert!(netnym::RegistryPublicKey::from_json(
        params["revocation"]["registry_public_key"]
            .to_string()
            .as_bytes()
    )
    .is_ok());
    let (s, pol) = get(&format!("{}/v1/policy", w.shop_url()));
    assert_eq!((s, pol["verifier_id"].as_str()), (200, Some(SHOP)));
    w.shutdown();
}

/// A TCP relay to PostgreSQL that the test can cut, to take "the database" down.
struct Relay {
    port: u16,
    down: std::sync::Arc<std::sync::atomic::AtomicBool>,
    conns: std::sync::Arc<std::sync::Mutex<Vec<std::net::TcpStream>>>,
}

impl Relay {
    fn start(target: String) -> Self {
        use std::sync::atomic::AtomicBool;
        use std::sync::{Arc, Mutex};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let down = Arc::new(AtomicBool::new(false));
        let conns: Arc<Mutex<Vec<std::net::TcpStream>>> = Arc::new(Mutex::new(Vec::new()));
        let (d, c) = (down.clone(), conns.clone());
        std::thread::spawn(move || {
            while !d.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).unwrap();
                        let Ok(server) = std::net::TcpStream::connect(&target) else {
                            continue;
                        };
                        let mut conns = c.lock().unwrap();
                        conns.push(client.try_clone().unwrap());
                        conns.push(server.try_clone().unwrap());
                        for (mut from, mut to) in [
                            (client.try_clone().unwrap(), server.try_clone().unwrap()),
                            (server, client),
                        ] {
                            std::thread::spawn(move || {
                                let _ = std::io::copy(&mut from, &mut to);
                                let _ = to.shutdown(std::net::Shutdown::Both);
                            });
                        }
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(5)),
                }
            }
        });
        Self { port, down, conns }
    }

    /// Stop accepting and cut every relayed connection.
    fn cut(&self) {
        self.down.store(true, Ordering::SeqCst);
        for c in self.conns.lock().unwrap().drain(..) {
            let _ = c.shutdown(std::net::Shutdown::Both);
        }
    }
}

#[test]
fn database_down_is_503_and_leaves_nothing_half_done() {
    let Some(url) = pg_url() else { return };
    let port = url
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix("port="))
        .expect("NETNYM_TEST_PG_URL in key=value form with port=");
    let relay = Relay::start(format!("127.0.0.1:{port}"));
    let relayed = url.replace(&format!("port={port}"), &format!("port={}", relay.port));
    let schema = format!("e2e_down_{}", std::process::id());
    let _guard = PgSchemaGuard::new(&url, &schema);
    let w = World::new(Backend::Sqlite);
    // A short wait for a connection: the cut relay accepts nothing, and each call below waits
    // this long before its 503.
    let options = StoreOptions::default().with_acquire_timeout(std::time::Duration::from_secs(2));
    let store =
        w.rt.block_on(Store::connect_postgres_in_schema(
            &relayed, &schema, &options,
        ))
        .unwrap();
    let platform = w.start_platform_on(&shop_policy(), true, store);
    let base = platform.base_url();
    let h = enroll(&w, &w.code_for(&w.citizens[0].citizen_id));
    let (req, _) = new_request(&base);
    let p = present(&w, &h, &req);
    assert_eq!(get(&format!("{base}/v1/health")).0, 200);

    relay.cut();
    let health = call("GET", &format!("{base}/v1/health"), None, None);
    assert_problem(health, 503, "service-unavailable");
    assert_problem(
        call(
            "POST",
            &format!("{base}/v1/requests"),
            Some("application/json"),
            Some("{}"),
        ),
        503,
        "service-unavailable",
    );
    assert_problem(
        call(
            "POST",
            &format!("{base}/v1/verify"),
            Some("application/json"),
            Some(&verify_body(&p)),
        ),
        503,
        "service-unavailable",
    );
    // Not ready, and the outage is counted (health, requests and verify each met it).
    assert_problem(
        call("GET", &format!("{base}/v1/ready"), None, None),
        503,
        "not-ready",
    );
    let text = ureq::get(&format!("{base}/metrics"))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    let m = prom::parse(&text).unwrap();
    let unavailable = m.one("netnym_database_errors_total", &[("kind", "unavailable")]);
    assert!(unavailable >= 4.0, "{text}");
    // The request is still open in the database (nothing half-consumed).
    let direct =
        w.rt.block_on(Store::connect_postgres_in_schema(
            &url,
            &schema,
            &StoreOptions::default(),
        ))
        .unwrap();
    let stored = w.rt.block_on(direct.request(req.nonce())).unwrap().unwrap();
    assert!(stored.consumed_at.is_none());
    assert_eq!(w.rt.block_on(direct.account_count(SHOP)).unwrap(), 0);
    w.rt.block_on(platform.shutdown()).unwrap();
    w.shutdown();
}

/// Several holders race to finish one enrollment code (same offer): one credential is issued.
#[test]
fn enrollment_code_finishes_once_under_concurrency() {
    use netnym::{BlindIssuanceRequest, IssuanceOffer, LinkSecret};
    use rand::SeedableRng;
    let w = World::new(Backend::Sqlite);
    let code = w.code_for(&w.citizens[2].citizen_id);
    let (s, v) = post_json(
        &format!("{}/v1/enroll/offer", w.authority_url()),
        &serde_json::json!({ "code": code }).to_string(),
    );
    assert_eq!(s, 200);
    let offer = IssuanceOffer::from_json(v["offer"].to_string().as_bytes()).unwrap();
    let url = format!("{}/v1/enroll/finish", w.authority_url());
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
    let racers: Vec<_> = (0..4u64)
        .map(|i| {
            let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(i);
            let ls = LinkSecret::generate(&mut rng);
            let (req, _) = BlindIssuanceRequest::new(&mut rng, &w.pk, &offer, &ls).unwrap();
            let body = format!(
                r#"{{"code": "{code}", "request": {}}}"#,
                String::from_utf8(req.to_json()).unwrap()
            );
            let (url, barrier) = (url.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let (s, _, v) = call("POST", &url, Some("application/json"), Some(&body));
                (s, v["code"].as_str().map(str::to_owned))
            })
        })
        .collect();
    let mut outcomes: Vec<_> = racers.into_iter().map(|r| r.join().unwrap()).collect();
    outcomes.sort();
    assert_eq!(outcomes[0], (200, None), "{outcomes:?}");
    assert!(
        outcomes[1..]
            .iter()
            .all(|o| *o == (409, Some("enrollment-code-used".to_owned()))),
        "{outcomes:?}"
    );
    assert_eq!(
        w.rt.block_on(w.authority_store.issued_credential_count())
            .unwrap(),
        1
    );
    w.shutdown();
}
