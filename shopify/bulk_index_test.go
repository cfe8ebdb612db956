package shopify

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitNumericID(t *testing.T) {
	t.Parallel()
	cases := []struct {
		id, prefix string
		n          int64
		ok         bool
	}{
		{"gid://shopify/Product/123", "gid://shopify/Product", 123, true},
		{"gid://shopify/ProductVariant/9223372036854775807", "gid://shopify/ProductVariant", 9223372036854775807, true},
		{"gid://shopify/Product/0", "gid://shopify/Product", 0, true},
		{"x/7", "x", 7, true},
		{"/7", "", 7, true},
		{"gid://shopify/Product/9223372036854775808", "", 0, false},  // above MaxInt64
		{"gid://shopify/Product/99999999999999999999", "", 0, false}, // 20 digits
		{"gid://shopify/Product/007", "", 0, false},                  // not canonical: would collide with /7
		{"gid://shopify/Product/-7", "", 0, false},
		{"gid://shopify/Product/+7", "", 0, false},
		{"gid://shopify/Product/", "", 0, false},
		{"gid://shopify/Product/12a", "", 0, false},
		{"gid://shopify/InventoryLevel/5?inventory_item_id=7", "", 0, false},
		{"123", "", 0, false},
		{"", "", 0, false},
	}
	for _, c := range cases {
		prefix, n, ok := splitNumericID([]byte(c.id))
		assert.Equal(t, c.ok, ok, c.id)
		if c.ok {
			assert.Equal(t, c.prefix, string(prefix), c.id)
			assert.Equal(t, c.n, n, c.id)
			// The key spells the ID back: it is exact.
			assert.Equal(t, c.id, fmt.Sprintf("%s/%d", prefix, n))
		}
	}
}

// TestIDIndex checks the index against a map of the ID strings over IDs of
// every form: the same number under several types, non-numeric GIDs, forms
// that only look numeric, numbers out of order, repeated IDs.
func TestIDIndex(t *testing.T) {
	t.Parallel()
	var x idIndex
	want := map[string]uint32{}
	set := func(id string, root uint32) {
		x.set([]byte(id), root)
		want[id] = root
	}
	// The same numeric id under several types and prefixes.
	set("gid://shopify/Product/1", 1)
	set("gid://shopify/ProductVariant/1", 2)
	set("gid://shopify/InventoryItem/1", 3)
	set("gid://other/Product/1", 4)
	// Non-numeric IDs and IDs that look numeric but are not canonical.
	set("gid://shopify/InventoryLevel/1?inventory_item_id=1", 5)
	set("gid://shopify/Product/01", 6)
	set("gid://shopify/Product/9223372036854775808", 7)
	set("plain-id", 8)
	set("gid://shopify/Product/abc", 9)
	// Increasing, then out of order, then a repeat of an earlier ID (the
	// later row wins), then a repeat of the last one.
	for i := range 5000 {
		set(fmt.Sprintf("gid://shopify/Product/%d", 10+2*i), uint32(100+i))
	}
	set("gid://shopify/Product/11", 50)
	set("gid://shopify/Product/5", 51)
	set("gid://shopify/Product/20", 52)
	set("gid://shopify/Product/10008", 53)
	set("gid://shopify/Product/11", 54)

	for id, root := range want {
		got, ok := x.get([]byte(id))
		if !ok || got != root {
			t.Fatalf("get(%q) = %d, %v; want %d", id, got, ok, root)
		}
	}
	for _, absent := range []string{
		"gid://shopify/Product/2", "gid://shopify/Product/13", "gid://shopify/Product/99999",
		"gid://shopify/Product/001", "gid://shopify/Collection/1", "gid://shopify/ProductVariant/10",
		"gid://shopify/InventoryLevel/1?inventory_item_id=2", "gid://shopify/InventoryLevel/1",
		"Plain-id", "gid://shopify/Product/-1", "",
	} {
		if got, ok := x.get([]byte(absent)); ok {
			t.Fatalf("get(%q) = %d, want absent", absent, got)
		}
	}
}

func TestChunked(t *testing.T) {
	t.Parallel()
	var c chunked[uint32]
	for i := range 3*chunkLen + 5 {
		c.push(uint32(i))
	}
	c.set(chunkLen, 7)
	require.Equal(t, 3*chunkLen+5, c.len())
	for i := range c.len() {
		want := uint32(i)
		if i == chunkLen {
			want = 7
		}
		require.Equal(t, want, c.at(i), i)
	}
}

// groupedRow is a row as the tests compare it.
type groupedRow struct {
	ID, ParentID string
	Line, Offset int64
	Raw          string
}

// referenceGroups groups the rows of data the obvious way: a BulkReader, a
// map from each ID string to its group, and every group in memory.
func referenceGroups(data []byte) ([][]groupedRow, error) {
	var groups [][]groupedRow
	groupOf := map[string]int{}
	br := NewBulkReader(bytes.NewReader(data))
	for br.Next() {
		r := br.Row()
		g := len(groups)
		if r.ParentID == "" {
			groups = append(groups, nil)
		} else {
			p, ok := groupOf[r.ParentID]
			if !ok {
				return nil, fmt.Errorf("%w: orphan %s", ErrBulkMalformed, r.ParentID)
			}
			g = p
		}
		if r.ID != "" {
			groupOf[r.ID] = g
		}
		groups[g] = append(groups[g], groupedRow{r.ID, r.ParentID, r.Line, r.Offset, string(r.Raw())})
	}
	return groups, br.Err()
}

// referenceAdjacent groups the rows of data as GroupAdjacentBulkRows must:
// a root starts a group, and every other row's parent must be in the group.
func referenceAdjacent(data []byte) ([][]groupedRow, error) {
	var groups [][]groupedRow
	var members map[string]bool
	br := NewBulkReader(bytes.NewReader(data))
	for br.Next() {
		r := br.Row()
		if r.ParentID == "" {
			groups = append(groups, nil)
			members = map[string]bool{}
		} else if !members[r.ParentID] {
			return groups, fmt.Errorf("%w: %s not in the group", ErrBulkMalformed, r.ParentID)
		}
		members[r.ID] = true
		g := len(groups) - 1
		groups[g] = append(groups[g], groupedRow{r.ID, r.ParentID, r.Line, r.Offset, string(r.Raw())})
	}
	return groups, br.Err()
}

// collectGroups runs GroupBulkRows over r and copies what it yields.
func collectGroups(r io.Reader, opts *GroupOptions) ([][]groupedRow, error) {
	return collect(GroupBulkRows(r, opts))
}

// collect copies the groups of a grouping function.
func collect(seq iter.Seq2[BulkGroup, error]) ([][]groupedRow, error) {
	var groups [][]groupedRow
	for g, err := range seq {
		if err != nil {
			return groups, err
		}
		var rows []groupedRow
		for _, r := range append([]BulkRow{g.Root}, g.Descendants...) {
			rows = append(rows, groupedRow{r.ID, r.ParentID, r.Line, r.Offset, string(r.Raw())})
		}
		groups = append(groups, rows)
	}
	return groups, nil
}

// checkAgainstReference checks that GroupBulkRows, on a seekable reader and
// on a stream it has to spill, yields exactly the reference groups, or
// fails with an error of the same kind, and that GroupAdjacentBulkRows does
// the same against referenceAdjacent.
func checkAgainstReference(t *testing.T, data []byte, dir string) {
	t.Helper()
	want, werr := referenceGroups(data)
	adjacent, aerr := referenceAdjacent(data)
	for _, in := range []struct {
		name      string
		group     func() ([][]groupedRow, error)
		want      [][]groupedRow
		werr      error
		prefixToo bool // groups yielded before an error must match too
	}{
		{"seekable", func() ([][]groupedRow, error) { return collectGroups(bytes.NewReader(data), &GroupOptions{Dir: dir}) }, want, werr, false},
		{"spilled", func() ([][]groupedRow, error) {
			return collectGroups(io.MultiReader(bytes.NewReader(data)), &GroupOptions{Dir: dir})
		}, want, werr, false},
		{"adjacent", func() ([][]groupedRow, error) { return collect(GroupAdjacentBulkRows(bytes.NewReader(data))) }, adjacent, aerr, true},
		// With the Grouped hint the result is the same whether the rows
		// follow their groups (streamed) or not (indexed after all).
		{"grouped hint, seekable", func() ([][]groupedRow, error) {
			return collectGroups(bytes.NewReader(data), &GroupOptions{Dir: dir, Grouped: true})
		}, want, werr, false},
		{"grouped hint, spilled", func() ([][]groupedRow, error) {
			return collectGroups(io.MultiReader(bytes.NewReader(data)), &GroupOptions{Dir: dir, Grouped: true})
		}, want, werr, false},
	} {
		want, werr := in.want, in.werr
		got, gerr := in.group()
		if in.prefixToo && werr != nil {
			// The reference's last group may be incomplete when it failed;
			// the groups before it were yielded whole.
			if len(want) > 0 {
				want = want[:len(want)-1]
			}
			if len(got) != len(want) {
				t.Fatalf("%s: %d groups before the error, want %d", in.name, len(got), len(want))
			}
			for i := range want {
				require.Equal(t, want[i], got[i], "%s: group %d", in.name, i)
			}
		}
		if werr != nil {
			if gerr == nil {
				t.Fatalf("%s: no error, the reference fails with %v", in.name, werr)
			}
			for _, kind := range []error{ErrBulkMalformed, ErrBulkLineTooLong} {
				if errors.Is(werr, kind) != errors.Is(gerr, kind) {
					t.Fatalf("%s: error %v, the reference's is %v", in.name, gerr, werr)
				}
			}
			continue
		}
		if gerr != nil {
			t.Fatalf("%s: %v (the reference succeeds)", in.name, gerr)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d groups, want %d", in.name, len(got), len(want))
		}
		for i := range want {
			if len(got[i]) != len(want[i]) {
				t.Fatalf("%s: group %d has %d rows, want %d:\n got %+v\nwant %+v", in.name, i, len(got[i]), len(want[i]), got[i], want[i])
			}
			for j := range want[i] {
				if got[i][j] != want[i][j] {
					t.Fatalf("%s: group %d row %d:\n got %+v\nwant %+v", in.name, i, j, got[i][j], want[i][j])
				}
			}
		}
	}
	left, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, left, "spill files removed")
}

// randomExport writes a bulk result with the shapes GroupBulkRows must
// handle: IDs of every form (numeric GIDs of several types sharing numbers,
// GIDs with queries, non-canonical numbers, plain strings, escaped
// slashes, none), repeated IDs, children anywhere after their parent,
// nested levels, keys in any order, whitespace, duplicate and nested "id"
// keys, CRLF and blank lines, and now and then a line longer than the
// read-back windows. With orphan, one row names a parent that never comes.
func randomExport(rng *rand.Rand, orphan bool) []byte {
	types := []string{"Product", "ProductVariant", "InventoryItem", "InventoryLevel"}
	newID := func() string {
		switch rng.IntN(12) {
		case 0:
			return fmt.Sprintf("gid://shopify/InventoryLevel/%d?inventory_item_id=%d", rng.IntN(50), rng.IntN(5))
		case 1:
			return fmt.Sprintf("gid://shopify/Product/0%d", rng.IntN(20))
		case 2:
			return fmt.Sprintf("handle-%d", rng.IntN(30))
		case 3:
			return ""
		case 4:
			return fmt.Sprintf("gid://shopify/Product/%d", uint64(1)<<63+uint64(rng.IntN(3)))
		default: // numbers repeat across types, and sometimes within one
			return fmt.Sprintf("gid://shopify/%s/%d", types[rng.IntN(len(types))], rng.IntN(60))
		}
	}
	encode := func(s string) string {
		if rng.IntN(6) == 0 {
			return strings.ReplaceAll(s, "/", `\/`)
		}
		return s
	}
	type row struct{ id, parent string }
	var rows []row // in file order
	var ids []string
	for range 1 + rng.IntN(60) {
		r := row{id: newID()}
		if len(ids) > 0 && rng.IntN(3) > 0 {
			r.parent = ids[rng.IntN(len(ids))]
		}
		// A child goes anywhere after its parent: insert it at a random
		// position after the last row with the parent's ID.
		at := len(rows)
		if r.parent != "" {
			last := 0
			for i, x := range rows {
				if x.id == r.parent {
					last = i
				}
			}
			at = last + 1 + rng.IntN(len(rows)-last)
		}
		if at < len(rows) && r.id != "" {
			// Keep IDs unique among rows that come after this one so that
			// moving it does not change which row a later child means.
			for _, x := range rows[at:] {
				if x.id == r.id || x.parent == r.id {
					at = len(rows)
					break
				}
			}
		}
		rows = append(rows[:at], append([]row{r}, rows[at:]...)...)
		if r.id != "" {
			ids = append(ids, r.id)
		}
	}
	if orphan {
		at := rng.IntN(len(rows) + 1)
		rows = append(rows[:at], append([]row{{id: newID(), parent: "gid://shopify/Product/999999"}}, rows[at:]...)...)
	}
	var b bytes.Buffer
	for i, r := range rows {
		var keys []string
		if r.id != "" {
			keys = append(keys, `"id":"`+encode(r.id)+`"`)
		}
		keys = append(keys, fmt.Sprintf(`"title":"row %d \"q\" }{","n":%d`, i, rng.IntN(1000)))
		if rng.IntN(4) == 0 {
			keys = append(keys, `"inventoryItem":{"id":"gid://shopify/InventoryItem/777","a":[1,{"id":"x"}]}`)
		}
		if rng.IntN(40) == 0 {
			keys = append(keys, `"pad":"`+strings.Repeat("p", 70_000+rng.IntN(400_000))+`"`)
		}
		if r.parent != "" {
			keys = append(keys, `"__parentId":"`+encode(r.parent)+`"`)
		}
		if rng.IntN(8) == 0 { // a key order other than Shopify's
			rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		}
		if rng.IntN(20) == 0 && r.id != "" { // a duplicate "id" key, the last one counts
			keys = append([]string{`"id":"gid://shopify/Product/424242"`}, keys...)
		}
		sep, open, end := ",", "{", "}"
		if rng.IntN(10) == 0 {
			sep, open, end = " , ", " { ", " } "
		}
		b.WriteString(open + strings.Join(keys, sep) + end)
		switch rng.IntN(15) {
		case 0:
			b.WriteString("\r\n")
		case 1:
			b.WriteString("\n\n")
		default:
			b.WriteString("\n")
		}
	}
	return b.Bytes()
}

// TestGroupBulkRowsMatchesReference compares GroupBulkRows with the
// reference grouping on random exports (see randomExport), seekable and
// spilled: the same groups, rows, IDs, parents, line numbers, offsets and
// bytes, and the same kind of error for an orphan.
func TestGroupBulkRowsMatchesReference(t *testing.T) {
	t.Parallel()
	n := 400
	if raceEnabled || testing.Short() {
		n = 60
	}
	rng := rand.New(rand.NewPCG(10, 1))
	for i := range n {
		data := randomExport(rng, i%10 == 9)
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			checkAgainstReference(t, data, t.TempDir())
			// The same rows written group by group, as with GroupObjects:
			// GroupAdjacentBulkRows must accept them.
			if groups, err := referenceGroups(data); err == nil {
				var b bytes.Buffer
				for _, g := range groups {
					for _, r := range g {
						b.WriteString(r.Raw + "\n")
					}
				}
				_, err := referenceAdjacent(b.Bytes())
				require.NoError(t, err)
				checkAgainstReference(t, b.Bytes(), t.TempDir())
			}
		})
	}
}

// TestGroupAdjacentBulkRowsLargeGroup checks membership in a group larger
// than the linear search covers: children of the root and grandchildren of
// any earlier child, and an outsider.
func TestGroupAdjacentBulkRowsLargeGroup(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	b.WriteString(`{"id":"gid://shopify/Order/1"}` + "\n")
	for i := range 200 {
		parent := "gid://shopify/Order/1"
		if i%3 == 2 {
			parent = fmt.Sprintf("gid://shopify/LineItem/%d", i/2)
		}
		fmt.Fprintf(&b, `{"id":"gid://shopify/LineItem/%d","__parentId":%q}`+"\n", i, parent)
	}
	b.WriteString(`{"id":"gid://shopify/Order/2"}` + "\n")
	b.WriteString(`{"id":"gid://shopify/LineItem/999","__parentId":"gid://shopify/Order/2"}` + "\n")
	data := b.Bytes()
	checkAgainstReference(t, data, t.TempDir())
	got, err := collect(GroupAdjacentBulkRows(bytes.NewReader(data)))
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Len(t, got[0], 201)

	bad := append(bytes.Clone(data), `{"id":"x","__parentId":"gid://shopify/LineItem/5"}`+"\n"...)
	_, err = collect(GroupAdjacentBulkRows(bytes.NewReader(bad)))
	assert.ErrorIs(t, err, ErrBulkMalformed, "LineItem/5 belongs to the previous group")
}

// TestGroupBulkRowsIDForms groups children under parents whose IDs differ
// only in the forms the index tells apart.
func TestGroupBulkRowsIDForms(t *testing.T) {
	t.Parallel()
	in := strings.Join([]string{
		`{"id":"gid://shopify/Product/1"}`,
		`{"id":"gid://shopify/ProductVariant/1"}`,
		`{"id":"gid://shopify/Product/01"}`,
		`{"id":"gid://shopify/InventoryLevel/1?inventory_item_id=1"}`,
		`{"id":"gid://shopify/Product/9223372036854775808"}`,
		`{"id":"gid://shopify/Product/9223372036854775807"}`,
		`{"id":"plain"}`,
		`{"id":"c1","__parentId":"gid://shopify/ProductVariant/1"}`,
		`{"id":"c2","__parentId":"gid://shopify/Product/01"}`,
		`{"id":"c3","__parentId":"gid:\/\/shopify\/Product\/1"}`,
		`{"id":"c4","__parentId":"gid://shopify/InventoryLevel/1?inventory_item_id=1"}`,
		`{"id":"c5","__parentId":"gid://shopify/Product/9223372036854775808"}`,
		`{"id":"c6","__parentId":"gid://shopify/Product/9223372036854775807"}`,
		`{"id":"c7","__parentId":"plain"}`,
		`{"id":"c8","__parentId":"c1"}`,
	}, "\n")
	got, err := collectGroups(strings.NewReader(in), nil)
	require.NoError(t, err)
	children := map[string][]string{}
	for _, g := range got {
		for _, r := range g[1:] {
			children[g[0].ID] = append(children[g[0].ID], r.ID)
		}
	}
	assert.Equal(t, map[string][]string{
		"gid://shopify/Product/1":                            {"c3"},
		"gid://shopify/ProductVariant/1":                     {"c1", "c8"},
		"gid://shopify/Product/01":                           {"c2"},
		"gid://shopify/InventoryLevel/1?inventory_item_id=1": {"c4"},
		"gid://shopify/Product/9223372036854775808":          {"c5"},
		"gid://shopify/Product/9223372036854775807":          {"c6"},
		"plain": {"c7"},
	}, children)

	for _, orphan := range []string{
		`{"id":"gid://shopify/Product/1"}` + "\n" + `{"__parentId":"gid://shopify/Product/01"}`,
		`{"id":"gid://shopify/Product/1"}` + "\n" + `{"__parentId":"gid://shopify/ProductVariant/1"}`,
		`{"id":"gid://shopify/InventoryLevel/1?a=1"}` + "\n" + `{"__parentId":"gid://shopify/InventoryLevel/1"}`,
	} {
		_, err := collectGroups(strings.NewReader(orphan), nil)
		assert.ErrorIs(t, err, ErrBulkMalformed, orphan)
	}
}

// TestGroupBulkRowsLineNumbers checks that grouped rows carry the line
// numbers and offsets of the file.
func TestGroupBulkRowsLineNumbers(t *testing.T) {
	t.Parallel()
	in := "{\"id\":\"gid://shopify/Product/1\"}\n" +
		"{\"id\":\"gid://shopify/Product/2\"}\r\n" +
		"\n" +
		"{\"id\":\"gid://shopify/ProductVariant/3\",\"__parentId\":\"gid://shopify/Product/1\"}\n"
	got, err := collectGroups(strings.NewReader(in), nil)
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Len(t, got[0], 2)
	assert.Equal(t, int64(1), got[0][0].Line)
	assert.Equal(t, int64(4), got[0][1].Line)
	assert.Equal(t, int64(strings.Index(in, `{"id":"gid://shopify/ProductVariant/3"`)), got[0][1].Offset)
	assert.Equal(t, int64(2), got[1][0].Line)
}

// TestLineReader reads the lines of a file back in several orders through
// the windowed reader, with lines from empty to longer than the largest
// window, and checks every one.
func TestLineReader(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	var data []byte
	var offs []int64
	var lines []string
	for i := range 3000 {
		n := rng.IntN(300)
		if i%200 == 7 {
			n = readBackMaxFill + rng.IntN(3*readBackMaxFill)
		}
		line := fmt.Sprintf("%d:", i) + strings.Repeat(string(rune('a'+i%26)), n)
		offs = append(offs, int64(len(data)))
		lines = append(lines, line)
		data = append(data, line...)
		if i%5 == 0 {
			data = append(data, '\r')
		}
		if i < 2999 {
			data = append(data, '\n')
		}
	}
	base := []byte("prefix\n")
	src := bytes.NewReader(append(base, data...))
	orders := map[string][]int{"forward": {}, "backward": {}, "random": rng.Perm(len(lines))}
	for i := range lines {
		orders["forward"] = append(orders["forward"], i)
		orders["backward"] = append(orders["backward"], len(lines)-1-i)
	}
	// Two interleaved cursors, as with all parents first and children after.
	for i := range len(lines) / 2 {
		orders["two cursors"] = append(orders["two cursors"], i, len(lines)/2+i)
	}
	for name, order := range orders {
		lr := newLineReader(src, int64(len(base)), 4*readBackMaxFill)
		for _, i := range order {
			got, err := lr.line(offs[i])
			require.NoError(t, err, name)
			if string(got) != lines[i] {
				t.Fatalf("%s: line %d: got %d bytes %.20q, want %d bytes %.20q", name, i, len(got), got, len(lines[i]), lines[i])
			}
		}
	}
	lr := newLineReader(src, int64(len(base)), 100)
	_, err := lr.line(offs[7]) // longer than the limit given
	assert.ErrorIs(t, err, ErrBulkLineTooLong)
	_, err = newLineReader(src, int64(len(base)), 0).line(int64(len(data)) + 10)
	assert.ErrorIs(t, err, ErrBulkMalformed)
}

// TestGroupBulkRowsChangedFile checks that a file changed between the two
// passes gives an error instead of wrong groups when the change is seen.
func TestGroupBulkRowsChangedFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.jsonl")
	in := `{"id":"gid://shopify/Product/1"}` + "\n" + `{"id":"gid://shopify/ProductVariant/2","__parentId":"gid://shopify/Product/1"}` + "\n"
	require.NoError(t, os.WriteFile(path, []byte(in), 0o600))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	x, err := indexBulkRows(io.NewSectionReader(f, 0, 1<<62), 0)
	require.NoError(t, err)
	// The variant's line loses its parent key.
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(in, `,"__parentId":"gid://shopify/Product/1"`, `,"__parentXx":"gid://shopify/Product/1"`, 1)), 0o600))
	var gb groupBuilder
	_, err = gb.build(newLineReader(f, 0, 0), x, x.head.at(0))
	assert.ErrorIs(t, err, ErrBulkMalformed)
}

// FuzzGroupBulkRows checks GroupBulkRows against the reference grouping
// on any input.
func FuzzGroupBulkRows(f *testing.F) {
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range 8 {
		f.Add(randomExport(rng, i == 7))
	}
	f.Add([]byte(`{"id":"gid://shopify/Product/1"}` + "\n" + `{"id":"a","__parentId":"gid:\/\/shopify\/Product\/1"}`))
	f.Add([]byte(`{"id":"gid://shopify/Product/1","__parentId":""}` + "\n" + `{"__parentId":"gid://shopify/Product/1","id":"gid://shopify/Product/1"}`))
	f.Add([]byte(`{"id":"gid://shopify/Product/1"} x`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAgainstReference(t, data, t.TempDir())
	})
}
