package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgtype"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// SaveStep implements [wmssync.StepStore].
func (s *Store) SaveStep(ctx context.Context, st wmssync.StepState) error {
	if st.Shop == "" || st.Step == "" {
		return fmt.Errorf("postgres store: step state without shop or step")
	}
	_, err := s.pool.Exec(ctx, s.q(`INSERT INTO wmsbridge_steps
		(shop, step, status, checkpoint, done, total, error, note, started_at, updated_at, finished_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (shop, step) DO UPDATE SET
			status = EXCLUDED.status, checkpoint = EXCLUDED.checkpoint, done = EXCLUDED.done,
			total = EXCLUDED.total, error = EXCLUDED.error, note = EXCLUDED.note,
			started_at = EXCLUDED.started_at, updated_at = EXCLUDED.updated_at,
			finished_at = EXCLUDED.finished_at`),
		st.Shop, string(st.Step), string(st.Status), st.Checkpoint, st.Done, st.Total, st.Error, st.Note,
		ts(st.StartedAt), ts(st.UpdatedAt), ts(st.FinishedAt))
	return wrap("save step", err)
}

// Steps implements [wmssync.StepStore]; states come ordered by step name.
func (s *Store) Steps(ctx context.Context, shop string) ([]wmssync.StepState, error) {
	rows, err := s.pool.Query(ctx, s.q(`SELECT shop, step, status, checkpoint, done, total, error, note,
		started_at, updated_at, finished_at FROM wmsbridge_steps WHERE shop = $1 ORDER BY step COLLATE "C"`), shop)
	if err != nil {
		return nil, wrap("steps", err)
	}
	defer rows.Close()
	out := []wmssync.StepState{}
	for rows.Next() {
		var (
			st                 wmssync.StepState
			step, status       string
			started, upd, fini pgtype.Timestamptz
		)
		if err := rows.Scan(&st.Shop, &step, &status, &st.Checkpoint, &st.Done, &st.Total, &st.Error, &st.Note,
			&started, &upd, &fini); err != nil {
			return nil, wrap("steps", err)
		}
		st.Step, st.Status = wmssync.Step(step), wmssync.StepStatus(status)
		st.StartedAt, st.UpdatedAt, st.FinishedAt = fromTS(started), fromTS(upd), fromTS(fini)
		out = append(out, st)
	}
	return out, wrap("steps", rows.Err())
}
