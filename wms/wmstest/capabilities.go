package wmstest

import (
	"errors"
	"testing"

	"github.com/wmsbridge/wmsbridge/wms"
)

func requireMissing(t *testing.T, err error, want ...wms.Key) {
	t.Helper()
	errorIs(t, err, wms.ErrNotFound)
	var nf *wms.NotFoundError
	isTrue(t, errors.As(err, &nf), "error %v is a *wms.NotFoundError", err)
	sameKeys(t, want, nf.Missing)
}

func (k *kit) deleterTests() []test {
	return []test{
		{"RemovesListingsKeepsItems", func(t *testing.T) {
			ctx, b := k.setup(t)
			d := capability[wms.ProductDeleter](t, b)
			a := product("shop-a", "p1", true, "Cup", variant("SKU-1", "v1"), variant("SKU-2", "v2"))
			c := product("shop-c", "p9", false, "Cup", variant("SKU-1", "v9"))
			noError(t, b.UpsertProducts(ctx, []wms.Product{a, c}))
			check(t, d.DeleteProduct(ctx, a.Ref()))
			requireListings(t, mustItem(ctx, t, b, "SKU-1"), listing(c, c.Variants[0]))
			requireListings(t, mustItem(ctx, t, b, "SKU-2"))
			noError(t, d.DeleteProduct(ctx, a.Ref()), "deleting twice")
			noError(t, d.DeleteProduct(ctx, wms.ProductRef{Shop: "shop-a", ExternalID: "never-seen"}))
			countItems(ctx, t, b, 2)

			// The shop may list it again.
			noError(t, b.UpsertProducts(ctx, []wms.Product{a}))
			requireListings(t, mustItem(ctx, t, b, "SKU-2"), listing(a, a.Variants[1]))
		}},
	}
}

func (k *kit) customsTests() []test {
	return []test{
		{"SetsCustomsIdempotently", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			c := capability[wms.CustomsImporter](t, b)
			up := []wms.CustomsUpdate{
				{SKU: "SKU-1", Shop: "shop-a", Customs: wms.Customs{HSCode: "6109.10", CountryHSCodes: map[string]string{"US": "6109.10.0012", "CH": "6109.1000"}, CountryOfOrigin: "PT", ProvinceOfOrigin: "PT-13"}},
				{SKU: "SKU-2", Shop: "shop-a", Customs: wms.Customs{HSCode: "4202.92"}},
			}
			check(t, c.ImportCustoms(ctx, up))
			check(t, c.ImportCustoms(ctx, up))
			isTrue(t, up[0].Customs.Equal(mustItem(ctx, t, b, "SKU-1").Customs))
			isTrue(t, up[1].Customs.Equal(mustItem(ctx, t, b, "SKU-2").Customs))
		}},
		{"UnknownSKUReported", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			c := capability[wms.CustomsImporter](t, b)
			err := c.ImportCustoms(ctx, []wms.CustomsUpdate{
				{SKU: "NOPE", Customs: wms.Customs{HSCode: "1"}},
				{SKU: "SKU-1", Customs: wms.Customs{HSCode: "6109.10"}},
			})
			if errors.Is(err, wms.ErrNotSupported) {
				t.Skip(err)
			}
			requireMissing(t, err, wms.Key{Kind: "sku", ID: "NOPE"})
			equal(t, "6109.10", mustItem(ctx, t, b, "SKU-1").Customs.HSCode, "known SKUs are applied")
		}},
		{"Invalid", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			c := capability[wms.CustomsImporter](t, b)
			wantInvalid(t, c.ImportCustoms(ctx, []wms.CustomsUpdate{{SKU: ""}}))
		}},
	}
}

func (k *kit) costTests() []test {
	return []test{
		{"SetsCostIdempotently", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			c := capability[wms.CostImporter](t, b)
			up := []wms.CostUpdate{{SKU: "SKU-1", Cost: "4.25", Shop: "shop-a"}, {SKU: "SKU-2", Cost: "0.10", Shop: "shop-a"}}
			check(t, c.ImportCosts(ctx, up))
			check(t, c.ImportCosts(ctx, up))
			isTrue(t, mustItem(ctx, t, b, "SKU-1").Cost.Equal("4.25"))
			isTrue(t, mustItem(ctx, t, b, "SKU-2").Cost.Equal("0.1"))
			check(t, c.ImportCosts(ctx, []wms.CostUpdate{{SKU: "SKU-1", Cost: "5"}}))
			isTrue(t, mustItem(ctx, t, b, "SKU-1").Cost.Equal("5"), "a new cost replaces the old")
		}},
		{"UnknownSKUReported", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			c := capability[wms.CostImporter](t, b)
			err := c.ImportCosts(ctx, []wms.CostUpdate{{SKU: "NOPE", Cost: "1"}, {SKU: "SKU-2", Cost: "2.00"}})
			if errors.Is(err, wms.ErrNotSupported) {
				t.Skip(err)
			}
			requireMissing(t, err, wms.Key{Kind: "sku", ID: "NOPE"})
			isTrue(t, mustItem(ctx, t, b, "SKU-2").Cost.Equal("2"), "known SKUs are applied")
		}},
		{"Invalid", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			c := capability[wms.CostImporter](t, b)
			for _, u := range []wms.CostUpdate{{SKU: "", Cost: "1"}, {SKU: "SKU-1", Cost: "-1"}, {SKU: "SKU-1", Cost: "abc"}, {SKU: "SKU-1"}} {
				wantInvalid(t, c.ImportCosts(ctx, []wms.CostUpdate{u}), "%+v", u)
			}
			isTrue(t, mustItem(ctx, t, b, "SKU-1").Cost.IsZero(), "nothing written")
		}},
	}
}
