package shopifytest

import (
	"strconv"
	"strings"
	"time"
)

// This file implements the subset of Shopify's search syntax that the
// `query:` argument of connections uses: field:value terms with the
// comparators :, :<, :<=, :>, :>=, implicit AND, explicit AND/OR, negation
// with - or NOT, parentheses, quoted values ('...' or "...") and trailing *
// prefix wildcards. Values compare as times when both sides parse as
// dates, as numbers when both parse as numbers, otherwise as
// case-insensitive strings. As on Shopify, terms naming a field the
// resource does not support match everything; a bare word matches the
// resource's default text (e.g. the title).

// fieldsFunc returns the values of a resource's filterable field; ok is
// false for a field the resource does not support. The field "" is the
// default text for bare words.
type fieldsFunc func(field string) (vals []string, ok bool)

type searchExpr interface {
	match(f fieldsFunc) bool
}

type andExpr []searchExpr
type orExpr []searchExpr
type notExpr struct{ e searchExpr }
type termExpr struct {
	field, op, value string
	// the value pre-parsed once: as a time, or as a number
	wantTime      time.Time
	isTime, isNum bool
	isInt         bool // integers compare exactly (IDs exceed 2^53)
	wantInt       int64
	wantNum       float64
}

func (a andExpr) match(f fieldsFunc) bool {
	for _, e := range a {
		if !e.match(f) {
			return false
		}
	}
	return true
}

func (o orExpr) match(f fieldsFunc) bool {
	for _, e := range o {
		if e.match(f) {
			return true
		}
	}
	return false
}

func (n notExpr) match(f fieldsFunc) bool { return !n.e.match(f) }

func (t termExpr) match(f fieldsFunc) bool {
	vals, ok := f(t.field)
	if !ok {
		return true // unsupported filter: ignored, as Shopify does
	}
	if t.field == "" {
		w := strings.ToLower(strings.TrimSuffix(t.value, "*"))
		for _, v := range vals {
			if strings.Contains(strings.ToLower(v), w) {
				return true
			}
		}
		return false
	}
	for _, v := range vals {
		if t.compare(v) {
			return true
		}
	}
	return false
}

func (t termExpr) compare(have string) bool {
	op, want := t.op, t.value
	if op == ":" && want == "*" {
		return have != ""
	}
	c, ok := 0, false
	switch {
	case t.isTime:
		if ht, err := time.Parse(time.RFC3339, have); err == nil {
			c, ok = ht.Compare(t.wantTime), true
		} else if ht, isT := parseSearchTime(have); isT {
			c, ok = ht.Compare(t.wantTime), true
		}
	case t.isInt:
		if hi, err := strconv.ParseInt(have, 10, 64); err == nil {
			c, ok = cmpInt(hi, t.wantInt), true
		} else if hn, err := strconv.ParseFloat(have, 64); err == nil {
			c, ok = cmpFloat(hn, float64(t.wantInt)), true
		}
	case t.isNum:
		if hn, err := strconv.ParseFloat(have, 64); err == nil {
			c, ok = cmpFloat(hn, t.wantNum), true
		}
	}
	if !ok { // string comparison
		h, w := strings.ToLower(have), strings.ToLower(want)
		if op == ":" {
			if p, isPrefix := strings.CutSuffix(w, "*"); isPrefix {
				return strings.HasPrefix(h, p)
			}
			return h == w
		}
		c = strings.Compare(h, w)
	}
	switch op {
	case ":":
		return c == 0
	case ":<":
		return c < 0
	case ":<=":
		return c <= 0
	case ":>":
		return c > 0
	case ":>=":
		return c >= 0
	}
	return false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func parseSearchTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseSearch parses a query string; an empty query matches everything.
func parseSearch(q string) searchExpr {
	p := &searchParser{toks: tokenize(q)}
	e := p.parseOr()
	if e == nil {
		return andExpr{}
	}
	return e
}

type searchParser struct {
	toks []string
	pos  int
}

func (p *searchParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *searchParser) parseOr() searchExpr {
	var parts orExpr
	for {
		a := p.parseAnd()
		if a != nil {
			parts = append(parts, a)
		}
		if p.peek() == "OR" {
			p.pos++
			continue
		}
		break
	}
	switch len(parts) {
	case 0:
		return nil
	case 1:
		return parts[0]
	}
	return parts
}

func (p *searchParser) parseAnd() searchExpr {
	var parts andExpr
	for {
		t := p.peek()
		if t == "" || t == "OR" || t == ")" {
			break
		}
		if t == "AND" {
			p.pos++
			continue
		}
		if u := p.parseUnary(); u != nil {
			parts = append(parts, u)
		}
	}
	if len(parts) == 0 {
		return nil
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return parts
}

func (p *searchParser) parseUnary() searchExpr {
	t := p.peek()
	p.pos++
	switch {
	case t == "NOT":
		if e := p.parseUnary(); e != nil {
			return notExpr{e}
		}
		return nil
	case t == "(":
		e := p.parseOr()
		if p.peek() == ")" {
			p.pos++
		}
		return e
	case strings.HasPrefix(t, "-") && len(t) > 1:
		return notExpr{parseTerm(t[1:])}
	}
	return parseTerm(t)
}

func parseTerm(tok string) searchExpr {
	i := strings.IndexByte(tok, ':')
	if i <= 0 {
		return termExpr{value: unquote(tok)}
	}
	field, rest := strings.ToLower(tok[:i]), tok[i+1:]
	op := ":"
	for _, c := range []string{"<=", ">=", "<", ">"} {
		if strings.HasPrefix(rest, c) {
			op, rest = ":"+c, rest[len(c):]
			break
		}
	}
	t := termExpr{field: field, op: op, value: unquote(rest)}
	if wt, ok := parseSearchTime(t.value); ok {
		t.wantTime, t.isTime = wt, true
	} else if n, err := strconv.ParseInt(t.value, 10, 64); err == nil {
		t.wantInt, t.isInt = n, true
	} else if f, err := strconv.ParseFloat(t.value, 64); err == nil {
		t.wantNum, t.isNum = f, true
	}
	return t
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// tokenize splits on whitespace outside quotes and isolates parentheses.
func tokenize(q string) []string {
	var toks []string
	var cur strings.Builder
	var quote rune
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	for _, r := range q {
		switch {
		case quote != 0:
			cur.WriteRune(r)
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
			cur.WriteRune(r)
		case r == ' ' || r == '\t' || r == '\n':
			flush()
		case (r == '(' || r == ')') && cur.Len() == 0:
			toks = append(toks, string(r))
		case r == ')':
			flush()
			toks = append(toks, ")")
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return toks
}

func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
