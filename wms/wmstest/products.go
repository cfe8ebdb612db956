package wmstest

import (
	"fmt"
	"testing"

	"github.com/wmsbridge/wmsbridge/wms"
)

func (k *kit) productTests() []test {
	return []test{
		{"Create", func(t *testing.T) {
			ctx, b := k.setup(t)
			v1, v2 := variant("SKU-1", "v1"), variant("SKU-2", "v2")
			v2.Cost = "7.50"
			v2.Customs = wms.Customs{HSCode: "6109.10", CountryHSCodes: map[string]string{"US": "6109.10.0012"}, CountryOfOrigin: "PT", ProvinceOfOrigin: "PT-13"}
			p := product("shop-a", "p1", true, "Shirt", v1, v2)
			p.Supplier = "Acme"
			noError(t, b.UpsertProducts(ctx, []wms.Product{p}))

			it1 := mustItem(ctx, t, b, "SKU-1")
			requireItemData(t, p, v1, it1)
			requireListings(t, it1, listing(p, v1))
			it2 := mustItem(ctx, t, b, "SKU-2")
			requireItemData(t, p, v2, it2)
			isTrue(t, it2.Cost.Equal("7.5"), "cost %v", it2.Cost)
			isTrue(t, v2.Customs.Equal(it2.Customs), "customs %+v", it2.Customs)
			requireListings(t, it2, listing(p, v2))
			countItems(ctx, t, b, 2)
		}},
		{"ItemNotFound", func(t *testing.T) {
			ctx, b := k.setup(t)
			_, err := b.Item(ctx, "NO-SUCH-SKU")
			errorIs(t, err, wms.ErrNotFound)
		}},
		{"EmptyBatch", func(t *testing.T) {
			ctx, b := k.setup(t)
			noError(t, b.UpsertProducts(ctx, nil))
			countItems(ctx, t, b, 0)
		}},
		{"Idempotent", func(t *testing.T) {
			ctx, b := k.setup(t)
			p := product("shop-a", "p1", true, "Shirt", variant("SKU-1", "v1"), variant("SKU-2", "v2"))
			noError(t, b.UpsertProducts(ctx, []wms.Product{p}))
			first := mustItem(ctx, t, b, "SKU-1")
			noError(t, b.UpsertProducts(ctx, []wms.Product{p}))
			noError(t, b.UpsertProducts(ctx, []wms.Product{p, p}))
			equal(t, first, mustItem(ctx, t, b, "SKU-1"), "a repeated upsert changes nothing")
			requireListings(t, mustItem(ctx, t, b, "SKU-2"), listing(p, p.Variants[1]))
			countItems(ctx, t, b, 2)
		}},
		{"UpdateInPlace", func(t *testing.T) {
			ctx, b := k.setup(t)
			p := product("shop-a", "p1", true, "Shirt", variant("SKU-1", "v1"))
			noError(t, b.UpsertProducts(ctx, []wms.Product{p}))
			p.Title, p.Brand = "Better shirt", "Other brand"
			p.Variants[0].Barcode, p.Variants[0].Price = "5701234567892", "24.00"
			p.Variants[0].Weight = wms.Weight{Value: "300", Unit: wms.Grams}
			noError(t, b.UpsertProducts(ctx, []wms.Product{p}))
			it := mustItem(ctx, t, b, "SKU-1")
			requireItemData(t, p, p.Variants[0], it)
			requireListings(t, it, listing(p, p.Variants[0]))
			countItems(ctx, t, b, 1)
		}},
		{"AbsentCostAndCustomsKept", func(t *testing.T) {
			ctx, b := k.setup(t)
			v := variant("SKU-1", "v1")
			v.Cost, v.Customs = "3.10", wms.Customs{HSCode: "4202.92", CountryOfOrigin: "CN"}
			p := product("shop-a", "p1", true, "Bag", v)
			noError(t, b.UpsertProducts(ctx, []wms.Product{p}))
			p.Variants[0].Cost, p.Variants[0].Customs = "", wms.Customs{}
			p.Title = "Bag v2"
			noError(t, b.UpsertProducts(ctx, []wms.Product{p}))
			it := mustItem(ctx, t, b, "SKU-1")
			equal(t, "Bag v2", it.Title)
			isTrue(t, it.Cost.Equal("3.1"), "cost %v kept", it.Cost)
			equal(t, "4202.92", it.Customs.HSCode)
			equal(t, "CN", it.Customs.CountryOfOrigin)
		}},
		{"AbsentWeightKept", func(t *testing.T) {
			// A shop's product feed may not carry weights (Shopify's
			// product webhooks have not since 2024-07): the zero Weight
			// means unknown and keeps the stored one, while a known zero
			// weight is written.
			ctx, b := k.setup(t)
			p := product("shop-a", "p1", true, "Kettle", variant("SKU-1", "v1"), variant("SKU-2", "v2"))
			p.Variants[0].Weight = wms.Weight{Value: "1.2", Unit: wms.Kilograms}
			p.Variants[1].Weight = wms.Weight{Value: "800", Unit: wms.Grams}
			noError(t, b.UpsertProducts(ctx, []wms.Product{p}))
			p.Title = "Kettle v2"
			p.Variants[0].Weight = wms.Weight{}
			p.Variants[1].Weight = wms.Weight{Value: "0", Unit: wms.Grams}
			noError(t, b.UpsertProducts(ctx, []wms.Product{p}))
			it := mustItem(ctx, t, b, "SKU-1")
			equal(t, "Kettle v2", it.Title)
			isTrue(t, it.Weight.Value.Equal("1.2") && it.Weight.Unit == wms.Kilograms, "weight %+v, want the stored 1.2 kg kept", it.Weight)
			it = mustItem(ctx, t, b, "SKU-2")
			isTrue(t, it.Weight.Value.Equal("0") && it.Weight.Value != "" && it.Weight.Unit == wms.Grams, "weight %+v, want the known 0 g written", it.Weight)
		}},
		{"AbsentInventoryItemIDKept", func(t *testing.T) {
			// A payload may not carry the variant's inventory item (it is
			// null in Shopify's own product sample): "" keeps the
			// listing's.
			ctx, b := k.setup(t)
			p := product("shop-a", "p1", true, "Kettle", variant("SKU-1", "v1"))
			noError(t, b.UpsertProducts(ctx, []wms.Product{p}))
			want := listing(p, p.Variants[0])
			p.Variants[0].InventoryItemID = ""
			noError(t, b.UpsertProducts(ctx, []wms.Product{p}))
			requireListings(t, mustItem(ctx, t, b, "SKU-1"), want)
		}},
		{"Batch", func(t *testing.T) {
			ctx, b := k.setup(t)
			const n = 300
			ps := make([]wms.Product, n)
			for i := range ps {
				ps[i] = product("shop-a", fmt.Sprintf("p%d", i), true, fmt.Sprintf("Product %d", i),
					variant(fmt.Sprintf("SKU-%d-A", i), fmt.Sprintf("v%d-a", i)),
					variant(fmt.Sprintf("SKU-%d-B", i), fmt.Sprintf("v%d-b", i)))
			}
			noError(t, b.UpsertProducts(ctx, ps))
			noError(t, b.UpsertProducts(ctx, ps))
			for i := range ps {
				for _, v := range ps[i].Variants {
					it := mustItem(ctx, t, b, v.SKU)
					requireItemData(t, ps[i], v, it)
					requireListings(t, it, listing(ps[i], v))
				}
			}
			countItems(ctx, t, b, 2*n)
		}},
		{"MainShopWins", func(t *testing.T) {
			ctx, b := k.setup(t)
			// A SKU seen first in a secondary shop takes its data.
			other := product("shop-b", "pb", false, "Secondary title", variant("SKU-1", "vb"))
			noError(t, b.UpsertProducts(ctx, []wms.Product{other}))
			requireItemData(t, other, other.Variants[0], mustItem(ctx, t, b, "SKU-1"))

			// The main shop's data replaces it.
			main := product("shop-a", "pa", true, "Main title", variant("SKU-1", "va"))
			main.Variants[0].Barcode = "5700000000001"
			noError(t, b.UpsertProducts(ctx, []wms.Product{main}))
			it := mustItem(ctx, t, b, "SKU-1")
			requireItemData(t, main, main.Variants[0], it)
			requireListings(t, it, listing(main, main.Variants[0]), listing(other, other.Variants[0]))

			// The secondary shop's later update only keeps its listing.
			other.Title = "Secondary renamed"
			other.Variants[0].InventoryItemID = "ii-vb-2"
			noError(t, b.UpsertProducts(ctx, []wms.Product{other}))
			it = mustItem(ctx, t, b, "SKU-1")
			requireItemData(t, main, main.Variants[0], it)
			requireListings(t, it, listing(main, main.Variants[0]), listing(other, other.Variants[0]))

			// The main shop's own update still applies.
			main.Title = "Main renamed"
			noError(t, b.UpsertProducts(ctx, []wms.Product{main}))
			requireItemData(t, main, main.Variants[0], mustItem(ctx, t, b, "SKU-1"))
			countItems(ctx, t, b, 1)
		}},
		{"SecondaryShopUpdatesItsOwnItems", func(t *testing.T) {
			ctx, b := k.setup(t)
			other := product("shop-b", "pb", false, "Only here", variant("SKU-9", "vb"))
			noError(t, b.UpsertProducts(ctx, []wms.Product{other}))
			other.Title = "Only here, renamed"
			noError(t, b.UpsertProducts(ctx, []wms.Product{other}))
			requireItemData(t, other, other.Variants[0], mustItem(ctx, t, b, "SKU-9"))
		}},
		{"SKUChangeMovesListing", func(t *testing.T) {
			ctx, b := k.setup(t)
			p := product("shop-a", "p1", true, "Cup", variant("SKU-OLD", "v1"))
			noError(t, b.UpsertProducts(ctx, []wms.Product{p}))
			p.Variants[0].SKU = "SKU-NEW"
			noError(t, b.UpsertProducts(ctx, []wms.Product{p}))
			requireListings(t, mustItem(ctx, t, b, "SKU-OLD"))
			requireListings(t, mustItem(ctx, t, b, "SKU-NEW"), listing(p, p.Variants[0]))
			countItems(ctx, t, b, 2)
		}},
		{"RemovedVariantUnlisted", func(t *testing.T) {
			ctx, b := k.setup(t)
			p := product("shop-a", "p1", true, "Cup", variant("SKU-1", "v1"), variant("SKU-2", "v2"))
			noError(t, b.UpsertProducts(ctx, []wms.Product{p}))
			p.Variants = p.Variants[:1]
			noError(t, b.UpsertProducts(ctx, []wms.Product{p}))
			requireListings(t, mustItem(ctx, t, b, "SKU-1"), listing(p, p.Variants[0]))
			requireListings(t, mustItem(ctx, t, b, "SKU-2"))
		}},
		{"SameSKUInTwoShopsListedTwice", func(t *testing.T) {
			ctx, b := k.setup(t)
			a := product("shop-a", "p1", true, "Cup", variant("SKU-1", "v1"))
			c := product("shop-c", "p1", false, "Cup", variant("SKU-1", "v1"))
			noError(t, b.UpsertProducts(ctx, []wms.Product{a, c}))
			requireListings(t, mustItem(ctx, t, b, "SKU-1"), listing(a, a.Variants[0]), listing(c, c.Variants[0]))
			countItems(ctx, t, b, 1)
		}},
		{"InvalidBatchWritesNothing", func(t *testing.T) {
			ctx, b := k.setup(t)
			good := product("shop-a", "p1", true, "Good", variant("SKU-GOOD", "v1"))
			for name, bad := range map[string]wms.Product{
				"empty SKU":     product("shop-a", "p2", true, "Bad", variant("", "v2")),
				"empty shop":    product("", "p2", true, "Bad", variant("SKU-BAD", "v2")),
				"empty id":      product("shop-a", "", true, "Bad", variant("SKU-BAD", "v2")),
				"duplicate SKU": product("shop-a", "p2", true, "Bad", variant("SKU-BAD", "v2"), variant("SKU-BAD", "v3")),
				"bad price":     product("shop-a", "p2", true, "Bad", func() wms.Variant { v := variant("SKU-BAD", "v2"); v.Price = "1,50"; return v }()),
			} {
				err := b.UpsertProducts(ctx, []wms.Product{good, bad})
				errorIs(t, err, wms.ErrInvalid, name)
			}
			_, err := b.Item(ctx, "SKU-GOOD")
			errorIs(t, err, wms.ErrNotFound, "nothing of an invalid batch is written")
			countItems(ctx, t, b, 0)
		}},
		{"DoesNotKeepInput", func(t *testing.T) {
			ctx, b := k.setup(t)
			v := variant("SKU-1", "v1")
			v.Customs = wms.Customs{HSCode: "1", CountryHSCodes: map[string]string{"US": "1.1"}}
			ps := []wms.Product{product("shop-a", "p1", true, "Cup", v)}
			noError(t, b.UpsertProducts(ctx, ps))
			ps[0].Title = "changed after the call"
			ps[0].Variants[0].Barcode = "changed"
			ps[0].Variants[0].Customs.CountryHSCodes["US"] = "changed"
			it := mustItem(ctx, t, b, "SKU-1")
			equal(t, "Cup", it.Title)
			equal(t, v.Barcode, it.Barcode)
			equal(t, "1.1", it.Customs.CountryHSCodes["US"])
			// Nor does it share what it returns.
			it.Listings[0].Shop = "changed"
			it.Customs.CountryHSCodes["US"] = "changed"
			again := mustItem(ctx, t, b, "SKU-1")
			equal(t, "shop-a", again.Listings[0].Shop)
			equal(t, "1.1", again.Customs.CountryHSCodes["US"])
		}},
	}
}
