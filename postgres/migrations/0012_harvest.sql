-- Harvesting (internal/harvest): remote catalogs, the mapping of each
-- remote dataset (by its stable remote ID) to the local dataset derived
-- once for it, and the runs with their reports (JSON).
CREATE TABLE harvest_sources (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name         TEXT NOT NULL,
	url          TEXT NOT NULL UNIQUE,
	kind         TEXT NOT NULL,
	organization TEXT NOT NULL DEFAULT '',
	prefix       TEXT NOT NULL DEFAULT '',
	every_s      bigint NOT NULL DEFAULT 0,
	grace_s      bigint NOT NULL,
	enabled      boolean NOT NULL DEFAULT true,
	created_at   timestamptz NOT NULL,
	last_run     timestamptz
);

CREATE TABLE harvest_datasets (
	source_id     bigint NOT NULL REFERENCES harvest_sources (id),
	remote_id     TEXT NOT NULL,
	local_id      TEXT NOT NULL UNIQUE,
	slug          TEXT NOT NULL DEFAULT '',
	modified      timestamptz,
	meta_hash     TEXT NOT NULL DEFAULT '',
	data_hash     TEXT NOT NULL DEFAULT '',
	state         TEXT NOT NULL,
	missing_since timestamptz,
	prev_access   TEXT NOT NULL DEFAULT '',
	seen          timestamptz NOT NULL,
	PRIMARY KEY (source_id, remote_id)
);

CREATE TABLE harvest_runs (
	id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	source_id bigint NOT NULL REFERENCES harvest_sources (id),
	started   timestamptz NOT NULL,
	finished  timestamptz,
	status    TEXT NOT NULL,
	report    TEXT NOT NULL
);
CREATE INDEX harvest_runs_source ON harvest_runs (source_id, id);
