package shopifytest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/wmsbridge/wmsbridge/internal/gqlexec"
)

// Bulk operations (bulkOperationRunQuery, bulkOperationCancel, the
// bulkOperation and bulkOperations queries, result downloads).
//
// What is faithful: the query is validated against the schema and
// Shopify's bulk rules (gqlexec.CheckBulkQuery: at least one connection,
// at most five, nesting depth two, edges > node, no top-level node, parent
// id) and rejected with userErrors code INVALID; it runs on the same
// executor and resolvers as ordinary queries, so the JSONL holds exactly the
// selected fields with aliases and "__parentId" on nested nodes; children
// come after their parent but interleaved across parents unless
// groupObjects is true; statuses go CREATED → RUNNING → COMPLETED (or
// CANCELING → CANCELED, or FAILED with errorCode and partialDataUrl) over
// time-scaled durations; at most five operations per shop are in progress
// (LIMIT_REACHED beyond); bulkOperations filters by status, operation_type,
// id and created_at and sorts newest first by default; results are served
// from a signed URL on the server that needs no access token and expires
// after seven (simulated) days, after which the operation reads EXPIRED; a
// finished operation records a bulk_operations/finish event (and so the
// webhook).
//
// What is simplified: the query runs as one snapshot under the shop's read
// lock (mutations wait for it); objectCount grows while RUNNING but there is
// no 10-day limit and no real timeout — FAILED and TIMEOUT happen only when
// injected with Server.InjectBulkFault; bulkOperationRunMutation is not
// simulated; result files live in memory.

// Bulk operation statuses (BulkOperationStatus).
const (
	BulkCreated   = "CREATED"
	BulkRunning   = "RUNNING"
	BulkCompleted = "COMPLETED"
	BulkCanceling = "CANCELING"
	BulkCanceled  = "CANCELED"
	BulkFailed    = "FAILED"
	BulkExpired   = "EXPIRED"
)

// MaxConcurrentBulkOperations is how many bulk operations a shop may have
// in progress at once (API versions 2026-01 and later).
const MaxConcurrentBulkOperations = 5

// bulkResultLifetime is how long result URLs stay valid (simulated time).
const bulkResultLifetime = 7 * 24 * time.Hour

// BulkOperation is a bulk query operation of a shop, as returned by the
// control API (a copy).
type BulkOperation struct {
	ID int64
	// Type is QUERY (bulk mutations are not simulated).
	Type string
	// Status is one of the Bulk* status constants.
	Status string
	// ErrorCode is "", ACCESS_DENIED, INTERNAL_SERVER_ERROR or TIMEOUT.
	ErrorCode    string
	Query        string
	GroupObjects bool
	// ObjectCount counts the JSONL lines written so far; RootObjectCount
	// the top-level lines (set when the operation finishes); FileSize the
	// bytes of the result file (COMPLETED only).
	ObjectCount     int64
	RootObjectCount int64
	FileSize        int64
	CreatedAt       time.Time
	CompletedAt     time.Time // zero until finished
	// URL is the result download URL (COMPLETED only); PartialDataURL the
	// partial result of a FAILED operation that wrote some lines. Neither
	// needs an access token.
	URL            string
	PartialDataURL string
}

// BulkFault makes the next Count bulk operations of a shop (or of every
// shop when Shop is "") fail after writing AfterObjects JSONL lines: the
// operation ends FAILED with ErrorCode (default INTERNAL_SERVER_ERROR; use
// "TIMEOUT" for a timeout) and, when lines were written, a partialDataUrl.
type BulkFault struct {
	Shop         string
	ErrorCode    string
	AfterObjects int64
	// Count is how many operations fail (default 1).
	Count int
}

// extOptions are the server options of bulk operations and webhook
// delivery (set through Option functions defined in this package's bulk.go
// and webhook_delivery.go).
type extOptions struct {
	bulkSet        bool
	bulkQueued     time.Duration
	bulkMinRunning time.Duration
	webhook        webhookOptions
}

// WithBulkDurations sets how long a bulk operation stays CREATED before it
// starts and for how long at least it stays RUNNING (simulated time,
// divided by the time scale; defaults 200ms and 300ms: long enough to observe
// each status by polling, short enough for test suites).
func WithBulkDurations(queued, minRunning time.Duration) Option {
	return func(c *serverConfig) {
		c.ext.bulkSet, c.ext.bulkQueued, c.ext.bulkMinRunning = true, queued, minRunning
	}
}

// startExtensions sets up bulk operations and webhook delivery; NewServer
// calls it once before adding shops.
func (srv *Server) startExtensions(o extOptions) {
	if !o.bulkSet {
		o.bulkQueued, o.bulkMinRunning = 200*time.Millisecond, 300*time.Millisecond
	}
	o.webhook = o.webhook.withDefaults()
	srv.bulk = newBulkManager(srv, o)
	srv.hooks = newWebhookDelivery(srv, o.webhook)
	srv.mux.HandleFunc("GET /bulk-operation-outputs/{shop}/{file}", srv.bulk.serveResult)
}

// stopExtensions stops background work; Close calls it.
func (srv *Server) stopExtensions() {
	if srv.hooks != nil {
		srv.hooks.close()
	}
	if srv.bulk != nil {
		srv.bulk.close()
	}
}

// ---- manager ---------------------------------------------------------------

type bulkManager struct {
	srv    *Server
	opts   extOptions
	key    []byte // signs result URLs
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	shops  map[*Shop]*shopBulk
	faults []*BulkFault
}

type shopBulk struct {
	order []int64 // creation order
	ops   map[int64]*bulkOp
}

type bulkOp struct {
	BulkOperation
	doc       *ast.QueryDocument
	data      []byte // final or partial output
	cancelReq chan struct{}
	done      chan struct{}
}

func newBulkManager(srv *Server, o extOptions) *bulkManager {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	ctx, cancel := context.WithCancel(context.Background())
	return &bulkManager{srv: srv, opts: o, key: key, ctx: ctx, cancel: cancel, shops: map[*Shop]*shopBulk{}}
}

func (m *bulkManager) close() {
	m.cancel()
	m.wg.Wait()
}

func (m *bulkManager) shop(s *Shop) *shopBulk {
	sb := m.shops[s]
	if sb == nil {
		sb = &shopBulk{ops: map[int64]*bulkOp{}}
		m.shops[s] = sb
	}
	return sb
}

// InjectBulkFault arranges for bulk operations to fail (see BulkFault). It
// returns a function that removes the fault if it has not fired yet.
func (srv *Server) InjectBulkFault(f BulkFault) (remove func()) {
	if f.Count <= 0 {
		f.Count = 1
	}
	if f.ErrorCode == "" {
		f.ErrorCode = "INTERNAL_SERVER_ERROR"
	}
	m := srv.bulk
	fp := &f
	m.mu.Lock()
	m.faults = append(m.faults, fp)
	m.mu.Unlock()
	return func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if i := slices.Index(m.faults, fp); i >= 0 {
			m.faults = slices.Delete(m.faults, i, i+1)
		}
	}
}

func (m *bulkManager) takeFault(shop string) *BulkFault {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, f := range m.faults {
		if f.Shop != "" && f.Shop != shop {
			continue
		}
		out := *f
		f.Count--
		if f.Count <= 0 {
			m.faults = slices.Delete(m.faults, i, i+1)
		}
		return &out
	}
	return nil
}

// ---- control API -------------------------------------------------------------

// BulkOperations returns the shop's bulk operations, oldest first.
func (s *Shop) BulkOperations() []BulkOperation {
	m := s.srv.bulk
	m.mu.Lock()
	defer m.mu.Unlock()
	sb := m.shop(s)
	out := make([]BulkOperation, 0, len(sb.order))
	for _, id := range sb.order {
		out = append(out, m.view(sb.ops[id]))
	}
	return out
}

// BulkOperation returns one bulk operation of the shop.
func (s *Shop) BulkOperation(id int64) (BulkOperation, bool) {
	m := s.srv.bulk
	m.mu.Lock()
	defer m.mu.Unlock()
	op := m.shop(s).ops[id]
	if op == nil {
		return BulkOperation{}, false
	}
	return m.view(op), true
}

// WaitBulkOperation blocks until the bulk operation has finished
// (COMPLETED, CANCELED or FAILED) or ctx ends, and returns its state.
func (s *Shop) WaitBulkOperation(ctx context.Context, id int64) (BulkOperation, error) {
	m := s.srv.bulk
	m.mu.Lock()
	op := m.shop(s).ops[id]
	m.mu.Unlock()
	if op == nil {
		return BulkOperation{}, fmt.Errorf("%w: bulk operation %d", ErrNotFound, id)
	}
	select {
	case <-op.done:
	case <-ctx.Done():
		return BulkOperation{}, ctx.Err()
	}
	b, _ := s.BulkOperation(id)
	return b, nil
}

// BulkResult returns the result file (or partial data) of a finished bulk
// operation, as the download URL serves it.
func (s *Shop) BulkResult(id int64) ([]byte, bool) {
	m := s.srv.bulk
	m.mu.Lock()
	defer m.mu.Unlock()
	op := m.shop(s).ops[id]
	if op == nil || (op.Status != BulkCompleted && op.Status != BulkFailed) {
		return nil, false
	}
	return op.data, op.data != nil
}

// view returns the public state of op, with the lazily derived EXPIRED
// status. Callers hold m.mu.
func (m *bulkManager) view(op *bulkOp) BulkOperation {
	b := op.BulkOperation
	if !b.CompletedAt.IsZero() && m.srv.now().After(b.CompletedAt.Add(bulkResultLifetime)) && (b.Status == BulkCompleted || b.Status == BulkFailed) {
		b.Status, b.URL, b.PartialDataURL = BulkExpired, "", ""
	}
	return b
}

// ---- GraphQL ------------------------------------------------------------------

// bulkMutation serves bulkOperationRunQuery and bulkOperationCancel. The
// shop's write lock is held.
func (s *Shop) bulkMutation(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	m := s.srv.bulk
	switch f.Name {
	case "bulkOperationRunQuery":
		op, errs := m.start(s, f.ArgString("query"), f.Args["groupObjects"] == true)
		var obj any
		if op != nil {
			obj = bulkObj{*op}
		}
		return payload("BulkOperationRunQueryPayload", "BulkOperationUserError", errs, "bulkOperation", obj), nil
	case "bulkOperationCancel":
		id, ok := parseID(f.Args["id"], "BulkOperation")
		var op *BulkOperation
		errs := []userError{{Field: []string{"id"}, Message: "Bulk operation does not exist"}}
		if ok {
			op, errs = m.cancelOp(s, id)
		}
		var obj any
		if op != nil {
			obj = bulkObj{*op}
		}
		return payload("BulkOperationCancelPayload", "UserError", errs, "bulkOperation", obj), nil
	}
	return nil, notSimulated("Mutation", f.Name)
}

// bulkQuery serves the bulkOperation, bulkOperations and (deprecated)
// currentBulkOperation root fields. The shop's read lock is held.
func (s *Shop) bulkQuery(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	m := s.srv.bulk
	m.mu.Lock()
	sb := m.shop(s)
	all := make([]BulkOperation, 0, len(sb.order))
	for _, id := range sb.order {
		all = append(all, m.view(sb.ops[id]))
	}
	m.mu.Unlock()
	switch f.Name {
	case "bulkOperation":
		if id, ok := parseID(f.Args["id"], "BulkOperation"); ok {
			for _, b := range all {
				if b.ID == id {
					return bulkObj{b}, nil
				}
			}
		}
		return nil, nil
	case "currentBulkOperation":
		if t := f.ArgString("type"); t != "" && t != "QUERY" {
			return nil, nil
		}
		if len(all) == 0 {
			return nil, nil
		}
		return bulkObj{all[len(all)-1]}, nil
	case "bulkOperations":
		filter := searchFilter(f)
		var list []BulkOperation
		for _, b := range all {
			if filter.match(func(field string) ([]string, bool) {
				switch field {
				case "status":
					return []string{b.Status}, true
				case "operation_type":
					return []string{b.Type}, true
				case "id":
					return []string{legacy(b.ID)}, true
				case "created_at":
					return []string{fmtTime(b.CreatedAt)}, true
				}
				return nil, false
			}) {
				list = append(list, b)
			}
		}
		if f.ArgString("sortKey") == "COMPLETED_AT" {
			slices.SortStableFunc(list, func(a, b BulkOperation) int { return a.CompletedAt.Compare(b.CompletedAt) })
		}
		slices.Reverse(list) // newest first unless reverse: true
		return connect(ctx, f, "BulkOperationConnection", reverseIf(f, list), func(b BulkOperation) int64 { return b.ID }, func(b BulkOperation) gqlexec.Object { return bulkObj{b} })
	}
	return nil, notSimulated("QueryRoot", f.Name)
}

// bulkNode resolves node(id:) for a bulk operation of the shop (nil when
// unknown).
func (s *Shop) bulkNode(id int64) gqlexec.Object {
	if b, ok := s.BulkOperation(id); ok {
		return bulkObj{b}
	}
	return nil
}

type bulkObj struct{ b BulkOperation }

func (o bulkObj) TypeName() string { return "BulkOperation" }

func (o bulkObj) Field(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	b := o.b
	switch f.Name {
	case "id":
		return gid("BulkOperation", b.ID), nil
	case "status":
		return b.Status, nil
	case "type":
		return b.Type, nil
	case "errorCode":
		return nilIfEmpty(b.ErrorCode), nil
	case "query":
		return b.Query, nil
	case "createdAt":
		return dt(b.CreatedAt), nil
	case "completedAt":
		return dt(b.CompletedAt), nil
	case "objectCount":
		return b.ObjectCount, nil
	case "rootObjectCount":
		return b.RootObjectCount, nil
	case "fileSize":
		if b.Status != BulkCompleted {
			return nil, nil
		}
		return b.FileSize, nil
	case "url":
		return nilIfEmpty(b.URL), nil
	case "partialDataUrl":
		return nilIfEmpty(b.PartialDataURL), nil
	}
	return nil, notSimulated("BulkOperation", f.Name)
}

// ---- lifecycle ------------------------------------------------------------------

// start validates a bulk query and starts the operation. The shop's write
// lock is held (IDs come from the shop).
func (m *bulkManager) start(s *Shop, query string, group bool) (*BulkOperation, []userError) {
	invalid := func(msgs ...string) (*BulkOperation, []userError) {
		errs := make([]userError, len(msgs))
		for i, msg := range msgs {
			errs[i] = userError{Field: []string{"query"}, Message: msg, Code: "INVALID"}
		}
		return nil, errs
	}
	doc, gerrs := m.srv.parseAndValidate(query)
	if gerrs != nil {
		msgs := make([]string, len(gerrs))
		for i, e := range gerrs {
			msgs[i] = "Invalid bulk query: " + e.Message
		}
		return invalid(msgs...)
	}
	if len(doc.Operations) != 1 {
		return invalid("Bulk queries must contain exactly one operation.")
	}
	if err := gqlexec.CheckBulkQuery(m.srv.schema, doc); err != nil {
		var bq *gqlexec.BulkQueryError
		if errors.As(err, &bq) {
			return invalid(bq.Messages...)
		}
		return invalid(err.Error())
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	sb := m.shop(s)
	active := 0
	for _, id := range sb.order {
		switch sb.ops[id].Status {
		case BulkCreated, BulkRunning, BulkCanceling:
			active++
		}
	}
	if active >= MaxConcurrentBulkOperations {
		return nil, []userError{{Field: nil, Code: "LIMIT_REACHED",
			Message: fmt.Sprintf("A maximum of %d bulk operations can run at the same time for this app and shop. Wait for one to finish or cancel one.", MaxConcurrentBulkOperations)}}
	}
	op := &bulkOp{
		BulkOperation: BulkOperation{ID: s.newID(), Type: "QUERY", Status: BulkCreated, Query: query, GroupObjects: group, CreatedAt: s.now()},
		doc:           doc, cancelReq: make(chan struct{}), done: make(chan struct{}),
	}
	sb.ops[op.ID] = op
	sb.order = append(sb.order, op.ID)
	m.wg.Add(1)
	go m.run(s, op)
	b := op.BulkOperation
	return &b, nil
}

// cancelOp requests cancellation. The shop's write lock is held.
func (m *bulkManager) cancelOp(s *Shop, id int64) (*BulkOperation, []userError) {
	m.mu.Lock()
	defer m.mu.Unlock()
	op := m.shop(s).ops[id]
	if op == nil {
		return nil, []userError{{Field: []string{"id"}, Message: "Bulk operation does not exist"}}
	}
	switch op.Status {
	case BulkCreated, BulkRunning:
		op.Status = BulkCanceling
		close(op.cancelReq)
		b := op.BulkOperation
		return &b, nil
	case BulkCanceling:
		b := op.BulkOperation
		return &b, nil
	}
	b := m.view(op)
	return &b, []userError{{Field: nil, Message: fmt.Sprintf("A bulk operation cannot be canceled when it is %s", lowerStatus(b.Status))}}
}

func lowerStatus(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// sleep waits d of simulated time; it reports false when the operation was
// canceled or the server closed meanwhile.
func (m *bulkManager) sleep(op *bulkOp, d time.Duration) bool {
	d = m.srv.Scaled(d)
	if d <= 0 {
		select {
		case <-op.cancelReq:
			return false
		case <-m.ctx.Done():
			return false
		default:
			return true
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-op.cancelReq:
		return false
	case <-m.ctx.Done():
		return false
	}
}

var errBulkFault = errors.New("shopifytest: injected bulk fault")

// bulkWriter collects the JSONL, counts lines as they are written (the
// live objectCount) and stops after limit lines when a fault is injected.
type bulkWriter struct {
	m     *bulkManager
	op    *bulkOp
	buf   bytes.Buffer
	lines int64
	limit int64 // < 0: none
}

func (w *bulkWriter) Write(p []byte) (int, error) {
	n := bytes.Count(p, []byte{'\n'})
	if w.limit >= 0 && w.lines+int64(n) >= w.limit {
		// keep exactly limit lines
		keep := 0
		for i := w.lines; i < w.limit; i++ {
			j := bytes.IndexByte(p[keep:], '\n')
			keep += j + 1
		}
		w.buf.Write(p[:keep])
		w.setLines(w.limit)
		return keep, errBulkFault
	}
	w.buf.Write(p)
	w.setLines(w.lines + int64(n))
	return len(p), nil
}

func (w *bulkWriter) setLines(n int64) {
	w.lines = n
	w.m.mu.Lock()
	w.op.ObjectCount = n
	w.m.mu.Unlock()
}

// run drives one operation through its states.
func (m *bulkManager) run(s *Shop, op *bulkOp) {
	defer m.wg.Done()
	defer close(op.done)
	if !m.sleep(op, m.opts.bulkQueued) {
		m.finish(s, op, BulkCanceled, "", nil, 0)
		return
	}
	m.mu.Lock()
	if op.Status == BulkCreated {
		op.Status = BulkRunning
	}
	m.mu.Unlock()
	started := time.Now()
	fault := m.takeFault(s.name)
	w := &bulkWriter{m: m, op: op, limit: -1}
	if fault != nil {
		w.limit = fault.AfterObjects
	}
	ctx, cancel := context.WithCancel(m.ctx)
	go func() {
		select {
		case <-op.cancelReq:
			cancel()
		case <-ctx.Done():
		}
	}()
	var roots int64
	var err error
	if fault == nil || fault.AfterObjects > 0 {
		s.mu.RLock()
		_, roots, err = gqlexec.WriteBulkJSONL(ctx, w, m.srv.schema, op.doc, nil, &rootObject{s: s}, !op.GroupObjects)
		s.mu.RUnlock()
	}
	canceled := ctx.Err() != nil
	cancel()
	if fault == nil && !canceled {
		// keep RUNNING observable for the minimum (simulated) duration
		if rest := m.opts.bulkMinRunning - time.Duration(float64(time.Since(started))*m.srv.scale); rest > 0 && !m.sleep(op, rest) {
			canceled = true
		}
	}
	switch {
	case canceled:
		m.finish(s, op, BulkCanceled, "", nil, 0)
	case fault != nil:
		m.finish(s, op, BulkFailed, fault.ErrorCode, w.buf.Bytes(), 0)
	case err != nil:
		code := "INTERNAL_SERVER_ERROR"
		var list gqlerror.List
		if errors.As(err, &list) {
			for _, e := range list {
				if c, _ := e.Extensions["code"].(string); c == "ACCESS_DENIED" {
					code = "ACCESS_DENIED"
				}
			}
		}
		m.finish(s, op, BulkFailed, code, w.buf.Bytes(), roots)
	default:
		m.finish(s, op, BulkCompleted, "", w.buf.Bytes(), roots)
	}
}

// finish records the final state and the bulk_operations/finish event.
func (m *bulkManager) finish(s *Shop, op *bulkOp, status, code string, data []byte, roots int64) {
	if m.ctx.Err() != nil {
		return // server closed
	}
	m.mu.Lock()
	op.Status, op.ErrorCode = status, code
	op.CompletedAt = s.now()
	op.RootObjectCount = roots
	switch status {
	case BulkCompleted:
		op.data = data
		op.FileSize = int64(len(data))
		op.URL = m.resultURL(s, op, "final")
	case BulkFailed:
		if len(data) > 0 {
			op.data = data
			op.PartialDataURL = m.resultURL(s, op, "partial")
		}
	}
	snap := op.BulkOperation
	m.mu.Unlock()
	s.mu.Lock()
	s.emit("bulk_operations/finish", "BulkOperation", snap.ID, &snap)
	s.unlock()
}

// ---- result downloads -------------------------------------------------------------

// resultURL is a signed download URL, shaped like the signed Google Cloud
// Storage URLs Shopify hands out.
func (m *bulkManager) resultURL(s *Shop, op *bulkOp, kind string) string {
	file := fmt.Sprintf("%d-%s", op.ID, kind)
	exp := op.CompletedAt.Add(bulkResultLifetime).Unix()
	q := url.Values{}
	q.Set("GoogleAccessId", "shopifytest")
	q.Set("Expires", strconv.FormatInt(exp, 10))
	q.Set("Signature", m.sign(s.name, file, exp))
	q.Set("response-content-disposition", fmt.Sprintf(`attachment; filename="bulk-%d.jsonl"; filename*=UTF-8''bulk-%d.jsonl`, op.ID, op.ID))
	q.Set("response-content-type", "application/jsonl")
	return m.srv.URL + "/bulk-operation-outputs/" + url.PathEscape(s.name) + "/" + file + "?" + q.Encode()
}

func (m *bulkManager) sign(shop, file string, exp int64) string {
	h := hmac.New(sha256.New, m.key)
	fmt.Fprintf(h, "%s\n%s\n%d", shop, file, exp)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func (m *bulkManager) serveResult(w http.ResponseWriter, r *http.Request) {
	shop, file := r.PathValue("shop"), r.PathValue("file")
	q := r.URL.Query()
	exp, err := strconv.ParseInt(q.Get("Expires"), 10, 64)
	gcsError := func(status int, code, msg string) {
		w.Header().Set("Content-Type", "application/xml; charset=UTF-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<?xml version='1.0' encoding='UTF-8'?><Error><Code>%s</Code><Message>%s</Message></Error>", code, msg)
	}
	if err != nil || !hmac.Equal([]byte(q.Get("Signature")), []byte(m.sign(shop, file, exp))) {
		gcsError(http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	}
	if m.srv.now().Unix() > exp {
		gcsError(http.StatusBadRequest, "ExpiredToken", "The provided token has expired.")
		return
	}
	s := m.srv.Shop(shop)
	idText, kind, _ := cutLast(file, "-")
	id, _ := strconv.ParseInt(idText, 10, 64)
	var data []byte
	if s != nil {
		m.mu.Lock()
		if op := m.shop(s).ops[id]; op != nil && ((kind == "final" && op.Status == BulkCompleted) || (kind == "partial" && op.Status == BulkFailed)) {
			data = op.data
		}
		m.mu.Unlock()
	}
	if data == nil {
		gcsError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	w.Header().Set("Content-Type", "application/jsonl")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

func cutLast(s, sep string) (before, after string, found bool) {
	for i := len(s) - len(sep); i >= 0; i-- {
		if s[i:i+len(sep)] == sep {
			return s[:i], s[i+len(sep):], true
		}
	}
	return s, "", false
}
