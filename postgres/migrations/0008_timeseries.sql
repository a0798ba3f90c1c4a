-- Time series roll-ups: the hourly and daily aggregates (count, min, max,
-- sum; the average is total / n) of each series' trusted observations,
-- keyed like the observations. AppendBatch upserts them in the batch's
-- transaction; retention drops raw partitions (or deletes raw rows) and
-- keeps these. t is the bucket's start, aligned on the epoch (UTC hours and
-- days). Not partitioned: a year of hourly roll-ups is a sixth of a year
-- of 10-minute data, and they are never dropped.
CREATE TABLE obs_hourly (
	device    text COLLATE "C" NOT NULL,
	property  text COLLATE "C" NOT NULL,
	t         timestamptz NOT NULL,
	n         bigint NOT NULL,
	lo        double precision NOT NULL,
	hi        double precision NOT NULL,
	total     double precision NOT NULL,
	PRIMARY KEY (device, property, t)
);

CREATE TABLE obs_daily (
	device    text COLLATE "C" NOT NULL,
	property  text COLLATE "C" NOT NULL,
	t         timestamptz NOT NULL,
	n         bigint NOT NULL,
	lo        double precision NOT NULL,
	hi        double precision NOT NULL,
	total     double precision NOT NULL,
	PRIMARY KEY (device, property, t)
);

-- The observations stored before this migration.
INSERT INTO obs_hourly (device, property, t, n, lo, hi, total)
SELECT device, property, date_bin(interval '1 hour', t, timestamptz '1970-01-01 00:00:00+00') AS h,
	count(*), min(value), max(value), sum(value)
FROM observations WHERE flag = '' GROUP BY device, property, h;

INSERT INTO obs_daily (device, property, t, n, lo, hi, total)
SELECT device, property, date_bin(interval '1 day', t, timestamptz '1970-01-01 00:00:00+00') AS d,
	sum(n), min(lo), max(hi), sum(total)
FROM obs_hourly GROUP BY device, property, d;

-- The generation of the latest state: the batch statement (appendSQL)
-- increments one of these counters (the writer's backend PID modulo 16,
-- so that concurrent writers seldom wait on the same row) in every
-- transaction that changes the latest state, so that a node's copy of the
-- latest state in memory (sensors.LatestCache) knows whether it is still
-- exact: the vector of the 16 counters changes with every such commit.
CREATE TABLE latest_gen (
	shard  integer PRIMARY KEY,
	n      bigint NOT NULL
);
INSERT INTO latest_gen (shard, n) SELECT s, 0 FROM generate_series(0, 15) AS s;
