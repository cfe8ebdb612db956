package shopify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
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
		{"long strings", `{"title":"` + strings.Repeat(`ab\"c`, 20) + `","id":"` + strings.Repeat("x", 40) + `\/y"}`, strings.Repeat("x", 40) + "/y", ""},
		{"duplicate keys: the last string wins", `{"id":"a","__parentId":"p","id":"b","id":7}`, "b", "p"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, parent, err := scanRowKeys([]byte(c.line))
			require.NoError(t, err)
			assert.Equal(t, c.id, id)
			assert.Equal(t, c.parent, parent)
		})
	}
	for _, bad := range []string{`[1]`, `{} x`, `{"id":"x"`, `{"id" "x"}`, `{"id":"x"} trailing`, `{"a":"unterminated}`, `{"a":[1,2}`, `{"a":}`, `nope`} {
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

// TestScanString compares scanString with the plain byte-by-byte rule (a
// backslash escapes the next byte) on every string over a small alphabet
// up to 7 bytes, and on random longer strings (several 8-byte words).
func TestScanString(t *testing.T) {
	t.Parallel()
	reference := func(b []byte) (end int, escaped, ok bool) {
		for j := 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				escaped = true
				j++
			case '"':
				return j, escaped, true
			}
		}
		return 0, false, false
	}
	check := func(b []byte) {
		wantEnd, wantEsc, wantOK := reference(b)
		end, esc, err := scanString(b, 0)
		if (err == nil) != wantOK || (wantOK && (end != wantEnd || esc != wantEsc)) {
			t.Fatalf("scanString(%q) = %d, %v, %v; want %d, %v, ok %v", b, end, esc, err, wantEnd, wantEsc, wantOK)
		}
	}
	alphabet := []byte{'"', '\\', 'a'}
	var gen func(b []byte, n int)
	gen = func(b []byte, n int) {
		check(b)
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			gen(append(b, c), n-1)
		}
	}
	gen([]byte{'"'}, 7)
	// Runs of backslashes before a quote, at every position relative to
	// the 8-byte words.
	for m := range 40 {
		for k := range 60 {
			check([]byte(`"` + strings.Repeat("x", m) + strings.Repeat(`\`, k) + `"` + `y"`))
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := []byte{'"'}
		for range rng.IntN(120) {
			switch rng.IntN(20) {
			case 0:
				b = append(b, '"')
			case 1, 2:
				b = append(b, '\\')
			default:
				b = append(b, 'x')
			}
		}
		check(b)
	}
}

// TestBulkRowDecodeMatchesUnmarshal decodes rows of one reader, good and
// bad in turn, and checks that Decode (which reuses its reader's decoder)
// gives what json.Unmarshal gives: the same values and the same errors.
func TestBulkRowDecodeMatchesUnmarshal(t *testing.T) {
	t.Parallel()
	type target struct {
		ID    string          `json:"id"`
		N     int             `json:"n"`
		Price Decimal         `json:"price"`
		Tags  []string        `json:"tags"`
		Meta  map[string]int  `json:"meta"`
		Raw   json.RawMessage `json:"raw"`
	}
	lines := []string{
		`{"id":"a","n":1,"price":"1.50","tags":["x"],"meta":{"k":1},"raw":[1, 2]}`,
		`{"id":"c","n":tru}`,                        // syntax error that scanKeys lets through, after a decoded row
		`{"id":"b","n":"not a number","price":"2"}`, // type error: the rest still decodes
		`{"id":"d","price":"1e5"}`,                  // error from an UnmarshalJSON method
		`{"id":"e","n":5}   `,                       // trailing whitespace
		`{"id":"f","n":6,"tags":[]}`,
		`{"id":"g","n":1e400}`,
	}
	br := NewBulkReader(strings.NewReader(strings.Join(lines, "\n")))
	i := 0
	for br.Next() {
		row := br.Row()
		for range 2 { // twice: the second call reuses the decoder
			var got, want target
			gerr := row.Decode(&got)
			werr := json.Unmarshal([]byte(lines[i]), &want)
			assert.Equal(t, want, got, lines[i])
			if werr == nil {
				assert.NoError(t, gerr, lines[i])
				assert.NotNil(t, row.decs.free.Load(), "the decoder is kept for the next row")
			} else {
				require.Error(t, gerr, lines[i])
				assert.Equal(t, fmt.Sprintf("shopify: bulk result line %d: %v", i+1, werr), gerr.Error())
				var wse, gse *json.SyntaxError
				if errors.As(werr, &wse) {
					require.ErrorAs(t, gerr, &gse)
					assert.Equal(t, wse.Offset, gse.Offset, "syntax error offset within the line")
				}
			}
		}
		i++
	}
	require.NoError(t, br.Err())
	require.Equal(t, len(lines), i)

	var v struct{}
	assert.Error(t, BulkRow{}.Decode(&v), "a zero row has no JSON")
	assert.Error(t, BulkRow{raw: []byte(`{}`), decs: &rowDecoders{}}.Decode(v), "not a pointer")
}

// TestBulkRowDecodeConcurrent decodes the rows of one group from several
// goroutines at once (run it with -race).
func TestBulkRowDecodeConcurrent(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(`{"id":"gid://shopify/Product/1"}` + "\n")
	for i := range 200 {
		fmt.Fprintf(&b, `{"id":"gid://shopify/ProductVariant/%d","sku":"S%d","__parentId":"gid://shopify/Product/1"}`+"\n", i+10, i)
	}
	for g, err := range GroupBulkRows(strings.NewReader(b.String()), nil) {
		require.NoError(t, err)
		errs := make(chan error, 4)
		for w := range 4 {
			go func() {
				for i, row := range g.Descendants {
					var v struct{ SKU string }
					if err := row.Decode(&v); err != nil || v.SKU != fmt.Sprintf("S%d", i) {
						errs <- fmt.Errorf("worker %d row %d: %q, %v", w, i, v.SKU, err)
						return
					}
				}
				errs <- nil
			}()
		}
		for range 4 {
			require.NoError(t, <-errs)
		}
	}
}
