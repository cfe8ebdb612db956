package wmstest

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/wmsbridge/wmsbridge/wms"
)

const workers = 8

// parallel runs fn(i) for i in [0, n) on n goroutines started together and
// returns their errors.
func parallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[i] = fn(i)
		}()
	}
	start.Done()
	done.Wait()
	return errs
}

func (k *kit) concurrencyTests() []test {
	return []test{
		{"DistinctProducts", func(t *testing.T) {
			ctx, b := k.setup(t)
			const per = 20
			errs := parallel(workers, func(w int) error {
				for i := range per {
					p := product("shop-a", fmt.Sprintf("p%d-%d", w, i), true, "P",
						variant(fmt.Sprintf("SKU-%d-%d", w, i), fmt.Sprintf("v%d-%d", w, i)))
					if err := b.UpsertProducts(ctx, []wms.Product{p}); err != nil {
						return err
					}
				}
				return nil
			})
			for _, err := range errs {
				noError(t, err)
			}
			for w := range workers {
				for i := range per {
					requireListings(t, mustItem(ctx, t, b, fmt.Sprintf("SKU-%d-%d", w, i)), wms.Listing{
						Shop: "shop-a", ProductID: fmt.Sprintf("p%d-%d", w, i), VariantID: fmt.Sprintf("v%d-%d", w, i),
						InventoryItemID: fmt.Sprintf("ii-v%d-%d", w, i),
					})
				}
			}
			countItems(ctx, t, b, workers*per)
		}},
		{"SameProduct", func(t *testing.T) {
			ctx, b := k.setup(t)
			titles := make([]string, workers)
			errs := parallel(workers, func(w int) error {
				titles[w] = fmt.Sprintf("Title from writer %d", w)
				p := product("shop-a", "p1", true, titles[w], variant("SKU-1", "v1"), variant("SKU-2", "v2"))
				return b.UpsertProducts(ctx, []wms.Product{p})
			})
			for _, err := range errs {
				noError(t, err)
			}
			it1, it2 := mustItem(ctx, t, b, "SKU-1"), mustItem(ctx, t, b, "SKU-2")
			isTrue(t, slices.Contains(titles, it1.Title), "title %q", it1.Title)
			isTrue(t, slices.Contains(titles, it2.Title), "title %q", it2.Title)
			hasLen(t, it1.Listings, 1, "one listing, however many writers")
			hasLen(t, it2.Listings, 1, "one listing, however many writers")
			countItems(ctx, t, b, 2)
		}},
		{"SharedSKUAcrossShops", func(t *testing.T) {
			ctx, b := k.setup(t)
			errs := parallel(workers, func(w int) error {
				p := product(fmt.Sprintf("shop-%d", w), "p1", w == 0, "T", variant("SKU-1", "v1"))
				return b.UpsertProducts(ctx, []wms.Product{p})
			})
			for _, err := range errs {
				noError(t, err)
			}
			it := mustItem(ctx, t, b, "SKU-1")
			hasLen(t, it.Listings, workers, "every shop's listing is kept")
			equal(t, "shop-0", it.Source, "the main shop's data wins whatever the order")
			countItems(ctx, t, b, 1)
		}},
		{"DistinctOrders", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			const per = 20
			errs := parallel(workers, func(w int) error {
				for i := range per {
					o := order("shop-a", fmt.Sprintf("%d-%d", w, i), line("l1", "SKU-1", 1))
					if err := b.UpsertOrder(ctx, o); err != nil {
						return err
					}
				}
				return nil
			})
			for _, err := range errs {
				noError(t, err)
			}
			for w := range workers {
				for i := range per {
					mustOrder(ctx, t, b, wms.OrderKey{Shop: "shop-a", ExternalID: fmt.Sprintf("%d-%d", w, i)})
				}
			}
			countOrders(ctx, t, b, workers*per)
		}},
		{"SameOrder", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			versions := make([][]wms.OrderLine, workers)
			for w := range versions {
				versions[w] = []wms.OrderLine{line(fmt.Sprintf("l%d", w), "SKU-1", int64(w+1)), line("shared", "SKU-2", int64(10+w))}
			}
			errs := parallel(workers, func(w int) error {
				o := order("shop-a", "1001", versions[w]...)
				return b.UpsertOrder(ctx, o)
			})
			for _, err := range errs {
				noError(t, err)
			}
			got := mustOrder(ctx, t, b, wms.OrderKey{Shop: "shop-a", ExternalID: "1001"})
			match := slices.IndexFunc(versions, func(v []wms.OrderLine) bool {
				if len(v) != len(got.Lines) {
					return false
				}
				for i := range v {
					if v[i].ExternalID != got.Lines[i].ExternalID || v[i].Quantity != got.Lines[i].Quantity {
						return false
					}
				}
				return true
			})
			isTrue(t, match >= 0, "the stored lines %+v are one writer's lines, not a mix", got.Lines)
			countOrders(ctx, t, b, 1)
		}},
	}
}
