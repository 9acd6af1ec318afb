-- 0006_member.sql — persons and effective-dated membership (SPEC §3.3–3.4, issue 4).
--
-- person: one row per natural person (a member today; a cadre or a talent later), so the same
-- person is never entered twice. The ID number and phone are stored sealed (SM4-CTR +
-- HMAC-SM3, core/crypto.h, key outside the database); `id_number_bidx` is the keyed blind
-- index (HMAC-SM3, hex) used for exact lookup and for the duplicate check; the *_masked
-- columns hold the display forms ("110105********1234", "138****5678"), which are what lists
-- and exports show to accounts without member:read_pii.
CREATE TABLE person (
    id {{ID}},
    name TEXT NOT NULL,
    gender TEXT NOT NULL,            -- GB/T 2261.1: '1' male, '2' female
    ethnicity TEXT,                  -- GB 3304 code, '01' = 汉族
    birth_date TEXT,                 -- YYYY-MM-DD
    id_number_enc {{BLOB}},
    id_number_bidx TEXT UNIQUE,
    id_number_masked TEXT,
    phone_enc {{BLOB}},
    phone_masked TEXT,
    education TEXT,                  -- GB/T 4658 code
    degree TEXT,                     -- GB/T 6864 code
    native_place TEXT,
    work_start_date TEXT,
    occupation TEXT,                 -- category of the annual statistics (member module list)
    photo {{BLOB}},
    created_at TEXT NOT NULL DEFAULT {{NOW}},
    updated_at TEXT NOT NULL DEFAULT {{NOW}}
);
CREATE INDEX person_name ON person (name);

-- membership: the current state of a person's Party membership, derived from its events.
-- status: probationary | full | suspended (停止党籍) | removed (除名/开除/退党) | deceased |
--         transferred_out (left the system by an external transfer letter)
-- joined_on = the date the branch assembly passed the admission resolution (入党时间, RULES
-- §1.3); standing_since = the conversion date, or the end of the extended probation (党龄).
CREATE TABLE membership (
    id {{ID}},
    person_id {{BIGINT}} NOT NULL UNIQUE REFERENCES person (id),
    org_id {{BIGINT}} NOT NULL REFERENCES org (id),
    status TEXT NOT NULL CHECK (status IN ('probationary', 'full', 'suspended', 'removed',
        'deceased', 'transferred_out')),
    dues_category TEXT,
    joined_on TEXT NOT NULL,
    probation_end TEXT,
    extended {{BOOL}} NOT NULL DEFAULT 0,
    standing_since TEXT,
    mobile {{BOOL}} NOT NULL DEFAULT 0,
    lost_contact_since TEXT,
    suspended_on TEXT,
    created_at TEXT NOT NULL DEFAULT {{NOW}},
    updated_at TEXT NOT NULL DEFAULT {{NOW}}
);
CREATE INDEX membership_org ON membership (org_id, status);

-- membership_event: every change with its date; the history shown on the member page.
-- kind: joined | converted | extended | cancelled | transfer_in | transfer_out | moved |
--       mobile_out | mobile_back | lost_contact | contact_restored | suspended | restored |
--       removed | died | corrected
CREATE TABLE membership_event (
    id {{ID}},
    membership_id {{BIGINT}} NOT NULL REFERENCES membership (id),
    kind TEXT NOT NULL,
    on_date TEXT NOT NULL,
    org_id {{BIGINT}} REFERENCES org (id),      -- the org after the event
    from_org_id {{BIGINT}} REFERENCES org (id), -- for moves and transfers
    note TEXT,
    account_id {{BIGINT}},
    created_at TEXT NOT NULL DEFAULT {{NOW}}
);
CREATE INDEX membership_event_member ON membership_event (membership_id, on_date);

-- membership_span: the state "as of" any date. Every event that changes org or status closes
-- the open span (valid_to = the event date) and opens a new one from that date. A member
-- transferred on day D is in the old org for D-1 and in the new org on D:
--   valid_from <= D AND (valid_to IS NULL OR valid_to > D).
CREATE TABLE membership_span (
    id {{ID}},
    membership_id {{BIGINT}} NOT NULL REFERENCES membership (id),
    org_id {{BIGINT}} NOT NULL REFERENCES org (id),
    status TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT
);
CREATE INDEX membership_span_org ON membership_span (org_id, valid_from);
CREATE INDEX membership_span_member ON membership_span (membership_id, valid_from);

-- transfer: 组织关系转接. internal: from_org → to_org inside the system (pending → accepted /
-- returned with a reason; the sending org stays responsible until accepted); external: a
-- transfer letter to an org outside the system (letter_no, destination, valid_until ≤ 3 months
-- after issue, dues_paid_until), closed when the receipt comes back.
CREATE TABLE transfer (
    id {{ID}},
    membership_id {{BIGINT}} NOT NULL REFERENCES membership (id),
    kind TEXT NOT NULL CHECK (kind IN ('internal', 'external')),
    from_org_id {{BIGINT}} NOT NULL REFERENCES org (id),
    to_org_id {{BIGINT}} REFERENCES org (id),
    destination TEXT,
    letter_no TEXT UNIQUE,
    issued_on TEXT NOT NULL,
    valid_until TEXT,
    dues_paid_until TEXT,
    reason TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'returned', 'received',
        'cancelled', 'expired')),
    decided_on TEXT,
    decision_note TEXT,
    issued_by {{BIGINT}},
    decided_by {{BIGINT}},
    created_at TEXT NOT NULL DEFAULT {{NOW}},
    updated_at TEXT NOT NULL DEFAULT {{NOW}}
);
CREATE INDEX transfer_from ON transfer (from_org_id, status);
CREATE INDEX transfer_to ON transfer (to_org_id, status);

-- member_case: lost-contact and suspension handling (RULES §5.1 art.24) as cases a person
-- decides, never automatic: suspension case (lost contact ≥ 6 months), removal case (still
-- unreachable 2 years after suspension).
CREATE TABLE member_case (
    id {{ID}},
    membership_id {{BIGINT}} NOT NULL REFERENCES membership (id),
    kind TEXT NOT NULL CHECK (kind IN ('suspension', 'removal')),
    opened_on TEXT NOT NULL,
    due_reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'decided', 'dismissed')),
    decision TEXT,
    decided_on TEXT,
    decided_by {{BIGINT}},
    created_at TEXT NOT NULL DEFAULT {{NOW}}
);
CREATE INDEX member_case_member ON member_case (membership_id, status);

-- import_job: long imports run as jobs with progress visible through the API.
CREATE TABLE import_job (
    id {{ID}},
    account_id {{BIGINT}} NOT NULL,
    org_id {{BIGINT}} NOT NULL REFERENCES org (id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    rows_total INTEGER NOT NULL DEFAULT 0,
    rows_done INTEGER NOT NULL DEFAULT 0,
    rows_ok INTEGER NOT NULL DEFAULT 0,
    rows_failed INTEGER NOT NULL DEFAULT 0,
    options TEXT,
    report TEXT,
    created_at TEXT NOT NULL DEFAULT {{NOW}},
    finished_at TEXT
);
