//! Databases written before the store moved to sqlx keep their data (issue 12): a database
//! made with the **old schema** (the DDL of schema version 1 as the synchronous `rusqlite` /
//! `postgres` backends wrote it, copied here as a fixture, with their `schema_version` table)
//! and rows in every table opens with the new store, which reads every row back, adopts the
//! embedded migrations, and keeps working. On SQLite always, on PostgreSQL with
//! `NETNYM_TEST_PG_URL` (as `tests/backends.rs`).

#![allow(clippy::unwrap_used)]

use netnym_store::*;
use rand::SeedableRng;

const NOW: u64 = 1_764_000_000;

/// Schema version 1 as the old SQLite backend created it (`crates/netnym-store/src/sqlite.rs`,
/// `MIGRATIONS`), then its `schema_version` bookkeeping.
const OLD_SQLITE_SCHEMA: &str = r"
CREATE TABLE schema_version (version INTEGER NOT NULL);
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
INSERT INTO schema_version (version) VALUES (1);
";

/// Schema version 1 as the old PostgreSQL backend created it (`crates/netnym-store/src/pg.rs`,
/// `MIGRATIONS`), then its `schema_version` bookkeeping.
const OLD_POSTGRES_SCHEMA: &str = r"
CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL);
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
INSERT INTO schema_version (version) VALUES (1);
";

/// Rows in every table, written with the SQL the old code used (`$n` works on both).
const OLD_ROWS: &[&str] = &[
    "INSERT INTO citizens (citizen_id, revocation_id, attributes, created_at) VALUES ($1, $2, $3, $4)",
    "INSERT INTO enrollment_codes (code_hash, citizen_id, created_at, expires_at, consumed_at, offer)
     VALUES ($1, $2, $3, $4, $5, $6)",
    "INSERT INTO issued_credentials (citizen_id, key_id, revocation_id, issued_at, code_hash)
     VALUES ($1, $2, $3, $4, $5)",
    "INSERT INTO epochs (epoch, prev, entry, created_at) VALUES ($1, $2, $3, $4)",
    "INSERT INTO revoked (revocation_id, epoch) VALUES ($1, $2)",
    "INSERT INTO secrets (name, sealed, created_at) VALUES ($1, $2, $3)",
    "INSERT INTO presentation_requests (nonce, verifier_id, request, created_at, expires_at, consumed_at)
     VALUES ($1, $2, $3, $4, $5, $6)",
    "INSERT INTO accounts (verifier_id, pseudonym, created_at, last_login, login_count)
     VALUES ($1, $2, $3, $4, $5)",
];

/// Drops the test's PostgreSQL schema when the test ends, also when it panics (on a thread with
/// its own runtime: `Drop` cannot await).
struct SchemaGuard {
    url: String,
    schema: String,
}

impl Drop for SchemaGuard {
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

struct Fixture {
    citizens: Vec<CitizenRecord>,
    sealed: SealedSecret,
}

fn fixture() -> Fixture {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(12);
    let sealed = SealedSecret::seal(
        &mut rng,
        b"old passphrase",
        "authority-keys",
        b"old secret",
        KdfParams::INSECURE_FAST,
    )
    .unwrap();
    Fixture {
        citizens: generate_citizens(12, 1, 3),
        sealed,
    }
}

/// Write the fixture's rows with `exec` (one statement and its arguments at a time).
macro_rules! write_rows {
    ($pool:expr, $f:expr) => {{
        let pool = $pool;
        let f = $f;
        for (n, c) in f.citizens.iter().enumerate() {
            sqlx::query(OLD_ROWS[0])
                .bind(c.citizen_id.as_str())
                .bind(n as i64 + 1)
                .bind(c.attributes.to_string())
                .bind(NOW as i64)
                .execute(pool)
                .await
                .unwrap();
        }
        let code = [7u8; 32];
        sqlx::query(OLD_ROWS[1])
            .bind(&code[..])
            .bind("C00000002")
            .bind(NOW as i64)
            .bind(NOW as i64 + 3600)
            .bind(Some(NOW as i64 + 5))
            .bind(Some(&b"offer"[..]))
            .execute(pool)
            .await
            .unwrap();
        sqlx::query(OLD_ROWS[1])
            .bind(&[8u8; 32][..])
            .bind("C00000001")
            .bind(NOW as i64)
            .bind(NOW as i64 + 3600)
            .bind(None::<i64>)
            .bind(None::<&[u8]>)
            .execute(pool)
            .await
            .unwrap();
        sqlx::query(OLD_ROWS[2])
            .bind("C00000002")
            .bind("ab".repeat(32))
            .bind(2i64)
            .bind(NOW as i64 + 5)
            .bind(&code[..])
            .execute(pool)
            .await
            .unwrap();
        for (epoch, prev) in [(0i64, None), (1, Some(0i64))] {
            sqlx::query(OLD_ROWS[3])
                .bind(epoch)
                .bind(prev)
                .bind(format!("{{\"e\":{epoch}}}").into_bytes())
                .bind(NOW as i64 + epoch)
                .execute(pool)
                .await
                .unwrap();
        }
        sqlx::query(OLD_ROWS[4])
            .bind(3i64)
            .bind(1i64)
            .execute(pool)
            .await
            .unwrap();
        sqlx::query(OLD_ROWS[5])
            .bind("authority-keys")
            .bind(f.sealed.to_json())
            .bind(NOW as i64)
            .execute(pool)
            .await
            .unwrap();
        sqlx::query(OLD_ROWS[6])
            .bind(&[1u8; 32][..])
            .bind("shop.example")
            .bind(&b"{\"req\":1}"[..])
            .bind(NOW as i64)
            .bind(NOW as i64 + 300)
            .bind(None::<i64>)
            .execute(pool)
            .await
            .unwrap();
        sqlx::query(OLD_ROWS[7])
            .bind("shop.example")
            .bind(&[9u8; 48][..])
            .bind(NOW as i64)
            .bind(NOW as i64 + 60)
            .bind(2i64)
            .execute(pool)
            .await
            .unwrap();
    }};
}

/// Everything written by `write_rows!` reads back through the new store, which then keeps
/// working on the old database.
async fn reads_back_and_keeps_working(store: &Store, f: &Fixture) {
    assert_eq!(store.citizen_count().await.unwrap(), 3);
    let c2 = store.citizen("C00000002").await.unwrap().unwrap();
    assert_eq!(c2.revocation_id, 2);
    assert_eq!(c2.attributes, f.citizens[1].attributes);
    assert_eq!(c2.created_at, NOW);
    assert_eq!(
        store
            .citizen_by_revocation_id(3)
            .await
            .unwrap()
            .unwrap()
            .citizen_id,
        "C00000003"
    );
    // The redeemed code is used, the other one usable.
    assert!(matches!(
        store.enrollment_code(&[7; 32], NOW + 10).await,
        Err(EnrollmentError::AlreadyUsed)
    ));
    let open = store.enrollment_code(&[8; 32], NOW + 10).await.unwrap();
    assert_eq!((open.citizen_id.as_str(), open.offer), ("C00000001", None));
    let issued = store.issued_credentials("C00000002").await.unwrap();
    assert_eq!(issued.len(), 1);
    assert_eq!(
        (
            issued[0].revocation_id,
            issued[0].issued_at,
            issued[0].key_id.as_str()
        ),
        (2, NOW + 5, "ab".repeat(32).as_str())
    );
    // Epoch log and revoked set.
    assert_eq!(store.latest_epoch().await.unwrap(), Some(1));
    let log = store.epochs_from(0, 10).await.unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(
        (log[1].entry.as_slice(), log[1].created_at),
        (&b"{\"e\":1}"[..], NOW + 1)
    );
    assert_eq!(store.revoked_ids().await.unwrap(), vec![3]);
    // The sealed secret still opens with its passphrase.
    let sealed = store.sealed_secret("authority-keys").await.unwrap();
    assert_eq!(sealed, f.sealed);
    assert_eq!(
        &sealed.open(b"old passphrase", "authority-keys").unwrap()[..],
        b"old secret"
    );
    // The request is consumed once, signing in to the old account.
    let r = store.request(&[1; 32]).await.unwrap().unwrap();
    assert_eq!(
        (r.request.as_slice(), r.consumed_at),
        (&b"{\"req\":1}"[..], None)
    );
    let a = store
        .consume_request(&[1; 32], NOW + 100, Some(&[9; 48]))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (a.login_count, a.created_at, a.new_account),
        (3, NOW, false)
    );
    assert!(matches!(
        store.consume_request(&[1; 32], NOW + 101, None).await,
        Err(ConsumeError::Replayed)
    ));
    // New writes on the old tables: the next id, the next epoch, a new code's redemption.
    let more = store
        .import_citizens(&generate_citizens(12, 4, 1), NOW + 200)
        .await
        .unwrap();
    assert_eq!(more[0].revocation_id, 4);
    // Migration 3 recorded the old citizens' documents (IMP-005).
    let mut twin = generate_citizens(12, 5, 1).remove(0);
    twin.attributes = generate_citizens(12, 1, 1).remove(0).attributes;
    assert!(matches!(
        store.import_citizens(&[twin], NOW + 200).await,
        Err(ImportError::DocumentRegistered(id)) if id == "C00000005"
    ));
    store.append_epoch(2, &[4], b"{}", NOW + 201).await.unwrap();
    assert!(matches!(
        store.append_epoch(2, &[1], b"{}", NOW + 202).await,
        Err(EpochError::NotNext {
            got: 2,
            last: Some(2)
        })
    ));
    store
        .set_enrollment_offer(&[8; 32], b"o", NOW + 203)
        .await
        .unwrap();
    let rec = NewIssuedCredential {
        key_id: "cd".repeat(32),
        issued_at: NOW + 204,
    };
    let got = store
        .redeem_enrollment_code(&[8; 32], b"o", NOW + 204, &rec)
        .await
        .unwrap();
    assert_eq!(got.revocation_id, 1);
    assert_eq!(store.issued_credential_count().await.unwrap(), 2);
}

/// `schema_version` says the current version and sqlx recorded migration 1 as applied.
macro_rules! bookkeeping {
    ($pool:expr) => {{
        use sqlx::Row as _;
        let v: i64 = sqlx::query("SELECT max(version) FROM schema_version")
            .fetch_one($pool)
            .await
            .unwrap()
            .get(0);
        assert_eq!(v, i64::from(SCHEMA_VERSION));
        let applied: i64 =
            sqlx::query("SELECT count(*) FROM _sqlx_migrations WHERE version = 1 AND success")
                .fetch_one($pool)
                .await
                .unwrap()
                .get(0);
        assert_eq!(applied, 1);
    }};
}

#[tokio::test]
async fn sqlite_database_from_the_old_schema_keeps_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(SQLITE_FILE_NAME);
    let f = fixture();
    {
        let old = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(&path)
                    .create_if_missing(true),
            )
            .await
            .unwrap();
        sqlx::raw_sql(OLD_SQLITE_SCHEMA)
            .execute(&old)
            .await
            .unwrap();
        write_rows!(&old, &f);
        old.close().await;
    }
    let store = Store::open_sqlite(&path, &StoreOptions::default())
        .await
        .unwrap();
    reads_back_and_keeps_working(&store, &f).await;
    store.close().await;
    // Opening again changes nothing (the migration is recorded).
    let store = Store::open_sqlite(&path, &StoreOptions::default())
        .await
        .unwrap();
    assert_eq!(store.citizen_count().await.unwrap(), 4);
    store.close().await;
    let check = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(sqlx::sqlite::SqliteConnectOptions::new().filename(&path))
        .await
        .unwrap();
    bookkeeping!(&check);
}

#[tokio::test]
async fn postgres_database_from_the_old_schema_keeps_its_rows() {
    let Some(url) = std::env::var("NETNYM_TEST_PG_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but NETNYM_TEST_PG_URL is not set: PostgreSQL tests would be skipped"
        );
        eprintln!("NETNYM_TEST_PG_URL not set: PostgreSQL test skipped");
        return;
    };
    use rand::RngCore;
    let schema = format!("legacy_{:016x}", rand::rngs::OsRng.next_u64());
    let mut o = sqlx::postgres::PgConnectOptions::new();
    for pair in url.split_whitespace() {
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
    let _guard = SchemaGuard {
        url: url.clone(),
        schema: schema.clone(),
    };
    let admin = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with(o.clone())
        .await
        .unwrap();
    sqlx::raw_sql(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .unwrap();
    let old = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with(o.options([("search_path", schema.as_str())]))
        .await
        .unwrap();
    let f = fixture();
    sqlx::raw_sql(OLD_POSTGRES_SCHEMA)
        .execute(&old)
        .await
        .unwrap();
    write_rows!(&old, &f);
    let store = Store::connect_postgres_in_schema(&url, &schema, &StoreOptions::default())
        .await
        .unwrap();
    reads_back_and_keeps_working(&store, &f).await;
    store.close().await;
    bookkeeping!(&old);
    old.close().await;
}
