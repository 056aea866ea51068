//! Signals and shutdown (issue 12): SIGTERM while clients are logging in makes the
//! `netnym-verifier` process stop accepting, answer the requests in flight and exit 0 within
//! the documented bound, with no panic (on PostgreSQL every clean shutdown used to panic with
//! "Cannot start a runtime from within a runtime"), and every login it acknowledged is in its
//! database. SIGINT stops an idle one the same way. The authority's SIGTERM test is in
//! `tests/crash.rs` (next to its SIGKILL test).

#![allow(clippy::unwrap_used)]

#[path = "support/world.rs"]
mod common;
#[path = "support/load.rs"]
mod load;

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use load::*;
use netnym_server::{DRAIN_TIMEOUT, WORK_GRACE};

/// The documented bound (lifecycle module): drain + blocking work + closing PostgreSQL
/// connections, plus slack for a loaded test machine.
fn exit_bound() -> Duration {
    DRAIN_TIMEOUT + WORK_GRACE + Duration::from_secs(5) + Duration::from_secs(5)
}

fn verifier_cmd(json: bool) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_netnym-verifier"));
    c.env("NETNYM_LOG", "debug");
    if json {
        c.args(["--log-format", "json"]);
    }
    c
}

/// The stderr of a stopped service: no panic, the stop logged; with `json`, every line is a
/// JSON object.
fn check_stderr(stderr: &str, json: bool) {
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("panic"), "{stderr}");
    assert!(stderr.contains("stopping"), "{stderr}");
    assert!(stderr.contains("netnym-verifier stopped"), "{stderr}");
    if json {
        for line in stderr.lines() {
            let v: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
            assert!(
                v["level"].is_string() && v["timestamp"].is_string(),
                "{line}"
            );
        }
    }
}

fn sigterm_under_load(db: &VerifierDb, dir: &std::path::Path, json: bool) {
    let fleet = Fleet::new(4);
    let mut verifier = VerifierProc::spawn(verifier_cmd(json), &fleet, db, dir, 0);
    let pool = Mutex::new(make_logins(&fleet, &verifier.url, 48, 2));
    let accounts = Accounts::new(fleet.holders.len());
    let acked = Mutex::new(Vec::<Login>::new());
    let ok = AtomicUsize::new(0);
    let url = format!("{}/v1/verify", verifier.url);
    let pid = verifier.pid();
    let mut signalled = None;
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let agent = agent(Duration::from_secs(30));
                loop {
                    let Some(login) = pool.lock().unwrap().pop() else {
                        break;
                    };
                    match send(&agent, &url, &login.body) {
                        Ok((200, v)) => {
                            accounts.check(login.holder, &v).unwrap();
                            acked.lock().unwrap().push(login);
                            ok.fetch_add(1, Ordering::SeqCst);
                        }
                        Ok((status, v)) => panic!("unexpected {status}: {v}"),
                        // The listener is closed (refused) or the idle connection was closed.
                        Err(_) => break,
                    }
                }
            });
        }
        // SIGTERM while the clients are busy.
        let start = Instant::now();
        while ok.load(Ordering::SeqCst) < 8 {
            assert!(start.elapsed() < Duration::from_secs(120), "no progress");
            std::thread::sleep(Duration::from_millis(2));
        }
        send_signal(pid, "TERM");
        signalled = Some(Instant::now());
    });
    let status = verifier.wait_exit(exit_bound());
    let took = signalled.unwrap().elapsed();
    let stderr = verifier.stderr_text();
    let status = status.unwrap_or_else(|| panic!("still running {took:?} after SIGTERM: {stderr}"));
    assert_eq!(status.code(), Some(0), "{stderr}");
    check_stderr(&stderr, json);

    // Every acknowledged login is in the database: its nonce consumed, its account there.
    let acked = acked.into_inner().unwrap();
    assert!(acked.len() >= 8);
    let store = db.open();
    for login in &acked {
        let stored = store.block(store.request(&login.nonce)).unwrap().unwrap();
        assert!(
            stored.consumed_at.is_some(),
            "an acknowledged login's nonce is not consumed"
        );
    }
    let holders = accounts.snapshot().iter().flatten().count() as u64;
    assert_eq!(
        store.block(store.account_count(common::SHOP)).unwrap(),
        holders
    );
    eprintln!(
        "{}: {} logins acknowledged, exit 0 {took:?} after SIGTERM",
        db.backend(),
        acked.len()
    );
}

#[test]
fn sigterm_under_load_exits_0_and_keeps_every_acknowledged_login_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = VerifierDb::Sqlite(dir.path().join("verifier"));
    sigterm_under_load(&db, dir.path(), false);
}

#[test]
fn sigterm_under_load_exits_0_and_keeps_every_acknowledged_login_postgres() {
    let Some(url) = common::pg_url() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = VerifierDb::fresh_pg(&url, "shutdown");
    sigterm_under_load(&db, dir.path(), true);
}

#[test]
fn sigint_stops_an_idle_verifier_with_0() {
    let fleet = Fleet::new(1);
    let dir = tempfile::tempdir().unwrap();
    let db = VerifierDb::Sqlite(dir.path().join("verifier"));
    let mut verifier = VerifierProc::spawn(verifier_cmd(true), &fleet, &db, dir.path(), 0);
    verifier.signal("INT");
    let status = verifier.wait_exit(exit_bound()).unwrap();
    assert_eq!(status.code(), Some(0));
    let stderr = verifier.stderr_text();
    check_stderr(&stderr, true);
    assert!(stderr.contains("SIGINT"), "{stderr}");
}

/// The drain is bounded: a request whose body never finishes keeps its connection busy, so
/// the shutdown gives up at the deadline with `TimedOut` (the process would exit 1) instead of
/// waiting for the client; a request that completes in time is answered.
#[test]
fn the_drain_gives_up_at_its_deadline() {
    use std::io::{Read as _, Write as _};
    let mut w = common::World::new(common::Backend::Sqlite);
    let addr = w.shop.as_ref().unwrap().addr();
    // Headers and half of the declared body, then nothing.
    let mut stalled = std::net::TcpStream::connect(addr).unwrap();
    stalled
        .write_all(
            b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"presentation\": ",
        )
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let start = Instant::now();
    let handle = w.shop.take().unwrap();
    let r =
        w.rt.block_on(handle.shutdown_within(Duration::from_secs(1)));
    let took = start.elapsed();
    let e = r.unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::TimedOut, "{e}");
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(5),
        "{took:?}"
    );
    // The stalled connection was closed without an answer.
    stalled
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buf = Vec::new();
    let n = stalled.read_to_end(&mut buf).unwrap_or(0);
    assert_eq!(n, 0, "{}", String::from_utf8_lossy(&buf));
    // An idle service stops at once.
    let rail = w.rail.take().unwrap();
    let start = Instant::now();
    w.rt.block_on(rail.shutdown()).unwrap();
    assert!(start.elapsed() < Duration::from_secs(2));
    w.shutdown();
}
