package memstore

import (
	"context"
	"slices"
	"strings"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

var _ wmssync.Eraser = (*Store)(nil)

// EraseShop implements [wmssync.Eraser].
func (s *Store) EraseShop(ctx context.Context, shop, domain string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.settings, shop)
	for k := range s.steps {
		if k.shop == shop {
			delete(s.steps, k)
		}
	}
	for k := range s.versions {
		if k.Shop == shop {
			delete(s.versions, k)
		}
	}
	for k := range s.watermarks {
		if k.shop == shop {
			delete(s.watermarks, k)
		}
	}
	for name := range s.leases {
		if wmssync.LeaseOfShop(name, shop) {
			delete(s.leases, name)
		}
	}
	s.mu.Unlock()

	t := &s.outbox
	t.mu.Lock()
	t.init()
	for k := range t.rows {
		if k.shop == shop {
			delete(t.rows, k)
		}
	}
	delete(t.open, shop)
	t.mu.Unlock()

	s.MemoryInbox.EraseShop(domain)
	return nil
}

// RewritePayloads implements [wmssync.Eraser].
func (s *Store) RewritePayloads(ctx context.Context, shop, domain string, fn func(wmssync.StoredPayload) ([]byte, bool, error)) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n, err := s.MemoryInbox.RewriteBodies(domain, func(ev *webhook.Event) ([]byte, bool, error) {
		return fn(wmssync.StoredPayload{Event: ev})
	})
	if err != nil {
		return n, err
	}
	t := &s.outbox
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	var rows []*wmssync.OutboxMessage
	for k, r := range t.rows {
		if k.shop == shop || k.shop == "" || strings.HasPrefix(k.shop, wmssync.ListenerPrefix) {
			rows = append(rows, r)
		}
	}
	slices.SortFunc(rows, func(a, b *wmssync.OutboxMessage) int { return int(a.Pos - b.Pos) })
	for _, r := range rows {
		cp := cloneMsg(*r)
		out, changed, err := fn(wmssync.StoredPayload{Message: &cp})
		if err != nil {
			return n, err
		}
		if !changed {
			continue
		}
		n++
		if out == nil {
			delete(t.rows, outboxKey{r.Shop, r.ID})
			t.open[r.Shop] = slices.DeleteFunc(t.open[r.Shop], func(x *wmssync.OutboxMessage) bool { return x == r })
			continue
		}
		r.Data = slices.Clone(out)
	}
	return n, nil
}
