// Package redact removes known secrets from text the module did not write
// itself: answers of servers (bodies, headers), errors of other packages and
// of hosts' hooks, and the log lines built from them.
//
// A component that holds secrets (the Shopify client: access token, client
// secret, refresh tokens; a webhook source: signing secrets) keeps one [Set]
// with every secret it knows and applies it where foreign text comes in and
// where its own errors and log lines go out:
//
//   - [Set.Bytes] and [Set.Header] on a server's answer as it arrives, so
//     nothing decoded from it (error messages, codes, user errors) carries a
//     secret an endpoint or proxy reflected;
//   - [Set.Error] on every error it returns;
//   - [Set.Logger] around its logger, so no log attribute or message shows
//     one, whatever a later change logs.
//
// A secret is replaced by [Mask] in its raw form and in the forms an echoing
// server produces (JSON string escaping, URL query escaping). Secrets
// shorter than [MinLen] bytes are not looked for: they cannot be told from
// ordinary text without mangling it (real tokens and secrets are 32 or more
// characters).
//
// A Set is safe for concurrent use.
package redact

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Mask replaces a secret.
const Mask = "[REDACTED]"

// MinLen is the length from which a secret is looked for.
const MinLen = 8

// maxRotating bounds the rotating secrets a Set keeps (see AddRotating).
const maxRotating = 8

// Set is a set of secrets to remove from text. The zero value is an empty
// set; a nil *Set removes nothing. Printing a Set (or a struct holding one)
// shows no secret.
type Set struct {
	mu sync.Mutex // serialises writers
	// st is replaced, never changed, by writers; behind a pointer, so that
	// printing a struct holding a Set shows an address, not the secrets.
	st atomic.Pointer[state]
}

// state is what a Set holds at one time.
type state struct {
	fixed    []string // secrets added with Add
	rotating []string // secrets added with AddRotating, oldest first
	forms    []string // every form to replace, longest first
	bforms   [][]byte // forms as bytes
}

// New returns a Set holding secrets (see Add).
func New(secrets ...string) *Set {
	s := &Set{}
	s.Add(secrets...)
	return s
}

// Add adds secrets that stay for the life of the set (a static access token,
// a client secret, webhook signing secrets). Empty and short ones are
// ignored.
func (s *Set) Add(secrets ...string) {
	s.update(func(st *state) {
		for _, sec := range secrets {
			if len(sec) >= MinLen && !slices.Contains(st.fixed, sec) {
				st.fixed = append(st.fixed, sec)
			}
		}
	})
}

// AddRotating adds secrets that a newer one replaces (access and refresh
// tokens issued by a token endpoint). The set keeps the most recent few, so
// an endpoint echoing a token from an earlier request is still covered while
// the set stays small.
func (s *Set) AddRotating(secrets ...string) {
	s.update(func(st *state) {
		for _, sec := range secrets {
			if len(sec) < MinLen || slices.Contains(st.fixed, sec) || slices.Contains(st.rotating, sec) {
				continue
			}
			st.rotating = append(st.rotating, sec)
			if len(st.rotating) > maxRotating {
				st.rotating = st.rotating[len(st.rotating)-maxRotating:]
			}
		}
	})
}

// update applies f to a copy of the state and publishes the result.
func (s *Set) update(f func(*state)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var next state
	if cur := s.st.Load(); cur != nil {
		next.fixed = slices.Clone(cur.fixed)
		next.rotating = slices.Clone(cur.rotating)
	}
	f(&next)
	for _, list := range [][]string{next.fixed, next.rotating} {
		for _, sec := range list {
			for _, form := range encodings(sec) {
				if !slices.Contains(next.forms, form) {
					next.forms = append(next.forms, form)
				}
			}
		}
	}
	// Longest first, so a secret that contains another is replaced whole.
	slices.SortStableFunc(next.forms, func(a, b string) int { return len(b) - len(a) })
	for _, form := range next.forms {
		next.bforms = append(next.bforms, []byte(form))
	}
	s.st.Store(&next)
}

// encodings returns sec and the forms an echo of it may take.
func encodings(sec string) []string {
	out := []string{sec}
	add := func(f string) {
		if f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	if b, err := json.Marshal(sec); err == nil { // escapes <, > and & too
		add(strings.Trim(string(b), `"`))
	}
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	if enc.Encode(sec) == nil {
		add(strings.Trim(strings.TrimSpace(plain.String()), `"`))
	}
	add(url.QueryEscape(sec))
	add(url.PathEscape(sec))
	return out
}

func (s *Set) snapshot() []string {
	if s == nil {
		return nil
	}
	if st := s.st.Load(); st != nil {
		return st.forms
	}
	return nil
}

// String describes the set without its secrets.
func (s *Set) String() string { return "redact.Set(" + Mask + ")" }

// GoString is String.
func (s *Set) GoString() string { return s.String() }

// Format prints String for every verb.
func (s *Set) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.String()) }

// Empty reports whether the set holds no secret to look for.
func (s *Set) Empty() bool { return len(s.snapshot()) == 0 }

// Text returns str with every secret replaced by Mask.
func (s *Set) Text(str string) string {
	for _, f := range s.snapshot() {
		if strings.Contains(str, f) {
			str = strings.ReplaceAll(str, f, Mask)
		}
	}
	return str
}

// Contains reports whether str holds a secret of the set.
func (s *Set) Contains(str string) bool {
	for _, f := range s.snapshot() {
		if strings.Contains(str, f) {
			return true
		}
	}
	return false
}

// Bytes returns b with every secret replaced by Mask. When b holds none it
// returns b itself, without copying.
func (s *Set) Bytes(b []byte) []byte {
	if s == nil {
		return b
	}
	st := s.st.Load()
	if st == nil {
		return b
	}
	for _, f := range st.bforms {
		if bytes.Contains(b, f) {
			b = bytes.ReplaceAll(b, f, []byte(Mask))
		}
	}
	return b
}

// Header replaces secrets in every value of h, in place.
func (s *Set) Header(h http.Header) {
	if s.Empty() {
		return
	}
	for k, vs := range h {
		for i, v := range vs {
			h[k][i] = s.Text(v)
		}
	}
}

// Error returns err unchanged when its text holds no secret, and otherwise an
// error whose text has the secrets replaced and which unwraps to err, so
// errors.Is and errors.As still find what err matches.
func (s *Set) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if !s.Contains(msg) {
		return err
	}
	return &redacted{msg: s.Text(msg), err: err}
}

// redacted is an error whose text had secrets removed.
type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }

// Format prints the redacted text for every verb (%+v and %#v too).
func (e *redacted) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", e.msg)
		return
	}
	fmt.Fprint(f, e.msg)
}

// Logger returns a logger that writes through l's handler with every
// secret replaced in the message and in every attribute (strings, errors,
// values that format as text, inside groups). A nil l gives nil.
func (s *Set) Logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return nil
	}
	if h, ok := l.Handler().(*handler); ok && h.set == s {
		return l
	}
	return slog.New(&handler{set: s, next: l.Handler()})
}

// handler is a slog.Handler that removes secrets before passing records on.
type handler struct {
	set  *Set
	next slog.Handler
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	if h.set.Empty() {
		return h.next.Handle(ctx, r)
	}
	out := slog.NewRecord(r.Time, r.Level, h.set.Text(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.set.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = h.set.attr(a)
	}
	return &handler{set: h.set, next: h.next.WithAttrs(clean)}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{set: h.set, next: h.next.WithGroup(name)}
}

// attr returns a with secrets removed from its value.
func (s *Set) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		if str := v.String(); s.Contains(str) {
			return slog.String(a.Key, s.Text(str))
		}
	case slog.KindGroup:
		g := v.Group()
		clean := make([]slog.Attr, len(g))
		for i, x := range g {
			clean[i] = s.attr(x)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(clean...)}
	case slog.KindAny:
		var text string
		switch x := v.Any().(type) {
		case error:
			text = x.Error()
		default:
			text = fmt.Sprint(x)
		}
		if s.Contains(text) {
			return slog.String(a.Key, s.Text(text))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
