-- 0004: shops' API credentials (credential.Store). The access and refresh
-- tokens are in secrets: sealed with the store's credential.Sealer when it
-- has one (first byte 2), plain JSON otherwise (first byte 1).
CREATE TABLE wmsbridge_credentials (
	shop           TEXT PRIMARY KEY,
	secrets        BLOB NOT NULL,
	scope          TEXT NOT NULL DEFAULT '',
	expiry         INTEGER,
	refresh_expiry INTEGER,
	revision       INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL
) STRICT;
