//! What operators read and change (`authority citizens|codes|keys`): citizen summaries, code
//! listings and invalidation, issuer key rotation and retirement; on SQLite always and on
//! PostgreSQL when `NETNYM_TEST_PG_URL` is set.

#![allow(clippy::unwrap_used)]

use netnym_store::*;
use rand::SeedableRng;

#[path = "support/backend.rs"]
#[macro_use]
mod backend;

use backend::*;

both_backends!(
    citizen_summaries_count_credentials_and_revocation,
    codes_are_listed_by_handle_and_invalidated,
    issuer_keys_rotate_and_retire,
);

async fn issue(store: &Store, citizen: &str) {
    let h = new_code(store, citizen, NOW + 100).await;
    store.set_enrollment_offer(&h, b"o", NOW + 1).await.unwrap();
    store
        .redeem_enrollment_code(
            &h,
            b"o",
            NOW + 2,
            &NewIssuedCredential {
                key_id: "ab".repeat(32),
                issued_at: NOW + 2,
            },
        )
        .await
        .unwrap();
}

async fn citizen_summaries_count_credentials_and_revocation(store: Store) {
    import(&store, 3).await;
    issue(&store, "C00000002").await;
    issue(&store, "C00000002").await;
    issue(&store, "C00000003").await;
    store.append_epoch(0, &[], b"genesis", NOW).await.unwrap();
    store.append_epoch(1, &[3], b"e1", NOW).await.unwrap();
    let all = store.citizen_summaries(0, 10).await.unwrap();
    let got: Vec<_> = all
        .iter()
        .map(|c| {
            (
                c.citizen_id.as_str(),
                c.revocation_id,
                c.credentials,
                c.revoked,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("C00000001", 1, 0, false),
            ("C00000002", 2, 2, false),
            ("C00000003", 3, 1, true)
        ]
    );
    let page = store.citizen_summaries(1, 1).await.unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].citizen_id, "C00000002");
}

async fn codes_are_listed_by_handle_and_invalidated(store: Store) {
    import(&store, 2).await;
    let open = new_code(&store, "C00000001", NOW + 100).await;
    let other = new_code(&store, "C00000001", NOW + 100).await;
    let expired = new_code(&store, "C00000002", NOW + 1).await;
    let used = new_code(&store, "C00000002", NOW + 100).await;
    store.set_enrollment_offer(&used, b"o", NOW).await.unwrap();
    store
        .redeem_enrollment_code(
            &used,
            b"o",
            NOW + 1,
            &NewIssuedCredential {
                key_id: "ab".repeat(32),
                issued_at: NOW + 1,
            },
        )
        .await
        .unwrap();
    let now = NOW + 10;
    let id = |h: &[u8; 32]| hex::encode(&h[..8]);
    let listed = store.enrollment_codes(None, now, 100).await.unwrap();
    assert_eq!(listed.len(), 4);
    let status_of = |l: &[CodeListing], h: &[u8; 32]| {
        l.iter()
            .find(|c| c.code_id == id(h))
            .map(|c| (c.status, c.closed_at))
    };
    assert_eq!(status_of(&listed, &open), Some((CodeStatus::Open, None)));
    assert_eq!(
        status_of(&listed, &expired),
        Some((CodeStatus::Expired, None))
    );
    assert_eq!(
        status_of(&listed, &used),
        Some((CodeStatus::Used, Some(NOW + 1)))
    );
    let mine = store
        .enrollment_codes(Some("C00000002"), now, 100)
        .await
        .unwrap();
    assert_eq!(mine.len(), 2);
    assert!(mine.iter().all(|c| c.citizen_id == "C00000002"));
    assert_eq!(store.enrollment_codes(None, now, 1).await.unwrap().len(), 1);

    // By handle: the 16-digit id, upper case too, or the whole hash.
    let inv = store
        .invalidate_enrollment_code(&id(&open).to_uppercase(), now)
        .await
        .unwrap();
    assert_eq!(inv.citizen_id, "C00000001");
    assert!(matches!(
        store.enrollment_code(&open, now).await,
        Err(EnrollmentError::Invalidated)
    ));
    assert!(matches!(
        store.set_enrollment_offer(&open, b"o", now).await,
        Err(EnrollmentError::Invalidated)
    ));
    let listed = store.enrollment_codes(None, now, 100).await.unwrap();
    assert_eq!(
        status_of(&listed, &open),
        Some((CodeStatus::Invalidated, Some(now)))
    );
    // Only open codes are invalidated.
    for h in [&open, &expired, &used] {
        assert!(matches!(
            store.invalidate_enrollment_code(&hex::encode(h), now).await,
            Err(InvalidateError::NoOpenCode(_))
        ));
    }
    assert!(matches!(
        store.invalidate_enrollment_code("0123", now).await,
        Err(InvalidateError::BadCodeId(_))
    ));
    // By citizen: every open code of theirs.
    assert_eq!(
        store
            .invalidate_citizen_codes("C00000001", now)
            .await
            .unwrap(),
        1
    );
    assert!(matches!(
        store.enrollment_code(&other, now).await,
        Err(EnrollmentError::Invalidated)
    ));
    assert_eq!(
        store
            .invalidate_citizen_codes("C00000001", now)
            .await
            .unwrap(),
        0
    );
}

async fn issuer_keys_rotate_and_retire(store: Store) {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
    let kdf = KdfParams::INSECURE_FAST;
    assert!(store.issuer_keys().await.unwrap().is_empty());
    let first = "11".repeat(32);
    assert!(store
        .record_first_issuer_key(&first, b"pk1", "authority-keys", NOW)
        .await
        .unwrap());
    // Only into an empty table.
    assert!(!store
        .record_first_issuer_key(&"99".repeat(32), b"pk9", "authority-keys", NOW)
        .await
        .unwrap());
    let second = "22".repeat(32);
    let sealed = SealedSecret::seal(&mut rng, b"pass", "issuer-key-2", b"sk2", kdf).unwrap();
    let rec = store
        .add_issuer_key(&second, b"pk2", "issuer-key-2", &sealed, NOW + 1)
        .await
        .unwrap();
    assert_eq!(rec.position, 2);
    assert!(matches!(
        store
            .add_issuer_key(&second, b"pk2", "issuer-key-2", &sealed, NOW + 1)
            .await,
        Err(IssuerKeyError::Duplicate(k)) if k == second
    ));
    let keys = store.issuer_keys().await.unwrap();
    assert_eq!(
        keys.iter().map(|k| k.key_id.as_str()).collect::<Vec<_>>(),
        [first.as_str(), second.as_str()]
    );
    assert_eq!(current_issuer_key(&keys).unwrap().key_id, second);

    assert!(matches!(
        store.retire_issuer_key(&second, "authority-keys", NOW + 2).await,
        Err(IssuerKeyError::Current(k)) if k == second
    ));
    assert!(matches!(
        store
            .retire_issuer_key(&"33".repeat(32), "authority-keys", NOW + 2)
            .await,
        Err(IssuerKeyError::Unknown(_))
    ));
    let retired = store
        .retire_issuer_key(&first, "authority-keys", NOW + 2)
        .await
        .unwrap();
    assert_eq!(retired.retired_at, Some(NOW + 2));
    assert!(matches!(
        store
            .retire_issuer_key(&first, "authority-keys", NOW + 3)
            .await,
        Err(IssuerKeyError::AlreadyRetired(_))
    ));
    // The first key's secret is the authority's sealed keys: kept.
    let keys = store.issuer_keys().await.unwrap();
    assert_eq!(current_issuer_key(&keys).unwrap().key_id, second);
    assert_eq!(keys[0].retired_at, Some(NOW + 2));

    // A rotated key's own secret is deleted when it is retired.
    let third = "33".repeat(32);
    let sealed3 = SealedSecret::seal(&mut rng, b"pass", "issuer-key-3", b"sk3", kdf).unwrap();
    store
        .add_issuer_key(&third, b"pk3", "issuer-key-3", &sealed3, NOW + 4)
        .await
        .unwrap();
    store
        .retire_issuer_key(&second, "authority-keys", NOW + 5)
        .await
        .unwrap();
    assert!(matches!(
        store.sealed_secret("issuer-key-2").await,
        Err(SecretError::NotFound(_))
    ));
    assert!(store.sealed_secret("issuer-key-3").await.is_ok());
    let keys = store.issuer_keys().await.unwrap();
    assert_eq!(current_issuer_key(&keys).unwrap().key_id, third);
    assert_eq!(keys[2].position, 3);
}
