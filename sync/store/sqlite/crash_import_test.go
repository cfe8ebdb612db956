package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// importChildEnv holds "storePath|wmsPath" when the test binary runs as
// the child process of TestCrashDuringImport.
const importChildEnv = "WMSBRIDGE_SQLITE_IMPORT_CHILD"

const (
	importProducts = 2000
	importPage     = 50
	importShop     = "CrashDK"
)

// pagedShop serves importProducts products, importPage per page, with a
// self-contained offset cursor, a little slowly so a kill lands mid-import.
type pagedShop struct{}

func (pagedShop) Inspect(ctx context.Context, f wmssync.Features) (wmssync.ShopInfo, error) {
	return wmssync.ShopInfo{Name: "Crash", Domain: "crash-dk.myshopify.com", APIVersion: "2026-10", APIVersionOK: true}, nil
}

func (pagedShop) Products(ctx context.Context, q wmssync.ProductQuery, cursor string) (wmssync.Page[wmssync.Product], error) {
	start := 0
	if cursor != "" {
		if _, err := fmt.Sscan(cursor, &start); err != nil {
			return wmssync.Page[wmssync.Product]{}, wmssync.ErrCursorExpired
		}
	}
	time.Sleep(5 * time.Millisecond)
	end := min(start+importPage, importProducts)
	pg := wmssync.Page[wmssync.Product]{Total: importProducts}
	for i := start; i < end; i++ {
		pg.Items = append(pg.Items, wmssync.Product{Product: wms.Product{
			ExternalID: fmt.Sprint(1000 + i), Title: fmt.Sprintf("Product %d", i),
			Variants: []wms.Variant{{SKU: fmt.Sprintf("SKU-%05d", i), ExternalID: fmt.Sprint(5000 + i), Price: "10.00"}},
		}})
	}
	if end < importProducts {
		pg.Next = fmt.Sprint(end)
	}
	return pg, nil
}

func (pagedShop) Orders(ctx context.Context, q wmssync.OrderQuery, cursor string) (wmssync.Page[wmssync.Order], error) {
	return wmssync.Page[wmssync.Order]{}, nil
}

func (pagedShop) Decode(ctx context.Context, e *webhook.Event) (wmssync.Change, error) {
	return wmssync.Change{}, nil
}

// diskWMS is a warehouse backend that keeps products in an SQLite file of
// its own, so they survive the kill, counting how often each product was
// written.
type diskWMS struct{ db *sql.DB }

func openDiskWMS(path string) (*diskWMS, error) {
	db, err := sql.Open("sqlite", path+"?_busy_timeout=10000&_journal_mode=WAL&_synchronous=FULL")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	_, err = db.Exec(`CREATE TABLE IF NOT EXISTS products (
		shop TEXT NOT NULL, external_id TEXT NOT NULL, data TEXT NOT NULL, writes INTEGER NOT NULL,
		PRIMARY KEY (shop, external_id))`)
	return &diskWMS{db: db}, err
}

func (w *diskWMS) Warehouses(ctx context.Context) ([]wms.Warehouse, error) {
	return []wms.Warehouse{{ID: "cph", Name: "Copenhagen"}}, nil
}

func (w *diskWMS) UpsertProducts(ctx context.Context, products []wms.Product) error {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, p := range products {
		data, _ := json.Marshal(p)
		if _, err := tx.ExecContext(ctx, `INSERT INTO products (shop, external_id, data, writes) VALUES (?, ?, ?, 1)
			ON CONFLICT DO UPDATE SET data = excluded.data, writes = writes + 1`, p.Shop, p.ExternalID, string(data)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (w *diskWMS) Item(ctx context.Context, sku string) (wms.Item, error) {
	return wms.Item{}, wms.ErrNotFound
}

func (w *diskWMS) UpsertOrder(ctx context.Context, o wms.Order) error { return nil }

func (w *diskWMS) Order(ctx context.Context, k wms.OrderKey) (wms.Order, error) {
	return wms.Order{}, wms.ErrNotFound
}

// importChild runs the product step of one shop on the store at
// storePath, printing "page DONE" after each page and "done" at the end.
func importChild(storePath, wmsPath string) error {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, storePath)
	if err != nil {
		return err
	}
	defer store.Close()
	backend, err := openDiskWMS(wmsPath)
	if err != nil {
		return err
	}
	defer backend.db.Close()
	engine, err := wmssync.NewEngine(wmssync.Config{
		Backend:   backend,
		Store:     store,
		BatchSize: importPage,
		// One process per store: a fixed owner resumes its own step at once
		// after a kill instead of waiting for the dead process's lease.
		Owner:   "crash-import",
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) { return pagedShop{}, nil },
	})
	if err != nil {
		return err
	}
	if _, err := store.Settings(ctx, importShop); err != nil {
		if _, err := engine.SaveSettings(ctx, wmssync.Settings{Shop: importShop, AdminURL: "crash-dk.myshopify.com"}); err != nil {
			return err
		}
	}
	err = engine.RunStep(ctx, importShop, wmssync.StepProducts, func(p wmssync.Progress) {
		fmt.Fprintf(os.Stdout, "page %d\n", p.Done)
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stdout, "done")
	return nil
}

// TestCrashDuringImport runs the engine's product import in a child
// process on an SQLite store, SIGKILLs it at random points three times and
// restarts it on the same files: the import resumes from its checkpoint
// (it does not start over) and ends with exactly one WMS product per shop
// product.
func TestCrashDuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary several times")
	}
	dir := t.TempDir()
	storePath, wmsPath := filepath.Join(dir, "store.db"), filepath.Join(dir, "wms.db")
	kills := 0
	for round := 0; ; round++ {
		require.Less(t, round, 20, "the import never finished")
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), importChildEnv+"="+storePath+"|"+wmsPath)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		watchdog := time.AfterFunc(3*time.Minute, func() { _ = cmd.Process.Kill() })
		// Kill after a random number of pages, a random moment into the
		// next one.
		killAt := 0
		if round < 3 {
			killAt = 3 + rand.IntN(10)
		}
		var once gosync.Once
		pages, done := 0, false
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			switch {
			case strings.HasPrefix(sc.Text(), "page "):
				pages++
				if killAt > 0 && pages >= killAt {
					once.Do(func() {
						d := time.Duration(rand.IntN(30)) * time.Millisecond
						time.AfterFunc(d, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
					})
				}
			case sc.Text() == "done":
				done = true
			}
		}
		err = cmd.Wait()
		watchdog.Stop()
		if done {
			require.NoError(t, err, stderr.String())
			t.Logf("round %d: finished after %d progress events", round, pages)
			break
		}
		require.Error(t, err, "child: %s", stderr.String())
		kills++
		t.Logf("round %d: killed after %d progress events", round, pages)
	}
	require.GreaterOrEqual(t, kills, 1)

	backend, err := openDiskWMS(wmsPath)
	require.NoError(t, err)
	defer backend.db.Close()
	var products, writes, maxWrites int
	require.NoError(t, backend.db.QueryRow(`SELECT count(*), sum(writes), max(writes) FROM products WHERE shop = ?`, importShop).
		Scan(&products, &writes, &maxWrites))
	t.Logf("%d kills: %d WMS products, %d product writes (at most %d per product)", kills, products, writes, maxWrites)
	require.Equal(t, importProducts, products, "exactly one WMS product per shop product")
	// Each kill may redo the page in flight (idempotently): the import
	// resumed from its checkpoint instead of starting over.
	require.LessOrEqual(t, writes, importProducts+kills*importPage, "the import started over instead of resuming")
	require.LessOrEqual(t, maxWrites, 1+kills)

	s := openStore(t, storePath)
	steps, err := s.Steps(ctx, importShop)
	require.NoError(t, err)
	require.Len(t, steps, 1)
	require.Equal(t, wmssync.StepDone, steps[0].Status)
	require.EqualValues(t, importProducts, steps[0].Done)
}
