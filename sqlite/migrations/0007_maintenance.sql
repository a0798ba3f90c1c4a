-- Maintenance (issue 4): work orders and their history; webhook
-- subscriptions and the outbox of their deliveries (written before any
-- attempt, so that a restart loses nothing).

CREATE TABLE work_orders (
	id           INTEGER PRIMARY KEY,
	device       TEXT NOT NULL,
	alert_id     INTEGER REFERENCES alerts(id),
	title        TEXT NOT NULL,
	description  TEXT NOT NULL DEFAULT '',
	priority     TEXT NOT NULL,
	status       TEXT NOT NULL, -- open, assigned, in_progress, done, cancelled
	assignee     TEXT NOT NULL DEFAULT '',
	due          TEXT,          -- YYYY-MM-DD
	created_at   TEXT NOT NULL, -- datetimeLayout
	created_by   TEXT NOT NULL,
	updated_at   TEXT NOT NULL
);
CREATE INDEX work_orders_device ON work_orders(device, created_at, id);
CREATE INDEX work_orders_status ON work_orders(status, created_at, id);

CREATE TABLE work_order_events (
	work_order_id  INTEGER NOT NULL REFERENCES work_orders(id),
	seq            INTEGER NOT NULL,
	at             TEXT NOT NULL,
	actor          TEXT NOT NULL,
	action         TEXT NOT NULL,
	note           TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (work_order_id, seq)
) WITHOUT ROWID;

CREATE TABLE webhooks (
	id          INTEGER PRIMARY KEY,
	url         TEXT NOT NULL,
	secret      TEXT NOT NULL,
	events      TEXT NOT NULL, -- JSON array
	created_at  TEXT NOT NULL,
	created_by  TEXT NOT NULL,
	deleted     INTEGER NOT NULL DEFAULT 0 -- kept for the delivery log
);

CREATE TABLE webhook_deliveries (
	id            INTEGER PRIMARY KEY,
	webhook_id    INTEGER NOT NULL REFERENCES webhooks(id),
	event         TEXT NOT NULL,
	body          BLOB NOT NULL,
	status        TEXT NOT NULL, -- pending, delivered, failed
	attempts      INTEGER NOT NULL DEFAULT 0,
	next_at       TEXT NOT NULL,
	last_code     INTEGER NOT NULL DEFAULT 0,
	last_error    TEXT NOT NULL DEFAULT '',
	created_at    TEXT NOT NULL,
	delivered_at  TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_at, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries(webhook_id, id);
