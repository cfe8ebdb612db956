package redact

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const (
	secret  = "shpat_0123456789abcdef"
	special = "se+cr/et&<key>\"quoted\" value"
)

func TestText(t *testing.T) {
	s := New(secret, special, "", "short")
	for _, tc := range []struct{ in, want string }{
		{"token " + secret + " and again " + secret, "token [REDACTED] and again [REDACTED]"},
		{"nothing here", "nothing here"},
		{"short stays: short", "short stays: short"}, // below MinLen
		{"raw " + special, "raw [REDACTED]"},
		{"query " + url.QueryEscape(special), "query [REDACTED]"},
		{"path " + url.PathEscape(special), "path [REDACTED]"},
		{"json " + jsonString(special, true), "json \"[REDACTED]\""},
		{"json " + jsonString(special, false), "json \"[REDACTED]\""},
	} {
		if got := s.Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func jsonString(s string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s)
	return strings.TrimSpace(b.String())
}

func TestLongestFirst(t *testing.T) {
	// A secret that contains another is replaced whole, not in part.
	s := New("abcdefgh", "abcdefgh_longer_secret")
	if got := s.Text("x abcdefgh_longer_secret y"); got != "x [REDACTED] y" {
		t.Fatalf("got %q", got)
	}
}

func TestBytesDoesNotCopyWithoutSecret(t *testing.T) {
	s := New(secret)
	b := []byte(`{"data":{"shop":{"name":"S"}}}`)
	if got := s.Bytes(b); &got[0] != &b[0] {
		t.Fatal("Bytes copied a body without a secret")
	}
	got := s.Bytes([]byte(`{"errors":"token ` + secret + `"}`))
	if string(got) != `{"errors":"token [REDACTED]"}` {
		t.Fatalf("got %s", got)
	}
	var nilSet *Set
	if string(nilSet.Bytes(b)) != string(b) || nilSet.Text(secret) != secret || nilSet.Error(io.EOF) != io.EOF {
		t.Fatal("a nil set changed something")
	}
}

func TestRotatingIsBounded(t *testing.T) {
	s := New(secret)
	var tokens []string
	for i := range maxRotating + 3 {
		tok := fmt.Sprintf("issued_token_%02d", i)
		tokens = append(tokens, tok)
		s.AddRotating(tok)
	}
	for i, tok := range tokens {
		kept := i >= len(tokens)-maxRotating
		if s.Contains(tok) != kept {
			t.Errorf("token %d: kept = %v, want %v", i, s.Contains(tok), kept)
		}
	}
	if !s.Contains(secret) {
		t.Fatal("a fixed secret was dropped by rotation")
	}
}

func TestHeader(t *testing.T) {
	s := New(secret)
	h := http.Header{"X-Request-Id": {"id " + secret}, "Other": {"a", secret}}
	s.Header(h)
	if h.Get("X-Request-Id") != "id [REDACTED]" || h["Other"][1] != Mask || h["Other"][0] != "a" {
		t.Fatalf("header = %v", h)
	}
}

type codeError struct{ code string }

func (e *codeError) Error() string { return "refused: " + e.code }

func TestError(t *testing.T) {
	s := New(secret)
	if s.Error(nil) != nil {
		t.Fatal("nil error became non-nil")
	}
	plain := errors.New("no secret")
	if s.Error(plain) != plain {
		t.Fatal("an error without a secret was wrapped")
	}
	inner := &codeError{code: secret}
	err := s.Error(fmt.Errorf("call: %w", inner))
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		if got := fmt.Sprintf(verb, err); strings.Contains(got, secret) || !strings.Contains(got, Mask) {
			t.Errorf("%s: %s", verb, got)
		}
	}
	var ce *codeError
	if !errors.As(err, &ce) || !errors.Is(err, inner) {
		t.Fatal("the redacted error lost what it wraps")
	}
}

func TestSetPrintsNoSecret(t *testing.T) {
	s := New(secret)
	holder := struct {
		Name string
		S    *Set
	}{"x", s}
	for _, v := range []any{s, holder, &holder} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			if got := fmt.Sprintf(verb, v); strings.Contains(got, secret) || strings.Contains(got, fmt.Sprintf("%x", secret)) {
				t.Errorf("%s of %T shows the secret: %s", verb, v, got)
			}
		}
	}
}

type stringer struct{}

func (stringer) String() string { return "stringer " + secret }

type valuer struct{}

func (valuer) LogValue() slog.Value { return slog.StringValue("valuer " + secret) }

func TestLogger(t *testing.T) {
	s := New(secret)
	var buf bytes.Buffer
	l := s.Logger(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if s.Logger(l) != l {
		t.Fatal("wrapping twice")
	}
	l = l.With("pre", "with "+secret).WithGroup("g").With(slog.Group("inner", "deep", secret))
	l.Debug("message "+secret,
		"str", secret,
		"err", fmt.Errorf("wrapped: %w", errors.New(secret)),
		"stringer", stringer{},
		"valuer", valuer{},
		"any", map[string]string{"k": secret},
		slog.Group("grp", "x", secret),
		"n", 42)
	out := buf.String()
	if strings.Contains(out, secret) {
		t.Fatalf("log shows the secret: %s", out)
	}
	if n := strings.Count(out, Mask); n < 9 {
		t.Fatalf("want the mask in the message and 8 attributes, got %d: %s", n, out)
	}
	if !strings.Contains(out, `"n":42`) {
		t.Fatalf("a clean attribute changed: %s", out)
	}
	if s.Logger(nil) != nil {
		t.Fatal("Logger(nil) is not nil")
	}
	if !l.Enabled(context.Background(), slog.LevelDebug) {
		t.Fatal("Enabled not passed through")
	}
}

func BenchmarkBytes(b *testing.B) {
	s := New(secret, "shpss_another_secret_0123456789", "shprt_refresh_0123456789")
	s.AddRotating("shpat_issued_1_0123456789", "shprt_issued_1_0123456789")
	body := bytes.Repeat([]byte(`{"node":{"id":"gid://shopify/Product/1","title":"A product title"}},`), 1500) // ~100 KB
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		_ = s.Bytes(body)
	}
}
