//! Every table's behaviour, run against SQLite always and against PostgreSQL when
//! `NETNYM_TEST_PG_URL` is set (each test in a fresh PostgreSQL schema). Under `CI=true` a
//! missing `NETNYM_TEST_PG_URL` is an error, so CI cannot silently skip PostgreSQL.

// Helpers shared by the generated #[test] functions are not themselves #[test]s.
#![allow(clippy::unwrap_used)]
// The threads must all be spawned before any is joined: the collect is needed.
#![allow(clippy::needless_collect)]

use std::sync::{Arc, Barrier};

use netnym_store::*;
use rand::SeedableRng;

const NOW: u64 = 1_764_000_000;

struct Backend {
    store: Arc<dyn Store>,
    _guard: Option<PgSchemaGuard>,
    _dir: Option<tempfile::TempDir>,
}

struct PgSchemaGuard {
    url: String,
    schema: String,
}

impl Drop for PgSchemaGuard {
    fn drop(&mut self) {
        if let Ok(mut c) = ::postgres::Client::connect(&self.url, ::postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}

fn sqlite_backend() -> Backend {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_in_data_dir(&dir.path().join("data")).unwrap();
    Backend {
        store: Arc::new(store),
        _guard: None,
        _dir: Some(dir),
    }
}

fn pg_url() -> Option<String> {
    match std::env::var("NETNYM_TEST_PG_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but NETNYM_TEST_PG_URL is not set: PostgreSQL tests would be skipped"
            );
            eprintln!("NETNYM_TEST_PG_URL not set: PostgreSQL test skipped");
            None
        }
    }
}

fn fresh_schema_name() -> String {
    use rand::RngCore;
    format!("t_{:016x}", rand::rngs::OsRng.next_u64())
}

fn pg_backend() -> Option<Backend> {
    let url = pg_url()?;
    let schema = fresh_schema_name();
    let guard = PgSchemaGuard {
        url: url.clone(),
        schema: schema.clone(),
    };
    let store = PgStore::connect_in_schema(&url, &schema).unwrap();
    Some(Backend {
        store: Arc::new(store),
        _guard: Some(guard),
        _dir: None,
    })
}

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(super::sqlite_backend().store.clone()) } )*
        }
        mod postgres {
            $( #[test] fn $name() {
                if let Some(b) = super::pg_backend() { super::$name(b.store.clone()) }
            } )*
        }
    };
}

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
    more_threads_than_connections_all_succeed,
);

fn import(store: &dyn Store, n: usize) -> Vec<Citizen> {
    store
        .import_citizens(&generate_citizens(1, 1, n), NOW)
        .unwrap()
}

fn citizens_get_dense_revocation_ids_and_import_is_all_or_nothing(store: Arc<dyn Store>) {
    let first = import(&*store, 3);
    assert_eq!(
        first.iter().map(|c| c.revocation_id).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    let second = store
        .import_citizens(&generate_citizens(1, 4, 2), NOW + 1)
        .unwrap();
    assert_eq!(second[0].revocation_id, 4);
    assert_eq!(second[1].citizen_id, "C00000005");
    assert_eq!(store.citizen_count().unwrap(), 5);

    // A batch with one already-registered id imports nothing.
    let mut batch = generate_citizens(9, 6, 2);
    batch.push(generate_citizens(1, 2, 1).remove(0));
    match store.import_citizens(&batch, NOW) {
        Err(ImportError::AlreadyRegistered(id)) => assert_eq!(id, "C00000002"),
        other => panic!("expected AlreadyRegistered, got {other:?}"),
    }
    assert_eq!(store.citizen_count().unwrap(), 5);
    assert!(store.citizen("C00000006").unwrap().is_none());

    // Invalid attributes are refused before anything is written.
    let mut bad = generate_citizens(2, 10, 1);
    bad[0].attributes["birth_date"] = "2000-02-30".into();
    assert!(matches!(
        store.import_citizens(&bad, NOW),
        Err(ImportError::Invalid(e)) if e[0].line == 1 && e[0].message.contains("birth_date")
    ));
    assert!(matches!(
        store.import_citizens(&[], NOW),
        Err(ImportError::Empty)
    ));

    let c = store.citizen("C00000002").unwrap().unwrap();
    assert_eq!(c, first[1]);
    assert_eq!(store.citizen_by_revocation_id(2).unwrap().unwrap(), c);
    assert!(store.citizen_by_revocation_id(99).unwrap().is_none());
    assert!(store.citizen_by_revocation_id(u64::MAX).unwrap().is_none());
    let schema = netnym::Schema::cn_network_id_v1();
    let attrs = c.credential_attributes(&schema).unwrap();
    assert_eq!(
        attrs.get("revocation_id"),
        Some(&netnym::AttributeValue::Uint(2))
    );
    let page = store.citizens(1, 2).unwrap();
    assert_eq!(
        page.iter().map(|c| c.revocation_id).collect::<Vec<_>>(),
        vec![2, 3]
    );
}

fn new_code(store: &dyn Store, citizen: &str, expires_at: u64) -> [u8; 32] {
    let mut rng = rand_chacha::ChaCha20Rng::from_entropy();
    let code = EnrollmentCode::generate(&mut rng);
    store
        .add_enrollment_code(&code.hash(), citizen, NOW, expires_at)
        .unwrap();
    code.hash()
}

fn record() -> NewIssuedCredential {
    NewIssuedCredential {
        key_id: "ab".repeat(32),
        issued_at: NOW + 5,
    }
}

fn enrollment_code_lifecycle(store: Arc<dyn Store>) {
    import(&*store, 2);
    assert!(matches!(
        store.add_enrollment_code(&[7; 32], "nobody", NOW, NOW + 10),
        Err(EnrollmentError::UnknownCitizen(c)) if c == "nobody"
    ));
    let h = new_code(&*store, "C00000002", NOW + 100);
    let rec = store.enrollment_code(&h, NOW).unwrap();
    assert_eq!(rec.citizen_id, "C00000002");
    assert_eq!(rec.offer, None);
    assert!(matches!(
        store.enrollment_code(&[9; 32], NOW),
        Err(EnrollmentError::UnknownCode)
    ));

    // Redeeming needs the offer made for the code.
    assert!(matches!(
        store.redeem_enrollment_code(&h, b"offer-1", NOW + 5, &record()),
        Err(EnrollmentError::NoOffer)
    ));
    store.set_enrollment_offer(&h, b"offer-1", NOW + 1).unwrap();
    store.set_enrollment_offer(&h, b"offer-2", NOW + 2).unwrap();
    assert_eq!(
        store.enrollment_code(&h, NOW + 2).unwrap().offer.as_deref(),
        Some(&b"offer-2"[..])
    );
    assert!(matches!(
        store.redeem_enrollment_code(&h, b"offer-1", NOW + 5, &record()),
        Err(EnrollmentError::NoOffer)
    ));
    assert_eq!(store.issued_credential_count().unwrap(), 0);

    let issued = store
        .redeem_enrollment_code(&h, b"offer-2", NOW + 5, &record())
        .unwrap();
    assert_eq!(issued.citizen_id, "C00000002");
    assert_eq!(issued.revocation_id, 2);
    assert_eq!(issued.key_id, "ab".repeat(32));
    assert!(matches!(
        store.redeem_enrollment_code(&h, b"offer-2", NOW + 6, &record()),
        Err(EnrollmentError::AlreadyUsed)
    ));
    assert!(matches!(
        store.enrollment_code(&h, NOW + 6),
        Err(EnrollmentError::AlreadyUsed)
    ));
    assert!(matches!(
        store.set_enrollment_offer(&h, b"offer-3", NOW + 6),
        Err(EnrollmentError::AlreadyUsed)
    ));
    assert_eq!(store.issued_credentials("C00000002").unwrap(), vec![issued]);
    assert!(store.issued_credentials("C00000001").unwrap().is_empty());

    // Expiry: usable strictly before `expires_at`.
    let e = new_code(&*store, "C00000001", NOW + 10);
    store.set_enrollment_offer(&e, b"o", NOW + 9).unwrap();
    assert!(matches!(
        store.redeem_enrollment_code(&e, b"o", NOW + 10, &record()),
        Err(EnrollmentError::Expired)
    ));
    assert!(matches!(
        store.set_enrollment_offer(&e, b"o", NOW + 10),
        Err(EnrollmentError::Expired)
    ));
    assert_eq!(store.issued_credential_count().unwrap(), 1);
}

fn enrollment_code_redeemed_at_most_once_under_concurrency(store: Arc<dyn Store>) {
    import(&*store, 1);
    for _round in 0..5 {
        let h = new_code(&*store, "C00000001", NOW + 100);
        store.set_enrollment_offer(&h, b"offer", NOW).unwrap();
        let n = 4;
        let barrier = Arc::new(Barrier::new(n));
        let handles: Vec<_> = (0..n)
            .map(|_| {
                let (store, barrier) = (store.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    store.redeem_enrollment_code(&h, b"offer", NOW + 1, &record())
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let wins = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(wins, 1, "{results:?}");
        assert!(results
            .iter()
            .filter(|r| r.is_err())
            .all(|r| matches!(r, Err(EnrollmentError::AlreadyUsed))));
    }
    assert_eq!(store.issued_credential_count().unwrap(), 5);
}

fn epoch_log_is_gapless_and_append_only(store: Arc<dyn Store>) {
    import(&*store, 5);
    assert_eq!(store.latest_epoch().unwrap(), None);
    assert!(matches!(
        store.append_epoch(1, &[1], b"{}", NOW),
        Err(EpochError::NotNext { got: 1, last: None })
    ));
    assert!(matches!(
        store.append_epoch(0, &[1], b"{}", NOW),
        Err(EpochError::Invalid(_))
    ));
    store.append_epoch(0, &[], b"{\"e\":0}", NOW).unwrap();
    assert_eq!(store.latest_epoch().unwrap(), Some(0));
    assert!(matches!(
        store.append_epoch(2, &[1], b"{}", NOW),
        Err(EpochError::NotNext {
            got: 2,
            last: Some(0)
        })
    ));
    store.append_epoch(1, &[3, 1], b"{\"e\":1}", NOW).unwrap();
    assert!(matches!(
        store.append_epoch(1, &[2], b"{}", NOW),
        Err(EpochError::NotNext {
            got: 1,
            last: Some(1)
        })
    ));
    assert!(matches!(
        store.append_epoch(0, &[], b"{}", NOW),
        Err(EpochError::NotNext {
            got: 0,
            last: Some(1)
        })
    ));
    assert!(matches!(
        store.append_epoch(3, &[2], b"{}", NOW),
        Err(EpochError::NotNext {
            got: 3,
            last: Some(1)
        })
    ));
    // An already revoked id aborts the whole epoch.
    assert!(matches!(
        store.append_epoch(2, &[2, 3], b"{}", NOW),
        Err(EpochError::AlreadyRevoked(3))
    ));
    assert!(matches!(
        store.append_epoch(2, &[6], b"{}", NOW),
        Err(EpochError::UnknownRevocationId(6))
    ));
    assert_eq!(store.latest_epoch().unwrap(), Some(1));
    assert!(!store.is_revoked(2).unwrap());
    assert!(matches!(
        store.append_epoch(2, &[], b"{}", NOW),
        Err(EpochError::Invalid(_))
    ));
    assert!(matches!(
        store.append_epoch(2, &[2, 2], b"{}", NOW),
        Err(EpochError::Invalid(_))
    ));
    store.append_epoch(2, &[2], b"{\"e\":2}", NOW + 1).unwrap();
    assert_eq!(store.latest_epoch().unwrap(), Some(2));
    assert_eq!(store.revoked_ids().unwrap(), vec![1, 2, 3]);
    assert_eq!(store.revoked_count().unwrap(), 3);
    assert!(store.is_revoked(1).unwrap() && !store.is_revoked(4).unwrap());
    assert!(!store.is_revoked(u64::MAX).unwrap());
    let log = store.epochs_from(0, 100).unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(log[1].entry, b"{\"e\":1}");
    assert_eq!((log[2].epoch, log[2].created_at), (2, NOW + 1));
    assert_eq!(store.epochs_from(2, 100).unwrap().len(), 1);
    assert_eq!(store.epochs_from(1, 1).unwrap().len(), 1);
    assert!(store.epochs_from(3, 100).unwrap().is_empty());
}

fn sealed_secrets_round_trip_and_refuse_wrong_passphrase(store: Arc<dyn Store>) {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
    let kdf = KdfParams::INSECURE_FAST;
    let sealed =
        SealedSecret::seal(&mut rng, b"correct horse", "issuer-key", b"top secret", kdf).unwrap();
    store.put_sealed_secret("issuer-key", &sealed).unwrap();
    assert!(matches!(
        store.put_sealed_secret("issuer-key", &sealed),
        Err(SecretError::AlreadyExists(n)) if n == "issuer-key"
    ));
    assert!(matches!(
        store.sealed_secret("other"),
        Err(SecretError::NotFound(n)) if n == "other"
    ));
    let back = store.sealed_secret("issuer-key").unwrap();
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

fn requests_are_consumed_once_with_the_account_sign_in(store: Arc<dyn Store>) {
    let nonce = [1u8; 32];
    store
        .put_request(&nonce, "shop.example", b"{\"req\":1}", NOW, NOW + 300)
        .unwrap();
    assert!(matches!(
        store.put_request(&nonce, "shop.example", b"{}", NOW, NOW + 300),
        Err(PutRequestError::DuplicateNonce)
    ));
    assert!(matches!(
        store.put_request(&[], "shop.example", b"{}", NOW, NOW + 300),
        Err(PutRequestError::Invalid(_))
    ));
    assert!(matches!(
        store.put_request(&[2; 32], "shop.example", b"{}", NOW, NOW - 1),
        Err(PutRequestError::Invalid(_))
    ));
    let r = store.request(&nonce).unwrap().unwrap();
    assert_eq!(r.request, b"{\"req\":1}");
    assert_eq!((r.expires_at, r.consumed_at), (NOW + 300, None));
    assert!(store.request(&[9; 32]).unwrap().is_none());

    let nym = [7u8; 48];
    let a = store
        .consume_request(&nonce, NOW + 10, Some(&nym))
        .unwrap()
        .unwrap();
    assert!(a.new_account);
    assert_eq!((a.login_count, a.verifier_id.as_str()), (1, "shop.example"));
    assert!(matches!(
        store.consume_request(&nonce, NOW + 11, Some(&nym)),
        Err(ConsumeError::Replayed)
    ));
    assert_eq!(
        store.request(&nonce).unwrap().unwrap().consumed_at,
        Some(NOW + 10)
    );
    assert!(matches!(
        store.consume_request(&[9; 32], NOW, None),
        Err(ConsumeError::Unknown)
    ));

    // Expired: refused, and no account is created.
    let late = [3u8; 32];
    store
        .put_request(&late, "shop.example", b"{}", NOW, NOW + 300)
        .unwrap();
    assert!(matches!(
        store.consume_request(&late, NOW + 301, Some(&[8u8; 48])),
        Err(ConsumeError::Expired)
    ));
    assert!(store.account("shop.example", &[8u8; 48]).unwrap().is_none());
    // Valid up to and including `expires_at`; no pseudonym means no account.
    let edge = [4u8; 32];
    store
        .put_request(&edge, "shop.example", b"{}", NOW, NOW + 300)
        .unwrap();
    assert_eq!(store.consume_request(&edge, NOW + 300, None).unwrap(), None);
    assert_eq!(store.account_count("shop.example").unwrap(), 1);

    // Purge removes only requests past their expiry.
    store
        .put_request(&[5u8; 32], "shop.example", b"{}", NOW, NOW + 1000)
        .unwrap();
    assert_eq!(store.purge_expired_requests(NOW + 301).unwrap(), 3);
    assert!(store.request(&nonce).unwrap().is_none());
    assert!(store.request(&[5u8; 32]).unwrap().is_some());
}

fn request_nonce_consumed_exactly_once_under_concurrency(store: Arc<dyn Store>) {
    for round in 0u8..5 {
        let nonce = [round; 32];
        store
            .put_request(&nonce, "shop.example", b"{}", NOW, NOW + 300)
            .unwrap();
        let n = 4u8;
        let barrier = Arc::new(Barrier::new(usize::from(n)));
        let handles: Vec<_> = (0..n)
            .map(|t| {
                let (store, barrier) = (store.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    store.consume_request(&nonce, NOW + 1, Some(&[t; 48]))
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
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
    let total: u64 = (0u8..4)
        .filter_map(|t| store.account("shop.example", &[t; 48]).unwrap())
        .map(|a| a.login_count)
        .sum();
    assert_eq!(total, 5);
}

fn accounts_sign_in_or_register(store: Arc<dyn Store>) {
    let a1 = store
        .sign_in_or_register("shop.example", b"nym-a", NOW)
        .unwrap();
    assert!(a1.new_account);
    assert_eq!(
        (a1.created_at, a1.last_login, a1.login_count),
        (NOW, NOW, 1)
    );
    let a2 = store
        .sign_in_or_register("shop.example", b"nym-a", NOW + 60)
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
        .unwrap();
    assert!(b.new_account);
    assert_ne!(b.account_id, a1.account_id);
    let c = store
        .sign_in_or_register("shop.example", b"nym-c", NOW)
        .unwrap();
    assert_ne!(c.account_id, a1.account_id);
    assert_eq!(store.account_count("shop.example").unwrap(), 2);
    assert_eq!(store.account_count("rail.example").unwrap(), 1);
    let got = store.account("shop.example", b"nym-a").unwrap().unwrap();
    assert_eq!((got.account_id, got.login_count), (a1.account_id, 2));
    assert!(store.account("shop.example", b"nym-x").unwrap().is_none());
}

fn more_threads_than_connections_all_succeed(store: Arc<dyn Store>) {
    let threads = MAX_CONNECTIONS + 8;
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                for n in 0..5u64 {
                    store
                        .sign_in_or_register(
                            "busy.example",
                            &[u8::try_from(t % 4).unwrap(); 8],
                            NOW + n,
                        )
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let total: u64 = (0u8..4)
        .map(|t| {
            store
                .account("busy.example", &[t; 8])
                .unwrap()
                .unwrap()
                .login_count
        })
        .sum();
    assert_eq!(total, 5 * threads as u64);
    assert_eq!(store.account_count("busy.example").unwrap(), 4);
}

fn ping_answers(store: Arc<dyn Store>) {
    store.ping().unwrap();
    assert!(["sqlite", "postgres"].contains(&store.backend()));
}

// ---- Backend-specific: migrations, file permissions, unreachable server. ----

#[test]
fn sqlite_reopen_keeps_data_and_refuses_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = SqliteStore::open_in_data_dir(dir.path()).unwrap();
        import(&s, 2);
    }
    let path = dir.path().join(SQLITE_FILE_NAME);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    {
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.citizen_count().unwrap(), 2);
    }
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute("UPDATE schema_version SET version = 99", [])
        .unwrap();
    drop(c);
    match SqliteStore::open(&path) {
        Err(OpenError::DatabaseTooNew { found, supported }) => {
            assert_eq!((found, supported), (99, SCHEMA_VERSION));
        }
        other => panic!("expected DatabaseTooNew, got {other:?}"),
    }
}

#[test]
fn sqlite_epoch_log_refuses_update_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open_in_data_dir(dir.path()).unwrap();
    import(&s, 1);
    s.append_epoch(0, &[], b"{}", NOW).unwrap();
    s.append_epoch(1, &[1], b"{}", NOW).unwrap();
    drop(s);
    let c = rusqlite::Connection::open(dir.path().join(SQLITE_FILE_NAME)).unwrap();
    let e = c.execute("DELETE FROM epochs", []).unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    let e = c.execute("UPDATE revoked SET epoch = 1", []).unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    // And the gap rule holds for direct SQL too.
    let e = c
        .execute(
            "INSERT INTO epochs (epoch, prev, entry, created_at) VALUES (3, 2, x'00', 0)",
            [],
        )
        .unwrap_err();
    assert!(
        e.to_string().contains("FOREIGN KEY") || e.to_string().contains("constraint"),
        "{e}"
    );
}

#[test]
fn postgres_reopen_keeps_data_and_refuses_a_newer_schema() {
    let Some(url) = pg_url() else { return };
    let schema = fresh_schema_name();
    let _guard = PgSchemaGuard {
        url: url.clone(),
        schema: schema.clone(),
    };
    {
        let s = PgStore::connect_in_schema(&url, &schema).unwrap();
        import(&s, 2);
    }
    let s = PgStore::connect_in_schema(&url, &schema).unwrap();
    assert_eq!(s.citizen_count().unwrap(), 2);
    s.append_epoch(0, &[], b"{}", NOW).unwrap();
    s.append_epoch(1, &[1], b"{}", NOW).unwrap();
    drop(s);
    let mut c = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    let e = c
        .batch_execute(&format!("DELETE FROM {schema}.epochs"))
        .unwrap_err();
    assert!(format!("{e:?}").contains("append-only"), "{e:?}");
    c.batch_execute(&format!("UPDATE {schema}.schema_version SET version = 99"))
        .unwrap();
    match PgStore::connect_in_schema(&url, &schema) {
        Err(OpenError::DatabaseTooNew { found, supported }) => {
            assert_eq!((found, supported), (99, SCHEMA_VERSION));
        }
        other => panic!("expected DatabaseTooNew, got {other:?}"),
    }
    assert!(matches!(
        PgStore::connect_in_schema(&url, "Bad-Name"),
        Err(OpenError::Config(_))
    ));
}

#[test]
fn postgres_unreachable_is_a_connect_error() {
    // Port 1 on loopback: nothing listens there.
    match PgStore::connect("host=127.0.0.1 port=1 user=netnym dbname=netnym connect_timeout=2") {
        Err(OpenError::Connect(_)) => {}
        other => panic!("expected Connect error, got {other:?}"),
    }
}

#[test]
fn staged_revoked_set_backs_the_core_accumulator() {
    use netnym::{MembershipWitness, RevocationAuthority, RevokedSet};
    let b = sqlite_backend();
    let store = &*b.store;
    import(store, 4);
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
    let (authority, genesis) = RevocationAuthority::generate(&mut rng, 4).unwrap();
    store.append_epoch(0, &[], &genesis.to_json(), NOW).unwrap();
    let mut witness: MembershipWitness = authority
        .witness(2, &genesis, &StagedRevokedSet::new(store))
        .unwrap();

    let mut set = StagedRevokedSet::new(store);
    let e1 = authority.revoke(&genesis, &[3], &mut set).unwrap();
    assert!(set.is_revoked(3));
    assert!(
        !store.is_revoked(3).unwrap(),
        "nothing written before commit"
    );
    set.commit(&e1, NOW + 1).unwrap();
    assert!(store.is_revoked(3).unwrap());
    assert_eq!(store.latest_epoch().unwrap(), Some(1));

    // The stored entry is the core's JSON, and updates a holder's witness.
    let stored = store.epochs_from(1, 10).unwrap();
    let parsed = netnym::EpochEntry::from_json(&stored[0].entry).unwrap();
    assert_eq!(parsed, e1);
    witness.update(&parsed).unwrap();
    assert!(witness.verify(authority.public_key()));

    // Revoking a revoked id fails in the core, nothing staged.
    let mut set = StagedRevokedSet::new(store);
    assert!(authority.revoke(&e1, &[3], &mut set).is_err());
    assert!(set.staged().is_empty());
    assert_eq!(set.revoked_count(), 1);
    // A witness for a revoked id is refused.
    assert!(authority
        .witness(3, &e1, &StagedRevokedSet::new(store))
        .is_err());
    // A stale writer (epoch computed from genesis again) is refused by the store.
    let mut set = StagedRevokedSet::new(store);
    let stale = authority.revoke(&genesis, &[4], &mut set).unwrap();
    assert!(matches!(
        set.commit(&stale, NOW + 2),
        Err(EpochError::NotNext {
            got: 1,
            last: Some(1)
        })
    ));
    assert!(!store.is_revoked(4).unwrap());
}

/// Issue 12: every clean shutdown of a service on PostgreSQL panicked ("Cannot start a runtime
/// from within a runtime"), because the last reference to the store was released on a tokio
/// worker thread and each pooled `postgres::Client` closes itself by blocking on its own
/// runtime. Dropping a store that holds idle connections inside an async task must not panic.
#[test]
fn postgres_store_dropped_inside_an_async_runtime_does_not_panic() {
    let Some(b) = pg_backend() else { return };
    let Backend { store, _guard, .. } = b;
    // Several idle pooled connections (threads hold one each at once).
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| store.ping().unwrap());
        }
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dropped = rt.block_on(async move {
        tokio::spawn(async move {
            assert_eq!(Arc::strong_count(&store), 1);
            drop(store);
        })
        .await
    });
    assert!(dropped.is_ok(), "dropping the store panicked: {dropped:?}");
}
