package sync

import "testing"

// TestOutboxKeysStoredForms pins the stored forms of the outbox's routing
// keys: rows written by earlier versions must keep their meaning.
func TestOutboxKeysStoredForms(t *testing.T) {
	for _, tc := range []struct {
		e    entity
		want string
	}{
		{entity{}, ""},
		{skuEntity("SKU-1"), "sku:SKU-1"},
		{orderEntity("gid://shopify/Order/1"), "order:gid://shopify/Order/1"},
		{costsEntity(), "cost"},
	} {
		if got := tc.e.String(); got != tc.want {
			t.Errorf("%+v stored as %q, want %q", tc.e, got, tc.want)
		}
		if back := parseEntity(tc.want); back != tc.e {
			t.Errorf("%q read as %+v, want %+v", tc.want, back, tc.e)
		}
	}
	if sku, ok := parseEntity("sku:A:B").sku(); !ok || sku != "A:B" {
		t.Errorf("sku entity with a colon: %q %v", sku, ok)
	}
	if _, ok := parseEntity("order:1").sku(); ok {
		t.Error("an order entity read as a SKU")
	}
	for _, tc := range []struct {
		t    target
		want string
	}{
		{shopTarget(""), ""},
		{shopTarget("MyShopDK"), "MyShopDK"},
		{listenerTarget("erp"), "listener:erp"},
	} {
		if got := tc.t.String(); got != tc.want {
			t.Errorf("%+v stored as %q, want %q", tc.t, got, tc.want)
		}
		if back := parseTarget(tc.want); back != tc.t {
			t.Errorf("%q read as %+v", tc.want, back)
		}
	}
	if id := captureOnPackID("packed-1"); id != "packed-1/capture-on-pack" ||
		!isCaptureOnPack(OutboxMessage{ID: id}) || isCaptureOnPack(OutboxMessage{ID: "packed-1"}) {
		t.Errorf("capture-on-pack id %q", id)
	}
}
