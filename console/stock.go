package console

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
)

// audits tracks the stock audits (or full pushes) the console started, by
// shop; guarded by runner.mu.
type audits map[string]bool

// errAuditRunning is returned when a stock audit of the shop already runs
// here.
var errAuditRunning = errors.New("a stock audit of this shop is already running")

// audit runs a stock audit of shop (a full push when push is set) in the
// background, on the runner's context: Console.Close stops it. The result
// is the engine's: Health.LastStockAudit, or Health.StockAudit.Error.
func (rn *runner) audit(shop string, push bool) error {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	if rn.ctx.Err() != nil {
		return errors.New("the console is closing")
	}
	if rn.auditing[shop] {
		return errAuditRunning
	}
	rn.auditing[shop] = true
	rn.wg.Add(1)
	go func() {
		defer rn.wg.Done()
		var err error
		if push {
			_, err = rn.eng.PushStock(rn.ctx, shop)
		} else {
			_, err = rn.eng.AuditStock(rn.ctx, shop)
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			rn.log.LogAttrs(context.Background(), slog.LevelWarn, "console: stock audit failed",
				slog.String("shop", shop), slog.Bool("push", push), slog.String("error", err.Error()))
		}
		rn.mu.Lock()
		delete(rn.auditing, shop)
		rn.mu.Unlock()
	}()
	return nil
}

// auditRunning reports whether the console runs a stock audit of shop.
func (rn *runner) auditRunning(shop string) bool {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	return rn.auditing[shop]
}

// stockAudit starts a stock audit of the shop: the warehouse's figures
// compared with the shop's, the differences corrected.
func (c *Console) stockAudit(w http.ResponseWriter, r *http.Request) { c.startAudit(w, r, false) }

// stockPush starts a full stock push: every stock level of the shop set to
// the warehouse's figure, equal or not.
func (c *Console) stockPush(w http.ResponseWriter, r *http.Request) { c.startAudit(w, r, true) }

func (c *Console) startAudit(w http.ResponseWriter, r *http.Request, push bool) {
	s, ok := c.shopSettings(w, r)
	if !ok {
		return
	}
	if err := c.runs.audit(s.Shop, push); err != nil {
		status := http.StatusServiceUnavailable
		if errors.Is(err, errAuditRunning) {
			status = http.StatusConflict
		}
		c.errorPage(w, r, status, err.Error())
		return
	}
	done := "audit"
	if push {
		done = "push"
	}
	c.redirect(w, r, done, "shops", s.Shop)
}
