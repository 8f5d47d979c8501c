-- Source tables of the built-in kinds. Columns are named as the kind specs' fields
-- (src/schema/specs/*.toml). Text columns accept NULL on purpose: the application owns
-- this data and chatda reports rows it cannot index instead of refusing writes.
-- Lists (artists) are JSON arrays in TEXT; dates are ISO 8601 TEXT; bools are 0/1.

CREATE TABLE IF NOT EXISTS concerts (
    id          INTEGER PRIMARY KEY,
    title       TEXT,
    artists     TEXT,
    venue       TEXT,
    city        TEXT,
    genre       TEXT,
    description TEXT,
    start_date  TEXT,
    end_date    TEXT,
    price_min   INTEGER,
    price_max   INTEGER,
    deleted     INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE IF NOT EXISTS tickets (
    id          INTEGER PRIMARY KEY,
    subject     TEXT,
    body        TEXT,
    category    TEXT,
    status      TEXT,
    priority    INTEGER,
    assignee    TEXT,
    created_at  TEXT,
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Every write to a source table, in commit order (SQLite serialises writers).
CREATE TABLE IF NOT EXISTS change_log (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,
    doc_id     TEXT NOT NULL,
    op         TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
    changed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TRIGGER IF NOT EXISTS concerts_log_insert AFTER INSERT ON concerts BEGIN
    INSERT INTO change_log (kind, doc_id, op) VALUES ('concerts', NEW.id, 'upsert');
END;
CREATE TRIGGER IF NOT EXISTS concerts_log_update AFTER UPDATE ON concerts BEGIN
    INSERT INTO change_log (kind, doc_id, op)
        SELECT 'concerts', OLD.id, 'delete' WHERE OLD.id IS NOT NEW.id;
    INSERT INTO change_log (kind, doc_id, op) VALUES ('concerts', NEW.id, 'upsert');
END;
CREATE TRIGGER IF NOT EXISTS concerts_log_delete AFTER DELETE ON concerts BEGIN
    INSERT INTO change_log (kind, doc_id, op) VALUES ('concerts', OLD.id, 'delete');
END;

CREATE TRIGGER IF NOT EXISTS tickets_log_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO change_log (kind, doc_id, op) VALUES ('tickets', NEW.id, 'upsert');
END;
CREATE TRIGGER IF NOT EXISTS tickets_log_update AFTER UPDATE ON tickets BEGIN
    INSERT INTO change_log (kind, doc_id, op)
        SELECT 'tickets', OLD.id, 'delete' WHERE OLD.id IS NOT NEW.id;
    INSERT INTO change_log (kind, doc_id, op) VALUES ('tickets', NEW.id, 'upsert');
END;
CREATE TRIGGER IF NOT EXISTS tickets_log_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO change_log (kind, doc_id, op) VALUES ('tickets', OLD.id, 'delete');
END;
