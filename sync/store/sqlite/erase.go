package sqlite

import (
	"context"
	"database/sql"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

var _ wmssync.Eraser = (*Store)(nil)

// eraseStatements delete a shop's rows; $1 is the shop's id, $2 its domain.
var eraseStatements = []string{
	`DELETE FROM wmsbridge_settings WHERE shop = ?1`,
	`DELETE FROM wmsbridge_steps WHERE shop = ?1`,
	`DELETE FROM wmsbridge_versions WHERE shop = ?1`,
	`DELETE FROM wmsbridge_watermarks WHERE shop = ?1`,
	`DELETE FROM wmsbridge_outbox WHERE shop = ?1`,
	`DELETE FROM wmsbridge_inbox WHERE shop = ?2`,
	`DELETE FROM wmsbridge_credentials WHERE shop IN (?1, ?2)`,
}

// EraseShop implements [wmssync.Eraser] in one write transaction.
func (s *Store) EraseShop(ctx context.Context, shop, domain string) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	return wrap("erase shop", s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, q := range eraseStatements {
			if _, err := tx.ExecContext(ctx, q, shop, domain); err != nil {
				return err
			}
		}
		rows, err := tx.QueryContext(ctx, `SELECT name FROM wmsbridge_leases`)
		if err != nil {
			return err
		}
		var names []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			if wmssync.LeaseOfShop(n, shop) {
				names = append(names, n)
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, n := range names {
			if _, err := tx.ExecContext(ctx, `DELETE FROM wmsbridge_leases WHERE name = ?`, n); err != nil {
				return err
			}
		}
		return nil
	}))
}

// rewritePage is how many rows RewritePayloads reads at a time.
const rewritePage = 500

// RewritePayloads implements [wmssync.Eraser]: it reads the rows page by
// page from a reader and writes each page's changes in one transaction.
func (s *Store) RewritePayloads(ctx context.Context, shop, domain string, fn func(wmssync.StoredPayload) ([]byte, bool, error)) (int, error) {
	if err := s.checkOpen(); err != nil {
		return 0, err
	}
	type change struct {
		key  any
		body []byte
	}
	n := 0
	apply := func(del, upd string, changes []change) error {
		if len(changes) == 0 {
			return nil
		}
		n += len(changes)
		return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for _, c := range changes {
				var err error
				if c.body == nil {
					_, err = tx.ExecContext(ctx, del, c.key)
				} else {
					_, err = tx.ExecContext(ctx, upd, c.body, c.key)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	// Inbox events of the domain.
	for after := int64(0); ; {
		rows, err := s.r.QueryContext(ctx, `SELECT `+jobColumns+` FROM wmsbridge_inbox WHERE shop = ? AND seq > ? ORDER BY seq LIMIT ?`,
			domain, after, rewritePage)
		if err != nil {
			return n, wrap("rewrite payloads", err)
		}
		var jobs []jobRow
		for rows.Next() {
			r, err := scanJob(rows)
			if err != nil {
				rows.Close()
				return n, wrap("rewrite payloads", err)
			}
			jobs = append(jobs, r)
		}
		if err := rows.Close(); err != nil {
			return n, wrap("rewrite payloads", err)
		}
		var changes []change
		for _, r := range jobs {
			out, changed, err := fn(wmssync.StoredPayload{Event: r.job.Event})
			if err != nil {
				_ = apply(`DELETE FROM wmsbridge_inbox WHERE seq = ?`, `UPDATE wmsbridge_inbox SET body = ? WHERE seq = ?`, changes)
				return n, err
			}
			if changed {
				changes = append(changes, change{r.seq, out})
			}
		}
		if err := apply(`DELETE FROM wmsbridge_inbox WHERE seq = ?`, `UPDATE wmsbridge_inbox SET body = ? WHERE seq = ?`, changes); err != nil {
			return n, wrap("rewrite payloads", err)
		}
		if len(jobs) < rewritePage {
			break
		}
		after = jobs[len(jobs)-1].seq
	}
	// Outbox messages to the shop, to listeners and in the fan-out queue.
	for after := int64(0); ; {
		rows, err := s.r.QueryContext(ctx, `SELECT `+outboxColumns+` FROM wmsbridge_outbox
			WHERE (shop = ? OR shop = '' OR substr(shop, 1, ?) = ?) AND pos > ? ORDER BY pos LIMIT ?`,
			shop, len(wmssync.ListenerPrefix), wmssync.ListenerPrefix, after, rewritePage)
		if err != nil {
			return n, wrap("rewrite payloads", err)
		}
		var msgs []wmssync.OutboxMessage
		for rows.Next() {
			m, err := scanOutbox(rows)
			if err != nil {
				rows.Close()
				return n, wrap("rewrite payloads", err)
			}
			msgs = append(msgs, m)
		}
		if err := rows.Close(); err != nil {
			return n, wrap("rewrite payloads", err)
		}
		var changes []change
		for i := range msgs {
			out, changed, err := fn(wmssync.StoredPayload{Message: &msgs[i]})
			if err != nil {
				_ = apply(`DELETE FROM wmsbridge_outbox WHERE pos = ?`, `UPDATE wmsbridge_outbox SET data = ? WHERE pos = ?`, changes)
				return n, err
			}
			if changed {
				changes = append(changes, change{msgs[i].Pos, out})
			}
		}
		if err := apply(`DELETE FROM wmsbridge_outbox WHERE pos = ?`, `UPDATE wmsbridge_outbox SET data = ? WHERE pos = ?`, changes); err != nil {
			return n, wrap("rewrite payloads", err)
		}
		if len(msgs) < rewritePage {
			break
		}
		after = msgs[len(msgs)-1].Pos
	}
	return n, nil
}
