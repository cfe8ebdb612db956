package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
)

// simEnv, when set in the environment of this test binary, makes it run the
// simulator described by the variable's JSON (simConfig) instead of tests:
// the end-to-end benchmarks measure the engine's process (CPU time, heap,
// RSS) without the simulated shop, whose catalogue and bulk result files
// can be larger than everything the engine holds.
const simEnv = "WMSBRIDGE_BENCH_SIMULATOR"

func TestMain(m *testing.M) {
	if cfg := os.Getenv(simEnv); cfg != "" {
		os.Exit(serveSimulator(cfg))
	}
	os.Exit(m.Run())
}

// simConfig is what the simulator process serves.
type simConfig struct {
	Products  int              `json:"products"`
	Variants  int              `json:"variants"`
	Orders    int              `json:"orders"`
	Plan      shopifytest.Plan `json:"plan"`
	TimeScale float64          `json:"timescale"`
}

// simInfo is what the simulator process reports on its first line.
type simInfo struct {
	ShopURL   string   `json:"shopURL"`
	Token     string   `json:"token"`
	Domain    string   `json:"domain"`
	Locations []string `json:"locations"` // location GIDs
	SeedTime  string   `json:"seedTime"`
}

// serveSimulator runs the simulator until its standard input closes.
func serveSimulator(raw string) int {
	var cfg simConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, "simulator config:", err)
		return 2
	}
	opts := []shopifytest.Option{shopifytest.WithShop("bench", shopifytest.WithPlan(cfg.Plan))}
	if cfg.TimeScale > 0 {
		opts = append(opts, shopifytest.WithTimeScale(cfg.TimeScale))
	}
	srv := shopifytest.NewServer(opts...)
	defer srv.Close()
	shop := srv.Shop("bench")
	start := time.Now()
	seed, err := shop.Seed(shopifytest.SeedOptions{Seed: 1, Products: cfg.Products, VariantsPerProduct: cfg.Variants, Orders: cfg.Orders})
	if err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		return 2
	}
	info := simInfo{ShopURL: srv.ShopURL("bench"), Token: shop.AccessToken(), Domain: shop.Domain(), SeedTime: time.Since(start).String()}
	for _, id := range seed.Locations {
		info.Locations = append(info.Locations, shopify.GID("Location", id))
	}
	if err := json.NewEncoder(os.Stdout).Encode(info); err != nil {
		return 2
	}
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes it (or dies)
	return 0
}

// simProcess is a running simulator process.
type simProcess struct {
	simInfo
	cmd   *exec.Cmd
	stdin io.Closer
}

// startSimulator starts the simulator in a child process and waits until
// its shop is seeded; it stops when tb ends.
func startSimulator(tb testing.TB, cfg simConfig) *simProcess {
	tb.Helper()
	raw, err := json.Marshal(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), simEnv+"="+string(raw))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	p := &simProcess{cmd: cmd, stdin: stdin}
	tb.Cleanup(p.stop)
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err != nil {
		tb.Fatalf("simulator process: %v", err)
	}
	if err := json.Unmarshal(line, &p.simInfo); err != nil {
		tb.Fatalf("simulator process said %q: %v", line, err)
	}
	return p
}

func (p *simProcess) stop() {
	_ = p.stdin.Close()
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}
