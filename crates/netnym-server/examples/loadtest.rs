//! Load test of the verifier service on loopback (issue 7).
//!
//! ```text
//! cargo run --release -p netnym-server --example loadtest -- \
//!     [--seconds 60] [--clients 8] [--holders 8] [--pool N] [--provers 2] [--postgres URL]
//! ```
//!
//! Sets up an in-process authority on SQLite, enrolls `--holders` holders over HTTP, and starts
//! a verifier as a separate process (this program re-executed as `netnym-verifier`) on a
//! SQLite data directory, or on a fresh schema of `--postgres URL` (dropped afterwards). The
//! verifier's policy is the shop's: disclose region, age ≥ 18, document valid today,
//! pseudonym, non-revocation, with requests valid for one hour.
//!
//! Proving costs about as much CPU as verifying, so before the timed phase `--provers`
//! threads make a **pool** of `--pool` logins (default 40 × seconds): each fetches a fresh
//! request (nonce) from the verifier with `POST /v1/requests` and answers it with the core API.
//! In the timed phase `--clients` threads take logins from the pool and `POST /v1/verify` them;
//! when the pool runs dry a client fetches a request and proves live. Every answer must be 200
//! with the holder's own account (same account id and pseudonym on every login). Reported:
//! verifications/s, p50/p95/p99/max latency of the verify POST, errors, and the verifier's
//! peak RSS (VmHWM from /proc/PID/status). Exits 1 when any login failed.

#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]

#[path = "../tests/support/world.rs"]
mod common;
#[path = "../tests/support/load.rs"]
mod load;
#[path = "../src/bin/netnym-verifier.rs"]
mod verifier_daemon;

use std::process::{Command, ExitCode};

use load::*;

const SERVE: &str = "--serve-verifier";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(SERVE) {
        return match verifier_daemon::run(args.into_iter().skip(1)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("netnym-verifier: {e}");
                ExitCode::from(1)
            }
        };
    }
    let (mut seconds, mut clients, mut holders, mut pool, mut provers, mut postgres) =
        (60.0f64, 8usize, 8usize, None, 2usize, None::<String>);
    let mut it = args.into_iter();
    while let Some(flag) = it.next() {
        let v = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--seconds" => seconds = v.parse().unwrap(),
            "--clients" => clients = v.parse().unwrap(),
            "--holders" => holders = v.parse().unwrap(),
            "--pool" => pool = Some(v.parse().unwrap()),
            "--provers" => provers = v.parse().unwrap(),
            "--postgres" => postgres = Some(v),
            other => panic!("unknown argument {other:?}"),
        }
    }
    assert!(
        seconds > 0.0 && seconds <= 3600.0,
        "--seconds must be in (0, 3600]"
    );
    assert!((1..=256).contains(&clients), "--clients must be 1..=256");
    let cfg = LoadConfig {
        seconds,
        clients,
        pool: pool.unwrap_or((40.0 * seconds) as usize),
        provers,
    };
    eprintln!("enrolling {holders} holders ...");
    let fleet = Fleet::new(holders);
    let dir = tempfile::tempdir().unwrap();
    let db = match &postgres {
        Some(url) => VerifierDb::fresh_pg(url, "loadtest"),
        None => VerifierDb::Sqlite(dir.path().join("verifier")),
    };
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.arg(SERVE);
    let verifier = VerifierProc::spawn(cmd, &fleet, &db, dir.path(), 0);
    eprintln!(
        "verifier pid {} at {}; making a pool of {} logins ...",
        verifier.pid(),
        verifier.url,
        cfg.pool
    );
    let report = run_load(&fleet, &verifier, db.backend(), &cfg);
    println!("{report}");
    if report.errors == 0 && report.ok > 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!("FAILED: {} errors, {} OK", report.errors, report.ok);
        ExitCode::from(1)
    }
}
