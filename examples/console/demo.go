package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// fulfilScope is the scope packing needs (fulfilling at the merchant's own
// locations); the demo page takes it away to make a message fail.
const fulfilScope = "write_merchant_managed_fulfillment_orders"

// markupTitle is the title of the product the warehouse refuses.
const markupTitle = "<script>alert(1)</script>"

// demoHandler serves /demo/: what happens outside the console, in the
// shops and in the warehouse: a customer orders, the warehouse packs, the
// merchant takes a scope away from the app or creates a product the
// warehouse refuses.
func (w *world) demoHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /demo/{$}", w.demoPage)
	mux.HandleFunc("POST /demo/order", w.demoAction(func(ctx context.Context) (string, error) {
		o, err := w.placeOrder(w.dk)
		if err != nil {
			return "", err
		}
		return "Order " + o.Name + " placed in " + simDK + ".", nil
	}))
	mux.HandleFunc("POST /demo/pack", w.demoAction(func(ctx context.Context) (string, error) {
		n, err := w.packReleased(ctx)
		return fmt.Sprintf("%d released orders packed.", n), err
	}))
	mux.HandleFunc("POST /demo/revoke", w.demoAction(func(context.Context) (string, error) {
		w.dk.SetScopes(slices.DeleteFunc(w.dk.Scopes(), func(s string) bool { return s == fulfilScope })...)
		return "The app lost " + fulfilScope + " in " + simDK + ": packed orders cannot be fulfilled.", nil
	}))
	mux.HandleFunc("POST /demo/grant", w.demoAction(func(context.Context) (string, error) {
		if !slices.Contains(w.dk.Scopes(), fulfilScope) {
			w.dk.SetScopes(append(w.dk.Scopes(), fulfilScope)...)
		}
		return "The app has " + fulfilScope + " in " + simDK + " again.", nil
	}))
	mux.HandleFunc("POST /demo/markup", w.demoAction(func(context.Context) (string, error) {
		_, err := w.dk.CreateProduct(shopifytest.ProductSpec{Title: markupTitle, Vendor: "Demo",
			Variants: []shopifytest.VariantSpec{{SKU: "MARKUP-1", Price: "9.95"}}})
		return "A product whose title is markup was created in " + simDK + ".", err
	}))
	cop := http.NewCrossOriginProtection()
	return cop.Handler(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if !loopback(r) {
			http.Error(rw, "the demo answers this machine only", http.StatusForbidden)
			return
		}
		rw.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'")
		mux.ServeHTTP(rw, r)
	}))
}

// placeOrder orders one unit of each of two products at the shop's first
// location (its warehouse), as a customer would.
func (w *world) placeOrder(shop *shopifytest.Shop) (shopifytest.Order, error) {
	ps := shop.Products()
	locs := shop.Locations()
	if len(ps) < 2 || len(locs) == 0 {
		return shopifytest.Order{}, errors.New("the shop has no products")
	}
	n := len(shop.Orders())
	var lines []shopifytest.OrderLineSpec
	for _, p := range []shopifytest.Product{ps[n%len(ps)], ps[(n+7)%len(ps)]} {
		lines = append(lines, shopifytest.OrderLineSpec{VariantID: p.VariantIDs[0], Quantity: 1})
	}
	return shop.CreateOrder(shopifytest.OrderSpec{Lines: lines, Location: locs[0].ID, Financial: "authorized",
		Email: fmt.Sprintf("customer%d@example.com", n)})
}

// packReleased packs every order the warehouse released to picking.
func (w *world) packReleased(ctx context.Context) (int, error) {
	n := 0
	for _, o := range w.wms.Orders() {
		if o.Stage != wms.StageReleased {
			continue
		}
		key := wms.OrderKey{Shop: o.Shop, ExternalID: o.ExternalID}
		tr := &wms.Tracking{Company: "PostNord", Number: fmt.Sprintf("PN%08d", 10000+n), URL: "https://tracking.example/" + o.Name}
		if err := w.wms.Pack(ctx, key, tr); err != nil && !errors.Is(err, memwms.ErrNotReleased) {
			return n, err
		}
		n++
	}
	return n, nil
}

func (w *world) demoAction(fn func(ctx context.Context) (string, error)) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		msg, err := fn(r.Context())
		if err != nil {
			msg = "Failed: " + err.Error()
		}
		w.renderDemo(rw, r, msg)
	}
}

func (w *world) demoPage(rw http.ResponseWriter, r *http.Request) { w.renderDemo(rw, r, "") }

var demoTemplate = template.Must(template.New("demo").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Demo controls</title>
<link rel="stylesheet" href="{{.Console}}/assets/console.css"></head>
<body><main id="main">
<h1>Demo controls</h1>
<p>What happens outside the console: customers order in the simulated shops, the warehouse packs, the merchant changes the app's access. <a href="{{.Console}}/">Back to the console</a>.</p>
{{with .Message}}<p class="flash" role="status" id="demo-message">{{.}}</p>{{end}}
<section class="card"><h2>The simulated shops</h2>
<table><thead><tr><th scope="col">Shop</th><th scope="col">Admin URL</th><th scope="col">Access scopes</th></tr></thead><tbody>
{{range .Shops}}<tr><th scope="row">{{.Name}}</th><td>https://{{.Domain}}</td><td>{{.Scopes}}</td></tr>{{end}}
</tbody></table>
<p class="help">The access tokens and the app's API secret key are printed in the terminal that runs the example.</p></section>
<section class="card"><h2>Actions</h2><div class="actions">
<form method="post" action="/demo/order"><button type="submit" id="demo-order">A customer orders in demoshop-dk</button></form>
<form method="post" action="/demo/pack"><button type="submit" id="demo-pack">The warehouse packs released orders</button></form>
<form method="post" action="/demo/revoke"><button type="submit" id="demo-revoke" class="secondary">Take away the fulfilment scope</button></form>
<form method="post" action="/demo/grant"><button type="submit" id="demo-grant" class="secondary">Give the fulfilment scope back</button></form>
<form method="post" action="/demo/markup"><button type="submit" id="demo-markup" class="secondary">Create a product the warehouse refuses</button></form>
</div></section>
<section class="card"><h2>Orders in the warehouse</h2>
{{if not .Orders}}<p>None yet.</p>{{else}}<table id="demo-orders"><thead><tr><th scope="col">Order</th><th scope="col">Shop</th><th scope="col">Stage</th></tr></thead><tbody>
{{range .Orders}}<tr><td>{{.Name}}</td><td>{{.Shop}}</td><td>{{.Stage}}{{with .HoldReason}} ({{.}}){{end}}</td></tr>{{end}}
</tbody></table>{{end}}</section>
</main></body></html>`))

func (w *world) renderDemo(rw http.ResponseWriter, r *http.Request, msg string) {
	type shopRow struct{ Name, Domain, Scopes string }
	var shops []shopRow
	for _, s := range []*shopifytest.Shop{w.dk, w.uk, w.no} {
		shops = append(shops, shopRow{s.Name(), s.Domain(), fmt.Sprint(s.Scopes())})
	}
	orders := w.wms.Orders()
	slices.SortFunc(orders, func(a, b wms.Order) int { return b.CreatedAt.Compare(a.CreatedAt) })
	if len(orders) > 20 {
		orders = orders[:20]
	}
	var buf bytes.Buffer
	err := demoTemplate.Execute(&buf, struct {
		Console, Message string
		Shops            []shopRow
		Orders           []wms.Order
		Now              time.Time
	}{basePath, msg, shops, orders, time.Now()})
	if err != nil {
		http.Error(rw, err.Error(), http.StatusInternalServerError)
		return
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = rw.Write(buf.Bytes())
}

// loopback reports whether r asks for a loopback host name: the server
// listens on a loopback address, and the name check keeps other sites'
// pages from reaching it through DNS rebinding.
func loopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
