-- Real-time datasets: push keys (SHA-256 of the key, never the key) and the
-- definitions of feeds that turn sensors' latest state into dataset rows.

CREATE TABLE push_keys (
	dataset_id  text PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
	key_hash    text NOT NULL,
	enabled     boolean NOT NULL,
	actor       text NOT NULL,
	updated_at  timestamptz NOT NULL
);

CREATE TABLE live_feeds (
	dataset_id  text PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
	body        jsonb NOT NULL -- live.Feed
);
