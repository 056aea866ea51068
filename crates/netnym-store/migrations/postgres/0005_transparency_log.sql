-- Schema version 5: the authority's transparency log (spec/12-transparency-log.md, LOG-021).
-- `log_entries`: each entry's canonical encoding by index; `log_hashes`: the tree's stored
-- hashes in Go tlog's layout (every leaf hash and every complete subtree hash, at its
-- stored-hash index); `log_checkpoints`: the signed checkpoints by tree size. All three are
-- append-only, and an entry is written in the same transaction as the record it describes.
CREATE TABLE log_entries (
    idx        BIGINT PRIMARY KEY CHECK (idx >= 0),
    entry      BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE log_hashes (
    hash_index BIGINT PRIMARY KEY CHECK (hash_index >= 0),
    hash       BYTEA NOT NULL CHECK (length(hash) = 32)
);
CREATE TABLE log_checkpoints (
    size       BIGINT PRIMARY KEY CHECK (size >= 0),
    note       BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TRIGGER log_entries_append_only BEFORE UPDATE OR DELETE ON log_entries
    FOR EACH ROW EXECUTE FUNCTION netnym_append_only();
CREATE TRIGGER log_hashes_append_only BEFORE UPDATE OR DELETE ON log_hashes
    FOR EACH ROW EXECUTE FUNCTION netnym_append_only();
CREATE TRIGGER log_checkpoints_append_only BEFORE UPDATE OR DELETE ON log_checkpoints
    FOR EACH ROW EXECUTE FUNCTION netnym_append_only();
UPDATE schema_version SET version = 5;
