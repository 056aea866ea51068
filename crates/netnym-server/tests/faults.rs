//! Fault tests of the verifier service (issue 7), with the verifier as a separate process
//! (`netnym-verifier`) and logins made with the core API:
//!
//! - **PostgreSQL restarted under load**: the test runs its own cluster (`.ci/pg-start.sh` with
//!   its own port and data directory), stops it while clients keep logging in and starts it
//!   again. While it is down every answer is a clean 503 `service-unavailable` problem document
//!   (never a 500, never slower than [`BOUND`]); after the restart logins succeed again; every
//!   nonce is consumed exactly once and every acknowledged login is in the accounts.
//!   The same with `pg_ctl -m immediate` (a crash, then crash recovery), and a backend crash
//!   while the verifier's query waits on a row lock (a clean 503, then accepted once).
//! - **Authority while PostgreSQL restarts**: enrollments and revocations get clean 503s while
//!   it is down; afterwards every code was used once and every acknowledged write is stored.
//! - **Verifier SIGKILLed mid-request** (SQLite and PostgreSQL): while many verify POSTs are
//!   in flight the process is killed and restarted on the same database. Every presentation
//!   acknowledged before the kill is refused as a replay afterwards, every acknowledged account
//!   exists, no nonce is ever accepted twice, and each account's login count equals the number
//!   of its holder's nonces consumed.
//!
//! The PostgreSQL variants run when `NETNYM_TEST_PG_URL` is set (and must, with `CI=true`).

#![allow(clippy::unwrap_used, clippy::needless_collect)]

#[path = "support/cluster.rs"]
mod cluster;
#[path = "support/world.rs"]
mod common;
#[path = "support/load.rs"]
mod load;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cluster::{is_clean_503, Cluster};
use load::db::{OpenedDb, PgSession};
use load::*;
use serde_json::Value;

/// Longest a single answer may take, even while the database is down.
const BOUND: Duration = Duration::from_secs(15);

fn verifier_cmd() -> Command {
    Command::new(env!("CARGO_BIN_EXE_netnym-verifier"))
}

/// After the run: every login's nonce consumed exactly once, a repeat refused as a replay, and
/// each holder's account counts exactly its holder's logins.
fn check_consumed_once(
    fleet: &Fleet,
    verifier_url: &str,
    store: &OpenedDb,
    logins: &[Login],
    accounts: &Accounts,
) {
    let agent = agent(BOUND);
    for l in logins {
        let r = store.block(store.request(&l.nonce)).unwrap().unwrap();
        assert!(r.consumed_at.is_some(), "a login's nonce is not consumed");
        let (s, v) = send(&agent, &format!("{verifier_url}/v1/verify"), &l.body).unwrap();
        assert_eq!(
            (s, v["code"].as_str()),
            (409, Some("nonce-replayed")),
            "{v}"
        );
    }
    let accounts = accounts.snapshot();
    for (h, _) in fleet.holders.iter().enumerate() {
        let mine = logins.iter().filter(|l| l.holder == h).count() as u64;
        // A holder none of whose logins was acknowledged has nothing to check.
        let Some((id, nym)) = &accounts[h] else {
            continue;
        };
        let bytes = pseudonym_bytes(&serde_json::json!({ "pseudonym": nym }));
        let a = store
            .block(store.account(common::SHOP, &bytes))
            .unwrap()
            .unwrap_or_else(|| panic!("acknowledged account of holder {h} lost"));
        assert_eq!(a.account_id, *id);
        assert_eq!(
            a.login_count, mine,
            "holder {h}: logins counted != nonces consumed"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL restarted under load.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    /// `pg_ctl -m fast` (`.ci/pg-start.sh stop`): sessions are terminated cleanly.
    Fast,
    /// `pg_ctl -m immediate`: a crash, then crash recovery.
    Immediate,
}

#[test]
fn postgres_restart_under_load_gives_503_then_recovers_and_loses_nothing() {
    restart_under_load(Stop::Fast);
}

#[test]
fn postgres_crash_under_load_gives_503_then_recovers_and_loses_nothing() {
    restart_under_load(Stop::Immediate);
}

fn restart_under_load(stop: Stop) {
    if common::pg_url().is_none() {
        return;
    }
    let fleet = Fleet::new(4);
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start_new();
    let db = VerifierDb::fresh_pg(&cluster.url(), "fault_restart");
    let verifier = VerifierProc::spawn(verifier_cmd(), &fleet, &db, dir.path(), 0);
    let logins = make_logins(&fleet, &verifier.url, 100, 2);
    let pool = Mutex::new((0..logins.len()).rev().collect::<Vec<_>>());
    let accounts = Accounts::new(fleet.holders.len());
    let acked = AtomicUsize::new(0);
    let n503 = AtomicUsize::new(0);
    let violations = Mutex::new(Vec::<String>::new());
    // (login index, instant of the 200)
    let acks = Mutex::new(Vec::<(usize, Instant)>::new());
    let restarted_at = Mutex::new(None::<Instant>);
    let url = format!("{}/v1/verify", verifier.url);
    let start = Instant::now();

    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let agent = agent(BOUND + Duration::from_secs(5));
                loop {
                    let Some(i) = pool.lock().unwrap().pop() else {
                        break;
                    };
                    // Retry this login until it is answered with something other than 503.
                    let mut saw_503 = false;
                    loop {
                        if start.elapsed() > Duration::from_secs(90) {
                            violations.lock().unwrap().push("run exceeded 90 s".into());
                            return;
                        }
                        let t0 = Instant::now();
                        let r = send(&agent, &url, &logins[i].body);
                        if t0.elapsed() > BOUND {
                            violations
                                .lock()
                                .unwrap()
                                .push(format!("an answer took {:?}", t0.elapsed()));
                        }
                        match r {
                            Ok((200, v)) => {
                                if let Err(e) = accounts.check(logins[i].holder, &v) {
                                    violations.lock().unwrap().push(e);
                                }
                                acks.lock().unwrap().push((i, Instant::now()));
                                acked.fetch_add(1, Ordering::SeqCst);
                                break;
                            }
                            Ok((s, v)) if is_clean_503(s, &v) => {
                                saw_503 = true;
                                n503.fetch_add(1, Ordering::SeqCst);
                                std::thread::sleep(Duration::from_millis(100));
                            }
                            // The commit of an attempt answered 503 may have happened.
                            Ok((409, v)) if saw_503 && v["code"] == "nonce-replayed" => break,
                            Ok((s, v)) => {
                                violations.lock().unwrap().push(format!("status {s}: {v}"));
                                break;
                            }
                            Err(e) => {
                                violations.lock().unwrap().push(format!("transport: {e}"));
                                break;
                            }
                        }
                    }
                }
            });
        }

        // The database goes down once the load is running, and comes back.
        let t = Instant::now();
        while acked.load(Ordering::SeqCst) < 10 {
            assert!(t.elapsed() < Duration::from_secs(60), "no progress");
            std::thread::sleep(Duration::from_millis(10));
        }
        match stop {
            Stop::Fast => cluster.run(true),
            Stop::Immediate => cluster.crash(),
        }
        let down_at = Instant::now();
        let agent = agent(BOUND + Duration::from_secs(5));
        // Other routes while it is down.
        let (s, v) = send(&agent, &format!("{}/v1/requests", verifier.url), "{}").unwrap();
        assert!(is_clean_503(s, &v), "{s} {v}");
        let before = n503.load(Ordering::SeqCst);
        while n503.load(Ordering::SeqCst) < before + 8 || down_at.elapsed() < Duration::from_secs(2)
        {
            assert!(down_at.elapsed() < Duration::from_secs(30), "no 503 seen");
            std::thread::sleep(Duration::from_millis(20));
        }
        cluster.run(false);
        *restarted_at.lock().unwrap() = Some(Instant::now());
    });
    let restarted_at = restarted_at.into_inner().unwrap().unwrap();
    let violations = violations.into_inner().unwrap();
    assert!(violations.is_empty(), "{violations:#?}");
    let acks = acks.into_inner().unwrap();
    let after: Vec<_> = acks.iter().filter(|(_, t)| *t > restarted_at).collect();
    assert!(!after.is_empty(), "no login succeeded after the restart");
    let recovery = after.iter().map(|(_, t)| *t - restarted_at).min().unwrap();
    assert!(
        recovery < Duration::from_secs(30),
        "recovered after {recovery:?}"
    );
    eprintln!(
        "{stop:?} stop: {} logins acknowledged ({} after the restart, first {:?} after it); {} clean 503s",
        acks.len(),
        after.len(),
        recovery,
        n503.load(Ordering::SeqCst)
    );
    // No login acknowledged twice.
    let mut seen = std::collections::HashSet::new();
    assert!(acks.iter().all(|(i, _)| seen.insert(*i)));

    let store = db.open();
    check_consumed_once(&fleet, &verifier.url, &store, &logins, &accounts);
}

/// A PostgreSQL backend crashing while the verifier's query waits inside the database: the
/// postmaster then ends every other session with `57P02 crash_shutdown` and runs crash
/// recovery. The query is made to wait deterministically by holding the row lock that
/// `consume_request`'s `SELECT … FOR UPDATE` needs; the lock holder's backend is then
/// SIGKILLed. The waiting verify must be a clean 503, and once the database has recovered,
/// the same presentation is accepted exactly once.
#[test]
fn postgres_backend_crash_mid_query_gives_503_then_accepts_once() {
    if common::pg_url().is_none() {
        return;
    }
    let fleet = Fleet::new(1);
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start_new();
    let db = VerifierDb::fresh_pg(&cluster.url(), "fault_crash");
    let VerifierDb::Postgres { schema, .. } = &db else {
        unreachable!()
    };
    let verifier = VerifierProc::spawn(verifier_cmd(), &fleet, &db, dir.path(), 0);
    let login = make_logins(&fleet, &verifier.url, 1, 1).pop().unwrap();

    let mut holder = PgSession::connect(&cluster.url());
    let holder_pid = holder.int("SELECT pg_backend_pid()::BIGINT");
    holder.batch("BEGIN");
    let locked = holder.execute_with_bytes(
        &format!("SELECT 1 FROM {schema}.presentation_requests WHERE nonce = $1 FOR UPDATE"),
        &login.nonce,
    );
    assert_eq!(locked, 1);

    let url = format!("{}/v1/verify", verifier.url);
    let answer = std::thread::scope(|s| {
        let post = s.spawn(|| {
            let t0 = Instant::now();
            let r = send(&agent(BOUND + Duration::from_secs(5)), &url, &login.body);
            (r, t0.elapsed())
        });
        // Wait until the verifier's query is blocked on the lock.
        let mut watch = PgSession::connect(&cluster.url());
        let t = Instant::now();
        loop {
            let waiting =
                watch.int("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'");
            if waiting > 0 {
                break;
            }
            assert!(
                t.elapsed() < Duration::from_secs(30),
                "the verify never waited"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let killed = Command::new("kill")
            .args(["-9", &holder_pid.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        post.join().unwrap()
    });
    let ((status, v), took) = (answer.0.unwrap(), answer.1);
    assert!(is_clean_503(status, &v), "{status} {v}");
    assert!(took < BOUND, "{took:?}");
    drop(holder);

    // The cluster restarts by itself (restart_after_crash); the login then succeeds, once.
    let agent = agent(BOUND);
    let t = Instant::now();
    let (status, v) = loop {
        let (s, v) = send(&agent, &url, &login.body).unwrap();
        if s != 503 {
            break (s, v);
        }
        assert!(is_clean_503(s, &v), "{s} {v}");
        assert!(t.elapsed() < Duration::from_secs(30), "no recovery");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(status, 200, "{v}");
    eprintln!("recovered {:?} after the crash", t.elapsed());
    let (s, v) = send(&agent, &url, &login.body).unwrap();
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("nonce-replayed")),
        "{v}"
    );
}

/// The authority while PostgreSQL restarts: enrollments and revocations keep coming; while the
/// database is down they are clean 503s (retried by the clients); afterwards every code was
/// used exactly once (a credential record per code), every acknowledged enrollment and
/// revocation is stored, and the epoch log is gapless and equals the revoked set.
#[test]
fn postgres_restart_during_enrollments_and_revocations_loses_nothing() {
    use netnym::*;
    use rand::SeedableRng;
    const CODES: usize = 24;
    const REVOKE: std::ops::RangeInclusive<u64> = 31..=40;
    if common::pg_url().is_none() {
        return;
    }
    let cluster = Cluster::start_new();
    let schema = format!("fault_auth_{}", std::process::id());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let store = rt
        .block_on(netnym_store::Store::connect_postgres_in_schema(
            &cluster.url(),
            &schema,
            &netnym_store::StoreOptions::default(),
        ))
        .unwrap();
    let now = netnym_store::unix_now();
    let citizens = rt
        .block_on(store.import_citizens(&netnym_store::generate_citizens(3, 1, 40), now))
        .unwrap();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
    let keys = rt
        .block_on(netnym_server::AuthorityKeys::init(
            &store,
            &mut rng,
            b"pass",
            64,
            netnym_store::KdfParams::INSECURE_FAST,
        ))
        .unwrap();
    let pk = keys.issuer().public_key().clone();
    let codes: Vec<(String, String)> = citizens[..CODES]
        .iter()
        .map(|c| {
            let code = rt
                .block_on(netnym_server::create_enrollment_code(
                    &store,
                    &mut rng,
                    &c.citizen_id,
                    now,
                    3600,
                ))
                .unwrap();
            (c.citizen_id.clone(), code.expose().to_owned())
        })
        .collect();
    let config = netnym_server::AuthorityConfig {
        keys,
        admin_token: netnym_server::AdminToken::new(common::ADMIN).unwrap(),
        clock: netnym_server::system_clock(),
    };
    let server = rt
        .block_on(netnym_server::start_authority(
            "127.0.0.1:0".parse().unwrap(),
            store.clone(),
            config,
        ))
        .unwrap();
    let url = server.base_url();

    let post = |agent: &ureq::Agent, path: &str, body: &str, admin: bool| {
        let mut r = agent
            .post(&format!("{url}{path}"))
            .set("Content-Type", "application/json");
        if admin {
            r = r.set("Authorization", &format!("Bearer {}", common::ADMIN));
        }
        let resp = match r.send_string(body) {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("transport: {e}"),
        };
        let (s, ct) = (
            resp.status(),
            resp.header("content-type").unwrap_or("").to_owned(),
        );
        let v: Value = resp.into_json().unwrap_or(Value::Null);
        (s, ct, v)
    };
    let clean_503 = |s: u16, ct: &str, v: &Value| {
        s == 503 && ct == "application/problem+json" && v["code"] == "service-unavailable"
    };
    let violations = Mutex::new(Vec::<String>::new());
    let acked_enroll = Mutex::new(Vec::<String>::new());
    let acked_revoke = Mutex::new(Vec::<(u64, u64)>::new());
    let (n_ok, n503) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let agent = agent(BOUND + Duration::from_secs(5));
                let mut rng = rand_chacha::ChaCha20Rng::from_entropy();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some((citizen, code)) = codes.get(i) else {
                        break;
                    };
                    let mut saw_503 = false;
                    loop {
                        if start.elapsed() > Duration::from_secs(90) {
                            violations.lock().unwrap().push("run exceeded 90 s".into());
                            return;
                        }
                        let t0 = Instant::now();
                        let body = serde_json::json!({ "code": code }).to_string();
                        let (st, ct, v) = post(&agent, "/v1/enroll/offer", &body, false);
                        let (st, ct, v) = if st == 200 {
                            let offer = IssuanceOffer::from_json(v["offer"].to_string().as_bytes())
                                .unwrap();
                            let ls = LinkSecret::generate(&mut rng);
                            let (req, _) =
                                BlindIssuanceRequest::new(&mut rng, &pk, &offer, &ls).unwrap();
                            let body = format!(
                                r#"{{"code": "{code}", "request": {}}}"#,
                                String::from_utf8(req.to_json()).unwrap()
                            );
                            post(&agent, "/v1/enroll/finish", &body, false)
                        } else {
                            (st, ct, v)
                        };
                        if t0.elapsed() > 2 * BOUND {
                            violations
                                .lock()
                                .unwrap()
                                .push(format!("slow: {:?}", t0.elapsed()));
                        }
                        match st {
                            200 => {
                                acked_enroll.lock().unwrap().push(citizen.clone());
                                n_ok.fetch_add(1, Ordering::SeqCst);
                                break;
                            }
                            503 if clean_503(st, &ct, &v) => {
                                saw_503 = true;
                                n503.fetch_add(1, Ordering::SeqCst);
                                std::thread::sleep(Duration::from_millis(100));
                            }
                            // A finish answered 503 may have committed.
                            409 if saw_503 && v["code"] == "enrollment-code-used" => break,
                            _ => {
                                violations.lock().unwrap().push(format!("enroll: {st} {v}"));
                                break;
                            }
                        }
                    }
                }
            });
        }
        s.spawn(|| {
            let agent = agent(BOUND + Duration::from_secs(5));
            for id in REVOKE {
                loop {
                    if start.elapsed() > Duration::from_secs(90) {
                        violations.lock().unwrap().push("run exceeded 90 s".into());
                        return;
                    }
                    let body = format!(r#"{{"revocation_ids": [{id}]}}"#);
                    let (st, ct, v) = post(&agent, "/v1/revoke", &body, true);
                    match st {
                        200 => {
                            // Revocation is idempotent: a retry of a committed one is a 200
                            // with nothing new.
                            let epoch = v["epoch"].as_u64().unwrap();
                            acked_revoke.lock().unwrap().push((id, epoch));
                            n_ok.fetch_add(1, Ordering::SeqCst);
                            break;
                        }
                        503 if clean_503(st, &ct, &v) => {
                            n503.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(100));
                        }
                        _ => {
                            violations.lock().unwrap().push(format!("revoke: {st} {v}"));
                            break;
                        }
                    }
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        });
        let t = Instant::now();
        while n_ok.load(Ordering::SeqCst) < 6 {
            assert!(t.elapsed() < Duration::from_secs(60), "no progress");
            std::thread::sleep(Duration::from_millis(10));
        }
        cluster.run(true);
        let down_at = Instant::now();
        let before = n503.load(Ordering::SeqCst);
        while n503.load(Ordering::SeqCst) < before + 4 || down_at.elapsed() < Duration::from_secs(2)
        {
            assert!(down_at.elapsed() < Duration::from_secs(30), "no 503 seen");
            std::thread::sleep(Duration::from_millis(20));
        }
        cluster.run(false);
    });
    let violations = violations.into_inner().unwrap();
    assert!(violations.is_empty(), "{violations:#?}");
    let (acked_enroll, acked_revoke) = (
        acked_enroll.into_inner().unwrap(),
        acked_revoke.into_inner().unwrap(),
    );
    // Every code used exactly once; every acknowledged enrollment recorded.
    for (citizen, code) in &codes {
        assert_eq!(
            rt.block_on(store.issued_credentials(citizen))
                .unwrap()
                .len(),
            1,
            "{citizen}"
        );
        let agent = agent(BOUND);
        let (st, _, v) = post(
            &agent,
            "/v1/enroll/offer",
            &serde_json::json!({ "code": code }).to_string(),
            false,
        );
        assert_eq!(
            (st, v["code"].as_str()),
            (409, Some("enrollment-code-used"))
        );
    }
    assert!(acked_enroll
        .iter()
        .all(|c| codes.iter().any(|(x, _)| x == c)));
    assert_eq!(
        rt.block_on(store.issued_credential_count()).unwrap(),
        CODES as u64
    );
    // Every acknowledged revocation is in the gapless log, which equals the revoked set.
    let log = rt.block_on(store.epochs_from(0, 1000)).unwrap();
    let mut union = Vec::new();
    for (i, rec) in log.iter().enumerate() {
        let e = EpochEntry::from_json(&rec.entry).unwrap();
        assert_eq!((rec.epoch, e.epoch()), (i as u64, i as u64));
        union.extend_from_slice(e.revoked());
    }
    union.sort_unstable();
    assert_eq!(union, rt.block_on(store.revoked_ids()).unwrap());
    assert_eq!(union, REVOKE.collect::<Vec<_>>());
    for (id, epoch) in &acked_revoke {
        let e = EpochEntry::from_json(&log[usize::try_from(*epoch).unwrap()].entry).unwrap();
        assert!(
            e.revoked().contains(id) || rt.block_on(store.is_revoked(*id)).unwrap(),
            "revocation of {id} lost"
        );
    }
    eprintln!(
        "authority: {} enrollments and {} revocations acknowledged, {} clean 503s",
        acked_enroll.len(),
        acked_revoke.len(),
        n503.load(Ordering::SeqCst)
    );
    rt.block_on(server.shutdown()).unwrap();
    drop(store);
}

// ---------------------------------------------------------------------------------------------
// The verifier SIGKILLed mid-request.

#[test]
fn verifier_sigkill_mid_request_loses_nothing_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = VerifierDb::Sqlite(dir.path().join("verifier"));
    sigkill_mid_request(&db, dir.path());
}

#[test]
fn verifier_sigkill_mid_request_loses_nothing_postgres() {
    let Some(url) = common::pg_url() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = VerifierDb::fresh_pg(&url, "fault_kill");
    sigkill_mid_request(&db, dir.path());
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fate {
    NotSent,
    Acked,
    /// Sent, no answer (the process died).
    Unknown,
}

fn sigkill_mid_request(db: &VerifierDb, dir: &Path) {
    let fleet = Fleet::new(4);
    let mut verifier = VerifierProc::spawn(verifier_cmd(), &fleet, db, dir, 0);
    let logins = make_logins(&fleet, &verifier.url, 80, 2);
    let fate = Mutex::new(vec![Fate::NotSent; logins.len()]);
    let next = AtomicUsize::new(0);
    let acked = AtomicUsize::new(0);
    let accounts = Accounts::new(fleet.holders.len());
    let violations = Mutex::new(Vec::<String>::new());
    let url = format!("{}/v1/verify", verifier.url);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                let agent = agent(BOUND);
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= logins.len() {
                        break;
                    }
                    fate.lock().unwrap()[i] = Fate::Unknown;
                    match send(&agent, &url, &logins[i].body) {
                        Ok((200, v)) => {
                            if let Err(e) = accounts.check(logins[i].holder, &v) {
                                violations.lock().unwrap().push(e);
                            }
                            fate.lock().unwrap()[i] = Fate::Acked;
                            acked.fetch_add(1, Ordering::SeqCst);
                        }
                        Ok((s, v)) => violations.lock().unwrap().push(format!("{s}: {v}")),
                        // The process died: this one's outcome is unknown; stop.
                        Err(_) => break,
                    }
                }
            });
        }
        let t = Instant::now();
        while acked.load(Ordering::SeqCst) < 12 {
            assert!(t.elapsed() < Duration::from_secs(60), "no progress");
            std::thread::sleep(Duration::from_millis(2));
        }
        verifier.kill(); // SIGKILL with 8 verify POSTs in flight
    });
    let violations = violations.into_inner().unwrap();
    assert!(violations.is_empty(), "{violations:#?}");
    let fate = fate.into_inner().unwrap();
    let count = |f: Fate| fate.iter().filter(|x| **x == f).count();
    let (n_acked, n_unknown) = (count(Fate::Acked), count(Fate::Unknown));
    assert!(n_acked >= 12 && n_unknown >= 1, "{fate:?}");

    let verifier = VerifierProc::spawn(verifier_cmd(), &fleet, db, dir, 1);
    let agent = agent(BOUND);
    let url = format!("{}/v1/verify", verifier.url);
    let store = db.open();
    // Acknowledged before the kill: consumed, so a replay now.
    let mut oks: HashMap<usize, usize> = HashMap::new();
    for (i, f) in fate.iter().enumerate() {
        if *f == Fate::Acked {
            *oks.entry(i).or_default() += 1;
            assert!(store
                .block(store.request(&logins[i].nonce))
                .unwrap()
                .unwrap()
                .consumed_at
                .is_some());
            let (s, v) = send(&agent, &url, &logins[i].body).unwrap();
            assert_eq!(
                (s, v["code"].as_str()),
                (409, Some("nonce-replayed")),
                "{v}"
            );
        }
    }
    // In flight at the kill: consumed before it (replay) or not at all (accepted now, once).
    let mut unknown_committed = 0;
    for (i, f) in fate.iter().enumerate() {
        if *f != Fate::Acked {
            let (s, v) = send(&agent, &url, &logins[i].body).unwrap();
            match s {
                200 => {
                    accounts.check(logins[i].holder, &v).unwrap();
                    *oks.entry(i).or_default() += 1;
                }
                409 if *f == Fate::Unknown && v["code"] == "nonce-replayed" => {
                    unknown_committed += 1;
                }
                _ => panic!("{f:?} login: {s} {v}"),
            }
        }
    }
    // No nonce accepted twice.
    assert!(oks.values().all(|n| *n == 1), "{oks:?}");
    eprintln!(
        "{}: {n_acked} acknowledged before the kill, {n_unknown} without an answer \
         ({unknown_committed} of them had committed), {} never sent",
        db.backend(),
        count(Fate::NotSent)
    );
    check_consumed_once(&fleet, &verifier.url, &store, &logins, &accounts);
}
