-- Schema version 5: the authority's transparency log (spec/12-transparency-log.md, LOG-021).
-- `log_entries`: each entry's canonical encoding by index; `log_hashes`: the tree's stored
-- hashes in Go tlog's layout (every leaf hash and every complete subtree hash, at its
-- stored-hash index); `log_checkpoints`: the signed checkpoints by tree size. All three are
-- append-only, and an entry is written in the same transaction as the record it describes.
CREATE TABLE log_entries (
    idx        INTEGER PRIMARY KEY NOT NULL CHECK (idx >= 0),
    entry      BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE TABLE log_hashes (
    hash_index INTEGER PRIMARY KEY NOT NULL CHECK (hash_index >= 0),
    hash       BLOB NOT NULL CHECK (length(hash) = 32)
) STRICT;
CREATE TABLE log_checkpoints (
    size       INTEGER PRIMARY KEY NOT NULL CHECK (size >= 0),
    note       BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE TRIGGER log_entries_no_update BEFORE UPDATE ON log_entries
    BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
CREATE TRIGGER log_entries_no_delete BEFORE DELETE ON log_entries
    BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
CREATE TRIGGER log_hashes_no_update BEFORE UPDATE ON log_hashes
    BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
CREATE TRIGGER log_hashes_no_delete BEFORE DELETE ON log_hashes
    BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
CREATE TRIGGER log_checkpoints_no_update BEFORE UPDATE ON log_checkpoints
    BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
CREATE TRIGGER log_checkpoints_no_delete BEFORE DELETE ON log_checkpoints
    BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
UPDATE schema_version SET version = 5;
