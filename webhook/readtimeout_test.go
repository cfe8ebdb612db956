package webhook_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// slowRequestHead is the start of a signed-looking delivery whose body is
// announced at 1,000 bytes; the test sends the body slowly or not at all.
const slowRequestHead = "POST /webhooks HTTP/1.1\r\nHost: wms.example\r\nContent-Type: application/json\r\n" +
	"Content-Length: 1000\r\nX-Shopify-Topic: orders/create\r\nX-Shopify-Hmac-Sha256: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n" +
	"X-Shopify-Shop-Domain: shop.myshopify.com\r\nX-Shopify-Webhook-Id: slow-1\r\n\r\n{\"id\":1,"

// openSlowBody connects to addr and sends slowRequestHead; with trickle it
// then sends one more byte every 50 ms until the connection breaks.
func openSlowBody(t *testing.T, addr string, trickle bool) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := io.WriteString(conn, slowRequestHead); err != nil {
		t.Fatal(err)
	}
	if trickle {
		go func() {
			for range 200 {
				time.Sleep(50 * time.Millisecond)
				if _, err := conn.Write([]byte(" ")); err != nil {
					return
				}
			}
		}()
	}
	return conn
}

// waitClosed reads conn until the server closes it or limit passes, and
// returns what the server sent and how long the connection stayed open.
func waitClosed(conn net.Conn, limit time.Duration) (answer string, open time.Duration, closed bool) {
	start := time.Now()
	_ = conn.SetReadDeadline(start.Add(limit))
	b, err := io.ReadAll(conn)
	open = time.Since(start)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return string(b), open, false
	}
	return string(b), open, true
}

// TestHandlerClosesStalledAndTricklingBodies: behind a server with no
// timeouts at all, a client that sends headers and then stalls its body,
// and one that trickles it a byte at a time, are both answered 408 and
// disconnected once the Handler's read timeout has passed; nothing is
// stored. With the timeout switched off the stalled connection stays open,
// which shows that the Handler, not the server, closed it.
func TestHandlerClosesStalledAndTricklingBodies(t *testing.T) {
	const timeout = 300 * time.Millisecond
	spy := &spyInbox{inner: webhook.NewMemoryInbox()}
	h := newTestHandler(t, spy, webhook.WithReadTimeout(timeout))
	srv := httptest.NewServer(h) // no ReadTimeout, ReadHeaderTimeout or IdleTimeout
	defer srv.Close()
	addr := srv.Listener.Addr().String()

	stalled := openSlowBody(t, addr, false)
	defer stalled.Close() // before srv.Close, which waits for running handlers
	trickling := openSlowBody(t, addr, true)
	defer trickling.Close()
	type result struct {
		name   string
		answer string
		open   time.Duration
		closed bool
	}
	results := make(chan result, 2)
	for name, conn := range map[string]net.Conn{"stalled": stalled, "trickling": trickling} {
		go func() {
			a, open, closed := waitClosed(conn, 5*time.Second)
			results <- result{name, a, open, closed}
		}()
	}
	for range 2 {
		r := <-results
		if !r.closed {
			t.Errorf("%s body: connection still open after %v", r.name, r.open)
			continue
		}
		// Closed at the deadline, not before (the slack allows for a busy
		// machine; the point is seconds, not forever).
		if r.open < timeout-50*time.Millisecond || r.open > timeout+2*time.Second {
			t.Errorf("%s body: connection closed after %v, want about %v", r.name, r.open, timeout)
		}
		if !strings.HasPrefix(r.answer, "HTTP/1.1 408") {
			t.Errorf("%s body: answer %q, want 408", r.name, firstLine(r.answer))
		}
	}
	if n := spy.puts.Load(); n != 0 {
		t.Errorf("%d slow bodies reached the inbox", n)
	}
	if st := h.Stats(); st.TimedOut != 2 {
		t.Errorf("Stats.TimedOut = %d, want 2", st.TimedOut)
	}

	// Control: the same server without the Handler's timeout keeps a
	// stalled body's connection open.
	off := newTestHandler(t, spy, webhook.WithReadTimeout(-1))
	srv2 := httptest.NewServer(off)
	defer srv2.Close()
	conn := openSlowBody(t, srv2.Listener.Addr().String(), false)
	_, open, closed := waitClosed(conn, 4*timeout)
	conn.Close() // ends the handler's read, so srv2.Close does not wait forever
	if closed {
		t.Fatalf("without the read timeout the connection closed after %v: the test does not show the Handler's effect", open)
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\r\n")
	return line
}

// TestHandlerReadTimeoutKeepsKeepAlive: a delivery whose body arrives in
// time is stored, and the deadline does not outlive it: the next delivery
// on the same kept-alive connection, sent after the timeout has passed, is
// stored too.
func TestHandlerReadTimeoutKeepsKeepAlive(t *testing.T) {
	const timeout = 200 * time.Millisecond
	spy := &spyInbox{inner: webhook.NewMemoryInbox()}
	h := newTestHandler(t, spy, webhook.WithReadTimeout(timeout))
	srv := httptest.NewServer(h)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	for i := range 2 {
		r := signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: []byte(`{"id":1}`),
			WebhookID: fmt.Sprintf("keep-%d", i)}, testSecret)
		r = r.WithContext(context.Background())
		if err := r.Write(conn); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, r)
		if err != nil {
			t.Fatalf("delivery %d: %v", i, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Close {
			t.Fatalf("delivery %d: status %d, close %v", i, resp.StatusCode, resp.Close)
		}
		time.Sleep(2 * timeout)
	}
	if n := spy.puts.Load(); n != 2 {
		t.Fatalf("%d deliveries stored, want 2", n)
	}
}
