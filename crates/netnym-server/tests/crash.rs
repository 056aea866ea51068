//! Crash safety (issue 4): the authority runs as a separate process and is killed with SIGKILL
//! while enrollments and revocations are in flight; after a restart, every enrollment code was
//! used at most once (used ⇔ a credential record exists) and every acknowledged revocation is
//! in the epoch log, and the transparency log holds exactly the stored epochs (LOG-021). The same run with SIGTERM instead (issue 12) must also exit 0 within the
//! documented bound, with no panic in its log.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use netnym::*;
use netnym_store::*;
use rand::SeedableRng;
use serde_json::Value;

#[path = "support/db.rs"]
mod db;
use db::Db;

const PASS: &str = "crash test passphrase";
const TOKEN: &str = "crash-test-admin-token";
const ENROLL: usize = 24;
const REVOKE_FROM: usize = 25;
const CITIZENS: usize = 40;

struct Server {
    child: Child,
    url: String,
    stderr: std::path::PathBuf,
}

/// How the authority is stopped mid-work.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    Kill,
    Term,
}

impl Server {
    /// SIGKILL and reap.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM; it must exit 0 within the documented bound, without a panic.
    fn terminate(&mut self) {
        let ok = Command::new("kill")
            .args(["-s", "TERM", &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok);
        let bound =
            netnym_server::DRAIN_TIMEOUT + netnym_server::WORK_GRACE + Duration::from_secs(10);
        let start = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(start.elapsed() < bound, "still running after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        };
        let log = std::fs::read_to_string(&self.stderr).unwrap();
        assert_eq!(status.code(), Some(0), "{log}");
        assert!(!log.contains("panic"), "{log}");
        assert!(log.contains("netnym-authority stopped"), "{log}");
        eprintln!("authority exited 0 {:?} after SIGTERM", start.elapsed());
    }
}

impl Drop for Server {
    // A failing test must not leave an authority process behind.
    fn drop(&mut self) {
        self.kill();
    }
}

fn spawn(db: &Db, dir: &Path, round: u32) -> Server {
    let addr_file = dir.join(format!("addr-{round}"));
    let mut server = Server {
        stderr: dir.join(format!("stderr-{round}")),
        child: Command::new(env!("CARGO_BIN_EXE_netnym-authority"))
            .args(db.args())
            .args(["--addr-file", addr_file.to_str().unwrap()])
            .env("NETNYM_AUTHORITY_PASSPHRASE", PASS)
            .env("NETNYM_ADMIN_TOKEN", TOKEN)
            .env("NETNYM_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(dir.join(format!("stderr-{round}"))).unwrap(),
            ))
            .spawn()
            .unwrap(),
        url: String::new(),
    };
    let start = Instant::now();
    loop {
        if let Ok(a) = std::fs::read_to_string(&addr_file) {
            server.url = format!("http://{a}");
            return server;
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!(
                "authority exited with {status}: {}",
                std::fs::read_to_string(dir.join(format!("stderr-{round}"))).unwrap_or_default()
            );
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "authority did not start: {}",
            std::fs::read_to_string(dir.join(format!("stderr-{round}"))).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn post(url: &str, body: &str, admin: bool) -> Result<(u16, Value), String> {
    let mut r = ureq::post(url)
        .timeout(Duration::from_secs(30))
        .set("Content-Type", "application/json");
    if admin {
        r = r.set("Authorization", &format!("Bearer {TOKEN}"));
    }
    match r.send_string(body) {
        Ok(resp) => Ok((resp.status(), resp.into_json().map_err(|e| e.to_string())?)),
        Err(ureq::Error::Status(s, resp)) => Ok((s, resp.into_json().unwrap_or(Value::Null))),
        Err(e) => Err(e.to_string()),
    }
}

/// Offer + finish for one code; Ok(status of finish).
fn enroll(url: &str, pk: &IssuerPublicKey, code: &str) -> Result<(u16, Value), String> {
    let mut rng = rand_chacha::ChaCha20Rng::from_entropy();
    let (s, v) = post(
        &format!("{url}/v1/enroll/offer"),
        &serde_json::json!({"code": code}).to_string(),
        false,
    )?;
    if s != 200 {
        return Ok((s, v));
    }
    let offer = IssuanceOffer::from_json(v["offer"].to_string().as_bytes()).unwrap();
    let ls = LinkSecret::generate(&mut rng);
    let (req, _pending) = BlindIssuanceRequest::new(&mut rng, pk, &offer, &ls).unwrap();
    let body = format!(
        r#"{{"code": "{code}", "request": {}}}"#,
        String::from_utf8(req.to_json()).unwrap()
    );
    post(&format!("{url}/v1/enroll/finish"), &body, false)
}

fn setup(db: &Db) -> (Vec<(String, String)>, IssuerPublicKey) {
    let store = db.open();
    let citizens = store
        .block(store.import_citizens(&generate_citizens(5, 1, CITIZENS), unix_now()))
        .unwrap();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(8);
    let keys = store
        .block(netnym_server::AuthorityKeys::init(
            &store,
            &mut rng,
            PASS.as_bytes(),
            64,
            KdfParams::INSECURE_FAST,
        ))
        .unwrap();
    let codes = citizens[..ENROLL]
        .iter()
        .map(|c| {
            let code = store
                .block(netnym_server::create_enrollment_code(
                    &store,
                    &mut rng,
                    &c.citizen_id,
                    unix_now(),
                    3600,
                ))
                .unwrap();
            (c.citizen_id.clone(), code.expose().to_owned())
        })
        .collect();
    (codes, keys.issuer().public_key().clone())
}

fn pg_db(prefix: &str) -> Option<Db> {
    let Ok(url) = std::env::var("NETNYM_TEST_PG_URL") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but NETNYM_TEST_PG_URL is not set"
        );
        eprintln!("NETNYM_TEST_PG_URL not set: PostgreSQL variant skipped");
        return None;
    };
    Some(Db::fresh_pg(&url, prefix))
}

#[test]
fn sigkill_during_enrollment_and_revocation_loses_nothing_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::Sqlite(dir.path().join("data"));
    crash_and_restart(&db, dir.path(), Stop::Kill);
}

#[test]
fn sigkill_during_enrollment_and_revocation_loses_nothing_postgres() {
    let Some(db) = pg_db("crash") else { return };
    let dir = tempfile::tempdir().unwrap();
    crash_and_restart(&db, dir.path(), Stop::Kill);
}

#[test]
fn sigterm_during_enrollment_and_revocation_exits_0_and_loses_nothing_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::Sqlite(dir.path().join("data"));
    crash_and_restart(&db, dir.path(), Stop::Term);
}

#[test]
fn sigterm_during_enrollment_and_revocation_exits_0_and_loses_nothing_postgres() {
    let Some(db) = pg_db("sigterm") else { return };
    let dir = tempfile::tempdir().unwrap();
    crash_and_restart(&db, dir.path(), Stop::Term);
}

fn crash_and_restart(db: &Db, dir: &Path, stop_with: Stop) {
    let (codes, pk) = setup(db);
    let codes = Arc::new(codes);
    let mut server = spawn(db, dir, 0);

    let acked_enroll = Arc::new(Mutex::new(Vec::<String>::new()));
    let acked_revoke = Arc::new(Mutex::new(Vec::<(u64, u64)>::new()));
    let (n_enroll, n_revoke) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for w in 0..2 {
        let (codes, url, pk) = (codes.clone(), server.url.clone(), pk.clone());
        let (acked, n, stop) = (acked_enroll.clone(), n_enroll.clone(), stop.clone());
        workers.push(std::thread::spawn(move || {
            for (citizen, code) in codes.iter().skip(w).step_by(2) {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                match enroll(&url, &pk, code) {
                    Ok((200, _)) => {
                        acked.lock().unwrap().push(citizen.clone());
                        n.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok((s, v)) => panic!("unexpected {s} {v}"),
                    Err(_) => break, // the server died mid-request
                }
            }
        }));
    }
    {
        let (url, acked, n, stop) = (
            server.url.clone(),
            acked_revoke.clone(),
            n_revoke.clone(),
            stop.clone(),
        );
        workers.push(std::thread::spawn(move || {
            for id in REVOKE_FROM as u64..=CITIZENS as u64 {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                match post(
                    &format!("{url}/v1/revoke"),
                    &format!(r#"{{"revocation_ids": [{id}]}}"#),
                    true,
                ) {
                    Ok((200, v)) => {
                        assert_eq!(v["revoked"], serde_json::json!([id]));
                        acked
                            .lock()
                            .unwrap()
                            .push((id, v["epoch"].as_u64().unwrap()));
                        n.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok((s, v)) => panic!("unexpected {s} {v}"),
                    Err(_) => break,
                }
            }
        }));
    }
    // Kill while both kinds of work are in flight.
    let start = Instant::now();
    while n_enroll.load(Ordering::SeqCst) < 4 || n_revoke.load(Ordering::SeqCst) < 3 {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "work did not progress"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    match stop_with {
        Stop::Kill => server.kill(),
        Stop::Term => server.terminate(),
    }
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        w.join().unwrap();
    }
    let acked_enroll = acked_enroll.lock().unwrap().clone();
    let acked_revoke = acked_revoke.lock().unwrap().clone();
    assert!(acked_enroll.len() >= 4 && acked_revoke.len() >= 3);

    // Restart on the same data directory.
    let mut server = spawn(db, dir, 1);
    let store = db.open();

    // Every acknowledged revocation is in the log, at the epoch acknowledged.
    let log = store.block(store.epochs_from(0, 1000)).unwrap();
    let latest = store.block(store.latest_epoch()).unwrap().unwrap();
    assert_eq!(log.len() as u64, latest + 1);
    let mut union = Vec::new();
    for (i, rec) in log.iter().enumerate() {
        let e = EpochEntry::from_json(&rec.entry).unwrap();
        assert_eq!((rec.epoch, e.epoch()), (i as u64, i as u64));
        union.extend_from_slice(e.revoked());
    }
    union.sort_unstable();
    assert_eq!(
        union,
        store.block(store.revoked_ids()).unwrap(),
        "revoked set = union of the log"
    );
    // LOG-021: the transparency log holds exactly the stored epochs, in order, each entry the
    // stored JSON: no log entry without its epoch, no epoch without its log entry.
    let logged: Vec<_> = store
        .block(store.log_entries(0, 10_000))
        .unwrap()
        .iter()
        .filter_map(|b| match netnym_log::LogEntry::decode(b).unwrap() {
            netnym_log::LogEntry::Epoch { epoch, entry, .. } => {
                Some((epoch, entry.as_bytes().to_vec()))
            }
            _ => None,
        })
        .collect();
    let stored: Vec<_> = log.iter().map(|r| (r.epoch, r.entry.clone())).collect();
    assert_eq!(
        logged, stored,
        "the transparency log's epochs = the epoch table"
    );
    for (id, epoch) in &acked_revoke {
        assert!(
            store.block(store.is_revoked(*id)).unwrap(),
            "acknowledged revocation of {id} lost"
        );
        let e = EpochEntry::from_json(&log[usize::try_from(*epoch).unwrap()].entry).unwrap();
        assert!(e.revoked().contains(id));
    }

    // Every code was used at most once: used <=> exactly one credential record; acknowledged
    // ones are used; a retry of a used code is refused and of an unused one succeeds once.
    let mut retried_ok = 0;
    for (citizen, code) in codes.iter() {
        let records = store
            .block(store.issued_credentials(citizen))
            .unwrap()
            .len();
        assert!(records <= 1);
        if acked_enroll.contains(citizen) {
            assert_eq!(records, 1, "acknowledged enrollment of {citizen} lost");
        }
        let (s, v) = enroll(&server.url, &pk, code).unwrap();
        if records == 1 {
            assert_eq!((s, v["code"].as_str()), (409, Some("enrollment-code-used")));
        } else {
            assert_eq!(s, 200, "{v}");
            retried_ok += 1;
        }
        assert_eq!(
            store
                .block(store.issued_credentials(citizen))
                .unwrap()
                .len(),
            1
        );
        let (s, v) = enroll(&server.url, &pk, code).unwrap();
        assert_eq!((s, v["code"].as_str()), (409, Some("enrollment-code-used")));
    }
    assert_eq!(
        store.block(store.issued_credential_count()).unwrap(),
        ENROLL as u64
    );
    eprintln!(
        "acknowledged before the kill: {} enrollments, {} revocations; completed after restart: {retried_ok}",
        acked_enroll.len(),
        acked_revoke.len()
    );

    // The log continues after the restart.
    let next = acked_revoke.iter().map(|(id, _)| *id).max().unwrap_or(0);
    let remaining: Vec<u64> = (REVOKE_FROM as u64..=CITIZENS as u64)
        .filter(|id| !store.block(store.is_revoked(*id)).unwrap())
        .collect();
    if let Some(id) = remaining.first() {
        let (s, v) = post(
            &format!("{}/v1/revoke", server.url),
            &format!(r#"{{"revocation_ids": [{id}]}}"#),
            true,
        )
        .unwrap();
        assert_eq!(
            (s, v["epoch"].as_u64()),
            (200, Some(latest + 1)),
            "{v} (last acked {next})"
        );
    }
    server.kill();
}
