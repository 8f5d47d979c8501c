-- chatda's catalog: index versions, aliases and reindex jobs. Times are unix milliseconds.

-- One directory per (kind, version): <data-dir>/indexes/<kind>/v0007.
CREATE TABLE versions (
    kind        TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('building', 'ready', 'failed', 'deleted')),
    docs        INTEGER NOT NULL DEFAULT 0,
    -- Last change_log seq applied to this version; NULL while it has never been fed
    -- from the source (the follower leaves such versions alone).
    sync_cursor INTEGER,
    job_id      INTEGER,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (kind, version)
);

-- The live version of each kind. Swapping is one UPDATE: atomic and crash-safe.
CREATE TABLE aliases (
    alias      TEXT PRIMARY KEY,
    kind       TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    swapped_at INTEGER NOT NULL
);

CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT    NOT NULL,
    state            TEXT    NOT NULL
        CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    processed        INTEGER NOT NULL DEFAULT 0,
    failed_rows      INTEGER NOT NULL DEFAULT 0,
    total_estimate   INTEGER,
    rate             REAL,
    eta_secs         REAL,
    started_at       INTEGER NOT NULL,
    finished_at      INTEGER,
    heartbeat_at     INTEGER NOT NULL,
    error            TEXT,
    target_version   INTEGER NOT NULL,
    -- Every source row with id <= checkpoint is committed to the target version.
    checkpoint       TEXT,
    -- change_log seq recorded before the bulk read; changes after it are caught up.
    high_water       INTEGER NOT NULL,
    swap             INTEGER NOT NULL,
    cancel_requested INTEGER NOT NULL DEFAULT 0
);

-- One reindex per kind at a time, enforced by the database across processes.
CREATE UNIQUE INDEX jobs_one_active_per_kind ON jobs (kind) WHERE state IN ('queued', 'running');

CREATE TABLE job_errors (
    job_id INTEGER NOT NULL REFERENCES jobs (id),
    row_id TEXT    NOT NULL,
    field  TEXT    NOT NULL,
    reason TEXT    NOT NULL,
    PRIMARY KEY (job_id, row_id, field)
);
