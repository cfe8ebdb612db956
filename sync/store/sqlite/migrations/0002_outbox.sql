-- 0002: the outbox (sync.OutboxStore): published WMS events and the
-- engine's messages to shops and listeners.
-- Times are INTEGER microseconds since the Unix epoch; NULL is the zero time.
CREATE TABLE wmsbridge_outbox (
	pos          INTEGER PRIMARY KEY AUTOINCREMENT,
	shop         TEXT NOT NULL,
	id           TEXT NOT NULL,
	kind         TEXT NOT NULL,
	entity       TEXT NOT NULL DEFAULT '',
	seq          INTEGER NOT NULL DEFAULT 0,
	time         INTEGER,
	data         BLOB NOT NULL,
	key          TEXT NOT NULL DEFAULT '',
	plan         BLOB,
	state        TEXT NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	next_attempt INTEGER,
	last_error   TEXT NOT NULL DEFAULT '',
	lease_until  INTEGER,
	created_at   INTEGER,
	UNIQUE (shop, id)
) STRICT;

-- Claim walks a shop's pending messages in pos order; the blocking rule
-- looks up earlier messages of the same entity.
CREATE INDEX wmsbridge_outbox_claim ON wmsbridge_outbox (shop, state, pos);
CREATE INDEX wmsbridge_outbox_entity ON wmsbridge_outbox (shop, entity, pos);
