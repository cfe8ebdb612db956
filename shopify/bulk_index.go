package shopify

import (
	"bytes"
	"fmt"
	"io"
	"math"
)

// rowIndex is what GroupBulkRows' first pass records: for every row (in
// file order) where its line starts, its line number and the next row of
// its group, and for every root (in file order) its row. 16 bytes per row
// and 4 per root (plus 4 per root for tail during the first pass).
type rowIndex struct {
	off  chunked[int64]
	line chunked[uint32] // line number, rowSimple in the top bit
	next chunked[uint32] // the group's next row in file order, or noRow
	head chunked[uint32] // per root: the root's row
	tail chunked[uint32] // per root: the group's last row so far
}

// noRow ends a group's list of rows.
const noRow = math.MaxUint32

// rowSimple marks a row whose line starts with `{"id":"` followed by its
// ID without escapes, and (unless it is a root row) ends with
// `"__parentId":"` + its parent's ID without escapes + `"}`. That is how
// Shopify writes rows, and the read-back pass takes the keys from there
// instead of scanning the line again (simpleKeys).
const rowSimple = 1 << 31

// lineOf returns the line number of row i.
func (x *rowIndex) lineOf(i uint32) int64 { return int64(x.line.at(int(i)) &^ rowSimple) }

// indexBulkRows is GroupBulkRows' first pass over r.
func indexBulkRows(r io.Reader, maxLine int) (*rowIndex, error) {
	br := NewBulkReader(r)
	br.MaxLineSize = maxLine
	var ids idIndex
	x := &rowIndex{}
	for {
		line, start, ok := br.nextLine()
		if !ok {
			break
		}
		if br.line >= rowSimple || x.off.len() >= noRow {
			return nil, fmt.Errorf("%w: more than %d lines", ErrBulkMalformed, rowSimple-1)
		}
		k, id, parent, err := lineIDs(line)
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrBulkMalformed, br.line, err)
		}
		row := uint32(x.off.len())
		var root uint32
		if len(parent) == 0 {
			root = uint32(x.head.len())
			x.head.push(row)
			x.tail.push(row)
		} else {
			if root, ok = ids.get(parent); !ok {
				return nil, fmt.Errorf("%w: line %d: parent %s does not appear before its child", ErrBulkMalformed, br.line, parent)
			}
			x.next.set(int(x.tail.at(int(root))), row)
			x.tail.set(int(root), row)
		}
		if len(id) > 0 {
			ids.set(id, root)
		}
		ln := uint32(br.line)
		if isSimple(line, k) {
			ln |= rowSimple
		}
		x.off.push(start)
		x.line.push(ln)
		x.next.push(noRow)
	}
	if err := br.Err(); err != nil {
		return nil, err
	}
	x.tail = chunked[uint32]{}
	return x, nil
}

// lineIDs returns the keys of a line as scanKeys finds them, and its ID and
// parent ID without escapes.
func lineIDs(line []byte) (k rowKeys, id, parent []byte, err error) {
	if k, err = scanKeys(line); err != nil {
		return k, nil, nil, err
	}
	if id, err = keyBytes(k.id, k.idEsc); err != nil {
		return k, nil, nil, err
	}
	parent, err = keyBytes(k.parent, k.parentEsc)
	return k, id, parent, err
}

// isSimple reports whether a row's line has the layout rowSimple names,
// given its keys as scanKeys found them (the last top-level "id", so an ID
// at the very start is the only one).
func isSimple(line []byte, k rowKeys) bool {
	const idAt = len(`{"id":"`)
	if k.idEsc || len(k.id) == 0 || !bytes.HasPrefix(line, []byte(`{"id":"`)) || cap(line)-cap(k.id) != idAt {
		return false
	}
	if len(k.parent) == 0 {
		return true
	}
	const key = `"__parentId":"`
	at := cap(line) - cap(k.parent) // where the parent's ID starts in line
	return !k.parentEsc && at+len(k.parent) == len(line)-2 && bytes.HasSuffix(line, []byte(`"}`)) &&
		at >= len(key) && string(line[at-len(key):at]) == key
}

// simpleKeys returns the ID and parent ID of a line marked rowSimple (the
// parent when root is false), or false if the line does not have that
// layout (it changed since the first pass).
func simpleKeys(line []byte, root bool) (id, parent []byte, ok bool) {
	const idAt = len(`{"id":"`)
	if !bytes.HasPrefix(line, []byte(`{"id":"`)) {
		return nil, nil, false
	}
	end := bytes.IndexByte(line[idAt:], '"')
	if end <= 0 {
		return nil, nil, false
	}
	id = line[idAt : idAt+end]
	if root {
		return id, nil, true
	}
	const key = `"__parentId":"`
	n := len(line)
	if !bytes.HasSuffix(line, []byte(`"}`)) {
		return nil, nil, false
	}
	at := bytes.LastIndexByte(line[:n-2], '"') + 1
	if at <= idAt+end+len(key) || string(line[at-len(key):at]) != key || at == n-2 {
		return nil, nil, false
	}
	return id, line[at : n-2], true
}

// keyBytes returns the text of a scanned key value; only escaped values
// are copied.
func keyBytes(raw []byte, escaped bool) ([]byte, error) {
	if !escaped {
		return raw, nil
	}
	s, err := unquote(raw)
	return []byte(s), err
}

// idIndex maps row IDs to root numbers, exactly: two IDs share an entry
// only if they are the same string, and a repeated ID maps to the root of
// its last row. An ID whose text after its last '/' is the canonical
// decimal form of an int64 (no sign, no leading zero), such as
// "gid://shopify/ProductVariant/123", is kept as that number under its
// prefix ("gid://shopify/ProductVariant"): since prefix and digits spell
// the ID back, the number is an exact key within its prefix. Every other
// ID (non-numeric, with a query such as "?inventory_item_id=1", with
// leading zeros, too large) is kept as its string. The zero value is ready
// to use.
type idIndex struct {
	byPrefix map[string]*prefixIDs
	recent   [2]*prefixIDs // the last two prefixes used
	other    map[string]uint32
}

// prefixIDs holds the numeric IDs under one prefix. IDs arriving in
// increasing order (Shopify exports each type in ID order) go to two sorted
// arrays, 12 bytes an ID; any other ID, including a repeated one, goes to
// the map, which is looked at first, so the later row of a repeated ID wins.
type prefixIDs struct {
	prefix string
	ids    chunked[int64]
	roots  chunked[uint32]
	out    map[int64]uint32
}

func (p *prefixIDs) set(n int64, root uint32) {
	if c := p.ids.len(); c == 0 || n > p.ids.at(c-1) {
		p.ids.push(n)
		p.roots.push(root)
		return
	}
	if p.out == nil {
		p.out = make(map[int64]uint32)
	}
	p.out[n] = root
}

func (p *prefixIDs) get(n int64) (uint32, bool) {
	if root, ok := p.out[n]; ok {
		return root, true
	}
	// A parent is usually one of the last IDs: look at those first.
	hi := p.ids.len()
	for range 4 {
		if hi == 0 {
			return 0, false
		}
		switch v := p.ids.at(hi - 1); {
		case v == n:
			return p.roots.at(hi - 1), true
		case v < n:
			return 0, false
		}
		hi--
	}
	lo := 0
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if p.ids.at(m) < n {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < p.ids.len() && p.ids.at(lo) == n {
		return p.roots.at(lo), true
	}
	return 0, false
}

// splitNumericID splits id at its last '/' into a prefix and a number when
// the text after the slash is the canonical decimal form of an int64.
func splitNumericID(id []byte) (prefix []byte, n int64, ok bool) {
	i := bytes.LastIndexByte(id, '/')
	if i < 0 {
		return nil, 0, false
	}
	digits := id[i+1:]
	if len(digits) == 0 || len(digits) > 19 || (digits[0] == '0' && len(digits) > 1) {
		return nil, 0, false
	}
	var v uint64 // 19 decimal digits cannot overflow a uint64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return nil, 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if v > math.MaxInt64 {
		return nil, 0, false
	}
	return id[:i], int64(v), true
}

// numeric returns the IDs of the prefix, creating them when create is set
// (nil otherwise when the prefix is new).
func (x *idIndex) numeric(prefix []byte, create bool) *prefixIDs {
	if p := x.recent[0]; p != nil && string(prefix) == p.prefix {
		return p
	}
	p := x.recent[1]
	if p == nil || string(prefix) != p.prefix {
		p = x.byPrefix[string(prefix)]
		if p == nil {
			if !create {
				return nil
			}
			if x.byPrefix == nil {
				x.byPrefix = make(map[string]*prefixIDs)
			}
			p = &prefixIDs{prefix: string(prefix)}
			x.byPrefix[p.prefix] = p
		}
	}
	x.recent[0], x.recent[1] = p, x.recent[0]
	return p
}

func (x *idIndex) set(id []byte, root uint32) {
	if prefix, n, ok := splitNumericID(id); ok {
		x.numeric(prefix, true).set(n, root)
		return
	}
	if x.other == nil {
		x.other = make(map[string]uint32)
	}
	x.other[string(id)] = root
}

func (x *idIndex) get(id []byte) (uint32, bool) {
	if prefix, n, ok := splitNumericID(id); ok {
		if p := x.numeric(prefix, false); p != nil {
			return p.get(n)
		}
		return 0, false
	}
	root, ok := x.other[string(id)]
	return root, ok
}

// chunked is an append-only sequence kept in chunks of chunkLen elements,
// so that growing it never copies it or needs twice its size.
type chunked[T any] struct {
	chunks [][]T
	n      int
}

const (
	chunkBits = 12
	chunkLen  = 1 << chunkBits
)

func (c *chunked[T]) len() int { return c.n }

func (c *chunked[T]) push(v T) {
	k := c.n >> chunkBits
	if k == len(c.chunks) {
		size := chunkLen
		if k == 0 {
			size = 16 // the first chunk grows by append, for small files
		}
		c.chunks = append(c.chunks, make([]T, 0, size))
	}
	c.chunks[k] = append(c.chunks[k], v)
	c.n++
}

func (c *chunked[T]) at(i int) T { return c.chunks[i>>chunkBits][i&(chunkLen-1)] }

func (c *chunked[T]) set(i int, v T) { c.chunks[i>>chunkBits][i&(chunkLen-1)] = v }
