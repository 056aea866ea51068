//! The PostgreSQL backend: a small pool of synchronous `postgres` clients.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use postgres::error::SqlState;
use postgres::{Client, Config, NoTls, Transaction};

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
use crate::sqlite::{i, u};
use crate::store::{
    AccountStore, CitizenStore, EnrollmentStore, RequestStore, RevocationStore, SecretStore, Store,
    MAX_EPOCH_PAGE,
};
use crate::SCHEMA_VERSION;

/// Advisory lock key serialising migrations across replicas ("NetNymMg").
const MIGRATION_LOCK: i64 = 0x4E65_744E_796D_4D67;
/// Most connections one store opens at once (callers beyond wait for one to be released).
pub const MAX_CONNECTIONS: usize = 16;
/// How long a caller waits for a free connection before [`StoreError::Unavailable`].
const POOL_WAIT: Duration = Duration::from_secs(10);

const MIGRATIONS: &[(u32, &str)] = &[(
    1,
    r"
CREATE TABLE citizens (
    citizen_id    TEXT PRIMARY KEY,
    revocation_id BIGINT NOT NULL UNIQUE CHECK (revocation_id >= 1),
    attributes    TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE TABLE enrollment_codes (
    code_hash   BYTEA PRIMARY KEY CHECK (length(code_hash) = 32),
    citizen_id  TEXT NOT NULL REFERENCES citizens(citizen_id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    consumed_at BIGINT,
    offer       BYTEA
);
CREATE TABLE issued_credentials (
    id            BIGSERIAL PRIMARY KEY,
    citizen_id    TEXT NOT NULL REFERENCES citizens(citizen_id),
    key_id        TEXT NOT NULL,
    revocation_id BIGINT NOT NULL,
    issued_at     BIGINT NOT NULL,
    code_hash     BYTEA NOT NULL UNIQUE REFERENCES enrollment_codes(code_hash)
);
CREATE INDEX issued_credentials_citizen ON issued_credentials(citizen_id);
CREATE TABLE epochs (
    epoch      BIGINT PRIMARY KEY CHECK (epoch >= 0),
    prev       BIGINT UNIQUE REFERENCES epochs(epoch),
    entry      BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    CHECK ((epoch = 0 AND prev IS NULL) OR (epoch > 0 AND prev = epoch - 1))
);
CREATE TABLE revoked (
    revocation_id BIGINT PRIMARY KEY REFERENCES citizens(revocation_id),
    epoch         BIGINT NOT NULL REFERENCES epochs(epoch)
);
CREATE FUNCTION netnym_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME;
END
$$;
CREATE TRIGGER epochs_append_only BEFORE UPDATE OR DELETE ON epochs
    FOR EACH ROW EXECUTE FUNCTION netnym_append_only();
CREATE TRIGGER revoked_append_only BEFORE UPDATE OR DELETE ON revoked
    FOR EACH ROW EXECUTE FUNCTION netnym_append_only();
CREATE TABLE secrets (
    name       TEXT PRIMARY KEY,
    sealed     BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE presentation_requests (
    nonce       BYTEA PRIMARY KEY,
    verifier_id TEXT NOT NULL,
    request     BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    consumed_at BIGINT
);
CREATE INDEX presentation_requests_expiry ON presentation_requests(expires_at);
CREATE TABLE accounts (
    account_id  BIGSERIAL PRIMARY KEY,
    verifier_id TEXT NOT NULL,
    pseudonym   BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    last_login  BIGINT NOT NULL,
    login_count BIGINT NOT NULL,
    UNIQUE (verifier_id, pseudonym)
);
",
)];

/// The PostgreSQL store.
///
/// # Panics
/// The synchronous `postgres` client drives its own small runtime, so every method (and
/// [`PgStore::connect`]) panics with "Cannot start a runtime from within a runtime" when called
/// on a thread that is running async tasks. From async code, call it through
/// `tokio::task::spawn_blocking` (as `netnym-server` does) or open it before starting a runtime.
///
/// Dropping the store is safe anywhere, inside a runtime too: its idle connections are closed
/// on a thread of their own (see the `Drop` implementation).
pub struct PgStore {
    config: Config,
    pool: Mutex<Pool>,
    released: Condvar,
}

impl core::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

fn map_err(e: postgres::Error) -> StoreError {
    match e.code() {
        Some(c)
            if *c == SqlState::UNIQUE_VIOLATION
                || *c == SqlState::FOREIGN_KEY_VIOLATION
                || *c == SqlState::CHECK_VIOLATION
                || *c == SqlState::NOT_NULL_VIOLATION =>
        {
            StoreError::Constraint(e.to_string())
        }
        Some(c)
            if *c == SqlState::T_R_SERIALIZATION_FAILURE
                || *c == SqlState::T_R_DEADLOCK_DETECTED
                || *c == SqlState::ADMIN_SHUTDOWN
                || *c == SqlState::CANNOT_CONNECT_NOW
                || *c == SqlState::TOO_MANY_CONNECTIONS =>
        {
            StoreError::Unavailable(e.to_string())
        }
        Some(_) => StoreError::Backend(e.to_string()),
        // No SQLSTATE: I/O, closed connection, timeout.
        None => StoreError::Unavailable(e.to_string()),
    }
}

fn is_constraint(e: &postgres::Error) -> bool {
    e.code().is_some_and(|c| {
        *c == SqlState::UNIQUE_VIOLATION
            || *c == SqlState::FOREIGN_KEY_VIOLATION
            || *c == SqlState::CHECK_VIOLATION
    })
}

/// Idle connections and the count of connections open (idle or lent).
struct Pool {
    idle: Vec<Client>,
    open: usize,
}

/// A pooled connection, returned to the pool on drop unless it broke.
struct Conn<'a> {
    store: &'a PgStore,
    client: Option<Client>,
}

impl Conn<'_> {
    fn client(&mut self) -> &mut Client {
        // Always Some until drop.
        self.client.get_or_insert_with(unreachable_client)
    }
}

#[allow(clippy::panic)] // Only reachable if `Conn` is used after drop, which Rust forbids.
fn unreachable_client() -> Client {
    panic!("pooled connection used after release")
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.client.take() {
            let mut pool = self.store.pool();
            if c.is_closed() {
                pool.open = pool.open.saturating_sub(1);
            } else {
                pool.idle.push(c);
            }
            drop(pool);
            self.store.released.notify_one();
        }
    }
}

/// How long dropping a store waits for its connections to close (a `Terminate` message each;
/// an unreachable server is not waited for longer).
const CLOSE_WAIT: Duration = Duration::from_secs(5);

impl Drop for PgStore {
    /// Close the idle connections on a fresh thread, outside any async runtime.
    ///
    /// Each `postgres::Client` owns a small tokio runtime and closes the connection by blocking
    /// on it when dropped; on a thread that runs async tasks (the last `Arc` of a service's store
    /// is often released there at shutdown) that panics with "Cannot start a runtime from
    /// within a runtime" (issue 12). A new thread has no runtime context, so the clients close
    /// there; the drop waits for them up to 5 s (`CLOSE_WAIT`).
    fn drop(&mut self) {
        let idle = std::mem::take(&mut self.pool().idle);
        if idle.is_empty() {
            return;
        }
        // The clients stay in `slot` until the thread takes them, so a failed spawn (which
        // drops its closure here) does not drop them on this thread.
        let slot = std::sync::Arc::new(Mutex::new(Some(idle)));
        let theirs = slot.clone();
        let (done, wait) = std::sync::mpsc::channel::<()>();
        let closer = std::thread::Builder::new()
            .name("netnym-pg-close".to_owned())
            .spawn(move || {
                let clients = theirs
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .take();
                drop(clients);
                let _ = done.send(());
            });
        match closer {
            Ok(_) => {
                if wait.recv_timeout(CLOSE_WAIT).is_err() {
                    log::warn!(target: "netnym_store", "PostgreSQL connections did not close within {CLOSE_WAIT:?}");
                }
            }
            Err(e) => {
                // No thread: abandon the connections (the server sees the sockets close at
                // exit) rather than close them here, where that could panic.
                log::warn!(target: "netnym_store", "cannot close PostgreSQL connections: {e}");
                let clients = slot
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .take();
                std::mem::forget(clients);
            }
        }
    }
}

impl PgStore {
    /// Connect with a libpq-style connection string (`host=… port=… user=… dbname=…` or a
    /// `postgresql://` URL) and migrate.
    ///
    /// # Errors
    /// [`OpenError`] when the server cannot be reached or migrated, or is newer than this code.
    pub fn connect(url: &str) -> Result<Self, OpenError> {
        Self::open(url, None)
    }

    /// As [`PgStore::connect`], confined to `schema` (created if missing; `[a-z_][a-z0-9_]*`,
    /// at most 63 bytes).
    ///
    /// # Errors
    /// [`OpenError::Config`] for a bad schema name; otherwise as [`PgStore::connect`].
    pub fn connect_in_schema(url: &str, schema: &str) -> Result<Self, OpenError> {
        Self::open(url, Some(schema))
    }

    fn open(url: &str, schema: Option<&str>) -> Result<Self, OpenError> {
        let mut config: Config = url
            .parse()
            .map_err(|e: postgres::Error| OpenError::Config(format!("connection string: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        if let Some(schema) = schema {
            let ok = (1..=63).contains(&schema.len())
                && schema
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
                && schema
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !ok {
                return Err(OpenError::Config(format!("invalid schema name {schema:?}")));
            }
            let mut c = config
                .connect(NoTls)
                .map_err(|e| OpenError::Connect(e.to_string()))?;
            c.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                .map_err(map_err)?;
            config.options(&format!("-c search_path={schema}"));
        }
        let store = Self {
            config,
            pool: Mutex::new(Pool {
                idle: Vec::new(),
                open: 0,
            }),
            released: Condvar::new(),
        };
        {
            let mut conn = store
                .conn()
                .map_err(|e| OpenError::Connect(e.to_string()))?;
            migrate(conn.client())?;
        }
        Ok(store)
    }

    fn pool(&self) -> MutexGuard<'_, Pool> {
        self.pool
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// An idle connection, or a new one while fewer than [`MAX_CONNECTIONS`] are open, or wait.
    fn conn(&self) -> Result<Conn<'_>, StoreError> {
        let deadline = std::time::Instant::now() + POOL_WAIT;
        let mut pool = self.pool();
        loop {
            if let Some(c) = pool.idle.pop() {
                return Ok(Conn {
                    store: self,
                    client: Some(c),
                });
            }
            if pool.open < MAX_CONNECTIONS {
                pool.open += 1;
                drop(pool);
                return match self.config.connect(NoTls) {
                    Ok(c) => Ok(Conn {
                        store: self,
                        client: Some(c),
                    }),
                    Err(e) => {
                        self.pool().open -= 1;
                        self.released.notify_one();
                        Err(map_err(e))
                    }
                };
            }
            let now = std::time::Instant::now();
            if now >= deadline {
                return Err(StoreError::Unavailable(format!(
                    "all {MAX_CONNECTIONS} database connections are busy"
                )));
            }
            pool = self
                .released
                .wait_timeout(pool, deadline - now)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
    }

    /// Run `f` in a transaction; commit when it returns `Ok`.
    fn tx<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.conn()?;
        let mut tx = conn.client().transaction().map_err(map_err)?;
        let out = f(&mut tx)?;
        tx.commit().map_err(map_err)?;
        Ok(out)
    }
}

fn migrate(client: &mut Client) -> Result<(), OpenError> {
    let mut tx = client.transaction().map_err(map_err)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(map_err)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
        .map_err(map_err)?;
    let found: Option<i64> = tx
        .query_one("SELECT max(version) FROM schema_version", &[])
        .map_err(map_err)?
        .get(0);
    let found = u32::try_from(found.unwrap_or(0))
        .map_err(|_| StoreError::Corrupt("schema_version".to_owned()))?;
    if found > SCHEMA_VERSION {
        return Err(OpenError::DatabaseTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        let mut step = || -> Result<(), postgres::Error> {
            tx.batch_execute(sql)?;
            tx.execute("DELETE FROM schema_version", &[])?;
            tx.execute(
                "INSERT INTO schema_version (version) VALUES ($1)",
                &[&i64::from(*version)],
            )?;
            Ok(())
        };
        step().map_err(|e| OpenError::Migration {
            version: *version,
            source: map_err(e),
        })?;
    }
    tx.commit().map_err(map_err)?;
    Ok(())
}

fn to_citizen(r: &postgres::Row) -> Result<Citizen, StoreError> {
    let attrs: String = r.get(2);
    Ok(Citizen {
        citizen_id: r.get(0),
        revocation_id: u(r.get(1))?,
        attributes: serde_json::from_str(&attrs)
            .map_err(|e| StoreError::Corrupt(format!("citizen attributes: {e}")))?,
        created_at: u(r.get(3))?,
    })
}

fn code_state(
    tx: &mut Transaction<'_>,
    code_hash: &[u8; 32],
    now: u64,
    for_update: bool,
) -> Result<EnrollmentCodeRecord, EnrollmentError> {
    let sql = if for_update {
        "SELECT citizen_id, created_at, expires_at, consumed_at, offer
         FROM enrollment_codes WHERE code_hash = $1 FOR UPDATE"
    } else {
        "SELECT citizen_id, created_at, expires_at, consumed_at, offer
         FROM enrollment_codes WHERE code_hash = $1"
    };
    let row = tx
        .query_opt(sql, &[&&code_hash[..]])
        .map_err(map_err)?
        .ok_or(EnrollmentError::UnknownCode)?;
    if row.get::<_, Option<i64>>(3).is_some() {
        return Err(EnrollmentError::AlreadyUsed);
    }
    let expires_at = u(row.get(2))?;
    if now >= expires_at {
        return Err(EnrollmentError::Expired);
    }
    Ok(EnrollmentCodeRecord {
        citizen_id: row.get(0),
        created_at: u(row.get(1))?,
        expires_at,
        offer: row.get(4),
    })
}

fn upsert_account(
    tx: &mut Transaction<'_>,
    verifier_id: &str,
    pseudonym: &[u8],
    now: u64,
) -> Result<Account, StoreError> {
    let row = tx
        .query_one(
            "INSERT INTO accounts (verifier_id, pseudonym, created_at, last_login, login_count)
             VALUES ($1, $2, $3, $3, 1)
             ON CONFLICT (verifier_id, pseudonym) DO UPDATE
                SET last_login = excluded.last_login, login_count = accounts.login_count + 1
             RETURNING account_id, created_at, last_login, login_count",
            &[&verifier_id, &pseudonym, &i(now)?],
        )
        .map_err(map_err)?;
    let login_count = u(row.get(3))?;
    Ok(Account {
        account_id: u(row.get(0))?,
        verifier_id: verifier_id.to_owned(),
        pseudonym: pseudonym.to_vec(),
        created_at: u(row.get(1))?,
        last_login: u(row.get(2))?,
        login_count,
        new_account: login_count == 1,
    })
}

impl CitizenStore for PgStore {
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
        self.tx(|tx| {
            // Serialise importers so revocation ids stay dense.
            tx.batch_execute("LOCK TABLE citizens IN SHARE ROW EXCLUSIVE MODE")
                .map_err(map_err)?;
            let max: Option<i64> = tx
                .query_one("SELECT max(revocation_id) FROM citizens", &[])
                .map_err(map_err)?
                .get(0);
            let first = u(max.unwrap_or(0))? + 1;
            let stmt = tx
                .prepare(
                    "INSERT INTO citizens (citizen_id, revocation_id, attributes, created_at)
                     VALUES ($1, $2, $3, $4) ON CONFLICT (citizen_id) DO NOTHING",
                )
                .map_err(map_err)?;
            let mut out = Vec::with_capacity(citizens.len());
            for (next, c) in (first..).zip(citizens) {
                let attrs = c.attributes.to_string();
                let n = tx
                    .execute(&stmt, &[&c.citizen_id, &i(next)?, &attrs, &i(now)?])
                    .map_err(map_err)?;
                if n != 1 {
                    return Err(ImportError::AlreadyRegistered(c.citizen_id.clone()));
                }
                out.push(Citizen {
                    citizen_id: c.citizen_id.clone(),
                    revocation_id: next,
                    attributes: c.attributes.clone(),
                    created_at: now,
                });
            }
            Ok(out)
        })
    }

    fn citizen(&self, citizen_id: &str) -> Result<Option<Citizen>, StoreError> {
        let mut conn = self.conn()?;
        conn.client()
            .query_opt(
                "SELECT citizen_id, revocation_id, attributes, created_at FROM citizens
                 WHERE citizen_id = $1",
                &[&citizen_id],
            )
            .map_err(map_err)?
            .as_ref()
            .map(to_citizen)
            .transpose()
    }

    fn citizen_by_revocation_id(&self, revocation_id: u64) -> Result<Option<Citizen>, StoreError> {
        let Ok(rid) = i64::try_from(revocation_id) else {
            return Ok(None);
        };
        let mut conn = self.conn()?;
        conn.client()
            .query_opt(
                "SELECT citizen_id, revocation_id, attributes, created_at FROM citizens
                 WHERE revocation_id = $1",
                &[&rid],
            )
            .map_err(map_err)?
            .as_ref()
            .map(to_citizen)
            .transpose()
    }

    fn citizens(&self, offset: u64, limit: u64) -> Result<Vec<Citizen>, StoreError> {
        let mut conn = self.conn()?;
        conn.client()
            .query(
                "SELECT citizen_id, revocation_id, attributes, created_at FROM citizens
                 ORDER BY revocation_id LIMIT $1 OFFSET $2",
                &[
                    &i(limit.min(i64::MAX as u64))?,
                    &i(offset.min(i64::MAX as u64))?,
                ],
            )
            .map_err(map_err)?
            .iter()
            .map(to_citizen)
            .collect()
    }

    fn citizen_count(&self) -> Result<u64, StoreError> {
        let mut conn = self.conn()?;
        let n: i64 = conn
            .client()
            .query_one("SELECT count(*) FROM citizens", &[])
            .map_err(map_err)?
            .get(0);
        u(n)
    }
}

impl EnrollmentStore for PgStore {
    fn add_enrollment_code(
        &self,
        code_hash: &[u8; 32],
        citizen_id: &str,
        created_at: u64,
        expires_at: u64,
    ) -> Result<(), EnrollmentError> {
        self.tx(|tx| {
            match tx.execute(
                "INSERT INTO enrollment_codes (code_hash, citizen_id, created_at, expires_at)
                 VALUES ($1, $2, $3, $4)",
                &[
                    &&code_hash[..],
                    &citizen_id,
                    &i(created_at)?,
                    &i(expires_at)?,
                ],
            ) {
                Ok(_) => Ok(()),
                Err(e) if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) => {
                    Err(EnrollmentError::UnknownCitizen(citizen_id.to_owned()))
                }
                Err(e) => Err(map_err(e).into()),
            }
        })
    }

    fn enrollment_code(
        &self,
        code_hash: &[u8; 32],
        now: u64,
    ) -> Result<EnrollmentCodeRecord, EnrollmentError> {
        self.tx(|tx| code_state(tx, code_hash, now, false))
    }

    fn set_enrollment_offer(
        &self,
        code_hash: &[u8; 32],
        offer: &[u8],
        now: u64,
    ) -> Result<EnrollmentCodeRecord, EnrollmentError> {
        self.tx(|tx| {
            let mut rec = code_state(tx, code_hash, now, true)?;
            tx.execute(
                "UPDATE enrollment_codes SET offer = $1 WHERE code_hash = $2",
                &[&offer, &&code_hash[..]],
            )
            .map_err(map_err)?;
            rec.offer = Some(offer.to_vec());
            Ok(rec)
        })
    }

    fn redeem_enrollment_code(
        &self,
        code_hash: &[u8; 32],
        offer: &[u8],
        now: u64,
        record: &NewIssuedCredential,
    ) -> Result<IssuedCredential, EnrollmentError> {
        self.tx(|tx| {
            // Row lock: a concurrent redeemer waits here and then sees the code used.
            let rec = code_state(tx, code_hash, now, true)?;
            if rec.offer.as_deref() != Some(offer) {
                return Err(EnrollmentError::NoOffer);
            }
            let n = tx
                .execute(
                    "UPDATE enrollment_codes SET consumed_at = $1
                     WHERE code_hash = $2 AND consumed_at IS NULL",
                    &[&i(now)?, &&code_hash[..]],
                )
                .map_err(map_err)?;
            if n != 1 {
                return Err(EnrollmentError::AlreadyUsed);
            }
            let rid: i64 = tx
                .query_one(
                    "SELECT revocation_id FROM citizens WHERE citizen_id = $1",
                    &[&rec.citizen_id],
                )
                .map_err(map_err)?
                .get(0);
            let id: i64 = tx
                .query_one(
                    "INSERT INTO issued_credentials
                        (citizen_id, key_id, revocation_id, issued_at, code_hash)
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    &[
                        &rec.citizen_id,
                        &record.key_id,
                        &rid,
                        &i(record.issued_at)?,
                        &&code_hash[..],
                    ],
                )
                .map_err(map_err)?
                .get(0);
            Ok(IssuedCredential {
                id: u(id)?,
                citizen_id: rec.citizen_id,
                key_id: record.key_id.clone(),
                revocation_id: u(rid)?,
                issued_at: record.issued_at,
            })
        })
    }

    fn issued_credentials(&self, citizen_id: &str) -> Result<Vec<IssuedCredential>, StoreError> {
        let mut conn = self.conn()?;
        conn.client()
            .query(
                "SELECT id, citizen_id, key_id, revocation_id, issued_at FROM issued_credentials
                 WHERE citizen_id = $1 ORDER BY id",
                &[&citizen_id],
            )
            .map_err(map_err)?
            .iter()
            .map(|r| {
                Ok(IssuedCredential {
                    id: u(r.get(0))?,
                    citizen_id: r.get(1),
                    key_id: r.get(2),
                    revocation_id: u(r.get(3))?,
                    issued_at: u(r.get(4))?,
                })
            })
            .collect()
    }

    fn issued_credential_count(&self) -> Result<u64, StoreError> {
        let mut conn = self.conn()?;
        let n: i64 = conn
            .client()
            .query_one("SELECT count(*) FROM issued_credentials", &[])
            .map_err(map_err)?
            .get(0);
        u(n)
    }
}

impl RevocationStore for PgStore {
    fn append_epoch(
        &self,
        epoch: u64,
        revocation_ids: &[u64],
        entry: &[u8],
        now: u64,
    ) -> Result<(), EpochError> {
        crate::store::check_epoch_input(epoch, revocation_ids)?;
        let prev = if epoch == 0 {
            None
        } else {
            Some(i(epoch - 1)?)
        };
        let e = i(epoch)?;
        let at = i(now)?;
        let mut conn = self.conn()?;
        let mut tx = conn.client().transaction().map_err(map_err)?;
        if let Err(err) = tx.execute(
            "INSERT INTO epochs (epoch, prev, entry, created_at) VALUES ($1, $2, $3, $4)",
            &[&e, &prev, &entry, &at],
        ) {
            if !is_constraint(&err) {
                return Err(map_err(err).into());
            }
            drop(tx);
            let last: Option<i64> = conn
                .client()
                .query_one("SELECT max(epoch) FROM epochs", &[])
                .map_err(map_err)?
                .get(0);
            return Err(EpochError::NotNext {
                got: epoch,
                last: last.map(u).transpose()?,
            });
        }
        for &id in revocation_ids {
            let rid = i(id)?;
            let known = tx
                .query_opt("SELECT 1 FROM citizens WHERE revocation_id = $1", &[&rid])
                .map_err(map_err)?;
            if known.is_none() {
                return Err(EpochError::UnknownRevocationId(id));
            }
            let n = tx
                .execute(
                    "INSERT INTO revoked (revocation_id, epoch) VALUES ($1, $2)
                     ON CONFLICT (revocation_id) DO NOTHING",
                    &[&rid, &e],
                )
                .map_err(map_err)?;
            if n != 1 {
                return Err(EpochError::AlreadyRevoked(id));
            }
        }
        tx.commit().map_err(map_err)?;
        Ok(())
    }

    fn is_revoked(&self, revocation_id: u64) -> Result<bool, StoreError> {
        let Ok(rid) = i64::try_from(revocation_id) else {
            return Ok(false);
        };
        let mut conn = self.conn()?;
        Ok(conn
            .client()
            .query_opt("SELECT 1 FROM revoked WHERE revocation_id = $1", &[&rid])
            .map_err(map_err)?
            .is_some())
    }

    fn revoked_count(&self) -> Result<u64, StoreError> {
        let mut conn = self.conn()?;
        let n: i64 = conn
            .client()
            .query_one("SELECT count(*) FROM revoked", &[])
            .map_err(map_err)?
            .get(0);
        u(n)
    }

    fn revoked_ids(&self) -> Result<Vec<u64>, StoreError> {
        let mut conn = self.conn()?;
        conn.client()
            .query(
                "SELECT revocation_id FROM revoked ORDER BY revocation_id",
                &[],
            )
            .map_err(map_err)?
            .iter()
            .map(|r| u(r.get(0)))
            .collect()
    }

    fn latest_epoch(&self) -> Result<Option<u64>, StoreError> {
        let mut conn = self.conn()?;
        let n: Option<i64> = conn
            .client()
            .query_one("SELECT max(epoch) FROM epochs", &[])
            .map_err(map_err)?
            .get(0);
        n.map(u).transpose()
    }

    fn epochs_from(&self, from: u64, limit: u64) -> Result<Vec<EpochRecord>, StoreError> {
        let mut conn = self.conn()?;
        conn.client()
            .query(
                "SELECT epoch, entry, created_at FROM epochs WHERE epoch >= $1
                 ORDER BY epoch LIMIT $2",
                &[
                    &i(from.min(i64::MAX as u64))?,
                    &i(limit.min(MAX_EPOCH_PAGE))?,
                ],
            )
            .map_err(map_err)?
            .iter()
            .map(|r| {
                Ok(EpochRecord {
                    epoch: u(r.get(0))?,
                    entry: r.get(1),
                    created_at: u(r.get(2))?,
                })
            })
            .collect()
    }
}

impl SecretStore for PgStore {
    fn put_sealed_secret(&self, name: &str, secret: &SealedSecret) -> Result<(), SecretError> {
        let now = i(crate::store::unix_now())?;
        let mut conn = self.conn()?;
        let n = conn
            .client()
            .execute(
                "INSERT INTO secrets (name, sealed, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO NOTHING",
                &[&name, &secret.to_json(), &now],
            )
            .map_err(map_err)?;
        if n == 1 {
            Ok(())
        } else {
            Err(SecretError::AlreadyExists(name.to_owned()))
        }
    }

    fn sealed_secret(&self, name: &str) -> Result<SealedSecret, SecretError> {
        let mut conn = self.conn()?;
        let row = conn
            .client()
            .query_opt("SELECT sealed FROM secrets WHERE name = $1", &[&name])
            .map_err(map_err)?
            .ok_or_else(|| SecretError::NotFound(name.to_owned()))?;
        SealedSecret::from_json(row.get(0))
    }
}

impl RequestStore for PgStore {
    fn put_request(
        &self,
        nonce: &[u8],
        verifier_id: &str,
        request: &[u8],
        created_at: u64,
        expires_at: u64,
    ) -> Result<(), PutRequestError> {
        crate::store::check_request_input(nonce, created_at, expires_at)?;
        let mut conn = self.conn()?;
        let n = conn
            .client()
            .execute(
                "INSERT INTO presentation_requests
                    (nonce, verifier_id, request, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (nonce) DO NOTHING",
                &[
                    &nonce,
                    &verifier_id,
                    &request,
                    &i(created_at)?,
                    &i(expires_at)?,
                ],
            )
            .map_err(map_err)?;
        if n == 1 {
            Ok(())
        } else {
            Err(PutRequestError::DuplicateNonce)
        }
    }

    fn request(&self, nonce: &[u8]) -> Result<Option<StoredRequest>, StoreError> {
        let mut conn = self.conn()?;
        conn.client()
            .query_opt(
                "SELECT verifier_id, request, created_at, expires_at, consumed_at
                 FROM presentation_requests WHERE nonce = $1",
                &[&nonce],
            )
            .map_err(map_err)?
            .map(|r| {
                Ok(StoredRequest {
                    nonce: nonce.to_vec(),
                    verifier_id: r.get(0),
                    request: r.get(1),
                    created_at: u(r.get(2))?,
                    expires_at: u(r.get(3))?,
                    consumed_at: r.get::<_, Option<i64>>(4).map(u).transpose()?,
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
        self.tx(|tx| {
            // The row lock makes a concurrent consumer wait, then see `consumed_at` set.
            let row = tx
                .query_opt(
                    "SELECT verifier_id, expires_at, consumed_at FROM presentation_requests
                     WHERE nonce = $1 FOR UPDATE",
                    &[&nonce],
                )
                .map_err(map_err)?
                .ok_or(ConsumeError::Unknown)?;
            if row.get::<_, Option<i64>>(2).is_some() {
                return Err(ConsumeError::Replayed);
            }
            if now > u(row.get(1))? {
                return Err(ConsumeError::Expired);
            }
            let verifier_id: String = row.get(0);
            let n = tx
                .execute(
                    "UPDATE presentation_requests SET consumed_at = $1
                     WHERE nonce = $2 AND consumed_at IS NULL",
                    &[&i(now)?, &nonce],
                )
                .map_err(map_err)?;
            if n != 1 {
                return Err(ConsumeError::Replayed);
            }
            pseudonym
                .map(|p| upsert_account(tx, &verifier_id, p, now))
                .transpose()
                .map_err(ConsumeError::from)
        })
    }

    fn purge_expired_requests(&self, now: u64) -> Result<u64, StoreError> {
        let mut conn = self.conn()?;
        conn.client()
            .execute(
                "DELETE FROM presentation_requests WHERE expires_at < $1",
                &[&i(now)?],
            )
            .map_err(map_err)
    }
}

impl AccountStore for PgStore {
    fn sign_in_or_register(
        &self,
        verifier_id: &str,
        pseudonym: &[u8],
        now: u64,
    ) -> Result<Account, StoreError> {
        self.tx(|tx| upsert_account(tx, verifier_id, pseudonym, now))
    }

    fn account(&self, verifier_id: &str, pseudonym: &[u8]) -> Result<Option<Account>, StoreError> {
        let mut conn = self.conn()?;
        conn.client()
            .query_opt(
                "SELECT account_id, created_at, last_login, login_count FROM accounts
                 WHERE verifier_id = $1 AND pseudonym = $2",
                &[&verifier_id, &pseudonym],
            )
            .map_err(map_err)?
            .map(|r| {
                Ok(Account {
                    account_id: u(r.get(0))?,
                    verifier_id: verifier_id.to_owned(),
                    pseudonym: pseudonym.to_vec(),
                    created_at: u(r.get(1))?,
                    last_login: u(r.get(2))?,
                    login_count: u(r.get(3))?,
                    new_account: false,
                })
            })
            .transpose()
    }

    fn account_count(&self, verifier_id: &str) -> Result<u64, StoreError> {
        let mut conn = self.conn()?;
        let n: i64 = conn
            .client()
            .query_one(
                "SELECT count(*) FROM accounts WHERE verifier_id = $1",
                &[&verifier_id],
            )
            .map_err(map_err)?
            .get(0);
        u(n)
    }
}

impl Store for PgStore {
    fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        conn.client().simple_query("SELECT 1").map_err(map_err)?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }
}
