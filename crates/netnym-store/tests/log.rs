//! The transparency log in the store (spec/12, LOG-021) on SQLite always and on PostgreSQL
//! when `NETNYM_TEST_PG_URL` is set: appended in batches, its roots, entries and proofs equal
//! those of `netnym-log`'s in-memory log over the same entries; checkpoints are kept once per
//! size.

#![allow(clippy::unwrap_used)]

use netnym_log::{Envelope, Log, LogEntry, LogError, MemoryStorage, ObjectId};
use netnym_store::*;
use rand::SeedableRng;

#[path = "support/backend.rs"]
#[macro_use]
mod backend;

use backend::*;

both_backends!(
    log_021_store_matches_the_memory_log,
    log_checkpoints_are_kept_once_per_size,
    log_021_records_are_logged_in_their_transaction,
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

fn kinds(entries: &[Vec<u8>]) -> Vec<&'static str> {
    entries
        .iter()
        .map(|b| LogEntry::decode(b).unwrap().kind())
        .collect()
}

/// Before the log starts nothing is logged; starting it takes every key and epoch recorded so
/// far; from then on each issuer key, retirement and epoch is logged in the transaction that
/// records it, and a write that fails logs nothing.
async fn log_021_records_are_logged_in_their_transaction(store: Store) {
    use netnym::{Issuer, IssuerSecretKey, RevocationAuthority, Schema};
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(21);
    import(&store, 4).await;
    let schema = Schema::cn_network_id_v1();
    let pk1 = Issuer::new(IssuerSecretKey::generate(&mut rng), &schema)
        .public_key()
        .clone();
    let pk2 = Issuer::new(IssuerSecretKey::generate(&mut rng), &schema)
        .public_key()
        .clone();
    let (registry, genesis) = RevocationAuthority::generate(&mut rng, 4).unwrap();
    let id1 = pk1.key_id().to_string();
    store
        .record_first_issuer_key(&id1, &pk1.to_json(), "authority-keys", NOW)
        .await
        .unwrap();
    store
        .append_epoch(0, &[], &genesis.to_json(), NOW)
        .await
        .unwrap();
    assert_eq!(store.log_size().await.unwrap(), 0, "not started yet");

    let rpk = registry.public_key();
    let published = [LogEntry::RegistryKeyPublished {
        registry_id: ObjectId::from_bytes(*rpk.id().as_bytes()),
        envelope: Envelope::new(rpk.to_json()).unwrap(),
    }];
    assert!(store.start_log(&published, NOW).await.unwrap());
    assert!(
        !store.start_log(&published, NOW).await.unwrap(),
        "started once"
    );
    assert_eq!(
        kinds(&store.log_entries(0, 100).await.unwrap()),
        ["issuer-key-published", "registry-key-published", "epoch"]
    );

    let sealed =
        SealedSecret::seal(&mut rng, b"pass", "k2", b"sk2", KdfParams::INSECURE_FAST).unwrap();
    store
        .add_issuer_key(
            &pk2.key_id().to_string(),
            &pk2.to_json(),
            "k2",
            &sealed,
            NOW + 1,
        )
        .await
        .unwrap();
    store
        .retire_issuer_key(&id1, "authority-keys", NOW + 2)
        .await
        .unwrap();
    let mut set = StagedRevokedSet::load(&store, &[3]).await.unwrap();
    let e1 = registry.revoke(&genesis, &[3], &mut set).unwrap();
    set.commit(&store, &e1, NOW + 3).await.unwrap();
    let entries = store.log_entries(0, 100).await.unwrap();
    assert_eq!(
        kinds(&entries),
        [
            "issuer-key-published",
            "registry-key-published",
            "epoch",
            "issuer-key-published",
            "issuer-key-retired",
            "epoch"
        ]
    );
    match LogEntry::decode(&entries[5]).unwrap() {
        LogEntry::Epoch {
            registry_id,
            epoch,
            entry,
        } => {
            assert_eq!(registry_id.as_bytes(), rpk.id().as_bytes());
            assert_eq!(epoch, 1);
            assert_eq!(entry.as_bytes(), &e1.to_json()[..]);
        }
        other => panic!("{other:?}"),
    }
    match LogEntry::decode(&entries[4]).unwrap() {
        LogEntry::IssuerKeyRetired { key_id, retired_at } => {
            assert_eq!(key_id.as_bytes(), pk1.key_id().as_bytes());
            assert_eq!(retired_at, NOW + 2);
        }
        other => panic!("{other:?}"),
    }

    // A failed write logs nothing: an epoch revoking an id already revoked, an epoch whose
    // entry is not the core's entry of that number.
    let mut set = StagedRevokedSet::load(&store, &[4]).await.unwrap();
    let e2 = registry.revoke(&e1, &[4], &mut set).unwrap();
    assert!(matches!(
        store.append_epoch(2, &[3], &e2.to_json(), NOW + 4).await,
        Err(EpochError::AlreadyRevoked(3))
    ));
    assert!(matches!(
        store.append_epoch(2, &[4], &e1.to_json(), NOW + 4).await,
        Err(EpochError::Invalid(_))
    ));
    assert_eq!(store.latest_epoch().await.unwrap(), Some(1));
    assert_eq!(store.log_size().await.unwrap(), 6);
    set.commit(&store, &e2, NOW + 5).await.unwrap();
    assert_eq!(store.log_size().await.unwrap(), 7);
}
