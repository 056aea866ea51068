//! Opening a store: migrations and schema versions, file permissions, connection strings, an
//! unreachable server, concurrent openers, dropping a store inside a runtime.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use netnym_store::*;
use tokio::sync::Barrier;

#[path = "support/backend.rs"]
mod backend;

use backend::*;

// ---- Backend-specific: migrations, file permissions, unreachable server. ----

#[tokio::test]
async fn sqlite_reopen_keeps_data_and_refuses_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let options = StoreOptions::default();
    {
        let s = Store::open_in_data_dir(dir.path(), &options).await.unwrap();
        import(&s, 2).await;
        s.close().await;
    }
    let path = dir.path().join(SQLITE_FILE_NAME);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    {
        let s = Store::open_sqlite(&path, &options).await.unwrap();
        assert_eq!(s.citizen_count().await.unwrap(), 2);
        s.close().await;
    }
    let c = raw_sqlite(&path).await;
    sqlx::query("UPDATE schema_version SET version = 99")
        .execute(&c)
        .await
        .unwrap();
    c.close().await;
    match Store::open_sqlite(&path, &options).await {
        Err(OpenError::DatabaseTooNew { found, supported }) => {
            assert_eq!((found, supported), (99, SCHEMA_VERSION));
        }
        other => panic!("expected DatabaseTooNew, got {other:?}"),
    }
}

/// Several stores (processes, in production) opening one new SQLite file at the same moment all
/// succeed: the file is created once and migration 1 applied once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_openers_of_one_new_file_all_succeed() {
    for _round in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SQLITE_FILE_NAME);
        let barrier = Arc::new(Barrier::new(4));
        let opens: Vec<_> = (0..4)
            .map(|_| {
                let (path, barrier) = (path.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    Store::open_sqlite(&path, &StoreOptions::default()).await
                })
            })
            .collect();
        let mut stores = Vec::new();
        for o in opens {
            stores.push(o.await.unwrap().unwrap());
        }
        import(&stores[3], 1).await;
        assert_eq!(stores[0].citizen_count().await.unwrap(), 1);
    }
}

/// A migration this code does not know (applied by a newer NetNym) is refused too.
#[tokio::test]
async fn sqlite_unknown_applied_migration_is_too_new() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(SQLITE_FILE_NAME);
    Store::open_sqlite(&path, &StoreOptions::default())
        .await
        .unwrap()
        .close()
        .await;
    let c = raw_sqlite(&path).await;
    let future = i64::from(SCHEMA_VERSION) + 1;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES ($1, 'from the future', 1, x'00', 0)",
    )
    .bind(future)
    .execute(&c)
    .await
    .unwrap();
    c.close().await;
    match Store::open_sqlite(&path, &StoreOptions::default()).await {
        Err(OpenError::DatabaseTooNew { found, supported }) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("expected DatabaseTooNew, got {other:?}"),
    }
}

#[tokio::test]
async fn sqlite_epoch_log_refuses_update_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open_in_data_dir(dir.path(), &StoreOptions::default())
        .await
        .unwrap();
    import(&s, 1).await;
    s.append_epoch(0, &[], b"{}", NOW).await.unwrap();
    s.append_epoch(1, &[1], b"{}", NOW).await.unwrap();
    s.close().await;
    let c = raw_sqlite(&dir.path().join(SQLITE_FILE_NAME)).await;
    let e = sqlx::query("DELETE FROM epochs")
        .execute(&c)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    let e = sqlx::query("UPDATE revoked SET epoch = 1")
        .execute(&c)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    // And the gap rule holds for direct SQL too.
    let e =
        sqlx::query("INSERT INTO epochs (epoch, prev, entry, created_at) VALUES (3, 2, x'00', 0)")
            .execute(&c)
            .await
            .unwrap_err();
    assert!(
        e.to_string().contains("FOREIGN KEY") || e.to_string().contains("constraint"),
        "{e}"
    );
}

#[tokio::test]
async fn postgres_reopen_keeps_data_and_refuses_a_newer_schema() {
    let Some(url) = pg_url() else { return };
    let schema = fresh_schema_name();
    let _guard = PgSchemaGuard {
        url: url.clone(),
        schema: schema.clone(),
    };
    let options = StoreOptions::default();
    {
        let s = Store::connect_postgres_in_schema(&url, &schema, &options)
            .await
            .unwrap();
        import(&s, 2).await;
    }
    let s = Store::connect_postgres_in_schema(&url, &schema, &options)
        .await
        .unwrap();
    assert_eq!(s.citizen_count().await.unwrap(), 2);
    s.append_epoch(0, &[], b"{}", NOW).await.unwrap();
    s.append_epoch(1, &[1], b"{}", NOW).await.unwrap();
    s.close().await;
    let c = raw_postgres(&url).await;
    let e = sqlx::raw_sql(&format!("DELETE FROM {schema}.epochs"))
        .execute(&c)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    sqlx::raw_sql(&format!("UPDATE {schema}.schema_version SET version = 99"))
        .execute(&c)
        .await
        .unwrap();
    c.close().await;
    match Store::connect_postgres_in_schema(&url, &schema, &options).await {
        Err(OpenError::DatabaseTooNew { found, supported }) => {
            assert_eq!((found, supported), (99, SCHEMA_VERSION));
        }
        other => panic!("expected DatabaseTooNew, got {other:?}"),
    }
    assert!(matches!(
        Store::connect_postgres_in_schema(&url, "Bad-Name", &options).await,
        Err(OpenError::Config(_))
    ));
}

#[tokio::test]
async fn postgres_unreachable_is_a_connect_error() {
    // Port 1 on loopback: nothing listens there.
    match Store::connect_postgres(
        "host=127.0.0.1 port=1 user=netnym dbname=netnym connect_timeout=2",
        &StoreOptions::default(),
    )
    .await
    {
        Err(OpenError::Connect(_)) => {}
        other => panic!("expected Connect error, got {other:?}"),
    }
}

#[tokio::test]
async fn malformed_postgres_conninfo_is_a_config_error() {
    for bad in ["host=x sslcert=/k", "user='open", "postgres://[::1"] {
        match Store::connect_postgres(bad, &StoreOptions::default()).await {
            Err(OpenError::Config(_)) => {}
            other => panic!("{bad:?}: expected Config error, got {other:?}"),
        }
    }
}

/// Issue 12: every clean shutdown of a service on PostgreSQL panicked ("Cannot start a runtime
/// from within a runtime") with the synchronous client this store replaced. Dropping the last
/// clone of a store that holds idle pooled connections inside an async task must not panic.
#[test]
fn postgres_store_dropped_inside_an_async_runtime_does_not_panic() {
    let Some(url) = pg_url() else { return };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let b = rt.block_on(async { pg_backend().await.unwrap() });
    let Backend { store, _guard, .. } = b;
    let _ = url;
    let dropped = rt.block_on(async move {
        // Several idle pooled connections (pings in parallel hold one each).
        let pings: Vec<_> = (0..3)
            .map(|_| {
                let s = store.clone();
                tokio::spawn(async move { s.ping().await.unwrap() })
            })
            .collect();
        for p in pings {
            p.await.unwrap();
        }
        tokio::spawn(async move {
            drop(store);
        })
        .await
    });
    assert!(dropped.is_ok(), "dropping the store panicked: {dropped:?}");
    drop(rt);
}
