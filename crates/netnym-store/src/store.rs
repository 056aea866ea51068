//! [`Store`]: one pooled async store over SQLite or PostgreSQL (sqlx's `Any` driver).
//!
//! The queries are written once, with `$1`-style placeholders (which SQLite accepts too); the
//! few dialect differences are in [`Backend`]. The methods are grouped by concern in the
//! submodules: `citizens`, `enrollment`, `codes` (operators' view of enrollment codes),
//! `issuer_keys`, `log` (the transparency log), `revocation`, `secrets`, `requests`,
//! `accounts`, `backup`.

mod accounts;
mod backup;
mod citizens;
mod codes;
mod conninfo;
mod db_error;
mod enrollment;
mod issuer_keys;
mod log;
mod migrate;
mod requests;
mod revocation;
mod secrets;

use std::path::Path;
use std::sync::Once;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyQueryResult, AnyRow};
use sqlx::{Any, AnyPool, Transaction};

use crate::error::{EpochError, OpenError, PutRequestError, StoreError};
use crate::SQLITE_FILE_NAME;

pub(crate) use self::db_error::{db_err, is_constraint};
pub use self::issuer_keys::current_issuer_key;
pub use self::log::{LogReadError, LogSnapshot, NotLoaded};

/// Most epoch entries returned by one [`Store::epochs_from`] call.
pub const MAX_EPOCH_PAGE: u64 = 1000;

/// Default number of pooled database connections of one store ([`StoreOptions::pool_size`]).
pub const DEFAULT_POOL_SIZE: u32 = 16;

/// Default wait for a free (or new) connection before [`StoreError::Unavailable`]: the longest
/// a request waits on a saturated pool or an unreachable database before the services answer
/// 503. Short, because sqlx keeps retrying a refused connection until this deadline: a database
/// that is down must give clients a quick 503 and `Retry-After`, not a hung request.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// Per-connection SQLite settings: durable commits, foreign keys, and a 10 s wait for another
/// connection's write lock before giving up (`busy_timeout`).
const SQLITE_PRAGMAS: &str =
    "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000";

/// Tuning of a store's connection pool.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreOptions {
    /// Most connections open at once ([`DEFAULT_POOL_SIZE`]); callers beyond wait up to
    /// `acquire_timeout` for one. An in-memory SQLite database always has exactly one.
    pub pool_size: u32,
    /// Wait for a connection (including connecting) before the operation fails with
    /// [`StoreError::Unavailable`] ([`DEFAULT_ACQUIRE_TIMEOUT`]).
    pub acquire_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            pool_size: DEFAULT_POOL_SIZE,
            acquire_timeout: DEFAULT_ACQUIRE_TIMEOUT,
        }
    }
}

impl StoreOptions {
    /// The defaults with another pool size (at least 1).
    #[must_use]
    pub fn with_pool_size(mut self, pool_size: u32) -> Self {
        self.pool_size = pool_size.max(1);
        self
    }

    /// These options with another wait for a connection.
    #[must_use]
    pub fn with_acquire_timeout(mut self, acquire_timeout: Duration) -> Self {
        self.acquire_timeout = acquire_timeout;
        self
    }
}

/// Which database a [`Store`] talks to; the only place where the SQL dialects differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Suffix of a `SELECT` that locks the rows it reads until the transaction ends. SQLite
    /// needs none: its write transactions start with `BEGIN IMMEDIATE` and hold the database's
    /// write lock throughout.
    pub(crate) fn for_update(self) -> &'static str {
        match self {
            Self::Sqlite => "",
            Self::Postgres => " FOR UPDATE",
        }
    }

    /// A statement serialising citizen importers (revocation ids stay dense), or none.
    pub(crate) fn lock_citizens(self) -> Option<&'static str> {
        match self {
            Self::Sqlite => None,
            Self::Postgres => Some("LOCK TABLE citizens IN SHARE ROW EXCLUSIVE MODE"),
        }
    }
}

/// The NetNym store: citizen registry, enrollment codes and issued credentials, the revoked set
/// and epoch log, sealed secrets, presentation requests and accounts.
///
/// Cloning is cheap (the clones share one pool). Every method is `async` and never blocks the
/// calling thread: SQLite runs on sqlx's per-connection worker threads, PostgreSQL on the
/// caller's tokio runtime. A store must be opened inside the tokio runtime that uses it (its
/// PostgreSQL sockets belong to that runtime); dropping it anywhere is safe.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl core::fmt::Debug for Store {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

pub(crate) fn i(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::Backend(format!("value {v} out of range")))
}

pub(crate) fn u(v: i64) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("negative value {v}")))
}

fn install_drivers() {
    static DRIVERS: Once = Once::new();
    DRIVERS.call_once(sqlx::any::install_default_drivers);
}

/// `sqlite://PATH` with every byte outside `[A-Za-z0-9/._~-]` percent-encoded (sqlx decodes it).
fn sqlite_url(path: &Path) -> Result<String, OpenError> {
    let text = path
        .to_str()
        .ok_or_else(|| OpenError::Config(format!("{}: not UTF-8", path.display())))?;
    let mut url = String::from("sqlite://");
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/._~-".contains(&b) {
            url.push(char::from(b));
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(url)
}

/// Where a store's database is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreLocation {
    /// Embedded SQLite: `DIR/netnym.sqlite3` ([`Store::open_in_data_dir`]).
    DataDir(std::path::PathBuf),
    /// PostgreSQL ([`Store::connect_postgres`]), optionally confined to a schema
    /// ([`Store::connect_postgres_in_schema`]).
    Postgres {
        /// A `postgres://` URL or a libpq key/value string.
        conninfo: String,
        /// The schema, if any.
        schema: Option<String>,
    },
}

impl Store {
    /// Open the store at `location`.
    ///
    /// # Errors
    /// As [`Store::open_in_data_dir`], [`Store::connect_postgres`] and
    /// [`Store::connect_postgres_in_schema`].
    pub async fn open(location: &StoreLocation, options: &StoreOptions) -> Result<Self, OpenError> {
        match location {
            StoreLocation::DataDir(dir) => Self::open_in_data_dir(dir, options).await,
            StoreLocation::Postgres {
                conninfo,
                schema: None,
            } => Self::connect_postgres(conninfo, options).await,
            StoreLocation::Postgres {
                conninfo,
                schema: Some(schema),
            } => Self::connect_postgres_in_schema(conninfo, schema, options).await,
        }
    }

    /// Open (creating if needed, mode 0600) the SQLite database file `path` and migrate it. The
    /// file is opened in WAL mode with `synchronous = FULL` (a commit is on disk before it
    /// returns), foreign keys on, and a 10 s busy timeout between the pool's connections.
    ///
    /// # Errors
    /// [`OpenError`] when the file cannot be opened or migrated, or is newer than this code.
    pub async fn open_sqlite(path: &Path, options: &StoreOptions) -> Result<Self, OpenError> {
        let path = std::path::absolute(path)
            .map_err(|e| OpenError::Connect(format!("{}: {e}", path.display())))?;
        #[cfg(unix)]
        if !path.exists() {
            use std::os::unix::fs::OpenOptionsExt;
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
            {
                // Another opener created it first: fine.
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(OpenError::Connect(format!("{}: {e}", path.display()))),
            }
        }
        let url = format!("{}?mode=rwc", sqlite_url(&path)?);
        Self::open_url(&url, Backend::Sqlite, options, true).await
    }

    /// Open `DIR/netnym.sqlite3`, creating `dir` (mode 0700) if needed.
    ///
    /// # Errors
    /// As [`Store::open_sqlite`]; [`OpenError::Connect`] when the directory cannot be created.
    pub async fn open_in_data_dir(dir: &Path, options: &StoreOptions) -> Result<Self, OpenError> {
        if !dir.exists() {
            let mut b = std::fs::DirBuilder::new();
            b.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
            b.create(dir)
                .map_err(|e| OpenError::Connect(format!("{}: {e}", dir.display())))?;
        }
        Self::open_sqlite(&dir.join(SQLITE_FILE_NAME), options).await
    }

    /// A private in-memory SQLite database on one connection (tests, demos).
    ///
    /// # Errors
    /// [`OpenError`] as for [`Store::open_sqlite`].
    pub async fn open_in_memory() -> Result<Self, OpenError> {
        // Every connection to `:memory:` is a database of its own: keep exactly one, forever.
        let options = StoreOptions::default().with_pool_size(1);
        Self::open_url("sqlite::memory:", Backend::Sqlite, &options, false).await
    }

    /// Connect to PostgreSQL and migrate. `conninfo` is a `postgres://` / `postgresql://` URL
    /// or a libpq key/value string such as `host=127.0.0.1 port=5432 user=netnym dbname=netnym`
    /// (keys `host`, `hostaddr`, `port`, `user`, `password`, `dbname`, `sslmode`,
    /// `application_name`, `options`, `connect_timeout`; values may be single-quoted).
    ///
    /// # Errors
    /// [`OpenError::Config`] for a malformed `conninfo`; otherwise [`OpenError`] when the server
    /// cannot be reached or migrated, or its schema is newer than this code.
    pub async fn connect_postgres(
        conninfo: &str,
        options: &StoreOptions,
    ) -> Result<Self, OpenError> {
        Self::connect_pg(conninfo, None, options).await
    }

    /// As [`Store::connect_postgres`], confined to `schema` (created if missing;
    /// `[a-z_][a-z0-9_]*`, at most 63 bytes): every connection sets its `search_path` to it.
    ///
    /// # Errors
    /// [`OpenError::Config`] for a bad schema name; otherwise as [`Store::connect_postgres`].
    pub async fn connect_postgres_in_schema(
        conninfo: &str,
        schema: &str,
        options: &StoreOptions,
    ) -> Result<Self, OpenError> {
        Self::connect_pg(conninfo, Some(schema), options).await
    }

    async fn connect_pg(
        conninfo: &str,
        schema: Option<&str>,
        options: &StoreOptions,
    ) -> Result<Self, OpenError> {
        let parsed = conninfo::parse(conninfo)?;
        let mut options = options.clone();
        if let Some(t) = parsed.connect_timeout {
            options.acquire_timeout = options.acquire_timeout.min(t);
        }
        let url = match schema {
            None => parsed.url,
            Some(schema) => {
                check_schema_name(schema)?;
                create_schema(&parsed.url, schema, &options).await?;
                conninfo::with_search_path(&parsed.url, schema)?
            }
        };
        Self::open_url(&url, Backend::Postgres, &options, true).await
    }

    async fn open_url(
        url: &str,
        backend: Backend,
        options: &StoreOptions,
        recycle: bool,
    ) -> Result<Self, OpenError> {
        install_drivers();
        let file = backend == Backend::Sqlite && recycle;
        let mut pool = AnyPoolOptions::new()
            .max_connections(options.pool_size.max(1))
            .acquire_timeout(options.acquire_timeout)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the writer; FULL makes every commit
                        // durable before it returns (acknowledged revocations and redemptions
                        // survive a power cut).
                        use sqlx::Executor as _;
                        if file {
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                        }
                        conn.execute(SQLITE_PRAGMAS).await?;
                    }
                    Ok(())
                })
            });
        if !recycle {
            pool = pool
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        }
        let pool = pool
            .connect(url)
            .await
            .map_err(|e| OpenError::Connect(db_error::describe(&e)))?;
        let store = Self { pool, backend };
        migrate::run(&store).await?;
        Ok(store)
    }

    /// The backend's name (`"sqlite"` or `"postgres"`), for logs.
    #[must_use]
    pub fn backend(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// Check that the database answers.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when it does not.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    /// Close every connection (waiting for those in use to be returned). Dropping the last
    /// clone of a store also closes them, without waiting.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Start a write transaction: `BEGIN IMMEDIATE` on SQLite (the write lock is taken now, so
    /// a read-then-write transaction never fails on a concurrent writer's commit), `BEGIN`
    /// (read committed, with row locks where [`Backend::for_update`] says) on PostgreSQL. A
    /// transaction dropped without commit is rolled back.
    pub(crate) async fn begin(&self) -> Result<Transaction<'static, Any>, StoreError> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
        .map_err(db_err)
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub(crate) fn dialect(&self) -> Backend {
        self.backend
    }
}

fn check_schema_name(schema: &str) -> Result<(), OpenError> {
    let ok = (1..=63).contains(&schema.len())
        && schema
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && schema
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(OpenError::Config(format!("invalid schema name {schema:?}")))
    }
}

async fn create_schema(url: &str, schema: &str, options: &StoreOptions) -> Result<(), OpenError> {
    use sqlx::Connection as _;
    install_drivers();
    let connect = sqlx::AnyConnection::connect(url);
    let mut conn = tokio::time::timeout(options.acquire_timeout, connect)
        .await
        .map_err(|_| OpenError::Connect(format!("no answer within {:?}", options.acquire_timeout)))?
        .map_err(|e| OpenError::Connect(db_error::describe(&e)))?;
    // The name was checked against `[a-z_][a-z0-9_]*`: safe to splice.
    let sql = format!("CREATE SCHEMA IF NOT EXISTS {schema}");
    let r = sqlx::query(&sql).execute(&mut conn).await;
    let _ = conn.close().await;
    match r {
        // Two openers creating the schema at once: one of them sees the other's row.
        Err(e) if is_constraint(&e) => Ok(()),
        Err(e) => Err(OpenError::Store(db_err(e))),
        Ok(_) => Ok(()),
    }
}

/// Drop a PostgreSQL schema and everything in it (`DROP SCHEMA … CASCADE`): the clean-up of
/// [`Store::connect_postgres_in_schema`] for tests and for removing a deployment.
///
/// # Errors
/// [`OpenError::Config`] for a malformed `conninfo` or schema name; [`OpenError::Connect`];
/// [`OpenError::Store`] when the statement fails.
pub async fn drop_postgres_schema(conninfo: &str, schema: &str) -> Result<(), OpenError> {
    use sqlx::Connection as _;
    check_schema_name(schema)?;
    install_drivers();
    let parsed = conninfo::parse(conninfo)?;
    let mut conn = sqlx::AnyConnection::connect(&parsed.url)
        .await
        .map_err(|e| OpenError::Connect(db_error::describe(&e)))?;
    let sql = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
    let r = sqlx::query(&sql).execute(&mut conn).await;
    let _ = conn.close().await;
    r.map(|_| ()).map_err(|e| OpenError::Store(db_err(e)))
}

/// The rows-affected count of a write.
pub(crate) fn affected(r: &AnyQueryResult) -> u64 {
    r.rows_affected()
}

/// Read column `idx` of `row`, mapping a type mismatch to [`StoreError::Corrupt`].
pub(crate) fn col<'r, T>(row: &'r AnyRow, idx: usize) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    use sqlx::Row as _;
    row.try_get(idx)
        .map_err(|e| StoreError::Corrupt(format!("column {idx}: {e}")))
}

/// The current Unix time in seconds (0 if the clock is before 1970).
#[must_use]
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub(crate) fn check_epoch_input(epoch: u64, revocation_ids: &[u64]) -> Result<(), EpochError> {
    if epoch == 0 && !revocation_ids.is_empty() {
        return Err(EpochError::Invalid("the genesis epoch 0 revokes nothing"));
    }
    if epoch > 0 && revocation_ids.is_empty() {
        return Err(EpochError::Invalid(
            "an epoch after genesis revokes at least one id",
        ));
    }
    let mut sorted = revocation_ids.to_vec();
    sorted.sort_unstable();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err(EpochError::Invalid("a revocation id is listed twice"));
    }
    Ok(())
}

pub(crate) fn check_request_input(
    nonce: &[u8],
    created_at: u64,
    expires_at: u64,
) -> Result<(), PutRequestError> {
    if nonce.is_empty() || nonce.len() > 64 {
        return Err(PutRequestError::Invalid("nonce must be 1..=64 bytes"));
    }
    if expires_at < created_at {
        return Err(PutRequestError::Invalid("expires before it is created"));
    }
    Ok(())
}
