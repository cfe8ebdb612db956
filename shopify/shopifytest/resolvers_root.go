package shopifytest

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/wmsbridge/wmsbridge/internal/gqlexec"
	"github.com/wmsbridge/wmsbridge/shopify"
)

// rootObject serves both QueryRoot and Mutation.
type rootObject struct{ s *Shop }

func (r *rootObject) TypeName() string { return "QueryRoot" }

func (r *rootObject) Field(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	if gqlexec.OperationType(ctx) == ast.Mutation {
		return r.mutation(ctx, f)
	}
	return r.query(ctx, f)
}

func (r *rootObject) query(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	s := r.s
	if err := s.requireScope(f.Name, queryScopes[f.Name]); err != nil {
		return nil, err
	}
	switch f.Name {
	case "shop":
		return shopObj{s}, nil
	case "currentAppInstallation":
		return appInstallationObj{s}, nil
	case "publicApiVersions":
		out := make([]gqlexec.Object, 0, len(supportedVersions))
		for _, v := range supportedVersions {
			out = append(out, apiVersionObj(v))
		}
		return out, nil
	case "node":
		id, _ := f.Args["id"].(string)
		return s.nodeByGID(id, "node")
	case "nodes":
		ids := idList(f.Args["ids"])
		out := make([]any, len(ids))
		for i, id := range ids {
			n, err := s.nodeByGID(id, "nodes")
			if err != nil {
				return nil, err
			}
			if n != nil {
				out[i] = n
			}
		}
		return out, nil
	case "location":
		if id, ok := parseID(f.Args["id"], "Location"); ok && s.locations[id] != nil {
			return locationObj{s, s.locations[id]}, nil
		}
		if _, given := f.Args["id"]; !given || f.Args["id"] == nil {
			if len(s.locationOrder) > 0 { // no id: the shop's primary location
				return locationObj{s, s.locations[s.locationOrder[0]]}, nil
			}
		}
		return nil, nil
	case "locations":
		includeInactive, _ := f.Args["includeInactive"].(bool)
		filter := searchFilter(f)
		var ls []*Location
		for _, id := range s.locationOrder {
			l := s.locations[id]
			if !l.Active && !includeInactive {
				continue
			}
			if filter.match(func(field string) ([]string, bool) {
				switch field {
				case "", "name":
					return []string{l.Name}, true
				case "id", "location_id":
					return []string{legacy(l.ID)}, true
				case "active":
					if l.Active {
						return []string{"true"}, true
					}
					return []string{"false"}, true
				case "created_at":
					return []string{fmtTime(l.CreatedAt)}, true
				case "updated_at":
					return []string{fmtTime(l.UpdatedAt)}, true
				}
				return nil, false
			}) {
				ls = append(ls, l)
			}
		}
		if key, _ := f.Args["sortKey"].(string); key == "NAME" {
			slices.SortStableFunc(ls, func(a, b *Location) int { return strings.Compare(a.Name, b.Name) })
		}
		return connect(ctx, f, "LocationConnection", reverseIf(f, ls), func(l *Location) int64 { return l.ID }, func(l *Location) gqlexec.Object { return locationObj{s, l} })
	case "product":
		if id, ok := parseID(f.Args["id"], "Product"); ok && s.products[id] != nil {
			return productObj{s, s.products[id]}, nil
		}
		return nil, nil
	case "products", "productsCount":
		filter := searchFilter(f)
		indexed := s.searchIndexed(f) // products created after it are not in the search index yet
		var ps []*Product
		for _, id := range s.productOrder {
			p := s.products[id]
			if !indexed.IsZero() && p.CreatedAt.After(indexed) {
				continue
			}
			if filter.match(s.productFields(p)) {
				ps = append(ps, p)
			}
		}
		if f.Name == "productsCount" {
			return countLimited(f, len(ps)), nil
		}
		k := sortProducts(f, ps)
		return connectSorted(ctx, f, "ProductConnection", reverseIf(f, ps), func(p *Product) int64 { return p.ID }, k, func(p *Product) gqlexec.Object { return productObj{s, p} })
	case "productVariant":
		if id, ok := parseID(f.Args["id"], "ProductVariant"); ok && s.variants[id] != nil {
			return variantObj{s, s.variants[id]}, nil
		}
		return nil, nil
	case "productVariants", "productVariantsCount":
		filter := searchFilter(f)
		var vs []*Variant
		for _, pid := range s.productOrder {
			for _, vid := range s.products[pid].VariantIDs {
				v := s.variants[vid]
				if filter.match(s.variantFields(v)) {
					vs = append(vs, v)
				}
			}
		}
		if f.Name == "productVariantsCount" {
			return countLimited(f, len(vs)), nil
		}
		k := byID[*Variant]
		if key, _ := f.Args["sortKey"].(string); key == "ID" || key == "" {
			slices.SortFunc(vs, func(a, b *Variant) int { return compareInt64(a.ID, b.ID) })
		} else {
			k = sortVariants(f, vs, s)
		}
		return connectSorted(ctx, f, "ProductVariantConnection", reverseIf(f, vs), func(v *Variant) int64 { return v.ID }, k, func(v *Variant) gqlexec.Object { return variantObj{s, v} })
	case "inventoryItem":
		if id, ok := parseID(f.Args["id"], "InventoryItem"); ok && s.items[id] != nil {
			return itemObj{s, s.items[id]}, nil
		}
		return nil, nil
	case "inventoryItems":
		filter := searchFilter(f)
		var its []*InventoryItem
		for _, pid := range s.productOrder {
			for _, vid := range s.products[pid].VariantIDs {
				it := s.items[s.variants[vid].InventoryItemID]
				if filter.match(s.itemFields(it)) {
					its = append(its, it)
				}
			}
		}
		slices.SortFunc(its, func(a, b *InventoryItem) int { return compareInt64(a.ID, b.ID) })
		return connectSorted(ctx, f, "InventoryItemConnection", reverseIf(f, its), func(it *InventoryItem) int64 { return it.ID }, byID[*InventoryItem], func(it *InventoryItem) gqlexec.Object { return itemObj{s, it} })
	case "inventoryLevel":
		id, _ := f.Args["id"].(string)
		if lid, err := shopify.LegacyID(id, "InventoryLevel"); err == nil {
			if k, ok := s.levelByID[lid]; ok {
				return levelObj{s, s.levels[k]}, nil
			}
		}
		return nil, nil
	case "order":
		if id, ok := parseID(f.Args["id"], "Order"); ok && s.orders[id] != nil && s.orderVisible(s.orders[id]) {
			return orderObj{s, s.orders[id]}, nil
		}
		return nil, nil
	case "orders", "ordersCount":
		filter := searchFilter(f)
		indexed := s.searchIndexed(f) // orders created after it are not in the search index yet
		var os []*Order
		for _, id := range s.orderOrder {
			o := s.orders[id]
			if !indexed.IsZero() && o.CreatedAt.After(indexed) {
				continue
			}
			if s.orderVisible(o) && filter.match(s.orderFields(o)) {
				os = append(os, o)
			}
		}
		if f.Name == "ordersCount" {
			return countLimited(f, len(os)), nil
		}
		k := sortOrders(f, os)
		return connectSorted(ctx, f, "OrderConnection", reverseIf(f, os), func(o *Order) int64 { return o.ID }, k, func(o *Order) gqlexec.Object { return orderObj{s, o} })
	case "fulfillment":
		if id, ok := parseID(f.Args["id"], "Fulfillment"); ok && s.fulfillments[id] != nil {
			if o := s.orders[s.fulfillments[id].OrderID]; o != nil && s.orderVisible(o) {
				return fulfillmentObj{s, s.fulfillments[id]}, nil
			}
		}
		return nil, nil
	case "refund":
		if id, ok := parseID(f.Args["id"], "Refund"); ok && s.refunds[id] != nil {
			if o := s.orders[s.refunds[id].OrderID]; o != nil && s.orderVisible(o) {
				return refundObj{s, s.refunds[id]}, nil
			}
		}
		return nil, nil
	case "locationsCount":
		n := 0
		for _, id := range s.locationOrder {
			if s.locations[id].Active {
				n++
			}
		}
		return countLimited(f, n), nil
	case "fulfillmentOrder":
		if id, ok := parseID(f.Args["id"], "FulfillmentOrder"); ok && s.fulfillmentOrders[id] != nil {
			if o := s.orders[s.fulfillmentOrders[id].OrderID]; o != nil && s.orderVisible(o) {
				return foObj{s, s.fulfillmentOrders[id]}, nil
			}
		}
		return nil, nil
	case "fulfillmentOrders":
		var fos []*FulfillmentOrder
		for _, oid := range s.orderOrder {
			for _, id := range s.orders[oid].FulfillmentOrderIDs {
				fos = append(fos, s.fulfillmentOrders[id])
			}
		}
		slices.SortFunc(fos, func(a, b *FulfillmentOrder) int { return compareInt64(a.ID, b.ID) })
		return s.foConnection(ctx, f, fos)
	case "bulkOperation", "bulkOperations", "currentBulkOperation":
		return s.bulkQuery(ctx, f) // bulk.go
	case "webhookSubscription":
		if id, ok := parseID(f.Args["id"], "WebhookSubscription"); ok && s.webhooks[id] != nil {
			return webhookObj{s, s.webhooks[id]}, nil
		}
		return nil, nil
	case "webhookSubscriptions", "webhookSubscriptionsCount":
		ws := s.filterWebhooks(f)
		if f.Name == "webhookSubscriptionsCount" {
			return countLimited(f, len(ws)), nil
		}
		return connect(ctx, f, "WebhookSubscriptionConnection", reverseIf(f, ws), func(w *WebhookSubscription) int64 { return w.ID }, func(w *WebhookSubscription) gqlexec.Object { return webhookObj{s, w} })
	}
	return nil, notSimulated("QueryRoot", f.Name)
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// nodeByGID resolves node(id:) for the simulated types; unknown or invisible
// IDs resolve to null, types without read access to ACCESS_DENIED.
// searchIndexed returns the time up to which writes are in the shop's
// search index for the listing or count f: the zero time (everything) when
// f has no search (query:) or the shop has no WithSearchLag, else now
// minus the lag.
func (s *Shop) searchIndexed(f *gqlexec.FieldCall) time.Time {
	if q, _ := f.Args["query"].(string); q != "" && s.cfg.searchLag > 0 {
		return s.now().Add(-s.cfg.searchLag)
	}
	return time.Time{}
}

func (s *Shop) nodeByGID(g, field string) (gqlexec.Object, error) {
	typ, id, err := shopify.ParseGID(g)
	if err != nil {
		return nil, gqlexec.NewError("BAD_REQUEST", "Invalid global id '"+g+"'")
	}
	if err := s.requireScope(field, typeScopes[typ]); err != nil {
		return nil, err
	}
	switch typ {
	case "Location":
		if l := s.locations[id]; l != nil {
			return locationObj{s, l}, nil
		}
	case "Product":
		if p := s.products[id]; p != nil {
			return productObj{s, p}, nil
		}
	case "ProductVariant":
		if v := s.variants[id]; v != nil {
			return variantObj{s, v}, nil
		}
	case "InventoryItem":
		if it := s.items[id]; it != nil {
			return itemObj{s, it}, nil
		}
	case "InventoryLevel":
		if k, ok := s.levelByID[id]; ok {
			return levelObj{s, s.levels[k]}, nil
		}
	case "Order":
		if o := s.orders[id]; o != nil && s.orderVisible(o) {
			return orderObj{s, o}, nil
		}
	case "FulfillmentOrder":
		if fo := s.fulfillmentOrders[id]; fo != nil && s.orderVisible(s.orders[fo.OrderID]) {
			return foObj{s, fo}, nil
		}
	case "Fulfillment":
		if fl := s.fulfillments[id]; fl != nil && s.orderVisible(s.orders[fl.OrderID]) {
			return fulfillmentObj{s, fl}, nil
		}
	case "Refund":
		if r := s.refunds[id]; r != nil && s.orderVisible(s.orders[r.OrderID]) {
			return refundObj{s, r}, nil
		}
	case "WebhookSubscription":
		if w := s.webhooks[id]; w != nil {
			return webhookObj{s, w}, nil
		}
	case "InventoryAdjustmentGroup":
		if g := s.adjustments[id]; g != nil {
			return adjustmentGroupObj{s, g}, nil
		}
	case "BulkOperation":
		return s.bulkNode(id), nil // bulk.go
	}
	return nil, nil
}

// ---- Shop, AppInstallation, ApiVersion ------------------------------------------

type shopObj struct{ s *Shop }

func (o shopObj) TypeName() string { return "Shop" }

func (o shopObj) Field(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	in := o.s.info
	switch f.Name {
	case "id":
		return gid("Shop", in.ID), nil
	case "name":
		return in.Name, nil
	case "myshopifyDomain":
		return in.MyshopifyDomain, nil
	case "email", "contactEmail":
		return in.Email, nil
	case "currencyCode":
		return in.CurrencyCode, nil
	case "enabledPresentmentCurrencies":
		return []string{in.CurrencyCode}, nil
	case "ianaTimezone":
		return in.IanaTimezone, nil
	case "timezoneAbbreviation":
		return "CET", nil
	case "timezoneOffset":
		return "+0100", nil
	case "timezoneOffsetMinutes":
		return 60, nil
	case "weightUnit":
		return in.WeightUnit, nil
	case "url":
		return "https://" + in.MyshopifyDomain, nil
	case "description":
		return nil, nil
	case "taxesIncluded":
		return true, nil
	case "setupRequired", "checkoutApiSupported", "taxShipping", "transactionalSmsDisabled":
		return false, nil
	case "primaryDomain":
		return gqlexec.Map{Type: "Domain", Fields: map[string]any{
			"id": gid("Domain", in.ID), "host": in.MyshopifyDomain, "url": "https://" + in.MyshopifyDomain, "sslEnabled": true,
		}}, nil
	case "plan":
		return gqlexec.Map{Type: "ShopPlan", Fields: map[string]any{
			"publicDisplayName": in.PlanName, "shopifyPlus": in.ShopifyPlus, "partnerDevelopment": in.Development,
		}}, nil
	}
	return nil, notSimulated("Shop", f.Name)
}

type appInstallationObj struct{ s *Shop }

func (o appInstallationObj) TypeName() string { return "AppInstallation" }

func (o appInstallationObj) Field(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	switch f.Name {
	case "id":
		return gid("AppInstallation", o.s.info.ID+1), nil
	case "accessScopes":
		out := make([]gqlexec.Object, 0, len(o.s.cfg.scopes))
		for _, sc := range o.s.cfg.scopes {
			out = append(out, gqlexec.Map{Type: "AccessScope", Fields: map[string]any{"handle": sc, "description": scopeDescription(sc)}})
		}
		return out, nil
	case "launchUrl":
		return "https://admin.shopify.com/store/" + o.s.name + "/apps/wmsbridge", nil
	case "uninstallUrl":
		return nil, nil
	case "app":
		return gqlexec.Map{Type: "App", Fields: map[string]any{
			"id": gid("App", 1), "title": "wmsbridge test app", "handle": "wmsbridge", "apiKey": "simulated", "developerName": "wmsbridge",
		}}, nil
	}
	return nil, notSimulated("AppInstallation", f.Name)
}

func scopeDescription(sc string) string {
	verb, what, _ := strings.Cut(sc, "_")
	switch verb {
	case "read":
		verb = "Read"
	case "write":
		verb = "Modify"
	}
	return verb + " " + strings.ReplaceAll(what, "_", " ")
}

func apiVersionObj(v string) gqlexec.Object {
	return gqlexec.Map{Type: "ApiVersion", Fields: map[string]any{"handle": v, "displayName": v, "supported": true}}
}
