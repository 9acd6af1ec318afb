-- 0001_init.sql — the foundation schema: application settings, the working-day calendar's
-- overrides, and the national-standard code tables (seeded by 0002_dict_seed.sql).
--
-- How migrations are written (both backends run the same file):
--   * {{ID}} {{BLOB}} {{TEXT}} {{BIGINT}} {{BOOL}} {{NOW}} are replaced per dialect
--     (zg_db_ddl in src/db/db.c); everything else must be SQL that SQLite and PostgreSQL
--     both accept. Each file runs in one write transaction with its schema_migration row.
--   * Timestamps are TEXT 'YYYY-MM-DD HH:MM:SS' in UTC ({{NOW}} as a default); civil dates are
--     TEXT 'YYYY-MM-DD' (or INTEGER days since 1970-01-01), so comparisons, ORDER BY and
--     the DML are the same text on both backends. Money is INTEGER fen.
--   * Booleans are {{BOOL}} holding 0 or 1: write "WHERE enabled = 1", never TRUE/FALSE.
--   * Portable DML: $1..$n parameters, INSERT ... RETURNING id, ON CONFLICT (...) DO
--     NOTHING / DO UPDATE SET x = excluded.x, LIMIT/OFFSET, COALESCE, CASE, || for
--     concatenation. Avoid ILIKE, ::casts, now(), date functions, GROUP_CONCAT/STRING_AGG
--     (compute in C or add a db helper), and "check then insert" without a UNIQUE constraint
--     (PostgreSQL write transactions run concurrently; see src/db/pg.c).
--   * Never edit a migration that has shipped: add the next NNNN file.

-- Key/value settings an administrator may change at run time (e.g. system name).
CREATE TABLE app_setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT {{NOW}}
);

-- Overrides of the working-day calendar: official holidays that fall on weekdays and the
-- adjusted working days (调休) that fall on weekends, per the State Council's yearly notice.
-- A day not listed is a workday Monday to Friday and a rest day on Saturday and Sunday.
CREATE TABLE calendar_day (
    day TEXT PRIMARY KEY CHECK (day LIKE '____-__-__'), -- 'YYYY-MM-DD'
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT NOT NULL, -- e.g. '春节', '春节调休上班'
    updated_at TEXT NOT NULL DEFAULT {{NOW}}
);

-- Code tables (字典): one row per code of a dictionary. `dict` is the dictionary's name
-- (gender, ethnicity, education, degree, political_status, org_category, province, ...),
-- `standard` the standard the code comes from (e.g. 'GB/T 2261.1-2003'); `label` is the
-- standard's name of the code and `short_label` the shorter one forms use where the sources
-- give one (political_status: 中共党员 for 中国共产党党员). Codes are never renumbered:
-- a local addition has builtin = 0; a code no longer offered has enabled = 0.
CREATE TABLE dict_item (
    dict TEXT NOT NULL,
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    short_label TEXT,
    parent_code TEXT, -- the code of the group this one is under, in the same dict
    sort INTEGER NOT NULL DEFAULT 0,
    standard TEXT NOT NULL,
    builtin {{BOOL}} NOT NULL DEFAULT 1 CHECK (builtin IN (0, 1)),
    enabled {{BOOL}} NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    PRIMARY KEY (dict, code)
);
CREATE INDEX dict_item_by_parent ON dict_item (dict, parent_code);
