-- NGSI-LD (issue: OASC MIM1): entities and subscriptions. An entity's
-- attributes are kept as one JSON document (normalized form, expanded
-- names), as text: Socle filters them in Go, and text costs nothing to
-- parse on write; the location point is kept apart for the bounding-box
-- prefilter of geo-queries. IDs are COLLATE "C": pages come in byte order,
-- as in SQLite.

CREATE TABLE ngsi_entities (
	id           text COLLATE "C" PRIMARY KEY,
	type         text COLLATE "C" NOT NULL, -- expanded IRI
	attrs        text NOT NULL, -- JSON object: expanded name → attribute
	lon          double precision,
	lat          double precision,
	created_at   timestamptz NOT NULL,
	modified_at  timestamptz NOT NULL,
	device_sig   text NOT NULL DEFAULT '' -- ngsild.DeviceSignature of the last write
);
CREATE INDEX ngsi_entities_type ON ngsi_entities(type, id);
CREATE INDEX ngsi_entities_lat ON ngsi_entities(lat, lon) WHERE lat IS NOT NULL;

CREATE TABLE ngsi_subscriptions (
	id    text COLLATE "C" PRIMARY KEY,
	body  jsonb NOT NULL -- ngsild.Subscription
);
