-- Schema version 1 (PostgreSQL). Written idempotently (IF NOT EXISTS, OR REPLACE) so that a
-- database created before the sqlx migrations, which already holds exactly this schema and
-- `schema_version` = 1, adopts the migration in place and keeps its rows. Never edit this
-- file: add a migration.
CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS citizens (
    citizen_id    TEXT PRIMARY KEY,
    revocation_id BIGINT NOT NULL UNIQUE CHECK (revocation_id >= 1),
    attributes    TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS enrollment_codes (
    code_hash   BYTEA PRIMARY KEY CHECK (length(code_hash) = 32),
    citizen_id  TEXT NOT NULL REFERENCES citizens(citizen_id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    consumed_at BIGINT,
    offer       BYTEA
);
CREATE TABLE IF NOT EXISTS issued_credentials (
    id            BIGSERIAL PRIMARY KEY,
    citizen_id    TEXT NOT NULL REFERENCES citizens(citizen_id),
    key_id        TEXT NOT NULL,
    revocation_id BIGINT NOT NULL,
    issued_at     BIGINT NOT NULL,
    code_hash     BYTEA NOT NULL UNIQUE REFERENCES enrollment_codes(code_hash)
);
CREATE INDEX IF NOT EXISTS issued_credentials_citizen ON issued_credentials(citizen_id);
CREATE TABLE IF NOT EXISTS epochs (
    epoch      BIGINT PRIMARY KEY CHECK (epoch >= 0),
    prev       BIGINT UNIQUE REFERENCES epochs(epoch),
    entry      BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    CHECK ((epoch = 0 AND prev IS NULL) OR (epoch > 0 AND prev = epoch - 1))
);
CREATE TABLE IF NOT EXISTS revoked (
    revocation_id BIGINT PRIMARY KEY REFERENCES citizens(revocation_id),
    epoch         BIGINT NOT NULL REFERENCES epochs(epoch)
);
CREATE OR REPLACE FUNCTION netnym_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME;
END
$$;
DROP TRIGGER IF EXISTS epochs_append_only ON epochs;
CREATE TRIGGER epochs_append_only BEFORE UPDATE OR DELETE ON epochs
    FOR EACH ROW EXECUTE FUNCTION netnym_append_only();
DROP TRIGGER IF EXISTS revoked_append_only ON revoked;
CREATE TRIGGER revoked_append_only BEFORE UPDATE OR DELETE ON revoked
    FOR EACH ROW EXECUTE FUNCTION netnym_append_only();
CREATE TABLE IF NOT EXISTS secrets (
    name       TEXT PRIMARY KEY,
    sealed     BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS presentation_requests (
    nonce       BYTEA PRIMARY KEY,
    verifier_id TEXT NOT NULL,
    request     BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    consumed_at BIGINT
);
CREATE INDEX IF NOT EXISTS presentation_requests_expiry ON presentation_requests(expires_at);
CREATE TABLE IF NOT EXISTS accounts (
    account_id  BIGSERIAL PRIMARY KEY,
    verifier_id TEXT NOT NULL,
    pseudonym   BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    last_login  BIGINT NOT NULL,
    login_count BIGINT NOT NULL,
    UNIQUE (verifier_id, pseudonym)
);
DELETE FROM schema_version WHERE version < 1;
INSERT INTO schema_version (version) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM schema_version);
