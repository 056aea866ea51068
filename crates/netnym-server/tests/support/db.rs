//! Where a service under test keeps its data: a SQLite data dir or a PostgreSQL schema
//! (dropped with the value). Shared by the crash test (`tests/crash.rs`) and the load/fault
//! harness (`support/load.rs`).

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::path::PathBuf;

use netnym_store::{PgStore, SqliteStore, Store};

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

    pub fn open(&self) -> Box<dyn Store> {
        match self {
            Self::Sqlite(dir) => Box::new(SqliteStore::open_in_data_dir(dir).unwrap()),
            Self::Postgres { url, schema } => {
                Box::new(PgStore::connect_in_schema(url, schema).unwrap())
            }
        }
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
            if let Ok(mut c) = ::postgres::Client::connect(url, ::postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}
