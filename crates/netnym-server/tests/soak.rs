//! The soak (issue 12, "Done means"; not in the default suite): two verifier replicas
//! (`netnym-verifier` processes) on one PostgreSQL cluster of the test's own, under load,
//! while the cluster is restarted (`pg_ctl -m fast`) and crashed (`-m immediate`) and each
//! replica in turn is SIGTERMed (it must drain and exit 0) and SIGKILLed, and restarted.
//!
//! ```text
//! NETNYM_TEST_PG_URL=... NETNYM_SOAK_SECONDS=600 \
//!     cargo test -p netnym-server --test soak -- --ignored --nocapture
//! ```
//!
//! Clients (`NETNYM_SOAK_CLIENTS`, default 4) create a request on one replica, prove with the
//! core API and post the presentation to the other replica (to the same one when the other is
//! down), retrying a 503 with the same presentation. Counted: acknowledged sign-ins
//! (throughput, p50/p99 of the verify POST), clean 503s and 429s, *failovers* (a request to a
//! replica the chaos thread is stopping, refused or cut: a client behind a load balancer would
//! be sent to the other one), and **errors**: anything else (target 0). Afterwards **lost
//! writes** are counted (target 0): an acknowledged sign-in whose nonce is not consumed, or an
//! account that counts fewer logins than its holder's acknowledged ones. The report goes to
//! stderr; docs/reliability.md has the measured one.

#![allow(
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

#[path = "support/cluster.rs"]
mod cluster;
#[path = "support/world.rs"]
mod common;
#[path = "support/load.rs"]
mod load;

use std::collections::HashMap;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use cluster::{is_clean_503, Cluster};
use load::*;

fn verifier_cmd() -> Command {
    Command::new(env!("CARGO_BIN_EXE_netnym-verifier"))
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().map_or(default, |v| {
        v.parse().unwrap_or_else(|_| panic!("{name}={v}"))
    })
}

/// A replica slot: its URL while it serves, `None` while it is stopped or restarting.
struct Slot {
    url: RwLock<Option<String>>,
    stopping: AtomicBool,
}

#[derive(Default)]
struct Counts {
    acked: AtomicUsize,
    n503: AtomicUsize,
    n429: AtomicUsize,
    failovers: AtomicUsize,
    replays_after_retry: AtomicUsize,
}

/// One client's step: the result of a POST to a replica slot.
enum Outcome {
    Answer(u16, serde_json::Value),
    /// The replica was being stopped (or was down): a load balancer would retry elsewhere.
    Failover,
    Error(String),
}

fn post(agent: &ureq::Agent, slot: &Slot, url: &str, path: &str, body: &str) -> Outcome {
    match send(agent, &format!("{url}{path}"), body) {
        Ok((s, v)) => Outcome::Answer(s, v),
        Err(e) => {
            let current = slot.url.read().unwrap().clone();
            if slot.stopping.load(Ordering::SeqCst) || current.as_deref() != Some(url) {
                Outcome::Failover
            } else {
                Outcome::Error(format!("transport to {url}{path}: {e}"))
            }
        }
    }
}

#[test]
#[ignore = "a 10-minute soak; run on demand (see the module docs)"]
fn soak_replicas_under_postgres_restarts_and_replica_kills() {
    assert!(
        common::pg_url().is_some(),
        "the soak needs NETNYM_TEST_PG_URL (and runs its own cluster beside it)"
    );
    let seconds = env_number("NETNYM_SOAK_SECONDS", 600);
    let clients = env_number("NETNYM_SOAK_CLIENTS", 4) as usize;
    let fleet = Fleet::new(8);
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start_new();
    let db = VerifierDb::fresh_pg(&cluster.url(), "soak");
    let round = AtomicU32::new(0);
    let spawn = || {
        VerifierProc::spawn(
            verifier_cmd(),
            &fleet,
            &db,
            dir.path(),
            round.fetch_add(1, Ordering::SeqCst),
        )
    };
    let procs = [Mutex::new(spawn()), Mutex::new(spawn())];
    let slots = [0, 1].map(|i| Slot {
        url: RwLock::new(Some(procs[i].lock().unwrap().url.clone())),
        stopping: AtomicBool::new(false),
    });
    let accounts = Accounts::new(fleet.holders.len());
    let counts = Counts::default();
    let errors = Mutex::new(Vec::<String>::new());
    let latencies = Mutex::new(Vec::<f64>::new());
    // Acknowledged logins (nonce, holder), and every login made (nonce, holder).
    let acks = Mutex::new(Vec::<(Vec<u8>, usize)>::new());
    let made = Mutex::new(Vec::<(Vec<u8>, usize)>::new());
    let events = Mutex::new(Vec::<String>::new());
    let done = AtomicBool::new(false);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);

    std::thread::scope(|s| {
        for c in 0..clients {
            let (slots, counts, errors, latencies, acks, made, accounts, fleet, done) = (
                &slots, &counts, &errors, &latencies, &acks, &made, &accounts, &fleet, &done,
            );
            s.spawn(move || {
                let agent = agent(Duration::from_secs(20));
                let mut i = c;
                while !done.load(Ordering::SeqCst) {
                    i += 1;
                    let holder = i % fleet.holders.len();
                    let pick = |prefer: usize| {
                        let live = |k: usize| slots[k].url.read().unwrap().clone().map(|u| (k, u));
                        live(prefer).or_else(|| live(1 - prefer))
                    };
                    let Some((a, url_a)) = pick(i % 2) else {
                        std::thread::sleep(Duration::from_millis(50));
                        continue;
                    };
                    // The request, on replica a.
                    let login = match make_login(fleet, &agent, &url_a, holder) {
                        Ok(l) => l,
                        Err(e) if e.contains(": 503 ") => {
                            counts.n503.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(100));
                            continue;
                        }
                        Err(e) if e.contains(": 429 ") => {
                            counts.n429.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(100));
                            continue;
                        }
                        Err(e) => {
                            let current = slots[a].url.read().unwrap().clone();
                            if slots[a].stopping.load(Ordering::SeqCst)
                                || current.as_deref() != Some(url_a.as_str())
                            {
                                counts.failovers.fetch_add(1, Ordering::SeqCst);
                            } else {
                                errors
                                    .lock()
                                    .unwrap()
                                    .push(format!("request on {url_a}: {e}"));
                            }
                            continue;
                        }
                    };
                    made.lock().unwrap().push((login.nonce.clone(), holder));
                    // The presentation, on the other replica when it serves; retried after
                    // 503s and failovers until answered.
                    let mut retried = false;
                    loop {
                        let Some((b, url_b)) = pick(1 - a) else {
                            std::thread::sleep(Duration::from_millis(50));
                            continue;
                        };
                        let t0 = Instant::now();
                        match post(&agent, &slots[b], &url_b, "/v1/verify", &login.body) {
                            Outcome::Answer(200, v) => {
                                latencies.lock().unwrap().push(t0.elapsed().as_secs_f64());
                                if let Err(e) = accounts.check(holder, &v) {
                                    errors.lock().unwrap().push(e);
                                }
                                counts.acked.fetch_add(1, Ordering::SeqCst);
                                acks.lock().unwrap().push((login.nonce.clone(), holder));
                                break;
                            }
                            Outcome::Answer(s, v) if is_clean_503(s, &v) => {
                                counts.n503.fetch_add(1, Ordering::SeqCst);
                                retried = true;
                                std::thread::sleep(Duration::from_millis(100));
                            }
                            Outcome::Answer(429, _) => {
                                counts.n429.fetch_add(1, Ordering::SeqCst);
                                retried = true;
                                std::thread::sleep(Duration::from_millis(100));
                            }
                            // An earlier attempt was committed before its answer was lost.
                            Outcome::Answer(409, v) if retried && v["code"] == "nonce-replayed" => {
                                counts.replays_after_retry.fetch_add(1, Ordering::SeqCst);
                                break;
                            }
                            Outcome::Answer(s, v) => {
                                errors
                                    .lock()
                                    .unwrap()
                                    .push(format!("verify on {url_b}: {s} {v}"));
                                break;
                            }
                            Outcome::Failover => {
                                counts.failovers.fetch_add(1, Ordering::SeqCst);
                                retried = true;
                                std::thread::sleep(Duration::from_millis(50));
                            }
                            Outcome::Error(e) => {
                                errors.lock().unwrap().push(e);
                                break;
                            }
                        }
                    }
                }
            });
        }

        // The chaos: in each cycle the cluster restarts, a replica is SIGTERMed and restarted,
        // the cluster crashes, the other replica is SIGKILLed and restarted.
        let cycle = Duration::from_secs((seconds / 5).clamp(40, 120));
        let note = |e: String| {
            eprintln!("[{:>6.1} s] {e}", start.elapsed().as_secs_f64());
            events.lock().unwrap().push(e);
        };
        let wait_until = |t: Instant| {
            while Instant::now() < t && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            Instant::now() < deadline
        };
        let restart_replica = |k: usize, how: &str| {
            slots[k].stopping.store(true, Ordering::SeqCst);
            let mut p = procs[k].lock().unwrap();
            if how == "TERM" {
                p.signal("TERM");
                let status = p.wait_exit(Duration::from_secs(30));
                assert_eq!(
                    status.and_then(|s| s.code()),
                    Some(0),
                    "replica {k} after SIGTERM: {}",
                    p.stderr_text()
                );
            } else {
                p.kill();
            }
            *slots[k].url.write().unwrap() = None;
            slots[k].stopping.store(false, Ordering::SeqCst);
            note(format!("replica {k} stopped (SIG{how})"));
            std::thread::sleep(Duration::from_secs(2));
            *p = spawn();
            *slots[k].url.write().unwrap() = Some(p.url.clone());
            note(format!("replica {k} restarted at {}", p.url));
        };
        let mut n = 0u32;
        loop {
            let c0 = Instant::now();
            let k = (n % 2) as usize;
            if !wait_until(c0 + cycle / 8) {
                break;
            }
            cluster.run(true);
            note("postgres stopped (fast)".into());
            std::thread::sleep(Duration::from_secs(3));
            cluster.run(false);
            note("postgres started".into());
            if !wait_until(c0 + cycle * 3 / 8) {
                break;
            }
            restart_replica(k, "TERM");
            if !wait_until(c0 + cycle * 5 / 8) {
                break;
            }
            cluster.crash();
            note("postgres crashed (immediate)".into());
            std::thread::sleep(Duration::from_secs(3));
            cluster.run(false);
            note("postgres started (crash recovery)".into());
            if !wait_until(c0 + cycle * 7 / 8) {
                break;
            }
            restart_replica(1 - k, "KILL");
            n += 1;
            if !wait_until(c0 + cycle) {
                break;
            }
        }
        done.store(true, Ordering::SeqCst);
    });
    let elapsed = start.elapsed().as_secs_f64();

    // Lost writes: every acknowledged nonce consumed; every account counts at least its
    // holder's acknowledged logins and exactly its holder's consumed nonces.
    let store = db.open();
    let acks = acks.into_inner().unwrap();
    let made = made.into_inner().unwrap();
    let mut lost = Vec::new();
    for (nonce, h) in &acks {
        let r = store.block(store.request(nonce)).unwrap();
        if r.and_then(|r| r.consumed_at).is_none() {
            lost.push(format!("holder {h}: an acknowledged nonce is not consumed"));
        }
    }
    let mut consumed_per_holder: HashMap<usize, u64> = HashMap::new();
    for (nonce, h) in &made {
        let r = store.block(store.request(nonce)).unwrap();
        if r.and_then(|r| r.consumed_at).is_some() {
            *consumed_per_holder.entry(*h).or_default() += 1;
        }
    }
    for (h, (id, nym)) in accounts
        .snapshot()
        .iter()
        .enumerate()
        .filter_map(|(h, a)| a.as_ref().map(|a| (h, a)))
    {
        let bytes = pseudonym_bytes(&serde_json::json!({ "pseudonym": nym }));
        match store.block(store.account(common::SHOP, &bytes)).unwrap() {
            None => lost.push(format!("holder {h}: acknowledged account lost")),
            Some(a) => {
                let acked = acks.iter().filter(|(_, x)| *x == h).count() as u64;
                let consumed = consumed_per_holder.get(&h).copied().unwrap_or(0);
                if a.account_id != *id || a.login_count < acked || a.login_count != consumed {
                    lost.push(format!(
                        "holder {h}: account {} counts {} logins; {acked} acknowledged, {consumed} nonces consumed",
                        a.account_id, a.login_count
                    ));
                }
            }
        }
    }

    let mut lat = latencies.into_inner().unwrap();
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        if lat.is_empty() {
            return f64::NAN;
        }
        lat[((lat.len() - 1) as f64 * p).round() as usize] * 1000.0
    };
    let errors = errors.into_inner().unwrap();
    let events = events.into_inner().unwrap();
    eprintln!(
        "soak: {elapsed:.0} s, {clients} clients, 2 replicas on PostgreSQL; {} chaos events\n\
         acknowledged sign-ins: {} ({:.1}/s); verify POST p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms\n\
         clean 503s: {}; 429s: {}; failovers (replica stopping): {}; replays after a retry: {}\n\
         errors other than 503/429: {}; lost writes: {}",
        events.len(),
        acks.len(),
        acks.len() as f64 / elapsed,
        pct(0.5),
        pct(0.99),
        lat.last().copied().unwrap_or(f64::NAN) * 1000.0,
        counts.n503.load(Ordering::SeqCst),
        counts.n429.load(Ordering::SeqCst),
        counts.failovers.load(Ordering::SeqCst),
        counts.replays_after_retry.load(Ordering::SeqCst),
        errors.len(),
        lost.len(),
    );
    assert!(events.len() >= 4, "too short for the chaos: {events:?}");
    assert!(
        errors.is_empty(),
        "errors: {:#?}",
        &errors[..errors.len().min(20)]
    );
    assert!(lost.is_empty(), "lost writes: {lost:#?}");
}
