-- 0006: webhook bodies (about 16 KB for an order) are compressed with lz4
-- instead of PostgreSQL's default pglz, which took most of the server's
-- time per stored webhook. Only new rows are compressed so. A server built
-- without lz4 (or older than PostgreSQL 14) keeps pglz: the statement runs
-- as dynamic SQL so that its error can be caught, and any error leaves the
-- column as it was.
DO $$
BEGIN
	EXECUTE 'ALTER TABLE wmsbridge_inbox ALTER COLUMN body SET COMPRESSION lz4';
EXCEPTION WHEN OTHERS THEN
	RAISE NOTICE 'wmsbridge: inbox bodies stay compressed with pglz: %', SQLERRM;
END
$$;
