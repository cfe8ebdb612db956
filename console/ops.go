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

// failure is an inbound event or an outbound message that failed for good
// and waits for the merchant: replay (once the cause is fixed) or discard.
type failure struct {
	wmssync.Failure
	Entity string // the order or SKU whose later messages wait behind it
	Detail string // the payload, indented, cut at maxDetail
}

// Inbound reports whether the failure is a webhook from the shop.
func (f failure) Inbound() bool { return f.Class == wmssync.FailureInbound }

const maxDetail = 4 << 10

// maxFailures caps the failures read per shop and class.
const maxFailures = 200

// failedEvents is the store capability that returns failed webhook
// events with their payloads (sync.FailureStore).
type failedEvents interface {
	FailedEvents(ctx context.Context, shop string, limit int) ([]webhook.Job, error)
}

// failures lists the failures of shop ("" every shop), with the payloads
// the store keeps.
func (c *Console) failures(ctx context.Context, shop string) ([]failure, error) {
	fs, err := c.eng.Failures(ctx, wmssync.FailureFilter{Shop: shop, Limit: maxFailures})
	if err != nil {
		return nil, err
	}
	details := map[wmssync.FailureClass]map[string]failure{wmssync.FailureInbound: {}, wmssync.FailureOutbound: {}}
	if fe, ok := c.eng.Inbox().(failedEvents); ok && len(fs) > 0 {
		jobs, err := fe.FailedEvents(ctx, "", maxFailures)
		if err != nil {
			return nil, err
		}
		for _, j := range jobs {
			details[wmssync.FailureInbound][j.Event.WebhookID] = failure{Detail: detail(j.Event.Body)}
		}
	}
	if len(fs) > 0 {
		dead, err := c.eng.DeadLetters(ctx, shop)
		if err != nil && !errors.Is(err, wmssync.ErrNoOutbox) {
			return nil, err
		}
		for _, m := range dead {
			details[wmssync.FailureOutbound][m.Shop+"\x00"+m.ID] = failure{Entity: m.Entity, Detail: detail(m.Data)}
		}
	}
	out := make([]failure, 0, len(fs))
	for _, f := range fs {
		key := f.ID
		if f.Class == wmssync.FailureOutbound {
			key = f.Shop + "\x00" + f.ID
		}
		d := details[f.Class][key]
		out = append(out, failure{Failure: f, Entity: d.Entity, Detail: d.Detail})
	}
	slices.SortFunc(out, func(a, b failure) int { return a.At.Compare(b.At) })
	return out, nil
}

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

// health computes the operations figures of every shop, and returns the
// failures of shops that are not connected (webhooks of a removed shop).
func (c *Console) health(ctx context.Context) ([]shopHealth, []failure, error) {
	shops, err := c.eng.Shops(ctx)
	if err != nil {
		return nil, nil, err
	}
	all, err := c.failures(ctx, "")
	if err != nil {
		return nil, nil, err
	}
	byShop := map[string][]failure{}
	for _, f := range all {
		byShop[f.Shop] = append(byShop[f.Shop], f)
	}
	out := make([]shopHealth, 0, len(shops))
	for _, s := range shops {
		h, err := c.shopHealth(ctx, s, byShop[s.Shop])
		if err != nil {
			return nil, nil, err
		}
		delete(byShop, s.Shop)
		out = append(out, h)
	}
	var orphans []failure
	for _, fs := range byShop {
		orphans = append(orphans, fs...)
	}
	slices.SortFunc(orphans, func(a, b failure) int { return a.At.Compare(b.At) })
	return out, orphans, nil
}

func (c *Console) shopHealth(ctx context.Context, s wmssync.Settings, fs []failure) (shopHealth, error) {
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
	h.Failures = fs
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
	if e := h.H.StockAudit.Error; e != "" {
		bad("the last stock audit failed: " + e)
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
	hs, orphans, err := c.health(r.Context())
	if err != nil {
		c.errorPage(w, r, http.StatusInternalServerError, "the shops could not be read: "+err.Error())
		return
	}
	c.render(w, r, http.StatusOK, "overview", view{Title: "Shops", Nav: "overview", Data: struct {
		Shops    []shopHealth
		Orphans  []failure
		Stats    wmssync.Stats
		Outbound wmssync.OutboundStats
	}{hs, orphans, c.eng.Stats(), c.eng.OutboundStats()}})
}

// shopPage is one shop's operations view.
func (c *Console) shopPage(w http.ResponseWriter, r *http.Request) {
	shop := r.PathValue("shop")
	ctx := r.Context()
	s, ok := c.shopSettings(w, r)
	if !ok {
		return
	}
	fs, err := c.failures(ctx, shop)
	if err != nil {
		c.errorPage(w, r, http.StatusInternalServerError, "the shop's failures could not be read: "+err.Error())
		return
	}
	h, err := c.shopHealth(ctx, s, fs)
	if err != nil {
		c.errorPage(w, r, http.StatusInternalServerError, "the shop's state could not be read: "+err.Error())
		return
	}
	var acts []Activity
	if c.cfg.Activity != nil {
		acts = c.cfg.Activity.Recent(shop, 20)
	}
	auditing := c.runs.auditRunning(shop)
	c.render(w, r, http.StatusOK, "shop", view{Title: s.DisplayName, Nav: "ops", Shop: shop, Reload: auditing, Data: struct {
		H        shopHealth
		Budget   budgetChart
		Activity []Activity
		HasLog   bool
		Auditing bool
	}{h, drawBudget(c.budgets.get(shop), c.now()), acts, c.cfg.Activity != nil, auditing}})
}

// failureAction reads a failure form (class, id; reason to discard) of
// the path's shop, which may be a shop no longer connected (the
// identity its webhooks carry), and runs act.
func (c *Console) failureAction(w http.ResponseWriter, r *http.Request, done string,
	act func(ctx context.Context, class wmssync.FailureClass, shop, id, reason string) error) {
	shop := r.PathValue("shop")
	if !c.parseForm(w, r) {
		return
	}
	class := wmssync.FailureClass(r.PostForm.Get("class"))
	if class != wmssync.FailureInbound && class != wmssync.FailureOutbound {
		c.errorPage(w, r, http.StatusBadRequest, "unknown kind of failure")
		return
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	if done == "discarded" && reason == "" {
		c.errorPage(w, r, http.StatusBadRequest, "say why the failure is discarded")
		return
	}
	if err := act(r.Context(), class, shop, r.PostForm.Get("id"), reason); err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, wmssync.ErrNotFound) {
			status = http.StatusNotFound
		}
		c.errorPage(w, r, status, "the failure could not be "+done+": "+err.Error())
		return
	}
	if _, err := c.eng.Settings(r.Context(), shop); err != nil {
		c.redirect(w, r, done) // a shop no longer connected: its failures are on the overview
		return
	}
	c.redirect(w, r, done, "shops", shop)
}

// failureReplay replays one failure of the shop.
func (c *Console) failureReplay(w http.ResponseWriter, r *http.Request) {
	c.failureAction(w, r, "replayed", func(ctx context.Context, class wmssync.FailureClass, shop, id, _ string) error {
		return c.eng.ReplayFailure(ctx, class, shop, id)
	})
}

// failureDiscard gives one failure of the shop up, with a reason.
func (c *Console) failureDiscard(w http.ResponseWriter, r *http.Request) {
	c.failureAction(w, r, "discarded", c.eng.DiscardFailure)
}
