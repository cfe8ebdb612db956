package connector_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/synctest"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/woocommerce"
	"github.com/wmsbridge/wmsbridge/woocommerce/connector"
	"github.com/wmsbridge/wmsbridge/woocommerce/wootest"
	"github.com/wmsbridge/wmsbridge/woocommerce/woowebhook"
)

// TestEngineEndToEnd runs the engine's end-to-end tests (package
// sync/synctest) against this connector and the simulated WooCommerce, as
// shopify/connector does against the simulated Shopify.
func TestEngineEndToEnd(t *testing.T) {
	synctest.Run(t, wooKit{})
}

const kitSecret = "wc-kit-webhook-secret"

// wooKit is WooCommerce as a synctest.System: one simulated server per
// store; a store has no locations, its one stock figure is the synthetic
// location "" mapped to the kit's warehouse.
type wooKit struct{}

func (wooKit) ShopSystem() wmssync.ShopSystem { return connector.ShopSystem() }

func (wooKit) Source() webhook.Source {
	src, err := woowebhook.NewSource(kitSecret)
	if err != nil {
		panic(err) // a constant, non-empty secret
	}
	return src
}

func (wooKit) NewShop(t synctest.T, name, webhookURL string, now func() time.Time) synctest.Shop {
	srv := wootest.NewServer(wootest.WithClock(now), wootest.WithStore(name, wootest.WithDeliveryDelay(10*time.Millisecond)))
	t.Cleanup(srv.Close)
	return &wooKitShop{srv: srv, store: srv.Store(name), name: name, url: webhookURL}
}

type wooKitShop struct {
	srv   *wootest.Server
	store *wootest.Store
	name  string
	url   string
	drop  func() // removes the drop fault; nil when webhooks flow
}

var _ synctest.Restorer = (*wooKitShop)(nil)

func (k *wooKitShop) Settings(shop, warehouse string) wmssync.Settings {
	return wmssync.Settings{Shop: shop, AdminURL: k.srv.StoreURL(k.name), Locations: map[string]string{"": warehouse}}
}

func (k *wooKitShop) Connect(_ context.Context, s wmssync.Settings) (wmssync.Connector, error) {
	ck, cs := k.store.Key()
	cl, err := woocommerce.NewClient(s.AdminURL, woocommerce.WithKeys(ck, cs), woocommerce.WithHTTPClient(k.srv.HTTPClient()),
		woocommerce.WithRetryWait(time.Millisecond, 20*time.Millisecond))
	if err != nil {
		return nil, err
	}
	return connector.New(connector.Config{Client: cl, WebhookAddress: k.url, WebhookSecret: kitSecret})
}

// CreateProduct creates a simple product for one variant, else a variable
// product with a variation per variant.
func (k *wooKitShop) CreateProduct(_ context.Context, p synctest.Product) (string, error) {
	spec := wootest.ProductSpec{Name: p.Title, Price: "10.00"}
	if len(p.Variants) == 1 {
		spec.SKU, spec.Stock = p.Variants[0].SKU, p.Variants[0].Stock
	} else {
		for _, v := range p.Variants {
			spec.Variations = append(spec.Variations, wootest.VariationSpec{SKU: v.SKU, Stock: v.Stock, Price: "10.00",
				Options: map[string]string{"Variant": v.SKU}})
		}
	}
	id, _, err := k.store.CreateProduct(spec)
	return strconv.FormatInt(id, 10), err
}

func (k *wooKitShop) RenameProduct(_ context.Context, id, title string) error {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return err
	}
	return k.store.EditProduct(n, wootest.ProductEdit{Name: &title})
}

// DeleteProduct moves the product to the trash, as the admin does.
func (k *wooKitShop) DeleteProduct(_ context.Context, id string) error {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return err
	}
	return k.store.TrashProduct(n)
}

func (k *wooKitShop) RestoreProduct(_ context.Context, id string) error {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return err
	}
	return k.store.RestoreProduct(n)
}

// CreateOrder places a paid order (processing).
func (k *wooKitShop) CreateOrder(_ context.Context, lines ...synctest.Line) (string, error) {
	spec := wootest.OrderSpec{Status: "processing", Email: "kit@example.com"}
	for _, l := range lines {
		spec.Lines = append(spec.Lines, wootest.OrderLineSpec{SKU: l.SKU, Quantity: l.Quantity})
	}
	id, err := k.store.CreateOrder(spec)
	return strconv.FormatInt(id, 10), err
}

func (k *wooKitShop) CancelOrder(_ context.Context, id string) error {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return err
	}
	return k.store.SetOrderStatus(n, "cancelled")
}

// Fulfilled: WooCommerce has no shipped lines; the connector completes an
// order once every line is packed.
func (k *wooKitShop) Fulfilled(_ context.Context, id string) (bool, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return false, err
	}
	o, ok := k.store.Order(n)
	if !ok {
		return false, fmt.Errorf("no order %d", n)
	}
	return o.Status == "completed", nil
}

func (k *wooKitShop) Available(_ context.Context, sku string) (int64, error) {
	p, ok := k.store.ProductBySKU(sku)
	if !ok {
		return 0, fmt.Errorf("no product with SKU %s", sku)
	}
	return p.Stock, nil
}

// SetAvailable implements synctest.StockSetter: an admin edit of the
// product's or variation's stock.
func (k *wooKitShop) SetAvailable(_ context.Context, sku string, n int64) error {
	p, ok := k.store.ProductBySKU(sku)
	if !ok {
		return fmt.Errorf("no product with SKU %s", sku)
	}
	return k.store.SetStock(p.ID, n)
}

func (k *wooKitShop) DropWebhooks(drop bool) {
	switch {
	case drop && k.drop == nil:
		k.drop = k.srv.InjectWebhookFault(wootest.WebhookFault{Kind: wootest.WebhookDrop, Rate: 1})
	case !drop && k.drop != nil:
		k.drop()
		k.drop = nil
	}
}

func (k *wooKitShop) Flush(ctx context.Context) error { return k.srv.WaitWebhooks(ctx) }
