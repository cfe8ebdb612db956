package sync_test

import (
	"fmt"
	"testing"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// BenchmarkProductImport measures the engine's own cost of importing
// products (fake shop, memwms, memstore): versions, batching, checkpoints.
func BenchmarkProductImport(b *testing.B) {
	const products = 5000
	for b.Loop() {
		b.StopTimer()
		e := newEnv(b)
		f := e.addShop("bench")
		f.pageSize = 250
		for i := range products {
			f.putProduct(product(fmt.Sprintf("P%05d", i), e.clock.Now(), fmt.Sprintf("SKU-%05d", i)))
		}
		b.StartTimer()
		if err := e.engine.RunStep(bg, "bench", wmssync.StepProducts, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(products*b.N)/b.Elapsed().Seconds(), "products/s")
}

// BenchmarkHandleEvent measures applying one order webhook from the inbox
// (decode, version check, upsert, version write).
func BenchmarkHandleEvent(b *testing.B) {
	e := newEnv(b)
	f := e.addShop("bench")
	e.throughOrders("bench")
	// Stock for every order: memwms re-evaluates its held orders on each
	// upsert, which would dominate the measurement.
	f.putProduct(product("P1", e.clock.Now(), "X"))
	e.runStep("bench", wmssync.StepProducts)
	if err := e.wms.Receive(bg, "cph", "X", 1<<40); err != nil {
		b.Fatal(err)
	}
	base := e.clock.Now()
	i := 0
	for b.Loop() {
		i++
		o := order(fmt.Sprint(i), "loc-cph", base.Add(time.Duration(i)*time.Second), line("L1", "X", 1))
		ev := &webhook.Event{Topic: topicOrdersCreate, Shop: f.domain, WebhookID: fmt.Sprint(i),
			TriggeredAt: base, Body: mustJSON(fakePayload{Order: &o})}
		if err := e.engine.HandleEvent(bg, ev); err != nil {
			b.Fatal(err)
		}
	}
}
