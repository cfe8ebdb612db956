// Package erasetest checks that a SQL store's EraseShop leaves no row of
// the shop in any table: it fills every kind of state for two shops
// through the store's methods, erases one, and searches every column of
// every row of every table (listed from the database's catalogue, so a
// table added later is searched too) for the erased shop's id and domain.
package erasetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/credential"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// Store is what the check needs of the store.
type Store interface {
	wmssync.Store
	wmssync.Eraser
	wmssync.Leaser
	wmssync.OutboxStore
	credential.Store
}

// Dump returns every row of every table of the store's database, each row
// rendered as text with all its columns, by table name.
type Dump func(t *testing.T) map[string][]string

// The shops: the erased one and the one that must stay.
const (
	ErasedShop   = "ErasedShopDK"
	ErasedDomain = "erased-shop-dk.myshopify.com"
	KeptShop     = "KeptShopUK"
	KeptDomain   = "kept-shop-uk.myshopify.com"
)

var ctx = context.Background()

// Fill writes one of every kind of row for shop (domain dom).
func Fill(t *testing.T, s Store, shop, dom string) {
	t.Helper()
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	must(s.SaveSettings(ctx, wmssync.Settings{Shop: shop, AdminURL: "https://" + dom, Connection: wmssync.Connection{Generation: 1}}), "SaveSettings")
	must(s.SaveStep(ctx, wmssync.StepState{Shop: shop, Step: wmssync.StepProducts, Status: wmssync.StepDone}), "SaveStep")
	_, err := s.SetVersion(ctx, wmssync.EntityKey{Shop: shop, Kind: wmssync.KindProduct, ID: "gid://shopify/Product/1"}, webhook.Version{UpdatedAt: now}, 0)
	must(err, "SetVersion")
	_, err = s.AdvanceWatermark(ctx, shop, wmssync.WatermarkOrders, now)
	must(err, "AdvanceWatermark")
	for _, name := range []string{"step/" + shop + "/products", "sweep/" + shop, credential.LeaseName(shop)} {
		_, err := s.AcquireLease(ctx, name, "owner", time.Hour)
		must(err, "AcquireLease")
	}
	ev := &webhook.Event{Source: "shopify", Topic: "orders/create", Shop: dom, WebhookID: "w-" + shop, EventID: "e-" + shop,
		TriggeredAt: now, ReceivedAt: now, Body: []byte(`{"id":1}`)}
	_, err = s.Put(ctx, ev)
	must(err, "Put")
	packed := wms.OrderPacked{EventInfo: wms.EventInfo{ID: "packed-" + shop}, Order: wms.OrderKey{Shop: shop, ExternalID: "gid://shopify/Order/1"}, Warehouse: "cph"}
	pub, err := wmssync.NewOutboxMessage(packed, now)
	must(err, "NewOutboxMessage")
	msg := pub
	msg.Shop = shop
	must(s.AddOutbox(ctx, []wmssync.OutboxMessage{pub, msg}), "AddOutbox")
	for _, key := range []string{shop, dom} {
		_, err := s.SaveCredentials(ctx, credential.Credentials{Shop: key, AccessToken: "tok", RefreshToken: "ref"})
		must(err, "SaveCredentials")
	}
}

// Run fills both shops, erases one as the engine does (the published
// events about its orders first, then its rows) and checks with dump that
// no row holds the erased shop's id or domain while the kept shop's rows
// are all there.
func Run(t *testing.T, s Store, dump Dump) {
	Fill(t, s, ErasedShop, ErasedDomain)
	Fill(t, s, KeptShop, KeptDomain)
	before := dump(t)
	for _, needle := range []string{ErasedShop, ErasedDomain} {
		if len(find(before, needle)) == 0 {
			t.Fatalf("the fill wrote no row naming %s: the check would prove nothing", needle)
		}
	}
	// The engine's eraseShop: drop published events about the shop's
	// orders, then the shop's rows.
	_, err := s.RewritePayloads(ctx, ErasedShop, ErasedDomain, func(p wmssync.StoredPayload) ([]byte, bool, error) {
		if p.Message != nil && p.Message.Shop != ErasedShop && strings.Contains(string(p.Message.Data), ErasedShop) {
			return nil, true, nil
		}
		return nil, false, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EraseShop(ctx, ErasedShop, ErasedDomain); err != nil {
		t.Fatal(err)
	}
	after := dump(t)
	for _, needle := range []string{ErasedShop, ErasedDomain} {
		for _, hit := range find(after, needle) {
			t.Errorf("a row of the erased shop is left: %s", hit)
		}
	}
	keptBefore, keptAfter := find(before, KeptShop), find(after, KeptShop)
	if len(keptAfter) != len(keptBefore) {
		t.Errorf("rows naming the kept shop: %d before, %d after", len(keptBefore), len(keptAfter))
	}
}

func find(rows map[string][]string, needle string) []string {
	var out []string
	for table, rs := range rows {
		for _, r := range rs {
			if strings.Contains(r, needle) {
				out = append(out, fmt.Sprintf("%s: %s", table, r))
			}
		}
	}
	return out
}
