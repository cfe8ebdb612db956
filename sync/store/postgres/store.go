package postgres

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/puddle/v2"

	"github.com/wmsbridge/wmsbridge/credential"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// Store is a [wmssync.Store] in a PostgreSQL database. Build it with [Open]
// (own connection pool) or [New] (the host's pool). It is safe for
// concurrent use, and several Stores in several processes may share one
// database and schema: inbox claims use FOR UPDATE SKIP LOCKED, entity
// versions compare-and-swap, watermarks only move forward, and leases
// ([Store.AcquireLease]) keep one process on each long task.
type Store struct {
	pool    *pgxpool.Pool
	ownPool bool
	schema  string
	repl    *strings.Replacer
	clock   func() time.Time // nil: the database's clock
	ingest  ingest
	sealer  credential.Sealer // seals stored credentials (credentials.go)
}

var (
	_ wmssync.Store  = (*Store)(nil)
	_ wmssync.Leaser = (*Store)(nil)
)

// Option configures [Open] and [New].
type Option func(*options)

type options struct {
	schema    string
	clock     func() time.Time
	noMigrate bool
	batch     int
	flushers  int
	sealer    credential.Sealer
}

// WithIngest sets the group commit of webhook Puts: at most maxBatch
// events per insert and at most inFlight inserts at a time (defaults 256
// and 4; WithIngest(1, n) inserts each event alone, n at a time).
func WithIngest(maxBatch, inFlight int) Option {
	return func(o *options) { o.batch, o.flushers = max(1, maxBatch), max(1, inFlight) }
}

// WithSchema puts the store's tables in the named schema, created if
// missing (default: the first schema of the connection's search_path,
// usually public). Use one schema per environment or test run.
func WithSchema(name string) Option { return func(o *options) { o.schema = name } }

// WithClock makes the store use now instead of the database's clock for
// due times, leases and finish times, for tests. With several processes
// the database's clock (the default) is the one clock they all agree on.
func WithClock(now func() time.Time) Option { return func(o *options) { o.clock = now } }

// WithoutMigrate skips applying the embedded migrations, for hosts that
// apply [Migrations] with their own tool. The store then assumes the schema
// is current.
func WithoutMigrate() Option { return func(o *options) { o.noMigrate = true } }

var schemaPattern = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// Open connects to the database at dsn (a postgres:// URL or a key=value
// string, as pgx accepts), applies the pending migrations and returns the
// Store, which owns the pool: Close closes it. Pool size and timeouts are
// set in the DSN (pool_max_conns=...; default max(4, number of CPUs)).
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors may quote the DSN, password included.
		return nil, errors.New("postgres store: cannot parse the DSN")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, wrap("connect", err)
	}
	s, err := New(ctx, pool, opts...)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.ownPool = true
	return s, nil
}

// New returns a Store on the host's pool, applying the pending migrations
// unless [WithoutMigrate] is given. Close does not close the pool.
func New(ctx context.Context, pool *pgxpool.Pool, opts ...Option) (*Store, error) {
	o := options{batch: 256, flushers: 4}
	for _, f := range opts {
		f(&o)
	}
	if o.schema != "" && !schemaPattern.MatchString(o.schema) {
		return nil, fmt.Errorf("postgres store: schema %q: want lower-case letters, digits and '_'", o.schema)
	}
	s := &Store{pool: pool, schema: o.schema, clock: o.clock, sealer: o.sealer,
		ingest: ingest{maxBatch: o.batch, maxFlushers: o.flushers}}
	prefix := ""
	if o.schema != "" {
		prefix = pgx.Identifier{o.schema}.Sanitize() + "."
	}
	s.repl = strings.NewReplacer("wmsbridge_", prefix+"wmsbridge_")
	if !o.noMigrate {
		if err := s.migrate(ctx); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Close closes the pool if Open created it.
func (s *Store) Close() {
	if s.ownPool {
		s.pool.Close()
	}
}

// Pool returns the connection pool the store uses.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Schema returns the schema given to [WithSchema] ("" for the search_path's
// default).
func (s *Store) Schema() string { return s.schema }

// q qualifies the wmsbridge_ tables of query with the store's schema.
func (s *Store) q(query string) string { return s.repl.Replace(query) }

// now returns the injected clock's time, or nil to let the database use
// statement_timestamp().
func (s *Store) now() any {
	if s.clock == nil {
		return nil
	}
	return s.clock()
}

// nowSQL is the SQL for the current time; $1 of the statement must be
// s.now().
const nowSQL = `COALESCE($1::timestamptz, statement_timestamp())`

// ts converts t to a parameter: NULL for the zero time.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// fromTS is the inverse of ts; times come back in UTC.
func fromTS(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, puddle.ErrClosedPool) && !errors.Is(err, wmssync.ErrStoreClosed) {
		// The pool was closed (by Close, or by the host that owns it).
		return fmt.Errorf("postgres store: %s: %w: %w", op, wmssync.ErrStoreClosed, err)
	}
	return fmt.Errorf("postgres store: %s: %w", op, err)
}
