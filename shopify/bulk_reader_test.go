package shopify

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScanRowKeys(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, line, id, parent string
	}{
		{"root", `{"id":"gid://shopify/Product/1","title":"x"}`, "gid://shopify/Product/1", ""},
		{"child", `{"id":"gid://shopify/ProductVariant/2","title":"52","__parentId":"gid://shopify/Product/1"}`, "gid://shopify/ProductVariant/2", "gid://shopify/Product/1"},
		{"nested ids are not top-level", `{"inventoryItem":{"id":"gid://shopify/InventoryItem/9"},"tags":["a","}"],"id":"gid://shopify/ProductVariant/3"}`, "gid://shopify/ProductVariant/3", ""},
		{"strings with braces and escapes", `{"title":"a \"}\" b","note":"\\","__parentId":"gid://shopify/Order/7"}`, "", "gid://shopify/Order/7"},
		{"escaped value", `{"id":"gid:\/\/shopify\/Product\/5"}`, "gid://shopify/Product/5", ""},
		{"whitespace and scalars", ` { "n" : 12.5e3 , "b":true, "z":null, "id" : "gid://shopify/Product/6" } `, "gid://shopify/Product/6", ""},
		{"empty object", `{}`, "", ""},
		{"non-string id is ignored", `{"id":42}`, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, parent, err := scanRowKeys([]byte(c.line))
			require.NoError(t, err)
			assert.Equal(t, c.id, id)
			assert.Equal(t, c.parent, parent)
		})
	}
	for _, bad := range []string{`[1]`, `{"id":"x"`, `{"id" "x"}`, `{"id":"x"} trailing`, `{"a":"unterminated}`, `{"a":[1,2}`, `{"a":}`, `nope`} {
		_, _, err := scanRowKeys([]byte(bad))
		assert.Error(t, err, bad)
	}
}

func TestBulkReader(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 200_000) // longer than bufio's 64 KiB buffer
	in := "{\"id\":\"gid://shopify/Product/1\"}\r\n" +
		"\n" +
		`{"id":"gid://shopify/ProductVariant/2","title":"` + long + `","__parentId":"gid://shopify/Product/1"}` + "\n" +
		`{"id":"gid://shopify/InventoryLevel/3?inventory_item_id=4","__parentId":"gid://shopify/ProductVariant/2"}` // no final newline

	br := NewBulkReader(strings.NewReader(in))
	var rows []BulkRow
	for br.Next() {
		r := br.Row()
		r.raw = bytes.Clone(r.raw)
		rows = append(rows, r)
	}
	require.NoError(t, br.Err())
	require.Len(t, rows, 3)

	assert.Equal(t, "Product", rows[0].Type())
	assert.True(t, rows[0].IsRoot())
	assert.Equal(t, int64(1), rows[0].Line)
	assert.Equal(t, int64(0), rows[0].Offset)
	assert.Equal(t, `{"id":"gid://shopify/Product/1"}`, string(rows[0].Raw()), "CR and LF are trimmed")

	assert.Equal(t, "ProductVariant", rows[1].Type())
	assert.Equal(t, "gid://shopify/Product/1", rows[1].ParentID)
	assert.Equal(t, int64(3), rows[1].Line, "blank lines count as lines")
	assert.Equal(t, int64(len("{\"id\":\"gid://shopify/Product/1\"}\r\n\n")), rows[1].Offset)
	var v struct{ Title string }
	require.NoError(t, rows[1].Decode(&v))
	assert.Equal(t, long, v.Title)

	assert.Equal(t, "InventoryLevel", rows[2].Type())
	assert.Equal(t, "gid://shopify/ProductVariant/2", rows[2].ParentID)
	// The offset points at the row's bytes in the input.
	assert.Equal(t, in[rows[2].Offset:], string(rows[2].Raw()))
}

func TestBulkReaderErrors(t *testing.T) {
	t.Parallel()
	t.Run("line too long", func(t *testing.T) {
		br := NewBulkReader(strings.NewReader(`{"id":"a"}` + "\n" + `{"t":"` + strings.Repeat("y", 300_000) + `"}` + "\n"))
		br.MaxLineSize = 100_000
		require.True(t, br.Next())
		require.False(t, br.Next())
		assert.ErrorIs(t, br.Err(), ErrBulkLineTooLong)
	})
	t.Run("malformed", func(t *testing.T) {
		br := NewBulkReader(strings.NewReader("{\"id\":\"a\"}\n[1,2]\n{\"id\":\"b\"}\n"))
		require.True(t, br.Next())
		require.False(t, br.Next())
		assert.ErrorIs(t, br.Err(), ErrBulkMalformed)
		assert.Contains(t, br.Err().Error(), "line 2")
		assert.False(t, br.Next(), "stays stopped after an error")
	})
	t.Run("read error", func(t *testing.T) {
		boom := errors.New("boom")
		r := io.MultiReader(strings.NewReader("{\"id\":\"a\"}\n"), errReader{boom})
		var n int
		var got error
		for _, err := range BulkRows(r) {
			if err != nil {
				got = err
				break
			}
			n++
		}
		assert.Equal(t, 1, n)
		assert.ErrorIs(t, got, boom)
	})
	t.Run("decode error names the line", func(t *testing.T) {
		for row, err := range BulkRows(strings.NewReader(`{"id":"a","n":"x"}`)) {
			require.NoError(t, err)
			var v struct{ N int }
			err := row.Decode(&v)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "line 1")
		}
	})
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestBulkRowsStopsEarly(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	for i := range 10 {
		fmt.Fprintf(&buf, "{\"id\":\"gid://shopify/Product/%d\"}\n", i+1)
	}
	n := 0
	for _, err := range BulkRows(&buf) {
		require.NoError(t, err)
		n++
		if n == 3 {
			break
		}
	}
	assert.Equal(t, 3, n)
}
