package connector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	gosync "sync"

	"github.com/wmsbridge/wmsbridge/shopify"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// exportState is an open bulk export: the grouped reader positioned after
// offset root objects, the stock of every inventory item (products with
// stock), and the last page handed out (the engine asks for a page again
// when applying it failed).
type exportState struct {
	mu     gosync.Mutex
	next   func() (shopify.BulkGroup, error, bool)
	stop   func()
	body   io.Closer
	offset int
	stock  *stockIndex // products with stock

	opened     bool // the export was opened in this process
	lastOffset int
	lastPage   any // a wmssync.Page[T]
}

// exports are a connector's bulk exports by operation key.
type exports struct {
	mu gosync.Mutex
	m  map[string]*exportState
}

// get returns the state of key, creating it.
func (x *exports) get(key string) *exportState {
	x.mu.Lock()
	defer x.mu.Unlock()
	st := x.m[key]
	if st == nil {
		st = &exportState{}
		x.m[key] = st
	}
	return st
}

// forgetFinished drops the finished exports other than keep (whose last
// page is kept for a repeat). Callers may hold keep's lock.
func (x *exports) forgetFinished(keep string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for k, e := range x.m {
		if k == keep || !e.mu.TryLock() {
			continue
		}
		if !e.opened && e.lastPage != nil { // finished (or failed) listings
			delete(x.m, k)
		}
		e.mu.Unlock()
	}
}

// closeAll releases every export.
func (x *exports) closeAll() {
	x.mu.Lock()
	all := x.m
	x.m = map[string]*exportState{}
	x.mu.Unlock()
	for _, e := range all {
		e.close()
	}
}

func (e *exportState) close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.release()
}

// release closes the reader; callers hold e.mu.
func (e *exportState) release() {
	if e.stop != nil {
		e.stop()
	}
	if e.body != nil {
		e.body.Close()
	}
	e.stock.close()
	e.next, e.stop, e.body, e.stock = nil, nil, nil, nil
	e.opened, e.offset = false, 0
}

// bulkCursor is "bulk:<op>|<stock op or ->|<offset>|<total>|<g or ->", the
// last part telling whether the exports were run with GroupObjects
// (cursors of earlier versions have four parts: not grouped).
func bulkCursor(op, stockOp string, offset int, total int64, grouped bool) string {
	g := "-"
	if grouped {
		g = "g"
	}
	return bulkPrefix + op + "|" + stockOp + "|" + strconv.Itoa(offset) + "|" + strconv.FormatInt(total, 10) + "|" + g
}

// startBulk starts the bulk query doc (with its search) and, when
// withStock, the stock export (connectorBulkStock), and returns the first
// cursor.
//
// Both run with GroupObjects (each object's children written right after
// it), so that they are read in memory that does not grow with the shop:
// GroupBulkRows with GroupOptions.Grouped for the export, a stockIndex for
// the stock (both check the order and fall back to indexing in memory when
// it does not hold). Once a grouped export of this connector failed, later
// ones run without it (GroupBulkRows then keeps about 16 bytes per row).
func (c *Connector) startBulk(ctx context.Context, what, doc, search string, withStock bool, total int64) (string, error) {
	bulk := c.client.BulkOperations()
	vars := map[string]any{}
	if search != "" {
		vars["query"] = search
	}
	query, err := shopify.InlineBulkQuery(doc, vars)
	if err != nil {
		return "", err
	}
	grouped := !c.ungrouped.Load()
	opts := &shopify.BulkQueryOptions{GroupObjects: grouped}
	op, err := bulk.RunQuery(ctx, query, opts)
	if err != nil {
		return "", fmt.Errorf("shopify/connector: start %s export: %w", what, classify(ctx, err))
	}
	stockOp := "-"
	if withStock {
		sq, err := shopify.InlineBulkQuery(opBulkStock, nil)
		if err != nil {
			return "", err
		}
		sop, err := bulk.RunQuery(ctx, sq, opts)
		if err != nil {
			return "", fmt.Errorf("shopify/connector: start stock export: %w", classify(ctx, err))
		}
		stockOp = sop.ID
	}
	c.log.InfoContext(ctx, "shopify connector: bulk export started", "shop", c.client.Shop(), "what", what,
		"operation", op.ID, "stock_operation", stockOp, "total", total, "grouped", grouped)
	return bulkCursor(op.ID, stockOp, 0, total, grouped), nil
}

// bulkPage hands out the page of the export named by cursor, decoding each
// root object with decode, which may leave one out (keep false); size is
// the page size. The cursor's offset counts root objects read.
func bulkPage[T any](ctx context.Context, c *Connector, cursor string, size int,
	decode func(g shopify.BulkGroup, stock stockLookup) (item T, keep bool, err error)) (wmssync.Page[T], error) {
	var page wmssync.Page[T]
	parts, err := splitCursor(cursor, bulkPrefix, 5)
	if err != nil {
		if parts, err = splitCursor(cursor, bulkPrefix, 4); err != nil {
			return page, err
		}
		parts = append(parts, "-")
	}
	grouped := parts[4] == "g"
	offset, err := parseOffset(parts[2], cursor)
	if err != nil {
		return page, err
	}
	total, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil {
		return page, fmt.Errorf("%w: malformed cursor %q", wmssync.ErrCursorExpired, cursor)
	}
	key := parts[0] + "|" + parts[1]

	// One listing call at a time per export: the reader has one position.
	st := c.exports.get(key)
	st.mu.Lock()
	defer st.mu.Unlock()
	if p, ok := st.lastPage.(wmssync.Page[T]); ok && st.lastOffset == offset {
		return p, nil // the same page again
	}
	if !st.opened || st.offset > offset {
		// Not open in this process (a resumed listing), or asked for an
		// earlier page: open the export from its start.
		st.release()
		if err := c.openExport(ctx, st, parts[0], parts[1], grouped); err != nil {
			return page, err
		}
	}
	// A failure part-way leaves the reader at an unknown position: close it,
	// so that a retry reopens the export.
	done := false
	defer func() {
		if !done {
			st.release()
		}
	}()
	for st.offset < offset && st.next != nil { // resuming: skip what was applied
		_, err, ok := st.next()
		if !ok {
			break
		}
		if err != nil {
			return page, fmt.Errorf("shopify/connector: read bulk export: %w", err)
		}
		st.offset++
	}
	page.Total = total
	consumed, exhausted := 0, false
	for len(page.Items) < size {
		if st.next == nil {
			exhausted = true
			break
		}
		g, err, ok := st.next()
		if !ok {
			exhausted = true
			break
		}
		if err != nil {
			return wmssync.Page[T]{}, fmt.Errorf("shopify/connector: read bulk export: %w", err)
		}
		consumed++
		var stock stockLookup
		if st.stock != nil { // not a nil *stockIndex in the interface
			stock = st.stock
		}
		item, keep, err := decode(g, stock)
		if err != nil {
			return wmssync.Page[T]{}, err
		}
		if keep {
			page.Items = append(page.Items, item)
		}
	}
	st.lastOffset = offset
	st.offset = offset + consumed
	if !exhausted {
		page.Next = bulkCursor(parts[0], parts[1], st.offset, total, grouped)
	}
	st.lastPage = page
	done = page.Next != "" // at the end, release the reader; the last page stays for a repeat
	if !done {
		c.exports.forgetFinished(key)
	}
	return page, nil
}

// openExport waits for the export operations to finish and opens them
// into st (released); callers hold st.mu. grouped tells whether they were
// run with GroupObjects.
func (c *Connector) openExport(ctx context.Context, st *exportState, opID, stockOp string, grouped bool) error {
	bulk := c.client.BulkOperations()
	op, err := c.waitBulk(ctx, opID, grouped)
	if err != nil {
		return err
	}
	if stockOp != "-" && stockOp != "" {
		sop, err := c.waitBulk(ctx, stockOp, grouped)
		if err != nil {
			return err
		}
		r := io.ReadCloser(io.NopCloser(strings.NewReader("")))
		if sop.URL != "" {
			if r, err = bulk.Open(ctx, sop); err != nil {
				return c.bulkOpenErr(ctx, err)
			}
		}
		st.stock, err = readStockExport(r, "")
		r.Close()
		if err != nil {
			return err
		}
	}
	if op.URL != "" {
		body, err := bulk.Open(ctx, op)
		if err != nil {
			st.release()
			return c.bulkOpenErr(ctx, err)
		}
		st.body = body
		st.next, st.stop = iter.Pull2(shopify.GroupBulkRows(body, &shopify.GroupOptions{Grouped: grouped}))
	}
	st.opened, st.offset = true, 0
	return nil
}

// waitBulk waits for a bulk operation; one Shopify no longer knows or that
// did not complete makes the cursor expired.
func (c *Connector) waitBulk(ctx context.Context, id string, grouped bool) (*shopify.BulkOperation, error) {
	op, err := c.client.BulkOperations().Wait(ctx, id, c.cfg.BulkWait)
	if err != nil {
		if grouped && errors.Is(err, shopify.ErrBulkOperationFailed) {
			c.ungrouped.Store(true) // the listing starts over, without grouping
		}
		if errors.Is(err, shopify.ErrBulkOperationNotFound) || errors.Is(err, shopify.ErrBulkOperationFailed) {
			return nil, fmt.Errorf("%w: bulk operation %s: %w", wmssync.ErrCursorExpired, id, err)
		}
		return nil, fmt.Errorf("shopify/connector: wait for bulk operation %s: %w", id, classify(ctx, err))
	}
	return op, nil
}

func (c *Connector) bulkOpenErr(ctx context.Context, err error) error {
	var he *shopify.HTTPError
	if errors.As(err, &he) && (he.StatusCode == 403 || he.StatusCode == 404 || he.StatusCode == 410) {
		return fmt.Errorf("%w: bulk result no longer available: %w", wmssync.ErrCursorExpired, err)
	}
	return fmt.Errorf("shopify/connector: download bulk result: %w", classify(ctx, err))
}

// bulkProduct assembles one product of the products export.
func bulkProduct(g shopify.BulkGroup, stock stockLookup) (wmssync.Product, bool, error) {
	var gp gqlProduct
	if err := g.Root.Decode(&gp); err != nil {
		return wmssync.Product{}, false, fmt.Errorf("shopify/connector: products export line %d: %w", g.Root.Line, err)
	}
	p := gp.product()
	for _, row := range g.Descendants {
		if row.Type() != "ProductVariant" {
			continue
		}
		var v gqlVariant
		if err := row.Decode(&v); err != nil {
			return wmssync.Product{}, false, fmt.Errorf("shopify/connector: products export line %d: %w", row.Line, err)
		}
		p.Variants = append(p.Variants, v.wms())
	}
	if stock != nil {
		p.Stock = stockOf(p, stock)
	}
	return p, true, nil
}

// bulkOrder assembles one order of the orders export.
func bulkOrder(g shopify.BulkGroup, _ stockLookup) (wmssync.Order, bool, error) {
	var o gqlOrder
	if err := g.Root.Decode(&o); err != nil {
		return wmssync.Order{}, false, fmt.Errorf("shopify/connector: orders export line %d: %w", g.Root.Line, err)
	}
	o.LineItems = &shopify.Connection[gqlLineItem]{}
	for _, row := range g.Descendants {
		if row.Type() != "LineItem" {
			continue
		}
		var li gqlLineItem
		if err := row.Decode(&li); err != nil {
			return wmssync.Order{}, false, fmt.Errorf("shopify/connector: orders export line %d: %w", row.Line, err)
		}
		o.LineItems.Nodes = append(o.LineItems.Nodes, li)
	}
	return o.order(), true, nil
}
