package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	"github.com/wmsbridge/wmsbridge/sync/store/postgres"
	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// ingestClients is how many deliveries are in flight at once: Shopify
// sends a busy shop's webhooks over many connections.
const ingestClients = 32

// BenchmarkWebhookIngest measures webhook ingest through the whole receive
// path: signed HTTP POSTs of Shopify's orders/create sample (16 KB as the
// sample file has it, indented; 10.7 KB compacted) from 32 concurrent
// clients, one POST per delivery on keep-alive connections, to a
// webhook.Handler on a loopback server,
// which verifies each signature and stores the event in the durable inbox
// (webhook.Inbox.Put, group-committed by both stores) before answering 200.
// Every delivery has its own webhook id, so each one is stored.
//
// The "memory" case runs the same path into webhook.MemoryInbox, which
// shows what HTTP and verification alone cost on the machine.
//
// Reported metrics: deliveries/s, and p50_ms and p99_ms, the
// acknowledgement latency (request sent to 200 received) under that steady
// closed-loop load, and cpu_us/delivery, the CPU time of the whole process
// (clients, server, SQLite and garbage collection; not a PostgreSQL
// server's) per delivery, which varies less than the rate on a shared
// machine. Goal: ≥ 5,000 deliveries/s on SQLite.
//
// The PostgreSQL case runs when WMSBRIDGE_POSTGRES_DSN is set, in a schema
// of its own that it drops afterwards.
//
//	go test -run '^$' -bench BenchmarkWebhookIngest -benchtime 20000x ./internal/bench
func BenchmarkWebhookIngest(b *testing.B) {
	meta, err := os.ReadFile("../../shopify/testdata/webhooks/2026-07/orders/create.meta.json")
	if err != nil {
		b.Fatal(err)
	}
	var sample struct {
		Response json.RawMessage `json:"response"`
	}
	if err := json.Unmarshal(meta, &sample); err != nil || len(sample.Response) == 0 {
		b.Fatalf("the orders/create sample has no response: %v", err)
	}
	body := []byte(sample.Response)
	// The same path into the in-memory inbox: the HTTP and verification cost
	// alone, to set the durable stores' numbers against.
	b.Run("memory", func(b *testing.B) { benchIngest(b, webhook.NewMemoryInbox(), body) })
	b.Run("sqlite", func(b *testing.B) {
		s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "ingest.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		benchIngest(b, s, body)
	})
	// The Node baseline: Shopify's official library verifies, node-postgres
	// stores (internal/bench/node), in the same run, driven by the same
	// clients.
	b.Run("node-postgres", func(b *testing.B) {
		dsn := os.Getenv("WMSBRIDGE_POSTGRES_DSN")
		if dsn == "" {
			b.Skip("set WMSBRIDGE_POSTGRES_DSN to run")
		}
		url := startNodeIngest(b, dsn)
		driveIngest(b, url, body)
	})
	b.Run("postgres", func(b *testing.B) {
		dsn := os.Getenv("WMSBRIDGE_POSTGRES_DSN")
		if dsn == "" {
			b.Skip("set WMSBRIDGE_POSTGRES_DSN (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run")
		}
		schema := fmt.Sprintf("wmsbridge_bench_%d", time.Now().UnixNano())
		s, err := postgres.Open(context.Background(), dsn, postgres.WithSchema(schema))
		if err != nil {
			b.Fatal(err)
		}
		defer func() {
			_, _ = s.Pool().Exec(context.Background(), `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
			s.Close()
		}()
		benchIngest(b, s, body)
	})
}

// ingestSecret signs the benchmark's deliveries.
const ingestSecret = "bench-secret"

func benchIngest(b *testing.B, inbox webhook.Inbox, body []byte) {
	src, err := shopifywebhook.NewSource(ingestSecret)
	if err != nil {
		b.Fatal(err)
	}
	h, err := webhook.NewHandler(inbox, webhook.WithSource(src))
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	driveIngest(b, srv.URL, body)
}

// driveIngest posts b.N signed deliveries of body to url from
// ingestClients clients and reports the rate, latencies and CPU.
func driveIngest(b *testing.B, url string, body []byte) {
	const secret = ingestSecret
	client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	tr := client.Transport.(*http.Transport)
	tr.MaxIdleConnsPerHost = ingestClients
	// Room for a whole request (headers and body) in the connection's
	// write buffer: one write per POST, and no copy buffer allocated per
	// request by net/http for bodies over its default 4 KiB.
	tr.WriteBufferSize = 64 << 10

	// Sign every delivery before the clock starts.
	headers := make([]http.Header, b.N)
	for i := range b.N {
		headers[i] = shopifywebhook.SignedHeader(shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: body,
			WebhookID: fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), i)}, secret)
	}
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var failed atomic.Int64
	var wg gosync.WaitGroup
	b.ResetTimer()
	cpu0 := processCPU()
	start := time.Now()
	for range ingestClients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
				req.Header = headers[i] // the client only reads it
				t0 := time.Now()
				resp, err := client.Do(req)
				lat[i] = time.Since(t0)
				if err != nil || resp.StatusCode != http.StatusOK {
					failed.Add(1)
				}
				if resp != nil {
					_ = resp.Body.Close()
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d deliveries were not acknowledged with 200", n, b.N)
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / float64(time.Millisecond) }
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
	b.ReportMetric(float64(cpu)/float64(time.Microsecond)/float64(b.N), "cpu_us/delivery")
	b.ReportMetric(0, "ns/op")
}

// startNodeIngest starts the Node baseline server (node/server.js) on a
// schema of its own, dropped afterwards, and returns its URL. It skips
// when node or the server's packages are missing.
func startNodeIngest(b *testing.B, dsn string) string {
	b.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		b.Skip("node is not installed")
	}
	if _, err := os.Stat("node/node_modules/@shopify/shopify-api"); err != nil {
		b.Skip("run npm ci in internal/bench/node first")
	}
	schema := fmt.Sprintf("wmsbridge_bench_node_%d", time.Now().UnixNano())
	cmd := exec.Command("node", "server.js", "0", dsn, schema, ingestSecret)
	cmd.Dir = "node"
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if conn, err := pgx.Connect(context.Background(), dsn); err == nil {
			_, _ = conn.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
			_ = conn.Close(context.Background())
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	port, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		b.Fatalf("the node server said %q: %v", line, err)
	}
	return "http://127.0.0.1:" + port + "/webhooks"
}
