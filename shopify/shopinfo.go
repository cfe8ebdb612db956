package shopify

import (
	"context"
	_ "embed"
)

//go:embed shop.graphql
var shopQuery string

// ShopInfo holds basic facts about a shop.
type ShopInfo struct {
	ID              string `json:"id"` // GID, "gid://shopify/Shop/..."
	Name            string `json:"name"`
	MyshopifyDomain string `json:"myshopifyDomain"`
	CurrencyCode    string `json:"currencyCode"` // ISO 4217, the shop's currency
	IANATimezone    string `json:"ianaTimezone"` // e.g. "Europe/Copenhagen"
}

// ShopInfo fetches basic facts about the shop with one cheap query (cost 1).
// It is the smallest connection test: it fails with *AuthError for a wrong
// token and *AccessDeniedError when the app may not read the shop.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/queries/shop
func (c *Client) ShopInfo(ctx context.Context) (*ShopInfo, *Response, error) {
	var data struct {
		Shop *ShopInfo `json:"shop"`
	}
	resp, err := c.Do(ctx, &Request{Query: shopQuery, OperationName: "shop"}, &data)
	if err != nil {
		return nil, resp, err
	}
	if data.Shop == nil {
		return nil, resp, &HTTPError{Operation: "shop", StatusCode: resp.StatusCode, RequestID: resp.RequestID,
			Message: "the answer holds no shop", Attempts: resp.Attempts}
	}
	return data.Shop, resp, nil
}
