//! Where a service under test keeps its data: a SQLite data dir or a PostgreSQL schema
//! (dropped with the value). Shared by the crash test (`tests/crash.rs`) and the load/fault
//! harness (`support/load.rs`).

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::path::PathBuf;

use netnym_store::{drop_postgres_schema, Store, StoreOptions};

/// Where a service process keeps its data.
pub enum Db {
    Sqlite(PathBuf),
    Postgres { url: String, schema: String },
}

impl Db {
    /// A fresh PostgreSQL schema on `url` (dropped with the value).
    pub fn fresh_pg(url: &str, prefix: &str) -> Self {
        use rand::RngCore;
        Self::Postgres {
            url: url.to_owned(),
            schema: format!("{prefix}_{:012x}", rand::rngs::OsRng.next_u64() >> 16),
        }
    }

    /// The store, on a runtime of its own (for checks from synchronous test code).
    pub fn open(&self) -> OpenedDb {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let options = StoreOptions::default();
        let store = match self {
            Self::Sqlite(dir) => rt.block_on(Store::open_in_data_dir(dir, &options)),
            Self::Postgres { url, schema } => {
                rt.block_on(Store::connect_postgres_in_schema(url, schema, &options))
            }
        }
        .unwrap();
        OpenedDb { store, rt }
    }

    /// The service's command-line arguments for this database.
    pub fn args(&self) -> Vec<String> {
        match self {
            Self::Sqlite(dir) => vec!["--data-dir".into(), dir.to_str().unwrap().into()],
            Self::Postgres { url, schema } => vec![
                "--postgres".into(),
                url.clone(),
                "--pg-schema".into(),
                schema.clone(),
            ],
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres { .. } => "postgres",
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Self::Postgres { url, schema } = self {
            let _ = block_on_own_thread(drop_postgres_schema(url, schema));
        }
    }
}

/// A store and the runtime it was opened on (its connections belong to it).
pub struct OpenedDb {
    // Dropped before the runtime.
    pub store: Store,
    rt: tokio::runtime::Runtime,
}

impl OpenedDb {
    /// Run one of the store's futures to completion.
    pub fn block<T>(&self, f: impl std::future::Future<Output = T>) -> T {
        self.rt.block_on(f)
    }
}

impl std::ops::Deref for OpenedDb {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

/// Run `f` on a fresh thread with its own runtime (usable from `Drop`, inside a runtime or not).
pub fn block_on_own_thread<T: Send>(f: impl std::future::Future<Output = T> + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(f)
        })
        .join()
        .unwrap()
    })
}

/// A raw PostgreSQL session (a connection on a runtime of its own), for tests that hold locks
/// or watch the server behind the store's back.
pub struct PgSession {
    conn: Option<sqlx::PgConnection>,
    rt: tokio::runtime::Runtime,
}

impl PgSession {
    /// Connect with a key/value string (`host=… port=… user=… dbname=…`).
    pub fn connect(conninfo: &str) -> Self {
        use sqlx::Connection as _;
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
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let conn = rt.block_on(sqlx::PgConnection::connect_with(&o)).unwrap();
        Self {
            conn: Some(conn),
            rt,
        }
    }

    /// Run statements without parameters (simple protocol).
    pub fn batch(&mut self, sql: &str) {
        let conn = self.conn.as_mut().unwrap();
        self.rt.block_on(sqlx::raw_sql(sql).execute(conn)).unwrap();
    }

    /// One integer: the first column of the first row of `sql` (cast to BIGINT).
    pub fn int(&mut self, sql: &str) -> i64 {
        use sqlx::Row as _;
        let conn = self.conn.as_mut().unwrap();
        self.rt
            .block_on(sqlx::query(sql).fetch_one(conn))
            .unwrap()
            .get(0)
    }

    /// Rows affected by `sql` with one BYTEA parameter.
    pub fn execute_with_bytes(&mut self, sql: &str, bytes: &[u8]) -> u64 {
        let conn = self.conn.as_mut().unwrap();
        self.rt
            .block_on(sqlx::query(sql).bind(bytes).execute(conn))
            .unwrap()
            .rows_affected()
    }
}

impl Drop for PgSession {
    fn drop(&mut self) {
        // Close inside the session's runtime; a killed backend makes this fail, which is fine.
        if let Some(conn) = self.conn.take() {
            use sqlx::Connection as _;
            let _ = self.rt.block_on(conn.close());
        }
    }
}
