package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// run is the whole demo against the simulated shops. It returns an error
// when a step fails or the consistency table shows a disagreement.
func run(ctx context.Context, o options, out io.Writer) error {
	start := time.Now()
	fmt.Fprintf(out, "wmsbridge demo: %d products, %d customer orders, %s plan rate limits at %gx time, faults %s\n",
		o.Products, o.Orders, o.Rate, o.TimeScale, onOff(o.Faults))

	section(out, "1. Simulated Shopify, reference WMS, SQLite store, webhook endpoint")
	w, err := newWorld(ctx, o)
	if err != nil {
		return err
	}
	defer w.close()
	fmt.Fprintf(out, "  shops:    %s (main shop, %d products, 3 locations), %s (%d products, 2 locations), on %s\n",
		w.dk.Domain(), w.dk.ProductCount(), w.uk.Domain(), w.uk.ProductCount(), w.srv.URL)
	fmt.Fprintf(out, "  woo:      %s (WooCommerce, %d SKUs of %s, one stock figure each = warehouse %s), on %s\n",
		w.woo.srv.StoreURL(simWoo), len(w.woo.skus), shopDK, whCPH, w.woo.srv.URL)
	fmt.Fprintf(out, "  WMS:      reference WMS (wms/memwms), warehouses %s, %s, %s\n", whCPH, whAAR, whStore)
	fmt.Fprintf(out, "  store:    SQLite %s\n", filepath.Join(o.DataDir, "demo.db"))
	fmt.Fprintf(out, "  webhooks: %s (signature-verified, stored before acknowledged)\n", w.addr)
	fmt.Fprintf(out, "  log:      %s\n", filepath.Join(o.DataDir, "demo.log"))

	runCtx, stopRun := context.WithCancel(ctx)
	runDone := make(chan error, 1)
	go func() { runDone <- w.eng.Run(runCtx) }()
	defer func() {
		stopRun()
		<-runDone
	}()

	if o.Faults {
		w.injectFaults()
		w.injectWooFaults()
		fmt.Fprintln(out, "  faults:   on: API 503/429/connection resets, webhooks dropped, duplicated, delayed, reordered;")
		fmt.Fprintln(out, "            WooCommerce: host 503/429, bot challenges, PHP notices before JSON, resets, deliveries lost, doubled, delayed")
	}

	section(out, "2. Install the app, shop settings and connection test (S1-S6)")
	for _, s := range w.settings() {
		if s.System != "woocommerce" { // the Shopify shops install the vendor's app
			if err := w.install(ctx, s, out); err != nil {
				return err
			}
		}
		report, err := w.eng.TestConnection(ctx, s)
		if err != nil {
			return err
		}
		fmt.Fprint(out, indent(report.String()))
		if !report.OK() {
			return fmt.Errorf("connection test of %s failed: %v", s.Shop, report.Problems())
		}
		saved, err := w.eng.SaveSettings(ctx, s)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "  saved %s: main=%v pos=%v outbound=%v\n", saved.Shop, saved.Main, saved.POS, saved.OutboundKinds())
	}

	section(out, "3. Setup steps: products (S7, S8), customs and cost (S9), orders (S10), sales history (S12), outbound (S13)")
	view := newProgressView(out, o.Progress)
	for _, shop := range []string{shopDK, shopUK, shopWoo} {
		if shop == shopUK || shop == shopWoo {
			// Customs data and costs come from the main shop; the UK shop
			// skips the optional step.
			if err := w.eng.SkipStep(ctx, shop, wmssync.StepCustomsCost); err != nil {
				return err
			}
		}
		if err := w.runSetup(ctx, shop, view, out); err != nil {
			return err
		}
	}
	ordersFrom := time.Now()
	importCheck := w.checkStock(ctx)
	fmt.Fprintf(out, "  WMS now: %d items, %d stock levels compared with the shops after the import: %s\n",
		len(w.wms.Items()), importCheck.n, importCheck.verdict())
	w.publishing = w.startPublishing(runCtx, out)

	section(out, "4. Customers order: web orders by webhook, POS sales, held and released (S4, S10, S11)")
	cs, err := w.customers(ctx, out)
	if err != nil {
		return err
	}
	if err := w.waitForOrders(ctx, cs, out); err != nil {
		return err
	}
	if err := w.wooCustomers(ctx, out); err != nil {
		return err
	}
	if err := w.receiveGoods(ctx, out); err != nil {
		return err
	}

	section(out, "5. Outbound: stock, EAN, packed -> fulfilled and captured, average cost, refunds (S14-S20)")
	outbound, err := w.outbound(ctx, cs, out)
	if err != nil {
		return err
	}
	if outbound.available {
		if err := w.wooOutbound(ctx, out); err != nil {
			return err
		}
		if err := w.waitOutbound(ctx, func() bool {
			t := &table{}
			w.wooRows(ctx, t, outbound.barcodes, true)
			return t.ok()
		}); err != nil {
			fmt.Fprintf(out, "  %v\n", err)
		}
	}

	section(out, "6. Consistency: shop against WMS, from the state of both sides")
	if o.beforeCheck != nil {
		o.beforeCheck(w)
	}
	t := w.consistency(ctx, cs, ordersFrom, importCheck, outbound)
	t.print(out)
	st := w.eng.Stats()
	ws := w.srv.WebhookStats()
	fmt.Fprintf(out, "\n  engine: %d events applied, %d stale, %d ignored, %d failed and retried; %d sweeps applied %d missed changes; %d webhook subscriptions re-created\n",
		st.EventsApplied, st.EventsStale, st.EventsIgnored, st.EventsFailed, st.Sweeps, st.SweepApplied, st.WebhooksRecreated)
	fmt.Fprintf(out, "  shops:  %d webhooks delivered (%d dropped, %d duplicated, %d delayed, %d reordered by fault injection); %d API requests, %d throttled, %d faults served\n",
		ws.Delivered, ws.Dropped, ws.Duplicated, ws.Delayed, ws.Reordered,
		w.dk.Counters().Requests+w.uk.Counters().Requests, w.dk.Counters().Throttled+w.uk.Counters().Throttled,
		w.dk.Counters().Faults+w.uk.Counters().Faults)
	wc := w.woo.store.Counters()
	fmt.Fprintf(out, "  %s: %d webhooks delivered (%d lost, %d merged while queued, never retried), %d API requests (%d batch items), %d faults served\n",
		shopWoo, wc.Deliveries, wc.Dropped, wc.Merged, wc.Requests, wc.BatchItems, wc.Faults)
	fmt.Fprintf(out, "  app:    installed on 2 shops through the install flow; %d expiring access tokens refreshed by the token source\n",
		w.dk.TokenGrants()+w.uk.TokenGrants()-2)
	fmt.Fprintf(out, "  took %s\n", time.Since(start).Round(100*time.Millisecond))
	if !t.ok() {
		return errors.New("the shops and the WMS disagree (see the table)")
	}
	if !outbound.available {
		fmt.Fprintln(out, "\nAll compared rows agree. Outbound messages (S13-S20) were not sent (no outbox in the store); their rows were not compared.")
	} else {
		fmt.Fprintln(out, "\nAll rows agree.")
	}
	return nil
}

// runSetup runs a shop's setup steps; a step that fails (a fault, say)
// resumes from its checkpoint, as a host would retry it.
func (w *world) runSetup(ctx context.Context, shop string, view *progressView, out io.Writer) error {
	for attempt := 1; ; attempt++ {
		err := w.eng.RunSetup(ctx, shop, view.show)
		view.finish()
		if err == nil || ctx.Err() != nil || attempt == 5 {
			return err
		}
		fmt.Fprintf(out, "  %s: %v; resuming from the checkpoint\n", shop, err)
		time.Sleep(200 * time.Millisecond)
	}
}

// injectFaults switches the simulator's fault injection on: API errors and
// resets on a few percent of requests, and webhooks dropped, duplicated,
// delayed or reordered. Retries (client), redelivery dedupe (inbox),
// staleness checks (engine) and reconciliation sweeps must absorb them.
func (w *world) injectFaults() {
	w.srv.InjectFault(shopifytest.Fault{Kind: shopifytest.FaultStatus, Status: 503, Rate: 0.03})
	w.srv.InjectFault(shopifytest.Fault{Kind: shopifytest.FaultStatus, Status: 429, Rate: 0.02})
	w.srv.InjectFault(shopifytest.Fault{Kind: shopifytest.FaultReset, Rate: 0.01})
	w.srv.InjectWebhookFault(shopifytest.WebhookFault{Kind: shopifytest.WebhookDrop, Rate: 0.05})
	w.srv.InjectWebhookFault(shopifytest.WebhookFault{Kind: shopifytest.WebhookDuplicate, Rate: 0.05})
	w.srv.InjectWebhookFault(shopifytest.WebhookFault{Kind: shopifytest.WebhookDelay, Delay: 30 * time.Second, Rate: 0.03})
	w.srv.InjectWebhookFault(shopifytest.WebhookFault{Kind: shopifytest.WebhookReorder, Rate: 0.03})
}

func section(out io.Writer, title string) { fmt.Fprintf(out, "\n== %s\n", title) }

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func indent(s string) string {
	out := "  "
	for i, r := range s {
		out += string(r)
		if r == '\n' && i < len(s)-1 {
			out += "  "
		}
	}
	return out
}
