package chaos

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// Environment variables that scale or replay the chaos test.
const (
	envSeed  = "WMSBRIDGE_CHAOS_SEED"  // run exactly this seed
	envSeeds = "WMSBRIDGE_CHAOS_SEEDS" // number of random seeds (default 5)
	envSize  = "WMSBRIDGE_CHAOS_SIZE"  // small (default) or large
	// envOversell=1 lets the shops sell beyond their available stock
	// (Shopify's "continue selling when out of stock"); by default they
	// do not, as in Shopify's default inventory policy.
	envOversell = "WMSBRIDGE_CHAOS_OVERSELL"
	// envStore picks the durable store the engine restarts on: sqlite
	// (default, a file) or postgres (a private schema on the server
	// WMSBRIDGE_POSTGRES_DSN names).
	envStore = "WMSBRIDGE_CHAOS_STORE"
)

// TestChaos runs the convergence scenario over random seeds: two shops
// sharing stock are imported and take orders (web and POS) while the
// simulated Shopify injects HTTP and webhook faults and the engine process
// is restarted at random points on its durable store (SQLite, or
// PostgreSQL with WMSBRIDGE_CHAOS_STORE=postgres); the warehouse packs,
// refunds, receives held goods and changes barcodes meanwhile. With the
// faults off and the engine quiet, both sides must agree (see the check
// functions). A failing seed is printed with the command to replay it.
func TestChaos(t *testing.T) {
	sizeName := os.Getenv(envSize)
	if sizeName == "" {
		sizeName = "small"
	}
	sz, ok := sizes[sizeName]
	if !ok {
		t.Fatalf("%s=%q: want small or large", envSize, sizeName)
	}
	var seeds []uint64
	if v := os.Getenv(envSeed); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", envSeed, v, err)
		}
		seeds = []uint64{seed}
	} else {
		n := 5
		if v := os.Getenv(envSeeds); v != "" {
			var err error
			if n, err = strconv.Atoi(v); err != nil || n < 1 {
				t.Fatalf("%s=%q: want a positive number", envSeeds, v)
			}
		}
		base := uint64(time.Now().UnixNano())
		for i := range n {
			seeds = append(seeds, (base+uint64(i)*0x9e3779b97f4a7c15)%1_000_000_000_000)
		}
	}
	oversell := os.Getenv(envOversell) == "1"
	storeKind := os.Getenv(envStore)
	if storeKind == "" {
		storeKind = storeSQLite
	}
	if storeKind != storeSQLite && storeKind != storePostgres {
		t.Fatalf("%s=%q: want %s or %s", envStore, storeKind, storeSQLite, storePostgres)
	}
	started := time.Now()
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			defer func() {
				if t.Failed() {
					env := ""
					if oversell {
						env = " " + envOversell + "=1"
					}
					if storeKind != storeSQLite {
						env += " " + envStore + "=" + storeKind
					}
					t.Logf("replay: %s=%d %s=%s%s go test -race -run 'TestChaos' ./internal/chaos", envSeed, seed, envSize, sz.name, env)
				}
			}()
			runSeed(t, seed, sz, oversell, storeKind)
		})
	}
	t.Logf("%d seeds, size %s, store %s, in %s", len(seeds), sz.name, storeKind, time.Since(started).Round(time.Millisecond))
}

func runSeed(t *testing.T, seed uint64, sz size, oversell bool, storeKind string) {
	t.Logf("seed %d, size %s, store %s", seed, sz.name, storeKind)
	started := time.Now()
	ctx := context.Background()
	w := newWorld(t, seed, sz, oversell, storeKind)
	s := newScenario(w)
	defer func() {
		if t.Failed() {
			t.Logf("engine log (warnings, last lines):\n%s", w.logTail(40))
		}
	}()

	s.catalogue()
	faultsOff := s.faults()
	stopRestarts := s.restarter()
	phase := func(name string) {
		t.Logf("%6s %s (%d restarts so far)", time.Since(started).Round(100*time.Millisecond), name, w.restarts.Load())
	}
	s.settings()
	phase("setup")
	s.setup() // product import and the other steps, under faults and restarts
	phase("traffic")
	s.traffic() // orders, POS sales, packing, refunds, receipts, barcodes
	stopRestarts()
	faultsOff()

	phase("quiesce")
	s.quiesce(ctx)
	s.checkHolds(false)
	s.receiveHeld(ctx, true) // the goods for every remaining hold arrive
	phase("quiesce after the last receipts")
	s.quiesce(ctx)
	phase("check")

	s.checkInbound(ctx)
	s.checkHolds(true)
	s.checkInbox(ctx)
	s.checkWoo(ctx)
	if w.outbox {
		s.checkOutbound(ctx)
	} else {
		t.Log("the store has no outbox: outbound half not checked")
	}
	if n := w.publishErrs.Load(); n > 0 {
		t.Errorf("%d warehouse events could not be published", n)
	}
	t.Logf("%s; %s", s.summary(), time.Since(started).Round(time.Millisecond))
}
