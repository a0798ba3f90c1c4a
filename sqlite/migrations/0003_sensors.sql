-- Sensors (issue 4): the device registry, observations, their latest state,
-- batch deduplication keys and the quarantine. Observation times are integers
-- (Unix milliseconds): compact, ordered, and bucketed by integer division.

CREATE TABLE devices (
	id          TEXT PRIMARY KEY,
	eui         TEXT UNIQUE, -- LoRaWAN DevEUI; NULL when the device has none
	domain      TEXT NOT NULL,
	body        TEXT NOT NULL, -- JSON of sensors.Device
	created_at  TEXT NOT NULL  -- datetimeLayout
);
CREATE INDEX devices_domain ON devices(domain, id);

-- One row per device, property and time, clustered in that order (WITHOUT
-- ROWID: the primary key is the table), so that a device's series is one
-- contiguous range and a resend is a primary-key conflict.
CREATE TABLE observations (
	device    TEXT NOT NULL,
	property  TEXT NOT NULL,
	t         INTEGER NOT NULL, -- Unix milliseconds
	value     REAL NOT NULL,
	flag      TEXT NOT NULL DEFAULT '', -- sensors.Flag; '' is trusted
	PRIMARY KEY (device, property, t)
) WITHOUT ROWID;

-- The newest trusted value of each device's property, kept by AppendBatch in
-- the same transaction as the observations.
CREATE TABLE latest (
	device    TEXT NOT NULL,
	property  TEXT NOT NULL,
	t         INTEGER NOT NULL, -- Unix milliseconds
	value     REAL NOT NULL,
	PRIMARY KEY (device, property)
) WITHOUT ROWID;

-- Keys of the batches already stored (sensors.Batch.Key).
CREATE TABLE uplink_keys (
	key       TEXT PRIMARY KEY,
	received  INTEGER NOT NULL -- Unix milliseconds
) WITHOUT ROWID;

-- The payload is a BLOB: data that could not be attributed may not even be
-- valid UTF-8, and is kept byte for byte.
CREATE TABLE quarantine (
	id          INTEGER PRIMARY KEY,
	source      TEXT NOT NULL,
	device_ref  TEXT NOT NULL,
	reason      TEXT NOT NULL,
	payload     BLOB NOT NULL,
	received    TEXT NOT NULL -- datetimeLayout
);
CREATE INDEX quarantine_received ON quarantine(received, id);
