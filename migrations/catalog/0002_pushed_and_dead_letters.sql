-- Writes pushed through the API (`documents`, `chatda index`): a later reindex rebuilds
-- from the source, so they are journaled here and replayed into every new version.
-- One row per (kind, doc_id): the latest push wins; body NULL is a delete. source_seq
-- is the source's change-log position at the push: a later change of the same row in
-- the source supersedes the push.
CREATE TABLE pushed (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT    NOT NULL,
    doc_id     TEXT    NOT NULL,
    body       TEXT,
    source_seq INTEGER NOT NULL,
    at         INTEGER NOT NULL
);
CREATE UNIQUE INDEX pushed_one_per_document ON pushed (kind, doc_id);

-- Last pushed seq applied to a version (NULL: none yet).
ALTER TABLE versions ADD COLUMN pushed_cursor INTEGER;

-- Rows the follower could not index (bad values in the source): kept until the row
-- indexes, visible and retryable.
CREATE TABLE sync_errors (
    kind      TEXT    NOT NULL,
    row_id    TEXT    NOT NULL,
    field     TEXT    NOT NULL,
    reason    TEXT    NOT NULL,
    first_at  INTEGER NOT NULL,
    last_at   INTEGER NOT NULL,
    attempts  INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (kind, row_id)
);
