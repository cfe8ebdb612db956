package shopifytest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Webhook delivery.
//
// Every change event of a shop (from GraphQL mutations and from the control
// API alike) is delivered to each subscription of its topic as Shopify
// does: a POST of the REST-format JSON payload (webhook_payloads.go) with
// the headers X-Shopify-Topic, X-Shopify-Hmac-Sha256 (base64 HMAC-SHA256 of
// the raw body with the app's client secret, see WithWebhookSecret),
// X-Shopify-Shop-Domain, X-Shopify-API-Version, X-Shopify-Webhook-Id (one
// per delivery, the same on its retries and duplicates), X-Shopify-Event-Id
// (one per event, the same for every subscription), X-Shopify-Triggered-At
// and X-Shopify-Name (when the subscription has a name).
//
// What is faithful: delivery is asynchronous and never blocks a mutation;
// a delivery fails on a non-2xx answer (redirects included) or when the
// endpoint does not answer within 5 s; failed deliveries are retried 8
// times over about 4 hours (10s, 30s, 1m, 5m, 15m, 30m, 1h, 2h) with the
// original payload and headers; a subscription created through the API is
// removed when a delivery has failed its 8 retries with no successful
// delivery to the subscription in between (Shopify: after 8 consecutive
// failures), one configured outside the API (control API) is kept; products/* carry full variants for the first 100 variants and
// variant_gids for all; orders/delete carries only the id;
// inventory_levels/update has no on_hand; includeFields trims the payload;
// app/uninstalled is followed by the removal of every subscription.
// All durations are divided by the server's time scale.
//
// What is simplified: the filter argument of
// subscriptions is stored but not applied; only http(s) endpoints are
// delivered to (Pub/Sub and EventBridge subscriptions are stored, never
// called); first attempts of a shop's deliveries are made one at a time in
// event order (retries run concurrently), so a slow endpoint delays later
// first attempts; Shopify's debouncing of identical payloads is not
// simulated. Faults (WebhookFault) add duplicates, reordering, drops and
// delays deterministically from the server seed.

// DefaultWebhookSecret is the app secret webhooks are signed with unless
// WithWebhookSecret sets another one.
const DefaultWebhookSecret = "shpss_simulated_client_secret"

// webhookRetrySchedule is the delay before each retry (Shopify: 8 retries
// over 4 hours with exponential backoff; the exact delays are not
// published).
var webhookRetrySchedule = []time.Duration{
	10 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute,
	15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour,
}

// webhookTimeout is how long Shopify waits for a 2xx.
const webhookTimeout = 5 * time.Second

// minAttemptTimeout bounds the scaled attempt timeout from below: at high
// time scales 5s would shrink below the time a loopback request takes.
const minAttemptTimeout = 250 * time.Millisecond

// secretValue keeps a secret out of fmt output: fmt prints unexported
// fields by reflection, so the text sits behind a pointer.
type secretValue struct{ p *string }

func newSecret(s string) secretValue { return secretValue{&s} }

func (v secretValue) get() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

func (secretValue) String() string   { return "[redacted]" }
func (secretValue) GoString() string { return "[redacted]" }

type webhookOptions struct {
	secret     secretValue
	schedule   []time.Duration
	timeout    time.Duration
	client     *http.Client
	apiVersion string
}

func (o webhookOptions) withDefaults() webhookOptions {
	if o.secret.get() == "" {
		o.secret = newSecret(DefaultWebhookSecret)
	}
	if o.schedule == nil {
		o.schedule = webhookRetrySchedule
	}
	if o.timeout <= 0 {
		o.timeout = webhookTimeout
	}
	o.apiVersion = shapedVersion(o.apiVersion)
	return o
}

// webhookAPIVersions are the API versions whose payload shapes the
// simulator knows from Shopify's published samples, oldest first.
var webhookAPIVersions = []string{"2026-04", "2026-07"}

// WebhookAPIVersions returns the Admin API versions the simulator shapes
// webhook payloads for: those Shopify published webhook samples of that
// the simulator follows.
func WebhookAPIVersions() []string { return slices.Clone(webhookAPIVersions) }

// shapedVersion maps the app's webhook API version to the one payloads are
// shaped by: the newest of WebhookAPIVersions not newer than v, the oldest
// for older versions, the newest for "" (the default).
func shapedVersion(v string) string {
	if v == "" {
		return webhookAPIVersions[len(webhookAPIVersions)-1]
	}
	out := webhookAPIVersions[0]
	for _, sv := range webhookAPIVersions {
		if sv <= v {
			out = sv
		}
	}
	return out
}

// WithWebhookAPIVersion sets the Admin API version the app's webhooks use.
// On Shopify it is part of the app's configuration, not of a subscription:
// every subscription reports it as apiVersion, every delivery in
// X-Shopify-API-Version, and payloads are shaped by it. The simulator
// shapes payloads for the versions of WebhookAPIVersions (default: the
// newest); any other version is served as the newest of those not newer
// than it (the oldest for an older one), and that is the version reported.
func WithWebhookAPIVersion(version string) Option {
	return func(c *serverConfig) { c.ext.webhook.apiVersion = version }
}

// WithWebhookSecret sets the app secret that signs webhook deliveries
// (default DefaultWebhookSecret). It never appears in errors or logs.
func WithWebhookSecret(secret string) Option {
	return func(c *serverConfig) { c.ext.webhook.secret = newSecret(secret) }
}

// WithWebhookRetries replaces the retry schedule: the delays (simulated
// time) before each retry; its length is the number of retries (default 8
// retries over about 4 hours) and timeout the per-attempt response deadline
// (default 5s). Both are divided by the time scale.
func WithWebhookRetries(timeout time.Duration, delays ...time.Duration) Option {
	return func(c *serverConfig) {
		c.ext.webhook.timeout = timeout
		c.ext.webhook.schedule = append([]time.Duration{}, delays...)
	}
}

// WithWebhookClient sets the HTTP client deliveries use (default: a plain
// client), e.g. an httptest TLS server's Client() for https endpoints.
// Redirects are never followed: Shopify counts them as failures.
func WithWebhookClient(c *http.Client) Option {
	return func(cfg *serverConfig) { cfg.ext.webhook.client = c }
}

// WebhookSecret returns the secret deliveries are signed with.
func (srv *Server) WebhookSecret() string { return srv.hooks.secret() }

func (d *webhookDelivery) secret() string {
	if p := d.rotated.Load(); p != nil {
		return *p
	}
	return d.opts.secret.get()
}

// setSecret signs later deliveries with secret.
func (d *webhookDelivery) setSecret(secret string) { d.rotated.Store(&secret) }

// ---- faults --------------------------------------------------------------------

// WebhookFaultKind is what an injected webhook fault does to a delivery.
type WebhookFaultKind int

// Webhook fault kinds.
const (
	// WebhookDrop never sends the delivery.
	WebhookDrop WebhookFaultKind = iota + 1
	// WebhookDuplicate sends the delivery twice (same Webhook-Id and Event-Id).
	WebhookDuplicate
	// WebhookDelay sends the delivery after WebhookFault.Delay (simulated
	// time), letting later deliveries overtake it.
	WebhookDelay
	// WebhookReorder holds the delivery back and sends it right after the
	// next one of the shop (or after one simulated second without another).
	WebhookReorder
)

// WebhookFault describes a webhook fault. Count > 0 affects the next Count
// matching deliveries; otherwise Rate in (0,1] is the probability per
// delivery, drawn from a source seeded by the server seed (WithSeed), so a
// sequence of events gives the same faults on every run.
type WebhookFault struct {
	Kind  WebhookFaultKind
	Shop  string // "" = every shop
	Topic string // e.g. "products/update"; "" = every topic
	Delay time.Duration
	Count int
	Rate  float64
}

// InjectWebhookFault adds a webhook fault and returns a function that
// removes it. Faults are checked in the order added; the first that fires wins.
func (srv *Server) InjectWebhookFault(f WebhookFault) (remove func()) {
	d := srv.hooks
	fp := &f
	d.mu.Lock()
	d.faults = append(d.faults, fp)
	d.mu.Unlock()
	return func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		if i := slices.Index(d.faults, fp); i >= 0 {
			d.faults = slices.Delete(d.faults, i, i+1)
		}
	}
}

// pickFault returns the fault for a delivery, if any. Callers hold d.mu.
func (d *webhookDelivery) pickFault(shop, topic string) *WebhookFault {
	for i, f := range d.faults {
		if (f.Shop != "" && f.Shop != shop) || (f.Topic != "" && f.Topic != topic) {
			continue
		}
		if f.Count > 0 {
			out := *f
			f.Count--
			if f.Count == 0 {
				d.faults = slices.Delete(d.faults, i, i+1)
			}
			return &out
		}
		if f.Rate > 0 && d.rng.Float64() < f.Rate {
			out := *f
			return &out
		}
	}
	return nil
}

// ---- stats ---------------------------------------------------------------------

// WebhookStats counts webhook activity.
type WebhookStats struct {
	// Events counts change events handled; Deliveries the deliveries
	// created for them (one per matching subscription).
	Events     int64
	Deliveries int64
	// Attempts counts HTTP requests made (first attempts, retries and
	// duplicates); Delivered the deliveries answered with a 2xx; Failed the
	// attempts that failed; Retries the retries made; Abandoned the
	// deliveries that failed every retry.
	Attempts  int64
	Delivered int64
	Failed    int64
	Retries   int64
	Abandoned int64
	// Dropped, Duplicated, Delayed and Reordered count injected faults.
	Dropped    int64
	Duplicated int64
	Delayed    int64
	Reordered  int64
	// Removed counts subscriptions removed after repeated failures.
	Removed int64
}

func (a *WebhookStats) add(b WebhookStats) {
	a.Events += b.Events
	a.Deliveries += b.Deliveries
	a.Attempts += b.Attempts
	a.Delivered += b.Delivered
	a.Failed += b.Failed
	a.Retries += b.Retries
	a.Abandoned += b.Abandoned
	a.Dropped += b.Dropped
	a.Duplicated += b.Duplicated
	a.Delayed += b.Delayed
	a.Reordered += b.Reordered
	a.Removed += b.Removed
}

// WebhookStats returns the server's webhook counters (all shops).
func (srv *Server) WebhookStats() WebhookStats {
	d := srv.hooks
	d.mu.Lock()
	defer d.mu.Unlock()
	var st WebhookStats
	for _, sh := range d.shops {
		st.add(sh.stats)
	}
	return st
}

// WebhookStats returns the shop's webhook counters.
func (s *Shop) WebhookStats() WebhookStats {
	d := s.srv.hooks
	d.mu.Lock()
	defer d.mu.Unlock()
	if sh := d.shops[s]; sh != nil {
		return sh.stats
	}
	return WebhookStats{}
}

// ---- delivery machinery ------------------------------------------------------------

type webhookDelivery struct {
	srv     *Server
	opts    webhookOptions
	rotated atomic.Pointer[string] // the client secret after Server.RotateClientSecret
	client  *http.Client
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	mu      sync.Mutex
	shops   map[*Shop]*shopHooks
	faults  []*WebhookFault
	rng     *rand.Rand
	pending int           // queued events + unfinished deliveries
	idle    chan struct{} // closed while pending == 0
	seq     uint64
}

type shopHooks struct {
	s        *Shop
	queue    []Event
	signal   chan struct{}
	stats    WebhookStats
	failures map[int64]int   // subscription -> consecutive failed attempts
	since    map[int64]int64 // subscription -> events recorded before it existed
	held     *delivery       // WebhookReorder: waits for the next delivery
	unsubscr func()
}

// delivery is one event sent to one subscription, with its retries.
type delivery struct {
	sh        *shopHooks
	subID     int64
	viaAPI    bool
	uri       string
	topic     string
	body      []byte
	header    http.Header
	attempt   int // retries made so far
	duplicate bool
}

func newWebhookDelivery(srv *Server, o webhookOptions) *webhookDelivery {
	ctx, cancel := context.WithCancel(context.Background())
	idle := make(chan struct{})
	close(idle)
	return &webhookDelivery{
		srv: srv, opts: o, ctx: ctx, cancel: cancel, shops: map[*Shop]*shopHooks{}, idle: idle,
		rng:    rand.New(rand.NewPCG(srv.seed, 0x3ebf00c5)),
		client: noRedirects(o.client),
	}
}

func noRedirects(c *http.Client) *http.Client {
	out := &http.Client{}
	if c != nil {
		cp := *c
		out = &cp
	}
	out.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return out
}

func (d *webhookDelivery) addShop(s *Shop) {
	sh := &shopHooks{s: s, signal: make(chan struct{}, 1), failures: map[int64]int{}, since: map[int64]int64{}}
	d.mu.Lock()
	d.shops[s] = sh
	d.mu.Unlock()
	sh.unsubscr = s.Subscribe(func(ev Event) { d.enqueue(sh, ev) })
	d.wg.Add(1)
	go d.worker(sh)
}

// subscribed records how many events the shop had recorded when a
// subscription was created, so that it receives exactly the later ones.
// The shop's write lock is held.
func (d *webhookDelivery) subscribed(s *Shop, subID, events int64) {
	if d == nil {
		return // shops are added after startExtensions; nothing to do before
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if sh := d.shops[s]; sh != nil {
		sh.since[subID] = events
	}
}

func (d *webhookDelivery) close() {
	d.cancel()
	d.wg.Wait()
}

// busy and done track outstanding work for WaitWebhooks. Callers hold d.mu.
func (d *webhookDelivery) busy(n int) {
	if d.pending == 0 {
		d.idle = make(chan struct{})
	}
	d.pending += n
}

func (d *webhookDelivery) done(n int) {
	d.pending -= n
	if d.pending == 0 {
		close(d.idle)
	}
}

// WaitWebhooks blocks until no webhook work is left on the server: every
// recorded event has been turned into deliveries and every delivery has
// succeeded, been dropped or failed its last retry. Use a time scale so
// that retries do not take hours. It returns ctx's error if ctx ends first.
func (srv *Server) WaitWebhooks(ctx context.Context) error {
	d := srv.hooks
	for {
		d.mu.Lock()
		idle := d.idle
		d.mu.Unlock()
		select {
		case <-idle:
			// a listener may be enqueueing right now: confirm
			d.mu.Lock()
			quiet := d.pending == 0
			d.mu.Unlock()
			if quiet {
				return nil
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (d *webhookDelivery) enqueue(sh *shopHooks, ev Event) {
	d.mu.Lock()
	if d.ctx.Err() != nil {
		d.mu.Unlock()
		return
	}
	sh.queue = append(sh.queue, ev)
	d.busy(1)
	d.mu.Unlock()
	select {
	case sh.signal <- struct{}{}:
	default:
	}
}

func (d *webhookDelivery) worker(sh *shopHooks) {
	defer d.wg.Done()
	defer sh.unsubscr()
	var heldTimer <-chan time.Time
	for {
		select {
		case <-d.ctx.Done():
			return
		case <-sh.signal:
		case <-heldTimer:
			heldTimer = nil
			d.mu.Lock()
			h := sh.held
			sh.held = nil
			d.mu.Unlock()
			if h != nil {
				d.send(h)
			}
		}
		for {
			// Render every queued event first, so payloads reflect the
			// state right after the change, then send.
			d.mu.Lock()
			evs := sh.queue
			sh.queue = nil
			d.mu.Unlock()
			if len(evs) == 0 {
				break
			}
			var batch []*delivery
			for _, ev := range evs {
				batch = append(batch, d.prepare(sh, ev)...)
			}
			d.mu.Lock()
			d.busy(len(batch)) // counted until dispatched
			d.done(len(evs))
			d.mu.Unlock()
			for _, dl := range batch {
				if d.dispatch(dl) {
					heldTimer = time.After(d.srv.Scaled(time.Second))
				}
				d.mu.Lock()
				d.done(1)
				d.mu.Unlock()
			}
		}
	}
}

func topicEnum(topic string) string {
	return strings.ToUpper(strings.NewReplacer("/", "_").Replace(topic))
}

// prepare renders the deliveries of one event: one per matching
// subscription, all with the same payload and event ID.
func (d *webhookDelivery) prepare(sh *shopHooks, ev Event) []*delivery {
	s := sh.s
	enum := topicEnum(ev.Topic)
	s.mu.RLock()
	var subs []WebhookSubscription
	d.mu.Lock()
	for _, id := range s.webhookOrder {
		w := s.webhooks[id]
		if w.Topic != enum {
			continue
		}
		if since, ok := sh.since[id]; ok && ev.Seq <= since {
			continue // the event happened before the subscription existed
		}
		subs = append(subs, copyWebhook(w))
	}
	d.mu.Unlock()
	var body jobj
	ok := false
	if len(subs) > 0 {
		body, ok = newPayloadBuilder(s, d.opts.apiVersion).payload(ev)
	}
	domain := s.Domain()
	s.mu.RUnlock()
	if ev.Topic == "app/uninstalled" {
		defer d.uninstalled(s)
	}
	d.mu.Lock()
	sh.stats.Events++
	d.mu.Unlock()
	if !ok {
		return nil
	}
	var out []*delivery
	eventID := d.uuid("event", s.name, ev.Seq)
	for _, w := range subs {
		if !strings.HasPrefix(w.URI, "http://") && !strings.HasPrefix(w.URI, "https://") {
			continue
		}
		b := body
		if len(w.IncludeFields) > 0 {
			b = body.only(w.IncludeFields)
		}
		raw, err := b.MarshalJSON()
		if err != nil {
			continue
		}
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		h.Set("User-Agent", "Shopify-Captain-Hook")
		h.Set("X-Shopify-Topic", ev.Topic)
		h.Set("X-Shopify-Hmac-Sha256", Sign(d.secret(), raw))
		h.Set("X-Shopify-Shop-Domain", domain)
		h.Set("X-Shopify-API-Version", w.APIVersion)
		h.Set("X-Shopify-Webhook-Id", d.uuid("webhook", s.name, ev.Seq, w.ID))
		h.Set("X-Shopify-Event-Id", eventID)
		h.Set("X-Shopify-Triggered-At", ev.OccurredAt.UTC().Format(time.RFC3339Nano))
		if w.Name != "" {
			h.Set("X-Shopify-Name", w.Name)
		}
		out = append(out, &delivery{sh: sh, subID: w.ID, viaAPI: w.CreatedViaAPI, uri: w.URI, topic: ev.Topic, body: raw, header: h})
	}
	d.mu.Lock()
	sh.stats.Deliveries += int64(len(out))
	d.mu.Unlock()
	return out
}

// uninstalled removes every subscription after app/uninstalled, as Shopify
// does when an app is uninstalled.
func (d *webhookDelivery) uninstalled(s *Shop) {
	for _, w := range s.WebhookSubscriptions() {
		if !complianceTopics[w.Topic] { // shop/redact still comes after an uninstall (compliance.go)
			s.DeleteWebhookSubscription(w.ID)
		}
	}
}

// uuid derives a deterministic UUID-shaped ID.
func (d *webhookDelivery) uuid(parts ...any) string {
	h := sha256.New()
	fmt.Fprint(h, d.srv.seed)
	for _, p := range parts {
		fmt.Fprintf(h, "|%v", p)
	}
	b := h.Sum(nil)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Sign returns the X-Shopify-Hmac-Sha256 value of a body: the base64 HMAC-
// SHA256 of the raw bytes keyed with the app secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// dispatch applies faults to a new delivery and sends it. It reports
// whether the delivery is now held back for reordering.
func (d *webhookDelivery) dispatch(dl *delivery) (held bool) {
	sh := dl.sh
	d.mu.Lock()
	f := d.pickFault(sh.s.name, dl.topic)
	prev := sh.held
	if f != nil && f.Kind == WebhookReorder && prev == nil {
		sh.held = dl
		sh.stats.Reordered++
		d.busy(1)
		d.mu.Unlock()
		return true
	}
	sh.held = nil
	switch {
	case f == nil, f.Kind == WebhookReorder:
		d.busy(1)
	case f.Kind == WebhookDrop:
		sh.stats.Dropped++
	case f.Kind == WebhookDuplicate:
		sh.stats.Duplicated++
		d.busy(2)
	case f.Kind == WebhookDelay:
		sh.stats.Delayed++
		d.busy(1)
	}
	d.mu.Unlock()
	if f != nil && f.Kind == WebhookDrop {
		d.release(prev)
		return false
	}
	if f != nil && f.Kind == WebhookDelay {
		d.later(dl, f.Delay)
	} else {
		d.send(dl)
	}
	if f != nil && f.Kind == WebhookDuplicate {
		dup := *dl
		dup.duplicate = true
		d.send(&dup)
	}
	d.release(prev)
	return false
}

// release sends a delivery held back for reordering.
func (d *webhookDelivery) release(h *delivery) {
	if h != nil {
		d.send(h)
	}
}

// later sends dl after a simulated delay in the background.
func (d *webhookDelivery) later(dl *delivery, delay time.Duration) {
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		t := time.NewTimer(d.srv.Scaled(delay))
		defer t.Stop()
		select {
		case <-t.C:
			d.send(dl)
		case <-d.ctx.Done():
			d.finish(dl)
		}
	}()
}

// send makes one attempt and schedules the retry on failure. The caller
// has counted dl as pending; send (or its retries) finishes it.
func (d *webhookDelivery) send(dl *delivery) {
	ok := d.attempt(dl)
	d.mu.Lock()
	st := &dl.sh.stats
	st.Attempts++
	if ok {
		st.Delivered++
		dl.sh.failures[dl.subID] = 0
		d.mu.Unlock()
		d.finish(dl)
		return
	}
	st.Failed++
	dl.sh.failures[dl.subID]++
	exhausted := dl.duplicate || dl.attempt >= len(d.opts.schedule)
	// Removal: an API subscription whose delivery failed every retry with
	// no success of the subscription in between (consecutive failures).
	remove := exhausted && !dl.duplicate && dl.viaAPI && dl.sh.failures[dl.subID] > len(d.opts.schedule)
	if exhausted && !dl.duplicate {
		st.Abandoned++
	}
	d.mu.Unlock()
	if exhausted {
		if remove && dl.sh.s.DeleteWebhookSubscription(dl.subID) {
			d.mu.Lock()
			st.Removed++
			d.mu.Unlock()
		}
		d.finish(dl)
		return
	}
	delay := d.opts.schedule[dl.attempt]
	dl.attempt++
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		t := time.NewTimer(d.srv.Scaled(delay))
		defer t.Stop()
		select {
		case <-t.C:
		case <-d.ctx.Done():
			d.finish(dl)
			return
		}
		if !d.subscriptionExists(dl) {
			d.finish(dl)
			return
		}
		d.mu.Lock()
		dl.sh.stats.Retries++
		d.mu.Unlock()
		d.send(dl)
	}()
}

func (d *webhookDelivery) subscriptionExists(dl *delivery) bool {
	s := dl.sh.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.webhooks[dl.subID] != nil
}

func (d *webhookDelivery) finish(*delivery) {
	d.mu.Lock()
	d.done(1)
	d.mu.Unlock()
}

// attempt POSTs the delivery once; it reports a 2xx answer in time.
func (d *webhookDelivery) attempt(dl *delivery) bool {
	ctx, cancel := context.WithTimeout(d.ctx, max(d.srv.Scaled(d.opts.timeout), minAttemptTimeout))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, dl.uri, bytes.NewReader(dl.body))
	if err != nil {
		return false
	}
	req.Header = dl.header.Clone()
	resp, err := d.client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	return resp.StatusCode >= 200 && resp.StatusCode < 300
}

// ---- control API -------------------------------------------------------------------

// UninstallApp simulates the merchant uninstalling the app: it records an
// app/uninstalled event (delivered to its subscriptions, after which every
// subscription is removed but those of the compliance topics, which the
// app's configuration keeps for the shop/redact that follows) and revokes
// every access token,
// refresh token and authorization code. The shop's data stays; installing
// the app again (the authorization-code grant) issues new tokens.
func (s *Shop) UninstallApp() {
	s.mu.Lock()
	info := s.info
	s.emit("app/uninstalled", "Shop", info.ID, ptr(info))
	clear(s.tokens)
	s.auth.revoke()
	s.auth.uninstalled = true
	s.unlock()
}

// WebhookPayload renders the payload the simulator would deliver for an
// event of this shop (nil when the topic has none), for inspection in
// tests. It reads the shop's current state for related objects.
func (s *Shop) WebhookPayload(ev Event) json.RawMessage {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, ok := newPayloadBuilder(s, s.srv.hooks.opts.apiVersion).payload(ev)
	if !ok {
		return nil
	}
	raw, err := b.MarshalJSON()
	if err != nil {
		return nil
	}
	return raw
}
