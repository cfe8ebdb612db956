package sqlite

import (
	"context"
	"database/sql"
	"errors"
)

// stmtKey names a statement prepared on one of the Store's databases.
type stmtKey struct {
	db *sql.DB
	q  string
}

// stmt returns q prepared on db, preparing it on first use and keeping it
// until Close: SQLite spends a good part of a small statement's time
// parsing it, and the engine runs the same few statements for every
// webhook (version, steps, settings reads; version and inbox writes).
// For the writer's database, call it outside a write's transaction (the
// writer has one connection, which the transaction holds).
func (s *Store) stmt(ctx context.Context, db *sql.DB, q string) (*sql.Stmt, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err // ErrClosed, as the writer would answer
	}
	k := stmtKey{db, q}
	s.stmtMu.Lock()
	st := s.stmts[k]
	s.stmtMu.Unlock()
	if st != nil {
		return st, nil
	}
	st, err := db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if old := s.stmts[k]; old != nil {
		return old, errors.Join(st.Close()) // another caller prepared it meanwhile
	}
	if s.stmts == nil {
		s.stmts = map[stmtKey]*sql.Stmt{}
	}
	s.stmts[k] = st
	return st, nil
}

// queryRow runs a read of one row with a cached statement.
func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := s.stmt(ctx, s.r, q)
	if err != nil {
		// Let the pool report the same error through a Row.
		return s.r.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// query runs a read with a cached statement.
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := s.stmt(ctx, s.r, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// closeStmts closes the cached statements.
func (s *Store) closeStmts() error {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	var errs []error
	for _, st := range s.stmts {
		errs = append(errs, st.Close())
	}
	s.stmts = nil
	return errors.Join(errs...)
}
