-- 0001: the engine's state and the webhook inbox.
-- Times are INTEGER microseconds since the Unix epoch (UTC); NULL is the zero time.

CREATE TABLE wmsbridge_settings (
	shop TEXT PRIMARY KEY,
	data TEXT NOT NULL -- sync.Settings as JSON
) STRICT;

CREATE TABLE wmsbridge_steps (
	shop        TEXT NOT NULL,
	step        TEXT NOT NULL,
	status      TEXT NOT NULL,
	checkpoint  TEXT NOT NULL DEFAULT '',
	done        INTEGER NOT NULL DEFAULT 0,
	total       INTEGER NOT NULL DEFAULT 0,
	error       TEXT NOT NULL DEFAULT '',
	note        TEXT NOT NULL DEFAULT '',
	started_at  INTEGER,
	updated_at  INTEGER,
	finished_at INTEGER,
	PRIMARY KEY (shop, step)
) STRICT;

CREATE TABLE wmsbridge_versions (
	shop         TEXT NOT NULL,
	kind         TEXT NOT NULL,
	id           TEXT NOT NULL,
	updated_at   INTEGER,
	triggered_at INTEGER,
	rev          INTEGER NOT NULL,
	PRIMARY KEY (shop, kind, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE wmsbridge_watermarks (
	shop TEXT NOT NULL,
	name TEXT NOT NULL,
	at   INTEGER NOT NULL,
	PRIMARY KEY (shop, name)
) STRICT, WITHOUT ROWID;

-- state: 0 pending, 1 claimed, 2 completed, 3 failed.
-- due: pending: when it is due; claimed: when the lease ends.
CREATE TABLE wmsbridge_inbox (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	webhook_id   TEXT NOT NULL UNIQUE,
	topic        TEXT NOT NULL,
	shop_domain  TEXT NOT NULL,
	api_version  TEXT NOT NULL,
	event_id     TEXT NOT NULL,
	triggered_at INTEGER,
	name         TEXT NOT NULL,
	sub_topic    TEXT NOT NULL,
	received_at  INTEGER,
	body         BLOB NOT NULL,
	state        INTEGER NOT NULL DEFAULT 0,
	due          INTEGER NOT NULL,
	attempt      INTEGER NOT NULL DEFAULT 0,
	last_error   TEXT NOT NULL DEFAULT '',
	finished_at  INTEGER
) STRICT;

CREATE INDEX wmsbridge_inbox_due ON wmsbridge_inbox (due, seq) WHERE state < 2;
CREATE INDEX wmsbridge_inbox_finished ON wmsbridge_inbox (finished_at) WHERE state >= 2;

CREATE TABLE wmsbridge_leases (
	name       TEXT PRIMARY KEY,
	owner      TEXT NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
