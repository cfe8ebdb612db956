package memwms_test

import (
	"testing"

	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

func TestBrandOrSupplier(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ok(t, b.w.UpsertProducts(ctxB, []wms.Product{
		{Shop: "dk", ExternalID: "1", Main: true, Title: "Mug", Brand: "Acme", Variants: []wms.Variant{{SKU: "MUG", ExternalID: "v1"}}},
		{Shop: "dk", ExternalID: "2", Main: true, Title: "Cup", Supplier: "Nordic Supply", Variants: []wms.Variant{{SKU: "CUP", ExternalID: "v2"}}},
		{Shop: "dk", ExternalID: "3", Main: true, Title: "Jug", Supplier: "Nordic Supply", Variants: []wms.Variant{{SKU: "JUG", ExternalID: "v3"}}},
		{Shop: "dk", ExternalID: "4", Main: true, Title: "Pot", Supplier: "Acme Wholesale", Variants: []wms.Variant{{SKU: "POT", ExternalID: "v4"}}},
	}))
	mug, err := b.w.Item(ctxB, "MUG")
	ok(t, err)
	eq(t, "Acme", mug.Brand, "brand")
	eq(t, "", mug.Supplier, "supplier of a branded product")
	cup, err := b.w.Item(ctxB, "CUP")
	ok(t, err)
	eq(t, "Nordic Supply", cup.Supplier, "supplier")
	eq(t, []string{"Acme Wholesale", "Nordic Supply"}, b.w.Suppliers(), "suppliers created once each")
	eq(t, 4, len(b.w.Items()), "items")
}

func TestNewRejectsBadWarehouses(t *testing.T) {
	t.Parallel()
	for name, whs := range map[string][]wms.Warehouse{
		"empty id":  {{ID: ""}},
		"duplicate": {{ID: "a"}, {ID: "a"}},
	} {
		if _, err := memwms.New(&memwms.Config{Warehouses: whs}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	w, err := memwms.New(nil)
	ok(t, err)
	whs, err := w.Warehouses(ctxB)
	ok(t, err)
	eq(t, []wms.Warehouse{{ID: memwms.DefaultWarehouse, Name: "Main warehouse"}}, whs, "default warehouses")
}
