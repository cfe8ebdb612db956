package woocommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Batch is the body of a batch call: objects to create, objects to update
// (each with its ID) and ids to delete (batch deletes are permanent, as
// with force=true). WooCommerce accepts at most MaxBatchItems in all
// (Client.BatchLimit) and answers 413 above; the Client refuses a larger
// Batch before sending it.
type Batch[T any] struct {
	Create []T     `json:"create,omitempty"`
	Update []T     `json:"update,omitempty"`
	Delete []int64 `json:"delete,omitempty"`
}

// Len returns the number of items.
func (b *Batch[T]) Len() int { return len(b.Create) + len(b.Update) + len(b.Delete) }

// BatchResult is the answer to a batch call: one entry per requested item,
// in the request's order. WooCommerce answers HTTP 200 even when items
// fail; a failed item carries its error (Err returns them all).
type BatchResult[R any] struct {
	Create []BatchItem[R] `json:"create"`
	Update []BatchItem[R] `json:"update"`
	Delete []BatchItem[R] `json:"delete"`
}

// UnmarshalJSON reads the answer; an empty batch is answered with [] (an
// empty PHP array).
func (r *BatchResult[R]) UnmarshalJSON(b []byte) error {
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '[' {
		var empty []json.RawMessage
		if err := json.Unmarshal(t, &empty); err != nil || len(empty) > 0 {
			return fmt.Errorf("woocommerce: a batch answer is a list of %d entries", len(empty))
		}
		*r = BatchResult[R]{}
		return nil
	}
	type plain BatchResult[R]
	return json.Unmarshal(b, (*plain)(r))
}

// BatchItem is one item of a BatchResult: the object as WooCommerce saved
// (or deleted) it, or the item's error.
type BatchItem[R any] struct {
	Value R
	// ID is the id WooCommerce echoed for a failed item (0 for a failed
	// create).
	ID  int64
	Err *APIError
}

// UnmarshalJSON reads an object, or {"id": N, "error": {...}}.
func (it *BatchItem[R]) UnmarshalJSON(b []byte) error {
	var probe struct {
		ID    json.Number   `json:"id"`
		Error *apiErrorBody `json:"error"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return err
	}
	if probe.Error != nil {
		it.Err = probe.Error.toAPIError(0)
		it.ID, _ = probe.ID.Int64()
		return nil
	}
	return json.Unmarshal(b, &it.Value)
}

// Err returns the failed items as *BatchItemError values joined with
// errors.Join, or nil when every item succeeded.
func (r *BatchResult[R]) Err() error {
	var errs []error
	for _, sec := range []struct {
		op    string
		items []BatchItem[R]
	}{{"create", r.Create}, {"update", r.Update}, {"delete", r.Delete}} {
		for i, it := range sec.items {
			if it.Err != nil {
				errs = append(errs, &BatchItemError{Op: sec.op, Index: i, ID: it.ID, Err: it.Err})
			}
		}
	}
	return errors.Join(errs...)
}

// batch posts b to path ("products/batch"). A batch without creates is
// repeatable: updates set absolute values and deletes of deleted ids fail
// harmlessly.
func batch[T, R any](ctx context.Context, c *Client, path string, b *Batch[T]) (*BatchResult[R], *Response, error) {
	if b == nil {
		b = &Batch[T]{}
	}
	if n := b.Len(); n > c.batchLimit {
		return nil, nil, &APIError{
			Method: http.MethodPost, Path: "/wc/v3/" + path, Code: "woocommerce_rest_request_entity_too_large",
			Message: fmt.Sprintf("%d items are more than the batch limit of %d; split the batch", n, c.batchLimit),
		}
	}
	var out BatchResult[R]
	resp, err := c.Do(ctx, &Request{Method: http.MethodPost, Path: path, Body: b, Repeatable: len(b.Create) == 0}, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}
