package connector

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// stockExport writes a stock export of n items (ids from 1000 up, in steps
// of 3) with each item's levels at locs locations directly after it
// (grouped) or, with interleave, the levels of consecutive items mixed.
func stockExport(n, locs int, interleave bool) (string, map[string][]wmssync.LocationStock) {
	want := map[string][]wmssync.LocationStock{}
	var items, levels []string
	for i := range n {
		id := fmt.Sprintf("gid://shopify/InventoryItem/%d", 1000+3*i)
		items = append(items, fmt.Sprintf(`{"id":%q}`, id))
		for l := range locs {
			if (i+l)%7 == 3 {
				continue // not stocked there
			}
			loc := fmt.Sprintf("gid://shopify/Location/%d", 50+l)
			qty := int64((i*31+l*17)%200 - 20)
			levels = append(levels, fmt.Sprintf(`{"location":{"id":%q},"quantities":[{"name":"on_hand","quantity":%d}],"__parentId":%q}`, loc, qty, id))
			want[id] = append(want[id], wmssync.LocationStock{LocationID: loc, OnHand: qty})
		}
	}
	var b strings.Builder
	if !interleave {
		li := 0
		for _, it := range items {
			b.WriteString(it + "\n")
			for li < len(levels) && strings.Contains(levels[li], strings.TrimSuffix(strings.TrimPrefix(it, `{"id":`), "}")) {
				b.WriteString(levels[li] + "\n")
				li++
			}
		}
		return b.String(), want
	}
	for _, it := range items {
		b.WriteString(it + "\n")
	}
	rand.New(rand.NewPCG(1, 1)).Shuffle(len(levels), func(i, j int) { levels[i], levels[j] = levels[j], levels[i] })
	for _, l := range levels {
		b.WriteString(l + "\n")
	}
	return b.String(), want
}

func checkStock(t *testing.T, x *stockIndex, want map[string][]wmssync.LocationStock, n int) {
	t.Helper()
	order := rand.New(rand.NewPCG(2, 2)).Perm(n)
	for k := range 2 * n {
		i := k % n
		if k >= n {
			i = order[k-n] // in file order first, then in random order
		}
		id := fmt.Sprintf("gid://shopify/InventoryItem/%d", 1000+3*i)
		got := x.levels(id)
		byLoc := func(a, b wmssync.LocationStock) int { return strings.Compare(a.LocationID, b.LocationID) }
		slices.SortFunc(got, byLoc)
		if fmt.Sprint(got) != fmt.Sprint(slices.SortedFunc(slices.Values(want[id]), byLoc)) {
			t.Fatalf("levels(%s) = %v, want %v", id, got, want[id])
		}
	}
	for _, id := range []string{"gid://shopify/InventoryItem/1001", "gid://shopify/InventoryItem/999", "gid://shopify/InventoryItem/01000",
		"gid://shopify/InventoryItem/99999999", "gid://shopify/ProductVariant/1000", "1000", ""} {
		if got := x.levels(id); len(got) != 0 {
			t.Fatalf("levels(%q) = %v, want none", id, got)
		}
	}
}

// A grouped stock export in item order is kept on disk with a sparse index
// (one entry per 256 records), and answers like a map, whatever the order
// of the lookups and wherever a block boundary falls.
func TestStockIndexOnDisk(t *testing.T) {
	const n, locs = 3000, 5
	export, want := stockExport(n, locs, false)
	x, err := readStockExport(strings.NewReader(export), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer x.close()
	if x.fallback != nil {
		t.Fatal("a grouped export in item order fell back to a map")
	}
	if len(x.sparse) > x.n/stockBlock+1 || x.n < n*3 {
		t.Fatalf("%d records, %d sparse entries", x.n, len(x.sparse))
	}
	checkStock(t, x, want, n)
	path := x.path
	x.close()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the spill file is left after close: %v", err)
	}
}

// An export whose levels are not in item order (written without grouping)
// is held in a map instead, with the same answers.
func TestStockIndexFallsBackToMap(t *testing.T) {
	const n, locs = 500, 3
	export, want := stockExport(n, locs, true)
	x, err := readStockExport(strings.NewReader(export), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer x.close()
	if x.fallback == nil {
		t.Fatal("levels out of item order were kept on disk")
	}
	checkStock(t, x, want, n)
}
