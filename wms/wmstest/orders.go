package wmstest

import (
	"context"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/wms"
)

// order builds an open order with the given lines.
func order(shop, id string, lines ...wms.OrderLine) wms.Order {
	at := time.Date(2026, 3, 4, 10, 30, 0, 0, time.UTC)
	return wms.Order{
		Shop: shop, ExternalID: id, Name: "#" + id, Status: wms.OrderOpen,
		Lines: lines, Email: "kunde@example.com",
		ShippingAddress: wms.Address{Name: "Kim Jensen", Address1: "Vestergade 1", City: "Aarhus", Zip: "8000", CountryCode: "DK"},
		Currency:        "DKK", Total: "249.00", Note: "ring the bell", CreatedAt: at, UpdatedAt: at,
	}
}

func line(id, sku string, qty int64) wms.OrderLine {
	return wms.OrderLine{ExternalID: id, SKU: sku, Title: "Item " + sku, Quantity: qty, Price: "49.80"}
}

// requireOrderData checks the fields of got that come from the shop.
func requireOrderData(t *testing.T, want, got wms.Order) {
	t.Helper()
	equal(t, want.Key(), got.Key())
	equal(t, want.Name, got.Name, "name")
	if want.Open() {
		equal(t, wms.OrderOpen, got.Status, "status")
	} else {
		equal(t, want.Status, got.Status, "status")
	}
	equal(t, want.POS, got.POS, "pos")
	equal(t, want.Warehouse, got.Warehouse, "warehouse")
	equal(t, want.Email, got.Email, "email")
	equal(t, want.ShippingAddress, got.ShippingAddress, "shipping address")
	equal(t, want.Currency, got.Currency, "currency")
	isTrue(t, want.Total.Equal(got.Total), "total %v, want %v", got.Total, want.Total)
	equal(t, want.Note, got.Note, "note")
	isTrue(t, want.CreatedAt.Equal(got.CreatedAt), "created at %v, want %v", got.CreatedAt, want.CreatedAt)
	isTrue(t, want.UpdatedAt.Equal(got.UpdatedAt), "updated at %v, want %v", got.UpdatedAt, want.UpdatedAt)
	requireLines(t, want.Lines, got.Lines)
	switch got.Stage {
	case wms.StageHeld, wms.StageReleased, wms.StagePacked:
	default:
		t.Fatalf("order %s has stage %q, want held, released or packed", got.Key(), got.Stage)
	}
}

func requireLines(t *testing.T, want, got []wms.OrderLine) {
	t.Helper()
	hasLen(t, got, len(want), "lines: %+v", got)
	for i := range want {
		w, g := want[i], got[i]
		equal(t, w.ExternalID, g.ExternalID, "line %d id", i)
		equal(t, w.SKU, g.SKU, "line %d sku", i)
		equal(t, w.Title, g.Title, "line %d title", i)
		equal(t, w.Quantity, g.Quantity, "line %d quantity", i)
		isTrue(t, w.Price.Equal(g.Price), "line %d price %v, want %v", i, g.Price, w.Price)
	}
}

// stockedBackend returns a backend that knows SKU-1 and SKU-2.
func (k *kit) stockedBackend(t *testing.T) (context.Context, wms.Backend) {
	ctx, b := k.setup(t)
	noError(t, b.UpsertProducts(ctx, []wms.Product{
		product("shop-a", "p1", true, "Cup", variant("SKU-1", "v1"), variant("SKU-2", "v2")),
	}))
	return ctx, b
}

func (k *kit) orderTests() []test {
	return []test{
		{"Create", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			o := order("shop-a", "1001", line("l1", "SKU-1", 2), line("l2", "SKU-2", 1))
			noError(t, b.UpsertOrder(ctx, o))
			requireOrderData(t, o, mustOrder(ctx, t, b, o.Key()))
			countOrders(ctx, t, b, 1)
		}},
		{"EmptyStatusMeansOpen", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			o := order("shop-a", "1001", line("l1", "SKU-1", 1))
			o.Status = ""
			noError(t, b.UpsertOrder(ctx, o))
			equal(t, wms.OrderOpen, mustOrder(ctx, t, b, o.Key()).Status)
		}},
		{"PaymentPendingKeptHeld", func(t *testing.T) {
			// An order not paid for yet is kept with its lines and
			// warehouse but not picked; once paid it is an open order.
			ctx, b := k.stockedBackend(t)
			o := order("shop-a", "1001", line("l1", "SKU-1", 2), line("l2", "SKU-2", 1))
			o.Status = wms.OrderPaymentPending
			noError(t, b.UpsertOrder(ctx, o))
			got := mustOrder(ctx, t, b, o.Key())
			requireOrderData(t, o, got)
			isTrue(t, got.Stage != wms.StageReleased && got.Stage != wms.StagePacked,
				"an order awaiting payment is in stage %q, want it held", got.Stage)
			o.Status = wms.OrderOpen
			o.UpdatedAt = o.UpdatedAt.Add(time.Minute)
			noError(t, b.UpsertOrder(ctx, o))
			requireOrderData(t, o, mustOrder(ctx, t, b, o.Key()))
		}},
		{"NotFound", func(t *testing.T) {
			ctx, b := k.setup(t)
			_, err := b.Order(ctx, wms.OrderKey{Shop: "shop-a", ExternalID: "404"})
			errorIs(t, err, wms.ErrNotFound)
		}},
		{"UnknownSKUAccepted", func(t *testing.T) {
			ctx, b := k.setup(t)
			o := order("shop-a", "1001", line("l1", "NOT-YET-IN-WMS", 1))
			noError(t, b.UpsertOrder(ctx, o))
			got := mustOrder(ctx, t, b, o.Key())
			requireOrderData(t, o, got)
			isTrue(t, wms.StageReleased != got.Stage, "an order for an unknown SKU cannot be released")
		}},
		{"Idempotent", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			o := order("shop-a", "1001", line("l1", "SKU-1", 2), line("l2", "SKU-2", 1))
			noError(t, b.UpsertOrder(ctx, o))
			first := mustOrder(ctx, t, b, o.Key())
			noError(t, b.UpsertOrder(ctx, o))
			noError(t, b.UpsertOrder(ctx, o))
			again := mustOrder(ctx, t, b, o.Key())
			requireOrderData(t, o, again)
			equal(t, first.Stage, again.Stage, "a repeated upsert changes nothing")
			countOrders(ctx, t, b, 1)
		}},
		{"UpdateByExternalID", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			o := order("shop-a", "1001", line("l1", "SKU-1", 2), line("l2", "SKU-2", 1))
			noError(t, b.UpsertOrder(ctx, o))
			o.Lines = []wms.OrderLine{line("l1", "SKU-1", 5), line("l3", "SKU-2", 4)}
			o.Email, o.Total = "new@example.com", "399.00"
			o.ShippingAddress.City = "Odense"
			o.UpdatedAt = o.UpdatedAt.Add(time.Hour)
			noError(t, b.UpsertOrder(ctx, o))
			requireOrderData(t, o, mustOrder(ctx, t, b, o.Key()))
			countOrders(ctx, t, b, 1)
		}},
		{"Cancel", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			o := order("shop-a", "1001", line("l1", "SKU-1", 1))
			noError(t, b.UpsertOrder(ctx, o))
			o.Status = wms.OrderCancelled
			noError(t, b.UpsertOrder(ctx, o))
			got := mustOrder(ctx, t, b, o.Key())
			requireOrderData(t, o, got)
			isTrue(t, wms.StageReleased != got.Stage, "a cancelled order is not picked")
			noError(t, b.UpsertOrder(ctx, o))
			countOrders(ctx, t, b, 1)
		}},
		{"CancelledNotReleasedWhenItemsArrive", func(t *testing.T) {
			// Orders for SKUs the warehouse does not know yet wait for
			// the items. Cancelled and deleted ones must stay out of
			// picking when the items arrive later.
			ctx, b := k.setup(t)
			c := order("shop-a", "1001", line("l1", "LATE-1", 1))
			d := order("shop-a", "1002", line("l1", "LATE-1", 1))
			noError(t, b.UpsertOrder(ctx, c))
			noError(t, b.UpsertOrder(ctx, d))
			c.Status = wms.OrderCancelled
			noError(t, b.UpsertOrder(ctx, c))
			noError(t, b.UpsertOrder(ctx, wms.Order{Shop: d.Shop, ExternalID: d.ExternalID, Status: wms.OrderDeleted}))
			noError(t, b.UpsertProducts(ctx, []wms.Product{product("shop-a", "p9", true, "Late", variant("LATE-1", "v9"))}))
			for _, key := range []wms.OrderKey{c.Key(), d.Key()} {
				got := mustOrder(ctx, t, b, key)
				isTrue(t, !got.Open(), "order %s: status %q, want it to stay cancelled or deleted", key, got.Status)
				isTrue(t, got.Stage != wms.StageReleased, "order %s (%s) was released to picking when its items arrived", key, got.Status)
			}
		}},
		{"StatusOnlyDeletionKeepsTheRest", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			o := order("shop-a", "1001", line("l1", "SKU-1", 1), line("l2", "SKU-2", 3))
			noError(t, b.UpsertOrder(ctx, o))
			noError(t, b.UpsertOrder(ctx, wms.Order{Shop: "shop-a", ExternalID: "1001", Status: wms.OrderDeleted}))
			got := mustOrder(ctx, t, b, o.Key())
			equal(t, wms.OrderDeleted, got.Status)
			o.Status = wms.OrderDeleted
			requireOrderData(t, o, got) // only the status changed
			isTrue(t, wms.StageReleased != got.Stage, "a deleted order is not picked")
		}},
		{"DeletedOrderRestored", func(t *testing.T) {
			// A deletion is not final: the engine sends the order again,
			// open and with its lines, when the shop shows it again (a
			// restore, or a deletion the shop did not confirm).
			ctx, b := k.stockedBackend(t)
			o := order("shop-a", "1001", line("l1", "SKU-1", 1), line("l2", "SKU-2", 3))
			noError(t, b.UpsertOrder(ctx, o))
			noError(t, b.UpsertOrder(ctx, wms.Order{Shop: "shop-a", ExternalID: "1001", Status: wms.OrderDeleted}))
			noError(t, b.UpsertOrder(ctx, o))
			got := mustOrder(ctx, t, b, o.Key())
			requireOrderData(t, o, got)
			equal(t, wms.OrderOpen, got.Status)
			countOrders(ctx, t, b, 1)
		}},
		{"DeleteBeforeCreateLeavesTombstone", func(t *testing.T) {
			ctx, b := k.setup(t)
			key := wms.OrderKey{Shop: "shop-a", ExternalID: "1001"}
			noError(t, b.UpsertOrder(ctx, wms.Order{Shop: key.Shop, ExternalID: key.ExternalID, Status: wms.OrderDeleted}))
			equal(t, wms.OrderDeleted, mustOrder(ctx, t, b, key).Status)
			countOrders(ctx, t, b, 1)
		}},
		{"SameIDInTwoShops", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			a := order("shop-a", "1001", line("l1", "SKU-1", 1))
			c := order("shop-c", "1001", line("l1", "SKU-2", 2))
			noError(t, b.UpsertOrder(ctx, a))
			noError(t, b.UpsertOrder(ctx, c))
			requireOrderData(t, a, mustOrder(ctx, t, b, a.Key()))
			requireOrderData(t, c, mustOrder(ctx, t, b, c.Key()))
			countOrders(ctx, t, b, 2)
		}},
		{"Invalid", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			for name, o := range map[string]wms.Order{
				"empty shop":      order("", "1001", line("l1", "SKU-1", 1)),
				"empty id":        order("shop-a", "", line("l1", "SKU-1", 1)),
				"zero quantity":   order("shop-a", "1001", line("l1", "SKU-1", 0)),
				"empty SKU":       order("shop-a", "1001", line("l1", "", 1)),
				"empty line id":   order("shop-a", "1001", line("", "SKU-1", 1)),
				"duplicate line":  order("shop-a", "1001", line("l1", "SKU-1", 1), line("l1", "SKU-2", 1)),
				"unknown status":  func() wms.Order { o := order("shop-a", "1001", line("l1", "SKU-1", 1)); o.Status = "paused"; return o }(),
				"malformed total": func() wms.Order { o := order("shop-a", "1001", line("l1", "SKU-1", 1)); o.Total = "12e3"; return o }(),
			} {
				errorIs(t, b.UpsertOrder(ctx, o), wms.ErrInvalid, name)
			}
			_, err := b.Order(ctx, wms.OrderKey{Shop: "shop-a", ExternalID: "1001"})
			errorIs(t, err, wms.ErrNotFound, "an invalid order is not stored")
			countOrders(ctx, t, b, 0)
		}},
		{"DoesNotKeepInput", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			o := order("shop-a", "1001", line("l1", "SKU-1", 1))
			want := o.Clone()
			noError(t, b.UpsertOrder(ctx, o))
			o.Lines[0].Quantity = 99
			got := mustOrder(ctx, t, b, o.Key())
			requireOrderData(t, want, got)
			got.Lines[0].SKU = "changed"
			requireOrderData(t, want, mustOrder(ctx, t, b, o.Key()))
		}},
	}
}
