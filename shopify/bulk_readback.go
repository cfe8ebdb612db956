package shopify

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// groupBuilder assembles the rows of one group (GroupBulkRows reads them
// back from the file, GroupAdjacentBulkRows as they stream by), reusing its
// buffers from group to group. All the group's ID and ParentID strings
// share one allocation; a ParentID is the same string as its parent's ID
// when the parent is the root or one of the few rows before.
type groupBuilder struct {
	decs    rowDecoders
	buf     []byte // the group's lines, one after the other
	ids     []byte // the text of the group's IDs and ParentIDs
	spans   []rowSpans
	rows    []BulkRow
	members map[string]struct{} // the IDs of spans[:indexed], for has in large groups
	indexed int
}

// rowSpans are where a row's line is in buf, and its ID and ParentID in ids.
type rowSpans struct {
	line, id, parent [2]int
}

// reset starts a new group.
func (gb *groupBuilder) reset() {
	gb.buf, gb.ids, gb.spans, gb.rows = gb.buf[:0], gb.ids[:0], gb.spans[:0], gb.rows[:0]
	clear(gb.members)
	gb.indexed = 0
}

// add appends a row (its line is copied).
func (gb *groupBuilder) add(line, id, parent []byte, lineNo, off int64) {
	var sp rowSpans
	sp.line[0] = len(gb.buf)
	gb.buf = append(gb.buf, line...)
	sp.line[1] = len(gb.buf)
	sp.id[0] = len(gb.ids)
	gb.ids = append(gb.ids, id...)
	sp.id[1] = len(gb.ids)
	sp.parent = gb.parentSpan(parent)
	gb.spans = append(gb.spans, sp)
	gb.rows = append(gb.rows, BulkRow{Line: lineNo, Offset: off, decs: &gb.decs})
}

// len returns the number of rows added since the last reset.
func (gb *groupBuilder) len() int { return len(gb.spans) }

// has reports whether a row of the group has the given ID: a linear search
// in small groups, a map of the IDs in large ones.
func (gb *groupBuilder) has(id []byte) bool {
	const linear = 32
	if len(gb.spans) <= linear {
		for _, sp := range gb.spans {
			if bytes.Equal(gb.ids[sp.id[0]:sp.id[1]], id) {
				return true
			}
		}
		return false
	}
	if gb.members == nil {
		gb.members = make(map[string]struct{})
	}
	for ; gb.indexed < len(gb.spans); gb.indexed++ {
		sp := gb.spans[gb.indexed]
		gb.members[string(gb.ids[sp.id[0]:sp.id[1]])] = struct{}{}
	}
	_, ok := gb.members[string(id)]
	return ok
}

// finish returns the group. Its rows, bytes and Descendants slice are valid
// until the next reset.
func (gb *groupBuilder) finish() BulkGroup {
	text := string(gb.ids)
	for i, sp := range gb.spans {
		r := &gb.rows[i]
		r.ID, r.ParentID = text[sp.id[0]:sp.id[1]], text[sp.parent[0]:sp.parent[1]]
		r.raw = gb.buf[sp.line[0]:sp.line[1]:sp.line[1]]
	}
	return BulkGroup{Root: gb.rows[0], Descendants: gb.rows[1:]}
}

// build reads back the group whose root is row first and returns it.
func (gb *groupBuilder) build(lr *lineReader, x *rowIndex, first uint32) (BulkGroup, error) {
	gb.reset()
	for row := first; row != noRow; row = x.next.at(int(row)) {
		off := x.off.at(int(row))
		line, err := lr.line(off)
		if err != nil {
			return BulkGroup{}, err
		}
		root := row == first
		var id, parent []byte
		ok := false
		if x.line.at(int(row))&rowSimple != 0 {
			id, parent, ok = simpleKeys(line, root)
		}
		if !ok {
			var k rowKeys
			k, err = scanKeys(line)
			if err == nil {
				if id, err = keyBytes(k.id, k.idEsc); err == nil {
					parent, err = keyBytes(k.parent, k.parentEsc)
				}
			}
		}
		if err == nil && (len(parent) == 0) != root {
			err = errors.New("not the row indexed there")
		}
		if err != nil { // the file changed since the first pass
			return BulkGroup{}, fmt.Errorf("%w: line %d read back: %v", ErrBulkMalformed, x.lineOf(row), err)
		}
		gb.add(line, id, parent, x.lineOf(row), off)
	}
	return gb.finish(), nil
}

// parentSpan returns where parent's text is in gb.ids, appending it unless
// it is the ID of the root, or the ID or ParentID of one of the last rows.
func (gb *groupBuilder) parentSpan(parent []byte) [2]int {
	if len(parent) == 0 {
		return [2]int{}
	}
	same := func(s [2]int) bool { return s[1] > s[0] && bytes.Equal(gb.ids[s[0]:s[1]], parent) }
	if len(gb.spans) > 0 && same(gb.spans[0].id) {
		return gb.spans[0].id
	}
	for i := len(gb.spans) - 1; i >= max(0, len(gb.spans)-8); i-- {
		if same(gb.spans[i].parent) {
			return gb.spans[i].parent
		}
		if same(gb.spans[i].id) {
			return gb.spans[i].id
		}
	}
	start := len(gb.ids)
	gb.ids = append(gb.ids, parent...)
	return [2]int{start, len(gb.ids)}
}

// The read-back windows: how many, and the bounds of the amount one read
// fetches. The amount adapts: it halves when a window is replaced having
// served less than a quarter of what it read (rows far apart), and doubles
// when it served at least half.
const (
	readBackWindows = 4
	readBackMinFill = 4 << 10
	readBackMaxFill = 256 << 10
)

// lineReader reads lines back at known offsets for GroupBulkRows' second
// pass, through readBackWindows cached windows of the file (least recently
// used replaced first).
type lineReader struct {
	src  io.ReaderAt
	base int64
	max  int
	fill int
	tick uint64
	wins [readBackWindows]readWindow
}

type readWindow struct {
	off    int64 // file offset (from base) of buf[0]
	buf    []byte
	eof    bool // buf ends at the end of the file
	used   uint64
	served int // bytes of lines returned from buf since it was read
}

func newLineReader(src io.ReaderAt, base int64, maxLine int) *lineReader {
	if maxLine <= 0 {
		maxLine = DefaultBulkMaxLineSize
	}
	return &lineReader{src: src, base: base, max: maxLine, fill: 64 << 10}
}

// line returns the line that starts at offset off without its line
// terminator. The bytes are valid until the next call.
func (lr *lineReader) line(off int64) ([]byte, error) {
	lr.tick++
	var victim *readWindow
	for i := range lr.wins {
		w := &lr.wins[i]
		if off >= w.off && off < w.off+int64(len(w.buf)) {
			rest := w.buf[off-w.off:]
			n := bytes.IndexByte(rest, '\n')
			if n < 0 && !w.eof {
				victim = w // the line goes on past the window: read it again from off
				break
			}
			if n < 0 {
				n = len(rest)
			}
			w.used = lr.tick
			w.served += n + 1
			return bytes.TrimRight(rest[:n], "\r"), nil
		}
		if victim == nil || w.used < victim.used {
			victim = w
		}
	}
	if len(victim.buf) > 0 {
		switch {
		case victim.served*4 < len(victim.buf):
			lr.fill = max(lr.fill/2, readBackMinFill)
		case victim.served*2 >= len(victim.buf):
			lr.fill = min(lr.fill*2, readBackMaxFill)
		}
	}
	for size := lr.fill; ; size *= 2 {
		if cap(victim.buf) < size || (cap(victim.buf) > 2*readBackMaxFill && size <= readBackMaxFill) {
			victim.buf = make([]byte, size)
		}
		buf := victim.buf[:size]
		n, err := lr.src.ReadAt(buf, lr.base+off)
		*victim = readWindow{off: off, buf: buf[:n], used: lr.tick}
		if errors.Is(err, io.EOF) {
			victim.eof = true
		} else if err != nil {
			return nil, fmt.Errorf("shopify: reading grouped bulk row back: %w", err)
		}
		if i := bytes.IndexByte(victim.buf, '\n'); i >= 0 || victim.eof {
			if i < 0 {
				i = n
			}
			if i == 0 && n == 0 {
				return nil, fmt.Errorf("%w: offset %d is past the end of the file on reading back", ErrBulkMalformed, off)
			}
			victim.served = i + 1
			return bytes.TrimRight(victim.buf[:i], "\r"), nil
		}
		if size > lr.max {
			return nil, fmt.Errorf("%w: the line at offset %d is longer than %d bytes on reading back", ErrBulkLineTooLong, off, lr.max)
		}
	}
}
