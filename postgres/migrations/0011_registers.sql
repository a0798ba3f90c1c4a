-- The public registers (internal/registers): the RGPD record of processing
-- activities and the algorithm register, one JSON document per entry;
-- created_at is kept when an entry is replaced.
CREATE TABLE register_entries (
	kind       TEXT NOT NULL, -- 'processing' or 'algorithm'
	id         TEXT NOT NULL,
	body       TEXT NOT NULL,
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL,
	PRIMARY KEY (kind, id)
);
