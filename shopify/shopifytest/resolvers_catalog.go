package shopifytest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/wmsbridge/wmsbridge/internal/gqlexec"
)

// ---- Location -------------------------------------------------------------------

type locationObj struct {
	s *Shop
	l *Location
}

func (o locationObj) TypeName() string { return "Location" }

func (o locationObj) Field(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	l := o.l
	switch f.Name {
	case "id":
		return gid("Location", l.ID), nil
	case "legacyResourceId":
		return legacy(l.ID), nil
	case "name":
		return l.Name, nil
	case "isActive":
		return l.Active, nil
	case "activatable":
		return !l.Active, nil
	case "deactivatable":
		return l.Active, nil
	case "deletable":
		return !l.Active, nil
	case "fulfillsOnlineOrders":
		return l.FulfillsOnlineOrders, nil
	case "shipsInventory":
		return l.ShipsInventory, nil
	case "isFulfillmentService":
		return l.IsFulfillmentService, nil
	case "hasActiveInventory":
		for _, lv := range o.s.levels {
			if lv.LocationID == l.ID {
				return true, nil
			}
		}
		return false, nil
	case "hasUnfulfilledOrders":
		for _, fo := range o.s.fulfillmentOrders {
			if fo.AssignedLocationID == l.ID && (fo.Status == "OPEN" || fo.Status == "IN_PROGRESS") {
				return true, nil
			}
		}
		return false, nil
	case "addressVerified":
		return true, nil
	case "fulfillmentService", "deactivatedAt", "localPickupSettingsV2":
		return nil, nil
	case "address":
		return gqlexec.Map{Type: "LocationAddress", Fields: map[string]any{
			"address1": l.Address1, "address2": nil, "city": l.City, "zip": l.Zip, "countryCode": l.CountryCode,
			"country": countryName(l.CountryCode), "province": nil, "provinceCode": nil, "phone": nil,
			"formatted": []string{l.Address1, strings.TrimSpace(l.Zip + " " + l.City), countryName(l.CountryCode)},
			"latitude":  nil, "longitude": nil,
		}}, nil
	case "createdAt":
		return dt(l.CreatedAt), nil
	case "updatedAt":
		return dt(l.UpdatedAt), nil
	case "inventoryLevel":
		if err := o.s.requireScope("inventoryLevel", scopeInventory); err != nil {
			return nil, err
		}
		item, ok := parseID(f.Args["inventoryItemId"], "InventoryItem")
		if !ok {
			return nil, nil
		}
		if lv := o.s.levels[levelKey{item, l.ID}]; lv != nil {
			return levelObj{o.s, lv}, nil
		}
		return nil, nil
	case "inventoryLevels":
		if err := o.s.requireScope("inventoryLevels", scopeInventory); err != nil {
			return nil, err
		}
		var lvs []*InventoryLevel
		for _, pid := range o.s.productOrder {
			for _, vid := range o.s.products[pid].VariantIDs {
				if lv := o.s.levels[levelKey{o.s.variants[vid].InventoryItemID, l.ID}]; lv != nil {
					lvs = append(lvs, lv)
				}
			}
		}
		return o.s.levelConnection(ctx, f, lvs)
	}
	return nil, notSimulated("Location", f.Name)
}

func countryName(cc string) string {
	switch cc {
	case "DE":
		return "Germany"
	case "US":
		return "United States"
	case "GB":
		return "United Kingdom"
	case "FR":
		return "France"
	case "NL":
		return "Netherlands"
	case "AT":
		return "Austria"
	}
	return cc
}

// ---- Product --------------------------------------------------------------------

type productObj struct {
	s *Shop
	p *Product
}

func (o productObj) TypeName() string { return "Product" }

func (o productObj) Field(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	p := o.p
	switch f.Name {
	case "id":
		return gid("Product", p.ID), nil
	case "legacyResourceId":
		return legacy(p.ID), nil
	case "title":
		return p.Title, nil
	case "handle":
		return p.Handle, nil
	case "vendor":
		return p.Vendor, nil
	case "productType":
		return p.ProductType, nil
	case "status":
		return p.Status, nil
	case "tags":
		return nonNilStrings(p.Tags), nil
	case "createdAt":
		return dt(p.CreatedAt), nil
	case "updatedAt":
		return dt(p.UpdatedAt), nil
	case "publishedAt":
		if p.Status == "ACTIVE" {
			return dt(p.CreatedAt), nil
		}
		return nil, nil
	case "description":
		return "", nil
	case "descriptionHtml":
		return "", nil
	case "isGiftCard", "requiresSellingPlan", "hasVariantsThatRequiresComponents":
		return false, nil
	case "templateSuffix", "onlineStoreUrl", "onlineStorePreviewUrl", "category", "featuredMedia":
		return nil, nil
	case "hasOnlyDefaultVariant":
		return len(p.VariantIDs) == 1 && o.s.variants[p.VariantIDs[0]].Title == "Default Title", nil
	case "tracksInventory":
		for _, vid := range p.VariantIDs {
			if o.s.items[o.s.variants[vid].InventoryItemID].Tracked {
				return true, nil
			}
		}
		return false, nil
	case "totalInventory":
		n := 0
		for _, vid := range p.VariantIDs {
			n += o.s.availableTotal(o.s.variants[vid].InventoryItemID)
		}
		return n, nil
	case "hasOutOfStockVariants":
		for _, vid := range p.VariantIDs {
			if o.s.availableTotal(o.s.variants[vid].InventoryItemID) <= 0 {
				return true, nil
			}
		}
		return false, nil
	case "variantsCount":
		return countObj(len(p.VariantIDs)), nil
	case "variants":
		vs := make([]*Variant, 0, len(p.VariantIDs))
		for _, vid := range p.VariantIDs {
			vs = append(vs, o.s.variants[vid])
		}
		k := sortVariants(f, vs, o.s)
		return connectSorted(ctx, f, "ProductVariantConnection", reverseIf(f, vs), func(v *Variant) int64 { return v.ID }, k, func(v *Variant) gqlexec.Object { return variantObj{o.s, v} })
	}
	return nil, notSimulated("Product", f.Name)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// availableTotal sums available over an item's levels.
func (s *Shop) availableTotal(itemID int64) int {
	n := 0
	for _, loc := range s.itemLevels[itemID] {
		n += s.levels[levelKey{itemID, loc}].Quantity("available")
	}
	return n
}

// productFields are the searchable fields of a product.
func (s *Shop) productFields(p *Product) fieldsFunc {
	return func(field string) ([]string, bool) {
		switch field {
		case "":
			return []string{p.Title, p.Vendor, p.ProductType}, true
		case "id":
			return []string{legacy(p.ID)}, true
		case "title":
			return []string{p.Title}, true
		case "handle":
			return []string{p.Handle}, true
		case "vendor":
			return []string{p.Vendor}, true
		case "product_type":
			return []string{p.ProductType}, true
		case "status":
			return []string{p.Status}, true
		case "tag":
			return p.Tags, true
		case "created_at":
			return []string{fmtTime(p.CreatedAt)}, true
		case "updated_at":
			return []string{fmtTime(p.UpdatedAt)}, true
		case "sku", "barcode", "inventory_total":
			var out []string
			total := 0
			for _, vid := range p.VariantIDs {
				v := s.variants[vid]
				switch field {
				case "sku":
					out = append(out, s.items[v.InventoryItemID].SKU)
				case "barcode":
					out = append(out, v.Barcode)
				default:
					total += s.availableTotal(v.InventoryItemID)
				}
			}
			if field == "inventory_total" {
				out = []string{strconv.Itoa(total)}
			}
			return out, true
		}
		return nil, false
	}
}

// sortProducts sorts ps by the sortKey argument (then by ID) and returns
// the cursor key of that order.
func sortProducts(f *gqlexec.FieldCall, ps []*Product) sortKey[*Product] {
	key, _ := f.Args["sortKey"].(string)
	var k sortKey[*Product]
	switch key {
	case "TITLE":
		k = func(p *Product) string { return strKey(p.Title) }
	case "VENDOR":
		k = func(p *Product) string { return strKey(p.Vendor) }
	case "PRODUCT_TYPE":
		k = func(p *Product) string { return strKey(p.ProductType) }
	case "CREATED_AT":
		k = func(p *Product) string { return timeKey(p.CreatedAt) }
	case "UPDATED_AT":
		k = func(p *Product) string { return timeKey(p.UpdatedAt) }
	default: // ID and RELEVANCE
		k = byID[*Product]
	}
	slices.SortStableFunc(ps, func(a, b *Product) int {
		if r := cmp.Compare(k(a), k(b)); r != 0 {
			return r
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return k
}

// ---- ProductVariant -------------------------------------------------------------

type variantObj struct {
	s *Shop
	v *Variant
}

func (o variantObj) TypeName() string { return "ProductVariant" }

func (o variantObj) Field(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	v := o.v
	item := o.s.items[v.InventoryItemID]
	switch f.Name {
	case "id":
		return gid("ProductVariant", v.ID), nil
	case "legacyResourceId":
		return legacy(v.ID), nil
	case "title":
		return v.Title, nil
	case "displayName":
		return o.s.products[v.ProductID].Title + " - " + v.Title, nil
	case "sku":
		return nilIfEmpty(item.SKU), nil
	case "barcode":
		return nilIfEmpty(v.Barcode), nil
	case "price":
		return v.Price.String(), nil
	case "compareAtPrice":
		if v.CompareAtPrice == "" {
			return nil, nil
		}
		return v.CompareAtPrice.String(), nil
	case "position":
		return v.Position, nil
	case "taxable":
		return v.Taxable, nil
	case "inventoryPolicy":
		return v.InventoryPolicy, nil
	case "inventoryQuantity", "sellableOnlineQuantity":
		return o.s.availableTotal(item.ID), nil
	case "availableForSale":
		p := o.s.products[v.ProductID]
		return p.Status == "ACTIVE" && (v.InventoryPolicy == "CONTINUE" || !item.Tracked || o.s.availableTotal(item.ID) > 0), nil
	case "inventoryItem":
		return itemObj{o.s, item}, nil
	case "product":
		return productObj{o.s, o.s.products[v.ProductID]}, nil
	case "createdAt":
		return dt(v.CreatedAt), nil
	case "updatedAt":
		return dt(v.UpdatedAt), nil
	case "selectedOptions":
		return []gqlexec.Object{gqlexec.Map{Type: "SelectedOption", Fields: map[string]any{"name": "Title", "value": v.Title}}}, nil
	case "requiresComponents", "showUnitPrice":
		return false, nil
	case "image", "unitPrice", "unitPriceMeasurement", "deliveryProfile":
		return nil, nil
	}
	return nil, notSimulated("ProductVariant", f.Name)
}

func (s *Shop) variantFields(v *Variant) fieldsFunc {
	return func(field string) ([]string, bool) {
		item := s.items[v.InventoryItemID]
		p := s.products[v.ProductID]
		switch field {
		case "":
			return []string{p.Title, v.Title, item.SKU}, true
		case "id":
			return []string{legacy(v.ID)}, true
		case "sku":
			return []string{item.SKU}, true
		case "barcode":
			return []string{v.Barcode}, true
		case "title":
			return []string{v.Title}, true
		case "product_id":
			return []string{legacy(v.ProductID)}, true
		case "product_status":
			return []string{p.Status}, true
		case "vendor":
			return []string{p.Vendor}, true
		case "product_type":
			return []string{p.ProductType}, true
		case "tag":
			return p.Tags, true
		case "inventory_quantity":
			return []string{strconv.Itoa(s.availableTotal(item.ID))}, true
		case "location_id":
			var out []string
			for _, l := range s.itemLevels[item.ID] {
				out = append(out, legacy(l))
			}
			return out, true
		case "created_at":
			return []string{fmtTime(v.CreatedAt)}, true
		case "updated_at":
			return []string{fmtTime(v.UpdatedAt)}, true
		}
		return nil, false
	}
}

// sortVariants sorts vs by the sortKey argument (then by ID) and returns
// the cursor key of that order; without a sortKey it leaves vs in its
// stored order and returns nil.
func sortVariants(f *gqlexec.FieldCall, vs []*Variant, s *Shop) sortKey[*Variant] {
	key, _ := f.Args["sortKey"].(string)
	var k sortKey[*Variant]
	switch key {
	case "SKU":
		k = func(v *Variant) string { return strKey(s.items[v.InventoryItemID].SKU) }
	case "TITLE", "NAME", "FULL_TITLE":
		k = func(v *Variant) string { return strKey(v.Title) }
	case "POSITION":
		k = func(v *Variant) string { return intKey(int64(v.Position)) }
	case "INVENTORY_QUANTITY", "INVENTORY_LEVELS_AVAILABLE":
		k = func(v *Variant) string { return intKey(int64(s.availableTotal(v.InventoryItemID))) }
	case "ID":
		k = byID[*Variant]
	default:
		return nil
	}
	slices.SortStableFunc(vs, func(a, b *Variant) int {
		if r := cmp.Compare(k(a), k(b)); r != 0 {
			return r
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return k
}

// ---- InventoryItem --------------------------------------------------------------

type itemObj struct {
	s  *Shop
	it *InventoryItem
}

func (o itemObj) TypeName() string { return "InventoryItem" }

func (o itemObj) Field(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	it := o.it
	switch f.Name {
	case "id":
		return gid("InventoryItem", it.ID), nil
	case "legacyResourceId":
		return legacy(it.ID), nil
	case "sku":
		return nilIfEmpty(it.SKU), nil
	case "tracked":
		return it.Tracked, nil
	case "requiresShipping":
		return it.RequiresShipping, nil
	case "unitCost":
		if it.UnitCost == "" {
			return nil, nil
		}
		return moneyV2(it.UnitCost, o.s.info.CurrencyCode), nil
	case "harmonizedSystemCode":
		return nilIfEmpty(it.HarmonizedSystemCode), nil
	case "countryCodeOfOrigin":
		return nilIfEmpty(it.CountryCodeOfOrigin), nil
	case "provinceCodeOfOrigin":
		return nilIfEmpty(it.ProvinceCodeOfOrigin), nil
	case "countryHarmonizedSystemCodes":
		codes := slices.Clone(it.CountryHarmonizedSystemCodes)
		idx := make(map[string]int64, len(codes))
		for i, c := range codes {
			idx[c.CountryCode] = int64(i + 1)
		}
		return connect(ctx, f, "CountryHarmonizedSystemCodeConnection", reverseIf(f, codes),
			func(c CountryHSCode) int64 { return idx[c.CountryCode] },
			func(c CountryHSCode) gqlexec.Object {
				return gqlexec.Map{Type: "CountryHarmonizedSystemCode", Fields: map[string]any{"countryCode": c.CountryCode, "harmonizedSystemCode": c.HarmonizedSystemCode}}
			})
	case "measurement":
		var weight any
		if it.WeightValue != "" {
			w, _ := strconv.ParseFloat(string(it.WeightValue), 64)
			weight = gqlexec.Map{Type: "Weight", Fields: map[string]any{"value": w, "unit": it.WeightUnit}}
		}
		return gqlexec.Map{Type: "InventoryItemMeasurement", Fields: map[string]any{"id": gid("InventoryItemMeasurement", it.ID), "weight": weight, "shippingPackageId": nil}}, nil
	case "createdAt":
		return dt(it.CreatedAt), nil
	case "updatedAt":
		return dt(it.UpdatedAt), nil
	case "duplicateSkuCount":
		n := 0
		if it.SKU != "" {
			for _, other := range o.s.items {
				if other.ID != it.ID && other.SKU == it.SKU {
					n++
				}
			}
		}
		return n, nil
	case "locationsCount":
		return countObj(len(o.s.itemLevels[it.ID])), nil
	case "inventoryHistoryUrl":
		return fmt.Sprintf("https://admin.shopify.com/store/%s/products/inventory/%d/inventory_history", o.s.name, it.ID), nil
	case "trackedEditable":
		return gqlexec.Map{Type: "EditableProperty", Fields: map[string]any{"locked": false, "reason": nil}}, nil
	case "inventoryLevel":
		if err := o.s.requireScope("inventoryLevel", scopeInventory); err != nil {
			return nil, err
		}
		loc, ok := parseID(f.Args["locationId"], "Location")
		if !ok {
			return nil, nil
		}
		if lv := o.s.levels[levelKey{it.ID, loc}]; lv != nil {
			return levelObj{o.s, lv}, nil
		}
		return nil, nil
	case "inventoryLevels":
		if err := o.s.requireScope("inventoryLevels", scopeInventory); err != nil {
			return nil, err
		}
		var lvs []*InventoryLevel
		for _, loc := range o.s.itemLevels[it.ID] {
			lvs = append(lvs, o.s.levels[levelKey{it.ID, loc}])
		}
		return o.s.levelConnection(ctx, f, lvs)
	case "variants":
		var vs []*Variant
		if v := o.s.variants[it.VariantID]; v != nil {
			vs = append(vs, v)
		}
		return connect(ctx, f, "ProductVariantConnection", vs, func(v *Variant) int64 { return v.ID }, func(v *Variant) gqlexec.Object { return variantObj{o.s, v} })
	}
	return nil, notSimulated("InventoryItem", f.Name)
}

func (s *Shop) itemFields(it *InventoryItem) fieldsFunc {
	return func(field string) ([]string, bool) {
		switch field {
		case "", "sku":
			return []string{it.SKU}, true
		case "id":
			return []string{legacy(it.ID)}, true
		case "created_at":
			return []string{fmtTime(it.CreatedAt)}, true
		case "updated_at":
			return []string{fmtTime(it.UpdatedAt)}, true
		}
		return nil, false
	}
}

// ---- InventoryLevel -------------------------------------------------------------

type levelObj struct {
	s  *Shop
	lv *InventoryLevel
}

func (o levelObj) TypeName() string { return "InventoryLevel" }

func levelGID(lv *InventoryLevel) string {
	return fmt.Sprintf("%s?inventory_item_id=%d", gid("InventoryLevel", lv.ID), lv.InventoryItemID)
}

func (o levelObj) Field(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	lv := o.lv
	switch f.Name {
	case "id":
		return levelGID(lv), nil
	case "isActive", "canDeactivate":
		return true, nil
	case "deactivationAlert":
		return nil, nil
	case "createdAt":
		return dt(lv.CreatedAt), nil
	case "updatedAt":
		return dt(lv.UpdatedAt), nil
	case "item":
		return itemObj{o.s, o.s.items[lv.InventoryItemID]}, nil
	case "location":
		return locationObj{o.s, o.s.locations[lv.LocationID]}, nil
	case "quantities":
		names := idList(f.Args["names"])
		out := make([]gqlexec.Object, 0, len(names))
		for _, n := range names {
			if !slices.Contains(quantityNames, n) {
				return nil, gqlexec.NewError("BAD_REQUEST", fmt.Sprintf("Invalid quantity name: %s. Valid names are: %s", n, strings.Join(quantityNames, ", ")))
			}
			out = append(out, gqlexec.Map{Type: "InventoryQuantity", Fields: map[string]any{
				"id":        fmt.Sprintf("gid://shopify/InventoryQuantity/%d?inventory_item_id=%d&name=%s", lv.ID, lv.InventoryItemID, n),
				"name":      n,
				"quantity":  lv.Quantity(n),
				"updatedAt": dt(lv.UpdatedAt),
			}})
		}
		return out, nil
	}
	return nil, notSimulated("InventoryLevel", f.Name)
}

func (s *Shop) levelConnection(ctx context.Context, f *gqlexec.FieldCall, lvs []*InventoryLevel) (any, error) {
	filter := searchFilter(f)
	out := lvs[:0:0]
	for _, lv := range lvs {
		lv := lv
		if filter.match(func(field string) ([]string, bool) {
			switch field {
			case "inventory_item_id":
				return []string{legacy(lv.InventoryItemID)}, true
			case "location_id":
				return []string{legacy(lv.LocationID)}, true
			case "updated_at":
				return []string{fmtTime(lv.UpdatedAt)}, true
			case "created_at":
				return []string{fmtTime(lv.CreatedAt)}, true
			}
			return nil, false
		}) {
			out = append(out, lv)
		}
	}
	return connect(ctx, f, "InventoryLevelConnection", reverseIf(f, out), func(lv *InventoryLevel) int64 { return lv.ID }, func(lv *InventoryLevel) gqlexec.Object { return levelObj{s, lv} })
}
