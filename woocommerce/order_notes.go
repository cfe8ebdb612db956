package woocommerce

import (
	"context"
	"net/http"
	"net/url"
)

// OrderNotesService reads and writes the notes of an order
// (/wc/v3/orders/{order_id}/notes).
type OrderNotesService struct{ client *Client }

// OrderNotes returns the service for order notes.
func (c *Client) OrderNotes() *OrderNotesService { return &OrderNotesService{client: c} }

// OrderNote is a note on an order.
type OrderNote struct {
	ID             int64  `json:"id"`
	Author         string `json:"author"`
	DateCreatedGMT Time   `json:"date_created_gmt"`
	Note           string `json:"note"`
	// CustomerNote marks a note the customer was sent.
	CustomerNote bool `json:"customer_note"`
}

// OrderNoteRequest creates a note. CustomerNote true emails the note to
// the customer.
type OrderNoteRequest struct {
	Note         string `json:"note"`
	CustomerNote bool   `json:"customer_note"`
	AddedByUser  bool   `json:"added_by_user,omitempty"`
}

// List returns every note of an order (WooCommerce does not page notes);
// kind is "any" (or ""), "customer" or "internal".
func (s *OrderNotesService) List(ctx context.Context, orderID int64, kind string) ([]OrderNote, *Response, error) {
	q := url.Values{}
	setString(q, "type", kind)
	return list[OrderNote](ctx, s.client, idPath("orders", orderID, "notes"), q)
}

// Get returns one note.
func (s *OrderNotesService) Get(ctx context.Context, orderID, id int64) (*OrderNote, *Response, error) {
	return get[OrderNote](ctx, s.client, idPath("orders", orderID, "notes", id))
}

// Create adds a note. Not repeatable: read the notes before adding one
// again.
func (s *OrderNotesService) Create(ctx context.Context, orderID int64, req *OrderNoteRequest) (*OrderNote, *Response, error) {
	return send[OrderNote](ctx, s.client, http.MethodPost, idPath("orders", orderID, "notes"), nil, req)
}

// Delete deletes a note (notes have no trash; force is always sent).
func (s *OrderNotesService) Delete(ctx context.Context, orderID, id int64) (*OrderNote, *Response, error) {
	return send[OrderNote](ctx, s.client, http.MethodDelete, idPath("orders", orderID, "notes", id), forceQuery(true), nil)
}
