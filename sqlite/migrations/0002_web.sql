-- Times that SQL compares or orders (expires_at, at) are fixed-width UTC text
-- (datetimeLayout), so that text order is time order.

CREATE TABLE sessions (
	token_hash  TEXT PRIMARY KEY, -- SHA-256 of the cookie's token
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	csrf        TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_expires ON sessions(expires_at);
CREATE INDEX sessions_user ON sessions(user_id);

-- No foreign key to datasets: the reports of a refused first import outlive
-- the discarded dataset.
CREATE TABLE import_reports (
	id          INTEGER PRIMARY KEY,
	dataset_id  TEXT NOT NULL,
	at          TEXT NOT NULL,
	actor       TEXT NOT NULL,
	source      TEXT NOT NULL,
	mode        TEXT NOT NULL,
	ok          INTEGER NOT NULL,
	version     INTEGER NOT NULL DEFAULT 0,
	records     INTEGER NOT NULL DEFAULT 0,
	error       TEXT NOT NULL DEFAULT '',
	detail      TEXT NOT NULL DEFAULT '' -- JSON of the importer's summary
);
CREATE INDEX import_reports_dataset ON import_reports(dataset_id, at, id);

CREATE TABLE dataset_usage (
	dataset_id  TEXT NOT NULL,
	day         TEXT NOT NULL, -- 'YYYY-MM-DD', UTC
	views       INTEGER NOT NULL DEFAULT 0,
	downloads   INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (dataset_id, day)
);
