-- 0003_org.sql — the org tree (SPEC §3.1). org_closure holds every (ancestor, descendant)
-- pair, (x, x, 0) included: data scope (src/db/scope.c) and subtree queries read it, so a
-- subtree of any depth and a tree of millions of nodes need no fixed-size path strings.
-- The org module keeps it in step on create and move.
CREATE TABLE org (
    id {{ID}},
    parent_id {{BIGINT}} REFERENCES org (id),
    kind TEXT NOT NULL CHECK (kind IN ('committee', 'work_committee', 'leading_group',
        'general_branch', 'branch', 'joint_branch', 'temp_branch', 'group')),
    name TEXT NOT NULL,
    short_name TEXT,
    code TEXT UNIQUE,
    category TEXT,
    domain TEXT,
    unit_name TEXT,
    unit_count INTEGER NOT NULL DEFAULT 1,
    founded_on TEXT,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'dissolved')),
    dissolved_on TEXT,
    depth INTEGER NOT NULL DEFAULT 0,
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
