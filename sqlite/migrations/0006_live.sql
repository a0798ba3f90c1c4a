-- Real-time datasets: push keys (SHA-256 of the key, never the key) and the
-- definitions of feeds that turn sensors' latest state into dataset rows.

CREATE TABLE push_keys (
	dataset_id  TEXT PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
	key_hash    TEXT NOT NULL,
	enabled     INTEGER NOT NULL,
	actor       TEXT NOT NULL,
	updated_at  TEXT NOT NULL
);

CREATE TABLE live_feeds (
	dataset_id  TEXT PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
	body        TEXT NOT NULL -- JSON of live.Feed
);
