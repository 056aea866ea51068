//! Shared by the store's integration tests: the backends under test, PostgreSQL schemas that
//! are dropped when a test ends, and direct connections that bypass the store.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use netnym_store::*;
use rand::SeedableRng;

pub const NOW: u64 = 1_764_000_000;

#[allow(unused_macros)] // Not every test file runs a function on both backends.
/// One `#[tokio::test]` per backend for each named `async fn(Store)` of the test crate: in
/// `mod sqlite` always, in `mod postgres` when `NETNYM_TEST_PG_URL` is set.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let b = super::sqlite_backend().await;
                    super::$name(b.store.clone()).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    if let Some(b) = super::pg_backend().await {
                        super::$name(b.store.clone()).await
                    }
                }
            )*
        }
    };
}

pub struct Backend {
    pub store: Store,
    pub _guard: Option<PgSchemaGuard>,
    pub _dir: Option<tempfile::TempDir>,
}

/// Drops a PostgreSQL schema when the test ends (also when it panics): on a thread of its own
/// with its own runtime, as `Drop` cannot await and may run inside the test's runtime.
pub struct PgSchemaGuard {
    pub url: String,
    pub schema: String,
}

impl Drop for PgSchemaGuard {
    fn drop(&mut self) {
        let (url, schema) = (self.url.clone(), self.schema.clone());
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let _ = rt.block_on(drop_postgres_schema(&url, &schema));
        })
        .join();
    }
}

pub async fn sqlite_backend() -> Backend {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in_data_dir(&dir.path().join("data"), &StoreOptions::default())
        .await
        .unwrap();
    Backend {
        store,
        _guard: None,
        _dir: Some(dir),
    }
}

pub fn pg_url() -> Option<String> {
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

pub fn fresh_schema_name() -> String {
    use rand::RngCore;
    format!("t_{:016x}", rand::rngs::OsRng.next_u64())
}

pub async fn pg_backend() -> Option<Backend> {
    let url = pg_url()?;
    let schema = fresh_schema_name();
    let guard = PgSchemaGuard {
        url: url.clone(),
        schema: schema.clone(),
    };
    let store = Store::connect_postgres_in_schema(&url, &schema, &StoreOptions::default())
        .await
        .unwrap();
    Some(Backend {
        store,
        _guard: Some(guard),
        _dir: None,
    })
}

/// A fresh enrollment code for `citizen`, stored; its hash.
pub async fn new_code(store: &Store, citizen: &str, expires_at: u64) -> [u8; 32] {
    let code = EnrollmentCode::generate(&mut rand_chacha::ChaCha20Rng::from_entropy());
    store
        .add_enrollment_code(&code.hash(), citizen, NOW, expires_at)
        .await
        .unwrap();
    code.hash()
}

pub async fn import(store: &Store, n: usize) -> Vec<Citizen> {
    store
        .import_citizens(&generate_citizens(1, 1, n), NOW)
        .await
        .unwrap()
}

/// A direct connection to a SQLite file, bypassing the store.
pub async fn raw_sqlite(path: &std::path::Path) -> sqlx::SqlitePool {
    sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(sqlx::sqlite::SqliteConnectOptions::new().filename(path))
        .await
        .unwrap()
}

/// A direct connection to the test server (its key/value string turned into options).
pub async fn raw_postgres(conninfo: &str) -> sqlx::PgPool {
    let mut o = sqlx::postgres::PgConnectOptions::new();
    for pair in conninfo.split_whitespace() {
        let (k, v) = pair.split_once('=').unwrap();
        o = match k {
            "host" => o.host(v),
            "port" => o.port(v.parse().unwrap()),
            "user" => o.username(v),
            "password" => o.password(v),
            "dbname" => o.database(v),
            _ => o,
        };
    }
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with(o)
        .await
        .unwrap()
}
