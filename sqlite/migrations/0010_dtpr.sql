-- Sensor transparency (issue 5, DTPR): each device's datachain, and the
-- citizens' opinions on sensors with their moderation. Opinions keep a
-- salted hash of the client's IP address for rate limits, never the
-- address itself.

CREATE TABLE dtpr_chains (
	device      TEXT PRIMARY KEY,
	chain       TEXT NOT NULL, -- JSON, dtpr.Chain
	updated_at  TEXT NOT NULL,
	updated_by  TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE dtpr_opinions (
	id            INTEGER PRIMARY KEY,
	device        TEXT NOT NULL,
	understand    TEXT NOT NULL, -- oui, partiel, non
	useful        INTEGER NOT NULL,
	comfort       INTEGER NOT NULL,
	comment       TEXT NOT NULL DEFAULT '',
	status        TEXT NOT NULL, -- pending, published, rejected
	reply         TEXT NOT NULL DEFAULT '',
	client_hash   TEXT NOT NULL,
	created_at    TEXT NOT NULL, -- datetimeLayout
	moderated_by  TEXT NOT NULL DEFAULT '',
	moderated_at  TEXT
);
CREATE INDEX dtpr_opinions_device ON dtpr_opinions(device, created_at);
CREATE INDEX dtpr_opinions_status ON dtpr_opinions(status, created_at);
CREATE INDEX dtpr_opinions_client ON dtpr_opinions(client_hash, created_at);

-- A deployment groups devices at one place under one datachain.
CREATE TABLE dtpr_deployments (
	id          TEXT PRIMARY KEY,
	body        TEXT NOT NULL, -- JSON, dtpr.Deployment
	updated_at  TEXT NOT NULL,
	updated_by  TEXT NOT NULL
) WITHOUT ROWID;
