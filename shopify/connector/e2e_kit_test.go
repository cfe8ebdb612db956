package connector_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/synctest"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// TestEngineEndToEnd runs the engine's end-to-end tests (package
// sync/synctest) against this connector and the simulated Shopify; the
// engine runs the same tests against its own second test shop system.
func TestEngineEndToEnd(t *testing.T) {
	synctest.Run(t, shopifyKit{})
}

const kitSecret = "shpss_kit_app_secret"

// shopifyKit is Shopify as a synctest.System: one simulated server per
// shop, one location mapped to the kit's warehouse.
type shopifyKit struct{}

func (shopifyKit) ShopSystem() wmssync.ShopSystem { return connector.ShopSystem() }

func (shopifyKit) Source() webhook.Source {
	src, err := shopifywebhook.NewSource(kitSecret)
	if err != nil {
		panic(err) // a constant, non-empty secret
	}
	return src
}

func (shopifyKit) NewShop(t synctest.T, name, webhookURL string, now func() time.Time) synctest.Shop {
	srv := shopifytest.NewServer(shopifytest.WithTimeScale(20), shopifytest.WithClock(now), shopifytest.WithWebhookSecret(kitSecret))
	t.Cleanup(srv.Close)
	shop := srv.AddShop(name)
	loc := shop.AddLocation(shopifytest.LocationSpec{Name: "Main", CountryCode: "DK"})
	return &kitShop{srv: srv, shop: shop, loc: loc.ID, url: webhookURL}
}

type kitShop struct {
	srv  *shopifytest.Server
	shop *shopifytest.Shop
	loc  int64
	url  string
	drop func() // removes the drop fault; nil when webhooks flow
}

func (k *kitShop) Settings(shop, warehouse string) wmssync.Settings {
	return wmssync.Settings{Shop: shop, AdminURL: "https://" + k.shop.Domain(),
		Locations: map[string]string{shopify.GID("Location", k.loc): warehouse}}
}

func (k *kitShop) Connect(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
	cl, err := shopify.NewClient(s.Domain(), shopify.WithBaseURL(k.srv.ShopURL(k.shop.Name())),
		shopify.WithAccessToken(k.shop.AccessToken()), shopify.WithHTTPClient(k.srv.HTTPClient()),
		shopify.WithRetryWait(time.Millisecond, 20*time.Millisecond), shopify.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return nil, err
	}
	return connector.New(connector.Config{Client: cl, WebhookAddress: k.url, BulkWait: fastBulk})
}

func legacyID(gid, resource string) (int64, error) { return shopify.LegacyID(gid, resource) }

func (k *kitShop) CreateProduct(_ context.Context, p synctest.Product) (string, error) {
	spec := shopifytest.ProductSpec{Title: p.Title, Vendor: "Kit"}
	for _, v := range p.Variants {
		spec.Variants = append(spec.Variants, shopifytest.VariantSpec{Title: v.SKU, SKU: v.SKU, Price: "10.00",
			WeightGrams: 250, Stock: map[int64]int{k.loc: int(v.Stock)}})
	}
	prod, err := k.shop.CreateProduct(spec)
	if err != nil {
		return "", err
	}
	return shopify.GID("Product", prod.ID), nil
}

func (k *kitShop) RenameProduct(_ context.Context, id, title string) error {
	n, err := legacyID(id, "Product")
	if err != nil {
		return err
	}
	_, err = k.shop.EditProduct(n, shopifytest.ProductEdit{Title: &title})
	return err
}

func (k *kitShop) DeleteProduct(_ context.Context, id string) error {
	n, err := legacyID(id, "Product")
	if err != nil {
		return err
	}
	return k.shop.DeleteProduct(n)
}

func (k *kitShop) CreateOrder(_ context.Context, lines ...synctest.Line) (string, error) {
	spec := shopifytest.OrderSpec{Location: k.loc, Financial: shopifytest.FinancialPaid, Email: "kit@example.com"}
	for _, l := range lines {
		v, ok := k.shop.VariantBySKU(l.SKU)
		if !ok {
			return "", fmt.Errorf("no variant with SKU %s", l.SKU)
		}
		spec.Lines = append(spec.Lines, shopifytest.OrderLineSpec{VariantID: v.ID, Quantity: int(l.Quantity)})
	}
	o, err := k.shop.CreateOrder(spec)
	if err != nil {
		return "", err
	}
	return shopify.GID("Order", o.ID), nil
}

func (k *kitShop) CancelOrder(_ context.Context, id string) error {
	n, err := legacyID(id, "Order")
	if err != nil {
		return err
	}
	return k.shop.CancelOrder(n)
}

func (k *kitShop) Fulfilled(_ context.Context, id string) (bool, error) {
	n, err := legacyID(id, "Order")
	if err != nil {
		return false, err
	}
	return k.shop.OrderFulfillmentStatus(n) == "FULFILLED", nil
}

func (k *kitShop) Available(_ context.Context, sku string) (int64, error) {
	v, ok := k.shop.VariantBySKU(sku)
	if !ok {
		return 0, fmt.Errorf("no variant with SKU %s", sku)
	}
	return int64(k.shop.Quantity(v.InventoryItemID, k.loc, "available")), nil
}

// SetAvailable implements synctest.StockSetter: an admin edit of the
// available quantity at the mapped location.
func (k *kitShop) SetAvailable(_ context.Context, sku string, n int64) error {
	v, ok := k.shop.VariantBySKU(sku)
	if !ok {
		return fmt.Errorf("no variant with SKU %s", sku)
	}
	return k.shop.SetQuantity(v.InventoryItemID, k.loc, "available", int(n))
}

func (k *kitShop) DropWebhooks(drop bool) {
	switch {
	case drop && k.drop == nil:
		k.drop = k.srv.InjectWebhookFault(shopifytest.WebhookFault{Kind: shopifytest.WebhookDrop, Rate: 1})
	case !drop && k.drop != nil:
		k.drop()
		k.drop = nil
	}
}

func (k *kitShop) Flush(ctx context.Context) error { return k.srv.WaitWebhooks(ctx) }
