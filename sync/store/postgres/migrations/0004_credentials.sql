-- 0004: shops' API credentials (credential.Store). The access and refresh
-- tokens are in secrets: sealed with the store's credential.Sealer when it
-- has one (first byte 2), plain JSON otherwise (first byte 1).
CREATE TABLE wmsbridge_credentials (
	shop           text PRIMARY KEY,
	secrets        bytea NOT NULL,
	scope          text NOT NULL DEFAULT '',
	expiry         timestamptz,
	refresh_expiry timestamptz,
	revision       bigint NOT NULL,
	updated_at     timestamptz NOT NULL
);
