//! The transparency log in the store (spec/12, LOG-021) on SQLite always and on PostgreSQL
//! when `NETNYM_TEST_PG_URL` is set: appended in batches, its roots, entries and proofs equal
//! those of `netnym-log`'s in-memory log over the same entries; checkpoints are kept once per
//! size.

#![allow(clippy::unwrap_used)]

use netnym_log::{Log, LogEntry, LogError, MemoryStorage, ObjectId};
use netnym_store::*;

#[path = "support/backend.rs"]
#[macro_use]
mod backend;

use backend::*;

both_backends!(
    log_021_store_matches_the_memory_log,
    log_checkpoints_are_kept_once_per_size,
);

const ORIGIN: &str = "log.example";

fn entry(k: u8) -> LogEntry {
    LogEntry::IssuerKeyRetired {
        key_id: ObjectId::from_bytes([k; 32]),
        retired_at: u64::from(k) * 1000,
    }
}

async fn log_021_store_matches_the_memory_log(store: Store) {
    let mut memory = Log::new(ORIGIN, MemoryStorage::new()).unwrap();
    assert_eq!(store.log_size().await.unwrap(), 0);
    let mut k = 0u8;
    for batch in [1usize, 1, 3, 7, 2, 16, 1, 6] {
        let entries: Vec<_> = (0..batch)
            .map(|_| {
                k += 1;
                entry(k)
            })
            .collect();
        let first = store.append_log(&entries, NOW).await.unwrap();
        assert_eq!(first, memory.size().unwrap());
        for e in &entries {
            memory.append(e).unwrap();
        }
    }
    let size = memory.size().unwrap();
    assert_eq!(size, 37);
    assert_eq!(store.log_size().await.unwrap(), size);
    let stored = store.log_entries(0, 100).await.unwrap();
    assert_eq!(stored.len(), 37);
    for (n, bytes) in stored.iter().enumerate() {
        assert_eq!(*bytes, memory.entry_bytes(n as u64).unwrap());
    }
    assert_eq!(store.log_entries(35, 10).await.unwrap().len(), 2);
    for n in 1..=size {
        let root = store
            .read_log(|s| Log::new(ORIGIN, s).unwrap().root_at(n))
            .await
            .unwrap();
        assert_eq!(root, memory.root_at(n).unwrap(), "root of {n}");
    }
    for (i, n) in [(0, 1), (0, 37), (36, 37), (13, 20), (7, 8), (31, 33)] {
        let p = store
            .read_log(|s| Log::new(ORIGIN, s).unwrap().inclusion_proof(i, n))
            .await
            .unwrap();
        assert_eq!(
            p,
            memory.inclusion_proof(i, n).unwrap(),
            "inclusion {i} in {n}"
        );
    }
    for (m, n) in [(1, 37), (8, 16), (13, 37), (36, 37), (37, 37)] {
        let p = store
            .read_log(|s| Log::new(ORIGIN, s).unwrap().consistency_proof(m, n))
            .await
            .unwrap();
        assert_eq!(
            p,
            memory.consistency_proof(m, n).unwrap(),
            "consistency {m}..{n}"
        );
    }
    let cp = store
        .read_log(|s| Log::new(ORIGIN, s).unwrap().checkpoint())
        .await
        .unwrap();
    assert_eq!(cp, memory.checkpoint().unwrap());
    // A request beyond the log is the log's refusal, not a storage error.
    assert!(matches!(
        store
            .read_log(|s| Log::new(ORIGIN, s).unwrap().inclusion_proof(37, 38))
            .await,
        Err(LogReadError::Log(LogError::IndexOutOfRange { .. }))
    ));
}

async fn log_checkpoints_are_kept_once_per_size(store: Store) {
    assert_eq!(store.latest_log_checkpoint().await.unwrap(), None);
    store
        .put_log_checkpoint(3, b"note three", NOW)
        .await
        .unwrap();
    store
        .put_log_checkpoint(3, b"note three", NOW + 1)
        .await
        .unwrap();
    assert!(matches!(
        store.put_log_checkpoint(3, b"another note", NOW).await,
        Err(StoreError::Constraint(_))
    ));
    store
        .put_log_checkpoint(9, b"note nine", NOW)
        .await
        .unwrap();
    store
        .put_log_checkpoint(5, b"note five", NOW)
        .await
        .unwrap();
    assert_eq!(
        store.latest_log_checkpoint().await.unwrap(),
        Some((9, b"note nine".to_vec()))
    );
}
