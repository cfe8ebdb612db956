package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// variantsPerProduct is the catalogue shape the issue names.
const variantsPerProduct = 3

// writeCatalog writes a bulk products export of n products with
// variantsPerProduct variants each, in the JSONL format Shopify produces for
// shopify/graphql/bulkProductsExport.graphql: one line per product, then
// one line per variant naming its product in "__parentId". IDs are above
// 2^53 like the simulator's. The content is deterministic.
func writeCatalog(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	const base = int64(1) << 53
	for p := range n {
		pid := base + int64(p)*10
		_, err := fmt.Fprintf(bw, `{"id":"gid://shopify/Product/%d","title":"Product %d \"Classic\"","handle":"product-%d","vendor":"Vendor %d","productType":"Type %d","status":"ACTIVE","tags":["bench","tag-%d"],"createdAt":"2026-01-02T03:04:05Z","updatedAt":"2026-03-04T05:06:07Z"}`+"\n",
			pid, p, p, p%97, p%13, p%31)
		if err != nil {
			return err
		}
		for v := range variantsPerProduct {
			vid := pid + int64(v) + 1
			_, err := fmt.Fprintf(bw, `{"id":"gid://shopify/ProductVariant/%d","title":"Size %d","sku":"SKU-%07d-%d","barcode":"%013d","price":"%d.%02d","position":%d,"updatedAt":"2026-03-04T05:06:07Z","inventoryItem":{"id":"gid://shopify/InventoryItem/%d","sku":"SKU-%07d-%d","tracked":true,"unitCost":{"amount":"%d.50","currencyCode":"EUR"},"harmonizedSystemCode":"6109.10","countryCodeOfOrigin":"PT","provinceCodeOfOrigin":null},"__parentId":"gid://shopify/Product/%d"}`+"\n",
				vid, v, p, v, int64(4000000000000)+int64(p)*variantsPerProduct+int64(v), 10+p%90, v*7, v+1, vid+base, p, v, 3+p%40, pid)
			if err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// catalogFile writes the export of n products to a file in dir.
func catalogFile(tb testing.TB, dir string, n int) (path string, size int64) {
	tb.Helper()
	path = filepath.Join(dir, fmt.Sprintf("products-%d.jsonl", n))
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := writeCatalog(f, n); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return path, st.Size()
}

// bulkProduct and bulkVariant are the rows of the export as the import
// decodes them.
type bulkProduct struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Vendor string `json:"vendor"`
}

type bulkVariant struct {
	ID            string          `json:"id"`
	Title         string          `json:"title"`
	SKU           string          `json:"sku"`
	Barcode       string          `json:"barcode"`
	Price         shopify.Decimal `json:"price"`
	InventoryItem *struct {
		ID       string `json:"id"`
		UnitCost *struct {
			Amount shopify.Decimal `json:"amount"`
		} `json:"unitCost"`
		HarmonizedSystemCode string `json:"harmonizedSystemCode"`
		CountryCodeOfOrigin  string `json:"countryCodeOfOrigin"`
		ProvinceCodeOfOrigin string `json:"provinceCodeOfOrigin"`
	} `json:"inventoryItem"`
}

// bareLine is every field the import reads from either kind of line, in
// plain Go types (strings, no shopify.Decimal validation), for the
// baseline decode.
type bareLine struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Vendor   string `json:"vendor"`
	SKU      string `json:"sku"`
	Barcode  string `json:"barcode"`
	Price    string `json:"price"`
	ParentID string `json:"__parentId"`
	// Location and Quantities are the fields of an inventory level line
	// (the stock export).
	Location *struct {
		ID string `json:"id"`
	} `json:"location"`
	Quantities []struct {
		Name     string `json:"name"`
		Quantity int    `json:"quantity"`
	} `json:"quantities"`
	InventoryItem *struct {
		ID       string `json:"id"`
		UnitCost *struct {
			Amount string `json:"amount"`
		} `json:"unitCost"`
		HarmonizedSystemCode string `json:"harmonizedSystemCode"`
		CountryCodeOfOrigin  string `json:"countryCodeOfOrigin"`
		ProvinceCodeOfOrigin string `json:"provinceCodeOfOrigin"`
	} `json:"inventoryItem"`
}

// toWMS maps one product group of the export to the WMS model. The
// Shopify connector's own mapping (shopify/connector, bulkProduct) is
// unexported, so this is the same field-for-field translation written out
// here: title, vendor as brand, and per variant SKU, ids, title, barcode,
// price, unit cost and customs.
func toWMS(g shopify.BulkGroup) (wms.Product, error) {
	var bp bulkProduct
	if err := g.Root.Decode(&bp); err != nil {
		return wms.Product{}, err
	}
	p := wms.Product{Shop: "bench", ExternalID: bp.ID, Title: bp.Title, Brand: bp.Vendor,
		Variants: make([]wms.Variant, 0, len(g.Descendants))}
	for _, row := range g.Descendants {
		if row.Type() != "ProductVariant" {
			continue
		}
		var bv bulkVariant
		if err := row.Decode(&bv); err != nil {
			return wms.Product{}, err
		}
		if bv.SKU == "" {
			continue
		}
		v := wms.Variant{SKU: bv.SKU, ExternalID: bv.ID, Title: bv.Title, Barcode: bv.Barcode, Price: wms.Decimal(bv.Price.String())}
		if ii := bv.InventoryItem; ii != nil {
			v.InventoryItemID = ii.ID
			if ii.UnitCost != nil {
				v.Cost = wms.Decimal(ii.UnitCost.Amount.String())
			}
			v.Customs = wms.Customs{HSCode: ii.HarmonizedSystemCode, CountryOfOrigin: ii.CountryCodeOfOrigin, ProvinceOfOrigin: ii.ProvinceCodeOfOrigin}
		}
		p.Variants = append(p.Variants, v)
	}
	return p, nil
}

// upsertBatch is how many products go to the WMS in one call (a page of
// the connector's default bulk page size order of magnitude).
const upsertBatch = 250

// importExport reads the export r, groups each product with its variants
// (GroupBulkRows as the connector does, or GroupAdjacentBulkRows), maps it
// and upserts batches into sink. It returns the number of products.
func importExport(ctx context.Context, r io.Reader, adjacent bool, spillDir string, sink func(context.Context, []wms.Product) error) (int, error) {
	groups := shopify.GroupBulkRows(r, &shopify.GroupOptions{Dir: spillDir})
	if adjacent {
		groups = shopify.GroupAdjacentBulkRows(r)
	}
	batch := make([]wms.Product, 0, upsertBatch)
	n := 0
	for g, err := range groups {
		if err != nil {
			return n, err
		}
		p, err := toWMS(g)
		if err != nil {
			return n, err
		}
		batch = append(batch, p)
		if len(batch) == upsertBatch {
			if err := sink(ctx, batch); err != nil {
				return n, err
			}
			n += len(batch)
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		if err := sink(ctx, batch); err != nil {
			return n, err
		}
		n += len(batch)
	}
	return n, nil
}

// bareDecode decodes every line of the export with one json.Decoder into
// a fresh struct and nothing else; it returns the number of lines.
func bareDecode(r io.Reader) (int, error) {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	n := 0
	for {
		var l bareLine
		if err := dec.Decode(&l); err != nil {
			if errors.Is(err, io.EOF) {
				return n, nil
			}
			return n, err
		}
		n++
	}
}

// cost is what one run took: wall-clock time and the CPU time of the whole
// process (user plus system, garbage collection included).
type cost struct{ wall, cpu time.Duration }

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runFile runs fn over the file at path and returns what it cost.
func runFile(b *testing.B, path string, fn func(io.Reader) error) cost {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	start, cpu := time.Now(), processCPU()
	if err := fn(f); err != nil {
		b.Fatal(err)
	}
	return cost{time.Since(start), processCPU() - cpu}
}

// costs keeps the best and the total of several runs.
type costs struct {
	best, total cost
	runs        int
}

func (c *costs) add(x cost) {
	if c.runs == 0 || x.wall < c.best.wall {
		c.best.wall = x.wall
	}
	if c.runs == 0 || x.cpu < c.best.cpu {
		c.best.cpu = x.cpu
	}
	c.total.wall += x.wall
	c.total.cpu += x.cpu
	c.runs++
}

// BenchmarkBulkImport measures the bulk import of a products export of
// 30,000 products × 3 variants (WMSBRIDGE_BENCH_BULK_PRODUCTS) from a JSONL
// file on disk into a fresh memwms, against a bare json.Decoder decode of
// the same file (into plain string fields) in the same iteration. The
// import is the streaming reader with GroupBulkRows (what
// shopify/connector uses) or GroupAdjacentBulkRows, the row-to-wms.Product
// mapping of toWMS (shopify.Decimal for money, as the connector decodes
// it), and memwms.UpsertProducts in batches of 250 (validation included).
// Each iteration runs the decode and the import once, alternating which
// goes first.
//
// Reported: ratio = the import's best CPU time ÷ the bare decode's best CPU
// time over the iterations (goal ≤ 2). CPU time of the process is used
// because the machine is shared: wall time also counts the time other
// processes held the cores. ratio_wall is the same for the best wall-clock
// times; import_cpu_s and decode_cpu_s are the best CPU times. Run with
// -benchtime 3x or more.
func BenchmarkBulkImport(b *testing.B) {
	n := envInt(b, "WMSBRIDGE_BENCH_BULK_PRODUCTS", 30000)
	for _, mode := range []struct {
		name     string
		adjacent bool
	}{{"GroupBulkRows", false}, {"GroupAdjacentBulkRows", true}} {
		b.Run(mode.name, func(b *testing.B) {
			dir := b.TempDir()
			path, size := catalogFile(b, dir, n)
			ctx := context.Background()
			var dec, imp costs
			i := 0
			for b.Loop() {
				m, err := memwms.New(nil)
				if err != nil {
					b.Fatal(err)
				}
				decode := func() {
					dec.add(runFile(b, path, func(r io.Reader) error {
						lines, err := bareDecode(r)
						if err == nil && lines != n*(1+variantsPerProduct) {
							err = fmt.Errorf("decoded %d lines, want %d", lines, n*(1+variantsPerProduct))
						}
						return err
					}))
				}
				load := func() {
					imp.add(runFile(b, path, func(r io.Reader) error {
						got, err := importExport(ctx, r, mode.adjacent, dir, m.UpsertProducts)
						if err == nil && got != n {
							err = fmt.Errorf("imported %d products, want %d", got, n)
						}
						return err
					}))
				}
				runtime.GC()
				if i%2 == 0 {
					decode()
					runtime.GC()
					load()
				} else {
					load()
					runtime.GC()
					decode()
				}
				i++
				if items, err := m.CountItems(ctx); err != nil || items != n*variantsPerProduct {
					b.Fatalf("the WMS holds %d items (%v), want %d", items, err, n*variantsPerProduct)
				}
			}
			ratio := float64(imp.best.cpu) / float64(dec.best.cpu)
			ratioWall := float64(imp.best.wall) / float64(dec.best.wall)
			b.ReportMetric(ratio, "ratio")
			b.ReportMetric(ratioWall, "ratio_wall")
			b.ReportMetric(imp.best.cpu.Seconds(), "import_cpu_s")
			b.ReportMetric(dec.best.cpu.Seconds(), "decode_cpu_s")
			b.Logf("%d products × %d variants (%.1f MB JSONL), %d iterations: import best CPU %v wall %v (mean wall %v); bare decode best CPU %v wall %v (mean wall %v); ratio CPU %.2f, wall %.2f",
				n, variantsPerProduct, float64(size)/1e6, i,
				imp.best.cpu, imp.best.wall, imp.total.wall/time.Duration(i),
				dec.best.cpu, dec.best.wall, dec.total.wall/time.Duration(i), ratio, ratioWall)
		})
	}
}

// heapSampler records the high-water marks of the heap while it runs:
// live is the live heap as measured by each garbage collection
// (/gc/heap/live:bytes), inUse the bytes of heap objects, live or not yet
// swept (/memory/classes/heap/objects:bytes), sampled every millisecond;
// rss is the resident set of the process (/proc/self/statm, Linux only),
// sampled every 5 ms.
type heapSampler struct {
	stop             chan struct{}
	done             gosync.WaitGroup
	live, inUse, rss uint64
}

// residentBytes returns the process's resident set size, or 0 where
// /proc/self/statm is not available.
func residentBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * uint64(os.Getpagesize())
}

func startHeapSampler() *heapSampler {
	runtime.GC()
	runtime.GC()
	s := &heapSampler{stop: make(chan struct{})}
	samples := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
	read := func() {
		metrics.Read(samples)
		s.live = max(s.live, samples[0].Value.Uint64())
		s.inUse = max(s.inUse, samples[1].Value.Uint64())
	}
	read()
	s.rss = residentBytes()
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for tick := 1; ; tick++ {
			select {
			case <-s.stop:
				read()
				s.rss = max(s.rss, residentBytes())
				return
			case <-t.C:
				read()
				if tick%5 == 0 {
					s.rss = max(s.rss, residentBytes())
				}
			}
		}
	}()
	return s
}

func (s *heapSampler) finish() (live, inUse uint64) {
	close(s.stop)
	s.done.Wait()
	return s.live, s.inUse
}

// BenchmarkBulkImportMemory measures the peak heap of a bulk import of
// 30,000 and of 300,000 products × 3 variants. The export is streamed
// from a generator (no copy of it in memory) through the same pipeline as
// BenchmarkBulkImport into a sink that counts the products and keeps
// nothing, so the numbers are the SDK's own memory, not the WMS's data
// (memwms keeps every item in memory and grows with the catalogue by
// design). GroupBulkRows spills the stream to a temporary file, as the
// connector does with a download. Reported per size and grouping:
// peak_live_MB (high-water of the live heap after each GC) and
// peak_heap_MB (high-water of heap objects incl. garbage), minus the heap
// before the run; the goal is that 300k is no higher than 30k.
func BenchmarkBulkImportMemory(b *testing.B) {
	for _, mode := range []struct {
		name     string
		adjacent bool
	}{{"GroupBulkRows", false}, {"GroupAdjacentBulkRows", true}} {
		for _, n := range []int{30000, 300000} {
			b.Run(fmt.Sprintf("%s/products=%d", mode.name, n), func(b *testing.B) {
				dir := b.TempDir()
				ctx := context.Background()
				for b.Loop() {
					pr, pw := io.Pipe()
					go func() { pw.CloseWithError(writeCatalog(pw, n)) }()
					counted := 0
					sink := func(_ context.Context, ps []wms.Product) error {
						if err := wms.ValidateAll("products", ps); err != nil {
							return err
						}
						for _, p := range ps {
							counted += len(p.Variants)
						}
						return nil
					}
					runtime.GC()
					var before runtime.MemStats
					runtime.ReadMemStats(&before)
					hs := startHeapSampler()
					got, err := importExport(ctx, pr, mode.adjacent, dir, sink)
					live, inUse := hs.finish()
					_ = pr.Close()
					if err != nil {
						b.Fatal(err)
					}
					if got != n || counted != n*variantsPerProduct {
						b.Fatalf("imported %d products with %d variants, want %d and %d", got, counted, n, n*variantsPerProduct)
					}
					base := float64(before.HeapAlloc)
					b.ReportMetric((float64(live)-base)/1e6, "peak_live_MB")
					b.ReportMetric((float64(inUse)-base)/1e6, "peak_heap_MB")
				}
			})
		}
	}
}
