//! Embedded migrations (`migrations/sqlite`, `migrations/postgres`), run when a store opens.
//!
//! Rule (spec: `docs/operations.md` § Database): migration `N` of either backend brings the
//! schema to version `N`, the same version on both; released migration files are never edited
//! (sqlx records each one's checksum in `_sqlx_migrations` and refuses a database whose applied
//! migrations differ); a change is a new file `NNNN_name.sql` in both directories that also
//! sets `schema_version` to `N`. Migration 0001 is the schema that NetNym wrote before it used
//! sqlx (its `schema_version` table, version 1), written idempotently: such a database adopts
//! it in place and keeps its rows. PostgreSQL replicas starting together are serialised by
//! sqlx's advisory lock.

use sqlx::migrate::{MigrateError, Migrator};

use super::{col, db_err, Backend, Store};
use crate::error::{OpenError, StoreError};
use crate::SCHEMA_VERSION;

pub(super) static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
pub(super) static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

fn migrator(backend: Backend) -> &'static Migrator {
    match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    }
}

fn too_new(found: i64) -> OpenError {
    OpenError::DatabaseTooNew {
        found: u32::try_from(found).unwrap_or(u32::MAX),
        supported: SCHEMA_VERSION,
    }
}

/// The version in the `schema_version` table, if the table exists.
async fn recorded_version(store: &Store) -> Result<Option<i64>, StoreError> {
    let exists = match store.dialect() {
        Backend::Sqlite => {
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        }
        Backend::Postgres => {
            "SELECT count(*) FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_name = 'schema_version'"
        }
    };
    let row = sqlx::query(exists)
        .fetch_one(store.pool())
        .await
        .map_err(db_err)?;
    if col::<i64>(&row, 0)? == 0 {
        return Ok(None);
    }
    let row = sqlx::query("SELECT max(version) FROM schema_version")
        .fetch_one(store.pool())
        .await
        .map_err(db_err)?;
    col::<Option<i64>>(&row, 0)
}

/// Refuse a database written by a newer NetNym, then apply the missing migrations.
pub(super) async fn run(store: &Store) -> Result<(), OpenError> {
    if let Some(found) = recorded_version(store).await? {
        if found > i64::from(SCHEMA_VERSION) {
            return Err(too_new(found));
        }
    }
    let migrator = migrator(store.dialect());
    let mut result = migrator.run(store.pool()).await;
    if store.dialect() == Backend::Sqlite && result.is_err() {
        // sqlx does not lock SQLite migrations against another process (or pool) opening the
        // same new file: it may have applied a migration between our read of
        // `_sqlx_migrations` and our insert. Read again, once; a real failure fails again.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        result = migrator.run(store.pool()).await;
    }
    result.map_err(|e| match e {
        MigrateError::VersionMissing(v) => too_new(v),
        MigrateError::ExecuteMigration(source, version) => OpenError::Migration {
            version: u32::try_from(version).unwrap_or(u32::MAX),
            source: db_err(source),
        },
        MigrateError::Execute(source) => OpenError::Store(db_err(source)),
        other => OpenError::Store(StoreError::Corrupt(format!("migrations: {other}"))),
    })
}

#[cfg(test)]
mod tests;
