-- Schema version 1 (SQLite). Written idempotently (IF NOT EXISTS) so that a database created
-- before the sqlx migrations, which already holds exactly this schema and `schema_version` = 1,
-- adopts the migration in place and keeps its rows. Never edit this file: add a migration.
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS citizens (
    citizen_id    TEXT PRIMARY KEY NOT NULL,
    revocation_id INTEGER NOT NULL UNIQUE CHECK (revocation_id >= 1),
    attributes    TEXT NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS enrollment_codes (
    code_hash   BLOB PRIMARY KEY NOT NULL CHECK (length(code_hash) = 32),
    citizen_id  TEXT NOT NULL REFERENCES citizens(citizen_id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    consumed_at INTEGER,
    offer       BLOB
) STRICT;
CREATE TABLE IF NOT EXISTS issued_credentials (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    citizen_id    TEXT NOT NULL REFERENCES citizens(citizen_id),
    key_id        TEXT NOT NULL,
    revocation_id INTEGER NOT NULL,
    issued_at     INTEGER NOT NULL,
    code_hash     BLOB NOT NULL UNIQUE REFERENCES enrollment_codes(code_hash)
) STRICT;
CREATE INDEX IF NOT EXISTS issued_credentials_citizen ON issued_credentials(citizen_id);
CREATE TABLE IF NOT EXISTS epochs (
    epoch      INTEGER PRIMARY KEY NOT NULL CHECK (epoch >= 0),
    prev       INTEGER UNIQUE REFERENCES epochs(epoch),
    entry      BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    CHECK ((epoch = 0 AND prev IS NULL) OR (epoch > 0 AND prev = epoch - 1))
) STRICT;
CREATE TABLE IF NOT EXISTS revoked (
    revocation_id INTEGER PRIMARY KEY NOT NULL REFERENCES citizens(revocation_id),
    epoch         INTEGER NOT NULL REFERENCES epochs(epoch)
) STRICT;
CREATE TRIGGER IF NOT EXISTS epochs_no_update BEFORE UPDATE ON epochs
    BEGIN SELECT RAISE(ABORT, 'the epoch log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS epochs_no_delete BEFORE DELETE ON epochs
    BEGIN SELECT RAISE(ABORT, 'the epoch log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS revoked_no_update BEFORE UPDATE ON revoked
    BEGIN SELECT RAISE(ABORT, 'the revoked set is append-only'); END;
CREATE TRIGGER IF NOT EXISTS revoked_no_delete BEFORE DELETE ON revoked
    BEGIN SELECT RAISE(ABORT, 'the revoked set is append-only'); END;
CREATE TABLE IF NOT EXISTS secrets (
    name       TEXT PRIMARY KEY NOT NULL,
    sealed     BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS presentation_requests (
    nonce       BLOB PRIMARY KEY NOT NULL,
    verifier_id TEXT NOT NULL,
    request     BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    consumed_at INTEGER
) STRICT;
CREATE INDEX IF NOT EXISTS presentation_requests_expiry ON presentation_requests(expires_at);
CREATE TABLE IF NOT EXISTS accounts (
    account_id  INTEGER PRIMARY KEY AUTOINCREMENT,
    verifier_id TEXT NOT NULL,
    pseudonym   BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    last_login  INTEGER NOT NULL,
    login_count INTEGER NOT NULL,
    UNIQUE (verifier_id, pseudonym)
) STRICT;
DELETE FROM schema_version WHERE version < 1;
INSERT INTO schema_version (version) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM schema_version);
