-- Jobs are reindexes or file imports. An import writes into the live version (its
-- target_version) and does not hold the one-reindex-per-kind slot: imports and a
-- reindex of the same kind may run together (pushed writes survive the reindex).
ALTER TABLE jobs ADD COLUMN action TEXT NOT NULL DEFAULT 'reindex'
    CHECK (action IN ('reindex', 'import'));
-- The import's stored upload (format and mapping as JSON), kept until the job ends so a
-- job interrupted by a crash or shutdown resumes after its checkpoint (the last row
-- committed).
ALTER TABLE jobs ADD COLUMN input TEXT;

DROP INDEX jobs_one_active_per_kind;
CREATE UNIQUE INDEX jobs_one_active_reindex_per_kind ON jobs (kind)
    WHERE state IN ('queued', 'running') AND action = 'reindex';
