package memwms_test

import (
	"fmt"
	"testing"

	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

func catalogue(n, variants int) []wms.Product {
	ps := make([]wms.Product, n)
	for i := range ps {
		p := wms.Product{Shop: "dk", ExternalID: fmt.Sprint("gid://shopify/Product/", i), Main: true, Title: fmt.Sprint("Product ", i), Brand: "Acme"}
		for v := range variants {
			p.Variants = append(p.Variants, wms.Variant{
				SKU: fmt.Sprintf("SKU-%d-%d", i, v), ExternalID: fmt.Sprintf("gid://shopify/ProductVariant/%d%03d", i, v),
				Barcode: fmt.Sprintf("57%011d", i*10+v), Price: "199.00", Weight: wms.Weight{Value: "0.3", Unit: wms.Kilograms},
			})
		}
		ps[i] = p
	}
	return ps
}

// BenchmarkImport30000Products imports a 30,000-product shop (3 variants
// each) in batches of 250, as the engine's product import step does.
func BenchmarkImport30000Products(b *testing.B) {
	ps := catalogue(30000, 3)
	b.ReportAllocs()
	for b.Loop() {
		w, _ := memwms.New(nil)
		for i := 0; i < len(ps); i += 250 {
			if err := w.UpsertProducts(ctxB, ps[i:min(i+250, len(ps))]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/30000, "ns/product")
}

// BenchmarkReimport30000Products re-imports the same shop: every upsert
// is a no-op update.
func BenchmarkReimport30000Products(b *testing.B) {
	ps := catalogue(30000, 3)
	w, _ := memwms.New(nil)
	for i := 0; i < len(ps); i += 250 {
		_ = w.UpsertProducts(ctxB, ps[i:min(i+250, len(ps))])
	}
	b.ResetTimer()
	for b.Loop() {
		for i := 0; i < len(ps); i += 250 {
			if err := w.UpsertProducts(ctxB, ps[i:min(i+250, len(ps))]); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkUpsertOrder upserts new orders that are released at once.
func BenchmarkUpsertOrder(b *testing.B) {
	w, _ := memwms.New(nil)
	_ = w.UpsertProducts(ctxB, catalogue(100, 1))
	for i := range 100 {
		_ = w.Receive(ctxB, memwms.DefaultWarehouse, fmt.Sprintf("SKU-%d-0", i), 1<<40)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		o := wms.Order{Shop: "dk", ExternalID: fmt.Sprint(i), Lines: []wms.OrderLine{
			{ExternalID: "l1", SKU: fmt.Sprintf("SKU-%d-0", i%100), Quantity: 1},
			{ExternalID: "l2", SKU: fmt.Sprintf("SKU-%d-0", (i+1)%100), Quantity: 2},
		}}
		if err := w.UpsertOrder(ctxB, o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReceiveWith1000HeldOrders measures a stock receipt that
// re-evaluates 1,000 held orders.
func BenchmarkReceiveWith1000HeldOrders(b *testing.B) {
	w, _ := memwms.New(nil)
	_ = w.UpsertProducts(ctxB, catalogue(2, 1))
	for i := range 1000 {
		_ = w.UpsertOrder(ctxB, wms.Order{Shop: "dk", ExternalID: fmt.Sprint(i), Lines: []wms.OrderLine{{ExternalID: "l1", SKU: "SKU-0-0", Quantity: 1}}})
	}
	b.ResetTimer()
	for b.Loop() {
		if err := w.Receive(ctxB, memwms.DefaultWarehouse, "SKU-1-0", 1); err != nil {
			b.Fatal(err)
		}
	}
}
