//! The quick, bounded variant of the load test (`examples/loadtest.rs` is the full one):
//! 4 clients log in for 3 seconds against a `netnym-verifier` process on SQLite; every login
//! must succeed (200, the holder's own account every time) and the report must be coherent.

#![allow(clippy::unwrap_used)]

#[path = "support/world.rs"]
mod common;
#[path = "support/load.rs"]
mod load;

use std::process::Command;

use load::*;

#[test]
fn short_load_run_has_no_errors() {
    let fleet = Fleet::new(4);
    let dir = tempfile::tempdir().unwrap();
    let db = VerifierDb::Sqlite(dir.path().join("verifier"));
    let verifier = VerifierProc::spawn(
        Command::new(env!("CARGO_BIN_EXE_netnym-verifier")),
        &fleet,
        &db,
        dir.path(),
        0,
    );
    let cfg = LoadConfig {
        seconds: 3.0,
        clients: 4,
        pool: 24,
        provers: 2,
    };
    let report = run_load(&fleet, &verifier, db.backend(), &cfg);
    eprintln!("{report}");
    assert_eq!(report.errors, 0, "{report}");
    assert_eq!(report.pool_made, 24);
    // Not a throughput requirement (CI machines are slow and shared): some logins succeeded.
    assert!(report.ok > 0, "{report}");
    assert_eq!(report.ok, report.from_pool + report.live, "{report}");
    assert!(report.elapsed >= 3.0 && report.elapsed < 60.0, "{report}");
    let hwm = report.vm_hwm_kib.unwrap();
    assert!(hwm > 1024 && hwm >= report.vm_rss_kib.unwrap(), "{report}");
    // One account in the verifier's database per holder that logged in.
    let store = db.open();
    assert!(report.holders_seen >= 1);
    assert_eq!(
        store.block(store.account_count(common::SHOP)).unwrap(),
        report.holders_seen as u64
    );
}
