-- Schema 1: the whole domain. Times are INTEGER unix milliseconds UTC; sort keys are
-- core.SortKey bytes (French order as plain byte order); fold columns hold core.Fold.

PRAGMA application_id = 1129270870; -- "CONV": marks the file as Convive's

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE groups (
    id        INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES groups (id) ON DELETE CASCADE,
    name      TEXT    NOT NULL CHECK (name <> '' AND instr(name, '/') = 0),
    fold      TEXT    NOT NULL CHECK (fold <> ''),
    sort_key  BLOB    NOT NULL,
    created   INTEGER NOT NULL,
    updated   INTEGER NOT NULL,
    CHECK (parent_id IS NULL OR parent_id <> id)
);
-- Siblings are unique by their folded name; the index also serves the cascade.
CREATE UNIQUE INDEX groups_sibling ON groups (parent_id, fold);
-- Only one root.
CREATE UNIQUE INDEX groups_root ON groups (coalesce(parent_id, 0)) WHERE parent_id IS NULL;

INSERT INTO groups (id, parent_id, name, fold, sort_key, created, updated)
VALUES (1, NULL, 'Groupe général', 'groupe general', X'',
        CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER));

CREATE TABLE batches (
    id        INTEGER PRIMARY KEY,
    file      TEXT    NOT NULL,
    sheet     TEXT    NOT NULL DEFAULT '',
    who       TEXT    NOT NULL,
    created   INTEGER NOT NULL,
    rows      INTEGER NOT NULL DEFAULT 0 CHECK (rows >= 0),
    new_users INTEGER NOT NULL DEFAULT 0 CHECK (new_users >= 0),
    updated   INTEGER NOT NULL DEFAULT 0 CHECK (updated >= 0),
    invited   INTEGER NOT NULL DEFAULT 0 CHECK (invited >= 0),
    undone_at INTEGER,
    report    TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(report))
);

CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    login      TEXT    NOT NULL,
    login_key  TEXT    NOT NULL UNIQUE,
    email      TEXT    NOT NULL,
    email_key  TEXT    NOT NULL,
    first_name TEXT    NOT NULL DEFAULT '',
    last_name  TEXT    NOT NULL DEFAULT '',
    language   TEXT    NOT NULL DEFAULT 'fr' CHECK (language IN ('fr', 'en')),
    role       TEXT    NOT NULL DEFAULT 'learner' CHECK (role IN ('learner', 'coach', 'admin')),
    status     TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('invited', 'active', 'disabled')),
    fold       TEXT    NOT NULL, -- core.Fold(login first last), for search
    sort_last  BLOB    NOT NULL, -- last name then first name
    sort_first BLOB    NOT NULL, -- first name then last name
    sort_login BLOB    NOT NULL,
    created    INTEGER NOT NULL,
    updated    INTEGER NOT NULL,
    batch_id   INTEGER REFERENCES batches (id) ON DELETE SET NULL
);
CREATE INDEX users_email_key ON users (email_key);
-- One index per sortable column. Each also holds the status, so that a list filtered by
-- status is read from the index alone until the page is reached; namesakes are ordered
-- by status, then by id.
CREATE INDEX users_sort_last ON users (sort_last, status);
CREATE INDEX users_sort_first ON users (sort_first, status);
CREATE INDEX users_sort_login ON users (sort_login, status);
CREATE INDEX users_created ON users (created, status);
-- By status, then in the order of last names: both the list sorted by status and the
-- list of one status sorted by name walk it without reading the users rows.
CREATE INDEX users_status ON users (status, sort_last);
-- The narrowest index: counting every user reads it, 1 MB for 100 000 users.
CREATE INDEX users_language ON users (language);
CREATE INDEX users_batch ON users (batch_id) WHERE batch_id IS NOT NULL;
-- Search words shorter than three letters are matched with LIKE on this narrow index,
-- a sixth of the width of the users rows; with the status, a count needs nothing else.
CREATE INDEX users_fold ON users (fold, status);

-- Substring search over users.fold: a trigram index answers "lefevre" among 100 000
-- users in milliseconds, where LIKE '%lefevre%' has to read the whole table. Words
-- shorter than three letters fall back to LIKE on users_fold. New users are added to
-- it by the code that inserts them (userInserter), not by a trigger: an insert trigger
-- makes SQLite flush the index after every row, four times slower for a big import.
-- Updates and deletions, rarer, are kept in step by triggers.
CREATE VIRTUAL TABLE users_search USING fts5 (fold, content = 'users', content_rowid = 'id', tokenize = 'trigram');
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search (users_search, rowid, fold) VALUES ('delete', old.id, old.fold);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF fold ON users BEGIN
    INSERT INTO users_search (users_search, rowid, fold) VALUES ('delete', old.id, old.fold);
    INSERT INTO users_search (rowid, fold) VALUES (new.id, new.fold);
END;

-- Membership of the root group is implicit and never stored.
CREATE TABLE memberships (
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added    INTEGER NOT NULL,
    PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE courses (
    id       INTEGER PRIMARY KEY,
    name     TEXT    NOT NULL CHECK (name <> ''),
    fold     TEXT    NOT NULL UNIQUE,
    sort_key BLOB    NOT NULL,
    created  INTEGER NOT NULL,
    updated  INTEGER NOT NULL
);

CREATE TABLE sessions (
    id        INTEGER PRIMARY KEY,
    course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    name      TEXT    NOT NULL CHECK (name <> ''),
    opens     INTEGER NOT NULL,
    closes    INTEGER CHECK (closes IS NULL OR closes >= opens),
    created   INTEGER NOT NULL,
    updated   INTEGER NOT NULL
);
CREATE INDEX sessions_course ON sessions (course_id, opens);

CREATE TABLE session_members (
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added      INTEGER NOT NULL,
    -- the session mail waiting in the outbox for this person: moved when the opening
    -- moves, cancelled when the person is taken out of the session
    message_id INTEGER REFERENCES outbox (id) ON DELETE SET NULL,
    PRIMARY KEY (session_id, user_id)
) WITHOUT ROWID;
CREATE INDEX session_members_user ON session_members (user_id);

CREATE TABLE invitations (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    login        TEXT    NOT NULL,
    login_key    TEXT    NOT NULL,
    email        TEXT    NOT NULL,
    group_id     INTEGER REFERENCES groups (id) ON DELETE SET NULL,
    session_id   INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
    language     TEXT    NOT NULL DEFAULT 'fr' CHECK (language IN ('fr', 'en')),
    state        TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'cancelled')),
    created      INTEGER NOT NULL,
    last_sent    INTEGER,
    accepted_at  INTEGER,
    cancelled_at INTEGER,
    batch_id     INTEGER REFERENCES batches (id) ON DELETE SET NULL,
    -- the delivery address's key (login_key without its "#tag"), so that a list of
    -- plain addresses finds the invitations of their aliases too
    email_key    TEXT GENERATED ALWAYS AS (CASE WHEN instr(login_key, '#') > 0
                     THEN substr(login_key, 1, instr(login_key, '#') - 1) || substr(login_key, instr(login_key, '@'))
                     ELSE login_key END) VIRTUAL,
    CHECK (state <> 'accepted' OR accepted_at IS NOT NULL),
    CHECK (state <> 'cancelled' OR cancelled_at IS NOT NULL)
);
-- With the state, the list sorted by login pages through the index alone.
CREATE INDEX invitations_login_key ON invitations (login_key, state);
CREATE INDEX invitations_email_key ON invitations (email_key);
-- The pending-invitation views page through these in creation order.
CREATE INDEX invitations_state ON invitations (state, created);
CREATE INDEX invitations_user ON invitations (user_id);
CREATE INDEX invitations_group ON invitations (group_id, state, created);
CREATE INDEX invitations_session ON invitations (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX invitations_batch ON invitations (batch_id) WHERE batch_id IS NOT NULL;
-- One pending invitation per login at a time: a second one is a re-send, not a new row.
CREATE UNIQUE INDEX invitations_one_pending ON invitations (login_key) WHERE state = 'pending';

-- Only the SHA-256 of a token is kept; the token itself leaves in the mail and nowhere else.
CREATE TABLE tokens (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT    NOT NULL CHECK (purpose IN ('invitation', 'welcome', 'reset')),
    hash    BLOB    NOT NULL UNIQUE CHECK (length(hash) = 32),
    created INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('invitation', 'welcome', 'session', 'reset', 'test')),
    to_addr       TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    text_body     TEXT    NOT NULL,
    html_body     TEXT    NOT NULL DEFAULT '',
    message_id    TEXT    NOT NULL UNIQUE,
    due           INTEGER NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'queued'
                          CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'unknown', 'cancelled')),
    attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt  INTEGER,
    last_error    TEXT    NOT NULL DEFAULT '',
    fold          TEXT    NOT NULL DEFAULT '', -- core.Fold(to_addr subject), for search
    invitation_id INTEGER REFERENCES invitations (id) ON DELETE SET NULL,
    user_id       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created       INTEGER NOT NULL,
    updated       INTEGER NOT NULL,
    sent_at       INTEGER,
    CHECK (state <> 'sent' OR sent_at IS NOT NULL)
);
CREATE INDEX outbox_state_due ON outbox (state, due);
CREATE INDEX outbox_invitation ON outbox (invitation_id) WHERE invitation_id IS NOT NULL;
CREATE INDEX outbox_user ON outbox (user_id) WHERE user_id IS NOT NULL;

CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    who       TEXT    NOT NULL,
    action    TEXT    NOT NULL CHECK (action <> ''),
    entity    TEXT    NOT NULL,
    entity_id INTEGER NOT NULL DEFAULT 0,
    detail    TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
    batch_id  INTEGER REFERENCES batches (id) ON DELETE SET NULL
);
CREATE INDEX audit_entity ON audit (entity, entity_id);
CREATE INDEX audit_batch ON audit (batch_id) WHERE batch_id IS NOT NULL;
