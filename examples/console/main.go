// Command console runs the web console (package console) on simulated
// Shopify shops, with the reference WMS and a SQLite store, on this
// machine, so you can click through the whole setup of a shop and watch it
// run:
//
//	go run ./examples/console
//
// then open http://127.0.0.1:8080/console/ and connect demoshop-no by
// installing the app (its button sends you to the simulated shop, which
// approves at once and sends you back), or demoshop-dk with the admin URL
// and the access token printed in the terminal (a legacy custom app), or
// the simulated WooCommerce store with its address and REST API key. The demo
// controls at http://127.0.0.1:8080/demo/ place orders, pack them in the
// warehouse and break things for the console to show.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
)

func main() {
	var o options
	flag.StringVar(&o.Addr, "addr", "127.0.0.1:8080", "listen address (keep it on loopback: the demo has no sign-in)")
	flag.StringVar(&o.DataDir, "data", filepath.Join(".data", "console"), "directory of the SQLite store (emptied at start)")
	flag.IntVar(&o.Products, "products", 300, "products in the main simulated shop")
	flag.Float64Var(&o.TimeScale, "timescale", 10, "simulated time runs this many times faster (rate limits, bulk operations)")
	verbose := flag.Bool("v", false, "log the engine's work to stderr")
	flag.Parse()
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	w, err := newWorld(ctx, o)
	if err != nil {
		log.Fatal(err)
	}
	defer w.close()
	ck, cs := w.wooShop.Key()
	fmt.Printf(`The console runs at %[1]s%[2]s/  (demo controls: %[1]s/demo/)

Connect the simulated shop without the app with "Shopify: install the app":
  shop id MyShopNO, admin URL https://%[11]s
  (the simulated shop approves the install at once and sends you back)

or a simulated shop with "Shopify: access token of a custom app":
  shop id MyShopDK, admin URL https://%[3]s
    Admin API access token: %[4]s
  shop id MyShopUK, admin URL https://%[5]s
    Admin API access token: %[6]s
  API secret key (both): %[7]s

or the simulated WooCommerce store with "WooCommerce: REST API key":
  shop id MyWoo, store address %[8]s
    consumer key %[9]s
    consumer secret %[10]s

Ctrl-C stops it.
`, w.url, basePath, w.dk.Domain(), w.dk.AccessToken(), w.uk.Domain(), w.uk.AccessToken(), w.secret, w.wooShop.URL(), ck, cs, w.no.Domain())
	<-ctx.Done()
}
