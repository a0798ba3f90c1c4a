-- Trust: a tamper-evident audit log and data-sharing agreements.

-- The audit chain. Each entry stores the previous entry's hash and its own,
-- the SHA-256 of its canonical encoding (internal/audit/chain.go). A BEFORE
-- INSERT trigger computes both, whoever inserts, in the inserting
-- transaction. The chain head is one row, locked FOR UPDATE by the trigger:
-- concurrent appends wait for each other and chain in commit order. The
-- trigger also numbers the entry from the head (last_id + 1), so IDs follow
-- the chain order, never the order in which the identity was drawn.
ALTER TABLE audit_log ADD COLUMN prev_hash text NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN hash text NOT NULL DEFAULT '';

CREATE TABLE audit_head (
	k       integer PRIMARY KEY CHECK (k = 1),
	last_id bigint NOT NULL,
	hash    text NOT NULL
);

CREATE FUNCTION audit_field(s text) RETURNS text IMMUTABLE LANGUAGE sql AS $$
	SELECT octet_length(s)::text || ':' || s || E'\n'
$$;

CREATE FUNCTION audit_hash(id bigint, t timestamptz, actor text, action text, target text, records bigint, detail text, prev text)
RETURNS text IMMUTABLE LANGUAGE sql AS $$
	SELECT encode(sha256(convert_to(
		audit_field(id::text) || audit_field(((extract(epoch FROM t) * 1000000)::bigint)::text) ||
		audit_field(actor) || audit_field(action) || audit_field(target) ||
		audit_field(records::text) || audit_field(detail) || audit_field(prev), 'UTF8')), 'hex')
$$;

-- Existing entries are chained here, in ID order, once.
ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change;
DO $$
DECLARE
	r record;
	prev text := '';
	last bigint := 0;
BEGIN
	FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
		UPDATE audit_log SET prev_hash = prev,
			hash = audit_hash(r.id, r.time, r.actor, r.action, r.target, r.records, r.detail, prev)
		WHERE id = r.id RETURNING hash INTO prev;
		last := r.id;
	END LOOP;
	INSERT INTO audit_head VALUES (1, last, prev);
END $$;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change;

CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	h audit_head%ROWTYPE;
BEGIN
	SELECT * INTO h FROM audit_head WHERE k = 1 FOR UPDATE;
	NEW.id := h.last_id + 1;
	NEW.prev_hash := h.hash;
	NEW.hash := audit_hash(NEW.id, NEW.time, NEW.actor, NEW.action, NEW.target, NEW.records, NEW.detail, h.hash);
	UPDATE audit_head SET last_id = NEW.id, hash = NEW.hash WHERE k = 1;
	RETURN NEW;
END $$;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_log_chain();

CREATE TRIGGER audit_head_no_delete BEFORE DELETE OR TRUNCATE ON audit_head
	FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Data-sharing agreements: the agreement as JSON (internal/agreements), the
-- partner beside it for lookups, and its usage counted per request.
CREATE TABLE agreements (
	id      text PRIMARY KEY,
	partner text NOT NULL,
	body    jsonb NOT NULL
);
CREATE INDEX agreements_partner ON agreements(partner, id);

CREATE TABLE agreement_usage (
	id          text PRIMARY KEY,
	requests    bigint NOT NULL DEFAULT 0,
	records     bigint NOT NULL DEFAULT 0,
	last_access timestamptz
);
