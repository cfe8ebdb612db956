package shopify

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// InventoryService reads inventory levels and sets quantities. Reads need
// read_inventory, writes write_inventory. Every write carries an
// @idempotent key (mandatory at runtime since API 2026-04), so the client
// may retry it safely and a caller may repeat it after a crash by passing
// the same key.
type InventoryService struct{ client *Client }

// DefaultQuantityNames are the quantities Levels reads when given none.
var defaultQuantityNames = []string{"available", "on_hand", "committed", "incoming", "reserved"}

// InventoryLevel is an inventory item's stock at one location.
type InventoryLevel struct {
	ID       string  `json:"id"`
	IsActive bool    `json:"isActive"`
	Location NodeRef `json:"location"`
	// Quantities are the named quantities asked for ("available",
	// "on_hand", "committed", ...).
	Quantities []InventoryQuantity `json:"quantities"`
	UpdatedAt  time.Time           `json:"updatedAt"`
}

// InventoryQuantity is one named quantity of an inventory level.
type InventoryQuantity struct {
	Name     string `json:"name"`
	Quantity int    `json:"quantity"`
}

// Quantity returns the named quantity and whether the level has it.
func (l *InventoryLevel) Quantity(name string) (int, bool) {
	for _, q := range l.Quantities {
		if q.Name == name {
			return q.Quantity, true
		}
	}
	return 0, false
}

// Levels returns an inventory item's levels at every location where it is
// stocked, with the named quantities (default: available, on_hand,
// committed, incoming, reserved).
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/queries/inventoryItem
func (s *InventoryService) Levels(ctx context.Context, inventoryItemID string, names ...string) ([]InventoryLevel, error) {
	if len(names) == 0 {
		names = defaultQuantityNames
	}
	var levels []InventoryLevel
	for l, err := range Paginate(ctx, func(ctx context.Context, after string) (*Connection[InventoryLevel], error) {
		v := map[string]any{"id": inventoryItemID, "names": names}
		optString(v, "after", after)
		var out struct {
			Item *struct {
				C Connection[InventoryLevel] `json:"inventoryLevels"`
			} `json:"inventoryItem"`
		}
		if _, err := s.client.Do(ctx, &Request{Query: opInventoryLevels, OperationName: "inventoryLevels", Variables: v}, &out); err != nil {
			return nil, err
		}
		if out.Item == nil {
			return nil, notFound("inventory item", inventoryItemID)
		}
		return &out.Item.C, nil
	}) {
		if err != nil {
			return nil, err
		}
		levels = append(levels, l)
	}
	return levels, nil
}

// MaxQuantitiesPerCall is the most entries one inventorySetQuantities call
// takes; SetQuantities splits larger requests.
const MaxQuantitiesPerCall = 250

// SetQuantitiesRequest sets absolute quantities of items at locations.
type SetQuantitiesRequest struct {
	// Name is the quantity to set: "available" (default) or "on_hand".
	Name string
	// Reason is Shopify's reason code; default "correction". Others:
	// cycle_count_available, received, restock, damaged, shrinkage, ...
	Reason string
	// ReferenceDocumentURI links the change to the merchant's audit trail,
	// e.g. "gid://my-wms/StockCount/42". Optional.
	ReferenceDocumentURI string
	// IdempotencyKey identifies this request so that repeating it (after a
	// timeout or a crash) applies it once. Store it with your job and pass
	// it again on retry, with the same Quantities in the same order. When
	// the request needs several calls, call i (0-based) uses the key
	// "<IdempotencyKey>-<i>". Empty means SetQuantities generates a random
	// key, which protects the client's own retries only.
	IdempotencyKey string
	Quantities     []QuantityChange
}

// QuantityChange sets one item's quantity at one location.
type QuantityChange struct {
	InventoryItemID string
	LocationID      string
	Quantity        int
	// ChangeFrom is the compare-and-swap guard: the quantity you last saw.
	// Shopify rejects the change with CHANGE_FROM_QUANTITY_STALE when the
	// current quantity differs. nil sends an explicit null: no check (the
	// WMS is the source of truth).
	ChangeFrom *int
}

// InventoryAdjustmentGroup is Shopify's record of one applied call.
type InventoryAdjustmentGroup struct {
	ID                   string              `json:"id"`
	Reason               string              `json:"reason"`
	ReferenceDocumentURI string              `json:"referenceDocumentUri"`
	Changes              []InventoryChangeOf `json:"changes"`
	// IdempotencyKey is the key the call was sent with.
	IdempotencyKey string `json:"-"`
}

// InventoryChangeOf is one quantity change inside an adjustment group.
type InventoryChangeOf struct {
	Name                string  `json:"name"`
	Delta               int     `json:"delta"`
	QuantityAfterChange *int    `json:"quantityAfterChange"`
	Item                NodeRef `json:"item"`
	Location            NodeRef `json:"location"`
}

// Codes of inventorySetQuantities user errors worth handling.
const (
	// CodeChangeFromQuantityStale: a ChangeFrom guard did not match; re-read
	// and retry.
	CodeChangeFromQuantityStale = "CHANGE_FROM_QUANTITY_STALE"
	// CodeIdempotencyKeyParameterMismatch: the key was used before with
	// different input.
	CodeIdempotencyKeyParameterMismatch = "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"
	// CodeIdempotencyConcurrentRequest: a call with the same key is still
	// running.
	CodeIdempotencyConcurrentRequest = "IDEMPOTENCY_CONCURRENT_REQUEST"
	// CodeIdempotencyPreviousAttemptFailed: an earlier call with the key
	// failed; use a new key.
	CodeIdempotencyPreviousAttemptFailed = "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED"
)

// SetQuantities sets the quantities of req with inventorySetQuantities, at
// most MaxQuantitiesPerCall entries per call, each call with its own
// @idempotent key (see SetQuantitiesRequest.IdempotencyKey) and an explicit
// changeFromQuantity for every entry. It returns one adjustment group per
// applied call (Shopify may return none for a call that changed nothing).
// When a call fails, SetQuantities stops and returns the groups applied so
// far with the error; user errors are a *UserErrorsError (check
// HasCode(CodeChangeFromQuantityStale), ...), wrapped with the batch number.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/mutations/inventorySetQuantities
func (s *InventoryService) SetQuantities(ctx context.Context, req SetQuantitiesRequest) ([]InventoryAdjustmentGroup, error) {
	if len(req.Quantities) == 0 {
		return nil, errors.New("shopify: SetQuantities: no quantities")
	}
	name, reason := req.Name, req.Reason
	if name == "" {
		name = "available"
	}
	if reason == "" {
		reason = "correction"
	}
	key := req.IdempotencyKey
	if key == "" {
		key = newIdempotencyKey()
	}
	n := (len(req.Quantities) + MaxQuantitiesPerCall - 1) / MaxQuantitiesPerCall
	var groups []InventoryAdjustmentGroup
	for b := range n {
		batch := req.Quantities[b*MaxQuantitiesPerCall : min((b+1)*MaxQuantitiesPerCall, len(req.Quantities))]
		qs := make([]map[string]any, len(batch))
		for i, q := range batch {
			var from any // explicit null unless a guard is given
			if q.ChangeFrom != nil {
				from = *q.ChangeFrom
			}
			qs[i] = map[string]any{
				"inventoryItemId":    q.InventoryItemID,
				"locationId":         q.LocationID,
				"quantity":           q.Quantity,
				"changeFromQuantity": from,
			}
		}
		input := map[string]any{"name": name, "reason": reason, "quantities": qs}
		if req.ReferenceDocumentURI != "" {
			input["referenceDocumentUri"] = req.ReferenceDocumentURI
		}
		bkey := key
		if n > 1 {
			bkey = key + "-" + strconv.Itoa(b)
		}
		var out struct {
			P struct {
				Group      *InventoryAdjustmentGroup `json:"inventoryAdjustmentGroup"`
				UserErrors []UserError               `json:"userErrors"`
			} `json:"inventorySetQuantities"`
		}
		_, err := s.client.Do(ctx, &Request{
			Query:         opInventorySetQuantities,
			OperationName: "inventorySetQuantities",
			Variables:     map[string]any{"input": input, "idempotencyKey": bkey},
			Idempotent:    true,
		}, &out)
		if err == nil {
			err = CheckUserErrors("inventorySetQuantities", out.P.UserErrors)
		}
		if err != nil {
			if n > 1 {
				err = fmt.Errorf("shopify: SetQuantities batch %d of %d: %w", b+1, n, err)
			}
			return groups, err
		}
		if out.P.Group != nil {
			g := *out.P.Group
			g.IdempotencyKey = bkey
			groups = append(groups, g)
		}
	}
	return groups, nil
}

// ActivateRequest connects an inventory item to a location.
type ActivateRequest struct {
	InventoryItemID string
	LocationID      string
	// Available and OnHand optionally set initial quantities.
	Available, OnHand *int
	// IdempotencyKey as in SetQuantitiesRequest; empty generates one.
	IdempotencyKey string
}

// Activate stocks an inventory item at a location (creating its inventory
// level) and returns the level with its available and on_hand quantities.
// Activating an item that is already active returns its level.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/mutations/inventoryActivate
func (s *InventoryService) Activate(ctx context.Context, req ActivateRequest) (*InventoryLevel, error) {
	key := req.IdempotencyKey
	if key == "" {
		key = newIdempotencyKey()
	}
	v := map[string]any{
		"inventoryItemId": req.InventoryItemID,
		"locationId":      req.LocationID,
		"idempotencyKey":  key,
		"names":           []string{"available", "on_hand"},
	}
	if req.Available != nil {
		v["available"] = *req.Available
	}
	if req.OnHand != nil {
		v["onHand"] = *req.OnHand
	}
	var out struct {
		P struct {
			Level      *InventoryLevel `json:"inventoryLevel"`
			UserErrors []UserError     `json:"userErrors"`
		} `json:"inventoryActivate"`
	}
	if _, err := s.client.Do(ctx, &Request{Query: opInventoryActivate, OperationName: "inventoryActivate", Variables: v, Idempotent: true}, &out); err != nil {
		return nil, err
	}
	if err := CheckUserErrors("inventoryActivate", out.P.UserErrors); err != nil {
		return nil, err
	}
	if out.P.Level == nil {
		return nil, errors.New("shopify: inventoryActivate returned no inventory level")
	}
	return out.P.Level, nil
}

// newIdempotencyKey returns a random UUID (version 4).
func newIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
