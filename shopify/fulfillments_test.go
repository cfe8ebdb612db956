package shopify_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wmsbridge/wmsbridge/internal/adminschema"
	"github.com/wmsbridge/wmsbridge/shopify"
)

// TestFulfillmentsGet covers FulfillmentsService.Get with httpmock: the
// simulator does not resolve QueryRoot.fulfillment. The mock checks the
// document against the schema and answers like Shopify.
func TestFulfillmentsGet(t *testing.T) {
	t.Parallel()
	tr := httpmock.NewMockTransport()
	var got map[string]any
	tr.RegisterResponder(http.MethodPost, "https://mock-shop.myshopify.com/admin/api/2026-10/graphql.json",
		func(r *http.Request) (*http.Response, error) {
			var req struct {
				Query         string         `json:"query"`
				OperationName string         `json:"operationName"`
				Variables     map[string]any `json:"variables"`
			}
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
				return nil, err
			}
			if _, errs := adminschema.Validate(req.OperationName, req.Query); len(errs) > 0 {
				t.Errorf("invalid document: %v", errs)
			}
			got = req.Variables
			if req.Variables["id"] == "gid://shopify/Fulfillment/404" {
				return httpmock.NewStringResponse(200, `{"data":{"fulfillment":null}}`), nil
			}
			return httpmock.NewStringResponse(200, `{"data":{"fulfillment":{
				"id":"gid://shopify/Fulfillment/5","name":"#1001-F1","status":"SUCCESS","displayStatus":"FULFILLED",
				"createdAt":"2026-11-01T10:00:00Z","updatedAt":"2026-11-01T10:00:00Z","totalQuantity":3,
				"location":{"id":"gid://shopify/Location/7"},"order":{"id":"gid://shopify/Order/9"},
				"trackingInfo":[{"company":"DHL","number":"JJD1","url":"https://t.example/JJD1"}],
				"fulfillmentLineItems":{"nodes":[{"id":"gid://shopify/FulfillmentLineItem/1","quantity":3,"lineItem":{"id":"gid://shopify/LineItem/2","sku":"A-1"}}],"pageInfo":{"hasNextPage":false,"endCursor":null}}}}}`), nil
		})
	c, err := shopify.NewClient("mock-shop", shopify.WithAccessToken("shpat_x"), shopify.WithHTTPClient(&http.Client{Transport: tr}),
		shopify.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	f, err := c.Fulfillments().Get(context.Background(), "gid://shopify/Fulfillment/5")
	require.NoError(t, err)
	assert.Equal(t, "gid://shopify/Fulfillment/5", got["id"])
	assert.Equal(t, "#1001-F1", f.Name)
	assert.Equal(t, 3, f.TotalQuantity)
	assert.Equal(t, "gid://shopify/Order/9", f.Order.ID)
	assert.Equal(t, "gid://shopify/Location/7", f.Location.ID)
	assert.Equal(t, []shopify.TrackingInfo{{Company: "DHL", Number: "JJD1", URL: "https://t.example/JJD1"}}, f.TrackingInfo)
	require.Len(t, f.LineItems, 1)
	assert.Equal(t, "A-1", f.LineItems[0].LineItem.SKU)
	assert.Equal(t, 3, f.LineItems[0].Quantity)

	_, err = c.Fulfillments().Get(context.Background(), "gid://shopify/Fulfillment/404")
	assert.ErrorIs(t, err, shopify.ErrNotFound)
}
