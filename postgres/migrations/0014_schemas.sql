-- The schema catalog (internal/schemas) as last refreshed from
-- schema.data.gouv.fr or a file: one row holding the schemas.json document
-- and the schema documents fetched with it. No row: the embedded snapshot.
CREATE TABLE schema_catalog (
	id           integer PRIMARY KEY CHECK (id = 1),
	body         text NOT NULL, -- JSON of schemas.Stored
	source       text NOT NULL,
	refreshed_at timestamptz NOT NULL
);
