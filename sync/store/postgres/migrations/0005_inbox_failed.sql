-- 0005: failed inbox events (dead letters) by shop, for counting and
-- listing them without reading the completed events. Partial: only events
-- that failed are in it, so the webhook hot path never writes to it.
CREATE INDEX wmsbridge_inbox_failed ON wmsbridge_inbox (shop, seq) WHERE state = 3;
