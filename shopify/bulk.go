package shopify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// BulkOperationsService runs bulk queries: Shopify executes a query over a
// whole shop in the background and leaves the result as a JSONL file, which
// costs a handful of API calls instead of thousands of pages.
//
// The usual flow is Run (start, wait, done) followed by Open and a streaming
// reader (BulkRows, GroupBulkRows). The steps are also exposed one by one so
// that a process can store an operation's ID, crash, and resume waiting with
// Wait(ctx, id, ...) after a restart.
//
// A BulkOperationsService is safe for concurrent use.
type BulkOperationsService struct{ client *Client }

// BulkOperationStatus is the state of a bulk operation.
type BulkOperationStatus string

// Bulk operation states. Canceled, Completed, Expired and Failed are final.
const (
	BulkCreated   BulkOperationStatus = "CREATED"
	BulkRunning   BulkOperationStatus = "RUNNING"
	BulkCompleted BulkOperationStatus = "COMPLETED"
	BulkCanceling BulkOperationStatus = "CANCELING"
	BulkCanceled  BulkOperationStatus = "CANCELED"
	BulkFailed    BulkOperationStatus = "FAILED"
	BulkExpired   BulkOperationStatus = "EXPIRED"
)

// Done reports whether s is final: the operation will not change any more.
func (s BulkOperationStatus) Done() bool {
	switch s {
	case BulkCompleted, BulkCanceled, BulkFailed, BulkExpired:
		return true
	}
	return false
}

// BulkOperation is Shopify's record of a bulk operation.
type BulkOperation struct {
	ID     string              `json:"id"`
	Status BulkOperationStatus `json:"status"`
	// ErrorCode is set on failure: ACCESS_DENIED, INTERNAL_SERVER_ERROR or
	// TIMEOUT.
	ErrorCode string `json:"errorCode"`
	// Type is QUERY or MUTATION.
	Type  string `json:"type"`
	Query string `json:"query"`
	// URL is the result file of a completed operation ("" when the
	// operation found no objects). PartialDataURL is what a failed
	// operation managed to write before failing. Both expire 7 days after
	// completion.
	URL            string `json:"url"`
	PartialDataURL string `json:"partialDataUrl"`
	// ObjectCount counts every row written, RootObjectCount the top-level
	// ones. Shopify sends both as strings (UnsignedInt64).
	ObjectCount     Uint64     `json:"objectCount"`
	RootObjectCount Uint64     `json:"rootObjectCount"`
	FileSize        Uint64     `json:"fileSize"`
	CreatedAt       time.Time  `json:"createdAt"`
	CompletedAt     *time.Time `json:"completedAt"`
}

// BulkOperationError reports a bulk operation that ended without a complete
// result: FAILED (for example ErrorCode TIMEOUT), CANCELED or EXPIRED.
// Operation.PartialDataURL, when set, holds the rows written before the
// failure; open it with OpenPartial.
type BulkOperationError struct {
	Operation *BulkOperation
}

func (e *BulkOperationError) Error() string {
	op := e.Operation
	msg := fmt.Sprintf("shopify: bulk operation %s ended %s", op.ID, op.Status)
	if op.ErrorCode != "" {
		msg += " (" + op.ErrorCode + ")"
	}
	if op.PartialDataURL != "" {
		msg += "; partial data available"
	}
	return msg
}

// Is makes errors.Is(err, ErrBulkOperationFailed) true.
func (e *BulkOperationError) Is(target error) bool { return target == ErrBulkOperationFailed }

// ErrBulkOperationFailed matches (errors.Is) every *BulkOperationError.
var ErrBulkOperationFailed = errors.New("shopify: bulk operation did not complete")

// ErrBulkLimitReached is matched (errors.Is) by the error of RunQuery when
// the shop already runs the maximum number of concurrent bulk operations
// (5 from API 2026-01) and queueing is off or timed out.
var ErrBulkLimitReached = errors.New("shopify: bulk operation limit reached")

// BulkQueryOptions tunes RunQuery and Run. The zero value is valid.
type BulkQueryOptions struct {
	// GroupObjects asks Shopify to write every object's children directly
	// after it, so GroupAdjacentBulkRows can group in streaming memory. It
	// makes the operation slower and more likely to time out; default
	// false (use GroupBulkRows to group without it).
	GroupObjects bool
	// NoQueue makes RunQuery fail with ErrBulkLimitReached when the shop's
	// bulk operation slots are all taken. By default RunQuery waits for a
	// slot, polling with the Wait backoff, until ctx ends.
	NoQueue bool
	// Wait tunes the waiting of Run, and the queueing of RunQuery.
	Wait *WaitOptions
}

// WaitOptions tunes Wait. The zero value polls after 1 s, doubling up to
// 30 s between polls, with ±20 % jitter, until ctx ends.
type WaitOptions struct {
	// MinInterval is the first delay between polls; default 1 s.
	MinInterval time.Duration
	// MaxInterval caps the delay between polls; default 30 s. With
	// Notifier set it is the fallback poll period; default then 60 s.
	MaxInterval time.Duration
	// Notifier, when set, wakes the waiter as soon as a
	// bulk_operations/finish webhook for the operation is fed into it, so
	// polling becomes a slow safety net.
	Notifier *BulkNotifier
	// OnPoll, when set, is called with each polled state (for progress
	// reporting: ObjectCount grows while the operation runs).
	OnPoll func(*BulkOperation)
}

func (o *WaitOptions) intervals() (minI, maxI time.Duration) {
	minI, maxI = time.Second, 30*time.Second
	if o == nil {
		return
	}
	if o.Notifier != nil {
		maxI = time.Minute
	}
	if o.MinInterval > 0 {
		minI = o.MinInterval
	}
	if o.MaxInterval > 0 {
		maxI = o.MaxInterval
	}
	if maxI < minI {
		maxI = minI
	}
	return
}

// RunQuery starts a bulk query and returns the created operation (status
// CREATED or RUNNING). query is the GraphQL query text; build it from a
// document with variables using InlineBulkQuery, or take a ready-made one
// (BulkProductsQuery, BulkInventoryLevelsQuery, BulkOrdersQuery).
//
// When every bulk slot of the shop is taken (userError LIMIT_REACHED or
// OPERATION_IN_PROGRESS) RunQuery queues: it retries with the Wait backoff
// until a slot frees or ctx ends, unless opts.NoQueue is set. Other
// userErrors are returned as the core's user-errors error.
//
// Not idempotent: each successful call starts a new operation. Store the
// returned ID to resume after a restart.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/mutations/bulkOperationRunQuery
func (s *BulkOperationsService) RunQuery(ctx context.Context, query string, opts *BulkQueryOptions) (*BulkOperation, error) {
	if opts == nil {
		opts = &BulkQueryOptions{}
	}
	minI, maxI := opts.Wait.intervals()
	delay := minI
	for queued := false; ; queued = true {
		var out struct {
			P struct {
				BulkOperation *BulkOperation `json:"bulkOperation"`
				UserErrors    []UserError    `json:"userErrors"`
			} `json:"bulkOperationRunQuery"`
		}
		_, err := s.client.Do(ctx, &Request{
			Query:         opBulkOperationRunQuery,
			OperationName: "bulkOperationRunQuery",
			Variables:     map[string]any{"query": query, "groupObjects": opts.GroupObjects},
		}, &out)
		if err != nil {
			if queued && ctx.Err() != nil {
				return nil, fmt.Errorf("%w: still queued: %w", ErrBulkLimitReached, err)
			}
			return nil, err
		}
		p := out.P
		if len(p.UserErrors) == 0 {
			if p.BulkOperation == nil {
				return nil, errors.New("shopify: bulkOperationRunQuery returned no operation")
			}
			return p.BulkOperation, nil
		}
		if !limitReached(p.UserErrors) {
			return nil, CheckUserErrors("bulkOperationRunQuery", p.UserErrors)
		}
		if opts.NoQueue {
			return nil, fmt.Errorf("%w: %w", ErrBulkLimitReached, CheckUserErrors("bulkOperationRunQuery", p.UserErrors))
		}
		if err := sleepCtx(ctx, jitter(delay)); err != nil {
			return nil, fmt.Errorf("%w: still queued: %w", ErrBulkLimitReached, err)
		}
		delay = min(delay*2, maxI)
	}
}

func limitReached(errs []UserError) bool {
	for _, e := range errs {
		if e.Code == "LIMIT_REACHED" || e.Code == "OPERATION_IN_PROGRESS" {
			return true
		}
	}
	return false
}

// Get returns the current state of a bulk operation, or an error wrapping
// ErrBulkOperationNotFound when the ID is unknown. Read-only, safe to retry.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/queries/bulkOperation
func (s *BulkOperationsService) Get(ctx context.Context, id string) (*BulkOperation, error) {
	var out struct {
		Op *BulkOperation `json:"bulkOperation"`
	}
	if _, err := s.client.Do(ctx, &Request{
		Query:         opBulkOperation,
		OperationName: "bulkOperation",
		Variables:     map[string]any{"id": id},
	}, &out); err != nil {
		return nil, err
	}
	if out.Op == nil {
		return nil, fmt.Errorf("%w: bulk operation %s", ErrBulkOperationNotFound, id)
	}
	return out.Op, nil
}

// ErrBulkOperationNotFound is wrapped by Get and Wait for an unknown ID.
var ErrBulkOperationNotFound = errors.New("shopify: bulk operation not found")

// List returns the shop's bulk operations of this app matching a search
// query in Shopify's syntax (filters: created_at, id, operation_type,
// status; "" for all), newest first, at most limit of them (0 means 50).
// List(ctx, "status:RUNNING", 0) shows what occupies the concurrency slots.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/queries/bulkOperations
func (s *BulkOperationsService) List(ctx context.Context, query string, limit int) ([]BulkOperation, error) {
	if limit <= 0 {
		limit = 50
	}
	var ops []BulkOperation
	after := ""
	for len(ops) < limit {
		vars := map[string]any{"first": min(limit-len(ops), 250), "query": nilIfEmpty(query)}
		if after != "" {
			vars["after"] = after
		}
		var out struct {
			C Connection[BulkOperation] `json:"bulkOperations"`
		}
		if _, err := s.client.Do(ctx, &Request{Query: opBulkOperations, OperationName: "bulkOperations", Variables: vars}, &out); err != nil {
			return nil, err
		}
		ops = append(ops, out.C.Nodes...)
		if !out.C.PageInfo.HasNextPage || out.C.PageInfo.EndCursor == "" {
			break
		}
		after = out.C.PageInfo.EndCursor
	}
	return ops, nil
}

// Cancel asks Shopify to cancel a running bulk operation and returns its
// state, usually CANCELING: there may be a short delay before it is
// CANCELED; Wait for that if it matters. Canceling a finished operation
// returns Shopify's userError.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/mutations/bulkOperationCancel
func (s *BulkOperationsService) Cancel(ctx context.Context, id string) (*BulkOperation, error) {
	var out struct {
		P struct {
			BulkOperation *BulkOperation `json:"bulkOperation"`
			UserErrors    []UserError    `json:"userErrors"`
		} `json:"bulkOperationCancel"`
	}
	if _, err := s.client.Do(ctx, &Request{
		Query:         opBulkOperationCancel,
		OperationName: "bulkOperationCancel",
		Variables:     map[string]any{"id": id},
	}, &out); err != nil {
		return nil, err
	}
	if len(out.P.UserErrors) > 0 {
		return out.P.BulkOperation, CheckUserErrors("bulkOperationCancel", out.P.UserErrors)
	}
	return out.P.BulkOperation, nil
}

// Wait blocks until the bulk operation id reaches a final status and
// returns its final state. It polls with exponential backoff (see
// WaitOptions), or wakes early on a bulk_operations/finish notification
// when opts.Notifier is set. Use it after RunQuery, or after a restart with
// an ID stored earlier.
//
// A COMPLETED operation returns (op, nil). FAILED, CANCELED and EXPIRED
// return (op, *BulkOperationError); op.PartialDataURL, if set, has the rows
// written before a failure (ErrorCode TIMEOUT typically leaves some).
// When ctx ends, Wait returns ctx's error; the operation keeps running.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/queries/bulkOperation
func (s *BulkOperationsService) Wait(ctx context.Context, id string, opts *WaitOptions) (*BulkOperation, error) {
	minI, maxI := opts.intervals()
	var wake <-chan struct{}
	if opts != nil && opts.Notifier != nil {
		ch, stop := opts.Notifier.subscribe(id)
		defer stop()
		wake = ch
	}
	delay := minI
	for {
		op, err := s.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if opts != nil && opts.OnPoll != nil {
			opts.OnPoll(op)
		}
		if op.Status.Done() {
			if op.Status != BulkCompleted {
				return op, &BulkOperationError{Operation: op}
			}
			return op, nil
		}
		t := time.NewTimer(jitter(delay))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-wake:
			t.Stop()
			// Notified: poll right away; keep the current delay as the
			// safety net in case the notification was early.
			continue
		case <-t.C:
		}
		delay = min(delay*2, maxI)
	}
}

// Run starts a bulk query and waits for it: RunQuery then Wait. On success
// the returned operation's URL is ready for Open. See Wait for the errors of
// a failed operation, which still come with the operation (and its partial
// data URL).
//
// Shopify API docs: https://shopify.dev/docs/api/usage/bulk-operations/queries
func (s *BulkOperationsService) Run(ctx context.Context, query string, opts *BulkQueryOptions) (*BulkOperation, error) {
	if opts == nil {
		opts = &BulkQueryOptions{}
	}
	op, err := s.RunQuery(ctx, query, opts)
	if err != nil {
		return nil, err
	}
	return s.Wait(ctx, op.ID, opts.Wait)
}

// Open downloads the result file of a completed operation and returns its
// body for a streaming reader; the caller must close it. An operation that
// found nothing has no URL: Open then returns an empty reader. The
// download is a plain GET of a signed URL (no access token is sent).
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/objects/BulkOperation
func (s *BulkOperationsService) Open(ctx context.Context, op *BulkOperation) (io.ReadCloser, error) {
	if op == nil {
		return nil, errors.New("shopify: Open: nil bulk operation")
	}
	if op.Status != BulkCompleted {
		return nil, &BulkOperationError{Operation: op}
	}
	return s.download(ctx, op.URL)
}

// OpenPartial downloads the partial result of a failed operation (see
// BulkOperationError); an empty reader when Shopify left none. The rows of a
// partial file are complete lines; the last root object may lack some of
// its children.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/objects/BulkOperation
func (s *BulkOperationsService) OpenPartial(ctx context.Context, op *BulkOperation) (io.ReadCloser, error) {
	if op == nil {
		return nil, errors.New("shopify: OpenPartial: nil bulk operation")
	}
	return s.download(ctx, op.PartialDataURL)
}

func (s *BulkOperationsService) download(ctx context.Context, u string) (io.ReadCloser, error) {
	if u == "" {
		return io.NopCloser(strings.NewReader("")), nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("shopify: bulk result: %w", err)
	}
	resp, err := s.client.bulkDownloadClient().Do(req)
	if err != nil {
		return nil, s.client.secrets.Error(fmt.Errorf("shopify: downloading bulk result: %w", redactURLError(err)))
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("shopify: downloading bulk result: HTTP %d", resp.StatusCode)
	}
	return resp.Body, nil
}

// redactURLError drops the URL (a signed, secret-bearing link) from a
// *url.Error, keeping the cause.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// jitter spreads d by ±20 % so that many waiters do not poll in step.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	f := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * f)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// bulkDownloadClient is the Client's HTTP client without the API transport:
// result files live on a storage host that must never see the access token
// (the API transport refuses other hosts anyway), may redirect, and may take
// longer than an API call's timeout; ctx bounds the download instead.
func (c *Client) bulkDownloadClient() *http.Client {
	hc := *c.rc.HTTPClient
	if t, ok := hc.Transport.(*transport); ok {
		hc.Transport = t.base
	}
	hc.Timeout = 0
	hc.CheckRedirect = nil
	return &hc
}
