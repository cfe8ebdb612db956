package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// writeReq is one write operation queued for the group-commit writer.
type writeReq struct {
	ctx  context.Context
	fn   func(ctx context.Context, tx *sql.Tx) error
	done chan error // buffered: the writer never blocks answering
	// single: fn runs one statement and fails only when the database
	// does (disk full, I/O error); it runs without a savepoint of its own,
	// and its failure rolls back the whole batch (see writeSingle).
	single bool
}

// write runs fn in the writer's next transaction and returns once that
// transaction committed (nil: fn's writes are durable) or failed. All
// writes of the Store go through here: SQLite has one writer at a time, so
// instead of one transaction (and one disk flush) per write, the writer
// commits every write that queued while the previous transaction ran, each
// inside its own savepoint so a failing write does not undo the others.
//
// ctx matters until the writer picks the write up (a cancelled write is
// not run and returns ctx.Err()); from then on write waits for the commit,
// which a cancelled context cannot interrupt half-way.
func (s *Store) write(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	return s.enqueue(ctx, &writeReq{ctx: ctx, fn: fn})
}

// writeSingle is write for a fn that runs exactly one statement that can
// fail only when the database does (such as the inbox's INSERT ... ON
// CONFLICT DO NOTHING): it runs without the savepoint that isolates other
// writes (two statements fewer per write on the serial writer), and if it
// fails after all, the whole batch's transaction is
// rolled back and every write in it returns an error (the failing one its
// own, the others one wrapping errBatchAborted), so nothing half-done is
// committed.
func (s *Store) writeSingle(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	return s.enqueue(ctx, &writeReq{ctx: ctx, fn: fn, single: true})
}

func (s *Store) enqueue(ctx context.Context, req *writeReq) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	req.done = make(chan error, 1)
	select {
	case s.writes <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.closing:
		return ErrClosed
	}
	return <-req.done
}

// writeLoop is the group-commit writer: it takes one write, then every
// write already waiting (up to the batch size), and commits them in one
// transaction.
func (s *Store) writeLoop() {
	defer close(s.loopDone)
	batch := make([]*writeReq, 0, s.batch)
	for {
		batch = batch[:0]
		select {
		case req := <-s.writes:
			batch = append(batch, req)
		case <-s.closing:
			return
		}
	more:
		for len(batch) < s.batch {
			select {
			case req := <-s.writes:
				batch = append(batch, req)
			default:
				break more
			}
		}
		s.commit(batch)
		clear(batch) // keep no reference to the writes' data
	}
}

var errBatchAborted = errors.New("sqlite store: transaction aborted by an earlier write")

func (s *Store) commit(batch []*writeReq) {
	// Statements run on a context of their own: cancelling a statement
	// inside a transaction would make SQLite roll back the whole batch.
	ctx := context.Background()
	errs := make([]error, len(batch))
	live := 0
	for i, req := range batch {
		if err := req.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		live++
	}
	if live == 0 {
		for i, req := range batch {
			req.done <- errs[i]
		}
		return
	}
	txErr := func() error {
		tx, err := s.w.BeginTx(ctx, nil) // BEGIN IMMEDIATE
		if err != nil {
			return err
		}
		defer tx.Rollback()
		alone := live == 1
		aborted := false
		var savepoint, rollbackTo, release *sql.Stmt
		for i, req := range batch {
			if errs[i] != nil {
				continue
			}
			if aborted {
				errs[i] = errBatchAborted
				continue
			}
			if alone || req.single {
				// Alone in its transaction, a failing write rolls back
				// only itself; a single-statement write that fails takes
				// the batch with it (see writeSingle).
				if errs[i] = req.fn(ctx, tx); errs[i] != nil {
					return fmt.Errorf("%w: %w", errBatchAborted, errs[i])
				}
				continue
			}
			if savepoint == nil {
				savepoint, rollbackTo, release = tx.StmtContext(ctx, s.savepoint),
					tx.StmtContext(ctx, s.rollbackTo), tx.StmtContext(ctx, s.release)
			}
			// A failed statement may have rolled the whole transaction
			// back (SQLite does so for a full disk, an I/O error ...):
			// then ROLLBACK TO fails, and the rest of the batch must not
			// run outside a transaction.
			if _, err := savepoint.ExecContext(ctx); err != nil {
				return err
			}
			if errs[i] = req.fn(ctx, tx); errs[i] != nil {
				if _, err := rollbackTo.ExecContext(ctx); err != nil {
					aborted = true
					continue
				}
			}
			if _, err := release.ExecContext(ctx); err != nil {
				aborted = true
			}
		}
		if aborted {
			return errBatchAborted
		}
		return tx.Commit()
	}()
	for i, req := range batch {
		switch {
		case errs[i] != nil:
			req.done <- errs[i]
		case txErr != nil:
			req.done <- txErr
		default:
			req.done <- nil
		}
	}
}

// exec runs one statement through the writer and returns the number of
// rows it changed.
func (s *Store) exec(ctx context.Context, query string, args ...any) (int64, error) {
	st, err := s.stmt(ctx, s.w, query)
	if err != nil {
		return 0, err
	}
	var n int64
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.StmtContext(ctx, st).ExecContext(ctx, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
