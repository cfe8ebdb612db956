package shopify

import (
	"context"
	"fmt"
	"iter"
	"time"
)

// LocationsService reads the shop's locations: warehouses, retail stores,
// fulfilment services. Read-only, safe to retry. Needs read_locations or
// read_inventory.
type LocationsService struct{ client *Client }

// ShopLocation is a place where the shop stocks inventory or fulfils
// orders. (The name Location is taken by GraphQL error positions.)
type ShopLocation struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	IsActive bool   `json:"isActive"`
	// FulfillsOnlineOrders: online orders can be routed here.
	FulfillsOnlineOrders bool `json:"fulfillsOnlineOrders"`
	// ShipsInventory: the location ships stock (not only stores it).
	ShipsInventory bool `json:"shipsInventory"`
	// IsFulfillmentService: the location belongs to a fulfilment service app.
	IsFulfillmentService bool `json:"isFulfillmentService"`
	// HasActiveInventory: at least one inventory level is active here.
	HasActiveInventory bool            `json:"hasActiveInventory"`
	Address            LocationAddress `json:"address"`
	UpdatedAt          time.Time       `json:"updatedAt"`
}

// LocationAddress is a location's postal address.
type LocationAddress struct {
	Address1     string `json:"address1"`
	Address2     string `json:"address2"`
	City         string `json:"city"`
	Zip          string `json:"zip"`
	Province     string `json:"province"`
	ProvinceCode string `json:"provinceCode"`
	Country      string `json:"country"`
	CountryCode  string `json:"countryCode"`
	Phone        string `json:"phone"`
}

// LocationListOptions filters List. The zero value lists active locations.
type LocationListOptions struct {
	// IncludeInactive adds deactivated locations.
	IncludeInactive bool
	// Query is a Shopify search query (filters include active, name,
	// location_id, created_at), e.g. "name:Warehouse*".
	Query string
}

// List iterates over the shop's locations sorted by name, fetching pages of
// 250 as the loop advances.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/queries/locations
func (s *LocationsService) List(ctx context.Context, opts *LocationListOptions) iter.Seq2[ShopLocation, error] {
	var o LocationListOptions
	if opts != nil {
		o = *opts
	}
	return Paginate(ctx, func(ctx context.Context, after string) (*Connection[ShopLocation], error) {
		v := map[string]any{"first": MaxPageSize, "includeInactive": o.IncludeInactive}
		optString(v, "after", after)
		optString(v, "query", o.Query)
		var out struct {
			C Connection[ShopLocation] `json:"locations"`
		}
		if _, err := s.client.Do(ctx, &Request{Query: opLocations, OperationName: "locations", Variables: v}, &out); err != nil {
			return nil, err
		}
		return &out.C, nil
	})
}

// Get returns one location by GID, or an error wrapping ErrNotFound.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/queries/location
func (s *LocationsService) Get(ctx context.Context, id string) (*ShopLocation, error) {
	var out struct {
		L *ShopLocation `json:"location"`
	}
	if _, err := s.client.Do(ctx, &Request{Query: opLocation, OperationName: "location", Variables: map[string]any{"id": id}}, &out); err != nil {
		return nil, err
	}
	if out.L == nil {
		return nil, notFound("location", id)
	}
	return out.L, nil
}

// ErrNotFound is wrapped by the Get methods of the resource services when
// Shopify has no object with the given ID (the query returned null).
var ErrNotFound = fmt.Errorf("shopify: not found")

func notFound(kind, id string) error { return fmt.Errorf("%w: %s %s", ErrNotFound, kind, id) }
