package wootest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wmsbridge/wmsbridge/woocommerce"
)

type webhook struct {
	id              int64
	name            string
	status          string
	topic           string
	deliveryURL     string
	secret          string
	created         time.Time
	modified        time.Time
	failures        int
	pendingDelivery bool
}

// topicHooks are the WordPress hooks behind each topic, as WooCommerce
// lists them in a webhook's hooks field.
var topicHooks = map[string][]string{
	"order.created":     {"woocommerce_new_order"},
	"order.updated":     {"woocommerce_update_order", "woocommerce_order_refunded", "woocommerce_delete_order_refund"},
	"order.deleted":     {"wp_trash_post", "woocommerce_trash_order"},
	"order.restored":    {"untrashed_post", "woocommerce_untrash_order"},
	"product.created":   {"woocommerce_process_product_meta", "woocommerce_new_product", "woocommerce_new_product_variation"},
	"product.updated":   {"woocommerce_process_product_meta", "woocommerce_update_product", "woocommerce_update_product_variation"},
	"product.deleted":   {"wp_trash_post"},
	"product.restored":  {"untrashed_post"},
	"product.published": {"woocommerce_product_published"},
	"customer.created":  {"user_register", "woocommerce_created_customer", "woocommerce_new_customer"},
	"customer.updated":  {"profile_update", "woocommerce_update_customer"},
	"customer.deleted":  {"delete_user"},
	"coupon.created":    {"woocommerce_process_shop_coupon_meta", "woocommerce_new_coupon"},
	"coupon.updated":    {"woocommerce_process_shop_coupon_meta", "woocommerce_update_coupon"},
	"coupon.deleted":    {"wp_trash_post"},
	"coupon.restored":   {"untrashed_post"},
}

func validTopic(t string) bool {
	if _, ok := topicHooks[t]; ok {
		return true
	}
	h, ok := strings.CutPrefix(t, "action.")
	return ok && (strings.HasPrefix(h, "woocommerce_") || strings.HasPrefix(h, "wc_"))
}

func (s *Store) webhookJSON(w *webhook) map[string]any {
	res, ev, _ := strings.Cut(w.topic, ".")
	hooks := topicHooks[w.topic]
	if res == "action" {
		hooks = []string{ev}
	}
	m := map[string]any{"id": w.id, "name": w.name, "status": w.status, "topic": w.topic, "resource": res, "event": ev,
		"hooks": hooks, "delivery_url": w.deliveryURL, "_links": s.links(idPath("webhooks", w.id), "webhooks", "")}
	s.dates(m, "date_created", w.created)
	s.dates(m, "date_modified", w.modified)
	return m
}

// applyWebhook validates body into w.
func applyWebhook(w *webhook, body map[string]any, creating bool) *restError {
	if v, ok, e := bodyString(body, "name"); e != nil {
		return e
	} else if ok {
		w.name = v
	}
	if v, ok, e := bodyString(body, "topic"); e != nil {
		return e
	} else if ok || creating {
		if !validTopic(v) {
			return errorf(400, "woocommerce_rest_webhook_invalid_topic", "Webhook topic is required and must be valid.")
		}
		w.topic = v
	}
	if v, ok, e := bodyString(body, "delivery_url"); e != nil {
		return e
	} else if ok || creating {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errorf(400, "woocommerce_rest_webhook_invalid_delivery_url", "Webhook delivery URL must be a valid URL starting with http:// or https://.")
		}
		w.deliveryURL = v
	}
	if v, ok, e := bodyString(body, "secret"); e != nil {
		return e
	} else if ok && v != "" {
		w.secret = v
	}
	if v, ok, e := bodyString(body, "status"); e != nil {
		return e
	} else if ok {
		if v != "active" && v != "paused" && v != "disabled" {
			v = "disabled"
		}
		w.status = v
	}
	return nil
}

func randomSecret() string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*()-_ []{}<>~`+=,.;:/?|"
	b := make([]byte, 50)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = chars[int(b[i])%len(chars)]
	}
	return string(b)
}

func (s *Store) listWebhooks(rc *reqCtx) {
	var pe paramErrors
	q := rc.parseListQuery(&pe, "date", "id", "include", "title")
	status := rc.query.Get("status")
	if status != "" && !slices.Contains([]string{"all", "active", "paused", "disabled"}, status) {
		pe.add("status", "rest_not_in_enum", "status is not one of all, active, paused, and disabled.")
	}
	if e := pe.err(); e != nil {
		rc.fail(e)
		return
	}
	if e := rc.permission(actList); e != nil {
		rc.fail(e)
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var match []*webhook
	for _, w := range s.webhooks {
		if status != "" && status != "all" && w.status != status {
			continue
		}
		if len(q.include) > 0 && !slices.Contains(q.include, w.id) || slices.Contains(q.exclude, w.id) {
			continue
		}
		if q.search != "" && !strings.Contains(strings.ToLower(w.name), strings.ToLower(q.search)) {
			continue
		}
		if !s.dateMatch(&q, w.created, w.modified) {
			continue
		}
		match = append(match, w)
	}
	page, total := pageOf(q, match, func(w *webhook) sortable {
		return sortable{id: w.id, created: w.created, modified: w.modified, title: w.name}
	})
	out := make([]map[string]any, len(page))
	for i, w := range page {
		out[i] = s.webhookJSON(w)
	}
	rc.writeList(q, total, out)
}

func (s *Store) getWebhook(rc *reqCtx) {
	rc.view(func() (map[string]any, *restError) {
		w := s.webhooks[rc.paramID("id")]
		if w == nil {
			return nil, errorf(404, "woocommerce_rest_shop_webhook_invalid_id", "Invalid ID.")
		}
		return s.webhookJSON(w), nil
	})
}

func (s *Store) createWebhookLocked(body map[string]any) (*webhook, *restError) {
	if id := anyID(body["id"]); id != 0 {
		return nil, errorf(400, "woocommerce_rest_shop_webhook_exists", "Cannot create existing webhook.")
	}
	w := &webhook{status: "active", secret: randomSecret()}
	if e := applyWebhook(w, body, true); e != nil {
		return nil, e
	}
	if w.name == "" {
		w.name = "Webhook created on " + s.now().Format("January 2, 2006 @ 3:04 PM")
	}
	w.id = s.newID()
	w.created, w.modified = s.now(), s.now()
	w.pendingDelivery = true
	s.webhooks[w.id] = w
	return w, nil
}

func (s *Store) createWebhook(rc *reqCtx) {
	if e := rc.permission(actCreate); e != nil {
		rc.fail(e)
		return
	}
	s.mu.Lock()
	w, e := s.createWebhookLocked(rc.body)
	if e != nil {
		s.mu.Unlock()
		rc.fail(e)
		return
	}
	s.counters.Writes++
	s.mu.Unlock()
	s.ping(w.id) // synchronous, as WooCommerce does; the answer is 201 whatever it gives
	s.mu.RLock()
	m := s.webhookJSON(s.webhooks[w.id])
	s.mu.RUnlock()
	rc.header.Set("Location", s.URL()+"/wp-json/wc/v3/webhooks/"+fmtID(w.id))
	rc.writeObject(http.StatusCreated, m)
}

func (s *Store) updateWebhookLocked(id int64, body map[string]any) (*webhook, bool, *restError) {
	cur := s.webhooks[id]
	if cur == nil {
		return nil, false, errorf(400, "woocommerce_rest_shop_webhook_invalid_id", "Invalid ID.")
	}
	w := *cur
	if e := applyWebhook(&w, body, false); e != nil {
		return nil, false, e
	}
	if w.deliveryURL != cur.deliveryURL {
		w.pendingDelivery = true
	}
	if w.status == "active" && cur.status != "active" {
		w.failures = 0
	}
	w.modified = s.now()
	s.webhooks[id] = &w
	return &w, w.status == "active" && w.pendingDelivery, nil
}

func (s *Store) updateWebhook(rc *reqCtx) {
	if e := rc.permission(actEdit); e != nil {
		rc.fail(e)
		return
	}
	s.mu.Lock()
	w, ping, e := s.updateWebhookLocked(rc.paramID("id"), rc.body)
	if e != nil {
		s.mu.Unlock()
		rc.fail(e)
		return
	}
	s.counters.Writes++
	s.mu.Unlock()
	if ping {
		s.ping(w.id)
	}
	s.mu.RLock()
	m := s.webhookJSON(s.webhooks[w.id])
	s.mu.RUnlock()
	rc.writeObject(http.StatusOK, m)
}

func (s *Store) deleteWebhookLocked(id int64, force bool) (map[string]any, *restError) {
	w := s.webhooks[id]
	if w == nil {
		return nil, errorf(404, "woocommerce_rest_shop_webhook_invalid_id", "Invalid ID.")
	}
	if !force {
		return nil, errorf(501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.")
	}
	m := s.webhookJSON(w)
	delete(s.webhooks, id)
	return m, nil
}

func (s *Store) deleteWebhook(rc *reqCtx) {
	rc.change(actDelete, http.StatusOK, func() (map[string]any, *restError) {
		return s.deleteWebhookLocked(rc.paramID("id"), rc.force())
	})
}

func (s *Store) batchWebhooks(rc *reqCtx) {
	var pings []int64
	s.runBatch(rc,
		func(m map[string]any) (map[string]any, *restError) {
			w, e := s.createWebhookLocked(m)
			if e != nil {
				return nil, e
			}
			pings = append(pings, w.id)
			return s.webhookJSON(w), nil
		},
		func(id int64, m map[string]any) (map[string]any, *restError) {
			w, ping, e := s.updateWebhookLocked(id, m)
			if e != nil {
				return nil, e
			}
			if ping {
				pings = append(pings, w.id)
			}
			return s.webhookJSON(w), nil
		},
		func(id int64) (map[string]any, *restError) { return s.deleteWebhookLocked(id, true) })
	for _, id := range pings {
		s.ping(id) // after the answer here; WooCommerce pings while saving
	}
}

// userAgent is what WooCommerce sends with deliveries and pings.
func (s *Store) userAgent() string {
	return "WooCommerce/" + s.cfg.version + " Hookshot (WordPress/6.9)"
}

// ping posts webhook_id=N to the webhook's address, unsigned and without
// X-WC-Webhook-* headers; only exactly 200 clears pending_delivery.
func (s *Store) ping(id int64) bool {
	s.mu.Lock()
	w := s.webhooks[id]
	if w == nil {
		s.mu.Unlock()
		return false
	}
	target := w.deliveryURL
	s.counters.Pings++
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), max(s.srv.scaled(s.cfg.pingTimeout), 250*time.Millisecond))
	defer cancel()
	ok := false
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader("webhook_id="+fmtID(id)))
	if err == nil {
		req.Header.Set("User-Agent", s.userAgent())
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if resp, err := s.srv.hookHTTP.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			_ = resp.Body.Close()
			ok = resp.StatusCode == http.StatusOK
		}
	}
	s.mu.Lock()
	if cur := s.webhooks[id]; cur != nil {
		c := *cur
		c.pendingDelivery = !ok
		s.webhooks[id] = &c
	}
	s.mu.Unlock()
	return ok
}

// emit records a change of a resource for the webhooks listening to
// resource.event. s.mu is held.
func (s *Store) emit(resource, event string, id int64) {
	topic := resource + "." + event
	for _, w := range s.webhooks {
		if w.status == "active" && w.topic == topic {
			if !s.hooks.add(w.id, id, topic) {
				s.counters.Merged++
			}
		}
	}
}

// hookQueue is the store's Action Scheduler: deliveries wait in it for
// their run time, one per {webhook, resource} while queued, and run one
// after another.
type hookQueue struct {
	s        *Store
	mu       sync.Mutex
	jobs     []*hookJob
	inflight int
	wake     chan struct{}
	quit     chan struct{}
	done     chan struct{}
	salt     string
	log      []Delivery
}

type hookJob struct {
	webhookID, resourceID int64
	topic                 string
	due                   time.Time
}

func newHookQueue(s *Store) *hookQueue {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return &hookQueue{s: s, wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{}), salt: hex.EncodeToString(b)}
}

func (q *hookQueue) start() { go q.run() }

func (q *hookQueue) stop() {
	select {
	case <-q.quit:
	default:
		close(q.quit)
	}
	<-q.done
}

func (q *hookQueue) pending() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.jobs) + q.inflight
}

// add queues a delivery unless one for the same webhook and resource is
// already queued (then the change merges into it: the payload is built
// when it is sent). It reports whether a job was added.
func (q *hookQueue) add(webhookID, resourceID int64, topic string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, j := range q.jobs {
		if j.webhookID == webhookID && j.resourceID == resourceID {
			return false
		}
	}
	q.jobs = append(q.jobs, &hookJob{webhookID: webhookID, resourceID: resourceID, topic: topic,
		due: time.Now().Add(q.s.srv.scaled(q.s.cfg.deliveryDelay))})
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return true
}

func (q *hookQueue) run() {
	defer close(q.done)
	for {
		q.mu.Lock()
		var next *hookJob
		idx := -1
		for i, j := range q.jobs {
			if next == nil || j.due.Before(next.due) {
				next, idx = j, i
			}
		}
		var wait time.Duration = time.Hour
		if next != nil {
			wait = time.Until(next.due)
			if wait <= 0 {
				q.jobs = slices.Delete(q.jobs, idx, idx+1)
				q.inflight++
				q.mu.Unlock()
				q.s.deliver(next)
				q.mu.Lock()
				q.inflight--
				q.mu.Unlock()
				continue
			}
		}
		q.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-q.quit:
			t.Stop()
			return
		case <-q.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// Delivery is one webhook delivery the store sent (or lost to a fault).
type Delivery struct {
	WebhookID  int64
	Topic      string
	ResourceID int64
	DeliveryID string
	// Status is the receiver's HTTP status, 0 when no answer came.
	Status  int
	Failed  bool
	Dropped bool // an injected fault lost it; nothing was sent
	Body    []byte
	Header  http.Header
	At      time.Time
}

// deliveryID is WooCommerce's X-WC-Webhook-Delivery-ID: a hash of the
// webhook id and the current second, so two deliveries of one webhook in
// one second share it.
func (q *hookQueue) deliveryID(webhookID int64, at time.Time) string {
	m := hmac.New(md5.New, []byte(q.salt))
	m.Write([]byte(fmtID(webhookID) + strconv.FormatInt(at.Unix(), 10)))
	return hex.EncodeToString(m.Sum(nil))
}

// payload builds a delivery's body from the resource as it is now.
func (s *Store) payload(topic string, id int64) []byte {
	res, ev, _ := strings.Cut(topic, ".")
	var v any
	switch {
	case ev == "deleted":
		v = map[string]any{"id": id}
	case res == "order":
		if o := s.orders[id]; o != nil {
			v = s.orderJSON(o)
		} else {
			v = errorf(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.").body()
		}
	case res == "product":
		if p := s.products[id]; p != nil {
			v = s.productJSON(p)
		} else {
			v = errorf(404, "woocommerce_rest_product_invalid_id", "Invalid ID.").body()
		}
	default:
		v = map[string]any{}
	}
	b, _ := json.Marshal(v)
	return bytes.TrimSpace(b)
}

// deliver sends one queued delivery: the payload built now, signed with
// the webhook's secret, no retry; the 7th consecutive failure (with the
// default limit) disables the webhook.
func (s *Store) deliver(j *hookJob) {
	s.mu.Lock()
	w := s.webhooks[j.webhookID]
	if w == nil || w.status != "active" {
		s.mu.Unlock()
		return
	}
	body := s.payload(w.topic, j.resourceID)
	res, ev, _ := strings.Cut(w.topic, ".")
	target, secret := w.deliveryURL, w.secret
	s.mu.Unlock()

	now := s.srv.clock()
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", s.userAgent())
	h.Set(woocommerce.HeaderWebhookSource, s.URL()+"/")
	h.Set(woocommerce.HeaderWebhookTopic, w.topic)
	h.Set(woocommerce.HeaderWebhookResource, res)
	h.Set(woocommerce.HeaderWebhookEvent, ev)
	h.Set(woocommerce.HeaderWebhookSignature, woocommerce.Sign(body, secret))
	h.Set(woocommerce.HeaderWebhookID, fmtID(w.id))
	h.Set(woocommerce.HeaderWebhookDeliveryID, s.hooks.deliveryID(w.id, now))
	d := Delivery{WebhookID: w.id, Topic: w.topic, ResourceID: j.resourceID, DeliveryID: h.Get(woocommerce.HeaderWebhookDeliveryID), Body: body, Header: h, At: now}

	times := 1
	if f := s.srv.wfaults.pick(s.name, w.topic); f != nil {
		switch f.Kind {
		case WebhookDrop:
			d.Dropped = true
			s.record(d, false)
			return
		case WebhookDelay:
			select {
			case <-time.After(f.Delay):
			case <-s.hooks.quit:
				return
			}
		case WebhookDuplicate:
			times = 2
		}
	}
	for range times {
		status, err := s.post(target, h, body)
		d.Status = status
		ok := err == nil && status >= 200 && status < 303
		d.Failed = !ok
		s.record(d, true)
	}
}

func (s *Store) post(target string, h http.Header, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), max(s.srv.scaled(s.cfg.deliveryTimeout), 250*time.Millisecond))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header = h.Clone()
	resp, err := s.srv.hookHTTP.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// record logs a delivery and applies its result to the webhook.
func (s *Store) record(d Delivery, sent bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.hooks
	q.mu.Lock()
	if len(q.log) >= 20000 {
		q.log = q.log[1:]
	}
	q.log = append(q.log, d)
	q.mu.Unlock()
	if !sent {
		s.counters.Dropped++
		return
	}
	s.counters.Deliveries++
	cur := s.webhooks[d.WebhookID]
	if cur == nil {
		return
	}
	w := *cur
	if !d.Failed {
		w.failures = 0
	} else {
		s.counters.DeliveryFailures++
		if w.failures > s.cfg.maxFailures {
			w.status = "disabled"
			s.counters.Disabled++
		} else {
			w.failures++
		}
	}
	s.webhooks[w.id] = &w
}
