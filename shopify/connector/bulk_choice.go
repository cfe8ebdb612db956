package connector

import (
	"context"
	"time"
)

// Paged or bulk: the estimate behind Products and CustomsAndCosts.
//
// Paging costs query points, which the shop's plan restores at a fixed
// rate (Basic: 100 points a second, from a bucket of 2,000): a listing that
// needs more points than the bucket holds waits for the rest. A bulk
// export costs a handful of points whatever the size, but Shopify needs a
// while to queue, run and finish it. The connector estimates both times
// from the counts, the documents' costs and the bucket the client's
// Limiter reports, and takes the faster.

// Defaults of Config's bulk estimate.
const (
	// DefaultBulkStartup is the time a bulk export is assumed to take
	// before its result can be read, beyond writing its rows (Shopify's
	// queueing, the first status poll, the download's start).
	DefaultBulkStartup = 15 * time.Second
	// DefaultBulkRowsPerSecond is the rate at which Shopify is assumed to
	// write a bulk export's rows.
	DefaultBulkRowsPerSecond = 2000
)

// Actual query cost of paging, per object, by Shopify's rules (1 point
// per object, connections 2 more): what the documents read.
const (
	// a product of connectorProducts: the product, its variantsCount
	// object and its variants connection (4), and per variant the variant,
	// its inventory item, measurement and weight (4).
	pagedPerProduct = 4
	pagedPerVariant = 4
	// the stock of one variant (connectorStock): the inventory item and
	// its inventoryLevels connection (3), and per level the level, its
	// location and quantities (3).
	pagedStockPerItem  = 3
	pagedStockPerLevel = 3
	// one inventory item of connectorInventoryItems with its unit cost and
	// country codes.
	pagedPerItem = 5
)

// pagingTime estimates how long paging through a listing that costs points
// takes: the points beyond what the bucket holds now, at its restore rate.
// Before the Limiter has seen a cost report it assumes the Basic plan's
// full bucket (2,000 points at 100 a second).
func (c *Connector) pagingTime(points float64) time.Duration {
	avail, rate := 2000.0, 100.0
	if ts, ok := c.client.Limiter().Status(); ok {
		avail, rate = ts.CurrentlyAvailable, ts.RestoreRate
	}
	return time.Duration(max(0, points-avail) / max(rate, 1) * float64(time.Second))
}

// bulkTime estimates how long a bulk export of rows rows takes.
func (c *Connector) bulkTime(rows float64) time.Duration {
	return c.cfg.BulkStartup + time.Duration(rows/float64(c.cfg.BulkRowsPerSecond)*float64(time.Second))
}

// useBulk decides whether a full listing of products products (whose
// paging would cost points and whose export would have rows rows) reads a
// bulk export: by Config.BulkThreshold when it is set, else by the
// estimated times.
func (c *Connector) useBulk(products int64, points, rows float64) bool {
	switch t := c.cfg.BulkThreshold; {
	case t < 0:
		return false
	case t > 0:
		return products >= int64(t)
	}
	return c.bulkTime(rows) < c.pagingTime(points)
}

// locationCount returns the shop's active locations (read once), at least
// 1; 1 if the count cannot be read (the estimate then errs towards paging,
// which is always correct).
func (c *Connector) locationCount(ctx context.Context) int64 {
	c.locMu.Lock()
	defer c.locMu.Unlock()
	if c.locCount > 0 {
		return c.locCount
	}
	n, err := c.count(ctx, opLocationsCount, "connectorLocationsCount", "locationsCount", "")
	if err != nil {
		return 1
	}
	c.locCount = max(1, n)
	return c.locCount
}
