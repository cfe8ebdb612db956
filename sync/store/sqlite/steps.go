package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// SaveStep implements [wmssync.StepStore].
func (s *Store) SaveStep(ctx context.Context, st wmssync.StepState) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	if st.Shop == "" || st.Step == "" {
		return fmt.Errorf("sqlite store: step state without shop or step")
	}
	_, err := s.exec(ctx, `INSERT INTO wmsbridge_steps
		(shop, step, status, checkpoint, done, total, error, note, started_at, updated_at, finished_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (shop, step) DO UPDATE SET
			status = excluded.status, checkpoint = excluded.checkpoint, done = excluded.done,
			total = excluded.total, error = excluded.error, note = excluded.note,
			started_at = excluded.started_at, updated_at = excluded.updated_at,
			finished_at = excluded.finished_at`,
		st.Shop, string(st.Step), string(st.Status), st.Checkpoint, st.Done, st.Total, st.Error, st.Note,
		micro(st.StartedAt), micro(st.UpdatedAt), micro(st.FinishedAt))
	return wrap("save step", err)
}

// Steps implements [wmssync.StepStore]; states come ordered by step name.
func (s *Store) Steps(ctx context.Context, shop string) ([]wmssync.StepState, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT shop, step, status, checkpoint, done, total, error, note,
		started_at, updated_at, finished_at FROM wmsbridge_steps WHERE shop = ? ORDER BY step`, shop)
	if err != nil {
		return nil, wrap("steps", err)
	}
	defer rows.Close()
	out := []wmssync.StepState{}
	for rows.Next() {
		var (
			st                 wmssync.StepState
			step, status       string
			started, upd, fini sql.NullInt64
		)
		if err := rows.Scan(&st.Shop, &step, &status, &st.Checkpoint, &st.Done, &st.Total, &st.Error, &st.Note,
			&started, &upd, &fini); err != nil {
			return nil, wrap("steps", err)
		}
		st.Step, st.Status = wmssync.Step(step), wmssync.StepStatus(status)
		st.StartedAt, st.UpdatedAt, st.FinishedAt = fromMicro(started), fromMicro(upd), fromMicro(fini)
		out = append(out, st)
	}
	return out, wrap("steps", rows.Err())
}
