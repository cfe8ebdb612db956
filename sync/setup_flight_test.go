package sync_test

import (
	"context"
	"log/slog"
	gosync "sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// signalLogs is a slog.Handler that closes seen when a record with the
// message msg is logged.
type signalLogs struct {
	msg  string
	once gosync.Once
	seen chan struct{}
}

func (h *signalLogs) Enabled(context.Context, slog.Level) bool { return true }
func (h *signalLogs) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.once.Do(func() { close(h.seen) })
	}
	return nil
}
func (h *signalLogs) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *signalLogs) WithGroup(string) slog.Handler      { return h }

// Two RunSetups of one shop at once (a double click): the products are
// imported once, both callers return the same result, and the second one
// receives the progress of the first's run.
func TestRunSetupSingleFlight(t *testing.T) {
	waiting := &signalLogs{msg: "setup already running; waiting for it", seen: make(chan struct{})}
	e := newEnv(t, func(c *wmssync.Config) { c.Logger = slog.New(waiting) })
	f := e.addShop("dk")
	seedProducts(f, 120, e.clock.Now()) // 3 pages of 50
	release, inside := make(chan struct{}), make(chan struct{})
	var first gosync.Once
	f.onPage = func(kind, cursor string) {
		if kind == "products" && cursor == "" {
			first.Do(func() { close(inside); <-release }) // hold the first page until the second caller waits
		}
	}
	var (
		wg         gosync.WaitGroup
		errs       [2]error
		progressed [2]int
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		errs[0] = e.engine.RunSetup(bg, "dk", func(wmssync.Progress) { progressed[0]++ })
	}()
	<-inside // the second caller starts once the first is inside the import
	wg.Add(1)
	go func() {
		defer wg.Done()
		errs[1] = e.engine.RunSetup(bg, "dk", func(wmssync.Progress) { progressed[1]++ })
	}()
	select {
	case <-waiting.seen:
	case <-time.After(5 * time.Second):
		t.Error("the second RunSetup did not wait for the first")
	}
	close(release)
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	assert.EqualValues(t, 3, f.productPages.Load(), "the catalogue is read once")
	assert.EqualValues(t, 120, e.stepState("dk", wmssync.StepProducts).Done, "products imported once")
	assert.EqualValues(t, 120, e.engine.Stats().ProductsImported, "each product written once")
	assert.Positive(t, progressed[0])
	assert.Positive(t, progressed[1], "the waiting caller sees the running setup's progress")
	for _, st := range e.steps("dk") {
		assert.True(t, st.Status.Finished(), "%s %s", st.Step, st.Status)
	}
}

// A caller waiting for a running setup whose caller gives up (its context
// ends) takes the setup over and finishes it from the checkpoint.
func TestRunSetupTakeOver(t *testing.T) {
	waiting := &signalLogs{msg: "setup already running; waiting for it", seen: make(chan struct{})}
	e := newEnv(t, func(c *wmssync.Config) { c.Logger = slog.New(waiting) })
	f := e.addShop("dk")
	seedProducts(f, 120, e.clock.Now())
	ctx, cancel := context.WithCancel(bg)
	inside := make(chan struct{})
	var once gosync.Once
	f.onPage = func(kind, cursor string) {
		once.Do(func() { close(inside) })
		if kind == "products" && cursor != "" && ctx.Err() == nil {
			select {
			case <-waiting.seen:
			case <-time.After(5 * time.Second):
				t.Error("the second RunSetup did not wait for the first")
			}
			cancel() // the first caller gives up after its first page
		}
	}
	var wg gosync.WaitGroup
	var firstErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		firstErr = e.engine.RunSetup(ctx, "dk", nil)
	}()
	<-inside
	require.NoError(t, e.engine.RunSetup(bg, "dk", nil))
	wg.Wait()
	assert.ErrorIs(t, firstErr, context.Canceled)
	assert.EqualValues(t, 120, e.stepState("dk", wmssync.StepProducts).Done)
	for _, st := range e.steps("dk") {
		assert.True(t, st.Status.Finished(), "%s %s", st.Step, st.Status)
	}
}

func (e *env) steps(shop string) []wmssync.StepState {
	e.t.Helper()
	states, err := e.engine.StepStates(bg, shop)
	require.NoError(e.t, err)
	return states
}
