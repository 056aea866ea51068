-- Schema version 4: operator commands. An operator invalidates enrollment codes
-- (`invalidated_at`: a code with it set is no longer usable), and rotates and retires issuer
-- keys. `issuer_keys` lists every issuer key in rotation order (`position`; the highest
-- position that is not retired is the current key). The first key lives in the sealed secret
-- `authority-keys` (with the registry key); a rotated key in its own sealed secret
-- (`secret_name`), deleted when the key is retired. The authority adds the row of its first
-- key when it next loads its keys.
ALTER TABLE enrollment_codes ADD COLUMN invalidated_at BIGINT;
CREATE INDEX enrollment_codes_citizen ON enrollment_codes(citizen_id);
CREATE TABLE issuer_keys (
    key_id      TEXT PRIMARY KEY,
    position    BIGINT NOT NULL UNIQUE CHECK (position >= 1),
    public_key  BYTEA NOT NULL,
    secret_name TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    retired_at  BIGINT
);
UPDATE schema_version SET version = 4;
