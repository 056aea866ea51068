//! The SQLite backend (embedded default).

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{params, Connection, ErrorCode, OptionalExtension, TransactionBehavior};

use crate::citizens::{check_record, CitizenRecord};
use crate::error::{
    ConsumeError, EnrollmentError, EpochError, ImportError, OpenError, PutRequestError,
    SecretError, StoreError,
};
use crate::model::{
    Account, Citizen, EnrollmentCodeRecord, EpochRecord, IssuedCredential, NewIssuedCredential,
    StoredRequest,
};
use crate::sealed::SealedSecret;
use crate::store::{
    AccountStore, CitizenStore, EnrollmentStore, RequestStore, RevocationStore, SecretStore, Store,
    MAX_EPOCH_PAGE,
};
use crate::{SCHEMA_VERSION, SQLITE_FILE_NAME};

/// Migrations: `(version, SQL)`, applied in order.
const MIGRATIONS: &[(u32, &str)] = &[(
    1,
    r"
CREATE TABLE citizens (
    citizen_id    TEXT PRIMARY KEY NOT NULL,
    revocation_id INTEGER NOT NULL UNIQUE CHECK (revocation_id >= 1),
    attributes    TEXT NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;
CREATE TABLE enrollment_codes (
    code_hash   BLOB PRIMARY KEY NOT NULL CHECK (length(code_hash) = 32),
    citizen_id  TEXT NOT NULL REFERENCES citizens(citizen_id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    consumed_at INTEGER,
    offer       BLOB
) STRICT;
CREATE TABLE issued_credentials (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    citizen_id    TEXT NOT NULL REFERENCES citizens(citizen_id),
    key_id        TEXT NOT NULL,
    revocation_id INTEGER NOT NULL,
    issued_at     INTEGER NOT NULL,
    code_hash     BLOB NOT NULL UNIQUE REFERENCES enrollment_codes(code_hash)
) STRICT;
CREATE INDEX issued_credentials_citizen ON issued_credentials(citizen_id);
CREATE TABLE epochs (
    epoch      INTEGER PRIMARY KEY NOT NULL CHECK (epoch >= 0),
    prev       INTEGER UNIQUE REFERENCES epochs(epoch),
    entry      BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    CHECK ((epoch = 0 AND prev IS NULL) OR (epoch > 0 AND prev = epoch - 1))
) STRICT;
CREATE TABLE revoked (
    revocation_id INTEGER PRIMARY KEY NOT NULL REFERENCES citizens(revocation_id),
    epoch         INTEGER NOT NULL REFERENCES epochs(epoch)
) STRICT;
CREATE TRIGGER epochs_no_update BEFORE UPDATE ON epochs
    BEGIN SELECT RAISE(ABORT, 'the epoch log is append-only'); END;
CREATE TRIGGER epochs_no_delete BEFORE DELETE ON epochs
    BEGIN SELECT RAISE(ABORT, 'the epoch log is append-only'); END;
CREATE TRIGGER revoked_no_update BEFORE UPDATE ON revoked
    BEGIN SELECT RAISE(ABORT, 'the revoked set is append-only'); END;
CREATE TRIGGER revoked_no_delete BEFORE DELETE ON revoked
    BEGIN SELECT RAISE(ABORT, 'the revoked set is append-only'); END;
CREATE TABLE secrets (
    name       TEXT PRIMARY KEY NOT NULL,
    sealed     BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE TABLE presentation_requests (
    nonce       BLOB PRIMARY KEY NOT NULL,
    verifier_id TEXT NOT NULL,
    request     BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    consumed_at INTEGER
) STRICT;
CREATE INDEX presentation_requests_expiry ON presentation_requests(expires_at);
CREATE TABLE accounts (
    account_id  INTEGER PRIMARY KEY AUTOINCREMENT,
    verifier_id TEXT NOT NULL,
    pseudonym   BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    last_login  INTEGER NOT NULL,
    login_count INTEGER NOT NULL,
    UNIQUE (verifier_id, pseudonym)
) STRICT;
",
)];

/// The embedded SQLite store: one connection behind a mutex.
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl core::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

pub(crate) fn i(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::Backend(format!("value {v} out of range")))
}

pub(crate) fn u(v: i64) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("negative value {v}")))
}

fn map_err(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::ConstraintViolation) => StoreError::Constraint(e.to_string()),
        Some(
            ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked
            | ErrorCode::CannotOpen
            | ErrorCode::SystemIoFailure
            | ErrorCode::DiskFull
            | ErrorCode::ReadOnly,
        ) => StoreError::Unavailable(e.to_string()),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
            StoreError::Corrupt(e.to_string())
        }
        _ => StoreError::Backend(e.to_string()),
    }
}

fn is_constraint(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation)
}

impl SqliteStore {
    /// Open (creating if needed, mode 0600) the database file `path` and migrate it.
    ///
    /// # Errors
    /// [`OpenError`] when the file cannot be opened or migrated, or is newer than this code.
    pub fn open(path: &Path) -> Result<Self, OpenError> {
        #[cfg(unix)]
        if !path.exists() {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| OpenError::Connect(format!("{}: {e}", path.display())))?;
        }
        let conn = Connection::open(path)
            .map_err(|e| OpenError::Connect(format!("{}: {e}", path.display())))?;
        Self::init(conn, true)
    }

    /// Open `DIR/netnym.sqlite3`, creating `dir` (mode 0700) if needed.
    ///
    /// # Errors
    /// As [`SqliteStore::open`]; [`OpenError::Connect`] when the directory cannot be created.
    pub fn open_in_data_dir(dir: &Path) -> Result<Self, OpenError> {
        if !dir.exists() {
            let mut b = std::fs::DirBuilder::new();
            b.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
            b.create(dir)
                .map_err(|e| OpenError::Connect(format!("{}: {e}", dir.display())))?;
        }
        Self::open(&dir.join(SQLITE_FILE_NAME))
    }

    /// A private in-memory database (tests, demos).
    ///
    /// # Errors
    /// [`OpenError`] as for [`SqliteStore::open`].
    pub fn open_in_memory() -> Result<Self, OpenError> {
        let conn = Connection::open_in_memory().map_err(|e| OpenError::Connect(e.to_string()))?;
        Self::init(conn, false)
    }

    fn init(mut conn: Connection, file: bool) -> Result<Self, OpenError> {
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(|e| OpenError::Connect(e.to_string()))?;
        if file {
            // WAL lets readers run beside the writer; FULL makes every commit durable before
            // it returns (acknowledged revocations and redemptions survive a power cut).
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(|e| OpenError::Connect(e.to_string()))?;
        }
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(|e| OpenError::Connect(e.to_string()))?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(|e| OpenError::Connect(e.to_string()))?;
        migrate(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves no open transaction behind (rusqlite rolls
        // back on drop), so the connection stays usable.
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn migrate(conn: &mut Connection) -> Result<(), OpenError> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        .map_err(map_err)?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(map_err)?;
    let found: Option<i64> = tx
        .query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))
        .map_err(map_err)?;
    let found = u32::try_from(found.unwrap_or(0))
        .map_err(|_| StoreError::Corrupt("schema_version".to_owned()))?;
    if found > SCHEMA_VERSION {
        return Err(OpenError::DatabaseTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        let step = |tx: &rusqlite::Transaction<'_>| -> Result<(), rusqlite::Error> {
            tx.execute_batch(sql)?;
            tx.execute("DELETE FROM schema_version", [])?;
            tx.execute(
                "INSERT INTO schema_version (version) VALUES (?1)",
                [i64::from(*version)],
            )?;
            Ok(())
        };
        step(&tx).map_err(|e| OpenError::Migration {
            version: *version,
            source: map_err(e),
        })?;
    }
    tx.commit().map_err(map_err)?;
    Ok(())
}

fn citizen_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, i64, String, i64)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn to_citizen(
    (citizen_id, rid, attrs, created): (String, i64, String, i64),
) -> Result<Citizen, StoreError> {
    Ok(Citizen {
        citizen_id,
        revocation_id: u(rid)?,
        attributes: serde_json::from_str(&attrs)
            .map_err(|e| StoreError::Corrupt(format!("citizen attributes: {e}")))?,
        created_at: u(created)?,
    })
}

/// `citizen_id, created_at, expires_at, consumed_at, offer`.
type CodeRow = (String, i64, i64, Option<i64>, Option<Vec<u8>>);
/// `verifier_id, request, created_at, expires_at, consumed_at`.
type RequestRow = (String, Vec<u8>, i64, i64, Option<i64>);

/// The code's record if it is usable at `now`, else why not.
fn code_state(
    conn: &Connection,
    code_hash: &[u8; 32],
    now: u64,
) -> Result<EnrollmentCodeRecord, EnrollmentError> {
    let row: Option<CodeRow> = conn
        .query_row(
            "SELECT citizen_id, created_at, expires_at, consumed_at, offer
             FROM enrollment_codes WHERE code_hash = ?1",
            [&code_hash[..]],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()
        .map_err(map_err)?;
    let (citizen_id, created_at, expires_at, consumed_at, offer) =
        row.ok_or(EnrollmentError::UnknownCode)?;
    if consumed_at.is_some() {
        return Err(EnrollmentError::AlreadyUsed);
    }
    let expires_at = u(expires_at)?;
    if now >= expires_at {
        return Err(EnrollmentError::Expired);
    }
    Ok(EnrollmentCodeRecord {
        citizen_id,
        created_at: u(created_at)?,
        expires_at,
        offer,
    })
}

impl CitizenStore for SqliteStore {
    fn import_citizens(
        &self,
        citizens: &[CitizenRecord],
        now: u64,
    ) -> Result<Vec<Citizen>, ImportError> {
        if citizens.is_empty() {
            return Err(ImportError::Empty);
        }
        let schema = netnym::Schema::cn_network_id_v1();
        let errors: Vec<_> = citizens
            .iter()
            .enumerate()
            .filter_map(|(n, r)| {
                check_record(&schema, r)
                    .err()
                    .map(|message| crate::LineError {
                        line: n as u64 + 1,
                        message,
                    })
            })
            .take(crate::MAX_REPORTED_ERRORS)
            .collect();
        if !errors.is_empty() {
            return Err(ImportError::Invalid(errors));
        }
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(map_err)?;
        let max: Option<i64> = tx
            .query_row("SELECT max(revocation_id) FROM citizens", [], |r| r.get(0))
            .map_err(map_err)?;
        let mut next = u(max.unwrap_or(0))? + 1;
        let mut out = Vec::with_capacity(citizens.len());
        {
            let mut stmt = tx
                .prepare(
                    "INSERT INTO citizens (citizen_id, revocation_id, attributes, created_at)
                     VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(map_err)?;
            for c in citizens {
                let attrs = c.attributes.to_string();
                match stmt.execute(params![c.citizen_id, i(next)?, attrs, i(now)?]) {
                    Ok(_) => {}
                    Err(e) if is_constraint(&e) => {
                        return Err(ImportError::AlreadyRegistered(c.citizen_id.clone()))
                    }
                    Err(e) => return Err(map_err(e).into()),
                }
                out.push(Citizen {
                    citizen_id: c.citizen_id.clone(),
                    revocation_id: next,
                    attributes: c.attributes.clone(),
                    created_at: now,
                });
                next += 1;
            }
        }
        tx.commit().map_err(map_err)?;
        Ok(out)
    }

    fn citizen(&self, citizen_id: &str) -> Result<Option<Citizen>, StoreError> {
        let row = self
            .conn()
            .query_row(
                "SELECT citizen_id, revocation_id, attributes, created_at FROM citizens
                 WHERE citizen_id = ?1",
                [citizen_id],
                citizen_row,
            )
            .optional()
            .map_err(map_err)?;
        row.map(to_citizen).transpose()
    }

    fn citizen_by_revocation_id(&self, revocation_id: u64) -> Result<Option<Citizen>, StoreError> {
        let Ok(rid) = i64::try_from(revocation_id) else {
            return Ok(None);
        };
        let row = self
            .conn()
            .query_row(
                "SELECT citizen_id, revocation_id, attributes, created_at FROM citizens
                 WHERE revocation_id = ?1",
                [rid],
                citizen_row,
            )
            .optional()
            .map_err(map_err)?;
        row.map(to_citizen).transpose()
    }

    fn citizens(&self, offset: u64, limit: u64) -> Result<Vec<Citizen>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT citizen_id, revocation_id, attributes, created_at FROM citizens
                 ORDER BY revocation_id LIMIT ?1 OFFSET ?2",
            )
            .map_err(map_err)?;
        let rows = stmt
            .query_map(
                [
                    i(limit.min(i64::MAX as u64))?,
                    i(offset.min(i64::MAX as u64))?,
                ],
                citizen_row,
            )
            .map_err(map_err)?;
        rows.map(|r| r.map_err(map_err).and_then(to_citizen))
            .collect()
    }

    fn citizen_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM citizens", [], |r| r.get(0))
            .map_err(map_err)?;
        u(n)
    }
}

impl EnrollmentStore for SqliteStore {
    fn add_enrollment_code(
        &self,
        code_hash: &[u8; 32],
        citizen_id: &str,
        created_at: u64,
        expires_at: u64,
    ) -> Result<(), EnrollmentError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(map_err)?;
        let exists: Option<i64> = tx
            .query_row(
                "SELECT 1 FROM citizens WHERE citizen_id = ?1",
                [citizen_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(map_err)?;
        if exists.is_none() {
            return Err(EnrollmentError::UnknownCitizen(citizen_id.to_owned()));
        }
        tx.execute(
            "INSERT INTO enrollment_codes (code_hash, citizen_id, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![&code_hash[..], citizen_id, i(created_at)?, i(expires_at)?],
        )
        .map_err(map_err)?;
        tx.commit().map_err(map_err)?;
        Ok(())
    }

    fn enrollment_code(
        &self,
        code_hash: &[u8; 32],
        now: u64,
    ) -> Result<EnrollmentCodeRecord, EnrollmentError> {
        code_state(&self.conn(), code_hash, now)
    }

    fn set_enrollment_offer(
        &self,
        code_hash: &[u8; 32],
        offer: &[u8],
        now: u64,
    ) -> Result<EnrollmentCodeRecord, EnrollmentError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(map_err)?;
        let mut rec = code_state(&tx, code_hash, now)?;
        tx.execute(
            "UPDATE enrollment_codes SET offer = ?1 WHERE code_hash = ?2",
            params![offer, &code_hash[..]],
        )
        .map_err(map_err)?;
        tx.commit().map_err(map_err)?;
        rec.offer = Some(offer.to_vec());
        Ok(rec)
    }

    fn redeem_enrollment_code(
        &self,
        code_hash: &[u8; 32],
        offer: &[u8],
        now: u64,
        record: &NewIssuedCredential,
    ) -> Result<IssuedCredential, EnrollmentError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(map_err)?;
        let updated = tx
            .execute(
                "UPDATE enrollment_codes SET consumed_at = ?1
                 WHERE code_hash = ?2 AND consumed_at IS NULL AND expires_at > ?1 AND offer = ?3",
                params![i(now)?, &code_hash[..], offer],
            )
            .map_err(map_err)?;
        if updated != 1 {
            // Explain why (the state check reads the same transaction's snapshot).
            code_state(&tx, code_hash, now)?;
            return Err(EnrollmentError::NoOffer);
        }
        let (citizen_id, rid): (String, i64) = tx
            .query_row(
                "SELECT c.citizen_id, c.revocation_id FROM enrollment_codes e
                 JOIN citizens c ON c.citizen_id = e.citizen_id WHERE e.code_hash = ?1",
                [&code_hash[..]],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(map_err)?;
        tx.execute(
            "INSERT INTO issued_credentials (citizen_id, key_id, revocation_id, issued_at, code_hash)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![citizen_id, record.key_id, rid, i(record.issued_at)?, &code_hash[..]],
        )
        .map_err(map_err)?;
        let id = tx.last_insert_rowid();
        tx.commit().map_err(map_err)?;
        Ok(IssuedCredential {
            id: u(id)?,
            citizen_id,
            key_id: record.key_id.clone(),
            revocation_id: u(rid)?,
            issued_at: record.issued_at,
        })
    }

    fn issued_credentials(&self, citizen_id: &str) -> Result<Vec<IssuedCredential>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT id, citizen_id, key_id, revocation_id, issued_at FROM issued_credentials
                 WHERE citizen_id = ?1 ORDER BY id",
            )
            .map_err(map_err)?;
        let rows = stmt
            .query_map([citizen_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .map_err(map_err)?;
        rows.map(|r| {
            let (id, citizen_id, key_id, rid, at) = r.map_err(map_err)?;
            Ok(IssuedCredential {
                id: u(id)?,
                citizen_id,
                key_id,
                revocation_id: u(rid)?,
                issued_at: u(at)?,
            })
        })
        .collect()
    }

    fn issued_credential_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM issued_credentials", [], |r| r.get(0))
            .map_err(map_err)?;
        u(n)
    }
}

impl RevocationStore for SqliteStore {
    fn append_epoch(
        &self,
        epoch: u64,
        revocation_ids: &[u64],
        entry: &[u8],
        now: u64,
    ) -> Result<(), EpochError> {
        crate::store::check_epoch_input(epoch, revocation_ids)?;
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(map_err)?;
        let prev = if epoch == 0 {
            None
        } else {
            Some(i(epoch - 1)?)
        };
        match tx.execute(
            "INSERT INTO epochs (epoch, prev, entry, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![i(epoch)?, prev, entry, i(now)?],
        ) {
            Ok(_) => {}
            Err(e) if is_constraint(&e) => {
                let last: Option<i64> = tx
                    .query_row("SELECT max(epoch) FROM epochs", [], |r| r.get(0))
                    .map_err(map_err)?;
                return Err(EpochError::NotNext {
                    got: epoch,
                    last: last.map(u).transpose()?,
                });
            }
            Err(e) => return Err(map_err(e).into()),
        }
        for &id in revocation_ids {
            let known: Option<i64> = tx
                .query_row(
                    "SELECT 1 FROM citizens WHERE revocation_id = ?1",
                    [i(id)?],
                    |r| r.get(0),
                )
                .optional()
                .map_err(map_err)?;
            if known.is_none() {
                return Err(EpochError::UnknownRevocationId(id));
            }
            match tx.execute(
                "INSERT INTO revoked (revocation_id, epoch) VALUES (?1, ?2)",
                params![i(id)?, i(epoch)?],
            ) {
                Ok(_) => {}
                Err(e) if is_constraint(&e) => return Err(EpochError::AlreadyRevoked(id)),
                Err(e) => return Err(map_err(e).into()),
            }
        }
        tx.commit().map_err(map_err)?;
        Ok(())
    }

    fn is_revoked(&self, revocation_id: u64) -> Result<bool, StoreError> {
        let Ok(rid) = i64::try_from(revocation_id) else {
            return Ok(false);
        };
        let row: Option<i64> = self
            .conn()
            .query_row(
                "SELECT 1 FROM revoked WHERE revocation_id = ?1",
                [rid],
                |r| r.get(0),
            )
            .optional()
            .map_err(map_err)?;
        Ok(row.is_some())
    }

    fn revoked_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM revoked", [], |r| r.get(0))
            .map_err(map_err)?;
        u(n)
    }

    fn revoked_ids(&self) -> Result<Vec<u64>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT revocation_id FROM revoked ORDER BY revocation_id")
            .map_err(map_err)?;
        let rows = stmt
            .query_map([], |r| r.get::<_, i64>(0))
            .map_err(map_err)?;
        rows.map(|r| r.map_err(map_err).and_then(u)).collect()
    }

    fn latest_epoch(&self) -> Result<Option<u64>, StoreError> {
        let n: Option<i64> = self
            .conn()
            .query_row("SELECT max(epoch) FROM epochs", [], |r| r.get(0))
            .map_err(map_err)?;
        n.map(u).transpose()
    }

    fn epochs_from(&self, from: u64, limit: u64) -> Result<Vec<EpochRecord>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT epoch, entry, created_at FROM epochs WHERE epoch >= ?1
                 ORDER BY epoch LIMIT ?2",
            )
            .map_err(map_err)?;
        let rows = stmt
            .query_map(
                [i(from.min(i64::MAX as u64))?, i(limit.min(MAX_EPOCH_PAGE))?],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, Vec<u8>>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                },
            )
            .map_err(map_err)?;
        rows.map(|r| {
            let (epoch, entry, at) = r.map_err(map_err)?;
            Ok(EpochRecord {
                epoch: u(epoch)?,
                entry,
                created_at: u(at)?,
            })
        })
        .collect()
    }
}

impl SecretStore for SqliteStore {
    fn put_sealed_secret(&self, name: &str, secret: &SealedSecret) -> Result<(), SecretError> {
        let now = crate::store::unix_now();
        match self.conn().execute(
            "INSERT INTO secrets (name, sealed, created_at) VALUES (?1, ?2, ?3)",
            params![name, secret.to_json(), i(now)?],
        ) {
            Ok(_) => Ok(()),
            Err(e) if is_constraint(&e) => Err(SecretError::AlreadyExists(name.to_owned())),
            Err(e) => Err(map_err(e).into()),
        }
    }

    fn sealed_secret(&self, name: &str) -> Result<SealedSecret, SecretError> {
        let blob: Option<Vec<u8>> = self
            .conn()
            .query_row("SELECT sealed FROM secrets WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(map_err)?;
        let blob = blob.ok_or_else(|| SecretError::NotFound(name.to_owned()))?;
        SealedSecret::from_json(&blob)
    }
}

impl RequestStore for SqliteStore {
    fn put_request(
        &self,
        nonce: &[u8],
        verifier_id: &str,
        request: &[u8],
        created_at: u64,
        expires_at: u64,
    ) -> Result<(), PutRequestError> {
        crate::store::check_request_input(nonce, created_at, expires_at)?;
        match self.conn().execute(
            "INSERT INTO presentation_requests (nonce, verifier_id, request, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![nonce, verifier_id, request, i(created_at)?, i(expires_at)?],
        ) {
            Ok(_) => Ok(()),
            Err(e) if is_constraint(&e) => Err(PutRequestError::DuplicateNonce),
            Err(e) => Err(map_err(e).into()),
        }
    }

    fn request(&self, nonce: &[u8]) -> Result<Option<StoredRequest>, StoreError> {
        let row: Option<RequestRow> = self
            .conn()
            .query_row(
                "SELECT verifier_id, request, created_at, expires_at, consumed_at
                 FROM presentation_requests WHERE nonce = ?1",
                [nonce],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()
            .map_err(map_err)?;
        row.map(|(verifier_id, request, c, e, k)| {
            Ok(StoredRequest {
                nonce: nonce.to_vec(),
                verifier_id,
                request,
                created_at: u(c)?,
                expires_at: u(e)?,
                consumed_at: k.map(u).transpose()?,
            })
        })
        .transpose()
    }

    fn consume_request(
        &self,
        nonce: &[u8],
        now: u64,
        pseudonym: Option<&[u8]>,
    ) -> Result<Option<Account>, ConsumeError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(map_err)?;
        let row: Option<(String, i64, Option<i64>)> = tx
            .query_row(
                "SELECT verifier_id, expires_at, consumed_at FROM presentation_requests
                 WHERE nonce = ?1",
                [nonce],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(map_err)?;
        let (verifier_id, expires_at, consumed_at) = row.ok_or(ConsumeError::Unknown)?;
        if consumed_at.is_some() {
            return Err(ConsumeError::Replayed);
        }
        if now > u(expires_at)? {
            return Err(ConsumeError::Expired);
        }
        let updated = tx
            .execute(
                "UPDATE presentation_requests SET consumed_at = ?1
                 WHERE nonce = ?2 AND consumed_at IS NULL",
                params![i(now)?, nonce],
            )
            .map_err(map_err)?;
        if updated != 1 {
            return Err(ConsumeError::Replayed);
        }
        let account = pseudonym
            .map(|p| upsert_account(&tx, &verifier_id, p, now))
            .transpose()?;
        tx.commit().map_err(map_err)?;
        Ok(account)
    }

    fn purge_expired_requests(&self, now: u64) -> Result<u64, StoreError> {
        let n = self
            .conn()
            .execute(
                "DELETE FROM presentation_requests WHERE expires_at < ?1",
                [i(now)?],
            )
            .map_err(map_err)?;
        Ok(n as u64)
    }
}

fn upsert_account(
    conn: &Connection,
    verifier_id: &str,
    pseudonym: &[u8],
    now: u64,
) -> Result<Account, StoreError> {
    let (account_id, created_at, last_login, login_count): (i64, i64, i64, i64) = conn
        .query_row(
            "INSERT INTO accounts (verifier_id, pseudonym, created_at, last_login, login_count)
             VALUES (?1, ?2, ?3, ?3, 1)
             ON CONFLICT (verifier_id, pseudonym) DO UPDATE
                SET last_login = excluded.last_login, login_count = accounts.login_count + 1
             RETURNING account_id, created_at, last_login, login_count",
            params![verifier_id, pseudonym, i(now)?],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .map_err(map_err)?;
    Ok(Account {
        account_id: u(account_id)?,
        verifier_id: verifier_id.to_owned(),
        pseudonym: pseudonym.to_vec(),
        created_at: u(created_at)?,
        last_login: u(last_login)?,
        login_count: u(login_count)?,
        new_account: login_count == 1,
    })
}

impl AccountStore for SqliteStore {
    fn sign_in_or_register(
        &self,
        verifier_id: &str,
        pseudonym: &[u8],
        now: u64,
    ) -> Result<Account, StoreError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(map_err)?;
        let a = upsert_account(&tx, verifier_id, pseudonym, now)?;
        tx.commit().map_err(map_err)?;
        Ok(a)
    }

    fn account(&self, verifier_id: &str, pseudonym: &[u8]) -> Result<Option<Account>, StoreError> {
        let row: Option<(i64, i64, i64, i64)> = self
            .conn()
            .query_row(
                "SELECT account_id, created_at, last_login, login_count FROM accounts
                 WHERE verifier_id = ?1 AND pseudonym = ?2",
                params![verifier_id, pseudonym],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(map_err)?;
        row.map(|(id, c, l, n)| {
            Ok(Account {
                account_id: u(id)?,
                verifier_id: verifier_id.to_owned(),
                pseudonym: pseudonym.to_vec(),
                created_at: u(c)?,
                last_login: u(l)?,
                login_count: u(n)?,
                new_account: false,
            })
        })
        .transpose()
    }

    fn account_count(&self, verifier_id: &str) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn()
            .query_row(
                "SELECT count(*) FROM accounts WHERE verifier_id = ?1",
                [verifier_id],
                |r| r.get(0),
            )
            .map_err(map_err)?;
        u(n)
    }
}

impl Store for SqliteStore {
    fn ping(&self) -> Result<(), StoreError> {
        self.conn()
            .query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
            .map_err(map_err)
            .map(|_| ())
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }
}
