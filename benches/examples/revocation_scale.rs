//! National-scale revocation (issue 15): registry setup over a large domain, the authority's
//! revocations, and a holder's witness update after 1 000, 10 000 and 100 000 revocations, with
//! the bytes a holder downloads (the epoch entries' JSON) and the peak resident set size.
//!
//! Run: `cargo run --release -p netnym-benches --example revocation_scale -- [DOMAIN] [BATCH]`
//! (defaults: DOMAIN = 2^31 = 2 147 483 648, BATCH = 1 000 ids per epoch). The holder's updates
//! run on one core (the library is single-threaded).

use std::time::Instant;

use netnym::{EpochEntry, InMemoryRevokedSet, RevocationAuthority};
use netnym_benches::rng;

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time of this thread in seconds (`/proc/thread-self/schedstat`, nanoseconds): the machine
/// is shared, so wall time overstates the cost.
fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse::<u64>().ok()))
        .map_or(0.0, |ns| ns as f64 / 1e9)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let domain: u64 = args
        .next()
        .map_or(1 << 31, |a| a.parse().expect("DOMAIN is a number"));
    let batch: u64 = args
        .next()
        .map_or(1_000, |a| a.parse().expect("BATCH is a number"));
    let checkpoints = [1_000u64, 10_000, 100_000];
    let mut r = rng(7001);

    let rss0 = status_kib("VmRSS:");
    let t = Instant::now();
    let c = cpu_s();
    let (authority, genesis) = RevocationAuthority::generate(&mut r, domain).expect("domain");
    let setup_cpu = cpu_s() - c;
    let setup = t.elapsed();
    println!(
        "setup: domain {domain}: {setup_cpu:.1} s CPU ({:.1} s wall), peak RSS {} MiB (RSS before {} MiB)",
        setup.as_secs_f64(),
        status_kib("VmHWM:") / 1024,
        rss0 / 1024
    );
    println!(
        "registry public key: {} B, genesis entry: {} B",
        authority.public_key().to_json().len(),
        genesis.to_json().len()
    );

    // The holder: the last id of the domain, never revoked.
    let mut revoked = InMemoryRevokedSet::default();
    let holder_id = domain;
    let start = authority
        .witness(holder_id, &genesis, &revoked)
        .expect("witness");

    let total = *checkpoints.last().expect("checkpoints");
    let mut entries: Vec<EpochEntry> = Vec::new();
    let mut current = genesis;
    let mut next_id = 1u64;
    let c = cpu_s();
    while next_id <= total {
        let ids: Vec<u64> = (next_id..(next_id + batch).min(total + 1)).collect();
        next_id += ids.len() as u64;
        current = authority
            .revoke(&current, &ids, &mut revoked)
            .expect("revoke");
        entries.push(current.clone());
    }
    let revoke_cpu = cpu_s() - c;
    println!(
        "authority: {total} revocations in {} epochs: {revoke_cpu:.2} s CPU ({:.1} ms per epoch of {batch})",
        entries.len(),
        revoke_cpu * 1e3 / entries.len() as f64
    );
    let entry_bytes: Vec<usize> = entries.iter().map(|e| e.to_json().len()).collect();
    println!(
        "epoch entry of {batch} revocations: {} B ({:.1} B per revoked id)",
        entry_bytes[0],
        entry_bytes[0] as f64 / batch as f64
    );

    for k in checkpoints {
        let n = usize::try_from(k.div_ceil(batch)).expect("small");
        let bytes: usize = entry_bytes[..n].iter().sum();
        // What the holder downloads: the entries' JSON, decoded and validated.
        let downloaded: Vec<Vec<u8>> = entries[..n].iter().map(EpochEntry::to_json).collect();
        let c = cpu_s();
        let decoded: Vec<EpochEntry> = downloaded
            .iter()
            .map(|b| EpochEntry::from_json(b).expect("valid entry"))
            .collect();
        let decode = cpu_s() - c;
        let mut one_by_one = start.clone();
        let c = cpu_s();
        for e in &decoded {
            one_by_one.update(e).expect("update");
        }
        let sequential = cpu_s() - c;
        let mut at_once = start.clone();
        let c = cpu_s();
        at_once.update_all(&decoded).expect("update");
        let combined = cpu_s() - c;
        assert_eq!(at_once, one_by_one, "both updates agree");
        assert!(
            at_once.verify(authority.public_key()),
            "updated witness verifies"
        );
        println!(
            "holder after {k} revocations ({n} entries, {:.2} MiB): CPU s: decode {decode:.3}, \
             update entry by entry {sequential:.3}, update_all {combined:.3} \
             (decode + update_all {:.3})",
            bytes as f64 / (1024.0 * 1024.0),
            decode + combined
        );
    }
    println!("peak RSS: {} MiB", status_kib("VmHWM:") / 1024);
}
