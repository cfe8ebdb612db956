package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"github.com/wmsbridge/wmsbridge/credential"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// pageSize is the page size of new database files: 16 KiB rather than
// SQLite's 4 KiB, so that a typical order webhook (10-16 KB of JSON) fits
// in one page instead of a page and a chain of overflow pages: a third of
// the writes to the WAL and the database file per event, fewer when
// bodies are larger.
const pageSize = 16384

// ErrClosed is returned by the methods of a closed Store. It matches
// [wmssync.ErrStoreClosed] with errors.Is.
var ErrClosed = fmt.Errorf("sqlite store: %w", wmssync.ErrStoreClosed)

// Store is a [wmssync.Store] in one SQLite database file. Build it with
// [Open]; it is safe for concurrent use by any number of goroutines.
//
// All writes go through one connection (SQLite has one writer at a time
// anyway), and writes arriving concurrently, such as the webhook Puts of
// concurrent deliveries, are committed together in one transaction (group
// commit: one disk flush for many writes). Reads use a small pool of
// read-only connections and never wait for writes (WAL mode).
type Store struct {
	w      *sql.DB // one connection: every write
	r      *sql.DB // read-only pool
	now    func() time.Time
	batch  int
	sealer credential.Sealer // seals stored credentials (credentials.go)

	writes      chan *writeReq
	insertEvent *sql.Stmt
	savepoint   *sql.Stmt // the writer's SAVEPOINT, ROLLBACK TO and RELEASE
	rollbackTo  *sql.Stmt
	release     *sql.Stmt
	closing     chan struct{}
	loopDone    chan struct{}
	closeOnce   gosync.Once
	closeErr    error

	stmtMu gosync.Mutex
	stmts  map[stmtKey]*sql.Stmt // cached statements (stmts.go)
}

var (
	_ wmssync.Store  = (*Store)(nil)
	_ wmssync.Leaser = (*Store)(nil)
)

// Option configures [Open].
type Option func(*options)

type options struct {
	now         func() time.Time
	busyTimeout time.Duration
	sync        string
	readers     int
	batch       int
	sealer      credential.Sealer
}

// WithClock sets the clock used for inbox due times, leases and finish
// times (default time.Now), for tests.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithBusyTimeout sets how long a statement waits for a lock held by
// another process on the same file before it fails (default 10s).
func WithBusyTimeout(d time.Duration) Option { return func(o *options) { o.busyTimeout = d } }

// WithSynchronousNormal trades durability on power loss for speed: SQLite's
// synchronous=NORMAL instead of the default FULL. A process crash still
// loses nothing; an operating system crash or power cut may lose the last
// transactions that returned success. Leave it off unless the disk's flush
// is the bottleneck and the host accepts that (webhooks lost this way are
// healed by the engine's reconciliation sweep, outbox messages are not).
func WithSynchronousNormal() Option { return func(o *options) { o.sync = "NORMAL" } }

// WithReaders sets the number of read-only connections (default 4).
func WithReaders(n int) Option { return func(o *options) { o.readers = n } }

// WithMaxBatch sets how many concurrent writes one transaction may commit
// together (default 512; 1 disables group commit).
func WithMaxBatch(n int) Option { return func(o *options) { o.batch = n } }

// Open opens (creating if needed) the SQLite database at path, applies the
// pending migrations and returns the Store. path is a file name; the
// database also uses path+"-wal" and path+"-shm" next to it. In-memory
// databases are not supported: use package memstore for that.
//
// Several Stores (in one process or several) may open the same file; they
// serialise their writes through SQLite's file lock, waiting up to the busy
// timeout. One Store per process is the intended use. Close the Store when
// done.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := options{now: time.Now, busyTimeout: 10 * time.Second, sync: "FULL", readers: 4, batch: 512}
	for _, f := range opts {
		f(&o)
	}
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") || strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("sqlite store: path %q: want a plain file name (no URI, no '?', not :memory:)", path)
	}
	if o.readers < 1 {
		o.readers = 1
	}
	if o.batch < 1 {
		o.batch = 1
	}
	busy := strconv.FormatInt(o.busyTimeout.Milliseconds(), 10)
	wq := url.Values{}
	wq.Set("_busy_timeout", busy)
	wq.Set("_journal_mode", "WAL")
	wq.Set("_synchronous", o.sync)
	wq.Set("_txlock", "immediate")
	// The page size applies when the file is created (before WAL mode
	// fixes it); an existing file keeps its own.
	wq.Add("_pragma", "page_size("+strconv.Itoa(pageSize)+")")
	// Savepoint journals (one per write of a batch) stay in memory.
	wq.Add("_pragma", "temp_store(MEMORY)")
	w, err := sql.Open("sqlite", path+"?"+wq.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite store: open: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := migrate(ctx, w, o.busyTimeout); err != nil {
		w.Close()
		return nil, err
	}
	rq := url.Values{}
	rq.Set("_busy_timeout", busy)
	rq.Set("_query_only", "1")
	r, err := sql.Open("sqlite", path+"?"+rq.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite store: open: %w", err)
	}
	r.SetMaxOpenConns(o.readers)
	r.SetMaxIdleConns(o.readers)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlite store: open: %w", err)
	}
	s := &Store{
		w: w, r: r, now: o.now, batch: o.batch, sealer: o.sealer,
		writes:   make(chan *writeReq),
		closing:  make(chan struct{}),
		loopDone: make(chan struct{}),
	}
	if err := s.prepare(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlite store: open: %w", err)
	}
	go s.writeLoop()
	return s, nil
}

// Close stops the group-commit writer (writes in flight finish first) and
// closes the database. Calls after the first return the first's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.closing)
		<-s.loopDone
		s.closeErr = errors.Join(s.closeStmts(), s.insertEvent.Close(), s.savepoint.Close(), s.rollbackTo.Close(), s.release.Close(),
			s.r.Close(), s.w.Close())
	})
	return s.closeErr
}

// prepare prepares the writer's frequent statements on the write
// connection.
func (s *Store) prepare(ctx context.Context) error {
	for _, p := range []struct {
		stmt **sql.Stmt
		q    string
	}{
		{&s.insertEvent, insertEvent},
		{&s.savepoint, `SAVEPOINT w`},
		{&s.rollbackTo, `ROLLBACK TO w`},
		{&s.release, `RELEASE w`},
	} {
		st, err := s.w.PrepareContext(ctx, p.q)
		if err != nil {
			return err
		}
		*p.stmt = st
	}
	return nil
}

// DB returns the write connection pool (one connection), for inspection
// and host queries in tests. Do not hold a transaction on it for long: it
// blocks every write of the Store.
func (s *Store) DB() *sql.DB { return s.w }

// checkOpen returns ErrClosed once Close has started.
func (s *Store) checkOpen() error {
	select {
	case <-s.closing:
		return ErrClosed
	default:
		return nil
	}
}

// micro converts t to the stored form: microseconds since the epoch, NULL
// for the zero time.
func micro(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

// fromMicro is the inverse of micro; times come back in UTC.
func fromMicro(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMicro(n.Int64).UTC()
}

// wrap prefixes err with the operation, keeping context errors matchable.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqlite store: %s: %w", op, err)
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
