// Command webhookreceiver is a standalone Shopify webhook receiver built on
// package webhook alone, without the sync engine: it verifies each
// delivery's HMAC signature, stores it in a durable SQLite inbox before
// answering 200 (so nothing acknowledged is lost), and dispatches the
// stored events to typed handlers that print orders and products.
//
//	SHOPIFY_WEBHOOK_SECRET=... go run ./examples/webhookreceiver -addr :8080
//
// Point the shop's webhook subscriptions at https://your-host/webhooks/shopify
// (a tunnel or proxy terminating TLS in front of -addr). The secret is the
// app's client secret (Dev Dashboard apps) or the webhook signing secret
// shown in the admin (legacy custom apps).
//
// With -selftest it sends itself two signed sample deliveries and one with a
// wrong signature, prints what happened and exits: a way to see it work
// without a shop.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
	"github.com/wmsbridge/wmsbridge/webhook"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	db := flag.String("db", filepath.Join(os.TempDir(), "wmsbridge-webhooks.db"), "SQLite inbox file")
	selftest := flag.Bool("selftest", false, "send signed sample deliveries to itself and exit")
	flag.Parse()
	secret := os.Getenv("SHOPIFY_WEBHOOK_SECRET")
	if *selftest {
		dir, err := os.MkdirTemp("", "webhookreceiver")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
		*db = filepath.Join(dir, "inbox.db") // a fresh inbox
		if secret == "" {
			secret = "selftest-secret"
		}
	}
	if secret == "" {
		log.Fatal("set SHOPIFY_WEBHOOK_SECRET (the app's client secret)")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *addr, *db, secret, *selftest, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, addr, db, secret string, selftest bool, out io.Writer) error {
	// The sync engine's SQLite store is also a webhook.Store (inbox and
	// queue); webhook.NewMemoryInbox would do for a test.
	inbox, err := sqlite.Open(ctx, db)
	if err != nil {
		return err
	}
	defer inbox.Close()
	src, err := shopifywebhook.NewSource(secret)
	if err != nil {
		return err
	}
	handler, err := webhook.NewHandler(inbox, webhook.WithSource(src))
	if err != nil {
		return err
	}

	router := webhook.NewRouter()
	webhook.On(router, shopifywebhook.TopicOrdersCreate, func(ctx context.Context, e *webhook.Event, o *shopify.OrderPayload) error {
		fmt.Fprintf(out, "%s: order %s (id %d) from %s, %d lines, %s %s\n", e.Shop, o.Name, o.ID, o.Email, len(o.LineItems), o.TotalPrice, o.Currency)
		return nil // an error would retry the event later (Dispatcher.Backoff)
	})
	webhook.On(router, shopifywebhook.TopicProductsUpdate, func(ctx context.Context, e *webhook.Event, p *shopify.ProductPayload) error {
		fmt.Fprintf(out, "%s: product %q (id %d) updated, %d variants\n", e.Shop, p.Title, p.ID, len(p.Variants))
		return nil
	})
	dispatcher := &webhook.Dispatcher{Queue: inbox, Router: router, PollInterval: 100 * time.Millisecond}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/shopify", handler)
	// Timeouts for a public endpoint: slow headers, a whole request (the
	// Handler bounds its body itself, webhook.DefaultReadTimeout), a slow
	// reader of the answer, and idle kept-alive connections.
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 15 * time.Second, IdleTimeout: time.Minute}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/webhooks/shopify"

	if !selftest {
		fmt.Fprintf(out, "receiving Shopify webhooks at %s (inbox %s)\n", url, db)
		return dispatcher.Run(ctx) // until interrupted
	}

	// Self-test: two genuine deliveries, one forged.
	deliveries := []struct {
		d      shopifywebhook.TestDelivery
		secret string
	}{
		{shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, ShopDomain: "example.myshopify.com",
			Body: []byte(`{"id":820982911946154508,"name":"#1001","email":"jon@example.com","currency":"DKK","total_price":"199.00","line_items":[{"id":1,"sku":"MUG-1","quantity":2}]}`)}, secret},
		{shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicProductsUpdate, ShopDomain: "example.myshopify.com",
			Body: []byte(`{"id":632910392,"title":"Mug","variants":[{"id":1,"sku":"MUG-1"}]}`)}, secret},
		{shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, ShopDomain: "example.myshopify.com", Body: []byte(`{"id":1,"name":"#forged"}`)}, "not-the-secret"},
	}
	for _, d := range deliveries {
		req, err := shopifywebhook.NewSignedRequest(ctx, url, d.d, d.secret)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		fmt.Fprintf(out, "delivery %s signed with the %s: HTTP %d\n", d.d.Topic, map[bool]string{true: "right secret", false: "wrong secret"}[d.secret == secret], resp.StatusCode)
	}
	n, err := dispatcher.RunOnce(ctx)
	fmt.Fprintf(out, "dispatched %d stored events\n", n)
	return err
}
