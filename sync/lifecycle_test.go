package sync_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// lifeShop is an outbound shop whose Decode knows the lifecycle topics;
// a lifecycle body is the JSON of a wmssync.Customer.
type lifeShop struct {
	*outShop
	inspected atomic.Int32
	scopes    []string
	// removed: the shop removed the app, so it refuses the credentials.
	removed atomic.Bool
	// inspectErr, when set, is Inspect's error.
	inspectErr error
	// inspectDelay, when set, is how long Inspect takes.
	inspectDelay time.Duration
}

func (s *lifeShop) Decode(ctx context.Context, e *webhook.Event) (wmssync.Change, error) {
	kinds := map[webhook.Topic]wmssync.ChangeKind{
		"app/uninstalled": wmssync.ChangeDisconnected, "app/scopes_update": wmssync.ChangeAccessChanged,
		"customers/data_request": wmssync.ChangeDataRequest, "customers/redact": wmssync.ChangeRedactCustomer,
		"shop/redact": wmssync.ChangeRedactShop,
	}
	k, ok := kinds[e.Topic]
	if !ok {
		return wmssync.Change{}, nil
	}
	ch := wmssync.Change{Kind: k}
	if k == wmssync.ChangeDataRequest || k == wmssync.ChangeRedactCustomer {
		var c wmssync.Customer
		if err := json.Unmarshal(e.Body, &c); err != nil {
			return ch, errors.Join(wmssync.ErrInvalidPayload, err)
		}
		ch.Customer = &c
	}
	return ch, nil
}

func (s *lifeShop) Inspect(ctx context.Context, f wmssync.Features) (wmssync.ShopInfo, error) {
	s.inspected.Add(1)
	time.Sleep(s.inspectDelay)
	if s.inspectErr != nil {
		return wmssync.ShopInfo{}, s.inspectErr
	}
	if s.removed.Load() {
		return wmssync.ShopInfo{}, fmt.Errorf("%w: 401 Unauthorized", wmssync.ErrUnauthorized)
	}
	return wmssync.ShopInfo{Domain: "a.example.com", GrantedScopes: s.scopes, APIVersionOK: true,
		RequiredScopes: []wmssync.ScopeRequirement{{AnyOf: []string{"write_orders"}, Feature: "refunds (S20)"}}}, nil
}

// RedactPayload drops the e-mail address from a body.
func (s *lifeShop) RedactPayload(e *webhook.Event, c wmssync.Customer) ([]byte, bool, error) {
	if c.Email == "" || !strings.Contains(string(e.Body), c.Email) {
		return nil, false, nil
	}
	return []byte(strings.ReplaceAll(string(e.Body), c.Email, "")), true, nil
}

type lifeEnv struct {
	*outEnv
	life    map[string]*lifeShop
	connect atomic.Int32
	mu      gosync.Mutex
	told    []wmssync.ShopEvent
	hostErr error
}

func newLifeEnv(t *testing.T) *lifeEnv {
	t.Helper()
	c := newClock()
	w, err := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "cph"}}, Now: c.Now})
	require.NoError(t, err)
	e := &lifeEnv{outEnv: &outEnv{clock: c, store: memstore.New(memstore.WithClock(c.Now)), wms: w, shops: map[string]*outShop{}},
		life: map[string]*lifeShop{}}
	e.eng, err = wmssync.NewEngine(wmssync.Config{Backend: w, Store: e.store, Now: c.Now,
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
			e.connect.Add(1)
			return e.life[s.Shop], nil
		},
		OnShopEvent: func(ctx context.Context, ev wmssync.ShopEvent) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			if e.hostErr != nil {
				return e.hostErr
			}
			e.told = append(e.told, ev)
			return nil
		}})
	require.NoError(t, err)
	for _, shop := range []string{"A", "B"} {
		e.shops[shop] = &outShop{}
		e.life[shop] = &lifeShop{outShop: e.shops[shop], scopes: []string{"read_products"}}
		_, err := e.eng.SaveSettings(bg, wmssync.Settings{Shop: shop, AdminURL: "https://" + shop + ".example.com",
			Locations: map[string]string{"loc-" + shop: "cph"}, Outbound: map[wms.EventKind]bool{wms.KindRefundCreated: true}})
		require.NoError(t, err)
		require.NoError(t, e.store.SaveStep(bg, wmssync.StepState{Shop: shop, Step: wmssync.StepOutbound, Status: wmssync.StepDone}))
		require.NoError(t, w.UpsertProducts(bg, []wms.Product{{Shop: shop, ExternalID: shop + "-p1", Title: "P",
			Variants: []wms.Variant{{SKU: "S1", ExternalID: shop + "-v1", InventoryItemID: shop + "-i1", Title: "one"}}}}))
	}
	return e
}

var deliverySeq atomic.Int64

// hook stores a webhook event of shop in the inbox and drains the inbox
// through the engine, as Run does.
func (e *lifeEnv) hook(t *testing.T, shop string, topic webhook.Topic, body string) {
	t.Helper()
	ev := &webhook.Event{Source: "fake", Topic: topic, Shop: strings.ToLower(shop) + ".example.com",
		WebhookID:   "w" + time.Now().Format("150405.000000000") + string(rune('a'+deliverySeq.Add(1)%26)),
		TriggeredAt: e.clock.Now(), ReceivedAt: e.clock.Now(), Body: []byte(body)}
	stored, err := e.store.Put(bg, ev)
	require.NoError(t, err)
	require.True(t, stored)
	d := &webhook.Dispatcher{Queue: e.store, Router: e.eng.Router(), Now: e.clock.Now}
	for {
		n, err := d.RunOnce(bg)
		require.NoError(t, err, "settling must not fail (an erased event is gone, not an error)")
		if n == 0 {
			return
		}
	}
}

func (e *lifeEnv) events() []wmssync.ShopEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]wmssync.ShopEvent(nil), e.told...)
}

func refund(id, shop, order, note string) wms.RefundCreated {
	return wms.RefundCreated{EventInfo: wms.EventInfo{ID: id, Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		Refund: wms.Refund{ID: id, Order: wms.OrderKey{Shop: shop, ExternalID: order}, Amount: "10.00", Note: note}}
}

// TestUninstallParksAndReinstallResumes: app/uninstalled stops the shop's
// work (no sweep, no step, no message sent into refused credentials:
// pending and new messages are parked with the reason), the host is told;
// CredentialsChanged after a reinstall replays exactly the parked messages
// and the work resumes.
func TestUninstallParksAndReinstallResumes(t *testing.T) {
	e := newLifeEnv(t)
	require.NoError(t, e.eng.Publish(bg, stock("e1", 1, "S1", 5)))
	e.life["A"].removed.Store(true)
	e.hook(t, "A", "app/uninstalled", `{}`)

	s, err := e.eng.Settings(bg, "A")
	require.NoError(t, err)
	require.True(t, s.Connection.Disconnected())
	assert.Contains(t, s.Connection.Reason, "app/uninstalled")
	told := e.events()
	require.Len(t, told, 1)
	assert.Equal(t, wmssync.ShopDisconnected, told[0].Kind)
	assert.Equal(t, "A", told[0].Shop)
	require.NotNil(t, told[0].Event)

	// A second delivery of the event changes nothing.
	e.hook(t, "A", "app/uninstalled", `{}`)
	s2, _ := e.eng.Settings(bg, "A")
	assert.Equal(t, s.Connection.DisconnectedAt, s2.Connection.DisconnectedAt)

	// The host saving its settings keeps the engine's record.
	s2.DisplayName, s2.Connection = "renamed", wmssync.Connection{}
	_, err = e.eng.SaveSettings(bg, s2)
	require.NoError(t, err)
	s3, _ := e.eng.Settings(bg, "A")
	assert.True(t, s3.Connection.Disconnected(), "SaveSettings keeps the connection record")

	require.NoError(t, e.eng.Publish(bg, stock("e2", 2, "S1", 7)))
	e.deliver(t)
	assert.Empty(t, e.shops["A"].calls(), "nothing is sent to a disconnected shop")
	assert.Len(t, e.shops["B"].calls(), 1, "the other shop is served")
	parked, err := e.store.ListOutbox(bg, wmssync.OutboxFilter{Shop: "A", State: wmssync.OutboxDead})
	require.NoError(t, err)
	require.Len(t, parked, 2)
	for _, m := range parked {
		assert.Contains(t, m.LastError, "parked: the shop removed the app")
		assert.Contains(t, m.LastError, "CredentialsChanged")
		assert.Zero(t, m.Attempts, "no attempt was made")
	}
	_, err = e.eng.Reconcile(bg, "A")
	assert.ErrorIs(t, err, wmssync.ErrShopDisconnected)
	err = e.eng.RunStep(bg, "A", wmssync.StepProducts, nil)
	assert.ErrorIs(t, err, wmssync.ErrShopDisconnected)
	_, err = e.eng.AuditWebhooks(bg, "A")
	assert.ErrorIs(t, err, wmssync.ErrShopDisconnected)

	// An unrelated dead letter is not replayed by a reconnect.
	require.NoError(t, e.eng.Publish(bg, refund("r1", "A", "o1", "")))
	e.deliver(t) // parked as well
	connects := e.connect.Load()
	require.NoError(t, e.eng.CredentialsChanged(bg, "A"))
	s4, _ := e.eng.Settings(bg, "A")
	assert.False(t, s4.Connection.Disconnected())
	assert.EqualValues(t, s.Connection.Generation+1, s4.Connection.Generation)
	told = e.events()
	assert.Equal(t, wmssync.ShopReconnected, told[len(told)-1].Kind)
	e.deliver(t)
	calls := e.shops["A"].calls()
	require.Len(t, calls, 2, "the stock levels (coalesced) and the refund are sent after the reconnect")
	assert.Greater(t, e.connect.Load(), connects, "the shop was connected again")
	dead, _ := e.store.ListOutbox(bg, wmssync.OutboxFilter{Shop: "A", State: wmssync.OutboxDead})
	assert.Empty(t, dead)
	_, err = e.eng.Reconcile(bg, "A")
	assert.NotErrorIs(t, err, wmssync.ErrShopDisconnected)
}

// TestCredentialsChangedWhileWorkRuns: the engine connects again after
// CredentialsChanged, while other goroutines use the shop (run with -race).
func TestCredentialsChangedWhileWorkRuns(t *testing.T) {
	e := newLifeEnv(t)
	var wg gosync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				_ = e.eng.Publish(bg, stock("c"+time.Now().Format("150405.000000000"), int64(i), "S1", int64(i)))
				_, _ = e.eng.DeliverOutbound(bg)
			}
		})
	}
	for range 20 {
		require.NoError(t, e.eng.CredentialsChanged(bg, "A"))
	}
	close(stop)
	wg.Wait()
	s, _ := e.eng.Settings(bg, "A")
	assert.EqualValues(t, 20, s.Connection.Generation)
	e.deliver(t)
	// The next use after a change connects again.
	mid := e.connect.Load()
	require.NoError(t, e.eng.CredentialsChanged(bg, "A"))
	require.NoError(t, e.eng.Publish(bg, stock("last", 1000, "S1", 1)))
	e.deliver(t)
	assert.Greater(t, e.connect.Load(), mid)
	dead, _ := e.store.ListOutbox(bg, wmssync.OutboxFilter{Shop: "A", State: wmssync.OutboxDead})
	assert.Empty(t, dead)
	assert.ErrorIs(t, e.eng.CredentialsChanged(bg, "nope"), wmssync.ErrNotFound)
}

func TestAccessChangedInspectsAgain(t *testing.T) {
	e := newLifeEnv(t)
	e.hook(t, "A", "app/scopes_update", `{}`)
	assert.EqualValues(t, 1, e.life["A"].inspected.Load())
	told := e.events()
	require.Len(t, told, 1)
	assert.Equal(t, wmssync.ShopAccessChanged, told[0].Kind)
	require.NotNil(t, told[0].Report)
	assert.Equal(t, []string{"write_orders"}, told[0].Report.MissingScopeNames())
}

func TestDataRequestAndHostErrorsRetry(t *testing.T) {
	e := newLifeEnv(t)
	e.mu.Lock()
	e.hostErr = errors.New("host database down")
	e.mu.Unlock()
	ev := &webhook.Event{Source: "fake", Topic: "customers/data_request", Shop: "a.example.com", WebhookID: "dr-1",
		Body: []byte(`{"id":"c1","email":"jane@example.com","orders":["o1"],"request_id":"9"}`)}
	err := e.eng.HandleEvent(bg, ev)
	require.Error(t, err)
	assert.False(t, webhook.IsPermanent(err), "a host error is retried")
	e.mu.Lock()
	e.hostErr = nil
	e.mu.Unlock()
	require.NoError(t, e.eng.HandleEvent(bg, ev))
	told := e.events()
	require.Len(t, told, 1)
	assert.Equal(t, wmssync.ShopDataRequested, told[0].Kind)
	assert.Equal(t, &wmssync.Customer{ID: "c1", Email: "jane@example.com", Orders: []string{"o1"}, RequestID: "9"}, told[0].Customer)
}

func TestCustomerRedactErasesPersonalData(t *testing.T) {
	e := newLifeEnv(t)
	for _, id := range []string{"o1", "o2"} {
		body := `{"order":"` + id + `","email":"jane@example.com"}`
		_, err := e.store.Put(bg, &webhook.Event{Source: "fake", Topic: "orders/create", Shop: "a.example.com", WebhookID: "ord-" + id, Body: []byte(body)})
		require.NoError(t, err)
	}
	_, err := e.store.Put(bg, &webhook.Event{Source: "fake", Topic: "orders/create", Shop: "b.example.com", WebhookID: "ord-b", Body: []byte(`{"email":"jane@example.com"}`)})
	require.NoError(t, err)
	require.NoError(t, e.eng.Publish(bg, refund("r1", "A", "o1", "Jane Doe, 12 Main St, wants cash")))
	require.NoError(t, e.eng.Publish(bg, refund("r2", "A", "o9", "keep this note")))
	e.deliver(t)

	e.hook(t, "A", "customers/redact", `{"id":"c1","email":"jane@example.com","orders":["o1"]}`)
	told := e.events()
	require.Len(t, told, 1)
	assert.Equal(t, wmssync.ShopCustomerRedacted, told[0].Kind)

	failed := e.store.Failed()
	assert.Empty(t, failed)
	stats := e.store.Stats()
	assert.Zero(t, stats.Pending)
	// Inbox bodies of shop A lost the address, shop B's kept it.
	all, err := e.store.ListOutbox(bg, wmssync.OutboxFilter{})
	require.NoError(t, err)
	notes := map[string]string{}
	for _, m := range all {
		if m.Kind != wms.KindRefundCreated {
			continue
		}
		ev, err := m.Event()
		require.NoError(t, err)
		notes[m.Shop+"/"+m.ID] = ev.(wms.RefundCreated).Refund.Note
	}
	assert.Equal(t, "", notes["A/r1"], "the refund note of the customer's order is cleared")
	assert.Equal(t, "", notes["/r1"], "in the published event too")
	assert.Equal(t, "keep this note", notes["A/r2"])
	bodies := inboxBodies(t, e.store)
	assert.NotContains(t, bodies["ord-o1"], "jane@example.com")
	assert.NotContains(t, bodies["ord-o2"], "jane@example.com")
	assert.Contains(t, bodies["ord-b"], "jane@example.com", "another shop's data is not touched")
}

// inboxBodies returns the body of every inbox event of shops A and B by
// webhook id, finished ones included (read through RewritePayloads
// changing nothing).
func inboxBodies(t *testing.T, s *memstore.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, dom := range []string{"a.example.com", "b.example.com"} {
		_, err := s.RewritePayloads(bg, "-", dom, func(p wmssync.StoredPayload) ([]byte, bool, error) {
			if p.Event != nil {
				out[p.Event.WebhookID] = string(p.Event.Body)
			}
			return nil, false, nil
		})
		require.NoError(t, err)
	}
	return out
}

func TestShopRedactErasesTheShop(t *testing.T) {
	e := newLifeEnv(t)
	require.NoError(t, e.eng.Publish(bg, refund("r1", "A", "o1", "")))
	require.NoError(t, e.eng.Publish(bg, refund("r2", "B", "o1", "")))
	e.deliver(t)
	e.life["A"].removed.Store(true)
	e.hook(t, "A", "app/uninstalled", `{}`)
	e.hook(t, "A", "shop/redact", `{}`)
	told := e.events()
	assert.Equal(t, wmssync.ShopRedacted, told[len(told)-1].Kind)
	_, err := e.eng.Settings(bg, "A")
	assert.ErrorIs(t, err, wmssync.ErrNotFound)
	all, err := e.store.ListOutbox(bg, wmssync.OutboxFilter{})
	require.NoError(t, err)
	for _, m := range all {
		assert.NotContains(t, string(m.Data), `"shop":"A"`, "%s/%s", m.Shop, m.ID)
		assert.NotEqual(t, "A", m.Shop)
	}
	assert.NotEmpty(t, all, "shop B's messages stay")
	left := 0
	_, err = e.store.RewritePayloads(bg, "A", "a.example.com", func(p wmssync.StoredPayload) ([]byte, bool, error) {
		if p.Event != nil || p.Message.Shop == "A" || strings.Contains(string(p.Message.Data), `"shop":"A"`) {
			left++
		}
		return nil, false, nil
	})
	require.NoError(t, err)
	assert.Zero(t, left, "no inbox event, message or published event of the shop is left (shop/redact's own event included)")
	_, err = e.eng.Settings(bg, "B")
	require.NoError(t, err)
}

// TestLifecycleEventsNeedTheShopsWord: an app/uninstalled or shop/redact
// event (a replayed body, another topic's body re-posted under it) is not
// acted on while the shop still accepts the app's credentials: the shop
// stays connected and whole, the host is not told, the event is a dead
// letter that says why, and the shop's work goes on. Once the shop
// refuses the credentials, the same events take effect.
func TestLifecycleEventsNeedTheShopsWord(t *testing.T) {
	e := newLifeEnv(t)
	e.hook(t, "A", "app/uninstalled", `{}`)
	e.hook(t, "A", "shop/redact", `{}`)
	s, err := e.eng.Settings(bg, "A")
	require.NoError(t, err, "the shop is not erased")
	assert.False(t, s.Connection.Disconnected(), "the shop is not disconnected")
	assert.Empty(t, e.events(), "the host is not told")
	assert.EqualValues(t, 2, e.life["A"].inspected.Load(), "the shop was asked once per event")
	failed := e.store.Failed()
	require.Len(t, failed, 2, "both events are dead letters")
	for _, f := range failed {
		assert.Contains(t, f.LastError, "still accepts the app's credentials", f.Event.Topic)
	}
	require.NoError(t, e.eng.Publish(bg, stock("e1", 1, "S1", 5)))
	e.deliver(t)
	assert.Len(t, e.shops["A"].calls(), 1, "the shop's work goes on")

	// A shop that cannot be asked now: the event is retried, not applied.
	e.life["A"].removed.Store(false)
	ev := &webhook.Event{Source: "fake", Topic: "shop/redact", Shop: "a.example.com", WebhookID: "unreachable",
		TriggeredAt: e.clock.Now(), Body: []byte(`{}`)}
	e.life["A"].inspectErr = fmt.Errorf("%w: connection refused", wmssync.ErrUnreachable)
	err = e.eng.HandleEvent(bg, ev)
	require.Error(t, err)
	assert.False(t, webhook.IsPermanent(err), "retried later: %v", err)
	e.life["A"].inspectErr = nil
	_, err = e.eng.Settings(bg, "A")
	require.NoError(t, err)

	e.life["A"].removed.Store(true)
	e.hook(t, "A", "app/uninstalled", `{}`)
	s, err = e.eng.Settings(bg, "A")
	require.NoError(t, err)
	assert.True(t, s.Connection.Disconnected(), "a confirmed uninstall disconnects")
	e.hook(t, "A", "shop/redact", `{}`)
	_, err = e.eng.Settings(bg, "A")
	assert.ErrorIs(t, err, wmssync.ErrNotFound, "a confirmed redaction erases")
}

// TestLifecycleConfirmationsShareReads: a burst of replayed app/uninstalled
// bodies does not cost a read of the shop each; questions that arrive
// while one read is in flight share the next one.
func TestLifecycleConfirmationsShareReads(t *testing.T) {
	e := newLifeEnv(t)
	e.life["A"].inspectDelay = 20 * time.Millisecond
	var wg gosync.WaitGroup
	var refused atomic.Int32
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev := &webhook.Event{Source: "fake", Topic: "app/uninstalled", Shop: "a.example.com",
				WebhookID: fmt.Sprintf("replay-%d", i), TriggeredAt: e.clock.Now(), Body: []byte(`{}`)}
			if err := e.eng.HandleEvent(bg, ev); webhook.IsPermanent(err) && errors.Is(err, wmssync.ErrNotConfirmed) {
				refused.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 30, refused.Load(), "every replay refused")
	assert.LessOrEqual(t, e.life["A"].inspected.Load(), int32(3), "reads shared")
	s, err := e.eng.Settings(bg, "A")
	require.NoError(t, err)
	assert.False(t, s.Connection.Disconnected())
}
