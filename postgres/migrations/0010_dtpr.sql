-- Sensor transparency (issue 5, DTPR): each device's datachain, and the
-- citizens' opinions on sensors with their moderation. Opinions keep a
-- salted hash of the client's IP address for rate limits, never the
-- address itself.

CREATE TABLE dtpr_chains (
	device      text PRIMARY KEY,
	chain       jsonb NOT NULL,
	updated_at  timestamptz NOT NULL,
	updated_by  text NOT NULL
);

CREATE TABLE dtpr_opinions (
	id            bigserial PRIMARY KEY,
	device        text NOT NULL,
	understand    text NOT NULL,
	useful        integer NOT NULL,
	comfort       integer NOT NULL,
	comment       text NOT NULL DEFAULT '',
	status        text NOT NULL,
	reply         text NOT NULL DEFAULT '',
	client_hash   text NOT NULL,
	created_at    timestamptz NOT NULL,
	moderated_by  text NOT NULL DEFAULT '',
	moderated_at  timestamptz
);
CREATE INDEX dtpr_opinions_device ON dtpr_opinions(device, created_at);
CREATE INDEX dtpr_opinions_status ON dtpr_opinions(status, created_at);
CREATE INDEX dtpr_opinions_client ON dtpr_opinions(client_hash, created_at);

-- A deployment groups devices at one place under one datachain.
CREATE TABLE dtpr_deployments (
	id          text PRIMARY KEY,
	body        jsonb NOT NULL,
	updated_at  timestamptz NOT NULL,
	updated_by  text NOT NULL
);
