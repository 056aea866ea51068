//! # NetNym store
//!
//! Persistence for the NetNym services: **one** pooled async store, [`Store`], over either
//!
//! - **SQLite**, the embedded default: one file (`netnym.sqlite3`) under a data directory
//!   ([`Store::open_in_data_dir`]), in WAL mode with `synchronous = FULL` (a commit is on disk
//!   before it returns);
//! - **PostgreSQL** ([`Store::connect_postgres`]), for deployments where several stateless
//!   verifier replicas share one database; a `postgres://` URL or a libpq key/value string.
//!
//! Both run on [sqlx](https://docs.rs/sqlx/0.8) (its `Any` driver): one connection pool per
//! store ([`StoreOptions::pool_size`], default [`DEFAULT_POOL_SIZE`]), every method `async`,
//! nothing blocking the caller's tokio threads and no runtime of its own (so a service can drop
//! its store anywhere, which the synchronous `postgres` client this replaced could not).
//!
//! ## What is stored (module map)
//! - citizen registry (`store/citizens.rs`): imported from CSV ([`parse_citizens_csv`], strict,
//!   line-numbered errors, all-or-nothing) or generated ([`generate_citizens`], seeded,
//!   deterministic); each citizen gets a unique revocation id `1..=N` at import;
//! - one-time enrollment codes and issued-credential records (`store/enrollment.rs`): codes
//!   are random ([`EnrollmentCode`]), stored as SHA-256 hashes, expire, and are redeemed **in
//!   the same transaction** that records the issued credential, at most once; operators list
//!   and invalidate them by a handle derived from the hash (`store/codes.rs`);
//! - the authority's issuer keys in rotation order (`store/issuer_keys.rs`): the current key,
//!   the keys still accepted, the retired ones;
//! - the transparency log (`store/log.rs`, spec/12-transparency-log.md): entries and stored
//!   tree hashes, appended in the transaction of the record an entry describes, and the
//!   signed checkpoints; `netnym-log` computes roots and proofs over a [`LogSnapshot`];
//! - revocation (`store/revocation.rs`): the revoked revocation ids and the append-only epoch
//!   log (genesis epoch 0, then epoch `n` only after `n - 1`, enforced by the schema);
//!   [`StagedRevokedSet`] backs the core's `RevokedSet` with a snapshot of it, committing the
//!   revoked ids and the core's `EpochEntry` in one transaction;
//! - sealed secrets (`store/secrets.rs`, [`SealedSecret`]): the issuer secret key and the
//!   revocation authority secret, encrypted with XChaCha20-Poly1305 under an Argon2id key
//!   derived from a passphrase;
//! - the verifier's single-use presentation requests by nonce (`store/requests.rs`), consumed
//!   exactly once together with the pseudonym account sign-in;
//! - pseudonym accounts (`store/accounts.rs`).
//!
//! ## Decisions
//! - **One code path.** Every query is written once with `$1` placeholders (SQLite accepts
//!   them); `ON CONFLICT`, `RETURNING` and upserts are common to both dialects. The
//!   differences left are in one place (`Backend` in `store.rs`): row locks (`FOR UPDATE` on
//!   PostgreSQL; SQLite write transactions start with `BEGIN IMMEDIATE` and hold the
//!   database's write lock), the importers' table lock, and the DDL (`BLOB`/`BYTEA`, `STRICT`,
//!   triggers), which lives in one migration directory per backend.
//! - **Migrations** are embedded (`sqlx::migrate!`, `migrations/sqlite` and
//!   `migrations/postgres`, the same numbered versions on both) and run when a store opens;
//!   sqlx records them in `_sqlx_migrations` and PostgreSQL replicas starting together are
//!   serialised by its advisory lock. The `schema_version` table of the databases NetNym
//!   wrote before sqlx is kept and updated: migration 0001 is that schema written
//!   idempotently, so such a database adopts it in place and keeps its rows. A database whose
//!   `schema_version` or applied migrations are newer than [`SCHEMA_VERSION`] is refused
//!   ([`OpenError::DatabaseTooNew`]). Released migration files are never edited.
//! - **Times** are Unix seconds (`u64`), stored as signed 64-bit integers.
//! - **Atomic consumption**: enrollment codes and request nonces are checked and consumed in
//!   one transaction that locks the row (PostgreSQL) or the database (SQLite) and updates only
//!   `WHERE consumed_at IS NULL`; under concurrency, also between processes sharing a
//!   PostgreSQL database, exactly one caller wins.
//! - **Consumed nonces are kept until they expire** (so a replay is told apart from an unknown
//!   nonce); [`Store::purge_expired_requests`] deletes rows past their expiry.
//! - **Accounts** are keyed by `(verifier_id, pseudonym)`: several platforms may share one
//!   database without their accounts mixing.
//! - **Epoch log**: rows are append-only (triggers refuse `UPDATE` and `DELETE`), and so is the
//!   revoked set.
//! - **PostgreSQL schemas**: [`Store::connect_postgres_in_schema`] confines a store to one
//!   schema (created if missing, set as every connection's `search_path`); the tests use a
//!   fresh schema each and [`drop_postgres_schema`] to remove it.
//!
//! ## Tests
//! `cargo test -p netnym-store` runs every table's tests on SQLite; with `NETNYM_TEST_PG_URL`
//! set (`eval "$(bash .ci/pg-start.sh)"` starts a throwaway PostgreSQL on 127.0.0.1:55432 and
//! prints it as a key/value string) the same test functions also run on PostgreSQL, each in a
//! fresh schema. Under `CI=true` a missing URL fails the tests instead of skipping.
//! `tests/backends.rs` holds the per-table tests run on both backends, `tests/opening.rs` the
//! opening ones (migrations and newer schemas, permissions, connection strings, concurrent
//! openers, dropping inside a runtime), `tests/legacy.rs` opens databases created with the
//! pre-sqlx schema on both backends.
//!
//! # Example
//! ```
//! use netnym_store::*;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//! let store = Store::open_in_memory().await?;
//! let citizens = generate_citizens(7, 1, 3);
//! let imported = store.import_citizens(&citizens, 1_764_000_000).await?;
//! assert_eq!(imported[2].revocation_id, 3);
//! let account = store.sign_in_or_register("shop.example", &[1u8; 48], 1_764_000_000).await?;
//! assert!(account.new_account);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod citizens;
mod codes;
mod error;
mod model;
mod revoked_set;
mod sealed;
mod store;
mod strength;

pub use crate::citizens::{
    citizens_to_csv, generate_citizens, parse_citizens_csv, valid_citizen_id, CitizenRecord,
    CSV_COLUMNS, MAX_CSV_ROWS, MAX_REPORTED_ERRORS,
};
pub use crate::codes::EnrollmentCode;
pub use crate::error::*;
pub use crate::model::*;
pub use crate::revoked_set::StagedRevokedSet;
pub use crate::sealed::{KdfParams, SealedSecret};
pub use crate::store::{
    current_issuer_key, drop_postgres_schema, unix_now, LogReadError, LogSnapshot, NotLoaded,
    Store, StoreLocation, StoreOptions, DEFAULT_ACQUIRE_TIMEOUT, DEFAULT_POOL_SIZE, MAX_EPOCH_PAGE,
};
pub use crate::strength::{StrengthRule, WeakSecret, ADMIN_TOKEN_RULE, PASSPHRASE_RULE};

/// The schema version this code writes and understands.
pub const SCHEMA_VERSION: u32 = 5;

/// Name of the SQLite database file inside a data directory.
pub const SQLITE_FILE_NAME: &str = "netnym.sqlite3";
