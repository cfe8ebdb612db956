package wootest

import (
	"bytes"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"
)

// FaultKind is what an injected fault does to a REST request. The faults
// are those of the hosts, firewalls and proxies in front of WooCommerce.
type FaultKind int

// Fault kinds.
const (
	// FaultStatus answers with Fault.Status (default 503) and an HTML
	// error page, as a host does; 429 carries Retry-After unless
	// Fault.NoRetryAfter.
	FaultStatus FaultKind = iota + 1
	// FaultChallenge answers 202 with an HTML bot-challenge page and
	// SG-Captcha: challenge, as SiteGround does; the request does not
	// reach WooCommerce.
	FaultChallenge
	// FaultNotImplemented answers PUT and DELETE with 501 Method Not
	// Implemented, as ModSecurity-style firewalls do (other methods pass).
	FaultNotImplemented
	// FaultGarbage serves the request and puts bytes before the JSON
	// answer (a PHP notice or a NUL byte), so the answer is not JSON
	// although the request ran.
	FaultGarbage
	// FaultEmpty answers 200 with an empty body without running the
	// request (a host under load).
	FaultEmpty
	// FaultSlow delays the request by Fault.Delay, then serves it.
	FaultSlow
	// FaultReset closes the connection without answering.
	FaultReset
)

// Fault describes a fault to inject into REST requests. Count > 0 affects
// the next Count matching requests; otherwise Rate in (0,1] is the
// probability for each matching request (from the server's seeded random
// source).
type Fault struct {
	Kind         FaultKind
	Status       int
	NoRetryAfter bool
	Delay        time.Duration
	// Store limits the fault to one store ("" = every store); Methods to
	// some HTTP methods (empty = all).
	Store   string
	Methods []string
	Count   int
	Rate    float64
}

type faultEntry struct {
	Fault
	id int
}

type faults struct {
	mu      sync.Mutex
	entries []*faultEntry
	nextID  int
	rng     *rand.Rand
}

// InjectFault adds a REST fault and returns a function that removes it.
// Faults are checked in the order they were added; the first that fires
// wins.
func (srv *Server) InjectFault(f Fault) (remove func()) {
	fs := &srv.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.nextID++
	e := &faultEntry{Fault: f, id: fs.nextID}
	fs.entries = append(fs.entries, e)
	return func() {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		fs.entries = slices.DeleteFunc(fs.entries, func(x *faultEntry) bool { return x.id == e.id })
	}
}

// ClearFaults removes every injected REST and webhook fault.
func (srv *Server) ClearFaults() {
	srv.faults.mu.Lock()
	srv.faults.entries = nil
	srv.faults.mu.Unlock()
	srv.wfaults.mu.Lock()
	srv.wfaults.entries = nil
	srv.wfaults.mu.Unlock()
}

func (fs *faults) pick(store, method string) *Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, e := range fs.entries {
		if e.Store != "" && e.Store != store {
			continue
		}
		if len(e.Methods) > 0 && !slices.Contains(e.Methods, method) {
			continue
		}
		if e.Kind == FaultNotImplemented && method != http.MethodPut && method != http.MethodDelete {
			continue
		}
		if e.Count > 0 {
			e.Count--
			f := e.Fault
			if e.Count == 0 {
				fs.entries = slices.Delete(fs.entries, i, i+1)
			}
			return &f
		}
		if e.Rate > 0 && fs.rng.Float64() < e.Rate {
			f := e.Fault
			return &f
		}
	}
	return nil
}

// serveFault applies f and reports whether the request was answered.
func serveFault(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	html := func(status int, title string) {
		w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
		w.WriteHeader(status)
		_, _ = w.Write([]byte("<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head><title>" + title + "</title></head><body><h1>" + title + "</h1></body></html>\n"))
	}
	switch f.Kind {
	case FaultSlow:
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return true
		}
		return false
	case FaultReset:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		html(http.StatusBadGateway, "502 Bad Gateway")
		return true
	case FaultChallenge:
		w.Header().Set("SG-Captcha", "challenge")
		html(http.StatusAccepted, "Robot Challenge Screen")
		return true
	case FaultNotImplemented:
		html(http.StatusNotImplemented, "501 Method Not Implemented")
		return true
	case FaultEmpty:
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(http.StatusOK)
		return true
	case FaultGarbage:
		return false
	default:
		status := f.Status
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		if status == http.StatusTooManyRequests && !f.NoRetryAfter {
			w.Header().Set("Retry-After", "1")
		}
		html(status, http.StatusText(status))
		return true
	}
}

// garbageWriter puts a PHP notice before the body.
type garbageWriter struct {
	http.ResponseWriter
	wrote bool
}

func (g *garbageWriter) Write(b []byte) (int, error) {
	if !g.wrote {
		g.wrote = true
		prefix := []byte("\x00<br />\n<b>Notice</b>:  Undefined index: HTTP_X in <b>/var/www/wp-content/plugins/x.php</b> on line <b>12</b><br />\n")
		if _, err := g.ResponseWriter.Write(prefix); err != nil {
			return 0, err
		}
	}
	if bytes.Equal(b, nil) {
		return 0, nil
	}
	return g.ResponseWriter.Write(b)
}

// WebhookFaultKind is what an injected fault does to a webhook delivery.
type WebhookFaultKind int

// Webhook fault kinds.
const (
	// WebhookDrop loses the delivery: nothing is sent and the webhook's
	// failure count is unchanged (a stalled WP-Cron, a lost Action
	// Scheduler run).
	WebhookDrop WebhookFaultKind = iota + 1
	// WebhookDelay holds the delivery (and those queued after it) for
	// WebhookFault.Delay.
	WebhookDelay
	// WebhookDuplicate sends the delivery twice.
	WebhookDuplicate
)

// WebhookFault describes a fault to inject into webhook deliveries, with
// Count and Rate as in Fault; Store and Topic narrow it.
type WebhookFault struct {
	Kind  WebhookFaultKind
	Delay time.Duration
	Store string
	Topic string
	Count int
	Rate  float64
}

type webhookFaults struct {
	mu      sync.Mutex
	entries []*WebhookFault
	rng     *rand.Rand
}

// InjectWebhookFault adds a delivery fault and returns a function that
// removes it.
func (srv *Server) InjectWebhookFault(f WebhookFault) (remove func()) {
	wf := &srv.wfaults
	wf.mu.Lock()
	defer wf.mu.Unlock()
	e := &f
	wf.entries = append(wf.entries, e)
	return func() {
		wf.mu.Lock()
		defer wf.mu.Unlock()
		wf.entries = slices.DeleteFunc(wf.entries, func(x *WebhookFault) bool { return x == e })
	}
}

func (wf *webhookFaults) pick(store, topic string) *WebhookFault {
	wf.mu.Lock()
	defer wf.mu.Unlock()
	for i, e := range wf.entries {
		if e.Store != "" && e.Store != store || e.Topic != "" && e.Topic != topic {
			continue
		}
		if e.Count > 0 {
			e.Count--
			f := *e
			if e.Count == 0 {
				wf.entries = slices.Delete(wf.entries, i, i+1)
			}
			return &f
		}
		if e.Rate > 0 && wf.rng.Float64() < e.Rate {
			f := *e
			return &f
		}
	}
	return nil
}
