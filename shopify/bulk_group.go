package shopify

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"iter"
	"os"
)

// BulkGroup is a root row of a bulk result together with all its
// descendants (children, and their children), in file order. Each
// descendant's ParentID names its direct parent, which is either Root or an
// earlier entry of Descendants.
//
// The rows' bytes belong to the producing iterator and are valid only during
// the iteration step that yields the group.
type BulkGroup struct {
	Root        BulkRow
	Descendants []BulkRow
}

// Children returns the descendants whose direct parent has the given ID,
// in file order.
func (g BulkGroup) Children(parentID string) []BulkRow {
	var out []BulkRow
	for _, r := range g.Descendants {
		if r.ParentID == parentID {
			out = append(out, r)
		}
	}
	return out
}

// GroupOptions tunes GroupBulkRows.
type GroupOptions struct {
	// Dir is where the input is spilled when it is not seekable; "" means
	// os.TempDir(). The spill file is removed when iteration ends.
	Dir string
	// MaxLineSize is passed to the underlying BulkReader.
	MaxLineSize int
	// Grouped says the result was written with GroupObjects (each object's
	// descendants directly after it; BulkQueryOptions.GroupObjects). The
	// first pass then only checks that, keeping the IDs of the current
	// group, and the groups are streamed from the input (or its copy) as
	// GroupAdjacentBulkRows does: memory no longer grows with the file. If
	// a row does not follow its group after all, the input is indexed as
	// without Grouped; the groups yielded are the same either way.
	Grouped bool
}

// GroupBulkRows yields every root object of a bulk result together with all
// its descendants, in the order the roots appear in the file. It is correct
// whether or not children are adjacent to their parent (Shopify only
// promises that a child comes after its parent), so it works on results of
// bulk queries run with groupObjects false, the faster default.
//
// How: one pass reads the file (copying it to a temporary file in opts.Dir
// as it goes when r does not implement io.ReaderAt and io.Seeker) and
// records where each row is and which group it belongs to, using an index
// from row IDs to groups that is dropped at the end of the pass; then each
// group is read back with ReadAt, through a few cached windows of the file
// so that rows near each other cost one read. Rows carry their Line and
// Offset as BulkReader gives them.
//
// Memory: 16 bytes per row and 4 per root for the whole iteration, plus,
// during the first pass, 4 more bytes per root and the ID index. The index
// keeps an ID of the form "<prefix>/<decimal int64>" (every numeric
// Shopify GID) as its number under its prefix: 12 bytes when the IDs of a
// prefix arrive in increasing order, as Shopify exports them, about 30
// otherwise; any other ID as its string, about 100 bytes. The second pass
// adds its read-back windows (1 MiB at most, plus the longest line) and the
// bytes of the largest group. BENCHMARKS.md has measured numbers. Disk: one
// copy of the file when it is not seekable. Row streaming (BulkRows) needs
// none of this; use it when processing each row on arrival is enough.
//
// A child row whose parent did not appear before it yields an error
// wrapping ErrBulkMalformed, as does a line BulkReader would reject.
// Iteration stops after the first error. The groups' rows, their bytes and
// the Descendants slice are reused: they are valid only during the
// iteration step that yields them (the ID and ParentID strings stay valid).
func GroupBulkRows(r io.Reader, opts *GroupOptions) iter.Seq2[BulkGroup, error] {
	if opts == nil {
		opts = &GroupOptions{}
	}
	return func(yield func(BulkGroup, error) bool) {
		var (
			x       *rowIndex
			src     io.ReaderAt
			base    int64
			cleanup func()
			err     error
		)
		if opts.Grouped {
			var grouped bool
			src, base, cleanup, grouped, err = groupedSource(r, opts)
			if err != nil {
				yield(BulkGroup{}, err)
				return
			}
			defer cleanup()
			if grouped {
				for g, err := range groupAdjacent(io.NewSectionReader(src, base, 1<<62), opts.MaxLineSize) {
					if !yield(g, err) || err != nil {
						return
					}
				}
				return
			}
			if x, err = indexBulkRows(io.NewSectionReader(src, base, 1<<62), opts.MaxLineSize); err != nil {
				yield(BulkGroup{}, err)
				return
			}
		} else {
			if x, src, base, cleanup, err = indexSource(r, opts); err != nil {
				yield(BulkGroup{}, err)
				return
			}
			defer cleanup()
		}
		lr := newLineReader(src, base, opts.MaxLineSize)
		var gb groupBuilder
		for root := range x.head.len() {
			g, err := gb.build(lr, x, x.head.at(root))
			if err != nil {
				yield(BulkGroup{}, err)
				return
			}
			if !yield(g, nil) {
				return
			}
		}
	}
}

// indexSource runs GroupBulkRows' first pass over r, directly when r can
// be read at offsets, or while copying it to a temporary file otherwise. It
// returns the index and where to read the rows back.
func indexSource(r io.Reader, opts *GroupOptions) (x *rowIndex, src io.ReaderAt, base int64, cleanup func(), err error) {
	if ra, ok := r.(io.ReaderAt); ok {
		if sk, ok := r.(io.Seeker); ok {
			if pos, err := sk.Seek(0, io.SeekCurrent); err == nil {
				x, err := indexBulkRows(io.NewSectionReader(ra, pos, 1<<62), opts.MaxLineSize)
				if err != nil {
					return nil, nil, 0, nil, err
				}
				return x, ra, pos, func() {}, nil
			}
		}
	}
	f, err := os.CreateTemp(opts.Dir, "shopify-bulk-*.jsonl")
	if err != nil {
		return nil, nil, 0, nil, fmt.Errorf("shopify: spilling bulk result: %w", err)
	}
	cleanup = func() {
		f.Close()
		os.Remove(f.Name())
	}
	w := bufio.NewWriterSize(f, 256<<10)
	x, err = indexBulkRows(io.TeeReader(r, w), opts.MaxLineSize)
	if err == nil {
		// The index pass stops at the end of the input, so the copy is
		// complete; the flush makes it readable at offsets.
		if ferr := w.Flush(); ferr != nil {
			err = fmt.Errorf("shopify: spilling bulk result: %w", ferr)
		}
	}
	if err != nil {
		cleanup()
		return nil, nil, 0, nil, err
	}
	return x, f, 0, cleanup, nil
}

// groupedSource is the first pass of GroupBulkRows with Grouped: it checks
// whether every row follows its group, directly on r when r can be read at
// offsets, or while copying r to a temporary file otherwise (then the whole
// of r, whatever the check found). It returns where to read the rows back.
func groupedSource(r io.Reader, opts *GroupOptions) (src io.ReaderAt, base int64, cleanup func(), grouped bool, err error) {
	if ra, ok := r.(io.ReaderAt); ok {
		if sk, ok := r.(io.Seeker); ok {
			if pos, err := sk.Seek(0, io.SeekCurrent); err == nil {
				grouped, err := checkGrouped(io.NewSectionReader(ra, pos, 1<<62), opts.MaxLineSize)
				if err != nil {
					return nil, 0, nil, false, err
				}
				return ra, pos, func() {}, grouped, nil
			}
		}
	}
	f, err := os.CreateTemp(opts.Dir, "shopify-bulk-*.jsonl")
	if err != nil {
		return nil, 0, nil, false, fmt.Errorf("shopify: spilling bulk result: %w", err)
	}
	cleanup = func() {
		f.Close()
		os.Remove(f.Name())
	}
	w := bufio.NewWriterSize(f, 256<<10)
	grouped, err = checkGrouped(io.TeeReader(r, w), opts.MaxLineSize)
	if err == nil && !grouped {
		// The check stopped early: copy the rest for the index pass.
		if _, cerr := io.Copy(w, r); cerr != nil {
			err = fmt.Errorf("shopify: spilling bulk result: %w", cerr)
		}
	}
	if err == nil {
		if ferr := w.Flush(); ferr != nil {
			err = fmt.Errorf("shopify: spilling bulk result: %w", ferr)
		}
	}
	if err != nil {
		cleanup()
		return nil, 0, nil, false, err
	}
	return f, 0, cleanup, grouped, nil
}

// checkGrouped reads r to its end and reports whether every row's parent
// is in the group being read (its root or a row after it), keeping only
// the IDs of that group. It stops at the first row that is not, and
// returns an error for a line BulkReader would reject.
func checkGrouped(r io.Reader, maxLine int) (bool, error) {
	br := NewBulkReader(r)
	br.MaxLineSize = maxLine
	var (
		ids  []byte // the current group's IDs, back to back
		ends []int  // where each ID ends in ids
	)
	for {
		line, _, ok := br.nextLine()
		if !ok {
			break
		}
		_, id, parent, err := lineIDs(line)
		if err != nil {
			return false, fmt.Errorf("%w: line %d: %v", ErrBulkMalformed, br.line, err)
		}
		if len(parent) == 0 {
			ids, ends = ids[:0], ends[:0]
		} else if !inGroup(ids, ends, parent) {
			return false, nil
		}
		if len(id) > 0 {
			ids = append(ids, id...)
			ends = append(ends, len(ids))
		}
	}
	return true, br.Err()
}

// inGroup reports whether id is among the IDs of a group (ids back to back,
// ending at ends), looking at the root first and then from the newest.
func inGroup(ids []byte, ends []int, id []byte) bool {
	if len(ends) == 0 {
		return false
	}
	if bytes.Equal(ids[:ends[0]], id) {
		return true
	}
	for i := len(ends) - 1; i > 0; i-- {
		if bytes.Equal(ids[ends[i-1]:ends[i]], id) {
			return true
		}
	}
	return false
}

// GroupAdjacentBulkRows groups a bulk result in which every object's
// descendants directly follow it, which Shopify guarantees only for bulk
// queries run with groupObjects true (BulkQueryOptions.GroupObjects). It
// streams: memory is bounded by the largest group, never the file. If a row
// names a parent outside the current group it yields an error matching
// ErrBulkNotGrouped (and ErrBulkMalformed) instead of silently
// mis-grouping; use GroupBulkRows for results without that guarantee.
func GroupAdjacentBulkRows(r io.Reader) iter.Seq2[BulkGroup, error] {
	return groupAdjacent(r, 0)
}

// groupAdjacent is GroupAdjacentBulkRows with a BulkReader.MaxLineSize.
func groupAdjacent(r io.Reader, maxLine int) iter.Seq2[BulkGroup, error] {
	return func(yield func(BulkGroup, error) bool) {
		br := NewBulkReader(r)
		br.MaxLineSize = maxLine
		var gb groupBuilder
		for {
			line, start, ok := br.nextLine()
			if !ok {
				break
			}
			_, id, parent, err := lineIDs(line)
			if err != nil {
				yield(BulkGroup{}, fmt.Errorf("%w: line %d: %v", ErrBulkMalformed, br.line, err))
				return
			}
			if len(parent) == 0 {
				if gb.len() > 0 && !yield(gb.finish(), nil) {
					return
				}
				gb.reset()
			} else if !gb.has(parent) {
				yield(BulkGroup{}, fmt.Errorf("%w: line %d: parent %s is not in the current group (run the query with GroupObjects, or use GroupBulkRows)", ErrBulkNotGrouped, br.line, parent))
				return
			}
			gb.add(line, id, parent, br.line, start)
		}
		if err := br.Err(); err != nil {
			yield(BulkGroup{}, err)
			return
		}
		if gb.len() > 0 {
			yield(gb.finish(), nil)
		}
	}
}
