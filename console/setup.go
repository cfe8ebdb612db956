package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	gosync "sync"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// stepInfo describes each setup step in the merchant's words.
var stepInfo = map[wmssync.Step]struct{ Title, Help string }{
	wmssync.StepProducts:     {"Import products", "Registers the product webhooks, then imports every product and variant with its stock at the mapped locations."},
	wmssync.StepCustomsCost:  {"Customs info and cost prices", "HS codes, countries of origin and unit costs into the warehouse's products. Optional."},
	wmssync.StepOrders:       {"Receive orders", "Registers the order webhooks: from now on new orders flow into the warehouse."},
	wmssync.StepSalesHistory: {"Import sales history", "The quantity sold per product and day since the chosen start. Optional."},
	wmssync.StepOutbound:     {"Outbound messages", "Switches on the messages chosen in the settings: stock, barcodes, packed orders..."},
}

// runner runs setup steps in the background, one run per shop at a time,
// and tells the setup pages' event streams about their progress.
type runner struct {
	eng *wmssync.Engine
	log *slog.Logger
	ctx context.Context
	end context.CancelFunc
	wg  gosync.WaitGroup

	mu       gosync.Mutex
	runs     map[string]*run
	auditing audits
	changed  chan struct{} // closed and replaced on every change
}

// run is one background run of a shop's setup (every step, or one).
type run struct {
	shop     string
	step     wmssync.Step // "" for every unfinished step
	cancel   context.CancelFunc
	progress map[wmssync.Step]wmssync.Progress
	running  bool
	err      string
}

func newRunner(eng *wmssync.Engine, log *slog.Logger) *runner {
	ctx, cancel := context.WithCancel(context.Background())
	return &runner{eng: eng, log: log, ctx: ctx, end: cancel, runs: map[string]*run{}, auditing: audits{}, changed: make(chan struct{})}
}

// notify wakes the event streams; the caller holds mu.
func (rn *runner) notify() {
	close(rn.changed)
	rn.changed = make(chan struct{})
}

// wait returns a channel closed at the next change.
func (rn *runner) wait() <-chan struct{} {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	return rn.changed
}

// errRunning is returned when a shop's setup already runs here.
var errRunning = errors.New("the setup of this shop is already running")

// start runs step (or every unfinished step) of shop in the background.
func (rn *runner) start(shop string, step wmssync.Step) error {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	if rn.ctx.Err() != nil {
		return errors.New("the console is closing")
	}
	if r := rn.runs[shop]; r != nil && r.running {
		return errRunning
	}
	ctx, cancel := context.WithCancel(rn.ctx)
	r := &run{shop: shop, step: step, cancel: cancel, progress: map[wmssync.Step]wmssync.Progress{}, running: true}
	rn.runs[shop] = r
	rn.notify()
	rn.wg.Add(1)
	go func() {
		defer rn.wg.Done()
		defer cancel()
		progress := func(p wmssync.Progress) {
			rn.mu.Lock()
			r.progress[p.Step] = p
			rn.notify()
			rn.mu.Unlock()
		}
		var err error
		if step == "" {
			err = rn.eng.RunSetup(ctx, shop, progress)
		} else {
			err = rn.eng.RunStep(ctx, shop, step, progress)
		}
		rn.mu.Lock()
		r.running = false
		switch {
		case err == nil:
		case errors.Is(err, context.Canceled):
			r.err = "stopped; it resumes from where it stopped"
		default:
			r.err = err.Error()
		}
		rn.notify()
		rn.mu.Unlock()
		if err != nil && !errors.Is(err, context.Canceled) {
			rn.log.LogAttrs(context.Background(), slog.LevelWarn, "console: setup run failed",
				slog.String("shop", shop), slog.String("error", err.Error()))
		}
	}()
	return nil
}

// stop cancels the shop's run, if one runs here.
func (rn *runner) stop(shop string) bool {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	r := rn.runs[shop]
	if r == nil || !r.running {
		return false
	}
	r.cancel()
	return true
}

// snapshot returns a copy of the shop's run, nil if none ran here.
func (rn *runner) snapshot(shop string) *run {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	r := rn.runs[shop]
	if r == nil {
		return nil
	}
	cp := *r
	cp.progress = make(map[wmssync.Step]wmssync.Progress, len(r.progress))
	for k, v := range r.progress {
		cp.progress[k] = v
	}
	return &cp
}

func (rn *runner) close() {
	rn.end()
	rn.wg.Wait()
}

// stepView is one step as the setup page and its event stream show it.
type stepView struct {
	Step      wmssync.Step       `json:"step"`
	Title     string             `json:"-"`
	Help      string             `json:"-"`
	Status    wmssync.StepStatus `json:"status"`
	Phase     string             `json:"phase,omitempty"`
	Done      int64              `json:"done"`
	Total     int64              `json:"total"`
	Percent   float64            `json:"percent"` // -1 when unknown
	Text      string             `json:"text"`    // "1,200 of 3,000 (40%) · 850/s · about 21 s left"
	Error     string             `json:"error,omitempty"`
	Note      string             `json:"note,omitempty"`
	Skippable bool               `json:"-"`
	CanRun    bool               `json:"-"`
	Resumes   bool               `json:"resumes"` // interrupted with a checkpoint: a run resumes
	Started   time.Time          `json:"-"`
	Finished  time.Time          `json:"-"`
}

// setupState is the setup page's data, also sent as JSON to its script.
type setupState struct {
	Shop     string     `json:"shop"`
	Steps    []stepView `json:"steps"`
	Running  bool       `json:"running"`
	Finished bool       `json:"finished"` // every step done or skipped
	RunError string     `json:"run_error,omitempty"`
}

// setupState reads the shop's steps and merges the live progress of a run
// in this console.
func (c *Console) setupState(ctx context.Context, shop string) (setupState, error) {
	states, err := c.eng.StepStates(ctx, shop)
	if err != nil {
		return setupState{}, err
	}
	st := setupState{Shop: shop, Finished: true}
	r := c.runs.snapshot(shop)
	if r != nil {
		st.Running, st.RunError = r.running, r.err
	}
	prevFinished := true
	for _, s := range states {
		info := stepInfo[s.Step]
		v := stepView{Step: s.Step, Title: info.Title, Help: info.Help, Status: s.Status, Done: s.Done, Total: s.Total,
			Error: s.Error, Note: s.Note, Skippable: s.Step.Skippable() && !s.Status.Finished(),
			Started: s.StartedAt, Finished: s.FinishedAt,
			Resumes: s.Checkpoint != "" && !s.Status.Finished()}
		if r != nil {
			if p, ok := r.progress[s.Step]; ok && (r.running || p.Finished) {
				v.Phase, v.Done, v.Total = p.Phase, p.Done, p.Total
				if r.running && !p.Finished {
					v.Status = wmssync.StepRunning
				}
				v.Text = progressText(p)
			}
		}
		v.Percent = percent(v.Done, v.Total, v.Status)
		if v.Text == "" {
			v.Text = countText(v.Done, v.Total, v.Percent)
		}
		v.CanRun = prevFinished && !st.Running
		prevFinished = prevFinished && s.Status.Finished()
		if !s.Status.Finished() {
			st.Finished = false
		}
		st.Steps = append(st.Steps, v)
	}
	return st, nil
}

func percent(done, total int64, status wmssync.StepStatus) float64 {
	switch {
	case status.Finished():
		return 100
	case status != wmssync.StepRunning && total <= 0:
		return 0 // not running: an empty bar, not a busy one
	case total <= 0:
		return -1
	}
	return min(100, float64(done)*100/float64(total))
}

func countText(done, total int64, pct float64) string {
	switch {
	case total < 0 && done == 0:
		return ""
	case total < 0:
		return formatInt(done)
	}
	return fmt.Sprintf("%s of %s (%.0f%%)", formatInt(done), formatInt(total), pct)
}

func progressText(p wmssync.Progress) string {
	pct := p.Percent()
	s := countText(p.Done, p.Total, pct)
	if p.Phase != "" && !p.Finished {
		s = p.Phase + ": " + s
	}
	if p.Rate > 0 && !p.Finished {
		s += fmt.Sprintf(" · %.0f/s", p.Rate)
	}
	if p.ETA > 0 && !p.Finished {
		s += " · about " + formatAge(p.ETA) + " left"
	}
	return s
}

func (c *Console) setupPage(w http.ResponseWriter, r *http.Request) {
	shop := r.PathValue("shop")
	s, ok := c.shopSettings(w, r)
	if !ok {
		return
	}
	st, err := c.setupState(r.Context(), shop)
	if err != nil {
		c.errorPage(w, r, http.StatusInternalServerError, "the setup steps could not be read: "+err.Error())
		return
	}
	c.render(w, r, http.StatusOK, "setup", view{Title: "Setup: " + s.DisplayName, Nav: "setup", Shop: shop,
		Refresh: st.Running, Data: struct {
			Settings wmssync.Settings
			State    setupState
		}{s, st}})
}

// setupEvents streams the setup state as server-sent events while the
// page is open: at once, then at each change (at most five a second, and
// at least every two seconds, so runs of other processes show too).
func (c *Console) setupEvents(w http.ResponseWriter, r *http.Request) {
	shop := r.PathValue("shop")
	if _, ok := c.shopSettings(w, r); !ok {
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	ctx := r.Context()
	var last []byte
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		changed := c.runs.wait()
		st, err := c.setupState(ctx, shop)
		if err != nil {
			return
		}
		b, _ := json.Marshal(st)
		if string(b) != string(last) {
			if _, err := fmt.Fprintf(w, "event: state\ndata: %s\n\n", b); err != nil {
				return
			}
			fl.Flush()
			last = b
		}
		select {
		case <-ctx.Done():
			return
		case <-c.runs.ctx.Done():
			return
		case <-changed:
		case <-tick.C:
		}
		select { // coalesce bursts of progress
		case <-ctx.Done():
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (c *Console) setupRun(w http.ResponseWriter, r *http.Request) {
	shop := r.PathValue("shop")
	if _, ok := c.shopSettings(w, r); !ok {
		return
	}
	if !c.parseForm(w, r) {
		return
	}
	step := wmssync.Step(r.PostForm.Get("step"))
	if step != "" && !step.Valid() {
		c.errorPage(w, r, http.StatusBadRequest, "no such setup step")
		return
	}
	if err := c.runs.start(shop, step); err != nil {
		c.errorPage(w, r, http.StatusConflict, err.Error())
		return
	}
	c.redirect(w, r, "started", "shops", shop, "setup")
}

func (c *Console) setupStop(w http.ResponseWriter, r *http.Request) {
	shop := r.PathValue("shop")
	c.runs.stop(shop)
	c.redirect(w, r, "stopped", "shops", shop, "setup")
}

func (c *Console) setupSkip(w http.ResponseWriter, r *http.Request) {
	shop := r.PathValue("shop")
	step := wmssync.Step(r.PathValue("step"))
	if !step.Valid() {
		c.errorPage(w, r, http.StatusBadRequest, "no such setup step")
		return
	}
	if err := c.eng.SkipStep(r.Context(), shop, step); err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, wmssync.ErrNotSkippable) {
			status = http.StatusBadRequest
		}
		c.errorPage(w, r, status, "the step could not be skipped: "+err.Error())
		return
	}
	c.runs.mu.Lock()
	c.runs.notify()
	c.runs.mu.Unlock()
	c.redirect(w, r, "skipped", "shops", shop, "setup")
}
