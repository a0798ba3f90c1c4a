-- Time series roll-ups: the hourly and daily aggregates (count, min, max,
-- sum; the average is sum / n) of each series' trusted observations, keyed
-- like the observations so that one series' range is one index range.
-- AppendBatch upserts them in the batch's transaction; retention deletes
-- raw observations and keeps these. t is the bucket's start, Unix
-- milliseconds, aligned on the epoch (UTC hours and days).
CREATE TABLE obs_hourly (
	device    TEXT NOT NULL,
	property  TEXT NOT NULL,
	t         INTEGER NOT NULL,
	n         INTEGER NOT NULL,
	lo        REAL NOT NULL,
	hi        REAL NOT NULL,
	total     REAL NOT NULL,
	PRIMARY KEY (device, property, t)
) WITHOUT ROWID;

CREATE TABLE obs_daily (
	device    TEXT NOT NULL,
	property  TEXT NOT NULL,
	t         INTEGER NOT NULL,
	n         INTEGER NOT NULL,
	lo        REAL NOT NULL,
	hi        REAL NOT NULL,
	total     REAL NOT NULL,
	PRIMARY KEY (device, property, t)
) WITHOUT ROWID;

-- The observations stored before this migration (floor division: times
-- before 1970 too).
INSERT INTO obs_hourly (device, property, t, n, lo, hi, total)
SELECT device, property, (CASE WHEN t >= 0 THEN t / 3600000 ELSE (t + 1) / 3600000 - 1 END) * 3600000 AS h,
	count(*), min(value), max(value), sum(value)
FROM observations WHERE flag = '' GROUP BY device, property, h;

INSERT INTO obs_daily (device, property, t, n, lo, hi, total)
SELECT device, property, (CASE WHEN t >= 0 THEN t / 86400000 ELSE (t + 1) / 86400000 - 1 END) * 86400000 AS d,
	sum(n), min(lo), max(hi), sum(total)
FROM obs_hourly GROUP BY device, property, d;

-- The generation of the latest state: AppendBatch increments it in the
-- transaction of every batch that changes the latest state, so that a
-- process's copy of the latest state in memory (sensors.LatestCache) knows
-- whether it is still exact. One counter: SQLite has one writer anyway.
CREATE TABLE latest_gen (
	shard  INTEGER PRIMARY KEY,
	n      INTEGER NOT NULL
);
INSERT INTO latest_gen (shard, n) VALUES (0, 0);
