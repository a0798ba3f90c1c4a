-- NGSI-LD (issue: OASC MIM1): entities and subscriptions. An entity's
-- attributes are kept as one JSON document (normalized form, expanded
-- names); its location point is kept apart for the bounding-box prefilter
-- of geo-queries. Times are Unix milliseconds.

CREATE TABLE ngsi_entities (
	id           TEXT PRIMARY KEY,
	type         TEXT NOT NULL, -- expanded IRI
	attrs        TEXT NOT NULL, -- JSON object: expanded name → attribute
	lon          REAL,
	lat          REAL,
	created_at   INTEGER NOT NULL,
	modified_at  INTEGER NOT NULL,
	device_sig   TEXT NOT NULL DEFAULT '' -- ngsild.DeviceSignature of the last write
);
CREATE INDEX ngsi_entities_type ON ngsi_entities(type, id);
CREATE INDEX ngsi_entities_lat ON ngsi_entities(lat, lon) WHERE lat IS NOT NULL;

CREATE TABLE ngsi_subscriptions (
	id    TEXT PRIMARY KEY,
	body  TEXT NOT NULL -- JSON of ngsild.Subscription
);
