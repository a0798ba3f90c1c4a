CREATE TABLE organizations (
	id          TEXT PRIMARY KEY,
	name        TEXT NOT NULL,
	kind        TEXT NOT NULL,
	body        TEXT NOT NULL, -- JSON of catalog.Organization
	created_at  TEXT NOT NULL
);

CREATE TABLE datasets (
	id          TEXT PRIMARY KEY,
	uid         TEXT NOT NULL UNIQUE,
	access      TEXT NOT NULL,
	meta        TEXT NOT NULL, -- JSON of catalog.Metadata
	fields      TEXT NOT NULL, -- JSON of []catalog.Field of the current version
	version     INTEGER NOT NULL DEFAULT 0,
	records     INTEGER NOT NULL DEFAULT 0,
	issued      TEXT NOT NULL,
	modified    TEXT NOT NULL
);

CREATE TABLE dataset_versions (
	dataset_id  TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
	version     INTEGER NOT NULL,
	table_name  TEXT NOT NULL,
	fields      TEXT NOT NULL,
	records     INTEGER NOT NULL,
	mode        TEXT NOT NULL,
	actor       TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	PRIMARY KEY (dataset_id, version)
);

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	login         TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL DEFAULT '',
	role          TEXT NOT NULL,
	org           TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL DEFAULT '',
	disabled      INTEGER NOT NULL DEFAULT 0,
	created_at    TEXT NOT NULL
);

CREATE TABLE api_keys (
	id          INTEGER PRIMARY KEY,
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	prefix      TEXT NOT NULL,
	hash        TEXT NOT NULL UNIQUE,
	label       TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL,
	revoked_at  TEXT,
	last_used   TEXT
);

CREATE TABLE audit_log (
	id       INTEGER PRIMARY KEY,
	time     TEXT NOT NULL,
	actor    TEXT NOT NULL,
	action   TEXT NOT NULL,
	target   TEXT NOT NULL,
	records  INTEGER NOT NULL DEFAULT 0,
	detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_target ON audit_log(target, id);

-- The audit log is append-only: the database itself refuses changes.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
