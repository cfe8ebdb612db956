package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// Directions of a failure.
const (
	inbound  = "inbound"  // a webhook event the engine could not apply
	outbound = "outbound" // a message to the shop that failed for good
)

// failure is an inbound event or an outbound message that failed for good
// and waits for the merchant: replay (once the cause is fixed) or discard.
type failure struct {
	Direction string
	Shop      string
	ID        string
	What      string // topic or message kind
	Entity    string
	Attempts  int
	Error     string
	Time      time.Time
	Detail    string // the payload, indented, cut at maxDetail
}

const maxDetail = 4 << 10

// inboxAdmin is what today's SQL stores offer for failed inbox events.
type inboxAdmin interface {
	Failed(ctx context.Context, limit int) ([]webhook.Job, error)
	Replay(ctx context.Context, webhookID string) error
}

// maxFailures caps the failures read per page.
const maxFailures = 200

// shopHealth is one shop's line in the operations view.
type shopHealth struct {
	S             wmssync.Settings
	StepsFinished int
	StepsTotal    int
	Setup         setupState
	// H is the engine's health snapshot; InboxLag and OutboxLag the age
	// of the oldest waiting entry (-1 when none waits or the store cannot
	// tell).
	H         wmssync.Health
	InboxLag  time.Duration
	OutboxLag time.Duration
	Failures  []failure
	Level     string   // "ok", "warn", "bad"
	Reasons   []string // why not ok
	// BudgetNow is the API budget in use now, -1 when unknown.
	BudgetNow float64
}

// lagWarning is how long a queued entry may wait before the shop needs
// attention.
const lagWarning = 5 * time.Minute

// inboundFailures reads the failed inbox events of every shop, by shop
// domain ("" when the store offers no listing).
func (c *Console) inboundFailures(ctx context.Context) (map[string][]failure, error) {
	adm, ok := c.eng.Inbox().(inboxAdmin)
	if !ok {
		return nil, nil
	}
	jobs, err := adm.Failed(ctx, maxFailures)
	if err != nil {
		return nil, err
	}
	out := map[string][]failure{}
	for _, j := range jobs {
		ev := j.Event
		out[strings.ToLower(ev.Shop)] = append(out[strings.ToLower(ev.Shop)], failure{
			Direction: inbound, ID: ev.WebhookID, What: string(ev.Topic), Attempts: j.Attempt,
			Error: j.LastError, Time: ev.ReceivedAt, Detail: detail(ev.Body),
		})
	}
	return out, nil
}

// health computes the operations figures of every shop.
func (c *Console) health(ctx context.Context) ([]shopHealth, error) {
	shops, err := c.eng.Shops(ctx)
	if err != nil {
		return nil, err
	}
	in, inErr := c.inboundFailures(ctx)
	out := make([]shopHealth, 0, len(shops))
	for _, s := range shops {
		h, err := c.shopHealth(ctx, s, in)
		if err != nil {
			return nil, err
		}
		if inErr != nil {
			h.Reasons = append(h.Reasons, "failed webhooks could not be read: "+inErr.Error())
			h.Level = "bad"
		}
		out = append(out, h)
	}
	return out, nil
}

func (c *Console) shopHealth(ctx context.Context, s wmssync.Settings, in map[string][]failure) (shopHealth, error) {
	h := shopHealth{S: s, InboxLag: -1, OutboxLag: -1, Level: "ok", BudgetNow: -1}
	st, err := c.setupState(ctx, s.Shop)
	if err != nil {
		return h, err
	}
	h.Setup = st
	h.StepsTotal = len(st.Steps)
	for _, x := range st.Steps {
		if x.Status.Finished() {
			h.StepsFinished++
		}
	}
	if h.H, err = c.eng.Health(ctx, s.Shop); err != nil {
		return h, err
	}
	now := c.now()
	if q := h.H.Inbox; q != nil && q.Pending > 0 && !q.Oldest.IsZero() {
		h.InboxLag = now.Sub(q.Oldest)
	}
	if q := h.H.Outbox; q != nil && q.Pending > 0 && !q.Oldest.IsZero() {
		h.OutboxLag = now.Sub(q.Oldest)
	}
	if b := h.H.Budget; b != nil {
		h.BudgetNow = b.Used()
	}
	for _, f := range in[s.Domain()] {
		f.Shop = s.Shop
		h.Failures = append(h.Failures, f)
	}
	dead, err := c.eng.DeadLetters(ctx, s.Shop)
	if err != nil && !errors.Is(err, wmssync.ErrNoOutbox) {
		return h, err
	}
	for _, m := range dead {
		h.Failures = append(h.Failures, failure{Direction: outbound, Shop: s.Shop, ID: m.ID, What: string(m.Kind),
			Entity: m.Entity, Attempts: m.Attempts, Error: m.LastError, Time: m.CreatedAt, Detail: detail(m.Data)})
	}
	slices.SortFunc(h.Failures, func(a, b failure) int { return a.Time.Compare(b.Time) })
	h.judge(st)
	return h, nil
}

// judge sets the shop's level and the reasons for it.
func (h *shopHealth) judge(st setupState) {
	bad := func(reason string) { h.Level, h.Reasons = "bad", append(h.Reasons, reason) }
	warn := func(reason string) {
		if h.Level == "ok" {
			h.Level = "warn"
		}
		h.Reasons = append(h.Reasons, reason)
	}
	switch n := len(h.Failures); {
	case n == 1:
		bad("1 failure waits for a decision")
	case n > 1:
		bad(formatInt(int64(n)) + " failures wait for a decision")
	}
	var failed []string
	for _, x := range st.Steps {
		if x.Status == wmssync.StepFailed {
			failed = append(failed, x.Title)
		}
	}
	if len(failed) > 0 {
		bad("setup step failed: " + strings.Join(failed, ", "))
	}
	if e := h.H.Sweep.Error; e != "" {
		bad("the last reconciliation sweep failed: " + e)
	}
	if e := h.H.Webhooks.Error; e != "" {
		bad("the last webhook subscription check failed: " + e)
	}
	if len(h.H.Recreated) > 0 {
		warn("webhook subscriptions were missing and were created again: " + strings.Join(h.H.Recreated, ", "))
	}
	if len(failed) == 0 && h.StepsFinished < h.StepsTotal {
		warn("setup not finished")
	}
	if h.InboxLag > lagWarning {
		warn("webhooks from the shop are waiting for " + formatAge(h.InboxLag))
	}
	if h.OutboxLag > lagWarning {
		warn("messages to the shop are waiting for " + formatAge(h.OutboxLag))
	}
}

// detail indents a JSON payload for display, cut at maxDetail.
func detail(body []byte) string {
	var buf bytes.Buffer
	if json.Indent(&buf, body, "", "  ") != nil {
		buf.Reset()
		buf.Write(body)
	}
	if buf.Len() > maxDetail {
		buf.Truncate(maxDetail)
		buf.WriteString("\n… (cut)")
	}
	return buf.String()
}

// overview is the operations view of every shop.
func (c *Console) overview(w http.ResponseWriter, r *http.Request) {
	hs, err := c.health(r.Context())
	if err != nil {
		c.errorPage(w, r, http.StatusInternalServerError, "the shops could not be read: "+err.Error())
		return
	}
	c.render(w, r, http.StatusOK, "overview", view{Title: "Shops", Nav: "overview", Data: struct {
		Shops    []shopHealth
		Stats    wmssync.Stats
		Outbound wmssync.OutboundStats
	}{hs, c.eng.Stats(), c.eng.OutboundStats()}})
}

// shopPage is one shop's operations view.
func (c *Console) shopPage(w http.ResponseWriter, r *http.Request) {
	shop := r.PathValue("shop")
	ctx := r.Context()
	s, ok := c.shopSettings(w, r)
	if !ok {
		return
	}
	in, inErr := c.inboundFailures(ctx)
	h, err := c.shopHealth(ctx, s, in)
	if err != nil {
		c.errorPage(w, r, http.StatusInternalServerError, "the shop's state could not be read: "+err.Error())
		return
	}
	if inErr != nil {
		h.Level = "bad"
		h.Reasons = append(h.Reasons, "failed webhooks could not be read: "+inErr.Error())
	}
	var acts []Activity
	if c.cfg.Activity != nil {
		acts = c.cfg.Activity.Recent(shop, 20)
	}
	c.render(w, r, http.StatusOK, "shop", view{Title: s.DisplayName, Nav: "ops", Shop: shop, Data: struct {
		H          shopHealth
		Budget     budgetChart
		Activity   []Activity
		HasLog     bool
		CanDiscard bool
	}{h, drawBudget(c.budgets.get(shop), c.now()), acts, c.cfg.Activity != nil, false}})
}

// failureReplay replays one failure of the shop.
func (c *Console) failureReplay(w http.ResponseWriter, r *http.Request) {
	shop := r.PathValue("shop")
	ctx := r.Context()
	s, ok := c.shopSettings(w, r)
	if !ok {
		return
	}
	if !c.parseForm(w, r) {
		return
	}
	id := r.PostForm.Get("id")
	var err error
	switch r.PostForm.Get("direction") {
	case outbound:
		err = c.eng.ReplayDeadLetter(ctx, shop, id)
	case inbound:
		err = c.replayInbound(ctx, s, id)
	default:
		c.errorPage(w, r, http.StatusBadRequest, "unknown kind of failure")
		return
	}
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, wmssync.ErrNotFound) || errors.Is(err, webhook.ErrUnknownJob) {
			status = http.StatusNotFound
		}
		c.errorPage(w, r, status, "the failure could not be replayed: "+err.Error())
		return
	}
	c.redirect(w, r, "replayed", "shops", shop)
}

// replayInbound replays a failed webhook event of shop s: only one the
// shop sent.
func (c *Console) replayInbound(ctx context.Context, s wmssync.Settings, id string) error {
	adm, ok := c.eng.Inbox().(inboxAdmin)
	if !ok {
		return errors.New("the store offers no replay of failed webhooks")
	}
	in, err := c.inboundFailures(ctx)
	if err != nil {
		return err
	}
	for _, f := range in[s.Domain()] {
		if f.ID == id {
			return adm.Replay(ctx, id)
		}
	}
	return wmssync.ErrNotFound
}

// failureDiscard discards one failure; the engine offers it once its
// unified failures exist.
func (c *Console) failureDiscard(w http.ResponseWriter, r *http.Request) {
	c.errorPage(w, r, http.StatusNotImplemented, "discarding failures is not available with this engine")
}
