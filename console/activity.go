package console

import (
	"context"
	"log/slog"
	"slices"
	gosync "sync"
	"time"
)

// ActivityLog is a [slog.Handler] that keeps the most recent log records
// of each shop (records with a "shop" attribute) for the console's
// activity lists, and passes every record on to another handler. Give it
// to the engine as its logger's handler, and to the console as
// Config.Activity:
//
//	activity := console.NewActivityLog(slog.NewTextHandler(os.Stderr, nil), 0)
//	engine, _ := wmssync.NewEngine(wmssync.Config{Logger: slog.New(activity), ...})
//	con, _ := console.New(console.Config{Engine: engine, Activity: activity, ...})
//
// It keeps records of every level, Debug included (the engine logs each
// applied webhook at Debug), whatever the next handler's level. It is safe
// for concurrent use.
type ActivityLog struct {
	next  slog.Handler
	attrs []slog.Attr
	group string
	st    *activityStore
}

type activityStore struct {
	mu     gosync.Mutex
	size   int
	byShop map[string][]Activity // ring per shop, oldest first
}

// Activity is one log record of a shop.
type Activity struct {
	Time    time.Time
	Level   slog.Level
	Message string
	// Attrs are the record's other attributes, as key=value text.
	Attrs []string
}

// DefaultActivitySize is how many records per shop an ActivityLog keeps by
// default.
const DefaultActivitySize = 100

// NewActivityLog returns an ActivityLog that keeps size records per shop
// (DefaultActivitySize if size <= 0) and passes records on to next (nil:
// to no other handler).
func NewActivityLog(next slog.Handler, size int) *ActivityLog {
	if size <= 0 {
		size = DefaultActivitySize
	}
	if next == nil {
		next = slog.DiscardHandler
	}
	return &ActivityLog{next: next, st: &activityStore{size: size, byShop: map[string][]Activity{}}}
}

// Enabled implements slog.Handler: every level is kept.
func (a *ActivityLog) Enabled(context.Context, slog.Level) bool { return true }

// Handle implements slog.Handler.
func (a *ActivityLog) Handle(ctx context.Context, r slog.Record) error {
	shop := ""
	var attrs []string
	add := func(at slog.Attr) {
		if at.Key == "shop" {
			shop = at.Value.String()
			return
		}
		attrs = append(attrs, at.Key+"="+at.Value.String())
	}
	for _, at := range a.attrs {
		add(at)
	}
	r.Attrs(func(at slog.Attr) bool { add(qualify(a.group, at)); return true })
	if shop != "" {
		a.st.add(shop, Activity{Time: r.Time, Level: r.Level, Message: r.Message, Attrs: attrs})
	}
	if a.next.Enabled(ctx, r.Level) {
		return a.next.Handle(ctx, r)
	}
	return nil
}

// WithAttrs implements slog.Handler.
func (a *ActivityLog) WithAttrs(attrs []slog.Attr) slog.Handler {
	cp := *a
	cp.attrs = slices.Clip(a.attrs)
	for _, at := range attrs {
		cp.attrs = append(cp.attrs, qualify(a.group, at))
	}
	cp.next = a.next.WithAttrs(attrs)
	return &cp
}

// WithGroup implements slog.Handler.
func (a *ActivityLog) WithGroup(name string) slog.Handler {
	cp := *a
	if cp.group != "" {
		name = cp.group + "." + name
	}
	cp.group = name
	cp.next = a.next.WithGroup(name)
	return &cp
}

// Recent returns up to n of the shop's most recent records, newest first.
func (a *ActivityLog) Recent(shop string, n int) []Activity {
	a.st.mu.Lock()
	defer a.st.mu.Unlock()
	list := a.st.byShop[shop]
	out := make([]Activity, 0, min(n, len(list)))
	for i := len(list) - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, list[i])
	}
	return out
}

func (s *activityStore) add(shop string, act Activity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.byShop[shop]
	if len(list) >= s.size {
		list = slices.Delete(list, 0, len(list)-s.size+1)
	}
	s.byShop[shop] = append(list, act)
}

// qualify prefixes the attribute's key with the group ("" for none), so a
// grouped "shop" is not taken for the shop.
func qualify(group string, at slog.Attr) slog.Attr {
	if group != "" {
		at.Key = group + "." + at.Key
	}
	return at
}
