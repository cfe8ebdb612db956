package sync_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/sync/store/postgres"
	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// barcodeShop is a fake shop with the Outbound capability for barcodes:
// Send writes the barcode to the shop's product, which bumps its
// updated_at (whole seconds, as Shopify's) and records the product as the
// products/update payload the write causes (its echo).
type barcodeShop struct {
	*fakeShop
	now func() time.Time

	mu     gosync.Mutex
	echoes []wmssync.Product
	fail   error
}

func (b *barcodeShop) Prepare(context.Context, *wmssync.Outgoing) ([]byte, error) { return nil, nil }

func (b *barcodeShop) Send(ctx context.Context, m *wmssync.Outgoing) error {
	ev, ok := m.Event.(wms.BarcodeChanged)
	if !ok {
		return fmt.Errorf("%w: not a barcode", wmssync.ErrRejected)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail != nil {
		return b.fail
	}
	for _, l := range m.Listings {
		b.fakeShop.mu.Lock()
		p := b.fakeShop.products[l.ProductID]
		p.Product = p.Product.Clone()
		for i := range p.Variants {
			if p.Variants[i].ExternalID == l.VariantID {
				p.Variants[i].Barcode = ev.Barcode
			}
		}
		p.UpdatedAt = b.now().Truncate(time.Second)
		b.fakeShop.products[l.ProductID] = p
		b.fakeShop.mu.Unlock()
		p.Product = p.Product.Clone()
		b.echoes = append(b.echoes, p)
	}
	return nil
}

// barcodeStores are the stores the echo test runs on: memstore, SQLite,
// and PostgreSQL when WMSBRIDGE_POSTGRES_DSN is set. open returns the
// store of a (re)started process and a function closing it.
func barcodeStores(t *testing.T, c *clock) map[string]func() (wmssync.Store, func()) {
	mem := memstore.New(memstore.WithClock(c.Now))
	path := filepath.Join(t.TempDir(), "wmsbridge.db")
	stores := map[string]func() (wmssync.Store, func()){
		"memstore": func() (wmssync.Store, func()) { return mem, func() {} },
		"sqlite": func() (wmssync.Store, func()) {
			s, err := sqlite.Open(bg, path, sqlite.WithClock(c.Now))
			require.NoError(t, err)
			return s, func() { require.NoError(t, s.Close()) }
		},
	}
	if dsn := os.Getenv("WMSBRIDGE_POSTGRES_DSN"); dsn != "" {
		schema := fmt.Sprintf("barcode_echo_%d", time.Now().UnixNano())
		t.Cleanup(func() {
			s, err := postgres.Open(bg, dsn, postgres.WithSchema(schema), postgres.WithoutMigrate())
			if err != nil {
				return
			}
			defer s.Close()
			_, _ = s.Pool().Exec(bg, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`)
		})
		stores["postgres"] = func() (wmssync.Store, func()) {
			s, err := postgres.Open(bg, dsn, postgres.WithSchema(schema), postgres.WithClock(c.Now))
			require.NoError(t, err)
			return s, s.Close
		}
	}
	return stores
}

// S15 echo in the engine: the WMS changes the barcodes of two variants of
// one product of the main shop; the echo of the first write (carrying the
// second variant's old barcode) arrives after a restart, the second echo
// never. The WMS keeps both new barcodes, on every store; a later change
// in the shop still flows, and while a barcode message is pending the
// WMS's barcode wins over the shop's product data, whose other fields
// still flow.
func TestBarcodeEchoKeepsTheWMSBarcode(t *testing.T) {
	c := newClock()
	for name, open := range barcodeStores(t, c) {
		t.Run(name, func(t *testing.T) { barcodeEcho(t, c, open) })
	}
}

func barcodeEcho(t *testing.T, c *clock, open func() (wmssync.Store, func())) {
	w, err := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "cph"}}, Now: c.Now})
	require.NoError(t, err)
	shop := &barcodeShop{fakeShop: newFakeShop("echo"), now: c.Now}
	var store wmssync.Store
	var closeStore func()
	var eng *wmssync.Engine
	start := func() {
		store, closeStore = open()
		eng, err = wmssync.NewEngine(wmssync.Config{Backend: w, Store: store, Now: c.Now,
			Connect: func(context.Context, wmssync.Settings) (wmssync.Connector, error) { return shop, nil }})
		require.NoError(t, err)
	}
	start()
	defer func() { closeStore() }()
	s, err := eng.SaveSettings(bg, wmssync.Settings{Shop: "ECHO", AdminURL: "https://" + shop.domain, Country: "dk", Main: true,
		Locations: map[string]string{"loc-cph": "cph"}, Outbound: map[wms.EventKind]bool{wms.KindBarcodeChanged: true}})
	require.NoError(t, err)
	require.NoError(t, store.SaveStep(bg, wmssync.StepState{Shop: s.Shop, Step: wmssync.StepOutbound, Status: wmssync.StepDone}))

	apply := func(p wmssync.Product) {
		t.Helper()
		body, err := json.Marshal(fakePayload{Product: &p})
		require.NoError(t, err)
		require.NoError(t, eng.HandleEvent(bg, &webhook.Event{Topic: topicProductsUpdate, Shop: shop.domain,
			WebhookID: fmt.Sprintf("w%d", c.Now().UnixNano()), TriggeredAt: c.Now(), Body: body}))
		c.Advance(time.Millisecond)
	}
	barcodes := func() [2]string {
		var out [2]string
		for i, sku := range []string{"S1", "S2"} {
			it, err := w.Item(bg, sku)
			require.NoError(t, err)
			out[i] = it.Barcode
		}
		return out
	}
	p := product("p1", c.Now().Truncate(time.Second), "S1", "S2")
	p.Title = "Mug"
	p.Variants[0].Barcode, p.Variants[1].Barcode = "1000000000001", "1000000000002"
	shop.putProduct(p)
	apply(p)
	require.Equal(t, [2]string{"1000000000001", "1000000000002"}, barcodes())

	// The WMS changes both barcodes; the engine writes both in one second.
	c.Advance(2 * time.Second)
	publish := func(id, sku, bc string) {
		t.Helper()
		require.NoError(t, w.SetBarcode(bg, sku, bc))
		require.NoError(t, eng.Publish(bg, wms.BarcodeChanged{EventInfo: wms.EventInfo{ID: id, Time: c.Now()}, SKU: sku, Barcode: bc}))
	}
	publish("b1", "S1", "2000000000001")
	publish("b2", "S2", "2000000000002")
	_, err = eng.DeliverOutbound(bg)
	require.NoError(t, err)
	require.Len(t, shop.echoes, 2)
	first := shop.echoes[0]
	require.Equal(t, "1000000000002", first.Variants[1].Barcode, "the first echo carries the second variant's old barcode")
	require.Equal(t, first.UpdatedAt, shop.echoes[1].UpdatedAt, "both writes in one second")

	// A new process gets the first echo; the second is lost.
	closeStore()
	c.Advance(time.Second)
	start()
	apply(first)
	assert.Equal(t, [2]string{"2000000000001", "2000000000002"}, barcodes(), "the echo did not undo the WMS's change")

	// The merchant changes S2's barcode in the shop later: it flows.
	c.Advance(2 * time.Second)
	edited := first
	edited.Product = first.Product.Clone()
	edited.Variants[0].Barcode, edited.Variants[1].Barcode = "2000000000001", "3000000000002"
	edited.UpdatedAt = c.Now().Truncate(time.Second)
	apply(edited)
	assert.Equal(t, [2]string{"2000000000001", "3000000000002"}, barcodes(), "the merchant's later barcode reaches the WMS")

	// While the WMS's next change of S1 cannot reach the shop, the shop's
	// product data does not undo it; its title still flows.
	shop.mu.Lock()
	shop.fail = errors.New("shop unavailable")
	shop.mu.Unlock()
	c.Advance(2 * time.Second)
	publish("b3", "S1", "4000000000001")
	_, err = eng.DeliverOutbound(bg)
	require.NoError(t, err)
	c.Advance(2 * time.Second)
	retitled := edited
	retitled.Product = edited.Product.Clone()
	retitled.Title = "Mug, stoneware"
	retitled.UpdatedAt = c.Now().Truncate(time.Second)
	apply(retitled)
	assert.Equal(t, [2]string{"4000000000001", "3000000000002"}, barcodes(), "pending: the WMS's barcode wins")
	it, err := w.Item(bg, "S1")
	require.NoError(t, err)
	assert.Equal(t, "Mug, stoneware", it.Title)
}
