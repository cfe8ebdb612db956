package shopifywebhook

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/webhook"
)

// TestRotate: during a client-secret rotation deliveries signed with the
// old or the new secret verify, the old one only for the overlap; the
// switch is safe while requests are verified (run with -race).
func TestRotate(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	src, err := NewSource("shpss_OLD_SECRET")
	if err != nil {
		t.Fatal(err)
	}
	src.now = clock
	body := []byte(`{"id":1}`)
	verify := func(secret string) error {
		r, err := NewSignedRequest(context.Background(), "http://wms.example/", TestDelivery{Topic: TopicOrdersDelete, Body: body, WebhookID: "w"}, secret)
		if err != nil {
			t.Fatal(err)
		}
		return src.Verify(context.Background(), r, body)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				_ = verify("shpss_OLD_SECRET")
			}
		}
	})
	if err := src.Rotate("shpss_NEW_SECRET", time.Hour); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	if err := verify("shpss_NEW_SECRET"); err != nil {
		t.Fatalf("new secret: %v", err)
	}
	if err := verify("shpss_OLD_SECRET"); err != nil {
		t.Fatalf("old secret within the overlap: %v", err)
	}
	if err := verify("shpss_OTHER"); !errors.Is(err, webhook.ErrInvalidSignature) {
		t.Fatalf("another secret: %v", err)
	}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(f, src); strings.Contains(s, "SECRET") {
			t.Errorf("%s shows a secret: %s", f, s)
		}
	}
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	if err := verify("shpss_OLD_SECRET"); !errors.Is(err, webhook.ErrInvalidSignature) {
		t.Fatalf("old secret after the overlap: %v", err)
	}
	if err := verify("shpss_NEW_SECRET"); err != nil {
		t.Fatalf("new secret after the overlap: %v", err)
	}
	if err := src.Rotate("", time.Hour); !errors.Is(err, webhook.ErrNoSecret) {
		t.Fatalf("rotating to no secret: %v", err)
	}
	if err := src.SetSecrets("shpss_THIRD"); err != nil || verify("shpss_THIRD") != nil || verify("shpss_NEW_SECRET") == nil {
		t.Fatalf("SetSecrets: %v", err)
	}
}
