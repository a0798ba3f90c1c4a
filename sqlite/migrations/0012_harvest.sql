-- Harvesting (internal/harvest): remote catalogs, the mapping of each
-- remote dataset (by its stable remote ID) to the local dataset derived
-- once for it, and the runs with their reports (JSON).
CREATE TABLE harvest_sources (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	name         TEXT NOT NULL,
	url          TEXT NOT NULL UNIQUE,
	kind         TEXT NOT NULL,
	organization TEXT NOT NULL DEFAULT '',
	prefix       TEXT NOT NULL DEFAULT '',
	every_s      INTEGER NOT NULL DEFAULT 0,
	grace_s      INTEGER NOT NULL,
	enabled      INTEGER NOT NULL DEFAULT 1,
	created_at   TEXT NOT NULL,
	last_run     TEXT
);

CREATE TABLE harvest_datasets (
	source_id     INTEGER NOT NULL REFERENCES harvest_sources (id),
	remote_id     TEXT NOT NULL,
	local_id      TEXT NOT NULL UNIQUE,
	slug          TEXT NOT NULL DEFAULT '',
	modified      TEXT,
	meta_hash     TEXT NOT NULL DEFAULT '',
	data_hash     TEXT NOT NULL DEFAULT '',
	state         TEXT NOT NULL,
	missing_since TEXT,
	prev_access   TEXT NOT NULL DEFAULT '',
	seen          TEXT NOT NULL,
	PRIMARY KEY (source_id, remote_id)
);

CREATE TABLE harvest_runs (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	source_id INTEGER NOT NULL REFERENCES harvest_sources (id),
	started   TEXT NOT NULL,
	finished  TEXT,
	status    TEXT NOT NULL,
	report    TEXT NOT NULL
);
CREATE INDEX harvest_runs_source ON harvest_runs (source_id, id);
