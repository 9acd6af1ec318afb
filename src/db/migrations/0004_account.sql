-- 0004_account.sql — accounts, roles and sessions (issue 3 §3–§4; rules account.*).
--
-- account: one row per person who logs in. Usernames are stored in lower case (login is
-- case-insensitive). home_org_id is the account's data scope (its org subtree); it is NULL
-- only for accounts of the three built-in administrator roles, which read no business data
-- (the module refuses business roles on an account without a home org). Accounts are never
-- deleted, only disabled, so the audit log's account ids stay meaningful.
CREATE TABLE account (
    id {{ID}},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    home_org_id {{BIGINT}} REFERENCES org (id),
    password_hash TEXT NOT NULL, -- argon2id string, never the password
    password_changed_at TEXT NOT NULL,
    must_change_password {{BOOL}} NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    failed_count INTEGER NOT NULL DEFAULT 0, -- consecutive failed logins
    locked_until TEXT, -- NULL = not locked
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    last_login_at TEXT,
    last_login_ip TEXT,
    created_at TEXT NOT NULL DEFAULT {{NOW}},
    updated_at TEXT NOT NULL DEFAULT {{NOW}}
);
CREATE INDEX account_home_org ON account (home_org_id);

-- The hashes of an account's recent passwords, the current one included
-- (account.password_history: a new password may not be any of the last 5).
CREATE TABLE password_history (
    id {{ID}},
    account_id {{BIGINT}} NOT NULL REFERENCES account (id),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX password_history_account ON password_history (account_id, id);

-- Roles grant sets of permissions ("module:action", catalog in
-- src/modules/account/account_perms.c). kind separates the three administrator roles
-- (三员分立) from business roles; only business roles may be created by users.
CREATE TABLE role (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('sysadmin', 'secadmin', 'auditor', 'business')),
    builtin {{BOOL}} NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
    created_at TEXT NOT NULL DEFAULT {{NOW}},
    updated_at TEXT NOT NULL DEFAULT {{NOW}},
    CHECK (kind = 'business' OR builtin = 1)
);

CREATE TABLE role_perm (
    role_id {{BIGINT}} NOT NULL REFERENCES role (id),
    perm TEXT NOT NULL,
    PRIMARY KEY (role_id, perm)
);

CREATE TABLE account_role (
    account_id {{BIGINT}} NOT NULL REFERENCES account (id),
    role_id {{BIGINT}} NOT NULL REFERENCES role (id),
    PRIMARY KEY (account_id, role_id)
);
CREATE INDEX account_role_role ON account_role (role_id);

-- Login sessions. The token itself (32 random bytes, sent as hex in the cookie or the Bearer
-- header) is never stored: token_hash is the SM3 of its bytes, in hex. expires_at is the
-- absolute end; last_seen_at drives the idle timeout (updated at most once a minute).
CREATE TABLE session (
    id {{ID}},
    token_hash TEXT NOT NULL UNIQUE,
    csrf_token TEXT NOT NULL,
    account_id {{BIGINT}} NOT NULL REFERENCES account (id),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '' -- printable ASCII, at most 256 bytes
);
CREATE INDEX session_account ON session (account_id);
CREATE INDEX session_expires ON session (expires_at); -- the purge at each login
CREATE INDEX session_last_seen ON session (last_seen_at);

-- Built-in roles. The three administrator roles cannot be combined on one account and grant
-- no business permission; their permission sets cannot be changed.
INSERT INTO role (code, name, description, kind, builtin) VALUES
    ('sysadmin', '系统管理员', '管理账号与系统配置；不能访问业务数据', 'sysadmin', 1),
    ('secadmin', '安全管理员', '管理角色、权限与账号的角色分配；不能访问业务数据', 'secadmin', 1),
    ('auditor', '安全审计员', '查看与核验审计日志；不能访问业务数据', 'auditor', 1),
    ('org_admin', '组织部管理员', '管理本级及下级党组织、党员信息，查看统计', 'business', 1),
    ('branch_secretary', '支部书记', '查看本组织信息，维护党员信息，查看统计', 'business', 1),
    ('viewer', '只读用户', '查看党组织、党员信息与统计', 'business', 1);

INSERT INTO role_perm (role_id, perm) SELECT id, 'account:read' FROM role WHERE code = 'sysadmin';
INSERT INTO role_perm (role_id, perm) SELECT id, 'account:write' FROM role WHERE code = 'sysadmin';
INSERT INTO role_perm (role_id, perm) SELECT id, 'config:write' FROM role WHERE code = 'sysadmin';

INSERT INTO role_perm (role_id, perm) SELECT id, 'role:read' FROM role WHERE code = 'secadmin';
INSERT INTO role_perm (role_id, perm) SELECT id, 'role:write' FROM role WHERE code = 'secadmin';
INSERT INTO role_perm (role_id, perm) SELECT id, 'account:read' FROM role WHERE code = 'secadmin';
INSERT INTO role_perm (role_id, perm)
    SELECT id, 'account:assign_role' FROM role WHERE code = 'secadmin';

INSERT INTO role_perm (role_id, perm) SELECT id, 'audit:read' FROM role WHERE code = 'auditor';

INSERT INTO role_perm (role_id, perm) SELECT id, 'org:read' FROM role WHERE code = 'org_admin';
INSERT INTO role_perm (role_id, perm) SELECT id, 'org:write' FROM role WHERE code = 'org_admin';
INSERT INTO role_perm (role_id, perm) SELECT id, 'member:read' FROM role WHERE code = 'org_admin';
INSERT INTO role_perm (role_id, perm) SELECT id, 'member:write' FROM role WHERE code = 'org_admin';
INSERT INTO role_perm (role_id, perm)
    SELECT id, 'member:read_pii' FROM role WHERE code = 'org_admin';
INSERT INTO role_perm (role_id, perm) SELECT id, 'stats:read' FROM role WHERE code = 'org_admin';

INSERT INTO role_perm (role_id, perm)
    SELECT id, 'org:read' FROM role WHERE code = 'branch_secretary';
INSERT INTO role_perm (role_id, perm)
    SELECT id, 'member:read' FROM role WHERE code = 'branch_secretary';
INSERT INTO role_perm (role_id, perm)
    SELECT id, 'member:write' FROM role WHERE code = 'branch_secretary';
INSERT INTO role_perm (role_id, perm)
    SELECT id, 'stats:read' FROM role WHERE code = 'branch_secretary';

INSERT INTO role_perm (role_id, perm) SELECT id, 'org:read' FROM role WHERE code = 'viewer';
INSERT INTO role_perm (role_id, perm) SELECT id, 'member:read' FROM role WHERE code = 'viewer';
INSERT INTO role_perm (role_id, perm) SELECT id, 'stats:read' FROM role WHERE code = 'viewer';
