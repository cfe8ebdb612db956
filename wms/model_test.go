package wms_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/wms"
)

func validProduct() wms.Product {
	return wms.Product{Shop: "dk", ExternalID: "gid://shopify/Product/1", Title: "Shirt", Variants: []wms.Variant{
		{SKU: "S-1", ExternalID: "gid://shopify/ProductVariant/1", Price: "10.00", Weight: wms.Weight{Value: "0.2", Unit: wms.Kilograms}},
		{SKU: "S-2", ExternalID: "gid://shopify/ProductVariant/2"},
	}}
}

func TestProductValidate(t *testing.T) {
	t.Parallel()
	if err := validProduct().Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		edit  func(*wms.Product)
		field string
	}{
		{"no shop", func(p *wms.Product) { p.Shop = "" }, "shop"},
		{"no id", func(p *wms.Product) { p.ExternalID = "" }, "external_id"},
		{"no sku", func(p *wms.Product) { p.Variants[1].SKU = "" }, "variants[1].sku"},
		{"no variant id", func(p *wms.Product) { p.Variants[0].ExternalID = "" }, "variants[0].external_id"},
		{"duplicate sku", func(p *wms.Product) { p.Variants[1].SKU = "S-1" }, "variants[1].sku"},
		{"duplicate variant id", func(p *wms.Product) { p.Variants[1].ExternalID = p.Variants[0].ExternalID }, "variants[1].external_id"},
		{"bad price", func(p *wms.Product) { p.Variants[0].Price = "ten" }, "variants[0].price"},
		{"negative cost", func(p *wms.Product) { p.Variants[0].Cost = "-1" }, "variants[0].cost"},
		{"bad unit", func(p *wms.Product) { p.Variants[0].Weight.Unit = "stone" }, "variants[0].weight.unit"},
		{"negative weight", func(p *wms.Product) { p.Variants[0].Weight.Value = "-0.1" }, "variants[0].weight.value"},
	}
	for _, tt := range tests {
		p := validProduct()
		tt.edit(&p)
		err := p.Validate()
		var ve *wms.ValidationError
		if !errors.As(err, &ve) || !errors.Is(err, wms.ErrInvalid) || ve.Field != tt.field {
			t.Errorf("%s: error %v, want a ValidationError for %s", tt.name, err, tt.field)
		}
	}
	// ValidateAll names the element.
	bad := validProduct()
	bad.Variants[1].SKU = ""
	err := wms.ValidateAll("products", []wms.Product{validProduct(), bad})
	var ve *wms.ValidationError
	if !errors.As(err, &ve) || ve.Field != "products[1].variants[1].sku" {
		t.Fatalf("ValidateAll: %v", err)
	}
	if !strings.Contains(err.Error(), "products[1].variants[1].sku") {
		t.Fatalf("message %q", err)
	}
}

func TestOrderValidate(t *testing.T) {
	t.Parallel()
	good := wms.Order{Shop: "dk", ExternalID: "1", Lines: []wms.OrderLine{{ExternalID: "l1", SKU: "A", Quantity: 1}}}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	if !good.Open() {
		t.Fatal(`status "" is open`)
	}
	// A deletion carries only the key.
	if err := (wms.Order{Shop: "dk", ExternalID: "1", Status: wms.OrderDeleted}).Validate(); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*wms.Order){
		"no shop":        func(o *wms.Order) { o.Shop = "" },
		"bad status":     func(o *wms.Order) { o.Status = "shipped" },
		"zero qty":       func(o *wms.Order) { o.Lines[0].Quantity = 0 },
		"no line id":     func(o *wms.Order) { o.Lines[0].ExternalID = "" },
		"no line sku":    func(o *wms.Order) { o.Lines[0].SKU = "" },
		"bad line price": func(o *wms.Order) { o.Lines[0].Price = "1.2.3" },
		"bad total":      func(o *wms.Order) { o.Total = "x" },
	} {
		o := good.Clone()
		edit(&o)
		if err := o.Validate(); !errors.Is(err, wms.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestOtherValidations(t *testing.T) {
	t.Parallel()
	day := wms.Date{Year: 2026, Month: 1, Day: 1}
	for name, err := range map[string]error{
		"movement zero delta":  wms.StockMovement{Shop: "s", ExternalID: "e", SKU: "A", Warehouse: "w", Reason: wms.ReasonPOSSale}.Validate(),
		"movement no reason":   wms.StockMovement{Shop: "s", ExternalID: "e", SKU: "A", Warehouse: "w", Delta: 1}.Validate(),
		"level no warehouse":   wms.StockLevel{SKU: "A"}.Validate(),
		"sales bad day":        wms.SalesRecord{Shop: "s", SKU: "A", Day: wms.Date{Year: 2026, Month: 2, Day: 30}}.Validate(),
		"sales bad amount":     wms.SalesRecord{Shop: "s", SKU: "A", Day: day, Amount: "1e2"}.Validate(),
		"cost missing":         wms.CostUpdate{SKU: "A"}.Validate(),
		"customs no sku":       wms.CustomsUpdate{}.Validate(),
		"refund no id":         wms.Refund{Order: wms.OrderKey{Shop: "s", ExternalID: "1"}}.Validate(),
		"refund no order":      wms.Refund{ID: "r"}.Validate(),
		"refund line zero qty": wms.Refund{ID: "r", Order: wms.OrderKey{Shop: "s", ExternalID: "1"}, Lines: []wms.RefundLine{{LineID: "l"}}}.Validate(),
	} {
		if !errors.Is(err, wms.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := (wms.SalesRecord{Shop: "s", SKU: "A", Day: day, Quantity: -2}).Validate(); err != nil {
		t.Errorf("a net return is a valid sales record: %v", err)
	}
}

func TestNotFoundError(t *testing.T) {
	t.Parallel()
	var nf wms.NotFoundError
	if nf.Err() != nil {
		t.Fatal("empty NotFoundError is not an error")
	}
	for _, s := range []string{"A", "B", "A", "C", "D", "E", "F"} {
		nf.Add("sku", s)
	}
	nf.Add("warehouse", "A")
	err := nf.Err()
	if !errors.Is(err, wms.ErrNotFound) || errors.Is(err, wms.ErrInvalid) {
		t.Fatalf("errors.Is: %v", err)
	}
	if len(nf.Missing) != 7 {
		t.Fatalf("missing %v", nf.Missing)
	}
	if msg := err.Error(); !strings.Contains(msg, `7 unknown keys`) || !strings.Contains(msg, "and 2 more") {
		t.Fatalf("message %q", msg)
	}
}

func TestEventJSONRoundTrip(t *testing.T) {
	t.Parallel()
	info := wms.EventInfo{ID: "ev-1", Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Seq: 7}
	order := wms.OrderKey{Shop: "dk", ExternalID: "gid://shopify/Order/1"}
	events := []wms.Event{
		wms.StockChanged{EventInfo: info, SKU: "A", Warehouse: "cph", OnHand: 5, Reserved: 2, Available: 3},
		wms.BarcodeChanged{EventInfo: info, SKU: "A", Barcode: "5701234567892", Previous: "1"},
		wms.OrderPacked{EventInfo: info, Order: order, Warehouse: "cph", Lines: []wms.PackedLine{{LineID: "l1", SKU: "A", Quantity: 2}},
			Tracking: &wms.Tracking{Company: "GLS", Number: "123"}},
		wms.PaymentCaptured{EventInfo: info, Order: order, Amount: "99.95", Currency: "DKK"},
		wms.PurchaseOrderClosed{EventInfo: info, PurchaseOrder: wms.PurchaseOrder{ID: "PO-1", Warehouse: "cph", Status: wms.PurchaseOrderStatusClosed,
			Lines: []wms.PurchaseOrderLine{{SKU: "A", Quantity: 3, UnitCost: "2.50", Received: 3}}, ClosedAt: info.Time},
			Costs: []wms.ItemCost{{SKU: "A", Cost: "2.50"}}},
		wms.RefundCreated{EventInfo: info, Refund: wms.Refund{ID: "r1", Order: order, Amount: "10.00",
			Lines: []wms.RefundLine{{LineID: "l1", SKU: "A", Quantity: 1, Restock: true, Amount: "10.00"}}}},
	}
	kinds := map[wms.EventKind]bool{}
	for _, e := range events {
		if kinds[e.Kind()] {
			t.Fatalf("kind %s twice", e.Kind())
		}
		kinds[e.Kind()] = true
		data, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		back, err := wms.UnmarshalEvent(e.Kind(), data)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(e, back) {
			t.Errorf("%s: round trip\n got  %+v\n want %+v", e.Kind(), back, e)
		}
		if back.Info() != info {
			t.Errorf("%s: info %+v", e.Kind(), back.Info())
		}
	}
	if _, err := wms.UnmarshalEvent("shipment.lost", []byte(`{}`)); !errors.Is(err, wms.ErrNotSupported) {
		t.Fatalf("unknown kind: %v", err)
	}
	if _, err := wms.UnmarshalEvent(wms.KindStockChanged, []byte(`{`)); err == nil {
		t.Fatal("bad JSON accepted")
	}
	// The JSON field names are part of the outbox format.
	data, _ := json.Marshal(events[0])
	if string(data) != `{"id":"ev-1","time":"2026-01-02T03:04:05Z","seq":7,"sku":"A","warehouse":"cph","on_hand":5,"reserved":2,"available":3}` {
		t.Fatalf("stock.changed JSON: %s", data)
	}
}

func TestEventValue(t *testing.T) {
	info := wms.EventInfo{ID: "e1"}
	for _, ev := range []wms.Event{
		wms.StockChanged{EventInfo: info, SKU: "A"}, wms.BarcodeChanged{EventInfo: info, SKU: "A"},
		wms.OrderPacked{EventInfo: info}, wms.PaymentCaptured{EventInfo: info},
		wms.PurchaseOrderClosed{EventInfo: info}, wms.RefundCreated{EventInfo: info},
	} {
		if got := wms.EventValue(ev); !reflect.DeepEqual(got, ev) {
			t.Errorf("value %T: got %#v", ev, got)
		}
		ptr := reflect.New(reflect.TypeOf(ev))
		ptr.Elem().Set(reflect.ValueOf(ev))
		if got := wms.EventValue(ptr.Interface().(wms.Event)); !reflect.DeepEqual(got, ev) {
			t.Errorf("pointer to %T: got %#v", ev, got)
		}
	}
}
