package shopify

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeProductExport writes a products export of n products with k
// variants each in the shape of a BulkProductsQuery result. Variants are
// NOT adjacent to their product: variant j of product i is written after
// product i+1+j, so children of several products interleave (as Shopify
// allows). With adjacent, every product is directly followed by its
// variants (groupObjects: true).
func writeProductExport(w io.Writer, n, k int, adjacent bool) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	product := func(i int) {
		fmt.Fprintf(bw, `{"id":"gid://shopify/Product/%d","title":"Product %d","handle":"product-%d","vendor":"Acme","productType":"Shirt","status":"ACTIVE","tags":["a","b"],"createdAt":"2026-01-02T03:04:05Z","updatedAt":"2026-02-03T04:05:06Z"}`+"\n", 1000+i, i, i)
	}
	variant := func(i, j int) {
		id := 1_000_000 + i*k + j
		fmt.Fprintf(bw, `{"id":"gid://shopify/ProductVariant/%d","title":"Size %d","sku":"SKU-%d-%d","barcode":"40000%08d","price":"19.99","position":%d,"updatedAt":"2026-02-03T04:05:06Z","inventoryItem":{"id":"gid://shopify/InventoryItem/%d","sku":"SKU-%d-%d","tracked":true,"unitCost":{"amount":"7.5","currencyCode":"EUR"},"harmonizedSystemCode":"610910","countryCodeOfOrigin":"PT","provinceCodeOfOrigin":null},"__parentId":"gid://shopify/Product/%d"}`+"\n",
			id, j, i, j, id, j+1, id, i, j, 1000+i)
	}
	for i := range n {
		product(i)
		if adjacent {
			for j := range k {
				variant(i, j)
			}
			continue
		}
		for j := range k {
			if p := i - 1 - j; p >= 0 {
				variant(p, j)
			}
		}
	}
	if !adjacent {
		for p := max(0, n-k); p < n; p++ {
			for j := range k {
				if p+1+j >= n {
					variant(p, j)
				}
			}
		}
	}
	return bw.Flush()
}

func productExport(t testing.TB, n, k int, adjacent bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, writeProductExport(&buf, n, k, adjacent))
	return buf.Bytes()
}

// checkGroups verifies that every product came once, with exactly its k
// variants in order.
func checkGroups(t *testing.T, n, k int, products []*Product) {
	t.Helper()
	require.Len(t, products, n)
	seen := make(map[string]bool, n*k)
	for i, p := range products {
		if want := fmt.Sprintf("gid://shopify/Product/%d", 1000+i); p.ID != want {
			t.Fatalf("product %d is %s, want %s (file order)", i, p.ID, want)
		}
		if len(p.Variants) != k {
			t.Fatalf("%s has %d variants, want %d", p.ID, len(p.Variants), k)
		}
		for j, v := range p.Variants {
			if want := fmt.Sprintf("gid://shopify/ProductVariant/%d", 1_000_000+i*k+j); v.ID != want || v.Product.ID != p.ID {
				t.Fatalf("%s variant %d is %s of %s, want %s", p.ID, j, v.ID, v.Product.ID, want)
			}
			if seen[v.ID] {
				t.Fatalf("duplicate %s", v.ID)
			}
			seen[v.ID] = true
		}
	}
	require.Len(t, seen, n*k)
}

// Test30kProductsInterleaved is the acceptance test on 30,000 products with
// 3 variants each, children interleaved: rows stream with every variant
// after its product, and grouping (spilled and seekable) yields every
// product with exactly its variants, none lost or duplicated. The file is
// generated (the simulator's bulk endpoint is tested separately).
//
// Under the race detector (which slows this single-goroutine test about
// tenfold) it runs on 3,000 products; a plain go test runs the full size.
func Test30kProductsInterleaved(t *testing.T) {
	t.Parallel()
	n, k := 30_000, 3
	if raceEnabled {
		n = 3_000
	}
	data := productExport(t, n, k, false)

	t.Run("rows", func(t *testing.T) {
		productsSeen := map[string]bool{}
		variantsOf := map[string]int{}
		variants := map[string]bool{}
		adjacentPairs := 0
		last := ""
		for row, err := range ReadProductExport(bytes.NewReader(data)) {
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case row.Product != nil:
				if productsSeen[row.Product.ID] {
					t.Fatalf("duplicate product %s", row.Product.ID)
				}
				productsSeen[row.Product.ID] = true
				last = row.Product.ID
			case row.Variant != nil:
				if !productsSeen[row.ParentID] {
					t.Fatalf("variant %s before its product", row.Variant.ID)
				}
				if variants[row.Variant.ID] {
					t.Fatalf("duplicate variant %s", row.Variant.ID)
				}
				variants[row.Variant.ID] = true
				variantsOf[row.ParentID]++
				if row.ParentID == last {
					adjacentPairs++
				}
				if c := row.Variant.InventoryItem.UnitCost; c == nil || c.Amount != "7.5" {
					t.Fatalf("variant %s: unit cost %+v", row.Variant.ID, c)
				}
			default:
				t.Fatal("row with neither product nor variant")
			}
		}
		require.Len(t, productsSeen, n)
		require.Len(t, variants, n*k)
		for id, c := range variantsOf {
			if c != k {
				t.Fatalf("%s has %d variants", id, c)
			}
		}
		assert.Less(t, adjacentPairs, 10, "the fixture must really interleave")
	})

	t.Run("grouped from a stream (spilled)", func(t *testing.T) {
		dir := t.TempDir()
		var products []*Product
		for p, err := range GroupProductExport(io.MultiReader(bytes.NewReader(data)), &GroupOptions{Dir: dir}) {
			require.NoError(t, err)
			products = append(products, p)
		}
		checkGroups(t, n, k, products)
		left, err := os.ReadDir(dir)
		require.NoError(t, err)
		assert.Empty(t, left, "spill file removed")
	})

	t.Run("grouped from a seekable reader", func(t *testing.T) {
		r := bytes.NewReader(append([]byte("ignored prefix\n"), data...))
		_, err := r.Seek(int64(len("ignored prefix\n")), io.SeekStart)
		require.NoError(t, err)
		var products []*Product
		for p, err := range GroupProductExport(r, &GroupOptions{Dir: "/nonexistent-dir-proves-no-spill"}) {
			require.NoError(t, err)
			products = append(products, p)
		}
		checkGroups(t, n, k, products)
	})

	t.Run("adjacent grouping refuses interleaved input", func(t *testing.T) {
		var err error
		for _, e := range GroupAdjacentBulkRows(bytes.NewReader(data)) {
			if e != nil {
				err = e
				break
			}
		}
		assert.ErrorIs(t, err, ErrBulkMalformed)
		assert.ErrorIs(t, err, ErrBulkNotGrouped)
	})

	t.Run("the grouped hint on interleaved input", func(t *testing.T) {
		var products []*Product
		for p, err := range GroupProductExport(io.MultiReader(bytes.NewReader(data)), &GroupOptions{Dir: t.TempDir(), Grouped: true}) {
			require.NoError(t, err)
			products = append(products, p)
		}
		checkGroups(t, n, k, products)
	})
}

// TestGroupBulkRowsGroupedHint groups an export written with GroupObjects
// with the Grouped hint, from a stream (spilled) and from a seekable
// reader.
func TestGroupBulkRowsGroupedHint(t *testing.T) {
	t.Parallel()
	const n, k = 3_000, 3
	data := productExport(t, n, k, true)
	for name, r := range map[string]func() io.Reader{
		"spilled":  func() io.Reader { return io.MultiReader(bytes.NewReader(data)) },
		"seekable": func() io.Reader { return bytes.NewReader(data) },
	} {
		t.Run(name, func(t *testing.T) {
			var products []*Product
			for p, err := range GroupProductExport(r(), &GroupOptions{Dir: t.TempDir(), Grouped: true}) {
				require.NoError(t, err)
				products = append(products, p)
			}
			checkGroups(t, n, k, products)
		})
	}
}

// liveHeapWhileGrouping groups n products × 3 variants written with
// GroupObjects, generated on the fly through a pipe (so GroupBulkRows
// spills them), with the Grouped hint, and returns the largest live heap
// measured after a forced GC at 20 points along the way.
func liveHeapWhileGrouping(t *testing.T, n int) uint64 {
	t.Helper()
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeProductExport(pw, n, 3, true)) }()
	groups, every := 0, n/20
	var peak uint64
	var ms runtime.MemStats
	for g, err := range GroupBulkRows(pr, &GroupOptions{Dir: t.TempDir(), Grouped: true}) {
		require.NoError(t, err)
		require.Len(t, g.Descendants, 3)
		groups++
		if groups%every == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	require.Equal(t, n, groups)
	return peak
}

// TestGroupedHintMemoryIsFlat shows that grouping an export written with
// GroupObjects keeps no per-row state: 100,000 products need no more live
// memory than 10,000 (the index of GroupBulkRows without the hint would
// take about 6 MB more). Not parallel, so that no other test's allocations
// are on the heap while it measures.
func TestGroupedHintMemoryIsFlat(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("memory measurement skipped in -short mode and under the race detector (its shadow memory distorts the heap)")
	}
	liveHeapWhileGrouping(t, 1_000)
	small := liveHeapWhileGrouping(t, 10_000)
	large := liveHeapWhileGrouping(t, 100_000)
	t.Logf("peak live heap: 10k products %d KiB, 100k products %d KiB", small/1024, large/1024)
	assert.Less(t, large, small+512<<10, "live heap grew with the file size")
}

func TestGroupAdjacentBulkRows(t *testing.T) {
	t.Parallel()
	const n, k = 2_000, 3
	data := productExport(t, n, k, true)
	var products []*Product
	for g, err := range GroupAdjacentBulkRows(bytes.NewReader(data)) {
		require.NoError(t, err)
		p, err := assembleProduct(g)
		require.NoError(t, err)
		products = append(products, p)
	}
	checkGroups(t, n, k, products)
}

func TestGroupBulkRowsNested(t *testing.T) {
	t.Parallel()
	// Grandchildren (levels under variants) belong to the root's group;
	// Children picks direct children; an orphan is an error.
	in := strings.Join([]string{
		`{"id":"gid://shopify/Product/1"}`,
		`{"id":"gid://shopify/Product/2"}`,
		`{"id":"gid://shopify/ProductVariant/11","__parentId":"gid://shopify/Product/1"}`,
		`{"id":"gid://shopify/ProductVariant/21","__parentId":"gid://shopify/Product/2"}`,
		`{"id":"gid://shopify/InventoryLevel/111?inventory_item_id=5","__parentId":"gid://shopify/ProductVariant/11"}`,
		`{"countryCode":"DE","__parentId":"gid://shopify/ProductVariant/21"}`,
		`{"id":"gid://shopify/ProductVariant/12","__parentId":"gid://shopify/Product/1"}`,
	}, "\n")
	var groups []BulkGroup
	var copies [][]string
	for g, err := range GroupBulkRows(strings.NewReader(in), nil) {
		require.NoError(t, err)
		groups = append(groups, g)
		var ids []string
		for _, d := range g.Descendants {
			ids = append(ids, d.ID+"<"+d.ParentID)
		}
		copies = append(copies, ids)
		assert.Len(t, g.Children(g.Root.ID), map[string]int{"gid://shopify/Product/1": 2, "gid://shopify/Product/2": 1}[g.Root.ID])
	}
	require.Len(t, groups, 2)
	assert.Equal(t, []string{
		"gid://shopify/ProductVariant/11<gid://shopify/Product/1",
		"gid://shopify/InventoryLevel/111?inventory_item_id=5<gid://shopify/ProductVariant/11",
		"gid://shopify/ProductVariant/12<gid://shopify/Product/1",
	}, copies[0])
	assert.Equal(t, []string{
		"gid://shopify/ProductVariant/21<gid://shopify/Product/2",
		"<gid://shopify/ProductVariant/21",
	}, copies[1])

	var err error
	for _, e := range GroupBulkRows(strings.NewReader(`{"id":"gid://shopify/ProductVariant/1","__parentId":"gid://shopify/Product/9"}`), nil) {
		err = e
	}
	assert.ErrorIs(t, err, ErrBulkMalformed)
}

// liveHeapWhileStreaming streams n products × 3 variants generated on the
// fly through a pipe (the file never exists in memory) with
// ReadProductExport, and returns the largest live heap measured after a
// forced GC at 20 points along the way.
func liveHeapWhileStreaming(t *testing.T, n int) uint64 {
	t.Helper()
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeProductExport(pw, n, 3, false)) }()
	rows := 0
	every := n * 4 / 20
	var peak uint64
	var ms runtime.MemStats
	for row, err := range ReadProductExport(pr) {
		require.NoError(t, err)
		_ = row
		rows++
		if rows%every == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	require.Equal(t, n*4, rows)
	return peak
}

// TestBulkRowStreamingMemoryIsFlat shows that row streaming's live heap does
// not grow with the file: 100,000 rows need no more live memory than
// 10,000 (within a small slack for GC noise). Not parallel, so that no
// other test's allocations are on the heap while it measures.
func TestBulkRowStreamingMemoryIsFlat(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("memory measurement skipped in -short mode and under the race detector (its shadow memory distorts the heap)")
	}
	liveHeapWhileStreaming(t, 1_000)           // warm up lazily allocated runtime state
	small := liveHeapWhileStreaming(t, 2_500)  // 10,000 rows
	large := liveHeapWhileStreaming(t, 25_000) // 100,000 rows
	t.Logf("peak live heap: 10k rows %d KiB, 100k rows %d KiB", small/1024, large/1024)
	// A reader that kept rows would need ~35 MB more for the large file.
	assert.Less(t, large, small+512<<10, "live heap grew with the file size")
}

// benchmarkData is a 30,000 × 3 export (120,000 rows, about 45 MB).
func benchmarkData(b *testing.B) []byte {
	b.Helper()
	return productExport(b, 30_000, 3, false)
}

func reportRows(b *testing.B, rows int) {
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkBulkRows measures the streaming reader (ids and parent ids
// only), BenchmarkJSONDecoderIDs the bare json.Decoder loop doing the same
// job (decode each line's id and __parentId). Compare their ns/op for the
// ratio.
func BenchmarkBulkRows(b *testing.B) {
	data := benchmarkData(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	rows := 0
	for b.Loop() {
		rows = 0
		br := NewBulkReader(bytes.NewReader(data))
		for br.Next() {
			if br.Row().ID == "" {
				b.Fatal("row without id")
			}
			rows++
		}
		if br.Err() != nil {
			b.Fatal(br.Err())
		}
	}
	reportRows(b, rows)
	b.ReportMetric(float64(testing.AllocsPerRun(1, func() {
		br := NewBulkReader(bytes.NewReader(data))
		for br.Next() {
		}
	}))/float64(rows), "allocs/row")
}

func BenchmarkJSONDecoderIDs(b *testing.B) {
	data := benchmarkData(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	rows := 0
	type keys struct {
		ID       string `json:"id"`
		ParentID string `json:"__parentId"`
	}
	for b.Loop() {
		rows = 0
		dec := json.NewDecoder(bytes.NewReader(data))
		for {
			var k keys
			if err := dec.Decode(&k); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			if k.ID == "" {
				b.Fatal("row without id")
			}
			rows++
		}
	}
	reportRows(b, rows)
}

// BenchmarkReadProductExport measures typed row streaming (every row fully
// decoded into Product / ProductVariant), BenchmarkJSONDecoderTyped the
// bare json.Decoder loop decoding the same rows into the same types.
func BenchmarkReadProductExport(b *testing.B) {
	data := benchmarkData(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	rows := 0
	for b.Loop() {
		rows = 0
		for _, err := range ReadProductExport(bytes.NewReader(data)) {
			if err != nil {
				b.Fatal(err)
			}
			rows++
		}
	}
	reportRows(b, rows)
}

func BenchmarkJSONDecoderTyped(b *testing.B) {
	data := benchmarkData(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	rows := 0
	for b.Loop() {
		rows = 0
		dec := json.NewDecoder(bytes.NewReader(data))
		for {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			// The bare loop must also tell products from variants.
			if bytes.Contains(raw, []byte(`"__parentId"`)) {
				var v ProductVariant
				if err := json.Unmarshal(raw, &v); err != nil {
					b.Fatal(err)
				}
			} else {
				var p Product
				if err := json.Unmarshal(raw, &p); err != nil {
					b.Fatal(err)
				}
			}
			rows++
		}
	}
	reportRows(b, rows)
}

// BenchmarkGroupProductExport measures grouping 30,000 products (spilled
// to a temporary file) for comparison with plain row streaming.
func BenchmarkGroupProductExport(b *testing.B) {
	data := benchmarkData(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	dir := b.TempDir()
	for b.Loop() {
		n := 0
		for _, err := range GroupProductExport(io.MultiReader(bytes.NewReader(data)), &GroupOptions{Dir: dir}) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 30_000 {
			b.Fatal(n)
		}
	}
}
