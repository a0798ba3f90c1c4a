-- Alerts (issue 4): the rules stewards write, the alerts they open and each
-- alert's history. At most one active (not resolved) alert per rule and
-- device: a partial unique index says so, and OpenAlert relies on it.

CREATE TABLE alert_rules (
	id          TEXT PRIMARY KEY,
	body        TEXT NOT NULL, -- JSON of alerts.Rule
	updated_at  TEXT NOT NULL  -- datetimeLayout
);

CREATE TABLE alerts (
	id           INTEGER PRIMARY KEY,
	rule_id      TEXT NOT NULL REFERENCES alert_rules(id),
	device       TEXT NOT NULL,
	status       TEXT NOT NULL, -- open, acknowledged, resolved
	severity     TEXT NOT NULL,
	opened_at    TEXT NOT NULL, -- datetimeLayout
	acked_at     TEXT,
	resolved_at  TEXT,
	assignee     TEXT NOT NULL DEFAULT '',
	value        REAL NOT NULL,
	message      TEXT NOT NULL
);
CREATE UNIQUE INDEX alerts_one_active ON alerts(rule_id, device) WHERE status <> 'resolved';
CREATE INDEX alerts_status ON alerts(status, opened_at, id);
CREATE INDEX alerts_device ON alerts(device, opened_at, id);

-- The history of each alert, in the order it happened.
CREATE TABLE alert_events (
	alert_id  INTEGER NOT NULL REFERENCES alerts(id),
	seq       INTEGER NOT NULL,
	at        TEXT NOT NULL, -- datetimeLayout
	actor     TEXT NOT NULL,
	action    TEXT NOT NULL,
	note      TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (alert_id, seq)
) WITHOUT ROWID;
