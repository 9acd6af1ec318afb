-- 0005_audit.sql — the tamper-evident audit log (issue 3 §5; src/modules/audit).
--
-- audit_log is a hash chain: entry n stores prev_hash = hash of entry n-1 (64 zeros for the
-- first) and hash = SM3 over a length-prefixed encoding of its own fields and prev_hash (see
-- audit.c: encode_entry). seq runs 1, 2, 3, … without gaps and id is always equal to seq (the
-- module writes both), so a renumbered, deleted or edited row shows up in zg_audit_verify.
-- No foreign keys: an entry must outlive the account or object it names.
CREATE TABLE audit_log (
    id {{ID}},
    seq {{BIGINT}} NOT NULL UNIQUE,
    at TEXT NOT NULL, -- 'YYYY-MM-DD HH:MM:SS' UTC
    account_id {{BIGINT}} NOT NULL DEFAULT 0, -- 0 = anonymous or the system itself
    username TEXT,
    ip TEXT,
    action TEXT NOT NULL, -- '<module>.<verb>'
    object_type TEXT,
    object_id {{BIGINT}} NOT NULL DEFAULT 0, -- 0 = none
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
    detail TEXT, -- a JSON object without secret values, or NULL
    prev_hash TEXT NOT NULL, -- lowercase hex, 64 characters
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_username ON audit_log (username, seq);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id, seq);

-- The chain's head: seq and hash of the newest entry, updated by every append in the same
-- transaction. Appends lock this one row first (UPDATE … RETURNING), which serializes them on
-- PostgreSQL as BEGIN IMMEDIATE does on SQLite; verification compares the chain's last entry
-- with it, so deleting the newest entries is detected too.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq {{BIGINT}} NOT NULL,
    hash TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT {{NOW}}
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Retention checkpoints: pruning (zg_audit_prune, entries older than ≥ 180 days) deletes the
-- oldest entries and records here the first retained entry's seq, prev_hash and hash, so the
-- chain is verified from there. The newest checkpoint (highest seq) is the one in force; the
-- older rows are the pruning history.
CREATE TABLE audit_checkpoint (
    id {{ID}},
    seq {{BIGINT}} NOT NULL UNIQUE,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    pruned {{BIGINT}} NOT NULL, -- entries deleted by this pruning
    cutoff TEXT NOT NULL, -- entries older than this UTC timestamp were eligible
    created_at TEXT NOT NULL DEFAULT {{NOW}}
);
