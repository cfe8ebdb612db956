-- 0001: the engine's state and the webhook inbox. Applied with search_path
-- set to the store's schema.

CREATE TABLE wmsbridge_settings (
	shop text PRIMARY KEY,
	data jsonb NOT NULL -- sync.Settings
);

CREATE TABLE wmsbridge_steps (
	shop        text NOT NULL,
	step        text NOT NULL,
	status      text NOT NULL,
	checkpoint  text NOT NULL DEFAULT '',
	done        bigint NOT NULL DEFAULT 0,
	total       bigint NOT NULL DEFAULT 0,
	error       text NOT NULL DEFAULT '',
	note        text NOT NULL DEFAULT '',
	started_at  timestamptz,
	updated_at  timestamptz,
	finished_at timestamptz,
	PRIMARY KEY (shop, step)
);

CREATE TABLE wmsbridge_versions (
	shop         text NOT NULL,
	kind         text NOT NULL,
	id           text NOT NULL,
	updated_at   timestamptz,
	triggered_at timestamptz,
	rev          bigint NOT NULL,
	PRIMARY KEY (shop, kind, id)
);

CREATE TABLE wmsbridge_watermarks (
	shop text NOT NULL,
	name text NOT NULL,
	at   timestamptz NOT NULL,
	PRIMARY KEY (shop, name)
);

-- state: 0 pending, 1 claimed, 2 completed, 3 failed.
-- due: pending: when it is due; claimed: when the lease ends.
CREATE TABLE wmsbridge_inbox (
	seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	webhook_id   text NOT NULL UNIQUE,
	topic        text NOT NULL,
	shop_domain  text NOT NULL,
	api_version  text NOT NULL,
	event_id     text NOT NULL,
	triggered_at timestamptz,
	name         text NOT NULL,
	sub_topic    text NOT NULL,
	received_at  timestamptz,
	body         bytea NOT NULL,
	state        smallint NOT NULL DEFAULT 0,
	due          timestamptz NOT NULL,
	attempt      integer NOT NULL DEFAULT 0,
	last_error   text NOT NULL DEFAULT '',
	finished_at  timestamptz
);

CREATE INDEX wmsbridge_inbox_due ON wmsbridge_inbox (due, seq) WHERE state < 2;
CREATE INDEX wmsbridge_inbox_finished ON wmsbridge_inbox (finished_at) WHERE state >= 2;

CREATE TABLE wmsbridge_leases (
	name       text PRIMARY KEY,
	owner      text NOT NULL,
	expires_at timestamptz NOT NULL
);
