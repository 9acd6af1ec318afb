-- 0003_org.sql — the org tree (SPEC §3.1–3.2): orgs, their closure table, the history of
-- structural changes, leadership teams with terms, and yearly grading.
--
-- org_closure holds every (ancestor, descendant) pair, (x, x, 0) included: data scope
-- (src/db/scope.c) and subtree queries read it, so a subtree of any depth and a tree of
-- millions of nodes need no fixed-size path strings. The org module keeps it in step on
-- create and move (a move is one set-based DELETE and one INSERT ... SELECT, whatever the
-- size of the subtree). Rows ≈ nodes × (average depth + 1): 5 million orgs at an average
-- depth of 6 are about 35 million narrow rows.
CREATE TABLE org (
    id {{ID}},
    parent_id {{BIGINT}} REFERENCES org (id),
    kind TEXT NOT NULL CHECK (kind IN ('committee', 'work_committee', 'leading_group',
        'general_branch', 'branch', 'joint_branch', 'temp_branch', 'group')),
    name TEXT NOT NULL,
    short_name TEXT,
    code TEXT UNIQUE,
    category TEXT,        -- ZB62 code (dict org_category)
    domain TEXT CHECK (domain IN ('rural', 'community', 'agency', 'school', 'hospital', 'soe',
        'emerging', 'university', 'institute')),
    unit_name TEXT,
    unit_count INTEGER NOT NULL DEFAULT 1, -- units a joint branch covers
    founded_on TEXT,      -- 'YYYY-MM-DD'
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'dissolved')),
    dissolved_on TEXT,
    depth INTEGER NOT NULL DEFAULT 0, -- 0 for the root; = the node's closure rows - 1
    sort INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL DEFAULT {{NOW}},
    updated_at TEXT NOT NULL DEFAULT {{NOW}}
);
CREATE INDEX org_parent ON org (parent_id);
CREATE INDEX org_name ON org (name);

CREATE TABLE org_closure (
    ancestor_id {{BIGINT}} NOT NULL REFERENCES org (id),
    descendant_id {{BIGINT}} NOT NULL REFERENCES org (id),
    depth INTEGER NOT NULL,
    PRIMARY KEY (ancestor_id, descendant_id)
);
CREATE INDEX org_closure_descendant ON org_closure (descendant_id);
-- A depth-bounded subtree ("the root and two levels below it") is a range of this index
-- instead of a scan of every descendant of the root.
CREATE INDEX org_closure_ancestor_depth ON org_closure (ancestor_id, depth, descendant_id);

-- One row serialized by every structural write (create, move, dissolve). SQLite writers are
-- serialized anyway (BEGIN IMMEDIATE); on PostgreSQL (READ COMMITTED, concurrent writers) the
-- row lock taken by "UPDATE org_tree_lock" keeps two moves from building a cycle or two
-- closure updates from reading each other's half-done state.
CREATE TABLE org_tree_lock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version {{BIGINT}} NOT NULL DEFAULT 0
);
INSERT INTO org_tree_lock (id, version) VALUES (1, 0);

-- The history of an org (SPEC §2 "effective-dated history", issue 3 "who, when, from
-- where"): one row per create, rename, move, field update, dissolution. `detail` is a JSON
-- object of the changed fields {"field": {"from": …, "to": …}}; the columns that statistics
-- "as of a date" need are explicit.
CREATE TABLE org_change (
    id {{ID}},
    org_id {{BIGINT}} NOT NULL REFERENCES org (id),
    change_type TEXT NOT NULL CHECK (change_type IN ('create', 'rename', 'move', 'update', 'dissolve')),
    effective_on TEXT NOT NULL,        -- 'YYYY-MM-DD' the change takes effect
    old_name TEXT,                     -- rename
    new_name TEXT,
    from_parent_id {{BIGINT}} REFERENCES org (id), -- move
    to_parent_id {{BIGINT}} REFERENCES org (id),
    detail TEXT NOT NULL DEFAULT '{}',
    account_id {{BIGINT}},             -- who (0/NULL = the system or the CLI)
    username TEXT,
    changed_at TEXT NOT NULL DEFAULT {{NOW}}
);
CREATE INDEX org_change_org ON org_change (org_id, id);

-- The leadership team (领导班子): one row per person per post per term. A post is current
-- while ended_on is NULL. person_id will reference the person table of the member module;
-- until then person_name is what identifies the holder.
CREATE TABLE org_leader (
    id {{ID}},
    org_id {{BIGINT}} NOT NULL REFERENCES org (id),
    post TEXT NOT NULL CHECK (post IN ('secretary', 'deputy_secretary', 'committee_member',
        'first_secretary', 'organizer')),
    person_name TEXT NOT NULL,
    person_id {{BIGINT}},
    title TEXT,                        -- e.g. 组织委员, 宣传委员 (free text)
    term_start TEXT NOT NULL,          -- 'YYYY-MM-DD'
    term_end TEXT,                     -- NULL for posts without a term
    ended_on TEXT,                     -- NULL while in office
    end_reason TEXT,
    sort INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL DEFAULT {{NOW}},
    updated_at TEXT NOT NULL DEFAULT {{NOW}},
    CHECK (term_end IS NULL OR term_end >= term_start),
    CHECK (ended_on IS NULL OR ended_on >= term_start)
);
CREATE INDEX org_leader_org ON org_leader (org_id, ended_on);
CREATE INDEX org_leader_term_end ON org_leader (term_end);

-- 分类定级: one grade per org per year (RULES §8), with the indicators behind it as a JSON
-- object. Changes are kept in the audit log.
CREATE TABLE org_grading (
    id {{ID}},
    org_id {{BIGINT}} NOT NULL REFERENCES org (id),
    year INTEGER NOT NULL,
    grade TEXT NOT NULL CHECK (grade IN ('good', 'fairly_good', 'average', 'poor')),
    indicators TEXT NOT NULL DEFAULT '{}',
    note TEXT,
    graded_on TEXT,                    -- 'YYYY-MM-DD'
    created_at TEXT NOT NULL DEFAULT {{NOW}},
    updated_at TEXT NOT NULL DEFAULT {{NOW}},
    UNIQUE (org_id, year)
);
