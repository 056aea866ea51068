//! Shared unit-test fixtures: deterministic keys, a small log, cosigned checkpoints.

use crate::*;

pub(crate) const ORIGIN: &str = "log.test.example";
pub(crate) const NOW: u64 = 1_764_000_000;
pub(crate) const DAY: u64 = 86_400;

pub(crate) fn log_key() -> LogSigningKey {
    LogSigningKey::from_seed(ORIGIN, &[1; 32]).expect("key")
}

pub(crate) fn witness_key(i: u8) -> WitnessSigningKey {
    WitnessSigningKey::from_seed(&format!("w{i}.test.example"), &[10 + i; 32]).expect("key")
}

/// 2 of witnesses w1, w2, w3; one day.
pub(crate) fn policy() -> WitnessPolicy {
    WitnessPolicy::new(
        log_key().verifying_key().clone(),
        (1..=3)
            .map(|i| witness_key(i).verifying_key().clone())
            .collect(),
        2,
        DAY,
    )
    .expect("policy")
}

pub(crate) fn entry(i: u64) -> LogEntry {
    LogEntry::Epoch {
        registry_id: ObjectId::from_bytes([7; 32]),
        epoch: i,
        entry: Envelope::new(format!("{{\"epoch\":{i}}}").into_bytes()).expect("env"),
    }
}

/// A log of `n` entries, and (with `fork`) its last entry replaced.
pub(crate) fn log_of(n: u64, fork: bool) -> Log<MemoryStorage> {
    let mut log = Log::new(ORIGIN, MemoryStorage::new()).expect("log");
    for i in 0..n {
        let e = if fork && i + 1 == n {
            entry(1000 + i)
        } else {
            entry(i)
        };
        log.append(&e).expect("append");
    }
    log
}

/// The log's signed checkpoint cosigned by the given witnesses at `ts`.
pub(crate) fn cosigned(log: &Log<MemoryStorage>, witnesses: &[u8], ts: u64) -> SignedCheckpoint {
    let mut signed = log.sign_checkpoint(&log_key()).expect("sign");
    for &w in witnesses {
        signed = signed.add_cosignature(&witness_key(w), ts).expect("cosign");
    }
    signed
}
