package sync_test

import (
	"context"
	"fmt"
	gosync "sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// callCounter is memstore with its settings, steps and versions calls
// counted (its other capabilities pass through by embedding).
type callCounter struct {
	*memstore.Store
	mu    gosync.Mutex
	calls map[string]int
}

func (c *callCounter) count(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[name]++
}

func (c *callCounter) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.calls
	c.calls = map[string]int{}
	return out
}

func (c *callCounter) Settings(ctx context.Context, shop string) (wmssync.Settings, error) {
	c.count("Settings")
	return c.Store.Settings(ctx, shop)
}

func (c *callCounter) ListSettings(ctx context.Context) ([]wmssync.Settings, error) {
	c.count("ListSettings")
	return c.Store.ListSettings(ctx)
}

func (c *callCounter) Steps(ctx context.Context, shop string) ([]wmssync.StepState, error) {
	c.count("Steps")
	return c.Store.Steps(ctx, shop)
}

func (c *callCounter) Version(ctx context.Context, key wmssync.EntityKey) (webhook.Version, int64, error) {
	c.count("Version")
	return c.Store.Version(ctx, key)
}

func (c *callCounter) SetVersion(ctx context.Context, key wmssync.EntityKey, v webhook.Version, rev int64) (bool, error) {
	c.count("SetVersion")
	return c.Store.SetVersion(ctx, key, v, rev)
}

// TestOrderEventStoreRoundTrips counts the store calls of applying one new
// order webhook: the shop's settings are one row read (not every shop's
// listed), the orders step is read once even when a partial order is read
// from the shop first, and the version is read once (twice for a partial
// order: before asking the shop, and under the entity's lock). The
// settings stay fresh: a change made behind the engine's back, and a shop
// removed, take effect on the next event.
func TestOrderEventStoreRoundTrips(t *testing.T) {
	cs := &callCounter{calls: map[string]int{}}
	e := newEnv(t, func(c *wmssync.Config) {
		cs.Store = c.Store.(*memstore.Store)
		c.Store = cs
	})
	shops := map[string]*fakeShop{}
	for _, id := range []string{"a", "b", "c", "web"} {
		shops[id] = e.addShop(id)
		shops[id].putProduct(product("P"+id, e.clock.Now(), "SKU-"+id))
		e.throughOrders(id)
	}
	shops["web"].mu.Lock()
	shops["web"].partialOrders = true
	shops["web"].mu.Unlock()
	e.clock.Advance(wmssync.ClockSkew + time.Second)

	n := 0
	handle := func(shop string) {
		t.Helper()
		n++
		f := shops[shop]
		o := order(fmt.Sprintf("%s-%d", shop, n), "loc-cph", e.clock.Advance(time.Second), line("L1", "SKU-"+shop, 1))
		f.putOrder(o)
		ev := &webhook.Event{Topic: topicOrdersCreate, Shop: f.domain, WebhookID: fmt.Sprint("rt-", n),
			TriggeredAt: e.clock.Now(), Body: mustJSON(fakePayload{Order: &o})}
		require.NoError(t, e.engine.HandleEvent(bg, ev))
		e.order(shop, o.ExternalID) // applied
	}
	// The first event of a shop finds it in the list.
	handle("a")
	cs.take()

	handle("a")
	assert.Equal(t, map[string]int{"Settings": 1, "Steps": 1, "Version": 1, "SetVersion": 1}, cs.take(), "a known shop's order")
	handle("b")
	cs.take()
	handle("b")
	assert.Equal(t, map[string]int{"Settings": 1, "Steps": 1, "Version": 1, "SetVersion": 1}, cs.take(), "another shop's order")

	handle("web")
	cs.take()
	handle("web")
	assert.Equal(t, map[string]int{"Settings": 1, "Steps": 1, "Version": 2, "SetVersion": 1}, cs.take(),
		"a partial order: the orders step read once, the version before the shop's read and under the lock")

	// A change behind the engine's back (another process) counts at once:
	// shop a's orders now go to the store warehouse.
	s, err := cs.Store.Settings(bg, "a")
	require.NoError(t, err)
	s.Locations = map[string]string{"loc-cph": "store"}
	require.NoError(t, cs.Store.SaveSettings(bg, s))
	handle("a")
	assert.Equal(t, "store", e.order("a", fmt.Sprintf("a-%d", n)).Warehouse, "the settings are read fresh")

	// A shop removed behind the engine's back is unknown at once.
	require.NoError(t, cs.Store.DeleteSettings(bg, "b"))
	o := order("b-gone", "loc-cph", e.clock.Advance(time.Second), line("L1", "SKU-b", 1))
	err = e.engine.HandleEvent(bg, &webhook.Event{Topic: topicOrdersCreate, Shop: shops["b"].domain, WebhookID: "rt-gone",
		TriggeredAt: e.clock.Now(), Body: mustJSON(fakePayload{Order: &o})})
	require.ErrorIs(t, err, wmssync.ErrUnknownShop)
}
