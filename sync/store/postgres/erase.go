package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

var _ wmssync.Eraser = (*Store)(nil)

// eraseStatements delete a shop's rows; $1 is the shop's id, $2 its domain.
var eraseStatements = []string{
	`DELETE FROM wmsbridge_settings WHERE shop = $1 AND $2::text IS NOT NULL`,
	`DELETE FROM wmsbridge_steps WHERE shop = $1 AND $2::text IS NOT NULL`,
	`DELETE FROM wmsbridge_versions WHERE shop = $1 AND $2::text IS NOT NULL`,
	`DELETE FROM wmsbridge_watermarks WHERE shop = $1 AND $2::text IS NOT NULL`,
	`DELETE FROM wmsbridge_outbox WHERE shop = $1 AND $2::text IS NOT NULL`,
	`DELETE FROM wmsbridge_inbox WHERE shop = $2 AND $1::text IS NOT NULL`,
	`DELETE FROM wmsbridge_credentials WHERE shop IN ($1, $2)`,
}

// EraseShop implements [wmssync.Eraser] in one transaction.
func (s *Store) EraseShop(ctx context.Context, shop, domain string) error {
	return wrap("erase shop", pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, q := range eraseStatements {
			if _, err := tx.Exec(ctx, s.q(q), shop, domain); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, s.q(`SELECT name FROM wmsbridge_leases`))
		if err != nil {
			return err
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, n := range names {
			if !wmssync.LeaseOfShop(n, shop) {
				continue
			}
			if _, err := tx.Exec(ctx, s.q(`DELETE FROM wmsbridge_leases WHERE name = $1`), n); err != nil {
				return err
			}
		}
		return nil
	}))
}

// rewritePage is how many rows RewritePayloads reads at a time.
const rewritePage = 500

type rewrite struct {
	key  int64
	body []byte
}

// RewritePayloads implements [wmssync.Eraser]: page by page, each page's
// changes in one transaction.
func (s *Store) RewritePayloads(ctx context.Context, shop, domain string, fn func(wmssync.StoredPayload) ([]byte, bool, error)) (int, error) {
	n := 0
	apply := func(del, upd string, changes []rewrite) error {
		if len(changes) == 0 {
			return nil
		}
		n += len(changes)
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			for _, c := range changes {
				var err error
				if c.body == nil {
					_, err = tx.Exec(ctx, s.q(del), c.key)
				} else {
					_, err = tx.Exec(ctx, s.q(upd), c.body, c.key)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	const (
		delEvent = `DELETE FROM wmsbridge_inbox WHERE seq = $1`
		updEvent = `UPDATE wmsbridge_inbox SET body = $1 WHERE seq = $2`
		delMsg   = `DELETE FROM wmsbridge_outbox WHERE pos = $1`
		updMsg   = `UPDATE wmsbridge_outbox SET data = $1 WHERE pos = $2`
	)
	for after := int64(0); ; {
		rows, err := s.pool.Query(ctx, s.q(`SELECT `+jobColumns+` FROM wmsbridge_inbox i WHERE i.shop = $1 AND i.seq > $2 ORDER BY i.seq LIMIT $3`),
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
		rows.Close()
		if err := rows.Err(); err != nil {
			return n, wrap("rewrite payloads", err)
		}
		var changes []rewrite
		for _, r := range jobs {
			out, changed, err := fn(wmssync.StoredPayload{Event: r.job.Event})
			if err != nil {
				_ = apply(delEvent, updEvent, changes)
				return n, err
			}
			if changed {
				changes = append(changes, rewrite{r.seq, out})
			}
		}
		if err := apply(delEvent, updEvent, changes); err != nil {
			return n, wrap("rewrite payloads", err)
		}
		if len(jobs) < rewritePage {
			break
		}
		after = jobs[len(jobs)-1].seq
	}
	for after := int64(0); ; {
		rows, err := s.pool.Query(ctx, s.q(`SELECT `+outboxColumns+` FROM wmsbridge_outbox o
			WHERE (o.shop = $1 OR o.shop = '' OR starts_with(o.shop, $2)) AND o.pos > $3 ORDER BY o.pos LIMIT $4`),
			shop, wmssync.ListenerPrefix, after, rewritePage)
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
		rows.Close()
		if err := rows.Err(); err != nil {
			return n, wrap("rewrite payloads", err)
		}
		var changes []rewrite
		for i := range msgs {
			out, changed, err := fn(wmssync.StoredPayload{Message: &msgs[i]})
			if err != nil {
				_ = apply(delMsg, updMsg, changes)
				return n, err
			}
			if changed {
				changes = append(changes, rewrite{msgs[i].Pos, out})
			}
		}
		if err := apply(delMsg, updMsg, changes); err != nil {
			return n, wrap("rewrite payloads", err)
		}
		if len(msgs) < rewritePage {
			break
		}
		after = msgs[len(msgs)-1].Pos
	}
	return n, nil
}
