-- 0006: Publish reads back the event stored under its ID (ListOutbox by ID,
-- any shop) to detect an ID reused with other content. The unique
-- (shop, id) index cannot serve a lookup by id alone, so every Publish
-- scanned the whole outbox.
CREATE INDEX wmsbridge_outbox_id ON wmsbridge_outbox (id);
