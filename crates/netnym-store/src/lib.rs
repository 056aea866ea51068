//! # NetNym store
//!
//! Persistence for the NetNym services behind one set of synchronous traits, with two backends:
//!
//! - [`SqliteStore`]: the embedded default, one file (`netnym.sqlite3`) under a data directory,
//!   opened in WAL mode with `synchronous = FULL` (a commit is on disk before it returns);
//! - [`PgStore`]: PostgreSQL, for deployments where several stateless verifier replicas share one
//!   database (a small connection pool over the synchronous `postgres` client).
//!
//! The API is synchronous and every store is `Send + Sync`: async servers call it through
//! `tokio::task::spawn_blocking`. (The `postgres` client runs its own tiny runtime, so it must not
//! be called directly from an async task; dropping a [`PgStore`] is safe anywhere: it closes its
//! connections on a thread of its own.)
//!
//! ## What is stored (module map)
//! - citizen registry ([`CitizenStore`]): imported from CSV ([`parse_citizens_csv`], strict,
//!   line-numbered errors, all-or-nothing) or generated ([`generate_citizens`], seeded,
//!   deterministic); each citizen gets a unique revocation id `1..=N` at import;
//! - one-time enrollment codes and issued-credential records ([`EnrollmentStore`]): codes are
//!   random ([`EnrollmentCode`]), stored as SHA-256 hashes, expire, and are redeemed **in the same
//!   transaction** that records the issued credential, at most once;
//! - revocation ([`RevocationStore`]): the revoked revocation ids and the append-only epoch log
//!   (genesis epoch 0, then epoch `n` only after `n - 1`, enforced by the schema);
//!   [`StagedRevokedSet`] backs the core's `RevokedSet` with it, committing the revoked ids and
//!   the core's `EpochEntry` in one transaction;
//! - sealed secrets ([`SecretStore`], [`SealedSecret`]): the issuer secret key and the revocation
//!   authority secret, encrypted with XChaCha20-Poly1305 under an Argon2id key derived from a
//!   passphrase;
//! - the verifier's single-use presentation requests by nonce ([`RequestStore`]), consumed
//!   exactly once together with the pseudonym account sign-in;
//! - pseudonym accounts ([`AccountStore`]).
//!
//! [`Store`] is the union of all these traits; both backends implement it.
//!
//! ## Decisions
//! - **Migrations**: a `schema_version` table holds one row; migrations are numbered and run in
//!   order, each in its own transaction, when a store is opened. A database whose version is
//!   newer than [`SCHEMA_VERSION`] is refused ([`OpenError::DatabaseTooNew`]). On PostgreSQL a
//!   transaction-level advisory lock serialises replicas starting together.
//! - **Times** are Unix seconds (`u64`), stored as signed 64-bit integers.
//! - **Atomic consumption**: enrollment codes and request nonces are consumed with
//!   `UPDATE … WHERE consumed_at IS NULL AND expires_at > now`; the row count tells the winner.
//!   Under concurrency exactly one caller sees one row updated.
//! - **Consumed nonces are kept until they expire** (so a replay is told apart from an unknown
//!   nonce); [`RequestStore::purge_expired_requests`] deletes rows past their expiry.
//! - **Accounts** are keyed by `(verifier_id, pseudonym)`: several platforms may share one
//!   database without their accounts mixing.
//! - **Epoch log**: rows are append-only (triggers refuse `UPDATE` and `DELETE`), and so is the
//!   revoked set.
//! - **PostgreSQL schemas**: [`PgStore::connect_in_schema`] confines a store to one schema
//!   (created if missing); the tests use a fresh schema each.
//!
//! ## Tests
//! `cargo test -p netnym-store` runs every table's tests on SQLite; with `NETNYM_TEST_PG_URL`
//! set (`eval "$(bash .ci/pg-start.sh)"` starts a throwaway PostgreSQL on 127.0.0.1:55432 and
//! prints it) the same test functions also run on PostgreSQL, each in a fresh schema. Under
//! `CI=true` a missing URL fails the tests instead of skipping.
//!
//! # Example
//! ```
//! use netnym_store::*;
//!
//! let store = SqliteStore::open_in_memory()?;
//! let citizens = generate_citizens(7, 1, 3);
//! let imported = store.import_citizens(&citizens, 1_764_000_000)?;
//! assert_eq!(imported[2].revocation_id, 3);
//! let account = store.sign_in_or_register("shop.example", &[1u8; 48], 1_764_000_000)?;
//! assert!(account.new_account);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod citizens;
mod codes;
mod error;
mod model;
mod pg;
mod revoked_set;
mod sealed;
mod sqlite;
mod store;

pub use crate::citizens::{
    citizens_to_csv, generate_citizens, parse_citizens_csv, valid_citizen_id, CitizenRecord,
    CSV_COLUMNS, MAX_CSV_ROWS, MAX_REPORTED_ERRORS,
};
pub use crate::codes::EnrollmentCode;
pub use crate::error::*;
pub use crate::model::*;
pub use crate::pg::{PgStore, MAX_CONNECTIONS};
pub use crate::revoked_set::StagedRevokedSet;
pub use crate::sealed::{KdfParams, SealedSecret};
pub use crate::sqlite::SqliteStore;
pub use crate::store::*;

/// The schema version this code writes and understands.
pub const SCHEMA_VERSION: u32 = 1;

/// Name of the SQLite database file inside a data directory.
pub const SQLITE_FILE_NAME: &str = "netnym.sqlite3";
