package shopify

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/bits"
	"strings"
	"sync/atomic"
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

// ErrBulkNotGrouped is matched (errors.Is) by the error GroupAdjacentBulkRows
// yields when a row's parent is not in the group being read: the result
// was not written with GroupObjects (or a parent is missing). It also
// matches ErrBulkMalformed. GroupBulkRows reads such results.
var ErrBulkNotGrouped = fmt.Errorf("%w: a row does not follow its parent's group", ErrBulkMalformed)

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

	raw  []byte
	decs *rowDecoders // nil for rows not made by this package's readers
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
// ignored by types that do not declare it), with the same result and errors
// as json.Unmarshal. Rows from a BulkReader or a grouping function reuse
// their reader's parser state instead of allocating it on each call. Decode
// is safe for concurrent use, also on rows of the same reader.
func (r BulkRow) Decode(v any) error {
	if r.decs != nil && len(r.raw) <= maxReusedDecodeLine {
		if done, err := r.decs.decode(r.raw, v); done {
			if err != nil {
				return fmt.Errorf("shopify: bulk result line %d: %w", r.Line, err)
			}
			return nil
		}
	}
	if err := json.Unmarshal(r.raw, v); err != nil {
		return fmt.Errorf("shopify: bulk result line %d: %w", r.Line, err)
	}
	return nil
}

// maxReusedDecodeLine is the longest line decoded with a reused decoder; a
// longer one uses json.Unmarshal, so that no decoder keeps a large buffer.
const maxReusedDecodeLine = 64 << 10

// rowDecoders lends one reusable json.Decoder to the Decode calls of a
// reader's rows: json.Unmarshal allocates its parser state on every call, a
// Decoder keeps it. A Decode that finds the decoder lent out (concurrent
// calls) makes a new one. The zero value is ready to use.
type rowDecoders struct {
	free atomic.Pointer[rowDecoder]
}

type rowDecoder struct {
	src lineSource
	dec *json.Decoder
	fed int64 // bytes given to dec so far
}

// lineSource is the decoder's input: the line being decoded.
type lineSource struct{ b []byte }

func (s *lineSource) Read(p []byte) (int, error) {
	if len(s.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.b)
	s.b = s.b[n:]
	return n, nil
}

// decode decodes raw into v. raw is one JSON object and whitespace, as
// scanKeys checked, so a Decoder reads exactly that value, and decodes it as
// json.Unmarshal would: the same values in v, the same errors, but for the
// offset of a syntax error, which would count the bytes of earlier rows. On
// a syntax error it returns done false (v is untouched then, since a
// Decoder reads the whole value before decoding it) and the caller uses
// json.Unmarshal for the error.
func (ds *rowDecoders) decode(raw []byte, v any) (done bool, err error) {
	d := ds.free.Swap(nil)
	if d == nil {
		d = &rowDecoder{}
		d.dec = json.NewDecoder(&d.src)
	}
	d.src.b = raw
	err = d.dec.Decode(v)
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return false, nil // the decoder keeps the error: drop it
	}
	d.fed += int64(len(raw))
	// Keep the decoder only when what it has not consumed is whitespace at
	// the end of raw, which is always so for rows that scanKeys accepted.
	if rest := d.fed - d.dec.InputOffset(); err == nil && len(d.src.b) == 0 && rest <= int64(len(raw)) &&
		skipWS(raw, len(raw)-int(rest)) == len(raw) {
		ds.free.Store(d)
	}
	return true, err
}

// BulkReader streams the rows of a bulk operation's JSONL result in file
// order, in constant memory: it holds one line at a time (plus bufio's
// buffer), however large the file is. Each row's "id" and "__parentId" are
// found by a single pass over the line's top level; the rest of the line is
// only parsed when the caller decodes it. A row usually costs one
// allocation: its ID, which shares a string with its ParentID unless the
// parent is the previous row, its parent or the last root (IDs with JSON
// escapes cost more).
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
	// DefaultBulkMaxLineSize. It applies to every line, a blank one too
	// (its length is known only once it has been read). Set it before the
	// first call to Next.
	MaxLineSize int

	br       *bufio.Reader
	decs     rowDecoders
	long     []byte
	scratch  []byte
	row      BulkRow
	lastRoot string
	line     int64
	offset   int64
	err      error
}

// NewBulkReader returns a reader of the JSONL stream r. It does not close r.
func NewBulkReader(r io.Reader) *BulkReader {
	return &BulkReader{br: bufio.NewReaderSize(r, 64<<10)}
}

// Next advances to the next row, skipping blank lines. It returns false at
// the end of the input or on an error, which Err then reports.
func (b *BulkReader) Next() bool {
	content, start, ok := b.nextLine()
	if !ok {
		return false
	}
	k, err := scanKeys(content)
	if err != nil {
		b.err = fmt.Errorf("%w: line %d: %v", ErrBulkMalformed, b.line, err)
		return false
	}
	id, parent, err := b.keyStrings(k)
	if err != nil {
		b.err = fmt.Errorf("%w: line %d: %v", ErrBulkMalformed, b.line, err)
		return false
	}
	if parent == "" {
		b.lastRoot = id
	}
	b.row = BulkRow{ID: id, ParentID: parent, Line: b.line, Offset: start, raw: content, decs: &b.decs}
	return true
}

// nextLine returns the next non-blank line without its line terminator
// and the offset of its first byte, or false at the end of the input or on
// an error (then in b.err). The bytes are valid until the next call.
func (b *BulkReader) nextLine() (content []byte, start int64, ok bool) {
	if b.err != nil {
		return nil, 0, false
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
					return nil, 0, false
				}
				line, err = b.br.ReadSlice('\n')
				b.long = append(b.long, line...)
			}
			line = b.long
		}
		if err != nil && !errors.Is(err, io.EOF) {
			b.err = fmt.Errorf("shopify: reading bulk result: %w", err)
			return nil, 0, false
		}
		if len(line) == 0 && err != nil { // clean EOF
			return nil, 0, false
		}
		if len(line) > max {
			b.err = fmt.Errorf("%w: line %d is longer than %d bytes", ErrBulkLineTooLong, b.line+1, max)
			return nil, 0, false
		}
		b.line++
		start = b.offset
		b.offset += int64(len(line))
		content = bytes.TrimRight(line, "\r\n")
		if len(bytes.TrimSpace(content)) == 0 {
			if err != nil {
				return nil, 0, false
			}
			continue
		}
		return content, start, true
	}
}

// keyStrings turns the keys scanned from the current line into strings.
// A parent equal to the previous row's ID or ParentID or to the last root's
// ID (the usual cases: the first child of a row, its siblings) reuses that
// string; otherwise the ID and the parent share one allocation.
func (b *BulkReader) keyStrings(k rowKeys) (id, parent string, err error) {
	if k.idEsc || k.parentEsc {
		if id, err = keyString(k.id, k.idEsc); err != nil {
			return "", "", err
		}
		parent, err = keyString(k.parent, k.parentEsc)
		return id, parent, err
	}
	newParent := false
	switch {
	case len(k.parent) == 0:
	case string(k.parent) == b.row.ParentID:
		parent = b.row.ParentID
	case string(k.parent) == b.row.ID:
		parent = b.row.ID
	case string(k.parent) == b.lastRoot:
		parent = b.lastRoot
	default:
		newParent = true
	}
	switch {
	case newParent && len(k.id) > 0:
		b.scratch = append(append(b.scratch[:0], k.id...), k.parent...)
		both := string(b.scratch)
		id, parent = both[:len(k.id)], both[len(k.id):]
	case newParent:
		parent = string(k.parent)
	case len(k.id) > 0:
		id = string(k.id)
	}
	return id, parent, nil
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

// rowKeys are the string values of a row's top-level "id" and
// "__parentId" keys as they appear in the line (between the quotes, escapes
// not decoded), and whether they contain escapes. A key that is absent or
// whose value is not a string is empty, as is an empty string value.
type rowKeys struct {
	id, parent       []byte
	idEsc, parentEsc bool
}

// scanRowKeys is scanKeys with the values decoded to strings.
func scanRowKeys(b []byte) (id, parent string, err error) {
	k, err := scanKeys(b)
	if err != nil {
		return "", "", err
	}
	if id, err = keyString(k.id, k.idEsc); err != nil {
		return "", "", err
	}
	parent, err = keyString(k.parent, k.parentEsc)
	return id, parent, err
}

// keyString returns the text of a scanned key value.
func keyString(raw []byte, escaped bool) (string, error) {
	if !escaped {
		return string(raw), nil
	}
	return unquote(raw)
}

// scanKeys walks the top level of one JSON object and returns where the
// string values of its "id" and "__parentId" keys are (the last one wins
// when a key repeats). Nested values are skipped without being parsed;
// Decode validates them later. It does not allocate.
func scanKeys(b []byte) (k rowKeys, err error) {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return k, errors.New("not a JSON object")
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		if skipWS(b, i+1) != len(b) {
			return k, errors.New("data after the object")
		}
		return k, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return k, errors.New("expected an object key")
		}
		ke, kesc, err := scanString(b, i)
		if err != nil {
			return k, err
		}
		key := b[i+1 : ke]
		i = skipWS(b, ke+1)
		if i >= len(b) || b[i] != ':' {
			return k, errors.New("expected ':'")
		}
		i = skipWS(b, i+1)
		if i >= len(b) {
			return k, errors.New("unexpected end of line")
		}
		isID := !kesc && string(key) == "id"
		isParent := !kesc && string(key) == "__parentId"
		if (isID || isParent) && b[i] == '"' {
			ve, vesc, err := scanString(b, i)
			if err != nil {
				return k, err
			}
			if isID {
				k.id, k.idEsc = b[i+1:ve], vesc
			} else {
				k.parent, k.parentEsc = b[i+1:ve], vesc
			}
			i = ve + 1
		} else if i, err = skipValue(b, i); err != nil {
			return k, err
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return k, errors.New("unexpected end of line")
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			if skipWS(b, i+1) != len(b) {
				return k, errors.New("data after the object")
			}
			return k, nil
		default:
			return k, fmt.Errorf("unexpected %q", b[i])
		}
	}
}

// unquote decodes the content of a JSON string literal with escapes
// (the bytes between its quotes).
func unquote(content []byte) (string, error) {
	quoted := make([]byte, 0, len(content)+2)
	quoted = append(append(append(quoted, '"'), content...), '"')
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

// scanString expects b[i]=='"' and returns the index of the closing quote
// and whether the string's content has escapes. It looks at eight bytes at
// a time for a quote or a backslash (SWAR: a byte of x equal to c is a zero
// byte of x^(c*ones), and the lowest byte flagged by the zero-byte test is
// exact).
func scanString(b []byte, i int) (end int, escaped bool, err error) {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for j := i + 1; j < len(b); {
		for j+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[j:])
			q, s := x^(ones*'"'), x^(ones*'\\')
			if m := ((q-ones)&^q | (s-ones)&^s) & highs; m != 0 {
				j += bits.TrailingZeros64(m) / 8
				break
			}
			j += 8
		}
		if j >= len(b) {
			break
		}
		switch b[j] {
		case '"':
			return j, escaped, nil
		case '\\':
			escaped = true
			j += 2
		default:
			j++
		}
	}
	return 0, false, errors.New("unterminated string")
}

// skipValue skips one JSON value starting at b[i] and returns the index
// after it.
func skipValue(b []byte, i int) (int, error) {
	switch b[i] {
	case '"':
		end, _, err := scanString(b, i)
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
				end, _, err := scanString(b, j)
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
