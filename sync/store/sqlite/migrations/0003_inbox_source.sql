-- 0003: the inbox serves any shop system. Each event names its source (the
-- shop system, such as 'shopify'), its shop as the source identifies it (a
-- domain, a site URL, an id: the former shop_domain), and the source's own
-- attributes as a JSON object (meta, '' when none), which replace the
-- Shopify-only columns name and sub_topic.

ALTER TABLE wmsbridge_inbox RENAME COLUMN shop_domain TO shop;
ALTER TABLE wmsbridge_inbox ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE wmsbridge_inbox ADD COLUMN meta TEXT NOT NULL DEFAULT '';

-- Every event stored before this migration was Shopify's.
UPDATE wmsbridge_inbox SET source = 'shopify',
	meta = CASE
		WHEN name = '' AND sub_topic = '' THEN ''
		WHEN sub_topic = '' THEN json_object('name', name)
		WHEN name = '' THEN json_object('sub_topic', sub_topic)
		ELSE json_object('name', name, 'sub_topic', sub_topic)
	END;

ALTER TABLE wmsbridge_inbox DROP COLUMN name;
ALTER TABLE wmsbridge_inbox DROP COLUMN sub_topic;
