//! Every table's behaviour, run against SQLite always and against PostgreSQL when
//! `NETNYM_TEST_PG_URL` is set (each test in a fresh PostgreSQL schema). Under `CI=true` a
//! missing `NETNYM_TEST_PG_URL` is an error, so CI cannot silently skip PostgreSQL.

// Helpers shared by the generated #[test] functions are not themselves #[test]s.
#![allow(clippy::unwrap_used)]
// The tasks must all be spawned before any is awaited: the collect is needed.
#![allow(clippy::needless_collect)]

use std::sync::Arc;

use tokio::sync::Barrier;

use netnym_store::*;
use rand::SeedableRng;

#[path = "support/backend.rs"]
#[macro_use]
mod backend;

use backend::*;

both_backends!(
    citizens_get_dense_revocation_ids_and_import_is_all_or_nothing,
    enrollment_code_lifecycle,
    enrollment_code_redeemed_at_most_once_under_concurrency,
    epoch_log_is_gapless_and_append_only,
    sealed_secrets_round_trip_and_refuse_wrong_passphrase,
    requests_are_consumed_once_with_the_account_sign_in,
    request_nonce_consumed_exactly_once_under_concurrency,
    accounts_sign_in_or_register,
    ping_answers,
    more_tasks_than_connections_all_succeed,
    staged_revoked_set_backs_the_core_accumulator,
);

async fn citizens_get_dense_revocation_ids_and_import_is_all_or_nothing(store: Store) {
    let first = import(&store, 3).await;
    assert_eq!(
        first.iter().map(|c| c.revocation_id).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    let second = store
        .import_citizens(&generate_citizens(1, 4, 2), NOW + 1)
        .await
        .unwrap();
    assert_eq!(second[0].revocation_id, 4);
    assert_eq!(second[1].citizen_id, "C00000005");
    assert_eq!(store.citizen_count().await.unwrap(), 5);

    // A batch with one already-registered id imports nothing.
    let mut batch = generate_citizens(9, 6, 2);
    batch.push(generate_citizens(1, 2, 1).remove(0));
    match store.import_citizens(&batch, NOW).await {
        Err(ImportError::AlreadyRegistered(id)) => assert_eq!(id, "C00000002"),
        other => panic!("expected AlreadyRegistered, got {other:?}"),
    }
    assert_eq!(store.citizen_count().await.unwrap(), 5);
    assert!(store.citizen("C00000006").await.unwrap().is_none());

    // IMP-005: a document registered to C00000003 cannot be registered to a new citizen; the
    // batch imports nothing.
    let mut batch = generate_citizens(9, 6, 2);
    let mut twin = generate_citizens(9, 8, 1).remove(0);
    twin.attributes = first[2].attributes.clone();
    batch.push(twin);
    match store.import_citizens(&batch, NOW).await {
        Err(ImportError::DocumentRegistered(id)) => assert_eq!(id, "C00000008"),
        other => panic!("expected DocumentRegistered, got {other:?}"),
    }
    assert_eq!(store.citizen_count().await.unwrap(), 5);
    assert!(store.citizen("C00000006").await.unwrap().is_none());

    // IMP-005 / IMP-006 within one call: refused before anything is written, with positions.
    let mut batch = generate_citizens(9, 6, 3);
    batch[2].attributes = batch[0].attributes.clone();
    match store.import_citizens(&batch, NOW).await {
        Err(ImportError::Invalid(e)) => {
            assert_eq!(e.len(), 1);
            assert_eq!(
                (e[0].line, e[0].message.as_str()),
                (3, "IMP-005: this document appears twice")
            );
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    let mut batch = generate_citizens(9, 6, 2);
    batch[1].citizen_id = batch[0].citizen_id.clone();
    match store.import_citizens(&batch, NOW).await {
        Err(ImportError::Invalid(e)) => assert_eq!(
            (e[0].line, e[0].message.as_str()),
            (2, "IMP-006: citizen_id \"C00000006\" appears twice")
        ),
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert_eq!(store.citizen_count().await.unwrap(), 5);

    // Invalid attributes are refused before anything is written.
    let mut bad = generate_citizens(2, 10, 1);
    bad[0].attributes["birth_date"] = "2000-02-30".into();
    assert!(matches!(
        store.import_citizens(&bad, NOW).await,
        Err(ImportError::Invalid(e)) if e[0].line == 1 && e[0].message.contains("birth_date")
    ));
    assert!(matches!(
        store.import_citizens(&[], NOW).await,
        Err(ImportError::Empty)
    ));

    let c = store.citizen("C00000002").await.unwrap().unwrap();
    assert_eq!(c, first[1]);
    assert_eq!(store.citizen_by_revocation_id(2).await.unwrap().unwrap(), c);
    assert!(store.citizen_by_revocation_id(99).await.unwrap().is_none());
    assert!(store
        .citizen_by_revocation_id(u64::MAX)
        .await
        .unwrap()
        .is_none());
    let schema = netnym::Schema::cn_network_id_v1();
    let attrs = c.credential_attributes(&schema).unwrap();
    assert_eq!(
        attrs.get("revocation_id"),
        Some(&netnym::AttributeValue::Uint(2))
    );
    let page = store.citizens(1, 2).await.unwrap();
    assert_eq!(
        page.iter().map(|c| c.revocation_id).collect::<Vec<_>>(),
        vec![2, 3]
    );
}

fn record() -> NewIssuedCredential {
    NewIssuedCredential {
        key_id: "ab".repeat(32),
        issued_at: NOW + 5,
    }
}

async fn enrollment_code_lifecycle(store: Store) {
    import(&store, 2).await;
    assert!(matches!(
        store.add_enrollment_code(&[7; 32], "nobody", NOW, NOW + 10).await,
        Err(EnrollmentError::UnknownCitizen(c)) if c == "nobody"
    ));
    let h = new_code(&store, "C00000002", NOW + 100).await;
    let rec = store.enrollment_code(&h, NOW).await.unwrap();
    assert_eq!(rec.citizen_id, "C00000002");
    assert_eq!(rec.offer, None);
    assert!(matches!(
        store.enrollment_code(&[9; 32], NOW).await,
        Err(EnrollmentError::UnknownCode)
    ));

    // Redeeming needs the offer made for the code.
    assert!(matches!(
        store
            .redeem_enrollment_code(&h, b"offer-1", NOW + 5, &record())
            .await,
        Err(EnrollmentError::NoOffer)
    ));
    store
        .set_enrollment_offer(&h, b"offer-1", NOW + 1)
        .await
        .unwrap();
    store
        .set_enrollment_offer(&h, b"offer-2", NOW + 2)
        .await
        .unwrap();
    assert_eq!(
        store
            .enrollment_code(&h, NOW + 2)
            .await
            .unwrap()
            .offer
            .as_deref(),
        Some(&b"offer-2"[..])
    );
    assert!(matches!(
        store
            .redeem_enrollment_code(&h, b"offer-1", NOW + 5, &record())
            .await,
        Err(EnrollmentError::NoOffer)
    ));
    assert_eq!(store.issued_credential_count().await.unwrap(), 0);

    let issued = store
        .redeem_enrollment_code(&h, b"offer-2", NOW + 5, &record())
        .await
        .unwrap();
    assert_eq!(issued.citizen_id, "C00000002");
    assert_eq!(issued.revocation_id, 2);
    assert_eq!(issued.key_id, "ab".repeat(32));
    assert!(matches!(
        store
            .redeem_enrollment_code(&h, b"offer-2", NOW + 6, &record())
            .await,
        Err(EnrollmentError::AlreadyUsed)
    ));
    assert!(matches!(
        store.enrollment_code(&h, NOW + 6).await,
        Err(EnrollmentError::AlreadyUsed)
    ));
    assert!(matches!(
        store.set_enrollment_offer(&h, b"offer-3", NOW + 6).await,
        Err(EnrollmentError::AlreadyUsed)
    ));
    assert_eq!(
        store.issued_credentials("C00000002").await.unwrap(),
        vec![issued]
    );
    assert!(store
        .issued_credentials("C00000001")
        .await
        .unwrap()
        .is_empty());

    // Expiry: usable strictly before `expires_at`.
    let e = new_code(&store, "C00000001", NOW + 10).await;
    store.set_enrollment_offer(&e, b"o", NOW + 9).await.unwrap();
    assert!(matches!(
        store
            .redeem_enrollment_code(&e, b"o", NOW + 10, &record())
            .await,
        Err(EnrollmentError::Expired)
    ));
    assert!(matches!(
        store.set_enrollment_offer(&e, b"o", NOW + 10).await,
        Err(EnrollmentError::Expired)
    ));
    assert_eq!(store.issued_credential_count().await.unwrap(), 1);
}

async fn enrollment_code_redeemed_at_most_once_under_concurrency(store: Store) {
    import(&store, 1).await;
    for _round in 0..5 {
        let h = new_code(&store, "C00000001", NOW + 100).await;
        store.set_enrollment_offer(&h, b"offer", NOW).await.unwrap();
        let n = 4;
        let barrier = Arc::new(Barrier::new(n));
        let handles: Vec<_> = (0..n)
            .map(|_| {
                let (store, barrier) = (store.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    store
                        .redeem_enrollment_code(&h, b"offer", NOW + 1, &record())
                        .await
                })
            })
            .collect();
        let mut results = Vec::new();
        for h in handles {
            results.push(h.await.unwrap());
        }
        let wins = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(wins, 1, "{results:?}");
        assert!(results
            .iter()
            .filter(|r| r.is_err())
            .all(|r| matches!(r, Err(EnrollmentError::AlreadyUsed))));
    }
    assert_eq!(store.issued_credential_count().await.unwrap(), 5);
}

async fn epoch_log_is_gapless_and_append_only(store: Store) {
    import(&store, 5).await;
    assert_eq!(store.latest_epoch().await.unwrap(), None);
    assert!(matches!(
        store.append_epoch(1, &[1], b"{}", NOW).await,
        Err(EpochError::NotNext { got: 1, last: None })
    ));
    assert!(matches!(
        store.append_epoch(0, &[1], b"{}", NOW).await,
        Err(EpochError::Invalid(_))
    ));
    store.append_epoch(0, &[], b"{\"e\":0}", NOW).await.unwrap();
    assert_eq!(store.latest_epoch().await.unwrap(), Some(0));
    assert!(matches!(
        store.append_epoch(2, &[1], b"{}", NOW).await,
        Err(EpochError::NotNext {
            got: 2,
            last: Some(0)
        })
    ));
    store
        .append_epoch(1, &[3, 1], b"{\"e\":1}", NOW)
        .await
        .unwrap();
    assert!(matches!(
        store.append_epoch(1, &[2], b"{}", NOW).await,
        Err(EpochError::NotNext {
            got: 1,
            last: Some(1)
        })
    ));
    assert!(matches!(
        store.append_epoch(0, &[], b"{}", NOW).await,
        Err(EpochError::NotNext {
            got: 0,
            last: Some(1)
        })
    ));
    assert!(matches!(
        store.append_epoch(3, &[2], b"{}", NOW).await,
        Err(EpochError::NotNext {
            got: 3,
            last: Some(1)
        })
    ));
    // An already revoked id aborts the whole epoch.
    assert!(matches!(
        store.append_epoch(2, &[2, 3], b"{}", NOW).await,
        Err(EpochError::AlreadyRevoked(3))
    ));
    assert!(matches!(
        store.append_epoch(2, &[6], b"{}", NOW).await,
        Err(EpochError::UnknownRevocationId(6))
    ));
    assert_eq!(store.latest_epoch().await.unwrap(), Some(1));
    assert!(!store.is_revoked(2).await.unwrap());
    assert!(matches!(
        store.append_epoch(2, &[], b"{}", NOW).await,
        Err(EpochError::Invalid(_))
    ));
    assert!(matches!(
        store.append_epoch(2, &[2, 2], b"{}", NOW).await,
        Err(EpochError::Invalid(_))
    ));
    store
        .append_epoch(2, &[2], b"{\"e\":2}", NOW + 1)
        .await
        .unwrap();
    assert_eq!(store.latest_epoch().await.unwrap(), Some(2));
    assert_eq!(store.revoked_ids().await.unwrap(), vec![1, 2, 3]);
    assert_eq!(store.revoked_count().await.unwrap(), 3);
    assert!(store.is_revoked(1).await.unwrap() && !store.is_revoked(4).await.unwrap());
    assert!(!store.is_revoked(u64::MAX).await.unwrap());
    let log = store.epochs_from(0, 100).await.unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(log[1].entry, b"{\"e\":1}");
    assert_eq!((log[2].epoch, log[2].created_at), (2, NOW + 1));
    assert_eq!(store.epochs_from(2, 100).await.unwrap().len(), 1);
    assert_eq!(store.epochs_from(1, 1).await.unwrap().len(), 1);
    assert!(store.epochs_from(3, 100).await.unwrap().is_empty());
}

async fn sealed_secrets_round_trip_and_refuse_wrong_passphrase(store: Store) {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
    let kdf = KdfParams::INSECURE_FAST;
    let sealed =
        SealedSecret::seal(&mut rng, b"correct horse", "issuer-key", b"top secret", kdf).unwrap();
    store
        .put_sealed_secret("issuer-key", &sealed)
        .await
        .unwrap();
    assert!(matches!(
        store.put_sealed_secret("issuer-key", &sealed).await,
        Err(SecretError::AlreadyExists(n)) if n == "issuer-key"
    ));
    assert!(matches!(
        store.sealed_secret("other").await,
        Err(SecretError::NotFound(n)) if n == "other"
    ));
    let back = store.sealed_secret("issuer-key").await.unwrap();
    assert_eq!(back, sealed);
    assert_eq!(
        &back.open(b"correct horse", "issuer-key").unwrap()[..],
        b"top secret"
    );
    assert!(matches!(
        back.open(b"wrong horse", "issuer-key"),
        Err(SecretError::WrongPassphrase)
    ));
    // Bound to its name: moved to another slot it does not open.
    assert!(matches!(
        back.open(b"correct horse", "revocation-key"),
        Err(SecretError::WrongPassphrase)
    ));
}

async fn requests_are_consumed_once_with_the_account_sign_in(store: Store) {
    let nonce = [1u8; 32];
    store
        .put_request(&nonce, "shop.example", b"{\"req\":1}", NOW, NOW + 300)
        .await
        .unwrap();
    assert!(matches!(
        store
            .put_request(&nonce, "shop.example", b"{}", NOW, NOW + 300)
            .await,
        Err(PutRequestError::DuplicateNonce)
    ));
    assert!(matches!(
        store
            .put_request(&[], "shop.example", b"{}", NOW, NOW + 300)
            .await,
        Err(PutRequestError::Invalid(_))
    ));
    assert!(matches!(
        store
            .put_request(&[2; 32], "shop.example", b"{}", NOW, NOW - 1)
            .await,
        Err(PutRequestError::Invalid(_))
    ));
    let r = store.request(&nonce).await.unwrap().unwrap();
    assert_eq!(r.request, b"{\"req\":1}");
    assert_eq!((r.expires_at, r.consumed_at), (NOW + 300, None));
    assert!(store.request(&[9; 32]).await.unwrap().is_none());

    let nym = [7u8; 48];
    let a = store
        .consume_request(&nonce, NOW + 10, Some(&nym))
        .await
        .unwrap()
        .unwrap();
    assert!(a.new_account);
    assert_eq!((a.login_count, a.verifier_id.as_str()), (1, "shop.example"));
    assert!(matches!(
        store.consume_request(&nonce, NOW + 11, Some(&nym)).await,
        Err(ConsumeError::Replayed)
    ));
    assert_eq!(
        store.request(&nonce).await.unwrap().unwrap().consumed_at,
        Some(NOW + 10)
    );
    assert!(matches!(
        store.consume_request(&[9; 32], NOW, None).await,
        Err(ConsumeError::Unknown)
    ));

    // Expired: refused, and no account is created.
    let late = [3u8; 32];
    store
        .put_request(&late, "shop.example", b"{}", NOW, NOW + 300)
        .await
        .unwrap();
    assert!(matches!(
        store
            .consume_request(&late, NOW + 301, Some(&[8u8; 48]))
            .await,
        Err(ConsumeError::Expired)
    ));
    assert!(store
        .account("shop.example", &[8u8; 48])
        .await
        .unwrap()
        .is_none());
    // Valid up to and including `expires_at`; no pseudonym means no account.
    let edge = [4u8; 32];
    store
        .put_request(&edge, "shop.example", b"{}", NOW, NOW + 300)
        .await
        .unwrap();
    assert_eq!(
        store.consume_request(&edge, NOW + 300, None).await.unwrap(),
        None
    );
    assert_eq!(store.account_count("shop.example").await.unwrap(), 1);

    // Purge removes only requests past their expiry.
    store
        .put_request(&[5u8; 32], "shop.example", b"{}", NOW, NOW + 1000)
        .await
        .unwrap();
    assert_eq!(store.purge_expired_requests(NOW + 301).await.unwrap(), 3);
    assert!(store.request(&nonce).await.unwrap().is_none());
    assert!(store.request(&[5u8; 32]).await.unwrap().is_some());
}

async fn request_nonce_consumed_exactly_once_under_concurrency(store: Store) {
    for round in 0u8..5 {
        let nonce = [round; 32];
        store
            .put_request(&nonce, "shop.example", b"{}", NOW, NOW + 300)
            .await
            .unwrap();
        let n = 4u8;
        let barrier = Arc::new(Barrier::new(usize::from(n)));
        let handles: Vec<_> = (0..n)
            .map(|t| {
                let (store, barrier) = (store.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    store.consume_request(&nonce, NOW + 1, Some(&[t; 48])).await
                })
            })
            .collect();
        let mut results = Vec::new();
        for h in handles {
            results.push(h.await.unwrap());
        }
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "{results:?}"
        );
        assert!(results
            .iter()
            .filter(|r| r.is_err())
            .all(|r| matches!(r, Err(ConsumeError::Replayed))));
    }
    // One login per round, nothing from the losers.
    let mut total = 0;
    for t in 0u8..4 {
        if let Some(a) = store.account("shop.example", &[t; 48]).await.unwrap() {
            total += a.login_count;
        }
    }
    assert_eq!(total, 5);
}

async fn accounts_sign_in_or_register(store: Store) {
    let a1 = store
        .sign_in_or_register("shop.example", b"nym-a", NOW)
        .await
        .unwrap();
    assert!(a1.new_account);
    assert_eq!(
        (a1.created_at, a1.last_login, a1.login_count),
        (NOW, NOW, 1)
    );
    let a2 = store
        .sign_in_or_register("shop.example", b"nym-a", NOW + 60)
        .await
        .unwrap();
    assert!(!a2.new_account);
    assert_eq!(a2.account_id, a1.account_id);
    assert_eq!(
        (a2.created_at, a2.last_login, a2.login_count),
        (NOW, NOW + 60, 2)
    );
    // Another platform, same bytes: another account.
    let b = store
        .sign_in_or_register("rail.example", b"nym-a", NOW)
        .await
        .unwrap();
    assert!(b.new_account);
    assert_ne!(b.account_id, a1.account_id);
    let c = store
        .sign_in_or_register("shop.example", b"nym-c", NOW)
        .await
        .unwrap();
    assert_ne!(c.account_id, a1.account_id);
    assert_eq!(store.account_count("shop.example").await.unwrap(), 2);
    assert_eq!(store.account_count("rail.example").await.unwrap(), 1);
    let got = store
        .account("shop.example", b"nym-a")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((got.account_id, got.login_count), (a1.account_id, 2));
    assert!(store
        .account("shop.example", b"nym-x")
        .await
        .unwrap()
        .is_none());
}

async fn more_tasks_than_connections_all_succeed(store: Store) {
    let tasks = DEFAULT_POOL_SIZE as usize + 8;
    let handles: Vec<_> = (0..tasks)
        .map(|t| {
            let store = store.clone();
            tokio::spawn(async move {
                for n in 0..5u64 {
                    store
                        .sign_in_or_register(
                            "busy.example",
                            &[u8::try_from(t % 4).unwrap(); 8],
                            NOW + n,
                        )
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.await.unwrap();
    }
    let mut total = 0;
    for t in 0u8..4 {
        total += store
            .account("busy.example", &[t; 8])
            .await
            .unwrap()
            .unwrap()
            .login_count;
    }
    assert_eq!(total, 5 * tasks as u64);
    assert_eq!(store.account_count("busy.example").await.unwrap(), 4);
}

async fn ping_answers(store: Store) {
    store.ping().await.unwrap();
    assert!(["sqlite", "postgres"].contains(&store.backend()));
}

async fn staged_revoked_set_backs_the_core_accumulator(store: Store) {
    use netnym::{MembershipWitness, RevocationAuthority, RevokedSet};
    import(&store, 4).await;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
    let (authority, genesis) = RevocationAuthority::generate(&mut rng, 4).unwrap();
    store
        .append_epoch(0, &[], &genesis.to_json(), NOW)
        .await
        .unwrap();
    let view = StagedRevokedSet::load(&store, &[2]).await.unwrap();
    let mut witness: MembershipWitness = authority.witness(2, &genesis, &view).unwrap();
    assert_eq!(view.missed(), None);

    let mut set = StagedRevokedSet::load(&store, &[3]).await.unwrap();
    let e1 = authority.revoke(&genesis, &[3], &mut set).unwrap();
    assert!(set.is_revoked(3));
    assert!(
        !store.is_revoked(3).await.unwrap(),
        "nothing written before commit"
    );
    set.commit(&store, &e1, NOW + 1).await.unwrap();
    assert!(store.is_revoked(3).await.unwrap());
    assert_eq!(store.latest_epoch().await.unwrap(), Some(1));

    // The stored entry is the core's JSON, and updates a holder's witness.
    let stored = store.epochs_from(1, 10).await.unwrap();
    let parsed = netnym::EpochEntry::from_json(&stored[0].entry).unwrap();
    assert_eq!(parsed, e1);
    witness.update(&parsed).unwrap();
    assert!(witness.verify(authority.public_key()));

    // Revoking a revoked id fails in the core, nothing staged.
    let mut set = StagedRevokedSet::load(&store, &[3]).await.unwrap();
    assert!(authority.revoke(&e1, &[3], &mut set).is_err());
    assert!(set.staged().is_empty());
    assert_eq!(set.revoked_count(), 1);
    // A witness for a revoked id is refused.
    let view = StagedRevokedSet::load(&store, &[3]).await.unwrap();
    assert!(authority.witness(3, &e1, &view).is_err());
    // An id the set did not load reads as revoked (fail closed), and the set refuses to commit.
    let mut set = StagedRevokedSet::load(&store, &[1]).await.unwrap();
    assert!(authority.witness(4, &e1, &set).is_err());
    assert_eq!(set.missed(), Some(4));
    let e2 = authority.revoke(&e1, &[1], &mut set).unwrap();
    assert!(matches!(
        set.commit(&store, &e2, NOW + 2).await,
        Err(EpochError::Invalid(_))
    ));
    // A stale writer (epoch computed from genesis again) is refused by the store.
    let mut set = StagedRevokedSet::load(&store, &[4]).await.unwrap();
    let stale = authority.revoke(&genesis, &[4], &mut set).unwrap();
    assert!(matches!(
        set.commit(&store, &stale, NOW + 2).await,
        Err(EpochError::NotNext {
            got: 1,
            last: Some(1)
        })
    ));
    assert!(!store.is_revoked(4).await.unwrap());
}
