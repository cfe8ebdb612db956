// Command demo runs the whole job of wmsbridge in one command: two
// simulated Shopify shops sharing one warehouse stock, the reference WMS,
// a SQLite store and a real HTTP webhook endpoint, walked through the
// seed's setup steps and a stream of customer orders, ending with a
// consistency table of shop against WMS.
//
//	go run ./examples/demo                         # about a minute on 2 cores
//	go run ./examples/demo -products 200 -orders 20 # a quick look
//	go run ./examples/demo -faults                  # API faults and lost webhooks
//
// It exits with status 0 only when every row of the consistency table
// agrees.
//
// With -shop and -token (or -client-id and -client-secret) it runs the
// read-only steps against a real shop instead: the connection test and a
// count of the products the import would read. Writing to the shop
// (registering webhooks, importing into an in-memory WMS) needs -write and
// -webhook-address.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
)

// options are the demo's flags.
type options struct {
	Products  int
	Orders    int
	Rate      string
	TimeScale float64
	Faults    bool
	DataDir   string
	Seed      uint64
	Timeout   time.Duration

	// Real shop (read-only unless Write).
	Shop, Token, ClientID, ClientSecret string
	RedirectURL, Listen                 string
	Write                               bool
	WebhookAddress                      string
	WebhookSecret                       string
	APIVersion                          string

	// Progress forces terminal progress bars on or off ("auto" decides by
	// whether stdout is a terminal).
	Progress string

	// afterSeed and beforeCheck, when set (tests only), run after the
	// simulated shops are seeded and just before the consistency table is
	// computed.
	afterSeed, beforeCheck func(*world)
}

func defaultOptions() options {
	return options{
		Products: 3000, Orders: 120, Rate: "standard", TimeScale: 10,
		DataDir: ".data/demo", Seed: 1, Timeout: 5 * time.Minute, Progress: "auto", Listen: "127.0.0.1:8080",
	}
}

// parseFlags parses args into options and validates them.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	o := defaultOptions()
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.Products, "products", o.Products, "products in the main shop (DK), 1 to 30000; the UK shop sells 40% of them")
	fs.IntVar(&o.Orders, "orders", o.Orders, "orders the simulated customers place (web and POS)")
	fs.StringVar(&o.Rate, "rate", o.Rate, "rate-limit preset of the simulated shops: standard, advanced, plus, enterprise")
	fs.Float64Var(&o.TimeScale, "timescale", o.TimeScale, "simulated time runs this many times faster (rate-limit restore, bulk operations, webhook retries)")
	fs.BoolVar(&o.Faults, "faults", o.Faults, "inject faults: API 5xx/429/connection resets and dropped, duplicated, reordered webhooks")
	fs.StringVar(&o.DataDir, "data", o.DataDir, "data directory for the SQLite store and the log (emptied of earlier demo files)")
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "seed of the simulated catalogue, customers and faults")
	fs.DurationVar(&o.Timeout, "timeout", o.Timeout, "give up after this long")
	fs.StringVar(&o.Progress, "progress", o.Progress, "progress bars: auto, on, off (off prints periodic lines)")
	fs.StringVar(&o.Shop, "shop", "", "real shop: NAME.myshopify.com (read-only steps unless -write)")
	fs.StringVar(&o.Token, "token", "", "real shop: Admin API access token of a custom app (or $WMSBRIDGE_SHOPIFY_TOKEN)")
	fs.StringVar(&o.ClientID, "client-id", "", "real shop: Dev Dashboard app client ID")
	fs.StringVar(&o.ClientSecret, "client-secret", "", "real shop: Dev Dashboard app client secret (or $WMSBRIDGE_SHOPIFY_CLIENT_SECRET)")
	fs.StringVar(&o.RedirectURL, "redirect-url", "", "real shop with -client-id/-client-secret: install the app through OAuth (a vendor app on a merchant's shop, expiring tokens); the public HTTPS address of this process's callback, one of the app's allowed redirection URLs")
	fs.StringVar(&o.Listen, "listen", o.Listen, "real shop: local address of the install callback and webhook endpoint (what -redirect-url and -webhook-address reach)")
	fs.BoolVar(&o.Write, "write", false, "real shop: also run the steps that write to the shop (webhook subscriptions)")
	fs.StringVar(&o.WebhookAddress, "webhook-address", "", "real shop with -write: public HTTPS address that reaches this process's webhook endpoint")
	fs.StringVar(&o.WebhookSecret, "webhook-secret", "", "real shop with -write and -token: the webhook signing secret (or $WMSBRIDGE_SHOPIFY_WEBHOOK_SECRET; Dev Dashboard apps sign with the client secret)")
	fs.StringVar(&o.APIVersion, "api-version", "", "real shop: Admin API version (default the client's)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if o.Token == "" {
		o.Token = os.Getenv("WMSBRIDGE_SHOPIFY_TOKEN")
	}
	if o.ClientSecret == "" {
		o.ClientSecret = os.Getenv("WMSBRIDGE_SHOPIFY_CLIENT_SECRET")
	}
	if o.WebhookSecret == "" {
		o.WebhookSecret = os.Getenv("WMSBRIDGE_SHOPIFY_WEBHOOK_SECRET")
	}
	return o, o.validate()
}

func (o options) validate() error {
	if o.Shop != "" {
		switch {
		case o.Token != "" && (o.ClientID != "" || o.ClientSecret != ""):
			return errors.New("-token and -client-id/-client-secret exclude each other")
		case o.Token == "" && (o.ClientID == "" || o.ClientSecret == ""):
			return errors.New("-shop needs -token, or -client-id and -client-secret")
		case o.RedirectURL != "" && o.Token != "":
			return errors.New("-redirect-url installs a vendor app: use it with -client-id and -client-secret, not -token")
		case o.RedirectURL != "" && !strings.HasPrefix(o.RedirectURL, "https://"):
			return errors.New("-redirect-url must be an https:// address (one of the app's allowed redirection URLs)")
		case o.Write && !strings.HasPrefix(o.WebhookAddress, "https://"):
			return errors.New("-write needs -webhook-address https://... (where the shop can deliver webhooks to this process)")
		case o.Write && o.Token != "" && o.WebhookSecret == "":
			return errors.New("-write with -token needs -webhook-secret (the signing secret shown with the custom app's token)")
		}
		return nil
	}
	if o.Token != "" || o.ClientID != "" || o.ClientSecret != "" || o.Write || o.WebhookAddress != "" || o.WebhookSecret != "" || o.RedirectURL != "" {
		return errors.New("-token, -client-id, -client-secret, -redirect-url, -write, -webhook-address and -webhook-secret need -shop")
	}
	if o.Products < 1 || o.Products > 30000 {
		return fmt.Errorf("-products %d: want 1 to 30000", o.Products)
	}
	if o.Orders < 0 || o.Orders > 100000 {
		return fmt.Errorf("-orders %d: want 0 to 100000", o.Orders)
	}
	if _, err := planFor(o.Rate); err != nil {
		return err
	}
	if o.TimeScale < 1 || o.TimeScale > 1000 {
		return fmt.Errorf("-timescale %g: want 1 to 1000", o.TimeScale)
	}
	if o.DataDir == "" {
		return errors.New("-data must name a directory")
	}
	switch o.Progress {
	case "auto", "on", "off":
	default:
		return fmt.Errorf("-progress %q: want auto, on or off", o.Progress)
	}
	return nil
}

func planFor(name string) (shopifytest.Plan, error) {
	switch strings.ToLower(name) {
	case "standard", "basic":
		return shopifytest.PlanStandard, nil
	case "advanced":
		return shopifytest.PlanAdvanced, nil
	case "plus":
		return shopifytest.PlanPlus, nil
	case "enterprise":
		return shopifytest.PlanEnterprise, nil
	}
	return 0, fmt.Errorf("-rate %q: want standard, advanced, plus or enterprise", name)
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	if o.Shop != "" {
		err = runRealShop(ctx, o, os.Stdout)
	} else {
		err = run(ctx, o, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}
