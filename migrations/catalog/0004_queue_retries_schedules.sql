-- A reindex asked for while one runs is queued: at most one running and one queued per
-- kind. A queued job gets its target version when it starts (target_version 0 until
-- then). A failed job goes back to the queue for another attempt after a backoff
-- (not_before) until its attempts run out; every attempt is recorded.
ALTER TABLE jobs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
ALTER TABLE jobs ADD COLUMN not_before INTEGER;
-- Who asked: api, cli, schedule:<name>, retry.
ALTER TABLE jobs ADD COLUMN origin TEXT;

DROP INDEX jobs_one_active_reindex_per_kind;
CREATE UNIQUE INDEX jobs_one_running_reindex_per_kind ON jobs (kind)
    WHERE state = 'running' AND action = 'reindex';
CREATE UNIQUE INDEX jobs_one_queued_reindex_per_kind ON jobs (kind)
    WHERE state = 'queued' AND action = 'reindex';

CREATE TABLE job_attempts (
    job_id         INTEGER NOT NULL REFERENCES jobs (id),
    attempt        INTEGER NOT NULL,
    target_version INTEGER NOT NULL,
    started_at     INTEGER NOT NULL,
    finished_at    INTEGER,
    state          TEXT    NOT NULL,
    error          TEXT,
    PRIMARY KEY (job_id, attempt)
);

-- One row per schedule firing: the primary key is what keeps two processes from running
-- the same firing twice (the one whose INSERT lands runs it).
CREATE TABLE schedule_runs (
    name    TEXT    NOT NULL,
    due_at  INTEGER NOT NULL,
    ran_at  INTEGER NOT NULL,
    job_id  INTEGER,
    outcome TEXT,
    PRIMARY KEY (name, due_at)
);
