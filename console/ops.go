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
	OutboxPending int
	OutboxLag     time.Duration // age of the oldest pending message, -1 none
	Failures      []failure
	Level         string   // "ok", "warn", "bad"
	Reasons       []string // why not ok
}

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
	h := shopHealth{S: s, OutboxLag: -1, Level: "ok"}
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
	if ob, ok := c.eng.Inbox().(wmssync.OutboxStore); ok {
		pending, err := ob.ListOutbox(ctx, wmssync.OutboxFilter{Shop: s.Shop, State: wmssync.OutboxPending})
		if err != nil {
			return h, err
		}
		h.OutboxPending = len(pending)
		if len(pending) > 0 {
			oldest := pending[0].CreatedAt
			for _, m := range pending[1:] {
				if m.CreatedAt.Before(oldest) {
					oldest = m.CreatedAt
				}
			}
			h.OutboxLag = c.now().Sub(oldest)
		}
	}
	var failed []string
	for _, x := range st.Steps {
		if x.Status == wmssync.StepFailed {
			failed = append(failed, x.Title)
		}
	}
	switch {
	case len(h.Failures) > 0:
		h.Level = "bad"
		if len(h.Failures) == 1 {
			h.Reasons = append(h.Reasons, "1 failure waits for a decision")
		} else {
			h.Reasons = append(h.Reasons, formatInt(int64(len(h.Failures)))+" failures wait for a decision")
		}
	case len(failed) > 0:
		h.Level = "bad"
		h.Reasons = append(h.Reasons, "setup step failed: "+strings.Join(failed, ", "))
	case h.StepsFinished < h.StepsTotal:
		h.Level = "warn"
		h.Reasons = append(h.Reasons, "setup not finished")
	}
	if h.OutboxLag > 5*time.Minute {
		if h.Level == "ok" {
			h.Level = "warn"
		}
		h.Reasons = append(h.Reasons, "outbound messages are waiting for "+formatAge(h.OutboxLag))
	}
	return h, nil
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
		Activity   []Activity
		HasLog     bool
		CanDiscard bool
	}{h, acts, c.cfg.Activity != nil, false}})
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
