package shopifytest

import (
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// FaultKind is what an injected fault does to a request.
type FaultKind int

// Fault kinds.
const (
	// FaultStatus answers with Fault.Status (default 503) and a
	// Shopify-like error body; 429 carries Retry-After.
	FaultStatus FaultKind = iota + 1
	// FaultSlow delays the request by Fault.Delay (real time) and then
	// serves it normally.
	FaultSlow
	// FaultReset closes the TCP connection without answering.
	FaultReset
)

// Fault describes a fault to inject into GraphQL and token requests.
// Exactly one of Count and Rate selects the affected requests: Count > 0
// affects the next Count matching requests; otherwise Rate in (0,1] is the
// probability for each matching request (drawn from the server's seeded
// random source, so runs are reproducible for sequential requests).
type Fault struct {
	Kind   FaultKind
	Status int           // FaultStatus: HTTP status, default 503
	Delay  time.Duration // FaultSlow: how long to stall
	// Shop limits the fault to one shop ("" = every shop).
	Shop  string
	Count int
	Rate  float64
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

// InjectFault adds a fault and returns a function that removes it. Faults
// are checked in the order they were added; the first one that fires wins.
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
		for i, x := range fs.entries {
			if x.id == e.id {
				fs.entries = append(fs.entries[:i], fs.entries[i+1:]...)
				return
			}
		}
	}
}

// ClearFaults removes every injected fault.
func (srv *Server) ClearFaults() {
	srv.faults.mu.Lock()
	defer srv.faults.mu.Unlock()
	srv.faults.entries = nil
}

// pick returns the fault that fires for a request to shop, if any.
func (fs *faults) pick(shop string) *Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, e := range fs.entries {
		if e.Shop != "" && e.Shop != shop {
			continue
		}
		if e.Count > 0 {
			e.Count--
			f := e.Fault
			if e.Count == 0 {
				fs.entries = append(fs.entries[:i:i], fs.entries[i+1:]...)
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

// serveFault applies f. It reports whether the request was answered (or
// dropped) and must not be served normally.
func serveFault(w http.ResponseWriter, r *http.Request, f *Fault) bool {
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
		// Not hijackable (HTTP/2): the closest thing is a gateway error.
		w.WriteHeader(http.StatusBadGateway)
		return true
	default:
		status := f.Status
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		body := `{"errors":"Internal Server Error"}`
		switch {
		case status == http.StatusTooManyRequests:
			w.Header().Set("Retry-After", "2.0")
			body = `{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`
		case status == http.StatusServiceUnavailable:
			body = `{"errors":"Service Unavailable"}`
		case status == http.StatusBadGateway:
			body = `{"errors":"Bad Gateway"}`
		case status == http.StatusGatewayTimeout:
			body = `{"errors":"Gateway Timeout"}`
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
		return true
	}
}
