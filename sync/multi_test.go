package sync_test

import (
	"bytes"
	"context"
	"fmt"
	"go/parser"
	"go/token"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// racingStore makes the first SetVersion of each key lose, as if another
// process applied the entity between the engine's read and its write.
type racingStore struct {
	*memstore.Store
	mu     gosync.Mutex
	raced  map[wmssync.EntityKey]bool
	onRace func(k wmssync.EntityKey) // the other process's change in the shop
}

func (s *racingStore) SetVersion(ctx context.Context, k wmssync.EntityKey, v webhook.Version, rev int64) (bool, error) {
	s.mu.Lock()
	first := !s.raced[k]
	s.raced[k] = true
	s.mu.Unlock()
	if first {
		if s.onRace != nil {
			s.onRace(k)
		}
		// The other process wins with a version of its own.
		if _, err := s.Store.SetVersion(ctx, k, webhook.Version{TriggeredAt: time.Unix(1, 0)}, rev); err != nil {
			return false, err
		}
	}
	return s.Store.SetVersion(ctx, k, v, rev)
}

// newRacingEnv returns an env whose engine (also after a rebuild) works on
// a racingStore over the env's store.
func newRacingEnv(t *testing.T) (*env, *racingStore) {
	var racing *racingStore
	e := newEnv(t, func(c *wmssync.Config) {
		if racing == nil {
			racing = &racingStore{Store: c.Store.(*memstore.Store), raced: map[wmssync.EntityKey]bool{}}
		}
		c.Store = racing
	})
	return e, racing
}

// When another process applied an entity meanwhile, the engine re-reads it
// from the shop and applies the shop's current data, so the warehouse ends
// with the newest whoever wrote last.
func TestLostVersionRaceRereadsTheShop(t *testing.T) {
	e, racing := newRacingEnv(t)
	f := e.addShop("dk")
	stale := product("P1", e.clock.Now(), "A")
	stale.Title = "What the import saw"
	current := product("P1", e.clock.Now().Add(time.Second), "A")
	current.Title = "What the shop has now"
	f.putProduct(stale)
	racing.onRace = func(k wmssync.EntityKey) {
		if k.Kind == wmssync.KindProduct {
			f.putProduct(current) // changed and applied by the other process
		}
	}
	// The import reads the stale title, loses the race on P1 and re-reads.
	e.runStep("dk", wmssync.StepProducts)
	it, err := e.wms.Item(bg, "A")
	require.NoError(t, err)
	assert.Equal(t, "What the shop has now", it.Title)

	require.NoError(t, e.engine.SkipStep(bg, "dk", wmssync.StepCustomsCost))
	e.runStep("dk", wmssync.StepOrders)
	o := order("1", "loc-cph", e.clock.Advance(time.Minute), line("L1", "A", 1))
	now := o
	now.Lines = []wms.OrderLine{line("L1", "A", 5)}
	now.UpdatedAt = e.clock.Advance(time.Minute)
	f.putOrder(now) // the shop's current order
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &o})
	e.drain()
	assert.Equal(t, int64(5), e.order("dk", "1").Lines[0].Quantity, "re-read after the lost race")
	_, rev, err := racing.Version(bg, wmssync.EntityKey{Shop: "dk", Kind: wmssync.KindOrder, ID: "1"})
	require.NoError(t, err)
	assert.Equal(t, int64(2), rev)
}

// B4: two engines (two processes) share one store and one warehouse; they
// drain one inbox concurrently and every order ends in the warehouse once,
// with its newest data.
func TestTwoEnginesShareAStore(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	e.throughOrders("dk")
	first := e.engine
	e.build()
	second := e.engine
	const orders = 60
	for i := range orders {
		at := e.clock.Advance(time.Second)
		for q := int64(1); q <= 3; q++ {
			o := order(strconv.Itoa(i), "loc-cph", at, line("L1", "X", q))
			o.UpdatedAt = at.Add(time.Duration(q) * time.Millisecond)
			f.putOrder(o) // the shop ends with the third version
			e.deliver(f, topicOrdersUpdated, fakePayload{Order: &o})
		}
	}
	var wg gosync.WaitGroup
	for _, eng := range []*wmssync.Engine{first, second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := &webhook.Dispatcher{Queue: e.store, Router: eng.Router(), Concurrency: 3, BatchSize: 7, Now: e.clock.Now}
			for {
				n, err := d.RunOnce(bg)
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	e.drain()
	n, _ := e.wms.CountOrders(bg)
	assert.Equal(t, orders, n)
	for i := range orders {
		assert.Equal(t, int64(3), e.order("dk", strconv.Itoa(i)).Lines[0].Quantity, "order %d", i)
	}
	assert.Equal(t, uint64(3*orders), first.Stats().EventsApplied+first.Stats().EventsStale+
		second.Stats().EventsApplied+second.Stats().EventsStale)
}

// The engine's logs carry no secret: a whole flow logged at debug level
// never shows the shop's token or the app secret.
func TestLogsCarryNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	var mu gosync.Mutex
	logger := slog.New(slog.NewJSONHandler(lockedWriter{&buf, &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := newEnv(t, func(c *wmssync.Config) { c.Logger = logger })
	f := e.addShop("dk")
	seedProducts(f, 5, e.clock.Now())
	e.throughOrders("dk")
	o := order("1", "loc-drop", e.clock.Advance(time.Minute), line("L1", "X", 1))
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &o})
	e.deliver(f, topicOrdersCreate, fakePayload{})
	e.drain()
	f.refuse = errRefused
	_, _ = e.engine.Reconcile(bg, "dk")
	_, _ = e.engine.TestConnection(bg, wmssync.Settings{Shop: "dk", AdminURL: f.domain})
	mu.Lock()
	defer mu.Unlock()
	logs := buf.String()
	require.Contains(t, logs, "setup step finished")
	require.Contains(t, logs, "reconciliation sweep failed")
	for _, secret := range []string{f.token, appSecret} {
		assert.NotContains(t, logs, secret)
	}
}

type lockedWriter struct {
	b  *bytes.Buffer
	mu *gosync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// Package sync stays shop-neutral: none of its files imports package
// shopify or its subpackages (architecture rule).
func TestNoShopifyImport(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			assert.False(t, strings.HasPrefix(path, "github.com/wmsbridge/wmsbridge/shopify"),
				fmt.Sprintf("%s imports %s", name, path))
		}
	}
}

// The sweep's repair of a change made within the second of the applied
// state (an order paid right after it was placed, its webhook lost) loses
// its version race to another process, which applied the order's
// cancellation, made in the same second, meanwhile: the sweep reads the
// order again and the warehouse ends with the shop's current status, not
// with the payment the sweep read first.
func TestSameSecondRepairLosingARaceRereadsTheShop(t *testing.T) {
	e, racing := newRacingEnv(t)
	f := e.addShop("dk")
	f.putProduct(product("P1", e.clock.Now(), "TEE"))
	key := wmssync.EntityKey{Shop: "dk", Kind: wmssync.KindOrder, ID: "7001"}
	racing.raced[key] = true // no race until the sweep
	e.throughOrders("dk")
	unpaid := order("7001", "loc-cph", e.clock.Advance(time.Second), line("L1", "TEE", 1))
	unpaid.Status = wms.OrderPaymentPending
	f.putOrder(unpaid)
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &unpaid})
	e.drain()
	require.Equal(t, wms.OrderPaymentPending, e.order("dk", "7001").Status)

	paid := unpaid
	paid.Status = wms.OrderOpen // same second: same UpdatedAt; its webhook lost
	f.putOrder(paid)
	cancelled := unpaid
	cancelled.Status = wms.OrderCancelled // still the same second
	racing.mu.Lock()
	delete(racing.raced, key)
	racing.mu.Unlock()
	racing.onRace = func(k wmssync.EntityKey) {
		if k == key {
			f.putOrder(cancelled) // changed and applied by the other process
		}
	}
	e.clock.Advance(time.Minute)
	res, err := e.engine.Reconcile(bg, "dk")
	require.NoError(t, err)
	assert.Equal(t, wms.OrderCancelled, e.order("dk", "7001").Status, "the shop's current status, read again after the lost race")
	assert.Equal(t, 1, res.OrdersApplied)
}
