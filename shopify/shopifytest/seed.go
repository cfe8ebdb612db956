package shopifytest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
)

// SeedOptions describes a deterministic shop population. Zero values take
// the defaults noted on each field. The same options (including Seed) on a
// fresh shop with the same clock produce the same state, IDs included.
type SeedOptions struct {
	Seed uint64
	// Locations is the number of active locations the shop should have
	// (default 2); existing locations count towards it.
	Locations int
	// Products and VariantsPerProduct (default 3) size the catalog.
	Products           int
	VariantsPerProduct int
	// MaxStock bounds the available quantity per item and location
	// (default 100); about one level in ten is out of stock.
	MaxStock int
	// ProductAgeDays spreads product createdAt/updatedAt over that many
	// days before now (default 365).
	ProductAgeDays int
	// Orders is the number of orders to create, spread over the last
	// OrderAgeDays days (default 30, inside the 60-day window).
	Orders       int
	OrderAgeDays int
	// POSShare is the fraction of POS orders (default 0.2), AuthorizedShare
	// the fraction of web orders left authorised rather than paid (default
	// 0.3). MaxLinesPerOrder bounds line items per order (default 3).
	POSShare         float64
	AuthorizedShare  float64
	MaxLinesPerOrder int
}

// SeedResult summarises what Seed created.
type SeedResult struct {
	Locations  []int64
	ProductIDs []int64
	VariantIDs []int64
	OrderIDs   []int64
}

var (
	seedVendors   = []string{"Nordlicht", "Alpenwerk", "Hafenkontor", "Bergquelle", "Stadtgarten", "Kiezwerk", "Waldhaus", "Seeblick"}
	seedAdjective = []string{"Classic", "Organic", "Rugged", "Urban", "Vintage", "Essential", "Premium", "Light"}
	seedNoun      = []string{"T-Shirt", "Hoodie", "Backpack", "Mug", "Sneaker", "Cap", "Notebook", "Blanket", "Lamp", "Bottle"}
	seedTypes     = []string{"Apparel", "Accessories", "Home", "Footwear", "Stationery"}
	seedSizes     = []string{"XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL"}
	seedHS        = []string{"610910", "611020", "420292", "691200", "640411", "650500", "482010", "630140", "940520", "732393"}
	seedCountries = []string{"DE", "CN", "PT", "IT", "VN", "TR", "IN", "PL"}
)

// EAN13 returns the valid EAN-13 barcode for a 12-digit payload n (the
// check digit is appended).
func EAN13(n int64) string {
	d := fmt.Sprintf("%012d", n%1_000_000_000_000)
	sum := 0
	for i := 0; i < 12; i++ {
		v := int(d[i] - '0')
		if i%2 == 1 {
			v *= 3
		}
		sum += v
	}
	return d + fmt.Sprint((10-sum%10)%10)
}

// Seed populates the shop deterministically: locations, products with
// variants (unique SKUs "SIM-<product>-<variant>", valid EAN-13 barcodes,
// vendors, weights, prices, costs, HS codes, countries of origin, stock at
// every location) and orders (web and POS, authorised or paid, one to
// MaxLinesPerOrder lines). Seeding records no change events: it is the
// shop's initial state. It can be called again to add more.
func (s *Shop) Seed(o SeedOptions) (SeedResult, error) {
	if o.Locations <= 0 {
		o.Locations = 2
	}
	if o.VariantsPerProduct <= 0 {
		o.VariantsPerProduct = 3
	}
	if o.MaxStock <= 0 {
		o.MaxStock = 100
	}
	if o.ProductAgeDays <= 0 {
		o.ProductAgeDays = 365
	}
	if o.OrderAgeDays <= 0 {
		o.OrderAgeDays = 30
	}
	if o.POSShare == 0 {
		o.POSShare = 0.2
	}
	if o.AuthorizedShare == 0 {
		o.AuthorizedShare = 0.3
	}
	if o.MaxLinesPerOrder <= 0 {
		o.MaxLinesPerOrder = 3
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	s.mu.Lock()
	defer s.unlock()
	s.muted = true
	defer func() { s.muted = false }()

	var res SeedResult
	cities := []string{"Berlin", "Hamburg", "München", "Köln", "Leipzig", "Bremen"}
	for len(s.locationOrder) < o.Locations {
		n := len(s.locationOrder)
		s.addLocationLocked(LocationSpec{Name: fmt.Sprintf("Warehouse %s", cities[n%len(cities)]), City: cities[n%len(cities)]})
	}
	for _, id := range s.locationOrder {
		if s.locations[id].Active {
			res.Locations = append(res.Locations, id)
		}
	}
	now := s.now()
	base := len(s.productOrder)
	res.ProductIDs = make([]int64, 0, o.Products)
	for i := 0; i < o.Products; i++ {
		pn := base + i + 1
		spec := ProductSpec{
			Title:       fmt.Sprintf("%s %s %05d", seedAdjective[rng.IntN(len(seedAdjective))], seedNoun[rng.IntN(len(seedNoun))], pn),
			Vendor:      seedVendors[rng.IntN(len(seedVendors))],
			ProductType: seedTypes[rng.IntN(len(seedTypes))],
			Tags:        []string{"seed", fmt.Sprintf("batch-%d", pn%10)},
		}
		if rng.IntN(20) == 0 {
			spec.Status = "DRAFT"
		}
		hs := seedHS[rng.IntN(len(seedHS))]
		country := seedCountries[rng.IntN(len(seedCountries))]
		for v := 0; v < o.VariantsPerProduct; v++ {
			cents := 500 + rng.IntN(19500)
			price := shopify.Decimal(fmt.Sprintf("%d.%02d", cents/100, cents%100))
			costCents := cents * (30 + rng.IntN(31)) / 100
			vs := VariantSpec{
				Title:                seedSizes[v%len(seedSizes)],
				SKU:                  fmt.Sprintf("SIM-%06d-%d", pn, v+1),
				Barcode:              EAN13(400_000_000_000 + int64(pn)*100 + int64(v)),
				Price:                price,
				Cost:                 shopify.Decimal(fmt.Sprintf("%d.%02d", costCents/100, costCents%100)),
				HarmonizedSystemCode: hs,
				CountryCodeOfOrigin:  country,
				WeightGrams:          100 + rng.IntN(4900),
				Stock:                map[int64]int{},
			}
			if o.VariantsPerProduct == 1 {
				vs.Title = "Default Title"
			}
			for _, loc := range res.Locations {
				q := rng.IntN(o.MaxStock + 1)
				if rng.IntN(10) == 0 {
					q = 0
				}
				vs.Stock[loc] = q
			}
			spec.Variants = append(spec.Variants, vs)
		}
		created := now.Add(-time.Duration(rng.IntN(o.ProductAgeDays*24*3600)) * time.Second)
		updated := created.Add(time.Duration(rng.Int64N(int64(now.Sub(created))/int64(time.Second)+1)) * time.Second)
		p := s.createProductLocked(spec, false)
		p.CreatedAt, p.UpdatedAt = created, updated
		for k, vid := range p.VariantIDs {
			v := s.variants[vid]
			v.CreatedAt, v.UpdatedAt = created, updated
			it := s.items[v.InventoryItemID]
			it.CreatedAt, it.UpdatedAt = created, updated
			if k == 0 && rng.IntN(3) == 0 {
				it.CountryHarmonizedSystemCodes = []CountryHSCode{{CountryCode: "US", HarmonizedSystemCode: hs + "0010"}}
			}
			for _, loc := range s.itemLevels[it.ID] {
				lv := s.levels[levelKey{it.ID, loc}]
				lv.CreatedAt, lv.UpdatedAt = created, updated
			}
			res.VariantIDs = append(res.VariantIDs, vid)
		}
		res.ProductIDs = append(res.ProductIDs, p.ID)
	}
	if o.Orders > 0 {
		var all []int64
		for _, pid := range s.productOrder {
			if s.products[pid].Status == "ACTIVE" {
				all = append(all, s.products[pid].VariantIDs...)
			}
		}
		if len(all) == 0 {
			return res, fmt.Errorf("shopifytest: seeding orders needs active products")
		}
		times := make([]time.Time, o.Orders)
		for i := range times {
			times[i] = now.Add(-time.Duration(rng.IntN(o.OrderAgeDays*24*3600)) * time.Second)
		}
		slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
		for i := 0; i < o.Orders; i++ {
			spec := OrderSpec{CreatedAt: times[i], Financial: FinancialPaid, Email: fmt.Sprintf("customer%d@example.com", i+1)}
			spec.Location = res.Locations[rng.IntN(len(res.Locations))]
			if rng.Float64() < o.POSShare {
				spec.POS = true
			} else if rng.Float64() < o.AuthorizedShare {
				spec.Financial = FinancialAuthorized
			}
			nLines := 1 + rng.IntN(o.MaxLinesPerOrder)
			used := map[int64]bool{}
			for l := 0; l < nLines; l++ {
				vid := all[rng.IntN(len(all))]
				if used[vid] {
					continue
				}
				used[vid] = true
				spec.Lines = append(spec.Lines, OrderLineSpec{VariantID: vid, Quantity: 1 + rng.IntN(3)})
			}
			ord, err := s.createOrderLocked(spec)
			if err != nil {
				return res, err
			}
			res.OrderIDs = append(res.OrderIDs, ord.ID)
		}
	}
	return res, nil
}
