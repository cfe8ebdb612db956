package shopify

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
)

// DefaultBulkMaxLineSize is the longest JSONL line a BulkReader accepts unless
// BulkReader.MaxLineSize says otherwise. A bulk result line is one object
// without its nested connections, so real lines are a few kilobytes at most.
const DefaultBulkMaxLineSize = 16 << 20

// ErrBulkLineTooLong is returned (wrapped) when a JSONL line exceeds the
// reader's MaxLineSize.
var ErrBulkLineTooLong = errors.New("shopify: bulk result line too long")

// ErrBulkMalformed is wrapped by the errors a BulkReader returns for a line
// that is not a JSON object, and by the grouping functions for a child row
// whose parent did not come before it.
var ErrBulkMalformed = errors.New("shopify: malformed bulk result")

// BulkRow is one line of a bulk operation's JSONL result: one object, its
// nested connections removed. Children (the nodes of a nested connection)
// are rows of their own that name their parent in ParentID.
//
// The bytes behind a BulkRow (Raw) belong to the reader that produced it and
// are only valid until that reader moves on; Decode or copy what you keep.
type BulkRow struct {
	// ID is the object's top-level "id" (a GID), or "" for objects without
	// one (for example the entries of a list of plain objects).
	ID string
	// ParentID is the top-level "__parentId", the ID of the object whose
	// connection this row belongs to; "" for a root row.
	ParentID string
	// Line is the 1-based line number in the file, Offset the byte offset
	// of the line's first byte.
	Line   int64
	Offset int64

	raw []byte
}

// Type returns the resource type named by the row's ID ("Product",
// "ProductVariant", "InventoryLevel", ...), or "" when the row has no GID.
func (r BulkRow) Type() string {
	rest, ok := strings.CutPrefix(r.ID, gidPrefix)
	if !ok {
		return ""
	}
	t, _, _ := strings.Cut(rest, "/")
	return t
}

// IsRoot reports whether the row is a top-level object (it has no parent).
func (r BulkRow) IsRoot() bool { return r.ParentID == "" }

// Raw returns the row's JSON text. It is valid until the producing reader
// moves on; callers that keep it must copy it.
func (r BulkRow) Raw() []byte { return r.raw }

// Decode unmarshals the row's JSON into v (the "__parentId" key is simply
// ignored by types that do not declare it).
func (r BulkRow) Decode(v any) error {
	if err := json.Unmarshal(r.raw, v); err != nil {
		return fmt.Errorf("shopify: bulk result line %d: %w", r.Line, err)
	}
	return nil
}

// BulkReader streams the rows of a bulk operation's JSONL result in file
// order, in constant memory: it holds one line at a time (plus bufio's
// buffer), however large the file is. Each row's "id" and "__parentId" are
// found by a single pass over the line's top level; the rest of the line is
// only parsed when the caller decodes it.
//
// Shopify writes a child row after its parent row, but not necessarily
// directly after it. A consumer that upserts each row as it comes (parent
// first, then children) therefore needs nothing else; a consumer that needs
// each parent with all its children at once uses GroupBulkRows or
// GroupAdjacentBulkRows.
//
// Usage mirrors bufio.Scanner:
//
//	br := shopify.NewBulkReader(r)
//	for br.Next() {
//		row := br.Row()
//		...
//	}
//	if err := br.Err(); err != nil { ... }
//
// A BulkReader is not safe for concurrent use.
type BulkReader struct {
	// MaxLineSize bounds the memory one line may take; 0 means
	// DefaultBulkMaxLineSize. Set it before the first call to Next.
	MaxLineSize int

	br     *bufio.Reader
	long   []byte
	row    BulkRow
	line   int64
	offset int64
	err    error
}

// NewBulkReader returns a reader of the JSONL stream r. It does not close r.
func NewBulkReader(r io.Reader) *BulkReader {
	return &BulkReader{br: bufio.NewReaderSize(r, 64<<10)}
}

// Next advances to the next row, skipping blank lines. It returns false at
// the end of the input or on an error, which Err then reports.
func (b *BulkReader) Next() bool {
	if b.err != nil {
		return false
	}
	max := b.MaxLineSize
	if max <= 0 {
		max = DefaultBulkMaxLineSize
	}
	for {
		line, err := b.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			b.long = append(b.long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				if len(b.long) > max {
					b.err = fmt.Errorf("%w: line %d is longer than %d bytes", ErrBulkLineTooLong, b.line+1, max)
					return false
				}
				line, err = b.br.ReadSlice('\n')
				b.long = append(b.long, line...)
			}
			line = b.long
		}
		if err != nil && !errors.Is(err, io.EOF) {
			b.err = fmt.Errorf("shopify: reading bulk result: %w", err)
			return false
		}
		if len(line) == 0 && err != nil { // clean EOF
			return false
		}
		if len(line) > max {
			b.err = fmt.Errorf("%w: line %d is longer than %d bytes", ErrBulkLineTooLong, b.line+1, max)
			return false
		}
		b.line++
		start := b.offset
		b.offset += int64(len(line))
		content := bytes.TrimRight(line, "\r\n")
		if len(bytes.TrimSpace(content)) == 0 {
			if err != nil {
				return false
			}
			continue
		}
		id, parent, serr := scanRowKeys(content)
		if serr != nil {
			b.err = fmt.Errorf("%w: line %d: %v", ErrBulkMalformed, b.line, serr)
			return false
		}
		b.row = BulkRow{ID: id, ParentID: parent, Line: b.line, Offset: start, raw: content}
		return true
	}
}

// Row returns the current row. Its Raw bytes are valid until the next call
// to Next.
func (b *BulkReader) Row() BulkRow { return b.row }

// Err returns the first error met, or nil at a clean end of input.
func (b *BulkReader) Err() error { return b.err }

// BulkRows iterates over the rows of the JSONL stream r in file order, in
// constant memory (see BulkReader). Each row's bytes are valid only during
// its iteration step. Iteration stops after the first error.
func BulkRows(r io.Reader) iter.Seq2[BulkRow, error] {
	return func(yield func(BulkRow, error) bool) {
		br := NewBulkReader(r)
		for br.Next() {
			if !yield(br.Row(), nil) {
				return
			}
		}
		if err := br.Err(); err != nil {
			yield(BulkRow{}, err)
		}
	}
}

// scanRowKeys walks the top level of one JSON object and returns the string
// values of its "id" and "__parentId" keys. Nested values are skipped
// without being parsed; Decode validates them later.
func scanRowKeys(b []byte) (id, parent string, err error) {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return "", "", errors.New("not a JSON object")
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return "", "", nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return "", "", errors.New("expected an object key")
		}
		ks, ke, esc, err := scanString(b, i)
		if err != nil {
			return "", "", err
		}
		key := b[ks:ke]
		i = skipWS(b, ke+1)
		if i >= len(b) || b[i] != ':' {
			return "", "", errors.New("expected ':'")
		}
		i = skipWS(b, i+1)
		if i >= len(b) {
			return "", "", errors.New("unexpected end of line")
		}
		isID := !esc && string(key) == "id"
		isParent := !esc && string(key) == "__parentId"
		if (isID || isParent) && b[i] == '"' {
			vs, ve, vesc, err := scanString(b, i)
			if err != nil {
				return "", "", err
			}
			var v string
			if vesc {
				if v, err = unquote(b[vs-1 : ve+1]); err != nil {
					return "", "", err
				}
			} else {
				v = string(b[vs:ve])
			}
			if isID {
				id = v
			} else {
				parent = v
			}
			i = ve + 1
		} else {
			if i, err = skipValue(b, i); err != nil {
				return "", "", err
			}
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return "", "", errors.New("unexpected end of line")
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			if j := skipWS(b, i+1); j != len(b) {
				return "", "", errors.New("data after the object")
			}
			return id, parent, nil
		default:
			return "", "", fmt.Errorf("unexpected %q", b[i])
		}
	}
}

// unquote decodes a JSON string literal with escapes (kept out of
// scanRowKeys so that its strings do not escape to the heap).
func unquote(quoted []byte) (string, error) {
	var v string
	err := json.Unmarshal(quoted, &v)
	return v, err
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// scanString expects b[i]=='"' and returns the content bounds [start,end)
// (end indexes the closing quote) and whether the content has escapes.
func scanString(b []byte, i int) (start, end int, escaped bool, err error) {
	start = i + 1
	for j := start; j < len(b); j++ {
		switch b[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return start, j, escaped, nil
		}
	}
	return 0, 0, false, errors.New("unterminated string")
}

// skipValue skips one JSON value starting at b[i] and returns the index
// after it.
func skipValue(b []byte, i int) (int, error) {
	switch b[i] {
	case '"':
		_, end, _, err := scanString(b, i)
		return end + 1, err
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			case '"':
				_, end, _, err := scanString(b, j)
				if err != nil {
					return 0, err
				}
				j = end
			}
		}
		return 0, errors.New("unterminated value")
	default:
		j := i
		for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' {
			j++
		}
		if j == i {
			return 0, fmt.Errorf("unexpected %q", b[i])
		}
		return j, nil
	}
}
