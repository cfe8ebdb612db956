package webhook

import (
	"context"
	"errors"
	"fmt"
	"go.opentelemetry.io/otel/metric"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
)

// Defaults of Handler.
const (
	// DefaultMaxBodyBytes caps request bodies (1 MiB). Shopify's sample
	// orders/create payload is about 11 KB with 5 lines; raise the cap if your
	// shops have orders with many hundreds of lines.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultStoreTimeout bounds Inbox.Put, inside the few seconds shop
	// systems wait for an answer (Shopify: 5 s).
	DefaultStoreTimeout = 3 * time.Second
	// DefaultReadTimeout bounds the reading of a request's body, counted
	// from when the Handler starts on the request (its headers are read by
	// then). A shop system sends a webhook's body at once and gives up on an
	// answer after a few seconds (Shopify: 5 s), so a body still arriving
	// after 5 s is a client holding a connection open (a slow-body attack,
	// or a broken network), not a delivery.
	DefaultReadTimeout = 5 * time.Second
)

// Handler is an http.Handler that receives webhooks from one or several
// shop systems, each described by a [Source]. For each request it:
//
//  1. answers 405 unless the method is POST;
//  2. reads the body through http.MaxBytesReader (413 beyond the limit)
//     within the read timeout (408, and the connection is closed, when the
//     body stalls or trickles past it; see [WithReadTimeout]);
//  3. picks the first source that classifies the request as its own
//     ([Source.Classify]); a [Ping] gets 200 and nothing else; a request
//     no source claims gets 401;
//  4. has the source verify the signature against the raw body (401 on a
//     missing or bad signature, with no other effect);
//  5. has the source build the Event (400 if what routing or
//     deduplication need is missing or malformed, or the body is empty:
//     every event needs a topic, a shop and a deduplication key, none
//     longer than MaxEventField; see the source for its own rules);
//  6. acknowledges (200) events of topics it does not accept, without
//     storing them, and counts them;
//  7. puts the event into the Inbox and answers 200 only once Put
//     returned: 503 if Put fails (so the shop system retries, if it
//     does), 200 for a duplicate webhook id (stored once).
//
// One Handler may serve several sources at one address: each source
// recognises its own requests by their headers (Shopify's X-Shopify-*,
// WooCommerce's X-WC-Webhook-*), so no source ever verifies another's
// delivery. Mounting one Handler per source at separate paths works as
// well.
//
// No business work happens on the request path: handlers run later, from
// the inbox, through a Dispatcher. Handler is safe for concurrent use.
// Secrets never appear in its logs, errors or %v output.
//
// Body buffers of rejected and unstored requests are reused for later
// requests, and so are those of stored ones when the inbox is a
// [BodyCopier] that reports true (the SQL stores are).
type Handler struct {
	inbox        Inbox
	sources      []handlerSource
	maxBody      int64
	storeTimeout time.Duration
	readTimeout  time.Duration // <= 0: the server's own timeouts only
	logger       *slog.Logger
	now          func() time.Time
	stats        handlerCounters
	copies       bool      // the inbox is a BodyCopier reporting true
	bodies       sync.Pool // *[]byte: request body buffers to reuse

	// Options, resolved by NewHandler.
	optSources []Source
	optTopics  map[Topic]bool // WithTopics
	allTopics  bool           // WithAllTopics
	optMeter   metric.MeterProvider
}

// handlerSource is a source with the topics the Handler stores for it.
type handlerSource struct {
	src    Source
	name   string
	topics map[Topic]bool // nil: every topic
}

// Option configures a Handler.
type Option func(*Handler)

// WithSource adds the sources whose deliveries the Handler receives, in
// the order they are asked to classify a request. At least one is required.
func WithSource(sources ...Source) Option {
	return func(h *Handler) { h.optSources = append(h.optSources, sources...) }
}

// WithMaxBodyBytes caps request bodies (default DefaultMaxBodyBytes).
func WithMaxBodyBytes(n int64) Option {
	return func(h *Handler) {
		if n > 0 {
			h.maxBody = n
		}
	}
}

// WithStoreTimeout bounds each Inbox.Put (default DefaultStoreTimeout). The
// Put runs on a context detached from the request, so a client that hangs up
// does not abort a store in flight.
func WithStoreTimeout(d time.Duration) Option {
	return func(h *Handler) {
		if d > 0 {
			h.storeTimeout = d
		}
	}
}

// WithReadTimeout bounds the reading of each request's body (default
// DefaultReadTimeout), from when the Handler starts on the request: a
// client that sends headers and then stalls or trickles its body gets 408
// and its connection is closed once d has passed, so it cannot hold a
// connection and a goroutine open. The Handler sets the deadline through
// http.ResponseController, which reaches the connection through
// ResponseWriters that wrap it and have an Unwrap method; behind a
// middleware whose writer has none, only the server's timeouts apply. A
// negative d leaves body reads to the server's timeouts alone.
//
// The deadline does not replace the http.Server's own timeouts, which
// cover what happens before the Handler runs: set ReadHeaderTimeout (slow
// headers), ReadTimeout (a whole request, as a backstop a little above d)
// and IdleTimeout (kept-alive connections) on the server that mounts it.
func WithReadTimeout(d time.Duration) Option {
	return func(h *Handler) {
		if d != 0 {
			h.readTimeout = d
		}
	}
}

// WithTopics sets the topics that are stored, whatever the source; others
// are acknowledged and counted as unknown. The default is the topics each
// source lists ([TopicLister]), or every topic for a source that lists
// none.
func WithTopics(topics ...Topic) Option {
	return func(h *Handler) {
		h.optTopics = map[Topic]bool{}
		for _, t := range topics {
			h.optTopics[t] = true
		}
		h.allTopics = false
	}
}

// WithAllTopics stores events of every topic, known or not.
func WithAllTopics() Option {
	return func(h *Handler) { h.optTopics, h.allTopics = nil, true }
}

// WithLogger sets the logger (default: discard). Rejections log at Warn,
// storage failures at Error, accepted deliveries at Debug; entries carry
// source, topic, shop and webhook id, never secrets or signatures.
func WithLogger(l *slog.Logger) Option {
	return func(h *Handler) {
		if l != nil {
			h.logger = l
		}
	}
}

// WithClock sets the clock used for Event.ReceivedAt (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(h *Handler) {
		if now != nil {
			h.now = now
		}
	}
}

// NewHandler returns a Handler that stores verified deliveries of the
// sources given with [WithSource] in inbox. It returns ErrNoSource without
// a source, and an error if inbox is nil.
func NewHandler(inbox Inbox, opts ...Option) (*Handler, error) {
	if inbox == nil {
		return nil, errors.New("webhook: NewHandler needs an Inbox")
	}
	h := &Handler{
		inbox:        inbox,
		maxBody:      DefaultMaxBodyBytes,
		storeTimeout: DefaultStoreTimeout,
		readTimeout:  DefaultReadTimeout,
		logger:       slog.New(slog.DiscardHandler),
		now:          time.Now,
	}
	for _, o := range opts {
		o(h)
	}
	for _, src := range h.optSources {
		if src == nil {
			return nil, errors.New("webhook: WithSource got a nil Source")
		}
		hs := handlerSource{src: src, name: src.Name()}
		switch {
		case h.allTopics:
		case h.optTopics != nil:
			hs.topics = h.optTopics
		default:
			if tl, ok := src.(TopicLister); ok {
				hs.topics = map[Topic]bool{}
				for _, t := range tl.Topics() {
					hs.topics[t] = true
				}
			}
		}
		h.sources = append(h.sources, hs)
	}
	h.optSources, h.optTopics = nil, nil
	if len(h.sources) == 0 {
		return nil, ErrNoSource
	}
	if c, ok := inbox.(BodyCopier); ok {
		h.copies = c.CopiesBody()
	}
	if h.optMeter != nil {
		if err := h.registerMetrics(h.optMeter); err != nil {
			return nil, err
		}
		h.optMeter = nil
	}
	return h, nil
}

// classify returns the first source that claims r, and what r is to it.
func (h *Handler) classify(r *http.Request, body []byte) (*handlerSource, RequestKind) {
	for i := range h.sources {
		if k := h.sources[i].src.Classify(r, body); k != NotMine {
			return &h.sources[i], k
		}
	}
	return nil, NotMine
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		h.stats.methodNotAllowed.Add(1)
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	rc := http.NewResponseController(w)
	if h.readTimeout > 0 {
		// An error means the writer cannot reach the connection; the
		// server's own timeouts apply then (see WithReadTimeout).
		_ = rc.SetReadDeadline(time.Now().Add(h.readTimeout))
	}
	body, buf, err := h.readBody(http.MaxBytesReader(w, r.Body, h.maxBody), r.ContentLength)
	if err == nil && h.readTimeout > 0 {
		// The body is in: storing it may take longer than what is left.
		_ = rc.SetReadDeadline(time.Time{})
	}
	if buf != nil {
		// Reused once nothing refers to body any more: when ServeHTTP
		// returns, unless it went to an inbox that may keep it (buf is
		// then set to nil before Put).
		defer func() {
			if buf != nil {
				h.recycle(buf, body)
			}
		}()
	}
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			h.stats.tooLarge.Add(1)
			h.logger.LogAttrs(r.Context(), slog.LevelWarn, "webhook body too large",
				slog.Int64("limit", h.maxBody), slog.String("remote", r.RemoteAddr))
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			h.stats.timedOut.Add(1)
			h.logger.LogAttrs(r.Context(), slog.LevelWarn, "webhook body not received within the read timeout; connection closed",
				slog.Duration("timeout", h.readTimeout), slog.Int("bytes", len(body)), slog.String("remote", r.RemoteAddr))
			w.Header().Set("Connection", "close")
			http.Error(w, "request body timeout", http.StatusRequestTimeout)
			return
		}
		h.stats.malformed.Add(1)
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	hs, kind := h.classify(r, body)
	switch kind {
	case NotMine:
		h.stats.unauthorized.Add(1)
		h.logger.LogAttrs(r.Context(), slog.LevelWarn, "webhook rejected: no source recognises the request",
			slog.String("remote", r.RemoteAddr))
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	case Ping:
		h.stats.pings.Add(1)
		h.logger.LogAttrs(r.Context(), slog.LevelInfo, "webhook ping acknowledged",
			slog.String("source", hs.name), slog.String("remote", r.RemoteAddr))
		w.WriteHeader(http.StatusOK)
		return
	}
	if err := hs.src.Verify(r.Context(), r, body); err != nil {
		h.stats.unauthorized.Add(1)
		h.logger.LogAttrs(r.Context(), slog.LevelWarn, "webhook rejected",
			slog.String("source", hs.name), slog.String("error", err.Error()), slog.String("remote", r.RemoteAddr))
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	e, err := hs.src.Event(r, body)
	if err == nil {
		err = checkEvent(e)
	}
	if err != nil {
		h.stats.malformed.Add(1)
		h.logger.LogAttrs(r.Context(), slog.LevelWarn, "webhook malformed",
			slog.String("source", hs.name), slog.String("error", err.Error()), slog.String("remote", r.RemoteAddr))
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	e.Source = hs.name
	attrs := []slog.Attr{slog.String("source", hs.name), slog.String("topic", string(e.Topic)),
		slog.String("shop", e.Shop), slog.String("webhook_id", e.WebhookID)}
	if hs.topics != nil && !hs.topics[e.Topic] {
		h.stats.unknownTopic.Add(1)
		h.logger.LogAttrs(r.Context(), slog.LevelInfo, "webhook topic not handled; acknowledged", attrs...)
		w.WriteHeader(http.StatusOK)
		return
	}
	e.ReceivedAt = h.now()
	if !h.copies {
		buf = nil // the inbox may keep e.Body
	}

	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), h.storeTimeout)
	stored, err := h.inbox.Put(ctx, e)
	cancel()
	if err != nil {
		h.stats.storeFailed.Add(1)
		h.logger.LogAttrs(r.Context(), slog.LevelError, "webhook not stored; asking the sender to retry",
			append(attrs, slog.String("error", err.Error()))...)
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	if !stored {
		h.stats.duplicate.Add(1)
		h.logger.LogAttrs(r.Context(), slog.LevelDebug, "webhook duplicate; acknowledged", attrs...)
		w.WriteHeader(http.StatusOK)
		return
	}
	h.stats.stored.Add(1)
	h.logger.LogAttrs(r.Context(), slog.LevelDebug, "webhook stored", attrs...)
	w.WriteHeader(http.StatusOK)
}

// MaxEventField is the longest topic, shop, API version, webhook id or
// event id a Handler stores, in bytes, whatever the source: every shop
// system's fit, and stores key and index rows by them.
const MaxEventField = 255

// checkEvent applies the rules every source's events follow: a topic, a
// shop and a deduplication key, and no field longer than MaxEventField or
// holding control characters or invalid UTF-8 (a source checks the shapes
// of its own system on top).
func checkEvent(e *Event) error {
	for _, f := range []struct {
		name, value string
		required    bool
	}{
		{"topic", string(e.Topic), true}, {"shop", e.Shop, true}, {"deduplication key (webhook id)", e.WebhookID, true},
		{"event id", e.EventID, false}, {"API version", e.APIVersion, false},
	} {
		switch {
		case f.value == "" && f.required:
			return fmt.Errorf("%w: the source found no %s", ErrMissingHeader, f.name)
		case len(f.value) > MaxEventField:
			return fmt.Errorf("%w: the %s is %d bytes long, at most %d", ErrInvalidHeader, f.name, len(f.value), MaxEventField)
		case !utf8.ValidString(f.value) || strings.ContainsFunc(f.value, unicode.IsControl):
			return fmt.Errorf("%w: the %s holds control characters or invalid UTF-8", ErrInvalidHeader, f.name)
		}
	}
	return nil
}

// maxReusedBody is the largest body buffer a Handler keeps for reuse.
const maxReusedBody = 256 << 10

// readBody reads all of r. When the Content-Length header is known and
// within the limit, it reads into a reused buffer big enough for it (or a
// new one), which it also returns, for recycle; otherwise buf is nil. A
// body longer than announced is read all the same.
func (h *Handler) readBody(r io.Reader, contentLength int64) (body []byte, buf *[]byte, err error) {
	if contentLength <= 0 || contentLength > h.maxBody {
		body, err = io.ReadAll(r)
		return body, nil, err
	}
	// One byte more than announced, so that the read ending the body
	// (0, io.EOF) does not have to grow the buffer.
	need := int(contentLength) + 1
	buf, _ = h.bodies.Get().(*[]byte)
	if buf == nil || cap(*buf) < need {
		b := make([]byte, 0, need)
		buf = &b
	}
	body = (*buf)[:0]
	for {
		if len(body) == cap(body) {
			body = append(body, 0)[:len(body)] // longer than announced
		}
		n, rerr := r.Read(body[len(body):cap(body)])
		body = body[:len(body)+n]
		if rerr == io.EOF {
			return body, buf, nil
		}
		if rerr != nil {
			return body, buf, rerr
		}
	}
}

// recycle keeps the buffer that body was read into for a later request,
// unless body outgrew it or it is too big to keep.
func (h *Handler) recycle(buf *[]byte, body []byte) {
	if cap(body) > maxReusedBody {
		return
	}
	*buf = body[:0]
	h.bodies.Put(buf)
}

// Stats counts a Handler's outcomes since it was created.
type Stats struct {
	Stored           uint64 // put into the inbox (200)
	Duplicates       uint64 // webhook id already stored (200)
	UnknownTopic     uint64 // topic not accepted; acknowledged, not stored (200)
	Pings            uint64 // a source's ping (such as WooCommerce's); acknowledged, not stored (200)
	Unauthorized     uint64 // no source recognises it, or missing or bad signature (401)
	Malformed        uint64 // missing headers, empty or unreadable body (400)
	TooLarge         uint64 // body over the limit (413)
	TimedOut         uint64 // body not read within the read timeout (408)
	MethodNotAllowed uint64 // not POST (405)
	StoreFailed      uint64 // Inbox.Put failed (503)
}

type handlerCounters struct {
	stored, duplicate, unknownTopic, pings, unauthorized, malformed, tooLarge, timedOut,
	methodNotAllowed, storeFailed atomic.Uint64
}

// Stats returns a snapshot of the handler's counters.
func (h *Handler) Stats() Stats {
	c := &h.stats
	return Stats{
		Stored: c.stored.Load(), Duplicates: c.duplicate.Load(), UnknownTopic: c.unknownTopic.Load(),
		Pings: c.pings.Load(), Unauthorized: c.unauthorized.Load(), Malformed: c.malformed.Load(), TooLarge: c.tooLarge.Load(),
		TimedOut: c.timedOut.Load(), MethodNotAllowed: c.methodNotAllowed.Load(), StoreFailed: c.storeFailed.Load(),
	}
}
