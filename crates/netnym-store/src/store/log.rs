//! The authority's transparency log (spec/12-transparency-log.md, LOG-021): entries and
//! stored tree hashes in `log_entries` / `log_hashes`, signed checkpoints in
//! `log_checkpoints`, all append-only.
//!
//! `netnym-log`'s algorithms read the tree through its synchronous [`LogStorage`] trait; the
//! store answers them with a [`LogSnapshot`] that holds what was loaded so far. A computation
//! that asks for something not loaded fails with [`NotLoaded`]; the store then loads exactly
//! that (one query) and runs it again. Stored hashes below the size never change, so the
//! loads need no common transaction with the size. An append runs in the caller's write
//! transaction ([`append_log_entries`]): with the record it describes, or alone
//! ([`Store::append_log`]).

use std::cell::RefCell;
use std::collections::HashMap;

use netnym_log::{
    append_to_storage, Envelope, LogEntry, LogError, LogStorage, ObjectId, TreeHash, HASH_LEN,
};
use sqlx::AnyConnection;

use super::{col, db_err, i, u, Backend, Store};
use crate::error::StoreError;

/// Most rounds of loading one computation may need (a proof reads about 2·log2(size) hashes,
/// in a few batches).
const MAX_LOAD_ROUNDS: usize = 64;

/// What a computation over a [`LogSnapshot`] asked for that was not loaded yet.
#[derive(Debug, Default, thiserror::Error)]
#[error("log data not loaded yet: {} hashes, {} entries", hashes.len(), entries.len())]
pub struct NotLoaded {
    hashes: Vec<u64>,
    entries: Vec<u64>,
}

/// The log as far as it is loaded: its size, the stored hashes and entries read so far, and
/// the entries appended to it (not yet written).
#[derive(Debug, Default)]
pub struct LogSnapshot {
    size: u64,
    hashes: HashMap<u64, TreeHash>,
    entries: HashMap<u64, Vec<u8>>,
    missing: RefCell<NotLoaded>,
    appended: Vec<Appended>,
}

#[derive(Debug)]
struct Appended {
    index: u64,
    entry: Vec<u8>,
    first_hash_index: u64,
    hashes: Vec<TreeHash>,
}

impl LogStorage for LogSnapshot {
    type Error = NotLoaded;

    fn size(&self) -> Result<u64, NotLoaded> {
        Ok(self.size)
    }

    fn entry(&self, index: u64) -> Result<Vec<u8>, NotLoaded> {
        if let Some(e) = self.entries.get(&index) {
            return Ok(e.clone());
        }
        self.missing.borrow_mut().entries.push(index);
        Err(NotLoaded::default())
    }

    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<TreeHash>, NotLoaded> {
        let missing: Vec<u64> = indexes
            .iter()
            .copied()
            .filter(|k| !self.hashes.contains_key(k))
            .collect();
        if missing.is_empty() {
            return Ok(indexes.iter().map(|k| self.hashes[k]).collect());
        }
        self.missing.borrow_mut().hashes.extend(missing);
        Err(NotLoaded::default())
    }

    fn append(
        &mut self,
        index: u64,
        entry: &[u8],
        first_hash_index: u64,
        hashes: &[TreeHash],
    ) -> Result<(), NotLoaded> {
        for (k, h) in (first_hash_index..).zip(hashes) {
            self.hashes.insert(k, *h);
        }
        self.size = index + 1;
        self.appended.push(Appended {
            index,
            entry: entry.to_vec(),
            first_hash_index,
            hashes: hashes.to_vec(),
        });
        Ok(())
    }
}

impl LogSnapshot {
    /// Take what the last failed computation asked for.
    fn take_missing(&self) -> NotLoaded {
        std::mem::take(&mut *self.missing.borrow_mut())
    }

    /// Load the missing hashes and entries through `conn`; false if nothing was missing.
    async fn load(&mut self, conn: &mut AnyConnection) -> Result<bool, StoreError> {
        let mut missing = self.take_missing();
        missing.hashes.sort_unstable();
        missing.hashes.dedup();
        missing.entries.sort_unstable();
        missing.entries.dedup();
        if missing.hashes.is_empty() && missing.entries.is_empty() {
            return Ok(false);
        }
        if !missing.hashes.is_empty() {
            let sql = format!(
                "SELECT hash_index, hash FROM log_hashes WHERE hash_index IN ({})",
                placeholders(missing.hashes.len())
            );
            let mut q = sqlx::query(&sql);
            for k in &missing.hashes {
                q = q.bind(i(*k)?);
            }
            for row in q.fetch_all(&mut *conn).await.map_err(db_err)? {
                let bytes: Vec<u8> = col(&row, 1)?;
                let bytes: [u8; HASH_LEN] = bytes
                    .try_into()
                    .map_err(|_| StoreError::Corrupt("a log hash is not 32 bytes".into()))?;
                self.hashes
                    .insert(u(col(&row, 0)?)?, TreeHash::from_bytes(bytes));
            }
            if let Some(k) = missing.hashes.iter().find(|k| !self.hashes.contains_key(k)) {
                return Err(StoreError::Corrupt(format!("log hash {k} is missing")));
            }
        }
        if !missing.entries.is_empty() {
            let sql = format!(
                "SELECT idx, entry FROM log_entries WHERE idx IN ({})",
                placeholders(missing.entries.len())
            );
            let mut q = sqlx::query(&sql);
            for k in &missing.entries {
                q = q.bind(i(*k)?);
            }
            for row in q.fetch_all(&mut *conn).await.map_err(db_err)? {
                self.entries.insert(u(col(&row, 0)?)?, col(&row, 1)?);
            }
            if let Some(k) = missing
                .entries
                .iter()
                .find(|k| !self.entries.contains_key(k))
            {
                return Err(StoreError::Corrupt(format!("log entry {k} is missing")));
            }
        }
        Ok(true)
    }
}

fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|k| format!("${k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reading the log failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LogReadError {
    /// The log refused the computation (an index beyond the size, sizes out of order), or
    /// found its storage corrupt.
    #[error(transparent)]
    Log(LogError<NotLoaded>),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

async fn log_size(conn: &mut AnyConnection) -> Result<u64, StoreError> {
    let row = sqlx::query("SELECT coalesce(max(idx) + 1, 0) FROM log_entries")
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
    u(col(&row, 0)?)
}

/// Lock the log against other appenders for the rest of the caller's transaction
/// (PostgreSQL; SQLite's write transactions already exclude each other).
async fn lock_log(conn: &mut AnyConnection, backend: Backend) -> Result<(), StoreError> {
    if backend == Backend::Postgres {
        sqlx::query("LOCK TABLE log_entries IN EXCLUSIVE MODE")
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

/// Append `entries` in order through the caller's write transaction `conn`; returns the index
/// of the first. Locks the log first (see [`lock_log`]).
///
/// # Errors
/// [`StoreError`] when the database fails or holds an inconsistent log.
pub(crate) async fn append_log_entries(
    conn: &mut AnyConnection,
    backend: Backend,
    entries: &[LogEntry],
    now: u64,
) -> Result<u64, StoreError> {
    lock_log(conn, backend).await?;
    let first = log_size(conn).await?;
    append_at(conn, first, entries, now).await?;
    Ok(first)
}

/// In the caller's write transaction: append the entries `make` builds if the log has been
/// started (holds an entry); a log not started yet takes everything recorded so far when it
/// starts ([`Store::start_log`]). Returns whether it appended.
///
/// # Errors
/// [`StoreError`], or `make`'s error.
pub(crate) async fn log_if_started<E: From<StoreError>>(
    conn: &mut AnyConnection,
    backend: Backend,
    now: u64,
    make: impl FnOnce() -> Result<Vec<LogEntry>, E>,
) -> Result<bool, E> {
    lock_log(conn, backend).await?;
    let size = log_size(conn).await?;
    if size == 0 {
        return Ok(false);
    }
    append_at(conn, size, &make()?, now).await?;
    Ok(true)
}

/// Append `entries` at `first` (the log's size, read under the lock).
async fn append_at(
    conn: &mut AnyConnection,
    first: u64,
    entries: &[LogEntry],
    now: u64,
) -> Result<(), StoreError> {
    let mut snap = LogSnapshot {
        size: first,
        ..LogSnapshot::default()
    };
    for entry in entries {
        let mut rounds = 0;
        loop {
            match append_to_storage(&mut snap, entry) {
                Ok(_) => break,
                Err(LogError::Storage(_)) if rounds < MAX_LOAD_ROUNDS => {
                    rounds += 1;
                    if !snap.load(conn).await? {
                        return Err(StoreError::Corrupt("log append made no progress".into()));
                    }
                }
                Err(e) => return Err(StoreError::Corrupt(format!("log append: {e}"))),
            }
        }
    }
    for a in &snap.appended {
        sqlx::query("INSERT INTO log_entries (idx, entry, created_at) VALUES ($1, $2, $3)")
            .bind(i(a.index)?)
            .bind(a.entry.as_slice())
            .bind(i(now)?)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        for (k, h) in (a.first_hash_index..).zip(&a.hashes) {
            sqlx::query("INSERT INTO log_hashes (hash_index, hash) VALUES ($1, $2)")
                .bind(i(k)?)
                .bind(&h.as_bytes()[..])
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
        }
    }
    Ok(())
}

/// The log entry of a revocation epoch: its registry (read from the core's entry JSON, which
/// must be epoch `epoch`), number and JSON.
///
/// # Errors
/// A message when the JSON is not a core epoch entry of that number.
pub(crate) fn epoch_log_entry(epoch: u64, entry_json: &[u8]) -> Result<LogEntry, String> {
    let parsed = netnym::EpochEntry::from_json(entry_json).map_err(|e| e.to_string())?;
    if parsed.epoch() != epoch {
        return Err(format!(
            "the entry is epoch {}, not {epoch}",
            parsed.epoch()
        ));
    }
    Ok(LogEntry::Epoch {
        registry_id: ObjectId::from_bytes(*parsed.registry().as_bytes()),
        epoch,
        entry: Envelope::new(entry_json.to_vec()).map_err(|e| e.to_string())?,
    })
}

/// The log entry publishing an issuer key (the core's public key JSON).
///
/// # Errors
/// A message when the JSON is not a core issuer public key.
pub(crate) fn issuer_key_log_entry(public_key_json: &[u8]) -> Result<LogEntry, String> {
    let pk = netnym::IssuerPublicKey::from_json(public_key_json).map_err(|e| e.to_string())?;
    Ok(LogEntry::IssuerKeyPublished {
        key_id: ObjectId::from_bytes(*pk.key_id().as_bytes()),
        envelope: Envelope::new(public_key_json.to_vec()).map_err(|e| e.to_string())?,
    })
}

/// The log entry retiring issuer key `key_id` (64 hex) from `at`.
///
/// # Errors
/// A message when `key_id` is not 64 lower-case hex digits.
pub(crate) fn retired_log_entry(key_id: &str, at: u64) -> Result<LogEntry, String> {
    Ok(LogEntry::IssuerKeyRetired {
        key_id: ObjectId::from_hex(key_id).map_err(|e| e.to_string())?,
        retired_at: at,
    })
}

impl Store {
    /// The number of entries in the log.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn log_size(&self) -> Result<u64, StoreError> {
        let mut conn = self.pool().acquire().await.map_err(db_err)?;
        log_size(&mut conn).await
    }

    /// Start the log, if it has not been started: in one transaction, `published` (the range
    /// parameters' and registry key's entries, whose only record is the authority's sealed
    /// keys) after every issuer key recorded (in rotation order), then the retirements, then
    /// every revocation epoch stored. From then on each of those records is logged in its own
    /// transaction. Returns whether this call started it.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when a recorded key or epoch does not parse; [`StoreError`].
    pub async fn start_log(&self, published: &[LogEntry], now: u64) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        lock_log(&mut tx, self.dialect()).await?;
        if log_size(&mut tx).await? > 0 {
            return Ok(false);
        }
        let corrupt = |what: &str, e: String| StoreError::Corrupt(format!("{what}: {e}"));
        let keys =
            sqlx::query("SELECT key_id, public_key, retired_at FROM issuer_keys ORDER BY position")
                .fetch_all(&mut *tx)
                .await
                .map_err(db_err)?;
        let mut entries = Vec::new();
        let mut retirements = Vec::new();
        for row in &keys {
            let key_id: String = col(row, 0)?;
            let public: Vec<u8> = col(row, 1)?;
            entries.push(issuer_key_log_entry(&public).map_err(|e| corrupt(&key_id, e))?);
            if let Some(at) = col::<Option<i64>>(row, 2)? {
                retirements
                    .push(retired_log_entry(&key_id, u(at)?).map_err(|e| corrupt(&key_id, e))?);
            }
        }
        entries.extend_from_slice(published);
        entries.extend(retirements);
        let epochs = sqlx::query("SELECT epoch, entry FROM epochs ORDER BY epoch")
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?;
        for row in &epochs {
            let epoch = u(col(row, 0)?)?;
            let json: Vec<u8> = col(row, 1)?;
            entries.push(
                epoch_log_entry(epoch, &json).map_err(|e| corrupt(&format!("epoch {epoch}"), e))?,
            );
        }
        if entries.is_empty() {
            return Ok(false);
        }
        append_at(&mut tx, 0, &entries, now).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(true)
    }

    /// Append `entries` in one transaction of their own (records that are only log entries,
    /// such as daily statistics); the index of the first.
    ///
    /// # Errors
    /// [`StoreError`]; then nothing was appended.
    pub async fn append_log(&self, entries: &[LogEntry], now: u64) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let first = append_log_entries(&mut tx, self.dialect(), entries, now).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(first)
    }

    /// Run `f` over the log as stored now (a [`LogSnapshot`] of its current size), loading
    /// what it asks for until it succeeds: e.g. `|s| Log::new(origin, s)?.inclusion_proof(i,
    /// n)` with a log over `&mut` of a clone, or the checkpoint of the whole log.
    ///
    /// # Errors
    /// [`LogReadError::Log`] when the log refuses `f`'s request; [`LogReadError::Store`].
    pub async fn read_log<T>(
        &self,
        f: impl Fn(&mut LogSnapshot) -> Result<T, LogError<NotLoaded>>,
    ) -> Result<T, LogReadError> {
        let mut conn = self.pool().acquire().await.map_err(db_err)?;
        let mut snap = LogSnapshot {
            size: log_size(&mut conn).await?,
            ..LogSnapshot::default()
        };
        for _ in 0..MAX_LOAD_ROUNDS {
            match f(&mut snap) {
                Err(LogError::Storage(_)) => {
                    if !snap.load(&mut conn).await? {
                        break;
                    }
                }
                other => return other.map_err(LogReadError::Log),
            }
        }
        Err(StoreError::Corrupt("reading the log made no progress".into()).into())
    }

    /// The encoded entries from index `from`, at most `limit`, in order.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn log_entries(&self, from: u64, limit: u64) -> Result<Vec<Vec<u8>>, StoreError> {
        sqlx::query("SELECT entry FROM log_entries WHERE idx >= $1 ORDER BY idx LIMIT $2")
            .bind(i(from)?)
            .bind(i(limit.min(i64::MAX as u64))?)
            .fetch_all(self.pool())
            .await
            .map_err(db_err)?
            .iter()
            .map(|r| col(r, 0))
            .collect()
    }

    /// Keep a signed checkpoint (its note text) of tree size `size`; a second note for the
    /// same size is refused unless it is the same note.
    ///
    /// # Errors
    /// [`StoreError::Constraint`] for another note of the same size; [`StoreError`].
    pub async fn put_log_checkpoint(
        &self,
        size: u64,
        note: &[u8],
        now: u64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO log_checkpoints (size, note, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (size) DO NOTHING",
        )
        .bind(i(size)?)
        .bind(note)
        .bind(i(now)?)
        .execute(self.pool())
        .await
        .map_err(db_err)?;
        let row = sqlx::query("SELECT note FROM log_checkpoints WHERE size = $1")
            .bind(i(size)?)
            .fetch_one(self.pool())
            .await
            .map_err(db_err)?;
        let kept: Vec<u8> = col(&row, 0)?;
        if kept != note {
            return Err(StoreError::Constraint(format!(
                "another checkpoint of size {size} is already kept"
            )));
        }
        Ok(())
    }

    /// The signed checkpoint of the largest size kept: `(size, note)`.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn latest_log_checkpoint(&self) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let row = sqlx::query("SELECT size, note FROM log_checkpoints ORDER BY size DESC LIMIT 1")
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?;
        row.map(|r| Ok((u(col(&r, 0)?)?, col(&r, 1)?))).transpose()
    }
}
