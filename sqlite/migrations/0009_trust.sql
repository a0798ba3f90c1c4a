-- Trust: a tamper-evident audit log and data-sharing agreements.

-- The audit chain. Each entry stores the previous entry's hash and its own,
-- the SHA-256 of its canonical encoding (internal/audit/chain.go, registered
-- on every connection as socle_audit_hash). SQLite's BEFORE triggers cannot
-- change the row, so an AFTER INSERT trigger seals it in the inserting
-- transaction; the no-update trigger now lets exactly that seal through (a
-- row whose hash is still empty) and refuses every other change. The single
-- writer connection orders appends, so the chain needs no further lock.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';

CREATE TABLE audit_head (
	k       INTEGER PRIMARY KEY CHECK (k = 1),
	last_id INTEGER NOT NULL,
	hash    TEXT NOT NULL
);

-- Existing entries are chained here, in ID order, once.
DROP TRIGGER audit_log_no_update;
CREATE TEMP TABLE audit_backfill AS
WITH RECURSIVE c(id, prev, hash) AS (
	SELECT id, '', socle_audit_hash(id, time, actor, action, target, records, detail, '')
	FROM audit_log WHERE id = (SELECT min(id) FROM audit_log)
	UNION ALL
	SELECT o.id, c.hash, socle_audit_hash(o.id, o.time, o.actor, o.action, o.target, o.records, o.detail, c.hash)
	FROM c JOIN audit_log o ON o.id = (SELECT min(id) FROM audit_log WHERE id > c.id)
)
SELECT id, prev, hash FROM c;
UPDATE audit_log SET prev_hash = b.prev, hash = b.hash FROM temp.audit_backfill b WHERE b.id = audit_log.id;
INSERT INTO audit_head SELECT 1, coalesce(max(id), 0), coalesce((SELECT hash FROM temp.audit_backfill ORDER BY id DESC LIMIT 1), '') FROM audit_log;
DROP TABLE temp.audit_backfill;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN OLD.hash <> '' OR NEW.id <> OLD.id OR NEW.time <> OLD.time OR NEW.actor <> OLD.actor
	OR NEW.action <> OLD.action OR NEW.target <> OLD.target OR NEW.records <> OLD.records OR NEW.detail <> OLD.detail
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;

CREATE TRIGGER audit_log_chain AFTER INSERT ON audit_log BEGIN
	UPDATE audit_log SET
		prev_hash = (SELECT hash FROM audit_head WHERE k = 1),
		hash = socle_audit_hash(NEW.id, NEW.time, NEW.actor, NEW.action, NEW.target, NEW.records, NEW.detail,
			(SELECT hash FROM audit_head WHERE k = 1))
	WHERE id = NEW.id;
	UPDATE audit_head SET last_id = NEW.id, hash = (SELECT hash FROM audit_log WHERE id = NEW.id) WHERE k = 1;
END;

CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;

-- Data-sharing agreements: the agreement as JSON (internal/agreements), the
-- partner beside it for lookups, and its usage counted per request.
CREATE TABLE agreements (
	id      TEXT PRIMARY KEY,
	partner TEXT NOT NULL,
	body    TEXT NOT NULL
);
CREATE INDEX agreements_partner ON agreements(partner, id);

CREATE TABLE agreement_usage (
	id          TEXT PRIMARY KEY,
	requests    INTEGER NOT NULL DEFAULT 0,
	records     INTEGER NOT NULL DEFAULT 0,
	last_access TEXT NOT NULL DEFAULT ''
);
