-- 0007: claims are fair per shop (round-robin over the shops with due
-- events). This index finds the shops with pending events with one seek
-- each and reads a shop's oldest due events in order, so a claim costs
-- what it takes, not the whole backlog.
CREATE INDEX wmsbridge_inbox_fair ON wmsbridge_inbox (shop, due, seq) WHERE state < 2;
