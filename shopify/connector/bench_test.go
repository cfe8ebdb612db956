package connector_test

import (
	"testing"

	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// BenchmarkDecodeOrder measures translating an orders/create payload of
// three lines (the inbound hot path, no I/O).
func BenchmarkDecodeOrder(b *testing.B) {
	srv := shopifytest.NewServer()
	defer srv.Close()
	shop := srv.DefaultShop()
	res, err := shop.Seed(shopifytest.SeedOptions{Seed: 1, Products: 3})
	if err != nil {
		b.Fatal(err)
	}
	o, err := shop.CreateOrder(shopifytest.OrderSpec{Lines: []shopifytest.OrderLineSpec{
		{VariantID: res.VariantIDs[0], Quantity: 1}, {VariantID: res.VariantIDs[1], Quantity: 2}, {VariantID: res.VariantIDs[2], Quantity: 3}}})
	if err != nil {
		b.Fatal(err)
	}
	ev := lastEvent(b, shop, "orders/create", o.ID)
	b.SetBytes(int64(len(ev.Body)))
	b.ReportAllocs()
	for b.Loop() {
		ch, err := connector.Decode(ev)
		if err != nil || ch.Kind != wmssync.ChangeOrder {
			b.Fatal(err)
		}
	}
}

// BenchmarkProductsBulk measures reading 2,000 products with stock through
// the bulk exports, page by page (simulator on the same machine).
func BenchmarkProductsBulk(b *testing.B) {
	srv := shopifytest.NewServer(shopifytest.WithTimeScale(100))
	defer srv.Close()
	shop := srv.DefaultShop()
	if _, err := shop.Seed(shopifytest.SeedOptions{Seed: 1, Products: 2000, VariantsPerProduct: 3}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		c := newConnector(b, srv, shop, connector.Config{BulkThreshold: 1000, BulkPageSize: 500})
		n, cursor := 0, ""
		for {
			p, err := c.Products(b.Context(), wmssync.ProductQuery{Stock: true}, cursor)
			if err != nil {
				b.Fatal(err)
			}
			n += len(p.Items)
			if p.Next == "" {
				break
			}
			cursor = p.Next
		}
		c.Close()
		if n != 2000 {
			b.Fatalf("%d products", n)
		}
	}
	b.ReportMetric(float64(2000*b.N)/b.Elapsed().Seconds(), "products/s")
}
