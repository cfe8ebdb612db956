-- 0002: the outbox (sync.OutboxStore): published WMS events and the
-- engine's messages to shops and listeners.
CREATE TABLE wmsbridge_outbox (
	pos          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	shop         text NOT NULL,
	id           text NOT NULL,
	kind         text NOT NULL,
	entity       text NOT NULL DEFAULT '',
	seq          bigint NOT NULL DEFAULT 0,
	time         timestamptz,
	data         bytea NOT NULL,
	key          text NOT NULL DEFAULT '',
	plan         bytea,
	state        text NOT NULL,
	attempts     integer NOT NULL DEFAULT 0,
	next_attempt timestamptz,
	last_error   text NOT NULL DEFAULT '',
	lease_until  timestamptz,
	created_at   timestamptz,
	UNIQUE (shop, id)
);

-- Claim walks a shop's pending messages in pos order; the blocking rule
-- looks up earlier messages of the same entity.
CREATE INDEX wmsbridge_outbox_claim ON wmsbridge_outbox (shop, state, pos);
CREATE INDEX wmsbridge_outbox_entity ON wmsbridge_outbox (shop, entity, pos);
