package shopifytest

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// activateLocked connects an item to a location (idempotent) and returns the
// level. Callers hold s.mu.
func (s *Shop) activateLocked(itemID, locID int64, now time.Time, events bool) *InventoryLevel {
	k := levelKey{itemID, locID}
	if lv := s.levels[k]; lv != nil {
		return lv
	}
	lv := &InventoryLevel{ID: s.newID(), InventoryItemID: itemID, LocationID: locID, Quantities: map[string]int{}, CreatedAt: now, UpdatedAt: now}
	s.levels[k] = lv
	s.levelByID[lv.ID] = k
	s.itemLevels[itemID] = append(s.itemLevels[itemID], locID)
	if events {
		s.emit("inventory_levels/connect", "InventoryLevel", lv.ID, ptr(copyLevel(lv)))
	}
	return lv
}

// changeQuantityLocked applies delta to the named quantity of a level. For
// on_hand the delta goes to available (on_hand is derived). It returns the
// quantity after the change. Callers hold s.mu.
func (s *Shop) changeQuantityLocked(lv *InventoryLevel, name string, delta int) int {
	store := name
	if name == "on_hand" {
		store = "available"
	}
	lv.Quantities[store] += delta
	lv.UpdatedAt = s.now()
	if it := s.items[lv.InventoryItemID]; it != nil {
		it.UpdatedAt = lv.UpdatedAt
	}
	return lv.Quantity(name)
}

// levelChanged records the inventory_levels/update event for lv.
func (s *Shop) levelChanged(lv *InventoryLevel) {
	s.emit("inventory_levels/update", "InventoryLevel", lv.ID, ptr(copyLevel(lv)))
}

// DisconnectInventory stops stocking an item at a location, as Shopify's
// inventoryDeactivate does: the level is removed and
// inventory_levels/disconnect is recorded. A level with units committed to
// orders cannot be disconnected; an unknown level returns ErrNotFound.
func (s *Shop) DisconnectInventory(itemID, locationID int64) error {
	s.mu.Lock()
	defer s.unlock()
	k := levelKey{itemID, locationID}
	lv := s.levels[k]
	if lv == nil {
		return fmt.Errorf("%w: inventory level of item %d at location %d", ErrNotFound, itemID, locationID)
	}
	if n := lv.Quantity("committed"); n > 0 {
		return fmt.Errorf("shopifytest: item %d at location %d has %d units committed to orders", itemID, locationID, n)
	}
	delete(s.levels, k)
	delete(s.levelByID, lv.ID)
	s.itemLevels[itemID] = slices.DeleteFunc(s.itemLevels[itemID], func(l int64) bool { return l == locationID })
	s.emit("inventory_levels/disconnect", "InventoryLevel", lv.ID, ptr(copyLevel(lv)))
	return nil
}

// InventoryLevel returns the level of an item at a location.
func (s *Shop) InventoryLevel(itemID, locationID int64) (InventoryLevel, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	lv := s.levels[levelKey{itemID, locationID}]
	if lv == nil {
		return InventoryLevel{}, false
	}
	return copyLevel(lv), true
}

// InventoryLevels returns the levels of an item in activation order.
func (s *Shop) InventoryLevels(itemID int64) []InventoryLevel {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []InventoryLevel
	for _, loc := range s.itemLevels[itemID] {
		out = append(out, copyLevel(s.levels[levelKey{itemID, loc}]))
	}
	return out
}

// Quantity returns the named quantity (available, on_hand, committed, ...)
// of an item at a location, 0 when the item is not stocked there.
func (s *Shop) Quantity(itemID, locationID int64, name string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	lv := s.levels[levelKey{itemID, locationID}]
	if lv == nil {
		return 0
	}
	return lv.Quantity(name)
}

// SetQuantity sets a named quantity ("available", "on_hand" or one of the
// other stored states) of an item at a location, activating the item there
// if needed, as a merchant editing stock in the admin would. It records
// inventory_levels/update.
func (s *Shop) SetQuantity(itemID, locationID int64, name string, quantity int) error {
	s.mu.Lock()
	defer s.unlock()
	if s.items[itemID] == nil {
		return fmt.Errorf("%w: inventory item %d", ErrNotFound, itemID)
	}
	if s.locations[locationID] == nil {
		return fmt.Errorf("%w: location %d", ErrNotFound, locationID)
	}
	if !slices.Contains(quantityNames, name) {
		return fmt.Errorf("shopifytest: unknown quantity name %q", name)
	}
	lv := s.activateLocked(itemID, locationID, s.now(), true)
	s.changeQuantityLocked(lv, name, quantity-lv.Quantity(name))
	s.levelChanged(lv)
	return nil
}

// AdjustmentGroup returns a recorded inventory adjustment group.
func (s *Shop) AdjustmentGroup(id int64) (InventoryAdjustmentGroup, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g := s.adjustments[id]
	if g == nil {
		return InventoryAdjustmentGroup{}, false
	}
	c := *g
	c.Changes = slices.Clone(g.Changes)
	return c, true
}

// inventoryReasons are the reasons inventorySetQuantities and
// inventoryAdjustQuantities accept.
var inventoryReasons = []string{
	"correction", "cycle_count_available", "damaged", "movement_created", "movement_updated",
	"movement_received", "movement_canceled", "other", "promotion", "quality_control", "received",
	"reservation_created", "reservation_deleted", "reservation_updated", "restock", "safety_stock", "shrinkage",
}

// adjustableNames are the quantity names inventoryAdjustQuantities accepts.
var adjustableNames = []string{"available", "damaged", "quality_control", "reserved", "safety_stock", "incoming", "on_hand"}

// maxQuantity is the largest quantity Shopify accepts.
const maxQuantity = 1_000_000_000

// qtyChange is one entry of inventorySetQuantities (Quantity) or
// inventoryAdjustQuantities (Delta).
type qtyChange struct {
	ItemID, LocationID int64
	Value              int  // quantity to set, or delta
	ChangeFrom         *int // nil = skip the compare-and-swap check
	Ledger             string
	badItem, badLoc    bool // the GID did not parse as the right type
}

// applyInventoryLocked validates and applies a set (set=true) or adjust of
// named quantities atomically: either every change applies or none does.
func (s *Shop) applyInventoryLocked(set bool, name, reason, refURI string, changes []qtyChange) (*InventoryAdjustmentGroup, []userError) {
	listField := "changes"
	codeName := "INVALID_QUANTITY_NAME"
	if set {
		listField = "quantities"
		codeName = "INVALID_NAME"
	}
	if set && name != "available" && name != "on_hand" {
		return nil, []userError{{Field: []string{"input", "name"}, Message: "The quantity name must be either 'available' or 'on_hand'.", Code: codeName}}
	}
	if !set && !slices.Contains(adjustableNames, name) {
		return nil, []userError{{Field: []string{"input", "name"}, Message: fmt.Sprintf("The quantity name %q is not valid.", name), Code: codeName}}
	}
	if !slices.Contains(inventoryReasons, reason) {
		return nil, []userError{{Field: []string{"input", "reason"}, Message: "The specified reason is invalid.", Code: "INVALID_REASON"}}
	}
	if refURI != "" && !validURI(refURI) {
		return nil, []userError{{Field: []string{"input", "referenceDocumentUri"}, Message: "The reference document URI is invalid.", Code: "INVALID_REFERENCE_DOCUMENT"}}
	}
	var errs []userError
	seen := map[levelKey]bool{}
	levels := make([]*InventoryLevel, len(changes))
	for i, c := range changes {
		f := []string{"input", listField, fmt.Sprint(i)}
		if c.badItem || s.items[c.ItemID] == nil {
			errs = append(errs, userError{Field: append(f, "inventoryItemId"), Message: "The specified inventory item could not be found.", Code: "INVALID_INVENTORY_ITEM"})
			continue
		}
		if c.badLoc || s.locations[c.LocationID] == nil {
			errs = append(errs, userError{Field: append(f, "locationId"), Message: "The specified location could not be found.", Code: "INVALID_LOCATION"})
			continue
		}
		k := levelKey{c.ItemID, c.LocationID}
		if set && seen[k] {
			errs = append(errs, userError{Field: append(f, "locationId"), Message: "The combination of inventoryItemId and locationId must be unique.", Code: "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR"})
			continue
		}
		seen[k] = true
		lv := s.levels[k]
		if lv == nil {
			errs = append(errs, userError{Field: append(f, "locationId"), Message: "The specified inventory item is not stocked at the location.", Code: "INVALID_LOCATION"})
			continue
		}
		levels[i] = lv
		if !set && name != "available" {
			if c.Ledger == "" {
				errs = append(errs, userError{Field: append(f, "ledgerDocumentUri"), Message: "A ledger document URI is required for quantity names other than available.", Code: "INVALID_LEDGER_DOCUMENT"})
				continue
			}
			if len(c.Ledger) >= 14 && c.Ledger[:14] == "gid://shopify/" {
				errs = append(errs, userError{Field: append(f, "ledgerDocumentUri"), Message: "The ledger document URI cannot reference a Shopify resource.", Code: "INTERNAL_LEDGER_DOCUMENT"})
				continue
			}
		}
		if !set && name == "available" && c.Ledger != "" {
			errs = append(errs, userError{Field: append(f, "ledgerDocumentUri"), Message: "A ledger document URI is not allowed when adjusting available.", Code: "INVALID_AVAILABLE_DOCUMENT"})
			continue
		}
		cur := lv.Quantity(name)
		after := c.Value
		if !set {
			after = cur + c.Value
		}
		if after > maxQuantity {
			errs = append(errs, userError{Field: append(f, fieldForValue(set)), Message: fmt.Sprintf("The quantity can't be higher than %d.", maxQuantity), Code: "INVALID_QUANTITY_TOO_HIGH"})
			continue
		}
		if after < -maxQuantity {
			errs = append(errs, userError{Field: append(f, fieldForValue(set)), Message: fmt.Sprintf("The quantity can't be lower than -%d.", maxQuantity), Code: "INVALID_QUANTITY_TOO_LOW"})
			continue
		}
		if set && name == "on_hand" && c.Value < 0 {
			errs = append(errs, userError{Field: append(f, "quantity"), Message: "The quantity can't be negative.", Code: "INVALID_QUANTITY_NEGATIVE"})
			continue
		}
		if c.ChangeFrom != nil && *c.ChangeFrom != cur {
			errs = append(errs, userError{Field: append(f, "changeFromQuantity"), Message: fmt.Sprintf("The specified changeFromQuantity %d does not match the current %s quantity %d.", *c.ChangeFrom, name, cur), Code: "CHANGE_FROM_QUANTITY_STALE"})
			continue
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	now := s.now()
	g := &InventoryAdjustmentGroup{ID: s.newID(), Reason: reason, ReferenceDocumentURI: refURI, CreatedAt: now}
	for i, c := range changes {
		lv := levels[i]
		delta := c.Value
		if set {
			delta = c.Value - lv.Quantity(name)
		}
		after := s.changeQuantityLocked(lv, name, delta)
		g.Changes = append(g.Changes, InventoryChange{InventoryItemID: c.ItemID, LocationID: c.LocationID, Name: name, Delta: delta, QuantityAfterChange: after, LedgerDocumentURI: c.Ledger})
		// Shopify reports the derived state too: available moves on_hand and vice versa.
		switch name {
		case "available":
			g.Changes = append(g.Changes, InventoryChange{InventoryItemID: c.ItemID, LocationID: c.LocationID, Name: "on_hand", Delta: delta, QuantityAfterChange: lv.Quantity("on_hand")})
		case "on_hand":
			g.Changes = append(g.Changes, InventoryChange{InventoryItemID: c.ItemID, LocationID: c.LocationID, Name: "available", Delta: delta, QuantityAfterChange: lv.Quantity("available")})
		case "incoming":
		default:
			g.Changes = append(g.Changes, InventoryChange{InventoryItemID: c.ItemID, LocationID: c.LocationID, Name: "on_hand", Delta: delta, QuantityAfterChange: lv.Quantity("on_hand")})
		}
		if delta != 0 {
			s.levelChanged(lv)
		}
	}
	s.adjustments[g.ID] = g
	return g, nil
}

func fieldForValue(set bool) string {
	if set {
		return "quantity"
	}
	return "delta"
}

// validURI accepts scheme:rest with a non-empty rest, and for gid:// URIs
// requires app, entity and id.
func validURI(u string) bool {
	scheme, rest, ok := strings.Cut(u, ":")
	if !ok || scheme == "" || strings.Trim(rest, "/") == "" {
		return false
	}
	for _, r := range scheme {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.') {
			return false
		}
	}
	if scheme == "gid" {
		parts := strings.Split(strings.TrimPrefix(rest, "//"), "/")
		return len(parts) >= 3 && parts[0] != "" && parts[1] != "" && parts[2] != ""
	}
	return true
}

// activateMutationLocked is inventoryActivate: connect an item to a
// location, optionally setting available and on_hand on a new level.
func (s *Shop) activateMutationLocked(itemID, locID int64, available, onHand *int) (*InventoryLevel, []userError) {
	if s.items[itemID] == nil {
		return nil, []userError{{Field: []string{"inventoryItemId"}, Message: "Inventory item does not exist"}}
	}
	if s.locations[locID] == nil {
		return nil, []userError{{Field: []string{"locationId"}, Message: "Location does not exist"}}
	}
	if !s.locations[locID].Active {
		return nil, []userError{{Field: []string{"locationId"}, Message: "Location is not active"}}
	}
	existed := s.levels[levelKey{itemID, locID}] != nil
	lv := s.activateLocked(itemID, locID, s.now(), true)
	if existed && (available != nil || onHand != nil) {
		return nil, []userError{{Field: []string{"available"}, Message: "Inventory item is already stocked at the location; use inventorySetQuantities to change quantities"}}
	}
	changed := false
	if available != nil {
		s.changeQuantityLocked(lv, "available", *available-lv.Quantity("available"))
		changed = true
	}
	if onHand != nil {
		s.changeQuantityLocked(lv, "on_hand", *onHand-lv.Quantity("on_hand"))
		changed = true
	}
	if changed {
		s.levelChanged(lv)
	}
	return lv, nil
}
