package bench

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// TestBulkImportPipeline checks that what BenchmarkBulkImport measures is
// a real import: every generated product and variant reaches the WMS with
// its data, with either grouping function, and the bare decode sees every
// line.
func TestBulkImportPipeline(t *testing.T) {
	const n = 600
	var buf bytes.Buffer
	require.NoError(t, writeCatalog(&buf, n))
	data := buf.Bytes()

	lines, err := bareDecode(bytes.NewReader(data))
	require.NoError(t, err)
	assert.Equal(t, n*(1+variantsPerProduct), lines)

	for _, adjacent := range []bool{false, true} {
		m, err := memwms.New(nil)
		require.NoError(t, err)
		ctx := context.Background()
		got, err := importExport(ctx, bytes.NewReader(data), adjacent, t.TempDir(), m.UpsertProducts)
		require.NoError(t, err)
		assert.Equal(t, n, got)
		count, err := m.CountItems(ctx)
		require.NoError(t, err)
		assert.Equal(t, n*variantsPerProduct, count)

		it, err := m.Item(ctx, "SKU-0000123-2")
		require.NoError(t, err, "adjacent=%v", adjacent)
		assert.Equal(t, `Product 123 "Classic"`, it.Title)
		assert.Equal(t, "Size 2", it.VariantTitle)
		assert.Equal(t, "Vendor 26", it.Brand)
		assert.Equal(t, "4000000000371", it.Barcode)
		assert.True(t, it.Price.Equal(wms.Decimal("43.14")), "price %s", it.Price)
		assert.True(t, it.Cost.Equal(wms.Decimal("6.50")), "cost %s", it.Cost)
		assert.Equal(t, wms.Customs{HSCode: "6109.10", CountryOfOrigin: "PT"}, it.Customs)
		require.Len(t, it.Listings, 1)
		assert.Equal(t, "gid://shopify/Product/9007199254742222", it.Listings[0].ProductID)
	}
}
